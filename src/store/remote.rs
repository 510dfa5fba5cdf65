//! `RemoteStore`: the `Store` over HTTP to a `jiancha serve` (see `api.rs` for the wire format).
//! Calls block; the console makes them from its data worker thread, like the local store's.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use chrono::NaiveDate;

// The types the generated methods name (the API table is written in `api.rs`'s terms).
use super::api::remote_families;
use super::outbox::{Outbox, Sent};
use super::{
    AlertQuery, AuditQuery, CaseQuery, ComplaintStep, DailyCheck, ExportOutcome, FollowUpStep, HallSetup, NewComplaint,
    NewEvidence, NewFootageRequest, NewInterview, NewNotice, NewObservation, NewSegment, NewUser, NewViolation,
    RequestFilter, Session, Store, StoreError,
};
use crate::domain::accountability::Measure;
use crate::domain::discipline::Week;
use crate::domain::footage::{Span, Use};
use crate::interchange::ImportBatch;

pub struct RemoteStore {
    base: String,
    client: reqwest::blocking::Client,
    /// Sent with the login, for the audit log on the server.
    workstation: String,
    /// Where writes wait while the server cannot be reached (consoles; headless commands fail instead).
    outbox: Option<Arc<Outbox>>,
    /// The token of the last login, for waiting on the change counter (the server holds only the waits
    /// of logged-in users; without a token it answers at once).
    watch_token: std::sync::Mutex<Option<String>>,
}

impl std::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteStore").field("base", &self.base).finish_non_exhaustive()
    }
}

pub use super::api::WORKSTATION_HEADER;
use super::api::{IDEMPOTENCY_HEADER, PushAnswer};

/// Makes *ring* the process's TLS provider (once; later calls do nothing). Every client and the
/// server's TLS settings need one.
pub fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Fails only when another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// What sending the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Entries the server took (or had taken already: their first try reached it).
    pub sent: Vec<Sent>,
    /// Entries still waiting (the server went away again, or they belong to another user).
    pub left: usize,
}

/// A fresh idempotency key: 128 random bits.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    format!("ob-{}", hex::encode(bytes))
}

/// How to reach a server.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// `http://host:port` or `https://host:port`.
    pub url: String,
    /// A PEM certificate (authority) to trust besides the system's, for a server with its own.
    pub ca_cert: Option<std::path::PathBuf>,
}

impl RemoteStore {
    /// A client of the server at `base` (`http://host:port` or `https://…`).
    pub fn new(base: &str) -> Result<Self, StoreError> {
        Self::connect(&Connection { url: base.to_owned(), ca_cert: None })
    }

