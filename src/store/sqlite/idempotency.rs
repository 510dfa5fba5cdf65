//! The server's memory of keyed calls: a console's outbox sends every write with an idempotency key,
//! and a repeat of the key gets the first answer instead of running the write again.

use crate::store::sql::{OptionalExtension as _, params};
use chrono::Duration;

use crate::store::StoreError;

use super::{SqlStore, ts};

/// How long an answer is remembered.
const KEEP_DAYS: i64 = 30;

impl SqlStore {
    /// The server's remembered answer to `username`'s call made with idempotency key `key`: (method, HTTP
    /// status, body). A key is the user's own: another user's key is simply unknown to them. Answers older
    /// than 30 days are forgotten.
    pub fn remembered_answer(&self, username: &str, key: &str) -> Result<Option<Remembered>, StoreError> {
        let cutoff = ts(self.now() - Duration::days(KEEP_DAYS));
        self.with_tx(|conn| {
            conn.execute("DELETE FROM idempotency WHERE at < ?1", [cutoff])?;
            Ok(conn
                .query_row(
                    "SELECT method, request_sha256, status, answer FROM idempotency WHERE username = ?1 AND key = ?2",
                    params![username, key],
                    |r| {
                        Ok(Remembered {
                            method: r.get(0)?,
                            request_sha256: r.get(1)?,
                            status: r.get(2)?,
                            answer: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    /// What is kept of a keyed call's arguments to tell a repeat from another request: a keyed digest
    /// (HMAC-SHA256 under a key derived from the data directory's `camera.key`, never in the database),
    /// so that a password among the arguments cannot be tried offline against a copy of the database.
    pub fn request_digest(&self, method: &str, args: &str) -> Result<String, StoreError> {
        let mut message = Vec::with_capacity(method.len() + 1 + args.len());
        message.extend_from_slice(method.as_bytes());
        message.push(0);
        message.extend_from_slice(args.as_bytes());
        self.camera_key.digest("jiancha idempotency request v1", &message)
    }

    /// Remembers the answer to a keyed call (see `remembered_answer`).
    pub fn remember_answer(
        &self,
        username: &str,
        key: &str,
        asked: (&str, &str),
        workstation: &str,
        status: u16,
        answer: &str,
    ) -> Result<(), StoreError> {
        let (method, request_sha256) = asked;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO idempotency (username, key, method, workstation, status, answer, at, request_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                params![username, key, method, workstation, status, answer, ts(self.now()), request_sha256],
            )?;
            Ok(())
        })
    }
}

/// A remembered answer to a keyed call, with what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub method: String,
    /// The SHA-256 of the call's arguments (empty for answers remembered before schema 13).
    pub request_sha256: String,
    pub status: u16,
    pub answer: String,
}
