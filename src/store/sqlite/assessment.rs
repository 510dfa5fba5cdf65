//! 绩效评估 from the records: a month's figures of every department and the records behind each point
//! lost (`month`), a year of monthly scores (`year`), publications frozen as JSON, and supervision
//! recommendations (监察建议书) numbered per hall and year.
//!
//! Where each figure comes from is RULES.md, "Assessment". Months are local (Asia/Shanghai) calendar
//! months; a record belongs to the month of its own instant (acceptance or completion, an alert's
//! start, a notice's due day, an observation, a conclusion, a violation, a decision).

use std::collections::HashMap;

use crate::store::sql::Connection;
use chrono::{DateTime, Utc};

use super::assessment_records::{self as records, Collected, bounds, item};
use super::from_ts;
use crate::domain::alerts::{self, Level, Rule, RuleBook, Signal};
use crate::domain::assessment::{AssessmentItem, Category, ItemKind, MonthAssessment, YearMonth, assess_month};
use crate::domain::model::Step;
use crate::domain::time;
use crate::store::StoreError;

/// The departments a month is assessed for: those not retired before it began.
fn departments(conn: &Connection, month: YearMonth) -> Result<Vec<(i64, String)>, StoreError> {
    let (from, _) = bounds(month);
    Ok(conn
        .prepare_cached("SELECT id, name FROM department WHERE retired_at IS NULL OR retired_at >= ?1 ORDER BY id")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
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
    records::ratings(conn, rules, month, now, &mut c)?;
    records::notices(conn, month, now, &mut c)?;
    records::slip_findings(conn, month, &mut c)?;
    records::complaints(conn, month, &mut c)?;
    records::attendance(conn, rules, month, &mut c)?;
    records::violations(conn, month, &mut c)?;
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
    let mut assessed = assess_month(month, now, figures, &rules.assessment);
    with_halls(conn, &mut assessed)?;
    Ok(assessed)
}

/// Names each department's halls (its own, and those it has a window in) and the halls themselves.
fn with_halls(conn: &Connection, a: &mut MonthAssessment) -> Result<(), StoreError> {
    let pairs: Vec<(i64, String)> = conn
        .prepare(
            "SELECT id, hall_code FROM department
             UNION SELECT department_id, hall_code FROM service_window WHERE department_id IS NOT NULL
             ORDER BY 2",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut used = std::collections::BTreeSet::new();
    for d in &mut a.departments {
        d.halls = pairs.iter().filter(|(id, _)| *id == d.department_id).map(|(_, h)| h.clone()).collect();
        used.extend(d.halls.iter().cloned());
    }
    let names: Vec<(String, String)> = conn
        .prepare("SELECT code, name FROM hall ORDER BY code")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    a.halls = names
        .into_iter()
        .filter(|(code, _)| used.contains(code))
        .map(|(code, name)| crate::domain::assessment::AssessedHall { code, name })
        .collect();
    Ok(())
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
