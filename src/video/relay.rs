//! The server's camera relay (issue 32): an RTSP server in `jiancha serve` that passes each camera's
//! streams on to the consoles — `rtsp://HOST:PORT/relay/ID/main` and `…/sub`, the camera's own H.264
//! repacketised, never transcoded — so that camera passwords stay on the server (and the recorder) and
//! consoles need no route to the camera network.
//!
//! A console is let in with a ticket: a user name and password of its own that the server hands out
//! with `camera_streams` for one session, good for the cameras that call gave (the session's halls) and
//! until the session would end or logs out. A ticket is a basic-authentication entry of the RTSP server whose role
//! only the ticket's cameras' mounts accept; another camera's mount answers as if the ticket were wrong.
//! A media is built when the first console watches a stream and shared by all who watch it.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

use super::VideoError;

/// A camera to relay: its id and its URLs as the recorder plays them (credentials included).
#[derive(Clone, PartialEq, Eq)]
pub struct Source {
    pub camera_id: i64,
    pub main_url: String,
    pub sub_url: Option<String>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("camera_id", &self.camera_id).finish_non_exhaustive()
    }
}

/// The credentials of one ticket, for the URLs handed to its console.
#[derive(Clone, PartialEq, Eq)]
pub struct Ticket {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket").field("user", &self.user).finish_non_exhaustive()
    }
}

struct Issued {
    ticket: Ticket,
    basic: String,
    cameras: BTreeSet<i64>,
    until: DateTime<Utc>,
}

struct Mounted {
    source: Source,
    factories: Vec<rtsp::RTSPMediaFactory>,
}

#[derive(Default)]
struct State {
    mounted: HashMap<i64, Mounted>,
    /// By the session's key (a digest of its token: the token itself is never kept).
    issued: HashMap<String, Issued>,
    next: u64,
}

/// The running relay; stops (closing every connection) when dropped.
pub struct Relay {
    port: u16,
    mounts: rtsp::RTSPMountPoints,
    auth: rtsp::RTSPAuth,
    state: Arc<Mutex<State>>,
    main_loop: glib::MainLoop,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("port", &self.port).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The mount path of a camera's stream.
pub fn path(camera_id: i64, sub: bool) -> String {
    format!("/relay/{camera_id}/{}", if sub { "sub" } else { "main" })
}

/// Whether `url` is a stream of a server's relay (what the wall's tile says).
pub fn is_relayed(url: &str) -> bool {
    url.split_once("://").and_then(|(_, rest)| rest.split_once('/')).is_some_and(|(_, path)| path.starts_with("relay/"))
}

/// The launch line of a relayed stream: the camera's H.264 taken off RTP and put on again.
fn launch(url: &str) -> String {
    let escaped = url.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "( rtspsrc location=\"{escaped}\" protocols=tcp latency=200 \
         ! rtph264depay ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
}

/// 24 random bytes as hex: a ticket's password.
fn random_secret() -> Result<String, VideoError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| VideoError::Pipeline("no randomness for a ticket".into()))?;
    Ok(hex::encode(bytes))
}

