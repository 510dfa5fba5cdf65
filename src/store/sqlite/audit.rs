//! The audit log: one record per change and per login, chained by SHA-256 (`domain::audit`), appended
//! in the same transaction as the change; the head row catches removal of the newest records.

use crate::store::sql::{Connection, OptionalExtension as _, Transaction, params};
use chrono::{DateTime, Utc};

use crate::domain::audit::{self, AuditFields, GENESIS_HASH};
use crate::store::{AuditVerification, StoreError};

use super::auth::Actor;
use super::{Read, SqlStore, query};

impl SqlStore {
    /// Appends one audit record in `tx`.
    pub(crate) fn append_audit(
        tx: &Transaction,
        key: &[u8; 32],
        at: DateTime<Utc>,
        (actor, hall): (&Actor, Option<&str>),
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let head: Option<(i64, String, Option<String>)> = tx
            .query_row("SELECT seq, hash, mac FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let (prev_seq, prev_hash, prev_mac) = head.unwrap_or((0, GENESIS_HASH.to_owned(), None));
        let seq = prev_seq + 1;
        // Truncated to microseconds, as stored, so the hash can be recomputed from the row.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let detail = detail.to_string();
        let role = actor.role.as_str();
        let workstation = actor.workstation.as_str();
        let fields = AuditFields {
            seq,
            at,
            actor: &actor.username,
            role,
            action,
            target,
            detail: &detail,
            workstation,
            hall: hall.unwrap_or(""),
        };
        let hash = audit::chain_hash(&prev_hash, &fields);
        let mac = audit::chain_mac(key, prev_mac.as_deref().unwrap_or(""), &hash);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, detail, prev_hash, hash, workstation, mac, hall_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
                workstation,
                mac,
                hall
            ],
        )?;
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
            params![seq, hash, mac],
        )?;
        Ok(seq)
    }
}

/// Keys the chain of a database brought to version 17 from an older one: every record so far gets its
/// MAC under `key`, in order, in one transaction (the update guard is lifted for it and put back as it
/// was). Only an upgrade does this: on a keyed database a record without its MAC is a broken chain.
pub(super) fn key_the_chain(conn: &mut rusqlite::Connection, key: &[u8; 32]) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    let guard: rusqlite::Result<String> = tx.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_update'",
        [],
        |r| r.get(0),
    );
    let guard = rusqlite::OptionalExtension::optional(guard)?;
    if guard.is_some() {
        tx.execute_batch("DROP TRIGGER audit_log_no_update;")?;
    }
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT seq, hash FROM audit_log ORDER BY seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut prev = String::new();
    for (seq, hash) in &rows {
        prev = audit::chain_mac(key, &prev, hash);
        tx.execute("UPDATE audit_log SET mac = ?2 WHERE seq = ?1", rusqlite::params![seq, prev])?;
    }
    if !rows.is_empty() {
        tx.execute("UPDATE audit_head SET mac = ?1 WHERE id = 1", [&prev])?;
    }
    if let Some(sql) = guard {
        tx.execute_batch(&sql)?;
    }
    tx.commit()?;
    Ok(rows.len() as i64)
}

/// Recomputes the whole chain against the head row, and its MACs under the audit key.
pub(super) fn verify(r: &Read<'_>, key: &[u8; 32]) -> Result<AuditVerification, StoreError> {
    verify_conn(r.conn, Some(key))
}

