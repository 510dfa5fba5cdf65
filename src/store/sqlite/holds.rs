//! Legal holds on footage (placed, lifted with a reason) and the case events at a window in a span (for the player's timeline).

use super::footage::{HOLD_COLUMNS, camera_exists, hold_row};
use super::{from_ts, ts};
use crate::domain::footage::Span;
use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use crate::store::{LegalHold, StoreError};
use chrono::{DateTime, Utc};

pub(super) fn hold_by_id(conn: &Connection, id: i64) -> Result<LegalHold, StoreError> {
    conn.query_row(&format!("SELECT {HOLD_COLUMNS} FROM legal_hold WHERE id = ?1"), [id], hold_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("legal hold {id}")))
}

pub(super) fn place_hold(
    tx: &Transaction,
    camera_id: i64,
    span: Span,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<LegalHold, StoreError> {
    camera_exists(tx, camera_id)?;
    if span.is_empty() {
        return Err(StoreError::Invalid("保全的结束时间应晚于开始时间 (the end must be after the start)".into()));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("保全须写明理由 (a hold needs a reason)".into()));
    }
    tx.execute(
        "INSERT INTO legal_hold (camera_id, from_ms, to_ms, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![camera_id, span.from, span.to, reason.trim(), by, ts(now)],
    )?;
    hold_by_id(tx, tx.last_insert_rowid()?)
}

pub(super) fn lift_hold(
    tx: &Transaction,
    id: i64,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<LegalHold, StoreError> {
    let hold = hold_by_id(tx, id)?;
    if hold.lifted.is_some() {
        return Err(StoreError::Conflict(format!("legal hold {id} is already lifted")));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid("解除保全须写明理由 (lifting a hold needs a reason)".into()));
    }
    tx.execute(
        "UPDATE legal_hold SET lifted_by = ?2, lifted_at = ?3, lift_reason = ?4 WHERE id = ?1",
        params![id, by, ts(now), reason.trim()],
    )?;
    hold_by_id(tx, id)
}

pub(super) fn holds(conn: &Connection) -> Result<Vec<LegalHold>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {HOLD_COLUMNS} FROM legal_hold ORDER BY id DESC"))?;
    let rows = stmt.query_map([], hold_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn window_events(
    conn: &Connection,
    window_code: &str,
    span: Span,
    scope: &crate::domain::access::Scope,
) -> Result<Vec<crate::store::WindowEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.occurred_at, c.case_no, e.step, s.name FROM event e JOIN service_window w ON w.id = e.window_id
         JOIN case_file c ON c.id = e.case_id LEFT JOIN staff s ON s.id = e.staff_id
         WHERE w.code = ?1 AND e.occurred_at >= ?2 AND e.occurred_at < ?3{} ORDER BY e.occurred_at LIMIT 1000",
        scope.sql("w.hall_code")
    ))?;
    let rows = stmt
        .query_map(params![window_code, span.from.div_euclid(1000), (span.to + 999).div_euclid(1000)], |r| {
            let step: String = r.get(2)?;
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, step, r.get::<_, Option<String>>(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(at, case_no, step, staff_name)| {
            Some(crate::store::WindowEvent { at: from_ts(at), case_no, step: step.parse().ok()?, staff_name })
        })
        .collect())
}
