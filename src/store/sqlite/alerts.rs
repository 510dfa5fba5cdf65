//! Alerts, supervision notices and daily checks in SQLite: running the engine over a case and keeping
//! its alert rows in step, incrementally (new data re-evaluates its cases; `next_check_at` brings back
//! the cases whose alerts change by time alone).

use std::collections::HashMap;

use crate::store::sql::{Connection, OptionalExtension as _, Row, Transaction, params};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::domain::access::Scope;
use crate::domain::alerts::{self, CaseInput, Finding, Level, NoticeFacts, Rule, RuleBook};
use crate::domain::model::{CaseEvent, CatalogueItem};
use crate::domain::time;
use crate::store::{AlertChanges, AlertRow, AlertState, StoreError};

use super::alert_log::{self, AlertLog};
use super::{from_ts, query, ts};

/// What re-evaluating a case changed.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub changed: u32,
    pub new_red: Vec<i64>,
}

impl Outcome {
    pub fn absorb(&mut self, other: Outcome) {
        self.changed += other.changed;
        self.new_red.extend(other.new_red);
    }
}

pub(super) const ALERT_SELECT: &str = "SELECT a.id, c.case_no, a.rule, a.alert_key, a.level, a.since, a.resolved_at,
        a.explanation, a.closed_at, a.closed_by, a.close_reason, c.hall_code, d.name, w.code, s.staff_no, s.name,
        c.applicant, i.code, i.name,
        (SELECT n.notice_no FROM notice n WHERE n.alert_id = a.id ORDER BY n.id DESC LIMIT 1), a.rev
     FROM alert a JOIN case_file c ON c.id = a.case_id JOIN item i ON i.code = c.item_code
     JOIN department d ON d.id = i.department_id
     LEFT JOIN service_window w ON w.id = c.window_id LEFT JOIN staff s ON s.id = c.staff_id";

pub(super) fn conversion(i: usize, e: String) -> crate::store::sql::Error {
    crate::store::sql::Error::conversion(i, e)
}

pub(super) fn alert_row(r: &Row<'_>) -> crate::store::sql::Result<AlertRow> {
    let rule: Rule = r.get::<_, String>(2)?.parse().map_err(|e| conversion(2, e))?;
    let level: Level = r.get::<_, String>(4)?.parse().map_err(|e| conversion(4, e))?;
    let resolved_at: Option<i64> = r.get(6)?;
    let closed_at: Option<i64> = r.get(8)?;
    let state = match (closed_at, resolved_at) {
        (Some(_), _) => AlertState::Closed,
        (None, Some(_)) => AlertState::Resolved,
        (None, None) => AlertState::Open,
    };
    Ok(AlertRow {
        id: r.get(0)?,
        case_no: r.get(1)?,
        rule,
        key: r.get(3)?,
        level,
        since: from_ts(r.get(5)?),
        resolved_at: resolved_at.map(from_ts),
        state,
        explanation: r.get(7)?,
        closed_at: closed_at.map(from_ts),
        closed_by: r.get(9)?,
        close_reason: r.get(10)?,
        hall: r.get(11)?,
        department: r.get(12)?,
        window: r.get(13)?,
        staff_no: r.get(14)?,
        staff_name: r.get(15)?,
        applicant: r.get(16)?,
        item_code: r.get(17)?,
        item_name: r.get(18)?,
        notice_no: r.get(19)?,
    })
}

/// Everything the engine needs about one case, from the database.
pub(super) struct LoadedCase {
    pub case_no: String,
    pub item: CatalogueItem,
    pub events: Vec<CaseEvent>,
    pub evaluations: Vec<DateTime<Utc>>,
    pub notices: Vec<NoticeFacts>,
}

fn local_text(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(time::from_local)
}

