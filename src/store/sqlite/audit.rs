//! The audit log: one record per change and per login, chained by SHA-256 (`domain::audit`), appended
//! in the same transaction as the change; the head row catches removal of the newest records.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension as _, Transaction, params};

use crate::domain::audit::{self, AuditFields, GENESIS_HASH};
use crate::store::{AuditVerification, StoreError};

use super::auth::Actor;
use super::{Read, SqliteStore, query};

impl SqliteStore {
    /// Appends one audit record in `tx`.
    pub(crate) fn append_audit(
        tx: &Transaction<'_>,
        at: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let head: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (prev_seq, prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
        let seq = prev_seq + 1;
        // Truncated to microseconds, as stored, so the hash can be recomputed from the row.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let detail = detail.to_string();
        let role = actor.role.as_str();
        let workstation = actor.workstation.as_str();
        let fields =
            AuditFields { seq, at, actor: &actor.username, role, action, target, detail: &detail, workstation };
        let hash = audit::chain_hash(&prev_hash, &fields);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, detail, prev_hash, hash, workstation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                seq,
                at.timestamp_micros(),
                actor.username,
                role,
                action,
                target,
                detail,
                prev_hash,
                hash,
                workstation
            ],
        )?;
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            params![seq, hash],
        )?;
        Ok(seq)
    }
}

/// Recomputes the whole chain against the head row.
pub(super) fn verify(r: &Read<'_>) -> Result<AuditVerification, StoreError> {
    verify_conn(r.conn)
}

/// Recomputes the whole chain of the database `conn` against its head row (backups are checked so).
pub(super) fn verify_conn(conn: &rusqlite::Connection) -> Result<AuditVerification, StoreError> {
    let head: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, role, action, target, detail, prev_hash, hash, workstation FROM audit_log ORDER BY rowid",
    )?;
    let records = stmt.query_map([], query::audit_row)?.collect::<Result<Vec<_>, _>>()?;
    let head = head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())).or(Some((0, "")));
    match audit::verify_chain(&records, head) {
        Ok(count) => Ok(AuditVerification { records: count, first_bad: None }),
        Err(br) => Ok(AuditVerification { records: records.len() as i64, first_bad: Some(br) }),
    }
}
