//! A month's figures from the records other than cases and alerts: ratings and late follow-ups, notices, slip findings, upheld complaints, attendance marks, violations and Art 13 measures (RULES.md, "Where each figure comes from").

use super::{from_ts, people, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::assessment::{AssessmentItem, Category, ItemKind, MonthFigures, YearMonth};
use crate::domain::{evaluator, time};
use crate::store::StoreError;
use crate::store::sql::{Connection, OptionalExtension as _};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// The month as UTC seconds `[from, to)`.
pub(super) fn bounds(month: YearMonth) -> (i64, i64) {
    (ts(time::start_of_day(month.first_day())), ts(time::start_of_day(month.next().first_day())))
}

/// A month's figures by department and, when `items` is asked for, the records behind them.
pub(super) struct Collected {
    pub(super) figures: HashMap<i64, MonthFigures>,
    pub(super) items: Vec<(i64, AssessmentItem)>,
    /// The cases of the month whose records are incomplete, by department.
    pub(super) incomplete: HashMap<i64, std::collections::HashSet<i64>>,
}

impl Collected {
    pub(super) fn of(&mut self, department: i64) -> &mut MonthFigures {
        self.figures.entry(department).or_default()
    }

    pub(super) fn item(&mut self, department: i64, item: AssessmentItem) {
        self.items.push((department, item));
    }
}

pub(super) fn item(
    category: Option<Category>,
    kind: ItemKind,
    reference: String,
    at: Option<DateTime<Utc>>,
    text: String,
) -> AssessmentItem {
    AssessmentItem { category, kind, reference, case_no: None, at, text }
}

/// Ratings of the month by the rated window's department; poor ratings whose return visit or
/// rectification came after its due day (or has not come and the day has ended).
pub(super) fn ratings(
    conn: &Connection,
    rules: &RuleBook,
    month: YearMonth,
    now: DateTime<Utc>,
    c: &mut Collected,
) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let windows: HashMap<i64, (i64, String)> = conn
        .prepare_cached("SELECT id, department_id, code FROM service_window WHERE department_id IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    // (key, window, rating, at, the case's id or the device's case number): evaluate events from their
    // partial index, and the evaluators' own records (local time text).
    let mut rated: Vec<(String, i64, u8, DateTime<Utc>, Result<i64, String>)> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, window_id, rating, occurred_at, case_id FROM event
         WHERE step = 'evaluate' AND occurred_at >= ?1 AND occurred_at < ?2 AND window_id IS NOT NULL",
    )?;
    for row in stmt.query_map([from, to], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, u8>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
    })? {
        let (id, window, rating, at, case) = row?;
        rated.push((format!("event:{id}"), window, rating, from_ts(at), Ok(case)));
    }
    let local = |at: i64| time::local_datetime(from_ts(at)).format("%Y-%m-%d %H:%M:%S").to_string();
    let mut stmt = conn
        .prepare_cached("SELECT id, window_id, rating, time, case_no FROM evaluation WHERE time >= ?1 AND time < ?2")?;
    for row in stmt.query_map([local(from), local(to)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, u8>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })? {
        let (id, window, rating, at, case_no) = row?;
        let Ok(at) = chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S") else { continue };
        rated.push((format!("device:{id}"), window, rating, time::from_local(at), Err(case_no)));
    }
    for (_, window, rating, _, _) in &rated {
        let Some((department, _)) = windows.get(window) else { continue };
        let f = c.of(*department);
        f.ratings += 1;
        match *rating {
            4.. => f.ratings_satisfied += 1,
            3 => f.ratings_basic += 1,
            _ => {}
        }
    }
    let late = |due: NaiveDate, done: Option<DateTime<Utc>>| {
        let end = time::end_of_day(due);
        done.map_or(now >= end, |at| at >= end)
    };
    // The follow-ups recorded (a small table): the visit's and the rectification's time by rating key.
    let follow_ups: HashMap<String, (Option<i64>, Option<i64>)> = conn
        .prepare_cached("SELECT rating_key, visit_at, fix_at FROM rating_follow_up")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    let mut case_no = conn.prepare_cached("SELECT case_no FROM case_file WHERE id = ?1")?;
    for (key, window, rating, at, case) in rated.into_iter().filter(|r| evaluator::is_poor(r.2)) {
        let Some((department, code)) = windows.get(&window) else { continue };
        let (visit_due, fix_due) = evaluator::follow_up_due(&rules.calendar, time::local_date(at), &rules.evaluator);
        let (visit, fix) = follow_ups.get(&key).copied().unwrap_or_default();
        let visit_late = late(visit_due, visit.map(from_ts));
        let fix_late = late(fix_due, fix.map(from_ts));
        if visit_late || fix_late {
            c.of(*department).follow_ups_late += 1;
            let what = match (visit_late, fix_late) {
                (true, true) => format!("回访（限{visit_due}）与整改（限{fix_due}）均未按期"),
                (true, false) => format!("回访未按期（限{visit_due}）"),
                _ => format!("整改未按期（限{fix_due}）"),
            };
            let text = format!("{code} 窗口 {rating} 星差评，{what}");
            let case_no = match case {
                Ok(id) => case_no.query_row([id], |r| r.get::<_, String>(0)).optional()?,
                Err(no) => Some(no).filter(|n| !n.is_empty()),
            };
            c.item(
                *department,
                AssessmentItem { case_no, ..item(Some(Category::Satisfaction), ItemKind::Rating, key, Some(at), text) },
            );
        }
    }
    Ok(())
}