/// Loads a case for the engine; `notices_by` leaves out notices issued after that instant.
pub(super) fn load_case(
    conn: &Connection,
    case_id: i64,
    notices_by: Option<DateTime<Utc>>,
) -> Result<LoadedCase, StoreError> {
    let (case_no, item_code): (String, String) = conn
        .prepare_cached("SELECT case_no, item_code FROM case_file WHERE id = ?1")?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let item = conn
        .prepare_cached(&format!("{} WHERE i.code = ?1", query::ITEM_SELECT))?
        .query_row([&item_code], query::item_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("item {item_code}")))?;
    let events = query::events_of(conn, case_id)?;
    let evaluations = conn
        .prepare_cached("SELECT time FROM evaluation WHERE case_no = ?1")?
        .query_map([&case_no], |r| r.get::<_, String>(0))?
        .filter_map(|t| t.ok().and_then(|t| local_text(&t)))
        .collect();
    let limit = notices_by.map_or(i64::MAX, ts);
    let notices = conn
        .prepare_cached(
            "SELECT notice_no, due_date, reply_at FROM notice WHERE case_id = ?1 AND issued_at <= ?2 ORDER BY id",
        )?
        .query_map(params![case_id, limit], |r| {
            let due: String = r.get(1)?;
            let reply: Option<i64> = r.get(2)?;
            Ok((r.get::<_, String>(0)?, due, reply))
        })?
        .filter_map(Result::ok)
        .filter_map(|(notice_no, due, reply)| {
            let due_date = NaiveDate::parse_from_str(&due, "%Y-%m-%d").ok()?;
            Some(NoticeFacts { notice_no, due_date, replied_at: reply.filter(|r| *r <= limit).map(from_ts) })
        })
        .collect();
    Ok(LoadedCase { case_no, item, events, evaluations, notices })
}

pub(super) fn evaluate_loaded(loaded: &LoadedCase, rules: &RuleBook, now: DateTime<Utc>) -> alerts::CaseAlerts {
    let input = CaseInput {
        item: &loaded.item,
        events: &loaded.events,
        evaluations: &loaded.evaluations,
        notices: &loaded.notices,
    };
    alerts::evaluate(&input, &rules.calendar, &rules.settings, now)
}

struct Existing {
    id: i64,
    level: String,
    since: i64,
    resolved_at: Option<i64>,
    explanation: String,
    closed: bool,
}

/// Re-evaluates one case at `now`: optionally rewrites its summary, then brings its alert rows in step
/// with the findings and sets when to look again.
pub(super) fn refresh_case(
    tx: &Transaction,
    case_id: i64,
    rules: &RuleBook,
    now: DateTime<Utc>,
    update_summary: bool,
) -> Result<Outcome, StoreError> {
    let loaded = load_case(tx, case_id, None)?;
    if update_summary {
        query::store_case_summary(tx, case_id, &loaded.events)?;
    }
    let result = evaluate_loaded(&loaded, rules, now);
    let outcome = sync(tx, case_id, &result.findings, now)?;
    tx.prepare_cached("UPDATE case_file SET next_check_at = ?2 WHERE id = ?1")?
        .execute(params![case_id, result.next_change.map(ts)])?;
    Ok(outcome)
}

