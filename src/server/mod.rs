//! `jiancha serve`: the store over HTTP (axum), for consoles and halls working against one server.
//!
//! Endpoints (all JSON): `POST /api/v1/login` → a session with its bearer token; `POST /api/v1/logout`;
//! `POST /api/v1/call/{method}` (see `store::api`); `POST /api/v1/events` (the approval system's push of
//! case events, INTERCHANGE.md records as a JSON array or JSON lines); `GET /api/v1/openapi.json`;
//! `GET /api/v1/health`. Every store call runs on the blocking pool; permissions and the audit log are
//! the store's, exactly as for a local console.

use crate::store::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use axum::extract::ConnectInfo;

use crate::domain::access::Role;
use crate::interchange::{self, InputErrors};
use crate::store::api::{self, DispatchError};
// The wire format is the store API's; re-exported here for the server's users.
pub use crate::store::api::{
    CLIP_HEADER, IDEMPOTENCY_HEADER, PushAnswer, REPLAYED_HEADER, SEGMENT_SHA256_HEADER, WORKSTATION_HEADER,
};
use crate::store::sqlite::SqlStore;
use crate::store::{Session, Store, StoreError};

pub mod forward;
pub mod limits;
pub mod openapi;
pub mod peer;
pub mod tls;

/// The largest request body accepted (an import of a day's events fits easily).
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Clone)]
struct Shared {
    store: Arc<SqlStore>,
    /// Counts the changes made through the server (the store's change listener moves it); consoles
    /// wait on it (`/api/v1/changes`) to reload at once instead of polling.
    revision: Arc<tokio::sync::watch::Sender<u64>>,
    /// Keyed calls run one at a time, so that a replay racing the original cannot run twice.
    keyed: Arc<tokio::sync::Mutex<()>>,
    /// Where accepted pushes are forwarded (a county hall's server to the city's).
    forward: Option<crate::server::forward::Forwarder>,
    /// Set when the server stops: waiting consoles are answered at once.
    closing: Arc<std::sync::atomic::AtomicBool>,
    /// The database's last answer to the health probe (`probe_health`, every few seconds) and when:
    /// what an anonymous `/api/v1/health` is told, without taking the database's lock itself.
    probed: Arc<std::sync::Mutex<Option<(std::time::Instant, bool)>>>,
    /// The connection gate: a successful login makes its address a known one.
    gate: limits::Gate,
    /// How long a request's body may take to arrive.
    body_timeout: std::time::Duration,
    /// Sessions the database recognised a moment ago.
    recognised: Arc<Recognised>,
    /// The camera relay: consoles are given its URLs, never a camera's password.
    relay: Option<Arc<crate::video::relay::Relay>>,
    /// The address the server listens on (the relay's host when a request names none).
    bound: SocketAddr,
    /// The client segments held by other servers of the database are fetched with (`peer.rs`).
    peers: Option<reqwest::Client>,
}

/// Sessions the database recognised a moment ago, by the SHA-256 of their token: the check that lets a
/// request's body be read (and a wait on the change counter be held) costs the database once per
/// [`RECOGNISED_FOR`] and session, not once per request — with two hundred consoles following a busy
/// hall, that was half of all the database's work. The call itself checks the session again in its own
/// transaction, so an ended session reads and writes nothing; only a wait on the change counter (which
/// tells nothing but a number) may outlast it by that moment. Logging out here forgets it at once.
#[derive(Default)]
struct Recognised(std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>);

const RECOGNISED_FOR: std::time::Duration = std::time::Duration::from_secs(2);
const RECOGNISED_MAX: usize = 10_000;

impl Recognised {
    fn key(session: &crate::store::Session) -> String {
        crate::files::sha256_hex(session.token.as_bytes())
    }

    fn get(&self, key: &str, now: std::time::Instant) -> Option<String> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key).filter(|(_, at)| now.saturating_duration_since(*at) < RECOGNISED_FOR).map(|(u, _)| u.clone())
    }

    fn put(&self, key: String, username: String, now: std::time::Instant) {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= RECOGNISED_MAX {
            map.retain(|_, (_, at)| now.saturating_duration_since(*at) < RECOGNISED_FOR);
            if map.len() >= RECOGNISED_MAX {
                map.clear();
            }
        }
        map.insert(key, (username, now));
    }

    fn forget(&self, key: &str) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(key);
    }
}

/// How often the server asks its database whether it answers, for anonymous health checks.
const HEALTH_PROBE: std::time::Duration = std::time::Duration::from_secs(5);

