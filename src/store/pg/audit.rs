//! The audit chain on PostgreSQL: the records, hashes and MACs of `domain::audit`, as on SQLite, so that
//! a hall moved from one to the other verifies with the same key. A writer locks the head row before it
//! appends (`SELECT … FOR UPDATE`): writers on several connections — several servers — queue there, and
//! the chain stays one line with no gap and no fork. Verification reads the log and the head in one
//! snapshot (repeatable read), so it can run while others write.

use chrono::{DateTime, Utc};
use postgres::{Client, IsolationLevel, Transaction};

use super::PgError;
use crate::domain::audit::{self, AuditFields, AuditRecord};
use crate::store::{AuditAnchor, AuditVerification};

/// One record to append: who, from where, what, to what, and the details (JSON, hashed as stored).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub role: &'a str,
    pub workstation: &'a str,
    /// The hall the record concerns, if any.
    pub hall: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a serde_json::Value,
}

/// Appends one record in `tx` (the change's own transaction); returns its sequence number.
pub fn append(tx: &mut Transaction<'_>, key: &[u8; 32], entry: &Entry<'_>) -> Result<i64, PgError> {
    // The lock every writer queues on (without it, concurrent writers both take the same next number).
    let head = tx.query_one("SELECT seq, hash, mac FROM audit_head WHERE id = 1 FOR UPDATE", &[])?;
    let (prev_seq, prev_hash, prev_mac): (i64, String, Option<String>) = (head.get(0), head.get(1), head.get(2));
    let seq = prev_seq + 1;
    // Truncated to microseconds, as stored, so the hash can be recomputed from the row.
    let at = DateTime::from_timestamp_micros(entry.at.timestamp_micros()).unwrap_or(entry.at);
    let detail = entry.detail.to_string();
    let fields = AuditFields {
        seq,
        at,
        actor: entry.actor,
        role: entry.role,
        action: entry.action,
        target: entry.target,
        detail: &detail,
        workstation: entry.workstation,
        hall: entry.hall.unwrap_or(""),
    };
    let hash = audit::chain_hash(&prev_hash, &fields);
    let mac = audit::chain_mac(key, prev_mac.as_deref().unwrap_or(""), &hash);
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, role, action, target, detail, prev_hash, hash, workstation, mac, hall_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            &seq,
            &at.timestamp_micros(),
            &entry.actor,
            &entry.role,
            &entry.action,
            &entry.target,
            &detail,
            &prev_hash,
            &hash,
            &entry.workstation,
            &mac,
            &entry.hall,
        ],
    )?;
    tx.execute("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1", &[&seq, &hash, &mac])?;
    Ok(seq)
}

/// Recomputes the whole chain against the head row, and with `key` its MACs.
pub fn verify(client: &mut Client, key: Option<&[u8; 32]>) -> Result<AuditVerification, PgError> {
    let mut tx = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
    let head = tx.query_one("SELECT seq, hash, mac FROM audit_head WHERE id = 1", &[])?;
    let (head_seq, head_hash, head_mac): (i64, String, Option<String>) = (head.get(0), head.get(1), head.get(2));
    let rows = tx.query(
        "SELECT seq, at, actor, role, action, target, detail, prev_hash, hash, workstation, mac, hall_code
         FROM audit_log ORDER BY seq",
        &[],
    )?;
    tx.commit()?;
    let mut records = Vec::with_capacity(rows.len());
    let mut macs: Vec<Option<String>> = Vec::with_capacity(rows.len());
    for row in &rows {
        let micros: i64 = row.get(1);
        records.push(AuditRecord {
            seq: row.get(0),
            at: DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC),
            actor: row.get(2),
            role: row.get(3),
            action: row.get(4),
            target: row.get(5),
            detail: row.get(6),
            prev_hash: row.get(7),
            hash: row.get(8),
            workstation: row.get(9),
            hall: row.get(11),
        });
        macs.push(row.get(10));
    }
    let anchor = head_mac.clone().filter(|_| head_seq > 0).map(|mac| AuditAnchor { seq: head_seq, mac });
    let count = records.len() as i64;
    let first_bad = match audit::verify_chain(&records, Some((head_seq, head_hash.as_str()))) {
        Err(broken) => Some(broken),
        Ok(_) => key.and_then(|key| {
            let view = records.iter().zip(&macs).map(|(r, mac)| (r.seq, r.hash.as_str(), mac.as_deref()));
            audit::verify_macs(key, view, head_mac.as_deref()).err().map(|mut broken| {
                if broken.seq == 0 {
                    broken.seq = count;
                }
                broken
            })
        }),
    };
    Ok(AuditVerification { records: count, first_bad, anchor })
}
