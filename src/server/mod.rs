//! `jiancha serve`: the store over HTTP (axum), for consoles and halls working against one server.
//!
//! Endpoints (all JSON): `POST /api/v1/login` → a session with its bearer token; `POST /api/v1/logout`;
//! `POST /api/v1/call/{method}` (see `store::api`); `POST /api/v1/events` (the approval system's push of
//! case events, INTERCHANGE.md records as a JSON array or JSON lines); `GET /api/v1/openapi.json`;
//! `GET /api/v1/health`. Every store call runs on the blocking pool; permissions and the audit log are
//! the store's, exactly as for a local console.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::domain::access::Role;
use crate::interchange::{self, ImportKind};
use crate::store::api::{self, DispatchError};
use crate::store::{Session, Store, StoreError};

/// The largest request body accepted (an import of a day's events fits easily).
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Clone)]
struct Shared {
    store: Arc<dyn Store>,
}

/// The HTTP status of a store error.
pub fn status_of(e: &StoreError) -> StatusCode {
    match e {
        StoreError::BadCredentials | StoreError::SessionExpired => StatusCode::UNAUTHORIZED,
        StoreError::Forbidden { .. } | StoreError::Refused(_) => StatusCode::FORBIDDEN,
        StoreError::NotFound(_) => StatusCode::NOT_FOUND,
        StoreError::Invalid(_) | StoreError::Input(_) => StatusCode::BAD_REQUEST,
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        StoreError::Locked { .. } => StatusCode::LOCKED,
        StoreError::Backend(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error(e: StoreError) -> Response {
    (status_of(&e), axum::Json(e)).into_response()
}

fn ok(value: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
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

async fn login(State(shared): State<Shared>, body: Bytes) -> Response {
    let body: LoginBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return error(StoreError::Invalid(format!("login body: {e}"))),
    };
    let store = shared.store.clone();
    match blocking(move || store.login(&body.username, &body.password)).await {
        Ok(Ok(session)) => ok(serde_json::to_value(session).unwrap_or_default()),
        Ok(Err(e)) | Err(e) => error(e),
    }
}

async fn logout(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let session = match session(&headers) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let store = shared.store.clone();
    match blocking(move || store.logout(&session)).await {
        Ok(Ok(())) => ok(serde_json::Value::Null),
        Ok(Err(e)) | Err(e) => error(e),
    }
}

async fn call(State(shared): State<Shared>, Path(method): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let session = match session(&headers) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let args: serde_json::Value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return error(StoreError::Invalid(format!("the body is not JSON: {e}"))),
        }
    };
    let store = shared.store.clone();
    match blocking(move || api::dispatch(&*store, &session, &method, args)).await {
        Ok(Ok(value)) => ok(value),
        Ok(Err(DispatchError::Store(e))) | Err(e) => error(e),
        Ok(Err(DispatchError::Arguments(m))) => error(StoreError::Invalid(m)),
        Ok(Err(DispatchError::Unknown(m))) => error(StoreError::NotFound(format!("method {m}"))),
    }
}

/// The approval system's push: case events as a JSON array or JSON lines, imported like a file.
async fn push_events(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let session = match session(&headers) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let lines = match serde_json::from_str::<Vec<serde_json::Value>>(&text) {
        Ok(records) => records.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n"),
        Err(_) => text,
    };
    let batch = match interchange::parse(ImportKind::Events, "push", &lines) {
        Ok(b) => b,
        Err(errors) => return error(StoreError::Input(errors)),
    };
    let store = shared.store.clone();
    match blocking(move || store.import(&session, &batch)).await {
        Ok(Ok(report)) => ok(serde_json::to_value(report).unwrap_or_default()),
        Ok(Err(e)) | Err(e) => error(e),
    }
}

/// An OpenAPI 3.1 document listing every endpoint and the arguments of every store call.
pub fn openapi() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    let json_body = |schema: serde_json::Value| serde_json::json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let answers = serde_json::json!({
        "200": {"description": "the result as JSON"},
        "400": {"description": "bad arguments; the error names the argument and field"},
        "401": {"description": "no token, or the session has ended"},
        "403": {"description": "the role may not do this"},
        "404": {"description": "no such record or method"}
    });
    paths.insert(
        "/api/v1/login".into(),
        serde_json::json!({"post": {"summary": "log in; answers the session with its bearer token",
            "requestBody": json_body(serde_json::json!({"type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}})),
            "responses": answers.clone()}}),
    );
    paths.insert(
        "/api/v1/logout".into(),
        serde_json::json!({"post": {"summary": "end the session", "responses": answers.clone()}}),
    );
    paths.insert(
        "/api/v1/events".into(),
        serde_json::json!({"post": {"summary": "push case events (INTERCHANGE.md records, a JSON array or JSON lines); idempotent",
            "requestBody": json_body(serde_json::json!({"type": "array", "items": {"type": "object"}})),
            "responses": answers.clone()}}),
    );
    for (method, args) in api::METHODS {
        let items: Vec<serde_json::Value> = args.iter().map(|a| serde_json::json!({"title": a})).collect();
        paths.insert(
            format!("/api/v1/call/{method}"),
            serde_json::json!({"post": {"summary": format!("Store::{method}({})", args.join(", ")),
                "security": [{"bearer": []}],
                "requestBody": json_body(serde_json::json!({"type": "array", "prefixItems": items,
                    "minItems": args.len(), "maxItems": args.len()})),
                "responses": answers.clone()}}),
        );
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Jiancha 监察台 API", "version": env!("CARGO_PKG_VERSION")},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths
    })
}

/// The routes over `store`.
pub fn router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/call/{method}", post(call))
        .route("/api/v1/events", post(push_events))
        .route("/api/v1/openapi.json", get(|| async { axum::Json(openapi()) }))
        .route("/api/v1/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(Shared { store })
}

/// A server running on its own thread (tests and `jiancha serve`).
pub struct ServerHandle {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerHandle {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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

/// Serves `store` on `addr` (port 0 picks a free one) from a thread of its own.
pub fn spawn(store: Arc<dyn Store>, addr: SocketAddr) -> Result<ServerHandle, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("jiancha-http")
        .enable_io()
        .build()
        .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = router(store);
    let thread = std::thread::Builder::new()
        .name("jiancha-serve".into())
        .spawn(move || {
            let served = runtime.block_on(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await
            });
            if let Err(e) = served {
                tracing::error!(error = %e, "the HTTP server stopped");
            }
        })
        .map_err(|e| format!("cannot start the server thread: {e}"))?;
    Ok(ServerHandle { addr: bound, stop: Some(stop_tx), thread: Some(thread) })
}