/// The HTTP status of a store error.
pub fn status_of(e: &StoreError) -> StatusCode {
    match e {
        StoreError::BadCredentials | StoreError::SessionExpired => StatusCode::UNAUTHORIZED,
        StoreError::Forbidden { .. } | StoreError::Refused(_) => StatusCode::FORBIDDEN,
        StoreError::NotFound(_) => StatusCode::NOT_FOUND,
        // Well-formed data the store's rules refuse; a request that does not fit the document is 400.
        StoreError::Invalid(_) | StoreError::Input(_) => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        StoreError::Locked { .. } => StatusCode::LOCKED,
        StoreError::Backend(_) => StatusCode::INTERNAL_SERVER_ERROR,
        StoreError::Unreachable(_) | StoreError::Queued(_) => StatusCode::BAD_GATEWAY,
        StoreError::HolderDown { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn error(e: StoreError) -> Response {
    (status_of(&e), axum::Json(e)).into_response()
}

/// A request that does not fit the API document (not JSON, wrong arguments, a bad header): 400, in the
/// one error shape.
fn malformed(message: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(StoreError::Invalid(message))).into_response()
}

fn ok(value: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// The console's hall filter (`x-jiancha-view: CODE,CODE`): at most 64 codes of at most 32 characters;
/// the store keeps it within the account's halls.
fn view_of(headers: &HeaderMap) -> Vec<String> {
    headers
        .get(api::VIEW_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',').map(str::trim).filter(|c| !c.is_empty() && c.len() <= 32).take(64).map(str::to_owned).collect()
        })
        .unwrap_or_default()
}

/// The session named by `Authorization: Bearer TOKEN`; the store checks the token on every call.
fn session(headers: &HeaderMap) -> Result<Session, StoreError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(StoreError::SessionExpired)?;
    Ok(Session {
        token: token.to_owned(),
        username: String::new(),
        display_name: String::new(),
        role: Role::Supervisor,
        must_change_password: false,
        halls: Vec::new(),
        view: view_of(headers),
    })
}

/// Runs a blocking store call off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Backend(format!("the call failed: {e}")))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

/// The workstation a request comes from: the name the console sends, with the address it comes from.
fn workstation(headers: &HeaderMap, peer: SocketAddr) -> String {
    let name: String = headers
        .get(WORKSTATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    if name.trim().is_empty() { peer.ip().to_string() } else { format!("{} ({})", name.trim(), peer.ip()) }
}

async fn login(
    State(shared): State<Shared>,
    ConnectInfo(limits::Peer(peer)): ConnectInfo<limits::Peer>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    // JSON only: a web page cannot post a login without a CORS preflight.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            axum::Json(StoreError::Invalid("login: the body must be application/json".into())),
        )
            .into_response();
    }
    let read = tokio::time::timeout(shared.body_timeout, axum::body::to_bytes(request.into_body(), 64 * 1024)).await;
    let body = match read {
        Ok(Ok(b)) => b,
        Err(_) => return too_slow(shared.body_timeout),
        Ok(Err(_)) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(StoreError::Invalid("login: the body is over 64 KiB".into())),
            )
                .into_response();
        }
    };
    let body: LoginBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return malformed(format!("login body: {e}")),
    };
    let store = shared.store.clone();
    let from = workstation(&headers, peer);
    match blocking(move || store.login_from(&body.username, &body.password, &from)).await {
        Ok(Ok(session)) => {
            shared.gate.know(peer.ip());
            ok(serde_json::to_value(session).unwrap_or_default())
        }
        Ok(Err(e)) | Err(e) => error(e),
    }
}

async fn logout(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let session = match session(&headers) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    shared.recognised.forget(&Recognised::key(&session));
    let store = shared.store.clone();
    let key = crate::files::sha256_hex(session.token.as_bytes());
    match blocking(move || store.logout(&session)).await {
        Ok(Ok(())) => {
            // The session's relay ticket ends with it.
            if let Some(relay) = &shared.relay {
                relay.revoke(&key);
            }
            ok(serde_json::Value::Null)
        }
        Ok(Err(e)) | Err(e) => error(e),
    }
}

/// Who the request's token belongs to, asked before anything else of the request is read: nothing is
/// parsed, checked or remembered for a request without a live session.
async fn authenticated(shared: &Shared, headers: &HeaderMap) -> Result<(Session, String), StoreError> {
    let session = session(headers)?;
    let key = Recognised::key(&session);
    let clock = shared.store.clock();
    if let Some(username) = shared.recognised.get(&key, clock.monotonic()) {
        return Ok((session, username));
    }
    let store = shared.store.clone();
    let asked = session.clone();
    let username = blocking(move || store.identify(&asked)).await??;
    shared.recognised.put(key, username.clone(), clock.monotonic());
    Ok((session, username))
}

/// The body, read only now (after authentication), up to [`BODY_LIMIT`] and within the body timeout.
async fn read_body(shared: &Shared, request: axum::extract::Request) -> Result<Bytes, Response> {
    match tokio::time::timeout(shared.body_timeout, axum::body::to_bytes(request.into_body(), BODY_LIMIT)).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(_)) => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(StoreError::Invalid(format!("the body is over {BODY_LIMIT} bytes"))),
        )
            .into_response()),
        Err(_) => Err(too_slow(shared.body_timeout)),
    }
}

/// A body that did not arrive in time: 408, and the connection is closed.
fn too_slow(limit: std::time::Duration) -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        [(header::CONNECTION, "close")],
        axum::Json(StoreError::Invalid(format!("the body did not arrive within {} s", limit.as_secs()))),
    )
        .into_response()
}