/// Notices due in the month: answered by the end of the due day or not. A notice not yet due and not
/// answered is not counted yet.
pub(super) fn notices(
    conn: &Connection,
    month: YearMonth,
    now: DateTime<Utc>,
    c: &mut Collected,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, n.notice_no, coalesce(n.department_id, i.department_id), c.case_no, n.due_date, n.reply_at
         FROM notice n JOIN case_file c ON c.id = n.case_id JOIN item i ON i.code = c.item_code
         WHERE n.due_date >= ?1 AND n.due_date <= ?2",
    )?;
    let rows = stmt.query_map([month.first_day().to_string(), month.last_day().to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<i64>>(5)?,
        ))
    })?;
    for row in rows {
        let (_, notice_no, department, case_no, due, reply_at) = row?;
        let Ok(due) = due.parse::<NaiveDate>() else { continue };
        let end = time::end_of_day(due);
        let reply_at = reply_at.map(from_ts);
        if reply_at.is_none() && now < end {
            continue;
        }
        let f = c.of(department);
        f.notices += 1;
        match reply_at {
            Some(at) if at < end => f.notices_answered_on_time += 1,
            _ => {
                let text = match reply_at {
                    Some(at) => format!("限{due}回复，{}回复", time::local_date(at)),
                    None => format!("限{due}回复，未回复"),
                };
                c.item(
                    department,
                    AssessmentItem {
                        case_no: Some(case_no),
                        ..item(
                            Some(Category::Supervision),
                            ItemKind::Notice,
                            notice_no,
                            Some(time::start_of_day(due)),
                            text,
                        )
                    },
                );
            }
        }
    }
    Ok(())
}

/// The month's discipline findings printed on a slip that was not cancelled.
pub(super) fn slip_findings(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, s.department_id, s.year, s.number, o.category, o.observed_at FROM slip_finding f
         JOIN slip s ON s.id = f.slip_id JOIN observation o ON o.id = f.observation_id
         WHERE s.status <> 'cancelled' AND o.observed_at >= ?1 AND o.observed_at < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i32>(2)?,
            r.get::<_, u32>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (id, department, year, number, category, at) = row?;
        c.of(department).slip_findings += 1;
        let text = format!("{category}（提示单{}）", crate::domain::discipline::slip_number_text(year, number));
        c.item(
            department,
            item(Some(Category::Supervision), ItemKind::SlipFinding, id.to_string(), Some(from_ts(at)), text),
        );
    }
    Ok(())
}

