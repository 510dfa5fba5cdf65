//! What one client may take of the server: connections (in all and per address), requests per second
//! per address, and which `Host` names the server answers to. TLS handshakes run in tasks of their own,
//! so a client that opens a connection and stays silent holds only its own connection.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::store::StoreError;

/// How much of the server one client may take.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Open connections in all; more are closed at once.
    pub max_connections: usize,
    /// Open connections from one address.
    pub per_client_connections: usize,
    /// Requests per second from one address, on average …
    pub requests_per_second: f64,
    /// … and at most this many at once (the bucket's size).
    pub burst: f64,
    /// Addresses the request rate does not apply to (the server's own machine by default: whoever is on
    /// it can reach the database file anyway). Connection limits apply to every address.
    pub unmetered: Vec<IpAddr>,
    /// Host names (besides IP addresses and `localhost`) the server answers to: the names consoles use
    /// in their server address (`--host-name`). Any other `Host` is refused (421), so that a web page
    /// whose name was pointed at the server (DNS rebinding) cannot talk to it.
    pub host_names: Vec<String>,
    /// How long a TLS handshake may take.
    pub handshake_timeout: Duration,
    /// How long a connection may take to send a request's head, counted from when the server waits
    /// for it: a new connection, or one idle between requests. A silent or slow client is closed then.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive once its head is in.
    pub body_timeout: Duration,
    /// Connections beyond `max_connections` kept for the addresses the server knows (its own machine,
    /// and those a user logged in from): a flood of strangers cannot shut the consoles and the
    /// recorder out.
    pub reserved_for_known: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            per_client_connections: 64,
            requests_per_second: 200.0,
            burst: 400.0,
            unmetered: vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)],
            host_names: Vec::new(),
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            reserved_for_known: 256,
        }
    }
}

/// The open connections, in all and per address, and the addresses known to the server.
#[derive(Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
    /// Addresses a user logged in from, with the order of their last login (no clock needed to forget
    /// the longest unseen), besides the unmetered ones.
    known: HashMap<IpAddr, u64>,
    /// The next login's order number.
    logins: u64,
}

/// How many known addresses are remembered; the longest unseen is forgotten first.
const KNOWN_ADDRESSES: usize = 4096;

/// Admits connections within the limits; each admitted one holds a [`Permit`] until it closes.
#[derive(Clone)]
pub struct Gate {
    limits: Arc<Limits>,
    counts: Arc<Mutex<Counts>>,
}

impl Gate {
    pub fn new(limits: Arc<Limits>) -> Self {
        Self { limits, counts: Arc::default() }
    }

    /// The connections open now (admitted, not yet closed).
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).total
    }

    /// A permit for a connection from `ip`, or `None` when it would pass a limit. Known addresses
    /// (the unmetered ones, and those a user logged in from) may use the reserve past the global cap.
    pub fn admit(&self, ip: IpAddr) -> Option<Permit> {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = counts.per_address.get(&ip).copied().unwrap_or(0);
        let known = self.limits.unmetered.contains(&ip) || counts.known.contains_key(&ip);
        let cap = self.limits.max_connections + if known { self.limits.reserved_for_known } else { 0 };
        if counts.total >= cap || mine >= self.limits.per_client_connections {
            return None;
        }
        counts.total += 1;
        counts.per_address.insert(ip, mine + 1);
        Some(Permit { ip, counts: self.counts.clone() })
    }
}

impl Gate {
    /// Remembers `ip` as a known client (a user logged in from it).
    pub fn know(&self, ip: IpAddr) {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.known.len() >= KNOWN_ADDRESSES && !counts.known.contains_key(&ip) {
            let oldest = counts.known.iter().min_by_key(|(_, at)| **at).map(|(ip, _)| *ip);
            if let Some(oldest) = oldest {
                counts.known.remove(&oldest);
            }
        }
        counts.logins += 1;
        let order = counts.logins;
        counts.known.insert(ip, order);
    }
}

/// One admitted connection; dropping it frees its place.
pub struct Permit {
    ip: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_address.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_address.remove(&self.ip);
            }
        }
    }
}