async fn call(
    State(shared): State<Shared>,
    Path(method): Path<String>,
    ConnectInfo(limits::Peer(peer)): ConnectInfo<limits::Peer>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let (session, username) = match authenticated(&shared, &headers).await {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let body = match read_body(&shared, request).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let args: serde_json::Value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return malformed(format!("the body is not JSON: {e}")),
        }
    };
    let key = headers.get(IDEMPOTENCY_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // Only writes are remembered: a read is simply answered again, so that no answer is kept that
    // carries what a read may carry (the playable camera URLs, the accounts) and a replay never skips
    // the permission a read is checked against today.
    if let Some(key) = &key
        && (!(16..=100).contains(&key.len()) || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return malformed(format!("header `{IDEMPOTENCY_HEADER}`: 16 to 100 letters, digits or '-'"));
    }
    if method == "camera_streams" {
        return camera_streams(&shared, session, args, &headers).await;
    }
    let writes = api::call_kind(&method).is_some_and(api::CallKind::writes);
    let Some(key) = key.filter(|_| writes) else {
        return run_call(&shared, session, method, args).await.0;
    };
    // One keyed call at a time: the answer is remembered before the next one looks.
    let _one = shared.keyed.lock().await;
    let store = shared.store.clone();
    let (lookup, user) = (key.clone(), username.clone());
    // What was asked: the arguments as they arrived, whatever their spacing, as a keyed digest (a
    // password among the arguments cannot be tried offline against it).
    let asked = match shared.store.request_digest(&method, &args.to_string()) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    match blocking(move || store.remembered_answer(&user, &lookup)).await {
        Ok(Ok(Some(done))) => {
            if done.method != method || (!done.request_sha256.is_empty() && done.request_sha256 != asked) {
                return error(StoreError::Conflict(format!(
                    "idempotency key {key} was already used for another request; use a new key for a new request"
                )));
            }
            let (status, answer) = (done.status, done.answer);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return (
                status,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::HeaderName::from_static(REPLAYED_HEADER), "true"),
                ],
                answer,
            )
                .into_response();
        }
        Ok(Ok(None)) => {}
        Ok(Err(e)) | Err(e) => return error(e),
    }
    let (response, remember) = run_call(&shared, session, method.clone(), args).await;
    let Some((status, answer)) = remember else { return response };
    let store = shared.store.clone();
    let from = workstation(&headers, peer);
    match blocking(move || store.remember_answer(&username, &key, (&method, &asked), &from, status, &answer)).await {
        Ok(Ok(())) => response,
        Ok(Err(e)) | Err(e) => error(e),
    }
}

/// `camera_streams` through the server, which never hands out a camera's password: with the relay,
/// each stream is the relay's with this session's ticket (for the cameras the session was given, until
/// it would end); without one, the camera's own URL without its credentials.
async fn camera_streams(shared: &Shared, session: Session, args: serde_json::Value, headers: &HeaderMap) -> Response {
    let store = shared.store.clone();
    let key = crate::files::sha256_hex(session.token.as_bytes());
    // Through the one dispatch (its checks of the arguments and its errors), then taken apart here.
    let text = match dispatched(blocking(move || api::dispatch(&*store, &session, "camera_streams", args)).await) {
        Ok(text) => text,
        Err((status, e)) => return (status, axum::Json(e)).into_response(),
    };
    let mut streams: Vec<crate::store::CameraStream> = match serde_json::from_str(&text) {
        Ok(s) => s,
        Err(e) => return error(StoreError::Backend(format!("camera_streams: {e}"))),
    };
    match &shared.relay {
        Some(relay) => {
            let sources: Vec<crate::video::relay::Source> = streams
                .iter()
                .map(|s| crate::video::relay::Source {
                    camera_id: s.id,
                    main_url: s.main_url.clone(),
                    sub_url: s.sub_url.clone(),
                })
                .collect();
            relay.mount(&sources);
            let now = shared.store.clock().now();
            let ids: Vec<i64> = streams.iter().map(|s| s.id).collect();
            let until = now + chrono::Duration::hours(crate::store::sqlite::SESSION_HOURS);
            let ticket = match relay.ticket(&key, &ids, until, now) {
                Ok(t) => t,
                Err(e) => return error(StoreError::Backend(e.to_string())),
            };
            let host = request_host(headers).unwrap_or_else(|| shared.bound.ip().to_string());
            let url = |id: i64, sub: bool| {
                format!(
                    "rtsp://{}:{}@{host}:{}{}",
                    ticket.user,
                    ticket.password,
                    relay.port(),
                    crate::video::relay::path(id, sub)
                )
            };
            for s in &mut streams {
                s.main_url = url(s.id, false);
                s.sub_url = s.sub_url.is_some().then(|| url(s.id, true));
            }
        }
        None => {
            for s in &mut streams {
                s.main_url = crate::domain::hall::split_credentials(&s.main_url).0;
                s.sub_url = s.sub_url.as_deref().map(|u| crate::domain::hall::split_credentials(u).0);
            }
        }
    }
    match serde_json::to_string(&streams) {
        Ok(text) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => error(StoreError::Backend(e.to_string())),
    }
}