    pub fn connect(to: &Connection) -> Result<Self, StoreError> {
        let base = to.url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(StoreError::Invalid(format!(
                "后端地址须以 http:// 或 https:// 开头 (the backend URL must start with http:// or https://): {base}"
            )));
        }
        install_crypto();
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            // The server closes a connection idle for 15 s: never reuse one that old.
            .pool_idle_timeout(Duration::from_secs(10))
            .tcp_nodelay(true);
        if let Some(path) = &to.ca_cert {
            let pem = std::fs::read(path).map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| StoreError::Invalid(format!("{}: not a PEM certificate: {e}", path.display())))?;
            builder = builder.tls_certs_merge([cert]);
        }
        let client = builder.build().map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self {
            base,
            client,
            workstation: super::local_workstation(),
            outbox: None,
            watch_token: Default::default(),
        })
    }

    /// Keeps writes made while the server is away in `outbox` (see `store::outbox`).
    pub fn with_outbox(mut self, outbox: Arc<Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    pub fn outbox(&self) -> Option<&Outbox> {
        self.outbox.as_deref()
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    fn answer<R: DeserializeOwned>(response: reqwest::blocking::Response) -> Result<R, StoreError> {
        let status = response.status();
        let body = response.bytes().map_err(|e| StoreError::Unreachable(format!("reading the answer: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| StoreError::Backend(format!("the server's answer: {e}")));
        }
        if matches!(status.as_u16(), 502..=504) {
            // The server itself answers 503 when footage is kept by another server that is down (the
            // server is there: the console is not offline); any other 502–504 is a proxy's.
            return Err(match serde_json::from_slice::<StoreError>(&body) {
                Ok(e @ StoreError::HolderDown { .. }) => e,
                _ => StoreError::Unreachable(format!("{status}")),
            });
        }
        match serde_json::from_slice::<StoreError>(&body) {
            Ok(e) => Err(e),
            Err(_) => Err(StoreError::Backend(format!("{status}: {}", String::from_utf8_lossy(&body)))),
        }
    }

    fn unreachable(e: &reqwest::Error) -> StoreError {
        let why = if e.is_connect() {
            // The innermost cause says what went wrong: refused, no route, an untrusted certificate …
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            format!("无法建立连接 (cannot connect): {cause}")
        } else if e.is_timeout() {
            "超时 (timed out)".to_owned()
        } else {
            e.to_string()
        };
        let host = e.url().map(|u| format!("{}://{}", u.scheme(), u.authority())).unwrap_or_default();
        StoreError::Unreachable(format!("{host} — {why}"))
    }

    /// One call with its arguments as JSON text; `key` makes it idempotent on the server. The
    /// session's hall filter goes with it (the server's reads keep to it).
    fn send<R: DeserializeOwned>(
        &self,
        session: &Session,
        method: &str,
        args: &str,
        key: Option<&str>,
    ) -> Result<R, StoreError> {
        let mut request = self
            .client
            .post(format!("{}/api/v1/call/{method}", self.base))
            .bearer_auth(&session.token)
            .header(WORKSTATION_HEADER, &self.workstation)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(args.to_owned());
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_HEADER, key);
        }
        if !session.view.is_empty() {
            request = request.header(super::api::VIEW_HEADER, session.view.join(","));
        }
        let response = request.send().map_err(|e| Self::unreachable(&e))?;
        Self::answer(response)
    }

    pub(crate) fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        session: &Session,
        method: &str,
        args: A,
    ) -> Result<R, StoreError> {
        let args =
            serde_json::to_string(&args).map_err(|e| StoreError::Invalid(format!("arguments of {method}: {e}")))?;
        if super::api::call_kind(method) != Some(super::api::CallKind::Queueable) {
            return self.send(session, method, &args, None);
        }
        let key = new_key();
        let Some(outbox) = &self.outbox else {
            return self.send(session, method, &args, Some(&key));
        };
        // Behind what is waiting already, so that the server sees the writes in the order they were made.
        if !outbox.is_empty() {
            outbox.push(&key, &session.username, method, &args, chrono::Utc::now())?;
            return Err(StoreError::Queued(method.to_owned()));
        }
        match self.send(session, method, &args, Some(&key)) {
            Err(StoreError::Unreachable(why)) => {
                // The first try may have reached the server: the key makes sending it again harmless.
                outbox.push(&key, &session.username, method, &args, chrono::Utc::now())?;
                tracing::info!(method, %why, "kept in the outbox");
                Err(StoreError::Queued(method.to_owned()))
            }
            other => other,
        }
    }

    /// Sends the outbox entries of `session`'s user, oldest first, each with its key; stops when the
    /// server goes away again.
    pub fn flush_outbox(&self, session: &Session) -> Result<FlushReport, StoreError> {
        let Some(outbox) = &self.outbox else { return Ok(FlushReport::default()) };
        let mut report = FlushReport::default();
        let pending = outbox.pending()?;
        let mut stopped = false;
        for entry in &pending {
            if stopped || entry.username != session.username {
                report.left += 1;
                continue;
            }
            let result: Result<serde_json::Value, StoreError> =
                self.send(session, &entry.method, &entry.args, Some(&entry.key));
            let refused = match result {
                Ok(_) => None,
                Err(StoreError::Unreachable(_) | StoreError::SessionExpired) => {
                    stopped = true;
                    report.left += 1;
                    continue;
                }
                Err(e) => Some(e.to_string()),
            };
            outbox.done(entry, refused.as_deref(), chrono::Utc::now())?;
            report.sent.push(Sent { method: entry.method.clone(), queued_at: entry.queued_at, refused });
        }
        Ok(report)
    }

    /// Fetches one segment of a grant into `dest` with HTTP range requests (4 MiB at a time, resuming a
    /// partial file), then checks its SHA-256 against the index — the same check as an export's
    /// manifest. A file already there with the right hash is kept. A segment the grant covers only
    /// in part comes as the clip the server cuts (`fetch_clip`); the answer says what was stored.
    pub fn fetch_segment(
        &self,
        session: &Session,
        access_id: i64,
        grant: crate::domain::footage::Span,
        segment: &super::Segment,
        dest: &std::path::Path,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<super::Segment, StoreError> {
        use std::io::Write as _;
        const CHUNK: u64 = 4 * 1024 * 1024;
        let io = |e: std::io::Error| StoreError::Backend(format!("{}: {e}", dest.display()));
        if segment.span.from < grant.from || segment.span.to > grant.to {
            return self.fetch_clip(session, access_id, grant, segment, dest);
        }
        if crate::files::sha256_file(dest).is_ok_and(|h| h == segment.sha256) {
            return Ok(segment.clone());
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let part = dest.with_extension("part");
        let mut have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        if have > segment.bytes {
            std::fs::remove_file(&part).map_err(io)?;
            have = 0;
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&part).map_err(io)?;
        let url = format!("{}/api/v1/footage/{access_id}/{}", self.base, segment.id);
        while have < segment.bytes {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(StoreError::Invalid("已取消 (cancelled)".into()));
            }
            let last = (have + CHUNK).min(segment.bytes) - 1;
            let response = self
                .client
                .get(&url)
                .bearer_auth(&session.token)
                .header(reqwest::header::RANGE, format!("bytes={have}-{last}"))
                .send()
                .map_err(|e| Self::unreachable(&e))?;
            let status = response.status();
            if !status.is_success() {
                return Self::answer::<super::Segment>(response);
            }
            let body = response.bytes().map_err(|e| StoreError::Unreachable(e.to_string()))?;
            if body.is_empty() {
                return Err(StoreError::Backend(format!("segment {}: the server sent nothing", segment.id)));
            }
            if status == reqwest::StatusCode::OK {
                // The whole file instead of a part: start again with it.
                drop(file);
                std::fs::write(&part, &body).map_err(io)?;
                file = std::fs::OpenOptions::new().append(true).open(&part).map_err(io)?;
                break;
            }
            file.write_all(&body).map_err(io)?;
            have += body.len() as u64;
        }
        file.sync_all().map_err(io)?;
        drop(file);
        let got = crate::files::sha256_file(&part).map_err(io)?;
        if got != segment.sha256 {
            let _ = std::fs::remove_file(&part);
            return Err(StoreError::Backend(format!(
                "segment {} ({}): SHA-256 {got} differs from the index {} — not used",
                segment.id, segment.path, segment.sha256
            )));
        }
        std::fs::rename(&part, dest).map_err(io)?;
        Ok(segment.clone())
    }

    /// The part of a segment at a grant's edge, as the server cuts it (no more than the grant leaves
    /// the server): one request, checked against the clip's SHA-256; the segment answered starts where
    /// the clip's first frame does.
    fn fetch_clip(
        &self,
        session: &Session,
        access_id: i64,
        grant: crate::domain::footage::Span,
        segment: &super::Segment,
        dest: &std::path::Path,
    ) -> Result<super::Segment, StoreError> {
        let url = format!("{}/api/v1/footage/{access_id}/{}", self.base, segment.id);
        let response = self.client.get(&url).bearer_auth(&session.token).send().map_err(|e| Self::unreachable(&e))?;
        if !response.status().is_success() {
            return Self::answer::<super::Segment>(response);
        }
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default()
        };
        let (sha256, clip) = (header(super::api::SEGMENT_SHA256_HEADER), header(super::api::CLIP_HEADER));
        let bytes = response.bytes().map_err(|e| StoreError::Unreachable(e.to_string()))?;
        let got = crate::files::sha256_hex(&bytes);
        if got != sha256 {
            return Err(StoreError::Backend(format!(
                "segment {}: the clip's SHA-256 {got} differs from the one the server sent — not used",
                segment.id
            )));
        }
        let part =
            crate::domain::footage::Span { from: segment.span.from.max(grant.from), to: segment.span.to.min(grant.to) };
        let span = match clip.split_once('-').and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        {
            Some((from, to)) if part.from <= from && from <= to && to <= part.to => {
                crate::domain::footage::Span { from, to }
            }
            _ if clip == "none" => crate::domain::footage::Span { from: part.from, to: part.from },
            _ => {
                return Err(StoreError::Backend(format!(
                    "segment {}: the server's clip header {:?} is not inside the grant — not used",
                    segment.id,
                    clip.chars().take(60).collect::<String>()
                )));
            }
        };
        crate::files::write_atomically(dest, &bytes)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", dest.display())))?;
        Ok(super::Segment { span, bytes: bytes.len() as u64, sha256, ..segment.clone() })
    }

    /// Waits up to `wait` seconds for the server's change counter to pass `since`; returns it.
    pub fn wait_for_change(&self, since: u64, wait: u64) -> Result<u64, StoreError> {
        #[derive(serde::Deserialize)]
        struct Revision {
            revision: u64,
        }
        let token = self.watch_token.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let mut request = self
            .client
            .get(format!("{}/api/v1/changes?since={since}&wait={wait}", self.base))
            .timeout(Duration::from_secs(wait + 10));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().map_err(|e| Self::unreachable(&e))?;
        Self::answer::<Revision>(response).map(|r| r.revision)
    }

    /// Pushes case events (INTERCHANGE.md records as JSON lines or an array) to `/api/v1/events`.
    pub fn push_events(&self, session: &Session, body: &str) -> Result<PushAnswer, StoreError> {
        let response = self
            .client
            .post(format!("{}/api/v1/events", self.base))
            .bearer_auth(&session.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let body = response.bytes().map_err(|e| StoreError::Unreachable(e.to_string()))?;
            return serde_json::from_slice(&body).map_err(|e| StoreError::Backend(format!("the server's answer: {e}")));
        }
        Self::answer(response)
    }
}