/// A connection with its permit: the place is freed when the connection is dropped.
pub struct Guarded {
    stream: TcpStream,
    _permit: Permit,
}

impl AsyncRead for Guarded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Connections ready to be served, handed over by the accept task.
pub struct Gated<Io> {
    ready: tokio::sync::mpsc::Receiver<(Io, SocketAddr)>,
    local: SocketAddr,
}

impl<Io: AsyncRead + AsyncWrite + Unpin + Send + 'static> axum::serve::Listener for Gated<Io> {
    type Io = Io;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept task ended (the runtime is stopping): nothing more comes.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Accepts TCP connections within the gate's limits on a task of its own (plain HTTP).
pub fn plain(tcp: TcpListener, gate: Gate) -> std::io::Result<Gated<Guarded>> {
    let local = tcp.local_addr()?;
    let (tx, ready) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        while let Some(guarded) = admit_next(&tcp, &gate).await {
            let addr = guarded.1;
            if tx.send(guarded).await.is_err() {
                break;
            }
            tracing::trace!(%addr, "connection admitted");
        }
    });
    Ok(Gated { ready, local })
}

/// Accepts TCP connections within the gate's limits and completes each TLS handshake on a task of
/// its own, within the handshake timeout; only finished handshakes reach the server.
pub fn tls(
    tcp: TcpListener,
    gate: Gate,
    acceptor: tokio_rustls::TlsAcceptor,
) -> std::io::Result<Gated<tokio_rustls::server::TlsStream<Guarded>>> {
    let local = tcp.local_addr()?;
    let timeout = gate.limits.handshake_timeout;
    let (tx, ready) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        while let Some((guarded, addr)) = admit_next(&tcp, &gate).await {
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(timeout, acceptor.accept(guarded)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send((stream, addr)).await;
                    }
                    Ok(Err(e)) => tracing::debug!(%addr, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
                }
            });
        }
    });
    Ok(Gated { ready, local })
}

/// The next connection the gate admits (others are closed at once).
async fn admit_next(tcp: &TcpListener, gate: &Gate) -> Option<(Guarded, SocketAddr)> {
    let mut refused = 0u64;
    loop {
        let (stream, addr) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        match gate.admit(addr.ip()) {
            Some(permit) => {
                let _ = stream.set_nodelay(true);
                return Some((Guarded { stream, _permit: permit }, addr));
            }
            None => {
                refused += 1;
                if refused.is_power_of_two() {
                    tracing::warn!(%addr, refused, "connection refused: too many open connections");
                }
                drop(stream);
            }
        }
    }
}

/// A token bucket per address.
#[derive(Clone)]
pub struct Meter {
    limits: Arc<Limits>,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl Meter {
    pub fn new(limits: Arc<Limits>) -> Self {
        Self { limits, buckets: Arc::default() }
    }

    /// Takes one request from `ip`'s bucket; `Err(seconds)` until the next one is allowed.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), f64> {
        if self.limits.unmetered.contains(&ip) {
            return Ok(());
        }
        let (rate, burst) = (self.limits.requests_per_second.max(0.001), self.limits.burst.max(1.0));
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 10_000 {
            // Forget the addresses whose bucket has filled up again.
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - *tokens) / rate)
        }
    }
}

/// Whether `host` (a `Host` header's value) is one the server answers to.
pub fn host_allowed(host: &str, names: &[String]) -> bool {
    let host = host.trim();
    // An IPv6 literal is bracketed; anything else may end in `:port`.
    let name = if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').is_some_and(|(ip, port)| {
            ip.parse::<std::net::Ipv6Addr>().is_ok() && (port.is_empty() || port.strip_prefix(':').is_some_and(is_port))
        });
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The state of the request checks.
#[derive(Clone)]
pub struct Checks {
    pub limits: Arc<Limits>,
    pub meter: Meter,
    /// The server's clock (the meter refills on its monotonic time).
    pub clock: Arc<dyn crate::clock::Clock>,
}

