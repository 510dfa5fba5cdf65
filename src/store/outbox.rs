//! The outbox: writes made while the server cannot be reached, kept in a small SQLite file beside the
//! console's settings (`DIR/outbox.db`) until they are sent. Each has an idempotency key, chosen when
//! it was first tried, and the server remembers the answer to every key: a write whose first try did
//! reach the server (only the answer was lost) is not done twice when it is sent again.
//!
//! Entries are sent in the order they were made, each with the session of the user who made it (a
//! later session of the same user, after a new login).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The outbox file in a console's data directory.
pub const OUTBOX_FILE: &str = "outbox.db";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  method TEXT NOT NULL,
  args TEXT NOT NULL,
  queued_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sent (
  key TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  method TEXT NOT NULL,
  queued_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  -- 'ok', or the server's refusal as text.
  outcome TEXT NOT NULL
);
";

/// A write waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub seq: i64,
    pub key: String,
    pub username: String,
    pub method: String,
    /// The arguments as JSON text, exactly as they will be sent.
    pub args: String,
    pub queued_at: DateTime<Utc>,
}

/// What happened to a sent entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub method: String,
    pub queued_at: DateTime<Utc>,
    /// `None` when the server took it; otherwise its refusal.
    pub refused: Option<String>,
}

pub struct Outbox {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("path", &self.path).finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error, path: &Path) -> StoreError {
    StoreError::Backend(format!("outbox {}: {e}", path.display()))
}

impl Outbox {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Backend(format!("creating {}: {e}", parent.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| db(e, path))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").map_err(|e| db(e, path))?;
        conn.execute_batch(SCHEMA).map_err(|e| db(e, path))?;
        Ok(Self { conn: Mutex::new(conn), path: path.to_owned() })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps a write; it is on disk when this returns.
    pub fn push(
        &self,
        key: &str,
        username: &str,
        method: &str,
        args: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO pending (key, username, method, args, queued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, username, method, args, at.timestamp_millis()],
            )
            .map_err(|e| db(e, &self.path))?;
        Ok(())
    }

    /// The entries waiting, oldest first (all users).
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT seq, key, username, method, args, queued_at FROM pending ORDER BY seq")
            .map_err(|e| db(e, &self.path))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Pending {
                    seq: r.get(0)?,
                    key: r.get(1)?,
                    username: r.get(2)?,
                    method: r.get(3)?,
                    args: r.get(4)?,
                    queued_at: DateTime::from_timestamp_millis(r.get(5)?).unwrap_or_default(),
                })
            })
            .map_err(|e| db(e, &self.path))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| db(e, &self.path))
    }

    pub fn len(&self) -> usize {
        self.lock()
            .query_row("SELECT count(*) FROM pending", [], |r| r.get::<_, i64>(0))
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves an entry from `pending` to `sent` with its outcome, in one transaction.
    pub fn done(&self, entry: &Pending, refused: Option<&str>, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| db(e, &self.path))?;
        tx.execute(
            "INSERT OR REPLACE INTO sent (key, username, method, queued_at, sent_at, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                entry.key,
                entry.username,
                entry.method,
                entry.queued_at.timestamp_millis(),
                at.timestamp_millis(),
                refused.unwrap_or("ok")
            ],
        )
        .map_err(|e| db(e, &self.path))?;
        tx.execute("DELETE FROM pending WHERE seq = ?1", [entry.seq]).map_err(|e| db(e, &self.path))?;
        tx.commit().map_err(|e| db(e, &self.path))
    }

    /// The outcome of a sent entry, by key.
    pub fn outcome(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.lock()
            .query_row("SELECT outcome FROM sent WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| db(e, &self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_reopening_and_leave_once_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(OUTBOX_FILE);
        let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        {
            let outbox = Outbox::open(&path).unwrap();
            outbox.push("k-0000000000000001", "supervisor1", "close_alert", "[1,\"x\"]", at).unwrap();
            outbox.push("k-0000000000000002", "supervisor1", "add_observation", "[{}]", at).unwrap();
            // The same key twice is one entry.
            outbox.push("k-0000000000000002", "supervisor1", "add_observation", "[{}]", at).unwrap();
        }
        let outbox = Outbox::open(&path).unwrap();
        let pending = outbox.pending().unwrap();
        assert_eq!(pending.iter().map(|p| p.method.as_str()).collect::<Vec<_>>(), ["close_alert", "add_observation"]);
        outbox.done(&pending[0], None, at).unwrap();
        outbox.done(&pending[1], Some("refused"), at).unwrap();
        assert!(outbox.is_empty());
        assert_eq!(outbox.outcome("k-0000000000000001").unwrap().as_deref(), Some("ok"));
        assert_eq!(outbox.outcome("k-0000000000000002").unwrap().as_deref(), Some("refused"));
    }
}
