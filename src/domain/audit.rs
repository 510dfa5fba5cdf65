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
    /// The hall the record concerns (issue 32): the hall a write touched, else its actor's one hall;
    /// none for the city's own records and those written before (SQLite 21, PostgreSQL 5).
    #[serde(default)]
    pub hall: Option<String>,
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
    /// Likewise; when not empty the workstation is hashed too, empty or not, so that no workstation
    /// name (which holds no control character) can stand for a workstation and a hall.
    pub hall: &'a str,
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
            hall: self.hall.as_deref().unwrap_or(""),
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
    if !fields.workstation.is_empty() || !fields.hall.is_empty() {
        hasher.update((fields.workstation.len() as u64).to_be_bytes());
        hasher.update(fields.workstation.as_bytes());
    }
    if !fields.hall.is_empty() {
        hasher.update((fields.hall.len() as u64).to_be_bytes());
        hasher.update(fields.hall.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, in hex.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

/// A record's MAC in the keyed chain: over the previous record's MAC and this record's hash (which
/// covers its content and the previous hash), under the audit key kept outside the database. Whoever
/// rewrites history without the key — an edited actor with every later hash recomputed — cannot make
/// the MACs agree.
pub fn chain_mac(key: &[u8], prev_mac: &str, hash: &str) -> String {
    let mut message = Vec::with_capacity(prev_mac.len() + hash.len() + 1);
    message.extend_from_slice(prev_mac.as_bytes());
    message.push(b'|');
    message.extend_from_slice(hash.as_bytes());
    hmac_sha256(key, &message)
}

/// Checks the MACs of a chain whose hashes already verified: `(seq, hash, mac)` in order, and the head's
/// MAC. Every record carries one.
pub fn verify_macs<'a>(
    key: &[u8],
    records: impl IntoIterator<Item = (i64, &'a str, Option<&'a str>)>,
    head_mac: Option<&str>,
) -> Result<(), ChainBreak> {
    let mut prev = String::new();
    for (seq, hash, mac) in records {
        let expected = chain_mac(key, &prev, hash);
        match mac {
            Some(m) if m == expected => prev = expected,
            Some(_) => {
                return Err(ChainBreak {
                    seq,
                    reason: "its MAC does not match under the audit key (the history was rewritten, or this is \
                             another hall's audit.key)"
                        .into(),
                });
            }
            None => return Err(ChainBreak { seq, reason: "it carries no MAC (the keyed chain was stripped)".into() }),
        }
    }
    if !prev.is_empty() && head_mac != Some(prev.as_str()) {
        return Err(ChainBreak {
            seq: 0,
            reason: "the chain head's MAC is not the newest record's (the newest records were replaced)".into(),
        });
    }
    Ok(())
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
                hall: (seq % 3 == 0).then(|| "LS".to_owned()),
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
        let a = AuditFields {
            seq: 1,
            at,
            actor: "ab",
            role: "c",
            action: "",
            target: "",
            detail: "",
            workstation: "",
            hall: "",
        };
        let b = AuditFields { actor: "a", role: "bc", ..a };
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
        // A hall is hashed (a record moved to another hall breaks the chain), and a hall alone is not
        // a workstation of that name.
        let with_hall = AuditFields { hall: "LS", ..a };
        let with_workstation = AuditFields { workstation: "LS", ..a };
        let both = AuditFields { workstation: "ws", hall: "LS", ..a };
        let hashes = [a, with_hall, with_workstation, both].map(|f| chain_hash(GENESIS_HASH, &f));
        for (i, x) in hashes.iter().enumerate() {
            for y in &hashes[i + 1..] {
                assert_ne!(x, y);
            }
        }
        // A record without a hall hashes as it did before halls existed.
        let mut old = Sha256::new();
        for part in [GENESIS_HASH, "1", "0", "ab", "c", "", "", ""] {
            old.update((part.len() as u64).to_be_bytes());
            old.update(part.as_bytes());
        }
        assert_eq!(chain_hash(GENESIS_HASH, &a), hex::encode(old.finalize()));
    }
}

#[cfg(test)]
mod mac_tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_mac_chain_breaks_at_the_first_record_rewritten_without_the_key() {
        let key = [7u8; 32];
        let hashes = ["a".repeat(64), "b".repeat(64), "c".repeat(64)];
        let mut macs = Vec::new();
        let mut prev = String::new();
        for h in &hashes {
            prev = chain_mac(&key, &prev, h);
            macs.push(prev.clone());
        }
        let rows = |macs: &[String]| -> Vec<(i64, String, String)> {
            hashes.iter().zip(macs).enumerate().map(|(i, (h, m))| (i as i64 + 1, h.clone(), m.clone())).collect()
        };
        let good = rows(&macs);
        fn view(r: &[(i64, String, String)]) -> Vec<(i64, &str, Option<&str>)> {
            r.iter().map(|(s, h, m)| (*s, h.as_str(), Some(m.as_str()))).collect()
        }
        assert!(verify_macs(&key, view(&good), Some(&macs[2])).is_ok());
        assert_eq!(verify_macs(&[8u8; 32], view(&good), Some(&macs[2])).unwrap_err().seq, 1, "another key");
        let mut forged = macs.clone();
        forged[1] = chain_mac(&[9u8; 32], &macs[0], &hashes[1]);
        assert_eq!(verify_macs(&key, view(&rows(&forged)), Some(&macs[2])).unwrap_err().seq, 2);
        assert!(verify_macs(&key, view(&good), Some(&macs[1])).is_err(), "the head must be the newest");
    }
}
