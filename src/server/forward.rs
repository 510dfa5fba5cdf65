//! Forwarding (Art 5(5), upper and lower level systems interconnected): a county or branch hall's
//! server passes the case events pushed to it on to the city's server (`jiancha serve --forward URL
//! --forward-user NAME`, password from `JIANCHA_FORWARD_PASSWORD`).
//!
//! Each accepted push is first kept in `DIR/forward-outbox.db` (the same outbox as a console's), then
//! sent in order by a thread of its own, again and again while the city cannot be reached. The city's
//! import is idempotent, so a push sent twice after a lost answer changes nothing.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use crate::clock::Clock;
use crate::store::outbox::Outbox;
use crate::store::remote::{Connection, RemoteStore};
use crate::store::{Session, Store, StoreError};

/// The outbox file of a forwarding server.
pub const FORWARD_OUTBOX_FILE: &str = "forward-outbox.db";

/// Where and as whom to forward.
#[derive(Debug, Clone)]
pub struct ForwardTo {
    pub upstream: Connection,
    pub username: String,
    pub password: String,
}

/// The handle the server uses: hands accepted pushes to the forwarding thread.
#[derive(Clone)]
pub struct Forwarder {
    outbox: Arc<Outbox>,
    wake: Sender<()>,
    clock: Arc<dyn Clock>,
}

impl Forwarder {
    /// Opens the outbox in `data_dir` and starts the forwarding thread.
    pub fn start(data_dir: &Path, to: ForwardTo, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let outbox = Arc::new(Outbox::open(&data_dir.join(FORWARD_OUTBOX_FILE))?);
        let upstream = RemoteStore::connect(&to.upstream)?;
        let (wake, woken) = channel();
        let thread_outbox = outbox.clone();
        let thread_clock = clock.clone();
        std::thread::Builder::new()
            .name("jiancha-forward".into())
            .spawn(move || forward_loop(&upstream, &to, &thread_outbox, &woken, thread_clock.as_ref()))
            .map_err(|e| StoreError::Backend(format!("cannot start the forwarding thread: {e}")))?;
        Ok(Self { outbox, wake, clock })
    }

    /// Keeps a push for the city (on disk before this returns) and wakes the sender.
    pub fn send(&self, body: &[u8]) {
        let key = format!("fw-{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body)));
        let text = String::from_utf8_lossy(body);
        match self.outbox.push(&key, "forward", "events", &text, self.clock.now()) {
            Ok(()) => {
                let _ = self.wake.send(());
            }
            Err(e) => tracing::error!(error = %e, "cannot keep a push for forwarding"),
        }
    }

    /// Pushes still waiting to be forwarded.
    pub fn waiting(&self) -> usize {
        self.outbox.len()
    }
}

fn forward_loop(upstream: &RemoteStore, to: &ForwardTo, outbox: &Outbox, woken: &Receiver<()>, clock: &dyn Clock) {
    let mut session: Option<Session> = None;
    loop {
        let delivered = deliver(upstream, to, outbox, &mut session, clock);
        let pause = if delivered { Duration::from_secs(60) } else { Duration::from_secs(3) };
        match woken.recv_timeout(pause) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                if outbox.is_empty() {
                    return;
                }
                std::thread::sleep(pause);
            }
        }
    }
}

/// Sends what waits; `true` when nothing is left.
fn deliver(
    upstream: &RemoteStore,
    to: &ForwardTo,
    outbox: &Outbox,
    session: &mut Option<Session>,
    clock: &dyn Clock,
) -> bool {
    let pending = match outbox.pending() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "forwarding outbox");
            return false;
        }
    };
    for entry in pending {
        let current = match session.clone() {
            Some(s) => s,
            None => match upstream.login(&to.username, &to.password) {
                Ok(s) => {
                    *session = Some(s.clone());
                    s
                }
                Err(e) => {
                    tracing::warn!(error = %e, upstream = upstream.url(), "cannot log in to forward");
                    return false;
                }
            },
        };
        match upstream.push_events(&current, &entry.args) {
            Ok(answer) => {
                let refused = (!answer.rejected.is_empty())
                    .then(|| answer.rejected.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
                if let Some(r) = &refused {
                    tracing::warn!(refused = %r, "the city refused some forwarded records");
                }
                if let Err(e) = outbox.done(&entry, refused.as_deref(), clock.now()) {
                    tracing::error!(error = %e, "forwarding outbox");
                    return false;
                }
            }
            Err(StoreError::SessionExpired) => {
                *session = None;
                return false;
            }
            Err(e) if e.is_offline() => return false,
            Err(e) => {
                tracing::warn!(error = %e, "the city refused a forwarded push");
                if outbox.done(&entry, Some(&e.to_string()), clock.now()).is_err() {
                    return false;
                }
            }
        }
    }
    true
}
