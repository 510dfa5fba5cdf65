//! Footage kept where it was recorded (issue 32): a segment held by another server of the database is
//! fetched from it for the console, server to server, and never stored on this one.
//!
//! The asking server has checked its user's session and grant; it passes the request on to the holder
//! (`GET /api/v1/peer/footage/ACCESS/SEGMENT`, the console's `Range` with it) with a credential only
//! servers of the database can make ([`crate::store::sqlite::PeerRequest`]) naming the user; the holder
//! checks the credential first, then the grant again for that user, and sends only what the grant
//! covers, exactly as it would to its own console. The answer goes back to the console as it came.

use super::*;
use crate::store::sqlite::PeerRequest;

/// The scheme of the `Authorization` header of a server-to-server fetch: `JianchaPeer FROM:TIME:MAC`.
const SCHEME: &str = "JianchaPeer ";
/// The user whose grant a server-to-server fetch is for.
pub const FOR_HEADER: &str = "x-jiancha-for";
/// How long the holder has to answer.
const PEER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The HTTP client a server fetches other servers' footage with (their certificates from `ca_cert`).
pub fn client(ca_cert: Option<&std::path::Path>) -> Result<reqwest::Client, String> {
    crate::store::remote::install_crypto();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(PEER_TIMEOUT)
        .pool_idle_timeout(std::time::Duration::from_secs(10))
        .tcp_nodelay(true);
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| format!("{}: not a PEM certificate: {e}", path.display()))?;
        builder = builder.tls_certs_merge([cert]);
    }
    builder.build().map_err(|e| format!("the HTTP client for other servers: {e}"))
}

/// The answer of one segment's bytes (local or passed on), with the headers the console checks.
pub(super) fn segment_response(served: Served) -> Response {
    let Served { bytes, range, len, sha256, clip } = served;
    let mut response = match range {
        Some((start, end)) => {
            (StatusCode::PARTIAL_CONTENT, [(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))], bytes)
                .into_response()
        }
        None => (StatusCode::OK, bytes).into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::ACCEPT_RANGES, header::HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("video/mp2t"));
    if let Ok(v) = header::HeaderValue::from_str(&sha256) {
        h.insert(header::HeaderName::from_static(SEGMENT_SHA256_HEADER), v);
    }
    if let Some(v) = clip.and_then(|c| header::HeaderValue::from_str(&c).ok()) {
        h.insert(header::HeaderName::from_static(CLIP_HEADER), v);
    }
    response
}

/// The answer to a segment read: its bytes, or the error (a range past the end is 416).
pub(super) fn segment_answer(read: Result<Result<Served, StoreError>, StoreError>) -> Response {
    match read {
        Ok(Ok(served)) => segment_response(served),
        Ok(Err(StoreError::Invalid(m))) if m.starts_with("header `range`") => {
            (StatusCode::RANGE_NOT_SATISFIABLE, axum::Json(StoreError::Invalid(m))).into_response()
        }
        Ok(Err(e)) | Err(e) => error(e),
    }
}