/// Refuses, before anything else, a request over its address's rate (429) or to a host name the
/// server does not answer to (421).
pub async fn check_request(
    State(checks): State<Checks>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    request: Request,
    next: Next,
) -> Response {
    if let Err(wait) = checks.meter.take(peer.ip(), checks.clock.monotonic()) {
        let seconds = wait.ceil().max(1.0) as u64;
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(StoreError::Refused(format!(
                "too many requests from {}: at most {} a second; try again in {seconds} s",
                peer.ip(),
                checks.limits.requests_per_second
            ))),
        )
            .into_response();
        if let Ok(v) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = hosts.next().and_then(|v| v.to_str().ok()).unwrap_or("");
    // Two `Host` headers are a request that means different things to different readers.
    if hosts.next().is_some() || !host_allowed(host, &checks.limits.host_names) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            axum::Json(StoreError::Refused(
                "this server does not answer to that host name (start it with `--host-name NAME` for each name consoles use)"
                    .into(),
            )),
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_ip_literals_localhost_or_listed() {
        let names = vec!["jiancha.hall.local".to_owned()];
        for ok in ["127.0.0.1:8730", "10.1.2.3", "[::1]:8730", "[fe80::1]", "localhost:8730", "JIANCHA.hall.local:443"]
        {
            assert!(host_allowed(ok, &names), "{ok}");
        }
        for refused in ["", "evil.example", "evil.example:8730", "127.0.0.1:port", "[::1", "[zz]:1", "10.0.0.1:123456"]
        {
            assert!(!host_allowed(refused, &names), "{refused}");
        }
    }

    #[test]
    fn the_meter_allows_a_burst_then_the_rate() {
        let limits = Limits { requests_per_second: 10.0, burst: 5.0, ..Limits::default() };
        let meter = Meter::new(Arc::new(limits));
        let ip = IpAddr::from([10, 0, 0, 7]);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(meter.take(ip, t0), Ok(()));
        }
        let wait = meter.take(ip, t0).expect_err("the burst is spent");
        assert!((wait - 0.1).abs() < 1e-9, "one token comes back in 0.1 s: {wait}");
        assert_eq!(meter.take(ip, t0 + Duration::from_millis(100)), Ok(()));
        assert!(meter.take(IpAddr::from([127, 0, 0, 1]), t0).is_ok(), "loopback is unmetered");
        assert!(meter.take(IpAddr::from([10, 0, 0, 8]), t0).is_ok(), "another address has its own bucket");
    }

    #[test]
    fn the_gate_counts_per_address_and_frees_on_drop() {
        let gate = Gate::new(Arc::new(Limits { max_connections: 3, per_client_connections: 2, ..Limits::default() }));
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let first = gate.admit(a).expect("first");
        let _second = gate.admit(a).expect("second");
        assert!(gate.admit(a).is_none(), "two per address");
        let _third = gate.admit(b).expect("another address");
        assert!(gate.admit(IpAddr::from([10, 0, 0, 3])).is_none(), "three in all");
        drop(first);
        assert!(gate.admit(a).is_some(), "a closed connection frees its place");
    }
}

/// Serves `app` on the gate's connections with HTTP/1.1 until `stop` resolves, then lets the requests
/// in flight finish (at most 35 s: a console's wait for changes is answered when the server closes).
/// Each connection gets the request-head timeout of the limits; every request carries its peer's
/// address as `ConnectInfo<Peer>`.
pub async fn serve<Io>(
    mut listener: Gated<Io>,
    app: axum::Router,
    header_timeout: Duration,
    stop: impl std::future::Future<Output = ()>,
) where
    Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            (io, addr) = axum::serve::Listener::accept(&mut listener) => {
                let routes = app.clone().layer(axum::Extension(ConnectInfo(Peer(addr))));
                let service = hyper_util::service::TowerToHyperService::new(routes);
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(hyper_util::rt::TokioIo::new(io), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::trace!(%addr, error = %e, "connection closed");
                    }
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(35), graceful.shutdown()).await;
}

/// The address a request comes from, over plain TCP or TLS.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl<Io> axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Gated<Io>>> for Peer
where
    Gated<Io>: axum::serve::Listener<Addr = SocketAddr>,
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, Gated<Io>>) -> Self {
        Peer(*stream.remote_addr())
    }
}