/// The host a request was sent to (its `Host` header without the port), when it is a plain host name
/// or address: the consoles reach the relay by the name they reach the server by.
fn request_host(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::HOST)?.to_str().ok()?;
    let host = if value.starts_with('[') {
        &value[..=value.find(']')?]
    } else {
        value.rsplit_once(':').map_or(value, |(h, _)| h)
    };
    let plain = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    plain.then(|| host.to_owned())
}

/// A dispatched call's answer, or the status and error to answer with.
fn dispatched(outcome: Result<Result<String, DispatchError>, StoreError>) -> Result<String, (StatusCode, StoreError)> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(DispatchError::Store(e))) | Err(e) => Err((status_of(&e), e)),
        Ok(Err(DispatchError::Arguments(m))) => Err((StatusCode::BAD_REQUEST, StoreError::Invalid(m))),
        Ok(Err(DispatchError::Rules(m))) => Err((StatusCode::UNPROCESSABLE_ENTITY, StoreError::Invalid(m))),
        Ok(Err(DispatchError::Unknown(m))) => Err((StatusCode::NOT_FOUND, StoreError::NotFound(format!("method {m}")))),
    }
}

/// Runs a call; also returns the answer to remember for an idempotency key (a definite answer: a
/// result or a store's refusal, not a failure of the server itself).
async fn run_call(
    shared: &Shared,
    session: Session,
    method: String,
    args: serde_json::Value,
) -> (Response, Option<(u16, String)>) {
    let store = shared.store.clone();
    let name = method.clone();
    match dispatched(blocking(move || api::dispatch(&*store, &session, &name, args)).await) {
        Ok(text) => {
            let response = (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], text.clone()).into_response();
            (response, Some((200, text)))
        }
        Err((status, e)) => {
            let remember = (!matches!(
                e,
                StoreError::Backend(_)
                    | StoreError::SessionExpired
                    | StoreError::Unreachable(_)
                    | StoreError::Queued(_)
            ))
            .then(|| (status.as_u16(), serde_json::to_string(&e).unwrap_or_default()));
            ((status, axum::Json(e)).into_response(), remember)
        }
    }
}

/// The records of a push as JSON lines (a JSON array is turned into one line per record).
fn push_lines(body: &[u8]) -> Result<String, StoreError> {
    let text = std::str::from_utf8(body).map_err(|e| StoreError::Invalid(format!("the body is not UTF-8: {e}")))?;
    Ok(match serde_json::from_str::<Vec<serde_json::Value>>(text) {
        Ok(records) => records.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n"),
        Err(_) => text.to_owned(),
    })
}

/// Imports what can be imported of a push: records the store refuses (an unknown item, say) are taken
/// out and the rest imported again, in one transaction each time.
pub fn import_push(store: &dyn Store, session: &Session, body: &[u8]) -> Result<PushAnswer, StoreError> {
    let lines = push_lines(body)?;
    let received = lines.lines().filter(|l| !l.trim().is_empty()).count();
    if received == 0 {
        return Err(StoreError::Invalid("the push holds no records".into()));
    }
    let (mut batch, mut rejected) = interchange::parse_events_each("push", &lines);
    let mut report = None;
    let mut accepted = 0;
    // Each pass takes out what the store refused; every pass takes out at least one record, so this ends.
    while let interchange::Records::Events(events) = &mut batch.records {
        if events.is_empty() {
            break;
        }
        let records: std::collections::BTreeSet<u64> = events.iter().map(|e| e.line).collect();
        match store.import(session, &batch) {
            Ok(r) => {
                // Counted from what was written, not from what was sent.
                accepted = records.len();
                report = Some(r);
                break;
            }
            Err(StoreError::Input(InputErrors { errors, .. })) if errors.iter().any(|e| records.contains(&e.line)) => {
                let bad: std::collections::BTreeSet<u64> = errors.iter().map(|e| e.line).collect();
                if let interchange::Records::Events(events) = &mut batch.records {
                    events.retain(|e| !bad.contains(&e.line));
                }
                rejected.extend(errors);
            }
            Err(e) => return Err(e),
        }
    }
    rejected.sort_by_key(|e| e.line);
    Ok(PushAnswer { received, accepted, rejected, report })
}

/// The approval system's push: case events as a JSON array or JSON lines.
async fn push_events(State(shared): State<Shared>, headers: HeaderMap, request: axum::extract::Request) -> Response {
    let session = match authenticated(&shared, &headers).await {
        Ok((s, _)) => s,
        Err(e) => return error(e),
    };
    let body = match read_body(&shared, request).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match std::str::from_utf8(&body) {
        Err(e) => return malformed(format!("the body is not UTF-8: {e}")),
        Ok(text) if text.trim().is_empty() || text.trim() == "[]" => {
            return malformed("the push holds no records".into());
        }
        Ok(_) => {}
    }
    let store = shared.store.clone();
    let answer = blocking(move || import_push(&*store, &session, &body).map(|a| (a, body))).await;
    match answer {
        Ok(Ok((answer, body))) => {
            // The store told the waiting consoles when the import committed; the city hears of it too.
            if answer.report.as_ref().is_some_and(|r| r.inserted + r.updated > 0)
                && let Some(forward) = &shared.forward
            {
                forward.send(&body);
            }
            let status = if answer.accepted == 0 && answer.received > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, axum::Json(answer)).into_response()
        }
        Ok(Err(e)) | Err(e) => error(e),
    }
}

