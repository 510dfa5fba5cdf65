//! Everything about one case for the case detail: its events, deadline, alerts, notices and ratings.

use super::alerts::{case_id, list, load_case};
use super::query;
use crate::domain::alerts::{self, RuleBook};
use crate::domain::model::CaseEvent;
use crate::domain::time;
use crate::store::sql::{Connection, OptionalExtension as _, params};
use crate::store::{CaseQuery, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};

/// The case detail: summary, events, the explained deadline, alerts, notices.
pub(super) fn case_detail(
    conn: &Connection,
    case_no: &str,
    rules: &RuleBook,
    now: DateTime<Utc>,
) -> Result<crate::store::CaseDetail, StoreError> {
    let id = case_id(conn, case_no)?;
    let summary = query::cases(
        conn,
        &CaseQuery { case_no: Some(case_no.to_owned()), limit: 1, ..CaseQuery::default() },
        &crate::domain::access::Scope::City,
    )?
    .into_iter()
    .next()
    .ok_or_else(|| StoreError::NotFound(format!("case {case_no}")))?;
    let loaded = load_case(conn, id, None)?;
    let known: Vec<CaseEvent> = loaded.events.iter().filter(|e| e.recorded_at <= now).cloned().collect();
    let accept = known.iter().find(|e| e.step == crate::domain::model::Step::Accept);
    let finished = known
        .iter()
        .find(|e| matches!(e.step, crate::domain::model::Step::Complete | crate::domain::model::Step::Deny))
        .map(|e| e.occurred_at);
    let rejected = known
        .iter()
        .find(|e| matches!(e.step, crate::domain::model::Step::Accept | crate::domain::model::Step::Reject))
        .is_some_and(|e| e.step == crate::domain::model::Step::Reject);
    let deadline = match (accept, rejected) {
        (Some(a), false) => {
            let promised = a.promised_days.unwrap_or(loaded.item.promised_days);
            let suspensions = alerts::case_suspensions(&known);
            rules.calendar.deadline(time::local_date(a.occurred_at), promised, &suspensions).ok()
        }
        _ => None,
    };
    let deadline_state = deadline.as_ref().map(|d| d.state(&rules.calendar, now, finished));
    let alerts = list(conn, true, Some(case_no), 0, &crate::domain::access::Scope::City)?;
    let notices = super::notices::notices(conn, Some(id), now, &crate::domain::access::Scope::City)?;
    let mut staff_names = Vec::new();
    for no in loaded.events.iter().filter_map(|e| e.staff_no.clone()) {
        if !staff_names.iter().any(|(n, _): &(String, String)| *n == no) {
            // The case's own events name the person (staff numbers are each hall's own).
            let name: Option<String> = conn
                .prepare_cached(
                    "SELECT s.name FROM event e JOIN staff s ON s.id = e.staff_id WHERE e.case_id = ?1 AND s.staff_no = ?2
                     LIMIT 1",
                )?
                .query_row(params![id, &no], |r| r.get(0))
                .optional()?;
            staff_names.push((no.clone(), name.unwrap_or(no)));
        }
    }
    let evaluator_ratings = conn
        .prepare_cached("SELECT time, rating FROM evaluation WHERE case_no = ?1 ORDER BY time")?
        .query_map([case_no], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u8>(1)?)))?
        .filter_map(Result::ok)
        .filter_map(|(t, rating)| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok().map(|t| (t, rating)))
        .collect();
    let fee_total_fen = loaded.events.iter().filter_map(|e| e.amount_fen).sum();
    let prefixes: Vec<String> = alerts
        .iter()
        .map(|a| format!("alert:{}:", a.id))
        .chain(notices.iter().map(|n| format!("notice:{}:", n.id)))
        .collect();
    let notifications = super::notify::of_events(conn, &prefixes)?;
    Ok(crate::store::CaseDetail {
        summary,
        item: loaded.item,
        events: loaded.events,
        staff_names,
        deadline,
        deadline_state,
        alerts,
        notices,
        evaluator_ratings,
        fee_total_fen,
        notifications,
    })
}
