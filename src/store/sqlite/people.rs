//! Attendance and evaluator data: the punches, leave and ratings the domain rules need, and the
//! interviews and poor-rating follow-ups supervisors record.

use std::collections::{BTreeMap, HashMap};

use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::domain::access::Scope;
use crate::domain::alerts::RuleBook;
use crate::domain::attendance::{self, DayRecord, Person};
use crate::domain::evaluator::{self, Completion, EvaluatorCheck, Rating, RatingSource};
use crate::domain::model::{Leave, LeaveKind};
use crate::domain::time;
use crate::store::{
    AttendancePeriod, AttendanceTrend, FollowUpStep, Interview, NewInterview, PoorRating, Satisfaction,
    SatisfactionRow, StoreError,
};

use super::{from_ts, query, ts};

const LOCAL: &str = "%Y-%m-%d %H:%M:%S";

/// Parses `YYYY-MM-DD HH:MM:SS` (the format the schema's CHECK enforces) without chrono's format
/// machinery: a year of punches is millions of rows.
fn local(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return NaiveDateTime::parse_from_str(text, LOCAL).ok();
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
}

struct StaffRow {
    id: i64,
    person: Person,
}

/// The staff of the halls of `scope` (each staff member is its hall's).
fn staff(conn: &Connection, scope: &Scope) -> Result<Vec<StaffRow>, StoreError> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT s.id, s.staff_no, s.name, coalesce(d.name, ''), s.hall_code FROM staff s
             LEFT JOIN department d ON d.id = s.department_id
             WHERE 1 = 1{} ORDER BY s.staff_no, s.hall_code",
            scope.sql("s.hall_code")
        ))?
        .query_map([], |r| {
            Ok(StaffRow {
                id: r.get(0)?,
                person: Person { staff_no: r.get(1)?, name: r.get(2)?, department: r.get(3)?, hall: r.get(4)? },
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The days the attendance records cover: from the first punch to the last one. Days outside are
/// `NoRecords`, so a period before the machine was connected, or days not imported yet, do not show
/// everyone as absent.
fn coverage(conn: &Connection) -> Result<Option<(NaiveDate, NaiveDate)>, StoreError> {
    let (first, last): (Option<String>, Option<String>) =
        // Two subqueries: SQLite answers a lone min() or max() from the index, but not both together.
        conn.query_row("SELECT (SELECT min(time) FROM punch), (SELECT max(time) FROM punch)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(first.zip(last).and_then(|(f, l)| Some((local(&f)?.date(), local(&l)?.date()))))
}

/// The day records from `from` to `to` (inclusive) of everyone in the halls of `scope`.
pub(super) fn day_records(
    conn: &Connection,
    rules: &RuleBook,
    (from, to): (NaiveDate, NaiveDate),
    scope: &Scope,
) -> Result<Vec<(Person, Vec<DayRecord>)>, StoreError> {
    let people = staff(conn, scope)?;
    let covered = coverage(conn)?;
    let in_records = |date: NaiveDate| covered.is_some_and(|(first, last)| date >= first && date <= last);
    let start = from.format("%Y-%m-%d 00:00:00").to_string();
    let end = to.succ_opt().unwrap_or(to).format("%Y-%m-%d 00:00:00").to_string();
    let mut punches: HashMap<i64, Vec<NaiveDateTime>> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT staff_id, time FROM punch WHERE time >= ?1 AND time < ?2")?;
    for row in stmt.query_map([&start, &end], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, text) = row?;
        if let Some(t) = local(&text) {
            punches.entry(id).or_default().push(t);
        }
    }
    let mut leave: HashMap<i64, Vec<Leave>> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT l.staff_id, s.staff_no, l.start, l.\"end\", l.kind FROM leave l JOIN staff s ON s.id = l.staff_id WHERE l.start < ?2 AND l.\"end\" > ?1")?;
    for row in stmt.query_map([&start, &end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })? {
        let (id, staff_no, s, e, kind) = row?;
        if let (Some(s), Some(e), Ok(kind)) = (local(&s), local(&e), kind.parse::<LeaveKind>()) {
            leave.entry(id).or_default().push(Leave { staff_no, start: s, end: e, kind });
        }
    }
    let no_punches = Vec::new();
    let no_leave = Vec::new();
    let mut out = Vec::with_capacity(people.len());
    for punches in punches.values_mut() {
        punches.sort_unstable();
    }
    for StaffRow { id, person } in people {
        let p = punches.get(&id).unwrap_or(&no_punches);
        let l = leave.get(&id).unwrap_or(&no_leave);
        let mut days = Vec::new();
        let mut date = from;
        while date <= to {
            if in_records(date) {
                let schedule = rules.attendance.schedule(person.hall.as_deref(), date);
                // The day's punches (sorted above), so a year costs one pass, not a pass per day.
                let day_start = date.and_time(chrono::NaiveTime::MIN);
                let first = p.partition_point(|t| *t < day_start);
                let count = p[first..].partition_point(|t| t.date() == date);
                let today = &p[first..first + count];
                days.push(attendance::evaluate_day(date, today, l, &rules.calendar, schedule, &rules.attendance));
            } else {
                days.push(attendance::day_without_records(date, &rules.calendar));
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        out.push((person, days));
    }
    Ok(out)
}

/// The biweekly period from `start`, ranking the staff of the halls of `scope` among themselves.
pub(super) fn period(
    conn: &Connection,
    rules: &RuleBook,
    start: NaiveDate,
    scope: &Scope,
) -> Result<AttendancePeriod, StoreError> {
    let start = rules.attendance.period_start(start);
    let end = rules.attendance.period_end(start);
    let people = day_records(conn, rules, (start, end), scope)?;
    let ranking = attendance::rank(start, end, &people);
    let mut interviews = interviews(conn, Some(start))?;
    if !scope.is_city() {
        let ours: std::collections::HashSet<String> = people.iter().map(|(p, _)| p.key()).collect();
        interviews.retain(|i| ours.contains(&i.key()));
    }
    let missing: std::collections::BTreeSet<i32> =
        [start, end].iter().map(chrono::Datelike::year).filter(|y| !rules.calendar.is_year_known(*y)).collect();
    Ok(AttendancePeriod {
        ranking,
        days: people.into_iter().map(|(p, d)| (p.key(), d)).collect(),
        interviews,
        records: coverage(conn)?,
        calendar_warning: crate::domain::calendar::missing_years_warning(&missing),
    })
}

pub(super) fn trend(
    conn: &Connection,
    rules: &RuleBook,
    (last, count): (NaiveDate, u32),
    scope: &Scope,
) -> Result<AttendanceTrend, StoreError> {
    let last = rules.attendance.period_start(last);
    let days = i64::from(rules.attendance.period_days);
    let count = count.clamp(1, 52);
    let mut first = last - Duration::days(days * i64::from(count - 1));
    // Periods wholly before the records began say nothing.
    if let Some((records_start, _)) = coverage(conn)? {
        first = first.max(rules.attendance.period_start(records_start)).min(last);
    }
    let count = u32::try_from((last - first).num_days() / days + 1).unwrap_or(1);
    let people = day_records(conn, rules, (first, rules.attendance.period_end(last)), scope)?;
    let mut trend = AttendanceTrend::default();
    for i in 0..count {
        let start = first + Duration::days(days * i64::from(i));
        let ranking = attendance::rank(start, rules.attendance.period_end(start), &people);
        trend.periods.push(start);
        for s in &ranking.staff {
            trend.staff.entry(s.key()).or_default().push(s.marks());
        }
        for d in &ranking.departments {
            trend.departments.entry(d.key()).or_default().push(d.late + d.early);
        }
    }
    Ok(trend)
}

fn interview_row(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<Interview> {
    let period: String = r.get(1)?;
    Ok(Interview {
        id: r.get(0)?,
        period_start: NaiveDate::parse_from_str(&period, "%Y-%m-%d").unwrap_or(NaiveDate::MIN),
        staff_no: r.get(2)?,
        hall: r.get(8)?,
        staff_name: r.get(3)?,
        held_at: from_ts(r.get(4)?),
        participants: r.get(5)?,
        note: r.get(6)?,
        recorded_by: r.get(7)?,
    })
}

const INTERVIEW_SELECT: &str =
    "SELECT i.id, i.period_start, s.staff_no, s.name, i.held_at, i.participants, i.note, i.recorded_by, s.hall_code
     FROM interview i JOIN staff s ON s.id = i.staff_id";

fn interviews(conn: &Connection, period: Option<NaiveDate>) -> Result<Vec<Interview>, StoreError> {
    let rows = match period {
        Some(p) => conn
            .prepare_cached(&format!("{INTERVIEW_SELECT} WHERE i.period_start = ?1 ORDER BY i.held_at"))?
            .query_map([p.format("%Y-%m-%d").to_string()], interview_row)?
            .collect::<Result<Vec<_>, _>>()?,
        None => conn
            .prepare_cached(&format!("{INTERVIEW_SELECT} ORDER BY i.held_at"))?
            .query_map([], interview_row)?
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// Records interview `i` of staff member `staff_id` (the caller has found the person in its halls).
pub(super) fn insert_interview(
    tx: &Transaction,
    rules: &RuleBook,
    staff_id: i64,
    i: &NewInterview,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Interview, StoreError> {
    if i.participants.trim().is_empty() {
        return Err(StoreError::Invalid("请填写参加约谈的人员 (who took part is required)".into()));
    }
    let period = rules.attendance.period_start(i.period_start);
    tx.execute(
        "INSERT INTO interview (period_start, staff_id, held_at, participants, note, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![period.format("%Y-%m-%d").to_string(), staff_id, ts(i.held_at), i.participants.trim(), i.note.trim(), by, ts(now)],
    )?;
    let id = tx.last_insert_rowid()?;
    Ok(tx.query_row(&format!("{INTERVIEW_SELECT} WHERE i.id = ?1"), [id], interview_row)?)
}

/// Every rating in `[from, to)` (instants) at the windows of the halls of `scope`, from evaluate
/// events and evaluator devices, with its key.
/// How the evaluator's figures name windows and staff: by code and number when the caller reads one
/// hall, `HALL/CODE` and `HALL/NUMBER` when it reads several (codes and numbers are each hall's own).
struct Labels {
    window: &'static str,
    staff: &'static str,
    several: bool,
}

fn labels(conn: &Connection, scope: &Scope) -> Result<Labels, StoreError> {
    let halls: i64 =
        conn.query_row(&format!("SELECT count(*) FROM hall WHERE 1 = 1{}", scope.sql("code")), [], |r| r.get(0))?;
    Ok(if halls > 1 {
        Labels { window: "(w.hall_code || '/' || w.code)", staff: "(s.hall_code || '/' || s.staff_no)", several: true }
    } else {
        Labels { window: "w.code", staff: "s.staff_no", several: false }
    })
}

pub(super) fn ratings(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    scope: &Scope,
) -> Result<Vec<(String, Rating)>, StoreError> {
    let mut out = Vec::new();
    let Labels { window: window_label, staff: staff_label, .. } = labels(conn, scope)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, {window_label}, e.occurred_at, e.rating, c.case_no, {staff_label} FROM event e
         JOIN case_file c ON c.id = e.case_id
         JOIN service_window w ON w.id = e.window_id LEFT JOIN staff s ON s.id = e.staff_id
         WHERE e.step = 'evaluate' AND e.occurred_at >= ?1 AND e.occurred_at < ?2{}",
        scope.sql("w.hall_code")
    ))?;
    for row in stmt.query_map([ts(from), ts(to)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, u8>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })? {
        let (id, window, at, rating, case_no, staff_no) = row?;
        out.push((
            format!("event:{id}"),
            Rating { window, at: from_ts(at), rating, case_no: Some(case_no), staff_no, source: RatingSource::Event },
        ));
    }
    let local_from = time::local_datetime(from).format(LOCAL).to_string();
    let local_to = time::local_datetime(to).format(LOCAL).to_string();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT v.id, {window_label}, v.time, v.rating, v.case_no FROM evaluation v JOIN service_window w ON w.id = v.window_id
         WHERE v.time >= ?1 AND v.time < ?2{}",
        scope.sql("w.hall_code")
    ))?;
    for row in stmt.query_map([&local_from, &local_to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u8>(3)?,
            r.get::<_, String>(4)?,
        ))
    })? {
        let (id, window, at, rating, case_no) = row?;
        let Some(at) = local(&at).map(time::from_local) else { continue };
        out.push((
            format!("device:{id}"),
            Rating {
                window,
                at,
                rating,
                case_no: Some(case_no).filter(|c| !c.is_empty()),
                staff_no: None,
                source: RatingSource::Device,
            },
        ));
    }
    out.sort_by_key(|(_, r)| r.at);
    Ok(out)
}

pub(super) fn evaluator_check(
    conn: &Connection,
    rules: &RuleBook,
    date: NaiveDate,
    scope: &Scope,
) -> Result<EvaluatorCheck, StoreError> {
    let (from, to) = query::day_bounds(date);
    let window_label = labels(conn, scope)?.window;
    let completions = conn
        .prepare_cached(&format!(
            "SELECT c.case_no, {window_label}, e.occurred_at FROM event e JOIN case_file c ON c.id = e.case_id
             JOIN service_window w ON w.id = e.window_id WHERE e.step = 'complete' AND e.occurred_at >= ?1 AND e.occurred_at < ?2{}",
            scope.sql("w.hall_code")
        ))?
        .query_map([from, to], |r| Ok(Completion { case_no: r.get(0)?, window: r.get(1)?, at: from_ts(r.get(2)?) }))?
        .collect::<Result<Vec<_>, _>>()?;
    let ratings: Vec<Rating> = ratings(conn, from_ts(from), from_ts(to), scope)?.into_iter().map(|(_, r)| r).collect();
    let mut completion_of = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT min(e.occurred_at) FROM event e JOIN case_file c ON c.id = e.case_id WHERE c.case_no = ?1 AND e.step = 'complete'",
    )?;
    for no in ratings.iter().filter_map(|r| r.case_no.as_ref()) {
        if let Some(at) = stmt.query_row([no], |r| r.get::<_, Option<i64>>(0))? {
            completion_of.insert(no.clone(), from_ts(at));
        }
    }
    Ok(evaluator::check_day(date, &completions, &ratings, &completion_of, &rules.evaluator))
}

fn follow_up(
    conn: &Connection,
    key: &str,
) -> Result<(Option<(DateTime<Utc>, String, String)>, Option<(DateTime<Utc>, String, String)>), StoreError> {
    let row: Option<(Option<i64>, Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT visit_at, visit_by, visit_note, fix_at, fix_by, fix_note FROM rating_follow_up WHERE rating_key = ?1")?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .optional()?;
    let Some((va, vb, vn, fa, fb, fnote)) = row else { return Ok((None, None)) };
    Ok((
        va.zip(vb).map(|(a, b)| (from_ts(a), b, vn.unwrap_or_default())),
        fa.zip(fb).map(|(a, b)| (from_ts(a), b, fnote.unwrap_or_default())),
    ))
}

fn poor_rating(conn: &Connection, rules: &RuleBook, key: String, rating: Rating) -> Result<PoorRating, StoreError> {
    let (visit_due, fix_due) = evaluator::follow_up_due(&rules.calendar, time::local_date(rating.at), &rules.evaluator);
    // The rating's own window and staff member (codes and numbers are each hall's own).
    let sql = match key.split_once(':') {
        Some(("event", _)) => {
            "SELECT d.name, s.name FROM event e JOIN service_window w ON w.id = e.window_id
             LEFT JOIN department d ON d.id = w.department_id LEFT JOIN staff s ON s.id = e.staff_id WHERE e.id = ?1"
        }
        _ => {
            "SELECT d.name, NULL FROM evaluation v JOIN service_window w ON w.id = v.window_id
             LEFT JOIN department d ON d.id = w.department_id WHERE v.id = ?1"
        }
    };
    let id: i64 = key.split_once(':').and_then(|(_, id)| id.parse().ok()).unwrap_or(0);
    let (department, staff_name): (Option<String>, Option<String>) =
        conn.prepare_cached(sql)?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?.unwrap_or_default();
    let (visit, fix) = follow_up(conn, &key)?;
    Ok(PoorRating { key, rating, department, staff_name, visit_due, fix_due, visit, fix })
}

pub(super) fn poor_ratings(
    conn: &Connection,
    rules: &RuleBook,
    (from, to): (NaiveDate, NaiveDate),
    scope: &Scope,
) -> Result<Vec<PoorRating>, StoreError> {
    let (start, _) = query::day_bounds(from);
    let (_, end) = query::day_bounds(to);
    ratings(conn, from_ts(start), from_ts(end), scope)?
        .into_iter()
        .filter(|(_, r)| evaluator::is_poor(r.rating))
        .map(|(key, r)| poor_rating(conn, rules, key, r))
        .collect()
}

/// The hall of the window rated under `key` (`None` for no such rating).
pub(super) fn rating_hall(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    let Some((kind, id)) = key.split_once(':') else { return Ok(None) };
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let sql = match kind {
        "event" => "SELECT w.hall_code FROM event e JOIN service_window w ON w.id = e.window_id WHERE e.id = ?1",
        "device" => "SELECT w.hall_code FROM evaluation v JOIN service_window w ON w.id = v.window_id WHERE v.id = ?1",
        _ => return Ok(None),
    };
    Ok(conn.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?)
}

/// The rating behind a key, for recording its follow-up.
fn rating_by_key(conn: &Connection, key: &str) -> Result<Rating, StoreError> {
    let (kind, id) = key.split_once(':').ok_or_else(|| StoreError::Invalid(format!("bad rating key {key:?}")))?;
    let id: i64 = id.parse().map_err(|_| StoreError::Invalid(format!("bad rating key {key:?}")))?;
    let found = match kind {
        "event" => conn
            .query_row(
                "SELECT w.code, e.occurred_at, e.rating, c.case_no, s.staff_no FROM event e JOIN case_file c ON c.id = e.case_id
                 JOIN service_window w ON w.id = e.window_id LEFT JOIN staff s ON s.id = e.staff_id WHERE e.id = ?1 AND e.step = 'evaluate'",
                [id],
                |r| {
                    Ok(Rating {
                        window: r.get(0)?,
                        at: from_ts(r.get(1)?),
                        rating: r.get(2)?,
                        case_no: Some(r.get(3)?),
                        staff_no: r.get(4)?,
                        source: RatingSource::Event,
                    })
                },
            )
            .optional()?,
        "device" => conn
            .query_row(
                "SELECT w.code, v.time, v.rating, v.case_no FROM evaluation v JOIN service_window w ON w.id = v.window_id WHERE v.id = ?1",
                [id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u8>(2)?, r.get::<_, String>(3)?)),
            )
            .optional()?
            .and_then(|(window, at, rating, case_no)| {
                Some(Rating {
                    window,
                    at: time::from_local(local(&at)?),
                    rating,
                    case_no: Some(case_no).filter(|c| !c.is_empty()),
                    staff_no: None,
                    source: RatingSource::Device,
                })
            }),
        _ => None,
    };
    found.ok_or_else(|| StoreError::NotFound(format!("rating {key}")))
}

pub(super) fn record_follow_up(
    tx: &Transaction,
    rules: &RuleBook,
    key: &str,
    step: FollowUpStep,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<PoorRating, StoreError> {
    let rating = rating_by_key(tx, key)?;
    if !evaluator::is_poor(rating.rating) {
        return Err(StoreError::Invalid(format!(
            "rating {key} is {} — only poor ratings (1–2) are followed up",
            rating.rating
        )));
    }
    if note.trim().is_empty() {
        return Err(StoreError::Invalid("请填写回访或整改情况 (a note is required)".into()));
    }
    tx.execute("INSERT INTO rating_follow_up (rating_key) VALUES (?1) ON CONFLICT DO NOTHING", [key])?;
    let column = match step {
        FollowUpStep::ReturnVisit => "visit",
        FollowUpStep::Rectification => "fix",
    };
    let changed = tx.execute(
        &format!("UPDATE rating_follow_up SET {column}_at = ?2, {column}_by = ?3, {column}_note = ?4 WHERE rating_key = ?1 AND {column}_at IS NULL"),
        params![key, ts(now), by, note.trim()],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(format!("the {column} of rating {key} is already recorded")));
    }
    poor_rating(tx, rules, key.to_owned(), rating)
}

fn satisfaction_rows(groups: BTreeMap<String, (String, Vec<u8>)>) -> Vec<SatisfactionRow> {
    let mut rows: Vec<SatisfactionRow> = groups
        .into_iter()
        .map(|(key, (label, ratings))| {
            let mut by_rating = [0u32; 5];
            for r in &ratings {
                by_rating[usize::from(r.clamp(&1, &5) - 1)] += 1;
            }
            let count = u32::try_from(ratings.len()).unwrap_or(u32::MAX);
            let sum: u32 = ratings.iter().map(|r| u32::from(*r)).sum();
            SatisfactionRow {
                key,
                label,
                count,
                average: if count > 0 { f64::from(sum) / f64::from(count) } else { 0.0 },
                satisfied: if count > 0 { f64::from(by_rating[3] + by_rating[4]) / f64::from(count) } else { 0.0 },
                poor: by_rating[0] + by_rating[1],
                by_rating,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.average.total_cmp(&b.average).then(a.key.cmp(&b.key)));
    rows
}

pub(super) fn satisfaction(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: &Scope,
) -> Result<Satisfaction, StoreError> {
    let (start, _) = query::day_bounds(from);
    let (_, end) = query::day_bounds(to);
    let all = ratings(conn, from_ts(start), from_ts(end), scope)?;
    let labels = labels(conn, scope)?;
    // Window → (department key, department label); with several halls a department is told apart by
    // its hall (a county's 市场监管局 is not the city's).
    let windows: HashMap<String, (String, String)> = conn
        .prepare_cached(&format!(
            "SELECT {}, coalesce(d.name, ''), coalesce(nullif(d.short_name, ''), d.name, ''), coalesce(d.hall_code, '')
             FROM service_window w LEFT JOIN department d ON d.id = w.department_id",
            labels.window
        ))?
        .query_map([], |r| {
            let (name, short, hall): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
            let department = if labels.several && !hall.is_empty() {
                (format!("{hall}/{name}"), format!("{short}（{hall}）"))
            } else {
                (name, short)
            };
            Ok((r.get::<_, String>(0)?, department))
        })?
        .collect::<Result<_, _>>()?;
    let names: HashMap<String, String> = conn
        .prepare_cached(&format!("SELECT {}, s.name FROM staff s", labels.staff))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut departments: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    let mut by_window: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    let mut staff: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    let mut weekly: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    for (_, r) in &all {
        let (department, short) = windows.get(&r.window).cloned().unwrap_or_default();
        departments.entry(department.clone()).or_insert_with(|| (short.clone(), Vec::new())).1.push(r.rating);
        by_window
            .entry(r.window.clone())
            .or_insert_with(|| (format!("{} {short}", r.window), Vec::new()))
            .1
            .push(r.rating);
        if let Some(no) = &r.staff_no {
            let label = names.get(no).cloned().unwrap_or_else(|| no.clone());
            staff.entry(no.clone()).or_insert_with(|| (label, Vec::new())).1.push(r.rating);
        }
        let day = time::local_date(r.at);
        let monday = day - Duration::days(i64::from(chrono::Datelike::weekday(&day).num_days_from_monday()));
        let w = weekly.entry(monday).or_default();
        w.0 += u32::from(r.rating);
        w.1 += 1;
    }
    Ok(Satisfaction {
        from,
        to,
        departments: satisfaction_rows(departments),
        windows: satisfaction_rows(by_window),
        staff: satisfaction_rows(staff),
        weekly: weekly.into_iter().map(|(d, (sum, n))| (d, f64::from(sum) / f64::from(n.max(1)), n)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_parse_like_chrono() {
        for text in [
            "2026-11-27 08:31:05",
            "2024-02-29 23:59:59",
            "2026-02-29 08:00:00",
            "2026-11-27 24:00:00",
            "2026-1-27 08:00:00",
            "2026-11-27T08:31:05",
            "abcd-ef-gh ij:kl:mn",
        ] {
            assert_eq!(local(text), NaiveDateTime::parse_from_str(text, LOCAL).ok(), "{text}");
        }
        assert!(local("2026-11-27 08:31:05").is_some());
    }
}