fn sync(tx: &Transaction, case_id: i64, findings: &[Finding], now: DateTime<Utc>) -> Result<Outcome, StoreError> {
    let mut existing: HashMap<(String, String), Existing> = tx
        .prepare_cached("SELECT id, rule, alert_key, level, since, resolved_at, explanation, closed_at FROM alert WHERE case_id = ?1")?
        .query_map([case_id], |r| {
            Ok((
                (r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                Existing {
                    id: r.get(0)?,
                    level: r.get(3)?,
                    since: r.get(4)?,
                    resolved_at: r.get(5)?,
                    explanation: r.get(6)?,
                    closed: r.get::<_, Option<i64>>(7)?.is_some(),
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut outcome = Outcome::default();
    for f in findings {
        let since = ts(f.since);
        let resolved = f.resolved_at.map(ts);
        let open_red = f.level == Level::Red && f.resolved_at.is_none();
        match existing.remove(&(f.rule.as_str().to_owned(), f.key.clone())) {
            Some(row) => {
                if row.level != f.level.as_str()
                    || row.since != since
                    || row.resolved_at != resolved
                    || row.explanation != f.explanation
                {
                    tx.prepare_cached(
                        "UPDATE alert SET level = ?2, since = ?3, resolved_at = ?4, explanation = ?5 WHERE id = ?1",
                    )?
                    .execute(params![row.id, f.level.as_str(), since, resolved, f.explanation])?;
                    outcome.changed += 1;
                    let was_open_red = row.level == "red" && row.resolved_at.is_none();
                    if open_red && !was_open_red && !row.closed {
                        outcome.new_red.push(row.id);
                    }
                }
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO alert (case_id, rule, alert_key, level, since, resolved_at, explanation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![case_id, f.rule.as_str(), f.key, f.level.as_str(), since, resolved, f.explanation])?;
                outcome.changed += 1;
                if open_red {
                    outcome.new_red.push(tx.last_insert_rowid()?);
                }
            }
        }
    }
    // Alerts the data no longer supports (a late-arriving accept, a corrected fee): resolved now.
    for row in existing.into_values() {
        if row.resolved_at.is_none() && !row.closed {
            tx.prepare_cached("UPDATE alert SET resolved_at = ?2 WHERE id = ?1")?.execute(params![row.id, ts(now)])?;
            outcome.changed += 1;
        }
    }
    Ok(outcome)
}

/// Re-evaluates every case whose time has come.
pub(super) fn refresh_due(
    tx: &Transaction,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<(u32, Outcome), StoreError> {
    let due: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM case_file WHERE next_check_at IS NOT NULL AND next_check_at <= ?1 ORDER BY next_check_at",
        )?
        .query_map([ts(now)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut outcome = Outcome::default();
    for case_id in &due {
        outcome.absorb(refresh_case(tx, *case_id, rules, now, false)?);
    }
    Ok((u32::try_from(due.len()).unwrap_or(u32::MAX), outcome))
}

/// Names of the small tables, so that listing thousands of alerts needs no join per row for them.
struct Names {
    items: HashMap<String, (String, String)>,
    windows: HashMap<i64, String>,
    staff: HashMap<i64, (String, String)>,
    notices: HashMap<i64, String>,
}

impl Names {
    fn load(conn: &Connection) -> Result<Self, StoreError> {
        let items = conn
            .prepare_cached("SELECT i.code, i.name, d.name FROM item i JOIN department d ON d.id = i.department_id")?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<Result<_, _>>()?;
        let windows = conn
            .prepare_cached("SELECT id, code FROM service_window")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let staff = conn
            .prepare_cached("SELECT id, staff_no, name FROM staff")?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<Result<_, _>>()?;
        // The newest notice per alert wins (ascending ids, later inserts overwrite).
        let notices = conn
            .prepare_cached("SELECT alert_id, notice_no FROM notice WHERE alert_id IS NOT NULL ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Self { items, windows, staff, notices })
    }
}

/// How many changed alerts one answer of `alerts_changed` carries at most (when the caller says 0).
const CHANGES_LIMIT: u32 = 500;

/// The alerts changed since revision `since` (every open alert when 0), for consoles that follow the
/// hall: answered from `log` when it covers `since`, after bringing it up to this snapshot's revision.
pub(super) fn changed_since(
    conn: &Connection,
    log: &AlertLog,
    (since, limit): (i64, u32),
    scope: &Scope,
) -> Result<AlertChanges, StoreError> {
    let mut changes = changed_since_all(conn, log, since, limit, scope)?;
    changes.rows.retain(|row| scope.covers(row.hall.as_deref()));
    Ok(changes)
}

/// [`changed_since`] before the caller's halls are kept to (the open alerts of `since` 0 are already).
fn changed_since_all(
    conn: &Connection,
    log: &AlertLog,
    since: i64,
    limit: u32,
    scope: &Scope,
) -> Result<AlertChanges, StoreError> {
    let revision: i64 = conn.query_row("SELECT rev FROM alert_revision WHERE id = 1", [], |r| r.get(0))?;
    if since <= 0 {
        // The log starts here if it has not: the console's next question is from this revision.
        log.behind(revision);
        return Ok(AlertChanges { revision, rows: list(conn, false, None, 0, scope)?, reload: false });
    }
    if since > revision {
        return Ok(AlertChanges { revision, rows: Vec::new(), reload: true });
    }
    let limit = if limit == 0 { CHANGES_LIMIT } else { limit.min(CHANGES_LIMIT) };
    if let Some(from) = log.behind(revision) {
        match changed_between(conn, from, revision, alert_log::KEPT)? {
            Some(rows) => log.take(from, revision, rows),
            None => log.restart(revision),
        }
    }
    if let Some(answer) = log.answer(since, revision, limit) {
        return Ok(answer);
    }
    // Further back than the log reaches (a console's first follow after the server started).
    Ok(match changed_between(conn, since, revision, limit as usize)? {
        Some(rows) => AlertChanges { revision, rows: rows.into_iter().map(|(_, row)| row).collect(), reload: false },
        None => AlertChanges { revision, rows: Vec::new(), reload: true },
    })
}

/// The alerts whose revision is in `(from, to]`, with it, in its order; `None` when there are more
/// than `limit`.
fn changed_between(
    conn: &Connection,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Option<Vec<(i64, AlertRow)>>, StoreError> {
    // Written for PostgreSQL's plan of a prepared statement, made once for any values: the limit is in
    // the text, and the revision is bounded on both sides. With `rev > ?1` alone the plan expects a
    // third of the alerts and joins them by scanning every case (3 ms a call on the demo hall,
    // planned anew each time); bounded, it expects a few and walks the revision index and the keys.
    let mut stmt = conn.prepare_cached(&format!(
        "{ALERT_SELECT} WHERE a.rev > ?1 AND a.rev <= ?2 ORDER BY a.rev LIMIT {}",
        limit + 1
    ))?;
    let rows =
        stmt.query_map([from, to], |r| Ok((r.get::<_, i64>(20)?, alert_row(r)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok((rows.len() <= limit).then_some(rows))
}

/// Stored alerts, newest first: open ones only unless `include_inactive`.
pub(super) fn list(
    conn: &Connection,
    include_inactive: bool,
    case_no: Option<&str>,
    limit: u32,
    scope: &Scope,
) -> Result<Vec<AlertRow>, StoreError> {
    let names = Names::load(conn)?;
    let mut sql = String::from(
        "SELECT a.id, c.case_no, a.rule, a.alert_key, a.level, a.since, a.resolved_at, a.explanation, a.closed_at,
                a.closed_by, a.close_reason, c.hall_code, c.item_code, c.window_id, c.staff_id, c.applicant
         FROM alert a JOIN case_file c ON c.id = a.case_id",
    );
    sql.push_str(if include_inactive {
        " WHERE 1 = 1"
    } else {
        " WHERE a.resolved_at IS NULL AND a.closed_at IS NULL"
    });
    if case_no.is_some() {
        sql.push_str(" AND c.case_no = ?1");
    }
    sql.push_str(&scope.sql("c.hall_code"));
    sql.push_str(" ORDER BY a.since DESC, a.id DESC");
    if limit > 0 {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let map = |r: &Row<'_>| -> crate::store::sql::Result<AlertRow> {
        let rule: Rule = r.get::<_, String>(2)?.parse().map_err(|e| conversion(2, e))?;
        let level: Level = r.get::<_, String>(4)?.parse().map_err(|e| conversion(4, e))?;
        let resolved_at: Option<i64> = r.get(6)?;
        let closed_at: Option<i64> = r.get(8)?;
        let item_code: String = r.get(12)?;
        let (item_name, department) = names.items.get(&item_code).cloned().unwrap_or_default();
        let window = r.get::<_, Option<i64>>(13)?.and_then(|id| names.windows.get(&id).cloned());
        let staff = r.get::<_, Option<i64>>(14)?.and_then(|id| names.staff.get(&id).cloned());
        let id: i64 = r.get(0)?;
        Ok(AlertRow {
            id,
            case_no: r.get(1)?,
            rule,
            key: r.get(3)?,
            level,
            since: from_ts(r.get(5)?),
            resolved_at: resolved_at.map(from_ts),
            state: match (closed_at, resolved_at) {
                (Some(_), _) => AlertState::Closed,
                (None, Some(_)) => AlertState::Resolved,
                (None, None) => AlertState::Open,
            },
            explanation: r.get(7)?,
            closed_at: closed_at.map(from_ts),
            closed_by: r.get(9)?,
            close_reason: r.get(10)?,
            hall: r.get(11)?,
            department,
            window,
            staff_no: staff.as_ref().map(|s| s.0.clone()),
            staff_name: staff.map(|s| s.1),
            applicant: r.get(15)?,
            item_code,
            item_name,
            notice_no: names.notices.get(&id).cloned(),
        })
    };
    let rows = match case_no {
        Some(no) => stmt.query_map([no], map)?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], map)?.collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// The alerts of every case as they stood at `at` (nothing is written): for `jiancha alerts --at`.
pub(super) fn at_instant(
    conn: &Connection,
    rules: &RuleBook,
    at: DateTime<Utc>,
    include_inactive: bool,
) -> Result<Vec<AlertRow>, StoreError> {
    struct CaseInfo {
        hall: Option<String>,
        department: String,
        window: Option<String>,
        staff_no: Option<String>,
        staff_name: Option<String>,
        applicant: Option<String>,
        item_name: String,
    }
    let cases: Vec<(i64, CaseInfo)> = conn
        .prepare(
            "SELECT c.id, c.hall_code, d.name, w.code, s.staff_no, s.name, c.applicant, i.name
             FROM case_file c JOIN item i ON i.code = c.item_code JOIN department d ON d.id = i.department_id
             LEFT JOIN service_window w ON w.id = c.window_id LEFT JOIN staff s ON s.id = c.staff_id ORDER BY c.id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                CaseInfo {
                    hall: r.get(1)?,
                    department: r.get(2)?,
                    window: r.get(3)?,
                    staff_no: r.get(4)?,
                    staff_name: r.get(5)?,
                    applicant: r.get(6)?,
                    item_name: r.get(7)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut closures = conn.prepare_cached(
        "SELECT id, closed_at, closed_by, close_reason FROM alert WHERE case_id = ?1 AND rule = ?2 AND alert_key = ?3",
    )?;
    let mut out = Vec::new();
    for (case_id, info) in cases {
        let loaded = load_case(conn, case_id, Some(at))?;
        let result = evaluate_loaded(&loaded, rules, at);
        for f in result.findings {
            let stored: Option<(i64, Option<i64>, Option<String>, Option<String>)> = closures
                .query_row(params![case_id, f.rule.as_str(), f.key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let closed = stored
                .as_ref()
                .and_then(|(_, c, by, reason)| c.filter(|c| *c <= ts(at)).map(|c| (c, by.clone(), reason.clone())));
            let state = match (&closed, f.resolved_at) {
                (Some(_), _) => AlertState::Closed,
                (None, Some(_)) => AlertState::Resolved,
                (None, None) => AlertState::Open,
            };
            if state != AlertState::Open && !include_inactive {
                continue;
            }
            out.push(AlertRow {
                id: stored.as_ref().map_or(0, |s| s.0),
                case_no: loaded.case_no.clone(),
                rule: f.rule,
                key: f.key,
                level: f.level,
                since: f.since,
                resolved_at: f.resolved_at,
                state,
                explanation: f.explanation,
                closed_at: closed.as_ref().map(|c| from_ts(c.0)),
                closed_by: closed.as_ref().and_then(|c| c.1.clone()),
                close_reason: closed.as_ref().and_then(|c| c.2.clone()),
                hall: info.hall.clone(),
                department: info.department.clone(),
                window: info.window.clone(),
                staff_no: info.staff_no.clone(),
                staff_name: info.staff_name.clone(),
                applicant: info.applicant.clone(),
                item_code: loaded.item.code.clone(),
                item_name: info.item_name.clone(),
                notice_no: None,
            });
        }
    }
    out.sort_by(|a, b| b.since.cmp(&a.since).then(b.id.cmp(&a.id)));
    Ok(out)
}

pub(super) fn alert_by_id(conn: &Connection, id: i64) -> Result<AlertRow, StoreError> {
    conn.prepare_cached(&format!("{ALERT_SELECT} WHERE a.id = ?1"))?
        .query_row([id], alert_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("alert {id}")))
}

pub(super) fn case_id(conn: &Connection, case_no: &str) -> Result<i64, StoreError> {
    conn.prepare_cached("SELECT id FROM case_file WHERE case_no = ?1")?
        .query_row([case_no], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {case_no}")))
}

pub(super) fn close(
    tx: &Transaction,
    id: i64,
    by: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<AlertRow, StoreError> {
    let row = alert_by_id(tx, id)?;
    if !row.rule.needs_closing() {
        return Err(StoreError::Invalid(format!(
            "“{}”在条件消失后自动解除，无需关闭 ({} resolves by itself)",
            row.rule.label_zh(),
            row.rule.as_str()
        )));
    }
    if row.state == AlertState::Closed {
        return Err(StoreError::Conflict(format!("alert {id} is already closed")));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("关闭预警须填写理由 (a reason is required to close an alert)".into()));
    }
    tx.execute(
        "UPDATE alert SET closed_at = ?2, closed_by = ?3, close_reason = ?4 WHERE id = ?1",
        params![id, ts(now), by, reason],
    )?;
    alert_by_id(tx, id)
}
