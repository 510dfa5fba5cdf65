//! Footage kept where it was recorded (issue 32): with several servers on one database each server's
//! recorder keeps its segments on that server's disks, and the index names the holder
//! (`segment.holder`). A server serves its own segments; a segment held by another server it fetches
//! from that server, server to server, under a service credential both derive from the database's
//! shared `camera.key` — never from a user's session, never copied to the asking server's disk.
//!
//! The credential of one fetch is an HMAC over who asks, when, for whom and what (see
//! [`PeerRequest`]), good for [`PEER_SKEW_SECONDS`] either side of the holder's clock.

use super::*;
use crate::store::sql::{OptionalExtension as _, params};

/// How far the asking server's clock may be from the holder's.
pub const PEER_SKEW_SECONDS: i64 = 300;

/// One server-to-server fetch of a granted segment: what its credential covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRequest {
    /// The asking server's name.
    pub from: String,
    /// Unix seconds, the asking server's clock.
    pub time: i64,
    /// The user whose grant it is (the asking server checked their session).
    pub user: String,
    pub access_id: i64,
    pub segment_id: i64,
    /// The `Range` header passed on, or empty.
    pub range: String,
}

impl PeerRequest {
    fn message(&self) -> String {
        format!("{}\n{}\n{}\n{}\n{}\n{}", self.from, self.time, self.user, self.access_id, self.segment_id, self.range)
    }
}

const PEER_PURPOSE: &str = "jiancha peer footage v1";

pub use crate::domain::footage::valid_holder;

/// Equal in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl SqlStore {
    /// Names this server among several on one database: its recorder's segments are indexed as held
    /// by it, and it serves only those from its disks.
    pub fn set_holder(&self, name: &str) -> Result<(), StoreError> {
        if !valid_holder(name) {
            return Err(StoreError::Invalid(format!(
                "server name {:?}: 1–32 lowercase letters, digits and hyphens",
                name.chars().take(40).collect::<String>()
            )));
        }
        *self.holder.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(name.to_owned());
        Ok(())
    }

    /// This server's name among several on one database.
    pub fn holder(&self) -> Option<String> {
        self.holder.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Records where this server answers other servers (`peer_url`); audited when it changed.
    pub fn register_holder(&self, url: &str) -> Result<(), StoreError> {
        let name = self.holder().ok_or_else(|| StoreError::Invalid("this server has no name".into()))?;
        let url = url.trim_end_matches('/');
        let parsed = reqwest::Url::parse(url).map_err(|e| StoreError::Invalid(format!("peer_url {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host().is_none()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
            || parsed.path() != "/"
        {
            return Err(StoreError::Invalid(format!(
                "peer_url {url:?}: an http(s)://HOST:PORT address without a path or credentials"
            )));
        }
        self.write(&self.system_session(), Permission::RecordFootage, |w| {
            let before: Option<String> =
                w.tx.query_row("SELECT url FROM footage_holder WHERE name = ?1", [&name], |r| r.get(0)).optional()?;
            w.tx.execute(
                "INSERT INTO footage_holder (name, url, seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at",
                params![name, url, ts(w.now)],
            )?;
            if before.as_deref() == Some(url) {
                w.unchanged();
            } else {
                w.audit(
                    "footage.holder",
                    &format!("server:{name}"),
                    serde_json::json!({"url": url, "before": before}),
                )?;
            }
            Ok(())
        })
    }

    /// Where the server `name` answers, if it ever registered.
    pub fn holder_url(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn.query_row("SELECT url FROM footage_holder WHERE name = ?1", [name], |r| r.get(0)).optional()?)
        })
    }

    /// The SHA-256 of the token of every session alive now (its account active, its time not up): the
    /// relay's tickets of any other session end (an administrator disabled the account, changed its
    /// halls or role, or reset its password).
    pub fn live_session_keys(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let now = ts(self.now());
        self.with_conn(|conn| {
            Ok(conn
                .prepare(
                    "SELECT s.token_hash FROM session s JOIN \"user\" u ON u.id = s.user_id
                     WHERE u.active <> 0 AND s.expires_at > ?1",
                )?
                .query_map([now], |r| r.get(0))?
                .collect::<Result<_, _>>()?)
        })
    }

    /// The credential of a fetch this server makes.
    pub fn peer_credential(&self, request: &PeerRequest) -> Result<String, StoreError> {
        self.camera_key.digest(PEER_PURPOSE, request.message().as_bytes())
    }

    /// Checks another server's fetch (its credential and time) and then the grant as the asking server
    /// did for its user; the segment must be this server's. Nothing of the request is looked at before
    /// the credential holds.
    pub fn peer_segment(
        &self,
        request: &PeerRequest,
        credential: &str,
    ) -> Result<crate::store::GrantedSegment, StoreError> {
        let expected = self.peer_credential(request)?;
        let now = self.now();
        if !same(expected.as_bytes(), credential.as_bytes()) {
            return Err(StoreError::SessionExpired);
        }
        if (now.timestamp() - request.time).abs() > PEER_SKEW_SECONDS {
            return Err(StoreError::Refused(format!(
                "the asking server's clock is more than {PEER_SKEW_SECONDS} s from this one's"
            )));
        }
        let own = self.holder();
        self.with_conn(|conn| {
            let granted = footage::granted_segment(conn, request.access_id, request.segment_id, &request.user, now)?;
            if granted.segment.holder != own {
                return Err(StoreError::NotFound(format!("segment {} on this server", request.segment_id)));
            }
            Ok(granted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_short_and_plain() {
        assert!(valid_holder("gzl"));
        assert!(valid_holder("county-2"));
        assert!(!valid_holder(""));
        assert!(!valid_holder("-x"));
        assert!(!valid_holder("GZL"));
        assert!(!valid_holder("a/b"));
        assert!(!valid_holder(&"a".repeat(33)));
    }

    #[test]
    fn comparison_needs_every_byte() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }

    #[test]
    fn a_credential_covers_every_part_of_the_request() {
        let store = SqlStore::open_in_memory(Arc::new(crate::clock::SystemClock)).unwrap();
        let request = PeerRequest {
            from: "city".into(),
            time: 1_800_000_000,
            user: "supervisor1".into(),
            access_id: 3,
            segment_id: 9,
            range: "bytes=0-99".into(),
        };
        let credential = store.peer_credential(&request).unwrap();
        assert_eq!(credential.len(), 64);
        for changed in [
            PeerRequest { from: "gzl".into(), ..request.clone() },
            PeerRequest { time: request.time + 1, ..request.clone() },
            PeerRequest { user: "supervisor2".into(), ..request.clone() },
            PeerRequest { access_id: 4, ..request.clone() },
            PeerRequest { segment_id: 10, ..request.clone() },
            PeerRequest { range: String::new(), ..request.clone() },
        ] {
            assert_ne!(store.peer_credential(&changed).unwrap(), credential, "{changed:?}");
        }
    }
}