/// Recomputes the whole chain of the database `conn` against its head row (backups are checked so),
/// and with `key` the keyed chain's MACs.
pub(super) fn verify_conn(conn: &Connection, key: Option<&[u8; 32]>) -> Result<AuditVerification, StoreError> {
    let plain = verify_hashes(conn)?;
    let (Some(key), None) = (key, &plain.first_bad) else { return Ok(plain) };
    let head_mac: Option<String> =
        conn.query_row("SELECT mac FROM audit_head WHERE id = 1", [], |r| r.get(0)).optional()?.flatten();
    let rows: Vec<(i64, String, Option<String>)> = conn
        .prepare("SELECT seq, hash, mac FROM audit_log ORDER BY seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let view = rows.iter().map(|(seq, hash, mac)| (*seq, hash.as_str(), mac.as_deref()));
    match audit::verify_macs(key, view, head_mac.as_deref()) {
        Ok(()) => Ok(plain),
        Err(mut br) => {
            if br.seq == 0 {
                br.seq = plain.records;
            }
            Ok(AuditVerification { first_bad: Some(br), ..plain })
        }
    }
}

/// The head's sequence number and MAC: what `audit verify --anchor` checks against, and what the
/// daily report prints and a county forwards.
pub(super) fn anchor(conn: &Connection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .query_row("SELECT seq, mac FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?
        .and_then(|(seq, mac)| mac.map(|m| (seq, m))))
}

fn anchor_of(conn: &Connection) -> Result<Option<crate::store::AuditAnchor>, StoreError> {
    Ok(anchor(conn)?.map(|(seq, mac)| crate::store::AuditAnchor { seq, mac }))
}

/// Whether record `seq` carries `mac`: the history up to a saved anchor is the one that was anchored.
pub(super) fn matches_anchor(conn: &Connection, seq: i64, mac: &str) -> Result<bool, StoreError> {
    let found: Option<Option<String>> =
        conn.query_row("SELECT mac FROM audit_log WHERE seq = ?1", [seq], |r| r.get(0)).optional()?;
    Ok(found.flatten().is_some_and(|m| m.eq_ignore_ascii_case(mac)))
}

fn verify_hashes(conn: &Connection) -> Result<AuditVerification, StoreError> {
    let head: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut stmt = conn.prepare(&format!("SELECT {} FROM audit_log ORDER BY seq", query::AUDIT_COLUMNS))?;
    let records = stmt.query_map([], query::audit_row)?.collect::<Result<Vec<_>, _>>()?;
    let head = head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())).or(Some((0, "")));
    match audit::verify_chain(&records, head) {
        Ok(count) => Ok(AuditVerification { records: count, first_bad: None, anchor: anchor_of(conn)? }),
        Err(br) => {
            Ok(AuditVerification { records: records.len() as i64, first_bad: Some(br), anchor: anchor_of(conn)? })
        }
    }
}

/// Keeps a forwarded chain head (unless it is the source's newest already).
pub(super) fn record_received(
    w: &super::Write<'_>,
    source: &str,
    anchor: &crate::store::AuditAnchor,
) -> Result<(), StoreError> {
    let source = source.trim();
    if source.is_empty() || source.chars().count() > 200 || source.chars().any(char::is_control) {
        return Err(StoreError::Invalid("source: a hall code or codes, 1–200 characters".into()));
    }
    if anchor.seq < 1 || anchor.mac.len() != 64 || !anchor.mac.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid("anchor: a record number and a 64-hex-digit MAC".into()));
    }
    let newest: Option<(i64, String)> =
        w.tx.query_row(
            "SELECT seq, mac FROM audit_anchor_received WHERE source = ?1 ORDER BY id DESC LIMIT 1",
            [source],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if newest.as_ref().is_some_and(|(seq, mac)| *seq == anchor.seq && mac.eq_ignore_ascii_case(&anchor.mac)) {
        w.unchanged();
        return Ok(());
    }
    w.tx.execute(
        "INSERT INTO audit_anchor_received (source, seq, mac, received_at, received_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![source, anchor.seq, anchor.mac.to_ascii_lowercase(), super::ts(w.now), w.actor.username],
    )?;
    w.audit(
        "audit.anchor_received",
        &format!("hall:{source}"),
        serde_json::json!({"seq": anchor.seq, "mac": anchor.mac}),
    )?;
    Ok(())
}

/// The chain heads received, newest first.
pub(super) fn received(conn: &Connection, limit: u32) -> Result<Vec<crate::store::ReceivedAnchor>, StoreError> {
    let limit = if limit == 0 { 200 } else { limit.min(10_000) };
    let mut stmt = conn.prepare(
        "SELECT source, seq, mac, received_at, received_by FROM audit_anchor_received ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(crate::store::ReceivedAnchor {
            source: r.get(0)?,
            anchor: crate::store::AuditAnchor { seq: r.get(1)?, mac: r.get(2)? },
            received_at: super::from_ts(r.get(3)?),
            received_by: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
