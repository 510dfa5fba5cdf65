//! 绩效评估 from the records: a month's figures of every department and the records behind each point
//! lost (`month`), a year of monthly scores (`year`), publications frozen as JSON, and supervision
//! recommendations (监察建议书) numbered per hall and year.
//!
//! Where each figure comes from is RULES.md, "Assessment". Months are local (Asia/Shanghai) calendar
//! months; a record belongs to the month of its own instant (acceptance or completion, an alert's
//! start, a notice's due day, an observation, a conclusion, a violation, a decision).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params};

use super::{from_ts, people, ts};
use crate::domain::alerts::{self, Level, Rule, RuleBook, Signal};
use crate::domain::assessment::{
    AssessmentItem, Category, Hundredths, ItemKind, MonthAssessment, MonthFigures, Publication, Recommendation,
    RecommendationStatus, YearAssessment, YearInput, YearMonth, assess_month, assess_year,
};
use crate::domain::model::Step;
use crate::domain::{evaluator, time};
use crate::store::{NewRecommendation, StoreError};

/// The month as UTC seconds `[from, to)`.
fn bounds(month: YearMonth) -> (i64, i64) {
    (ts(time::start_of_day(month.first_day())), ts(time::start_of_day(month.next().first_day())))
}

/// The departments a month is assessed for: those not retired before it began.
fn departments(conn: &Connection, month: YearMonth) -> Result<Vec<(i64, String)>, StoreError> {
    let (from, _) = bounds(month);
    Ok(conn
        .prepare_cached("SELECT id, name FROM department WHERE retired_at IS NULL OR retired_at >= ?1 ORDER BY id")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// A month's figures by department and, when `items` is asked for, the records behind them.
struct Collected {
    figures: HashMap<i64, MonthFigures>,
    items: Vec<(i64, AssessmentItem)>,
    /// The cases of the month whose records are incomplete, by department.
    incomplete: HashMap<i64, std::collections::HashSet<i64>>,
}

impl Collected {
    fn of(&mut self, department: i64) -> &mut MonthFigures {
        self.figures.entry(department).or_default()
    }

    fn item(&mut self, department: i64, item: AssessmentItem) {
        self.items.push((department, item));
    }
}

fn item(
    category: Option<Category>,
    kind: ItemKind,
    reference: String,
    at: Option<DateTime<Utc>>,
    text: String,
) -> AssessmentItem {
    AssessmentItem { category, kind, reference, case_no: None, at, text }
}

/// Completions of the month: on time against the deadline with its suspensions (the engine's
/// computation), early when finished on a day before the deadline day.
fn completions(conn: &Connection, rules: &RuleBook, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, i.department_id, c.case_no, c.accepted_at, c.completed_at, coalesce(c.promised_days, i.promised_days)
         FROM case_file c JOIN item i ON i.code = c.item_code
         WHERE c.completed_at >= ?1 AND c.completed_at < ?2 AND c.status = 'completed'",
    )?;
    let rows = stmt
        .query_map([from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // The clock-stopping steps of these cases, in time order: read by time from their partial index
    // for the year before the month's end; a case accepted before that window has its own read.
    let window = from - 366 * 86_400;
    let completed: std::collections::HashSet<i64> = rows.iter().map(|r| r.0).collect();
    let mut suspending: HashMap<i64, Vec<(Step, DateTime<Utc>)>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT case_id, step, occurred_at FROM event
         WHERE step IN ('supplement_request', 'supplement_received', 'suspend', 'resume') AND occurred_at >= ?1 AND occurred_at < ?2",
    )?;
    for row in
        stmt.query_map([window, to], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
    {
        let (case, step, at) = row?;
        if let (true, Ok(step)) = (completed.contains(&case), step.parse::<Step>()) {
            suspending.entry(case).or_default().push((step, from_ts(at)));
        }
    }
    let mut earlier = conn.prepare_cached(
        "SELECT step, occurred_at FROM event
         WHERE case_id = ?1 AND step IN ('supplement_request', 'supplement_received', 'suspend', 'resume') AND occurred_at < ?2
         ORDER BY occurred_at",
    )?;
    for (case, ..) in rows.iter().filter(|r| r.3.is_some_and(|accepted| accepted < window)) {
        let mut steps: Vec<(Step, DateTime<Utc>)> = Vec::new();
        for row in earlier.query_map([*case, window], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (step, at) = row?;
            if let Ok(step) = step.parse::<Step>() {
                steps.push((step, from_ts(at)));
            }
        }
        steps.extend(suspending.remove(case).unwrap_or_default());
        suspending.insert(*case, steps);
    }
    for (case, department, case_no, accepted, completed, promised) in rows {
        let completed = from_ts(completed);
        let suspensions =
            suspending.remove(&case).map(|steps| alerts::suspensions_of_steps(steps.into_iter())).unwrap_or_default();
        // A case completed without an acceptance has no deadline to keep: not on time.
        let deadline = accepted.and_then(|a| {
            rules.calendar.deadline_day(
                time::local_date(from_ts(a)),
                u32::try_from(promised).unwrap_or(0),
                &suspensions,
            )
        });
        if accepted.is_none() {
            c.incomplete.entry(department).or_default().insert(case);
        }
        let f = c.of(department);
        f.completed += 1;
        let Some(deadline) = deadline else {
            c.item(
                department,
                AssessmentItem {
                    case_no: Some(case_no.clone()),
                    ..item(
                        Some(Category::Deadlines),
                        ItemKind::LateCase,
                        case_no,
                        Some(completed),
                        "办结而无受理记录，无法按期".into(),
                    )
                },
            );
            continue;
        };
        let ends = time::end_of_day(deadline.day);
        if completed < ends {
            f.completed_on_time += 1;
            if time::local_date(completed) < deadline.day {
                f.completed_early += 1;
            }
        } else {
            let text = format!("承诺期限{}，{}办结", deadline.day, time::local_date(completed));
            c.item(
                department,
                AssessmentItem {
                    case_no: Some(case_no.clone()),
                    ..item(Some(Category::Deadlines), ItemKind::LateCase, case_no, Some(completed), text)
                },
            );
        }
    }
    Ok(())
}

/// Alerts that began in the month: the process figures and the cards (黄牌 orange, 红牌 red).
fn alerts(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let (from, to) = bounds(month);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, i.department_id, c.case_no, a.rule, a.since, a.case_id FROM alert a
         JOIN case_file c ON c.id = a.case_id JOIN item i ON i.code = c.item_code
         WHERE a.since >= ?1 AND a.since < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (id, department, case_no, rule, since, case) = row?;
        let Ok(rule) = rule.parse::<Rule>() else { continue };
        if rule == Rule::OutOfOrder {
            c.incomplete.entry(department).or_default().insert(case);
        }
        let f = c.of(department);
        f.warning_signals += 1;
        let category = match rule {
            Rule::LateEntry => {
                f.late_entries += 1;
                Some(Category::Openness)
            }
            Rule::StepOverdue => {
                f.step_overdue += 1;
                Some(Category::Process)
            }
            Rule::RepeatedSupplement => {
                f.repeated_supplements += 1;
                Some(Category::Process)
            }
            Rule::FeeMismatch => {
                f.fee_mismatches += 1;
                Some(Category::Fees)
            }
            _ => None,
        };
        let card = rule.signal() == Signal::Card;
        if card {
            match rule.level() {
                Level::Red => f.red_signals += 1,
                _ => f.yellow_signals += 1,
            }
        }
        let at = Some(from_ts(since));
        let alert = |category| AssessmentItem {
            case_no: Some(case_no.clone()),
            ..item(category, ItemKind::Alert, id.to_string(), at, rule.label_zh().to_owned())
        };
        if let Some(category) = category {
            c.item(department, alert(Some(category)));
        }
        if card {
            let mut signal = alert(None);
            signal.text =
                format!("{}（{}）", rule.label_zh(), if rule.level() == Level::Red { "红牌" } else { "黄牌" });
            c.item(department, signal);
        }
    }
    Ok(())
}

/// The months in a row, ending with `month`, in which each department had a card.
fn card_runs(conn: &Connection, month: YearMonth, months: u32) -> Result<HashMap<i64, u32>, StoreError> {
    let mut first = month;
    for _ in 1..months {
        first = first.previous();
    }
    let (from, _) = bounds(first);
    let (_, to) = bounds(month);
    let cards: Vec<String> =
        Rule::ALL.iter().filter(|r| r.signal() == Signal::Card).map(|r| format!("'{}'", r.as_str())).collect();
    // Asia/Shanghai keeps +8 all year: the local month of an instant is that of instant + 8 h.
    let sql = format!(
        "SELECT DISTINCT i.department_id, strftime('%Y-%m', a.since + 28800, 'unixepoch') FROM alert a
         JOIN case_file c ON c.id = a.case_id JOIN item i ON i.code = c.item_code
         WHERE a.since >= ?1 AND a.since < ?2 AND a.rule IN ({})",
        cards.join(", ")
    );
    let mut carded: HashMap<i64, Vec<YearMonth>> = HashMap::new();
    for row in conn.prepare(&sql)?.query_map([from, to], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (department, m) = row?;
        if let Ok(m) = m.parse() {
            carded.entry(department).or_default().push(m);
        }
    }
    Ok(carded
        .into_iter()
        .map(|(department, list)| {
            let mut run = 0;
            let mut m = month;
            while run < months && list.contains(&m) {
                run += 1;
                m = m.previous();
            }
            (department, run)
        })
        .collect())
}

/// Ratings of the month by the rated window's department; poor ratings whose return visit or
/// rectification came after its due day (or has not come and the day has ended).
fn ratings(
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
fn notices(conn: &Connection, month: YearMonth, now: DateTime<Utc>, c: &mut Collected) -> Result<(), StoreError> {
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
fn slip_findings(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
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
fn complaints(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
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
fn attendance(conn: &Connection, rules: &RuleBook, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
    let names: HashMap<String, i64> = conn
        .prepare_cached("SELECT name, id FROM department")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let people = people::day_records(conn, rules, month.first_day(), month.last_day())?;
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
fn violations(conn: &Connection, month: YearMonth, c: &mut Collected) -> Result<(), StoreError> {
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

fn collect(conn: &Connection, rules: &RuleBook, month: YearMonth, now: DateTime<Utc>) -> Result<Collected, StoreError> {
    let mut c = Collected { figures: HashMap::new(), items: Vec::new(), incomplete: HashMap::new() };
    let (from, to) = bounds(month);
    // Completed in the month, and accepted in it but not completed in it: both read from an index
    // alone (an OR of the two ranges would fetch every row).
    for sql in [
        "SELECT i.department_id, count(*) FROM case_file c JOIN item i ON i.code = c.item_code
         WHERE c.completed_at >= ?1 AND c.completed_at < ?2 GROUP BY i.department_id",
        "SELECT i.department_id, count(*) FROM case_file c JOIN item i ON i.code = c.item_code
         WHERE c.accepted_at >= ?1 AND c.accepted_at < ?2 AND (c.completed_at IS NULL OR c.completed_at < ?1 OR c.completed_at >= ?2)
         GROUP BY i.department_id",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        for row in stmt.query_map([from, to], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?)))? {
            let (department, cases) = row?;
            c.of(department).cases += cases;
        }
    }
    completions(conn, rules, month, &mut c)?;
    alerts(conn, month, &mut c)?;
    for (department, run) in card_runs(conn, month, rules.assessment.warning_run_months)? {
        c.of(department).warned_months_in_a_row = run;
    }
    ratings(conn, rules, month, now, &mut c)?;
    notices(conn, month, now, &mut c)?;
    slip_findings(conn, month, &mut c)?;
    complaints(conn, month, &mut c)?;
    attendance(conn, rules, month, &mut c)?;
    violations(conn, month, &mut c)?;
    for (department, cases) in std::mem::take(&mut c.incomplete) {
        c.of(department).incomplete_cases = u32::try_from(cases.len()).unwrap_or(u32::MAX);
    }
    // The promise a department makes: its catalogue's promised days against the legal ones (items with
    // a legal limit), as the catalogue stands.
    let mut stmt = conn.prepare_cached(
        "SELECT department_id, sum(legal_days), sum(promised_days) FROM item WHERE legal_days > 0 GROUP BY department_id",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))? {
        let (department, legal, promised) = row?;
        if let Some(f) = c.figures.get_mut(&department) {
            f.legal_days_total = u32::try_from(legal).unwrap_or(u32::MAX);
            f.promised_days_total = u32::try_from(promised).unwrap_or(u32::MAX);
        }
    }
    Ok(c)
}

/// A month's assessment of every department as the records stand now.
pub(super) fn month(
    conn: &Connection,
    rules: &RuleBook,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Result<MonthAssessment, StoreError> {
    let mut collected = collect(conn, rules, month, now)?;
    let figures = departments(conn, month)?
        .into_iter()
        .map(|(id, name)| {
            let f = collected.figures.remove(&id).unwrap_or_default();
            (id, name, f)
        })
        .collect();
    Ok(assess_month(month, now, figures, &rules.assessment))
}

/// The records behind one department's figures of a month, by category (the cards last).
pub(super) fn items(
    conn: &Connection,
    rules: &RuleBook,
    month: YearMonth,
    department: i64,
    now: DateTime<Utc>,
) -> Result<Vec<AssessmentItem>, StoreError> {
    let mut list: Vec<AssessmentItem> =
        collect(conn, rules, month, now)?.items.into_iter().filter(|(d, _)| *d == department).map(|(_, i)| i).collect();
    list.sort_by(|a, b| {
        (a.category.is_none(), a.category, a.at, &a.reference).cmp(&(
            b.category.is_none(),
            b.category,
            b.at,
            &b.reference,
        ))
    });
    Ok(list)
}

// ------------------------------------------------------------------------------------------------
// Publications

fn publication_row(r: &Row<'_>) -> rusqlite::Result<(i64, u32, i64, String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

const PUBLICATION_SELECT: &str =
    "SELECT id, version, published_at, published_by, reason, assessment, sha256 FROM assessment_publication";

fn publication(
    month: YearMonth,
    (id, version, at, by, reason, json, sha256): (i64, u32, i64, String, String, String, String),
) -> Result<Publication, StoreError> {
    let assessment: MonthAssessment = serde_json::from_str(&json)
        .map_err(|e| StoreError::Backend(format!("published assessment {month} v{version} cannot be read: {e}")))?;
    Ok(Publication { id, month, version, published_at: from_ts(at), published_by: by, reason, sha256, assessment })
}

/// Every published version of a month, newest first.
pub(super) fn publications(conn: &Connection, month: YearMonth) -> Result<Vec<Publication>, StoreError> {
    let rows = conn
        .prepare_cached(&format!("{PUBLICATION_SELECT} WHERE month = ?1 ORDER BY version DESC"))?
        .query_map([month.to_string()], publication_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|row| publication(month, row)).collect()
}

/// Freezes `assessment` as the month's next version. The first needs no reason; every later one does.
pub(super) fn publish(
    tx: &Transaction<'_>,
    assessment: &MonthAssessment,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Publication, StoreError> {
    let month = assessment.month;
    let (_, end) = bounds(month);
    if ts(now) < end {
        return Err(StoreError::Refused(format!("{}尚未结束，不能发布 ({month} has not ended yet)", month.label_zh())));
    }
    // A publication is frozen for ever: a month with no department assessed (no case, say 1990-01)
    // has nothing to publish.
    if assessment.departments.iter().all(|d| d.rank.is_none()) {
        return Err(StoreError::Refused(format!(
            "{}没有参加评估的部门，无可发布 ({month} has no department assessed: nothing to publish)",
            month.label_zh()
        )));
    }
    let version: u32 = tx.query_row(
        "SELECT coalesce(max(version), 0) + 1 FROM assessment_publication WHERE month = ?1",
        [month.to_string()],
        |r| r.get(0),
    )?;
    let reason = reason.trim();
    if version > 1 && reason.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{}已发布第{}版：重新计算须写明原因 (a recomputation needs its reason)",
            month.label_zh(),
            version - 1
        )));
    }
    if let Some(problem) = crate::interchange::text_problem(reason) {
        return Err(StoreError::Invalid(format!("reason: {problem}")));
    }
    let json = serde_json::to_string(assessment).map_err(|e| StoreError::Backend(e.to_string()))?;
    let sha256 = crate::files::sha256_hex(json.as_bytes());
    tx.execute(
        "INSERT INTO assessment_publication (month, version, published_at, published_by, reason, assessment, sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![month.to_string(), version, ts(now), by, reason, json, sha256],
    )?;
    let id = tx.last_insert_rowid();
    let row = tx.query_row(&format!("{PUBLICATION_SELECT} WHERE id = ?1"), [id], publication_row)?;
    publication(month, row)
}

/// A year of monthly scores: each month's newest publication, else as computed now; months to come
/// have none.
pub(super) fn year(
    conn: &Connection,
    rules: &RuleBook,
    year: i32,
    now: DateTime<Utc>,
) -> Result<YearAssessment, StoreError> {
    let today = time::local_date(now);
    let mut published = Vec::with_capacity(12);
    let mut scores: BTreeMap<i64, YearInput> = BTreeMap::new();
    for m in 1..=12 {
        let Some(month) = YearMonth::new(year, m) else {
            return Err(StoreError::Invalid(format!("year {year} is outside 1990–2100")));
        };
        if month.first_day() > today {
            published.push(None);
            for d in scores.values_mut() {
                d.months.push(None);
            }
            continue;
        }
        let newest = publications(conn, month)?.into_iter().next();
        published.push(newest.as_ref().map(|p| p.version));
        let assessment = match newest {
            Some(p) => p.assessment,
            None => self::month(conn, rules, month, now)?,
        };
        for d in assessment.departments {
            let entry = scores.entry(d.department_id).or_insert_with(|| YearInput {
                department_id: d.department_id,
                department: d.department.clone(),
                months: vec![None; (m - 1) as usize],
                sanctions: Hundredths::ZERO,
            });
            entry.months.push(d.points());
            // Each month as it was scored: measures come off the year only from months scored so.
            entry.sanctions = entry.sanctions + d.year_sanctions;
        }
        for d in scores.values_mut() {
            d.months.resize(m as usize, None);
        }
    }
    Ok(assess_year(year, published, scores.into_values().collect(), &rules.assessment))
}

// ------------------------------------------------------------------------------------------------
// Supervision recommendations (监察建议书)

const RECOMMENDATION_SELECT: &str = "SELECT r.id, r.hall_code, h.name, r.year, r.number, r.department_id, d.name, r.month,
    r.facts, r.recommendation, r.issued_at, r.issued_by, r.reply_due, r.receipt_by, r.receipt_at, r.reply_text, r.reply_at
    FROM recommendation r JOIN hall h ON h.code = r.hall_code JOIN department d ON d.id = r.department_id";

fn recommendation_row(r: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<Recommendation> {
    let conversion =
        |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let month: Option<String> = r.get(7)?;
    let month = month.map(|m| m.parse::<YearMonth>().map_err(|e| conversion(7, e))).transpose()?;
    let due: String = r.get(12)?;
    let reply_due = due.parse::<NaiveDate>().map_err(|e| conversion(12, e.to_string()))?;
    let receipt_at: Option<i64> = r.get(14)?;
    let reply_at: Option<i64> = r.get(16)?;
    let status = if reply_at.is_some() {
        RecommendationStatus::Replied
    } else if receipt_at.is_some() {
        RecommendationStatus::Received
    } else {
        RecommendationStatus::Issued
    };
    let due_end = time::end_of_day(reply_due);
    Ok(Recommendation {
        id: r.get(0)?,
        hall_code: r.get(1)?,
        hall_name: r.get(2)?,
        year: r.get(3)?,
        number: r.get(4)?,
        department_id: r.get(5)?,
        department: r.get(6)?,
        month,
        facts: r.get(8)?,
        recommendation: r.get(9)?,
        issued_at: from_ts(r.get(10)?),
        issued_by: r.get(11)?,
        reply_due,
        status,
        receipt_by: r.get(13)?,
        receipt_at: receipt_at.map(from_ts),
        reply: r.get(15)?,
        reply_at: reply_at.map(from_ts),
        overdue: reply_at.is_none() && now >= due_end,
    })
}

pub(super) fn recommendations(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Recommendation>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{RECOMMENDATION_SELECT} ORDER BY r.year DESC, r.number DESC"))?
        .query_map([], |r| recommendation_row(r, now))?
        .collect::<Result<_, _>>()?)
}

pub(super) fn recommendation(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Recommendation, StoreError> {
    conn.prepare_cached(&format!("{RECOMMENDATION_SELECT} WHERE r.id = ?1"))?
        .query_row([id], |r| recommendation_row(r, now))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("recommendation {id}")))
}

/// A text of several lines: each line as `text_problem` wants it, at most 4,000 characters in all.
fn long_text(field: &str, text: &str) -> Result<String, StoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StoreError::Invalid(format!("{field}: 不能为空 (must not be empty)")));
    }
    if text.chars().count() > 4000 {
        return Err(StoreError::Invalid(format!("{field}: longer than 4000 characters")));
    }
    for line in text.lines() {
        if let Some(problem) = crate::interchange::text_problem(line.trim_end_matches('\r')) {
            return Err(StoreError::Invalid(format!("{field}: {problem}")));
        }
    }
    Ok(text.replace('\r', ""))
}

/// Issues a 监察建议书: the hall's next number of the year (never reused: rows are never deleted), the
/// reply due `reply_days` working days after today.
pub(super) fn issue_recommendation(
    tx: &Transaction<'_>,
    rules: &RuleBook,
    new: &NewRecommendation,
    by: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let facts = long_text("facts", &new.facts)?;
    let text = long_text("recommendation", &new.recommendation)?;
    let department: Option<i64> = tx
        .query_row("SELECT id FROM department WHERE id = ?1 AND retired_at IS NULL", [new.department_id], |r| r.get(0))
        .optional()?;
    let department = department.ok_or_else(|| StoreError::NotFound(format!("department {}", new.department_id)))?;
    let hall: Option<String> = match &new.hall {
        Some(code) => tx.query_row("SELECT code FROM hall WHERE code = ?1", [code], |r| r.get(0)).optional()?,
        None => tx.query_row("SELECT code FROM hall ORDER BY code LIMIT 1", [], |r| r.get(0)).optional()?,
    };
    let hall = hall.ok_or_else(|| {
        StoreError::NotFound(new.hall.clone().map_or_else(|| "a hall".into(), |h| format!("hall {h}")))
    })?;
    let today = time::local_date(now);
    let year = chrono::Datelike::year(&today);
    let days = rules.assessment.recommendation_reply_working_days;
    let due = rules.calendar.add_working_days_fast(today, days).unwrap_or(today + chrono::Duration::days(21));
    let number: i64 = tx.query_row(
        "SELECT coalesce(max(number), 0) + 1 FROM recommendation WHERE hall_code = ?1 AND year = ?2",
        params![hall, year],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO recommendation (hall_code, year, number, department_id, month, facts, recommendation, issued_at, issued_by, reply_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![hall, year, number, department, new.month.map(|m| m.to_string()), facts, text, ts(now), by, due.to_string()],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn record_recommendation_receipt(
    tx: &Transaction<'_>,
    id: i64,
    signed_by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let signed_by = signed_by.trim();
    if signed_by.is_empty() {
        return Err(StoreError::Invalid("请填写签收人 (who signed for it)".into()));
    }
    if let Some(problem) = crate::interchange::text_problem(signed_by) {
        return Err(StoreError::Invalid(format!("signed_by: {problem}")));
    }
    let r = recommendation(tx, id, now)?;
    if r.status != RecommendationStatus::Issued {
        return Err(StoreError::Refused(format!("{} 已签收 (already signed for)", r.number_text())));
    }
    tx.execute(
        "UPDATE recommendation SET receipt_by = ?2, receipt_at = ?3 WHERE id = ?1",
        params![id, signed_by, ts(now)],
    )?;
    Ok(())
}

pub(super) fn record_recommendation_reply(
    tx: &Transaction<'_>,
    id: i64,
    reply: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let reply = long_text("reply", reply)?;
    let r = recommendation(tx, id, now)?;
    if r.reply.is_some() {
        return Err(StoreError::Refused(format!("{} 的回复已登记 (the reply is already recorded)", r.number_text())));
    }
    tx.execute(
        "UPDATE recommendation SET reply_text = ?2, reply_at = ?3, reply_recorded_by = ?4 WHERE id = ?1",
        params![id, reply, ts(now), by],
    )?;
    Ok(())
}