/// A `Range` that starts past the end of the file (HTTP 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeNotSatisfiable;

/// A byte range of a file of `len` bytes from a `Range` header (one range; anything else is the whole
/// file).
pub fn byte_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, RangeNotSatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else { return Ok(None) };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(start), Ok(end)) if end >= start => (start, end.min(len.saturating_sub(1))),
        (Ok(start), Err(_)) if b.is_empty() => (start, len.saturating_sub(1)),
        (Err(_), Ok(suffix)) if a.is_empty() && suffix > 0 => (len.saturating_sub(suffix), len.saturating_sub(1)),
        _ => return Ok(None),
    };
    if start >= len {
        return Err(RangeNotSatisfiable);
    }
    Ok(Some((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_follow_rfc_9110() {
        assert_eq!(byte_range(None, 1000), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-99"), 1000), Ok(Some((0, 99))));
        assert_eq!(byte_range(Some("bytes=900-"), 1000), Ok(Some((900, 999))));
        assert_eq!(byte_range(Some("bytes=-100"), 1000), Ok(Some((900, 999))));
        assert_eq!(byte_range(Some("bytes=990-5000"), 1000), Ok(Some((990, 999))), "clamped to the end");
        assert_eq!(byte_range(Some("bytes=1000-"), 1000), Err(RangeNotSatisfiable));
        assert_eq!(byte_range(Some("bytes=0-1,5-9"), 1000), Ok(None), "several ranges: the whole file");
        assert_eq!(byte_range(Some("items=0-9"), 1000), Ok(None));
        assert_eq!(byte_range(Some("bytes=9-3"), 1000), Ok(None));
    }
}

/// What leaves the server of a segment: its bytes (or the asked range of them), their length in all,
/// their SHA-256, and — when the grant covers only part of the segment — where the clip starts.
struct Served {
    bytes: Vec<u8>,
    range: Option<(u64, u64)>,
    len: u64,
    sha256: String,
    clip: Option<String>,
}

/// Reads what a grant lets leave of a segment file: the whole file when the grant covers it, otherwise
/// only the packets inside the grant (`ts::clip`), so that a one-second grant never carries a minute.
fn serve_segment(
    data_dir: &std::path::Path,
    granted: &crate::store::GrantedSegment,
    range: Option<&str>,
) -> Result<Served, StoreError> {
    use std::io::{Read as _, Seek as _};
    let segment = &granted.segment;
    let relative = std::path::Path::new(&segment.path);
    if !relative.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return Err(StoreError::Backend(format!("segment {} has a bad path", segment.id)));
    }
    let path = crate::video::recorder::footage_root(data_dir).join(relative);
    let missing = |e: std::io::Error| StoreError::NotFound(format!("the file of segment {}: {e}", segment.id));
    let range_error = |len: u64| {
        move |RangeNotSatisfiable| StoreError::Invalid(format!("header `range`: past the end of {len} bytes"))
    };
    if granted.part != segment.span {
        let whole = std::fs::read(&path).map_err(missing)?;
        let from = granted.part.from - segment.span.from;
        let clip = crate::video::ts::clip(&whole, from, granted.part.to - segment.span.from);
        let len = clip.bytes.len() as u64;
        let sha256 = crate::files::sha256_hex(&clip.bytes);
        let range = byte_range(range, len).map_err(range_error(len))?;
        let bytes = match range {
            Some((start, end)) => clip.bytes[start as usize..=end as usize].to_vec(),
            None => clip.bytes,
        };
        let clip = match clip.from_ms {
            Some(ms) => format!("{}-{}", segment.span.from + ms, granted.part.to),
            None => "none".to_owned(),
        };
        return Ok(Served { bytes, range, len, sha256, clip: Some(clip) });
    }
    let mut file = std::fs::File::open(&path).map_err(missing)?;
    let len = file.metadata().map_err(missing)?.len();
    let range = byte_range(range, len).map_err(range_error(len))?;
    let (start, end) = range.unwrap_or((0, len.saturating_sub(1)));
    let mut bytes = vec![0; usize::try_from(end + 1 - start).unwrap_or(0).min(64 * 1024 * 1024)];
    file.seek(std::io::SeekFrom::Start(start)).map_err(missing)?;
    file.read_exact(&mut bytes).map_err(missing)?;
    Ok(Served { bytes, range, len, sha256: segment.sha256.clone(), clip: None })
}

/// Footage in remote mode: the bytes of one segment of a grant (`open_footage`), whole or a `Range`.
/// The store checks that the grant is the caller's, still valid, and covers the segment; only the
/// part the grant covers leaves the server.
async fn footage_file(
    State(shared): State<Shared>,
    Path((access_id, segment_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (session, username) = match authenticated(&shared, &headers).await {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let (Ok(access_id), Ok(segment_id)) = (access_id.parse::<i64>(), segment_id.parse::<i64>()) else {
        return malformed("the path is /api/v1/footage/ACCESS_ID/SEGMENT_ID, both numbers".into());
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let store = shared.store.clone();
    let asked_range = range.clone();
    // The grant is checked here, for every segment wherever it is kept.
    let granted = match blocking(move || store.footage_segment(&session, access_id, segment_id)).await {
        Ok(Ok(g)) => g,
        Ok(Err(e)) | Err(e) => return error(e),
    };
    if let Some(holder) = granted.segment.holder.clone()
        && Some(&holder) != shared.store.holder().as_ref()
    {
        return peer::fetch(&shared, holder, username, access_id, segment_id, asked_range).await;
    }
    let store = shared.store.clone();
    let read = blocking(move || {
        let data_dir = store.data_dir().unwrap_or(std::path::Path::new("."));
        serve_segment(data_dir, &granted, range.as_deref())
    })
    .await;
    peer::segment_answer(read)
}

/// The query of `/api/v1/changes`: `since` (the counter last seen) and `wait` (seconds to wait for a
/// change, at most 30), both optional; anything else is refused naming it.
#[derive(Debug, Default, PartialEq, Eq)]
struct ChangesQuery {
    since: u64,
    wait: u64,
}

impl ChangesQuery {
    fn parse(query: Option<&str>) -> Result<Self, String> {
        let mut q = ChangesQuery::default();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = || value.parse::<u64>().map_err(|_| format!("query `{key}`: {value:?} is not a whole number"));
            match key {
                "since" => q.since = number()?,
                "wait" => {
                    q.wait = number()?;
                    if q.wait > 30 {
                        return Err(format!("query `wait`: {} seconds is over the 30 a wait may last", q.wait));
                    }
                }
                _ => {
                    return Err(format!("query `{}`: unknown (since, wait)", key.chars().take(40).collect::<String>()));
                }
            }
        }
        Ok(q)
    }
}

/// What `GET /api/v1/health` answers to a logged-in caller. Nothing about people. An anonymous caller
/// (a hall's monitoring) is told only `{"status": "ok"}` or `{"status": "failing"}` (then 503), from
/// the server's own probe: it neither learns the version nor takes the database's lock.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Health {
    /// `ok`, or `failing` when the database does not answer (then with status 503).
    pub status: &'static str,
    pub version: &'static str,
    pub commit: &'static str,
    /// The database's schema version (none when it does not answer).
    pub schema_version: Option<i64>,
    /// Whether the database answered within 5 seconds.
    pub database: bool,
    /// The recorder: seconds since the end of the newest recorded segment (none before the first one),
    /// and whether that is longer than two segments and a half minute (`stale`), of how many cameras.
    pub newest_segment_age_seconds: Option<i64>,
    pub recording_stale: bool,
    pub cameras: u64,
}

/// Asks the database whether it answers, every [`HEALTH_PROBE`], for anonymous health checks.
async fn probe_health(store: Arc<SqlStore>, probed: Arc<std::sync::Mutex<Option<(std::time::Instant, bool)>>>) {
    loop {
        tokio::time::sleep(HEALTH_PROBE).await;
        probe_once(&store, &probed).await;
    }
}

/// How often the relay's tickets are checked against the sessions.
const TICKET_SWEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Ends the relay ticket of every session that ended other than by its logout (an administrator
/// disabled the account, changed its halls, role or password; its time ran out): within
/// [`TICKET_SWEEP`], its credentials open no camera.
async fn sweep_tickets(store: Arc<SqlStore>, relay: Arc<crate::video::relay::Relay>) {
    loop {
        tokio::time::sleep(TICKET_SWEEP).await;
        let keys = relay.keys();
        if keys.is_empty() {
            continue;
        }
        let asked = store.clone();
        match tokio::task::spawn_blocking(move || asked.live_session_keys()).await {
            Ok(Ok(live)) => {
                for key in keys.iter().filter(|k| !live.contains(*k)) {
                    relay.revoke(key);
                }
            }
            Ok(Err(e)) => tracing::warn!("relay tickets: the sessions could not be read: {e}"),
            Err(e) => tracing::warn!("relay tickets: {e}"),
        }
    }
}

async fn probe_once(store: &Arc<SqlStore>, probed: &std::sync::Mutex<Option<(std::time::Instant, bool)>>) {
    let asked = store.clone();
    let answered = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::task::spawn_blocking(move || asked.health().is_ok()),
    )
    .await
    .is_ok_and(|r| r.unwrap_or(false));
    *probed.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((store.clock().monotonic(), answered));
}

async fn health(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if authenticated(&shared, &headers).await.is_err() {
        let last = *shared.probed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Failing when the last probe failed, or none answered for three rounds.
        let fine = last.is_some_and(|(at, ok)| {
            ok && shared.store.clock().elapsed(at) < 3 * HEALTH_PROBE + std::time::Duration::from_secs(5)
        });
        let status = if fine { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        let body = serde_json::json!({ "status": if fine { "ok" } else { "failing" } });
        return (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response();
    }
    let store = shared.store.clone();
    let probe =
        tokio::time::timeout(std::time::Duration::from_secs(5), tokio::task::spawn_blocking(move || store.health()))
            .await;
    let found = match probe {
        Ok(Ok(Ok(found))) => Some(found),
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "health: the database did not answer");
            None
        }
        _ => None,
    };
    let mut answer = Health {
        status: if found.is_some() { "ok" } else { "failing" },
        version: crate::VERSION,
        commit: crate::COMMIT,
        schema_version: None,
        database: found.is_some(),
        newest_segment_age_seconds: None,
        recording_stale: false,
        cameras: 0,
    };
    if let Some(found) = found {
        let age = found.newest_segment_end.map(|end| (found.now - end).num_seconds().max(0));
        answer.schema_version = Some(found.schema_version);
        answer.newest_segment_age_seconds = age;
        answer.recording_stale = found.cameras > 0 && age.is_none_or(|a| a > 2 * i64::from(found.segment_seconds) + 30);
        answer.cameras = found.cameras;
    }
    let status = if answer.database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(answer)).into_response()
}

/// The change counter: answers at once when it is past `since`, otherwise when it moves or after
/// `wait` seconds. A console waits here and reloads as soon as another one (or the push API) writes.
async fn changes(
    State(shared): State<Shared>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let mut rx = shared.revision.subscribe();
    // Only a logged-in user's wait is held, and only a logged-in user's query is read; anyone else gets
    // the counter at once (the console's link check before login needs no more), so anonymous clients
    // cannot pile up open connections.
    if authenticated(&shared, &headers).await.is_err() {
        let revision = *rx.borrow();
        return ok(serde_json::json!({ "revision": revision }));
    }
    let q = match ChangesQuery::parse(query.as_deref()) {
        Ok(q) => q,
        Err(m) => return malformed(m),
    };
    let wait = std::time::Duration::from_secs(q.wait.min(30));
    let closing = shared.closing.clone();
    let _ = tokio::time::timeout(
        wait,
        rx.wait_for(move |r| *r > q.since || closing.load(std::sync::atomic::Ordering::Relaxed)),
    )
    .await;
    let revision = *rx.borrow();
    ok(serde_json::json!({ "revision": revision }))
}

/// 已阅 (issue 33): the page a message's link opens — what the message said and a button — and the
/// button's confirmation. No session: the 16-character code (80 random bits) is the proof, and it names
/// one message only. Opening the page confirms nothing (a chat's link preview fetches it); the button
/// does.
async fn read_receipt(
    State(shared): State<Shared>,
    method: axum::http::Method,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Response {
    let store = shared.store.clone();
    let confirm = method == axum::http::Method::POST;
    let found =
        tokio::task::spawn_blocking(move || if confirm { store.confirm_read(&code) } else { store.peek_read(&code) })
            .await;
    let page = |status: StatusCode, body: String| {
        let html = format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>电子监察 已阅确认</title></head><body style=\"font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em\">{body}</body></html>"
        );
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html)
            .into_response()
    };
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    match found {
        Ok(Ok(Some(r))) if confirm || r.again => {
            let at = crate::domain::time::local_datetime(r.read_at).format("%Y-%m-%d %H:%M");
            page(
                StatusCode::OK,
                format!(
                    "<h2>已阅确认</h2><p>{}</p><p>{}，已于 {at} 确认已阅。</p>",
                    escape(&r.text),
                    escape(&r.person)
                ),
            )
        }
        Ok(Ok(Some(r))) => page(
            StatusCode::OK,
            format!(
                "<h2>电子监察提醒</h2><p>{}</p><p>{}</p><form method=\"post\"><button type=\"submit\" style=\"font-size:1.2em;padding:.4em 1.5em\">确认已阅</button></form>",
                escape(&r.text),
                escape(&r.person)
            ),
        ),
        Ok(Ok(None)) => page(StatusCode::NOT_FOUND, "<h2>无此确认码</h2><p>链接有误或已失效。</p>".into()),
        _ => page(StatusCode::SERVICE_UNAVAILABLE, "<h2>暂时无法确认</h2><p>请稍后再试。</p>".into()),
    }
}

/// The OpenAPI 3.1 document (see `openapi`).
pub fn openapi() -> serde_json::Value {
    openapi::document()
}

/// The routes over `store`, behind the request checks.
fn router(shared: Shared, checks: limits::Checks) -> Router {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/call/{method}", post(call))
        .route("/api/v1/events", post(push_events))
        .route("/api/v1/changes", get(changes))
        .route("/api/v1/footage/{access_id}/{segment_id}", get(footage_file))
        .route("/api/v1/peer/footage/{access_id}/{segment_id}", get(peer::peer_footage))
        .route("/api/v1/openapi.json", get(|| async { axum::Json(openapi()) }))
        .route("/api/v1/health", get(health))
        .route("/r/{code}", get(read_receipt).post(read_receipt))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
        .layer(axum::middleware::from_fn_with_state(checks, limits::check_request))
}

/// A server running on its own thread (tests and `jiancha serve`).
pub struct ServerHandle {
    pub addr: SocketAddr,
    /// The camera relay's RTSP port, when the server relays.
    pub relay_port: Option<u16>,
    tls: bool,
    gate: limits::Gate,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    pub fn url(&self) -> String {
        format!("{}://{}", if self.tls { "https" } else { "http" }, self.addr)
    }

    /// The connections the server holds open now (tests wait on it rather than sleep).
    pub fn open_connections(&self) -> usize {
        self.gate.open()
    }

    /// Stops accepting, finishes the calls in flight, and returns.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// HTTPS with this PEM certificate chain and private key.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Forward accepted pushes to an upper-level server; the forwarding outbox lives in `data_dir`.
    pub forward: Option<(std::path::PathBuf, forward::ForwardTo)>,
    /// What one client may take (connections, request rate) and the host names answered to.
    pub limits: limits::Limits,
    /// Relay the cameras' streams to the consoles from this address (RTSP; port 0 picks a free one).
    pub relay: Option<SocketAddr>,
    /// One of several servers of a database (the store has a holder name): fetch the segments other
    /// servers hold from them, trusting this certificate authority for `https://` ones.
    pub peers: Option<Option<std::path::PathBuf>>,
}

/// Serves `store` on `addr` (port 0 picks a free one) over plain HTTP from a thread of its own.
pub fn spawn(store: Arc<SqlStore>, addr: SocketAddr) -> Result<ServerHandle, String> {
    spawn_with(store, addr, &ServeOptions::default())
}

/// Serves `store` on `addr` as `options` say.
pub fn spawn_with(store: Arc<SqlStore>, addr: SocketAddr, options: &ServeOptions) -> Result<ServerHandle, String> {
    let tls = match &options.tls {
        Some((cert, key)) => Some(tls::server_config(cert, key)?),
        None => None,
    };
    let forward = match &options.forward {
        Some((dir, to)) => {
            Some(forward::Forwarder::start(dir, to.clone(), store.clock(), store.clone()).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("jiancha-http")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let closing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let revision = Arc::new(tokio::sync::watch::Sender::new(0));
    // Every write that changes data, through any call or push, moves the counter consoles wait on.
    let counter = revision.clone();
    store.set_change_listener(Arc::new(move || counter.send_modify(|r| *r += 1)));
    let relay = match options.relay {
        Some(at) => Some(Arc::new(
            crate::video::relay::Relay::start(at).map_err(|e| format!("cannot relay the cameras on {at}: {e}"))?,
        )),
        None => None,
    };
    let relay_port = relay.as_ref().map(|r| r.port());
    let peers = match &options.peers {
        Some(ca_cert) => Some(peer::client(ca_cert.as_deref())?),
        None => None,
    };
    let probed = Arc::new(std::sync::Mutex::new(None));
    runtime.block_on(probe_once(&store, &probed));
    runtime.spawn(probe_health(store.clone(), probed.clone()));
    if let Some(relay) = &relay {
        runtime.spawn(sweep_tickets(store.clone(), relay.clone()));
    }
    let limits = Arc::new(options.limits.clone());
    let checks =
        limits::Checks { limits: limits.clone(), meter: limits::Meter::new(limits.clone()), clock: store.clock() };
    let gate = limits::Gate::new(limits.clone());
    let handle_gate = gate.clone();
    let shared = Shared {
        store,
        revision: revision.clone(),
        keyed: Arc::new(tokio::sync::Mutex::new(())),
        forward,
        closing: closing.clone(),
        probed,
        gate: gate.clone(),
        body_timeout: limits.body_timeout,
        recognised: Arc::new(Recognised::default()),
        relay,
        bound,
        peers,
    };
    let app = router(shared, checks);
    let header_timeout = options.limits.header_timeout;
    let thread = std::thread::Builder::new()
        .name("jiancha-serve".into())
        .spawn(move || {
            let stopped = async move {
                let _ = stop_rx.await;
                // Wake the consoles waiting for changes, so that the shutdown need not wait for them.
                closing.store(true, std::sync::atomic::Ordering::Relaxed);
                revision.send_modify(|_| {});
            };
            let served = runtime.block_on(async move {
                match tls {
                    None => limits::serve(limits::plain(listener, gate)?, app, header_timeout, stopped).await,
                    Some(config) => {
                        let acceptor = tokio_rustls::TlsAcceptor::from(config);
                        limits::serve(limits::tls(listener, gate, acceptor)?, app, header_timeout, stopped).await;
                    }
                }
                Ok::<(), std::io::Error>(())
            });
            if let Err(e) = served {
                tracing::error!(error = %e, "the HTTP server stopped");
            }
        })
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    Ok(ServerHandle {
        addr: bound,
        relay_port,
        tls: options.tls.is_some(),
        gate: handle_gate,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}