/// Complaints concluded in the month that led to a violation (upheld), by the complaint's department.
pub(super) fn complaints(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let mut stmt = conn.prepare_cached(
        "SELECT k.complaint_no, k.department_id, k.concluded_at, k.case_no FROM complaint k
         WHERE k.status = 'concluded' AND k.concluded_at >= ?1 AND k.concluded_at < ?2 AND k.department_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM violation v WHERE v.complaint_id = k.id)",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
    })?;
    for row in rows {
        let (no, department, at, case_no) = row?;
        c.of(department).complaints_upheld += 1;
        c.item(
            department,
            AssessmentItem {
                case_no,
                ..item(
                    Some(Category::Attitude),
                    ItemKind::Complaint,
                    no,
                    Some(from_ts(at)),
                    "投诉属实（已认定违规）".into(),
                )
            },
        );
    }
    Ok(())
}

/// Attendance marks (late, early, absent half-days) of the month and the department's staff.
pub(super) fn attendance(
    conn: &Connection,
    rules: &RuleBook,
    month: YearMonth,
    c: &mut Collected,
) -> Result<(), StoreError> {
    let names: HashMap<String, i64> = conn
        .prepare_cached("SELECT name, id FROM department")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let people =
        people::day_records(conn, rules, (month.first_day(), month.last_day()), &crate::domain::access::Scope::City)?;
    let ranking = crate::domain::attendance::rank(month.first_day(), month.last_day(), &people);
    for d in &ranking.departments {
        if let Some(id) = names.get(&d.department) {
            let f = c.of(*id);
            f.staff = d.staff;
            f.attendance_marks = d.late + d.early + d.absent;
        }
    }
    for s in ranking.staff.iter().filter(|s| s.late + s.early + s.absent > 0) {
        let Some(id) = names.get(&s.department).copied() else { continue };
        let text = format!("{} 迟到{} 早退{} 缺勤{}（半天）", s.name, s.late, s.early, s.absent);
        c.item(id, item(Some(Category::Attitude), ItemKind::Attendance, s.staff_no.clone(), None, text));
    }
    Ok(())
}

/// Violations that occurred in the month, and Art 13 measures decided in it.
pub(super) fn violations(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let mut stmt = conn.prepare_cached(
        "SELECT id, department_id, item, description, occurred_at, case_no FROM violation
         WHERE occurred_at >= ?1 AND occurred_at < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (id, department, article, description, at, case_no) = row?;
        c.of(department).violations += 1;
        c.item(
            department,
            AssessmentItem {
                case_no,
                ..item(
                    Some(Category::Liability),
                    ItemKind::Violation,
                    id.to_string(),
                    Some(from_ts(at)),
                    format!("第{article}项：{description}"),
                )
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, v.department_id, d.measures, d.decided_at, v.id FROM violation_decision d
         JOIN violation v ON v.id = d.violation_id WHERE d.decided_at >= ?1 AND d.decided_at < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
    })?;
    for row in rows {
        let (id, department, measures, at, violation) = row?;
        let f = c.of(department);
        let labels: Vec<String> = measures
            .split(',')
            .filter(|m| !m.trim().is_empty())
            .map(|m| match m.parse::<crate::domain::accountability::Measure>() {
                Ok(measure) => {
                    f.measures_by_kind.add(measure);
                    measure.label_zh().to_owned()
                }
                Err(_) => m.to_owned(),
            })
            .collect();
        f.measures += u32::try_from(labels.len()).unwrap_or(u32::MAX);
        let text = format!("违规{violation}：{}", labels.join("、"));
        c.item(
            department,
            item(Some(Category::Integrity), ItemKind::Decision, id.to_string(), Some(from_ts(at)), text),
        );
    }
    Ok(())
}