/// Passes a console's read of a segment `holder` keeps on to that server, for `user`'s grant.
pub(super) async fn fetch(
    shared: &Shared,
    holder: String,
    user: String,
    access_id: i64,
    segment_id: i64,
    range: Option<String>,
) -> Response {
    let Some(client) = shared.peers.clone() else {
        return error(StoreError::HolderDown {
            holder,
            reason: "this server does not fetch from other servers (no `name` in its server.toml)".into(),
        });
    };
    let store = shared.store.clone();
    let asked = holder.clone();
    let passed = range.clone();
    let for_user = user.clone();
    let prepared = blocking(move || -> Result<(String, String), StoreError> {
        let url = store.holder_url(&asked)?.ok_or_else(|| StoreError::HolderDown {
            holder: asked.clone(),
            reason: "it has never told the database where it answers (is it started with `name` and `peer_url`?)"
                .into(),
        })?;
        let request = PeerRequest {
            from: store.holder().unwrap_or_default(),
            time: store.clock().now().timestamp(),
            user,
            access_id,
            segment_id,
            range: passed.unwrap_or_default(),
        };
        let credential = store.peer_credential(&request)?;
        Ok((url, format!("{SCHEME}{}:{}:{credential}", request.from, request.time)))
    })
    .await;
    let (base, authorization) = match prepared {
        Ok(Ok(p)) => p,
        Ok(Err(e)) | Err(e) => return error(e),
    };
    let down =
        |reason: &str| error(StoreError::HolderDown { holder: holder.clone(), reason: format!("{reason} ({base})") });
    let mut request = client
        .get(format!("{base}/api/v1/peer/footage/{access_id}/{segment_id}"))
        .header(header::AUTHORIZATION, authorization)
        .header(FOR_HEADER, for_user);
    if let Some(range) = &range {
        request = request.header(header::RANGE, range);
    }
    let answer = match request.send().await {
        Ok(a) => a,
        Err(e) if e.is_timeout() => return down(&format!("no answer within {} s", PEER_TIMEOUT.as_secs())),
        Err(e) if e.is_connect() => return down("cannot connect to it"),
        Err(_) => return down("the request to it failed"),
    };
    let status = answer.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return down("it did not accept this server's credential: do both servers have the same camera.key?");
    }
    if status.is_server_error() {
        return down(&format!("it answered {status}"));
    }
    let kept: Vec<(header::HeaderName, header::HeaderValue)> = answer
        .headers()
        .iter()
        .filter(|(name, _)| {
            [header::CONTENT_RANGE, header::ACCEPT_RANGES, header::CONTENT_TYPE].contains(name)
                || name.as_str() == SEGMENT_SHA256_HEADER
                || name.as_str() == CLIP_HEADER
        })
        .filter_map(|(name, value)| {
            Some((
                header::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?,
                header::HeaderValue::from_bytes(value.as_bytes()).ok()?,
            ))
        })
        .collect();
    let body = match answer.bytes().await {
        Ok(b) => b,
        Err(_) => return down("the transfer from it broke off"),
    };
    let mut response = (StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY), body).into_response();
    for (name, value) in kept {
        response.headers_mut().insert(name, value);
    }
    response
}

/// `GET /api/v1/peer/footage/ACCESS/SEGMENT` from another server of the database: the credential is
/// checked before anything else of the request is used (a request that cannot be read is answered as
/// an unknown credential), then the grant for the user named, then the bytes as to a console.
pub(super) async fn peer_footage(
    State(shared): State<Shared>,
    Path((access_id, segment_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(authorization) = text(header::AUTHORIZATION.as_str()) else {
        return error(StoreError::SessionExpired);
    };
    let Some((from, time, credential)) = authorization.strip_prefix(SCHEME).and_then(|rest| {
        let mut parts = rest.splitn(3, ':');
        Some((parts.next()?.to_owned(), parts.next()?.parse::<i64>().ok()?, parts.next()?.to_owned()))
    }) else {
        return error(StoreError::SessionExpired);
    };
    let (Ok(access_id), Ok(segment_id), Some(user)) =
        (access_id.parse::<i64>(), segment_id.parse::<i64>(), text(FOR_HEADER))
    else {
        return error(StoreError::SessionExpired);
    };
    let range = text(header::RANGE.as_str());
    let request = PeerRequest { from, time, user, access_id, segment_id, range: range.clone().unwrap_or_default() };
    let store = shared.store.clone();
    let read = blocking(move || -> Result<Served, StoreError> {
        let granted = store.peer_segment(&request, &credential)?;
        let data_dir = store.data_dir().unwrap_or(std::path::Path::new("."));
        serve_segment(data_dir, &granted, range.as_deref())
    })
    .await;
    segment_answer(read)
}