impl Store for RemoteStore {
    fn describe(&self) -> String {
        self.base.clone()
    }

    fn login(&self, username: &str, password: &str) -> Result<Session, StoreError> {
        let response = self
            .client
            .post(format!("{}/api/v1/login", self.base))
            .header(WORKSTATION_HEADER, &self.workstation)
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        let session: Session = Self::answer(response)?;
        *self.watch_token.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(session.token.clone());
        Ok(session)
    }

    fn logout(&self, session: &Session) -> Result<(), StoreError> {
        let mut watching = self.watch_token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if watching.as_deref() == Some(session.token.as_str()) {
            *watching = None;
        }
        drop(watching);
        let response = self
            .client
            .post(format!("{}/api/v1/logout", self.base))
            .bearer_auth(&session.token)
            .send()
            .map_err(|e| Self::unreachable(&e))?;
        Self::answer(response)
    }
}

remote_families!(RemoteStore);

/// Whether `url` is plain `http://` to another machine: passwords, tokens and footage then cross the
/// hall's network readable by anyone on it (the console warns for as long as it is so).
pub fn is_plain_off_machine(url: &str) -> bool {
    let Some(rest) = url.trim().strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    !loopback
}

#[cfg(test)]
mod plain_tests {
    use super::is_plain_off_machine;

    #[test]
    fn plain_http_to_another_machine_is_told_apart() {
        assert!(is_plain_off_machine("http://192.168.10.2:8730"));
        assert!(is_plain_off_machine("http://jiancha.hall.local:8730/"));
        assert!(!is_plain_off_machine("https://192.168.10.2:8730"));
        assert!(!is_plain_off_machine("http://127.0.0.1:8730"));
        assert!(!is_plain_off_machine("http://localhost:8730"));
        assert!(!is_plain_off_machine("http://[::1]:8730"));
        assert!(is_plain_off_machine("http://[fe80::1]:8730"));
    }
}