impl Relay {
    /// Starts relaying on `addr` (port 0 picks a free one; see [`Relay::port`]), with no camera yet.
    pub fn start(addr: SocketAddr) -> Result<Relay, VideoError> {
        gst::init().map_err(|e| VideoError::Init(e.to_string()))?;
        super::check_elements(super::RELAY_ELEMENTS)?;
        type Ready = Result<(glib::MainLoop, u16, rtsp::RTSPMountPoints, rtsp::RTSPAuth), VideoError>;
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Ready>(1);
        let thread = std::thread::Builder::new()
            .name("jiancha-relay".into())
            .spawn(move || {
                let context = glib::MainContext::new();
                let result = context.with_thread_default(|| serve(&context, addr, &ready_tx));
                if let Err(e) = result {
                    let _ = ready_tx.send(Err(VideoError::Pipeline(format!("cannot own the GLib context: {e}"))));
                }
            })
            .map_err(|e| VideoError::Pipeline(format!("cannot start the relay thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok((main_loop, port, mounts, auth))) => Ok(Relay {
                port,
                mounts,
                auth,
                state: Arc::new(Mutex::new(State::default())),
                main_loop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(VideoError::Pipeline("the relay thread ended before it started".into())),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Mounts the cameras not mounted yet, and again those whose URLs changed; the tickets already
    /// handed out keep their cameras.
    pub fn mount(&self, sources: &[Source]) {
        let mut state = lock(&self.state);
        for source in sources {
            if state.mounted.get(&source.camera_id).is_some_and(|m| m.source == *source) {
                continue;
            }
            let mut factories = Vec::new();
            for (url, sub) in [(Some(&source.main_url), false), (source.sub_url.as_ref(), true)] {
                let path = path(source.camera_id, sub);
                self.mounts.remove_factory(&path);
                let Some(url) = url else { continue };
                let factory = rtsp::RTSPMediaFactory::new();
                factory.set_launch(&launch(url));
                factory.set_shared(true);
                self.mounts.add_factory(&path, factory.clone());
                factories.push(factory);
            }
            // Whoever held this camera's old mounts is let into the new ones.
            let roles: Vec<String> = state
                .issued
                .values()
                .filter(|i| i.cameras.contains(&source.camera_id))
                .map(|i| i.ticket.user.clone())
                .collect();
            for factory in &factories {
                for role in &roles {
                    allow(factory, role);
                }
            }
            state.mounted.insert(source.camera_id, Mounted { source: source.clone(), factories });
        }
    }

    /// The ticket of the session `key` for `cameras` until `until`: the one it has, widened to these
    /// cameras and its time extended, or a new one. Tickets whose time is up are forgotten first.
    pub fn ticket(
        &self,
        key: &str,
        cameras: &[i64],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, VideoError> {
        let mut state = lock(&self.state);
        let expired: Vec<String> =
            state.issued.iter().filter(|(_, i)| i.until <= now).map(|(k, _)| k.clone()).collect();
        for k in expired {
            if let Some(gone) = state.issued.remove(&k) {
                self.auth.remove_basic(&gone.basic);
            }
        }
        if !state.issued.contains_key(key) {
            state.next += 1;
            let user = format!("t{}", state.next);
            let password = random_secret()?;
            let basic = rtsp::RTSPAuth::make_basic(&user, &password).to_string();
            let token = rtsp::RTSPToken::builder().field(rtsp::RTSP_TOKEN_MEDIA_FACTORY_ROLE, user.as_str()).build();
            self.auth.add_basic(&basic, &token);
            let issued = Issued { ticket: Ticket { user, password }, basic, cameras: BTreeSet::new(), until };
            state.issued.insert(key.to_owned(), issued);
        }
        let role = state.issued.get(key).map(|i| i.ticket.user.clone()).unwrap_or_default();
        let new: Vec<i64> = {
            let issued = state.issued.get(key);
            cameras.iter().copied().filter(|c| !issued.is_some_and(|i| i.cameras.contains(c))).collect()
        };
        for camera in &new {
            if let Some(m) = state.mounted.get(camera) {
                for factory in &m.factories {
                    allow(factory, &role);
                }
            }
        }
        let issued = state.issued.get_mut(key).ok_or_else(|| VideoError::Pipeline("ticket lost".into()))?;
        issued.cameras.extend(new);
        issued.until = issued.until.max(until);
        Ok(issued.ticket.clone())
    }

    /// Ends the ticket of session `key` (its logout): its credentials open nothing from now on.
    pub fn revoke(&self, key: &str) {
        if let Some(gone) = lock(&self.state).issued.remove(key) {
            self.auth.remove_basic(&gone.basic);
        }
    }

    /// The sessions (their keys) holding a ticket: the server ends those whose session has ended.
    pub fn keys(&self) -> Vec<String> {
        lock(&self.state).issued.keys().cloned().collect()
    }

    /// The tickets handed out and not yet expired (the server's health figures).
    pub fn tickets(&self) -> usize {
        lock(&self.state).issued.len()
    }

    fn shutdown(&mut self) {
        let main_loop = self.main_loop.clone();
        self.main_loop.context().invoke(move || main_loop.quit());
        self.main_loop.quit();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Lets the ticket of `role` watch `factory`'s stream.
fn allow(factory: &rtsp::RTSPMediaFactory, role: &str) {
    factory.add_role_from_structure(
        &gst::Structure::builder(role)
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
            .build(),
    );
}

type ReadySender = mpsc::SyncSender<Result<(glib::MainLoop, u16, rtsp::RTSPMountPoints, rtsp::RTSPAuth), VideoError>>;

fn serve(context: &glib::MainContext, addr: SocketAddr, ready: &ReadySender) {
    let server = rtsp::RTSPServer::new();
    server.set_address(&addr.ip().to_string());
    server.set_service(&addr.port().to_string());
    let Some(mounts) = server.mount_points() else {
        let _ = ready.send(Err(VideoError::Pipeline("the RTSP server has no mount points".into())));
        return;
    };
    // Nobody without a ticket: the default token is none, every mount needs a ticket's role.
    let auth = rtsp::RTSPAuth::new();
    server.set_auth(Some(&auth));
    let source = match server.attach(Some(context)) {
        Ok(id) => id,
        Err(_) => {
            let _ = ready.send(Err(VideoError::PortBusy(addr.port())));
            return;
        }
    };
    let bound = u16::try_from(server.bound_port()).unwrap_or(addr.port());
    let main_loop = glib::MainLoop::new(Some(context), false);
    let stop_listening = |context: &glib::MainContext| {
        if let Some(s) = context.find_source_by_id(&source) {
            s.destroy();
        }
    };
    if ready.send(Ok((main_loop.clone(), bound, mounts, auth))).is_err() {
        stop_listening(context);
        return;
    }
    main_loop.run();
    server.client_filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
    stop_listening(context);
    while context.iteration(false) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relayed_urls_are_told_by_their_path() {
        assert!(is_relayed("rtsp://t1:abc@jiancha.hall:8554/relay/7/sub"));
        assert!(!is_relayed("rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101"));
        assert!(!is_relayed("rtsp://10.0.0.5/relay"));
        assert_eq!(path(7, true), "/relay/7/sub");
        assert_eq!(path(7, false), "/relay/7/main");
    }

    #[test]
    fn a_camera_url_is_quoted_in_the_launch_line() {
        let line = launch(r#"rtsp://u:p"a\b@h/x"#);
        assert!(line.contains(r#"location="rtsp://u:p\"a\\b@h/x""#), "{line}");
    }
}
