//! The audit chain: each record's hash covers its own fields and the previous record's hash, so an edit,
//! a deletion or a reordering breaks the chain at the first record touched.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record, as stored and as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditRecord {
    /// 1, 2, 3 … without gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// The user name, or `system` for local headless commands.
    pub actor: String,
    pub role: String,
    /// What was done (`login`, `import.events`, `user.create`, …).
    pub action: String,
    /// What it was done to (`case:SP20261127003`, `user:chief1`, a file name).
    pub target: String,
    /// Details as JSON text, hashed exactly as stored.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
    /// The workstation the actor sat at (empty in records written before schema version 9).
    #[serde(default)]
    pub workstation: String,
}

/// The fields of a record that its hash covers, before it is chained.
#[derive(Debug, Clone, Copy)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    /// Hashed only when not empty, so records from before it existed still verify.
    pub workstation: &'a str,
}

impl AuditRecord {
    pub fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            role: &self.role,
            action: &self.action,
            target: &self.target,
            detail: &self.detail,
            workstation: &self.workstation,
        }
    }
}

/// The hash of a record: SHA-256 over the previous hash and each field, length-prefixed so that no two
/// different records can produce the same input.
pub fn chain_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let at = fields.at.timestamp_micros().to_string();
    let seq = fields.seq.to_string();
    for part in [prev_hash, &seq, &at, fields.actor, fields.role, fields.action, fields.target, fields.detail] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    if !fields.workstation.is_empty() {
        hasher.update((fields.workstation.len() as u64).to_be_bytes());
        hasher.update(fields.workstation.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Why the chain is broken, at the first bad record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChainBreak {
    /// The `seq` of the first record that does not fit (or the expected one, when it is missing).
    pub seq: i64,
    pub reason: String,
}

/// Checks a chain given in `seq` order. `head` is the (count, last hash) the store keeps beside the log,
/// which catches a deletion of the newest records.
pub fn verify_chain<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head: Option<(i64, &str)>,
) -> Result<i64, ChainBreak> {
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    for record in records {
        if record.seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                reason: if record.seq > expected_seq {
                    format!("record {expected_seq} is missing (next is {})", record.seq)
                } else {
                    format!("record {} appears out of order", record.seq)
                },
            });
        }
        if record.prev_hash != prev_hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "its previous-hash does not match the record before it (a record was deleted, inserted or reordered)".into(),
            });
        }
        let recomputed = chain_hash(&record.prev_hash, &record.fields());
        if recomputed != record.hash {
            return Err(ChainBreak {
                seq: record.seq,
                reason: "its content does not match its hash (the record was edited)".into(),
            });
        }
        prev_hash = record.hash.clone();
        expected_seq += 1;
    }
    let count = expected_seq - 1;
    if let Some((head_count, head_hash)) = head
        && (head_count != count || (count > 0 && head_hash != prev_hash))
    {
        return Err(ChainBreak {
            seq: head_count.max(count),
            reason: format!(
                "the log ends at record {count} but the chain head says {head_count}: the newest records were removed or replaced"
            ),
        });
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS_HASH.to_owned(), |r| r.hash.clone());
            let mut r = AuditRecord {
                seq,
                at: DateTime::from_timestamp(1_790_000_000 + seq, 0).unwrap(),
                actor: "chief1".into(),
                role: "chief".into(),
                action: "test".into(),
                target: format!("thing:{seq}"),
                detail: "{}".into(),
                prev_hash: prev,
                hash: String::new(),
                workstation: if seq % 2 == 0 { format!("ws{seq}") } else { String::new() },
            };
            r.hash = chain_hash(&r.prev_hash, &r.fields());
            out.push(r);
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, Some((5, &c[4].hash))), Ok(5));
        assert_eq!(verify_chain(&[], Some((0, ""))), Ok(0));
    }

    #[test]
    fn tampering_is_found_at_the_first_bad_record() {
        let c = chain(5);
        let mut edited = c.clone();
        edited[2].target = "thing:other".into();
        assert_eq!(verify_chain(&edited, None).unwrap_err().seq, 3);

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify_chain(&deleted, None).unwrap_err().seq, 2);

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(verify_chain(&swapped, None).unwrap_err().seq, 2);

        let truncated = &c[..4];
        let head = (5, c[4].hash.as_str());
        assert_eq!(verify_chain(truncated, Some(head)).unwrap_err().seq, 5);
    }

    #[test]
    fn field_boundaries_matter() {
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let a = AuditFields { seq: 1, at, actor: "ab", role: "c", action: "", target: "", detail: "", workstation: "" };
        let b = AuditFields { actor: "a", role: "bc", ..a };
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
    }
}
