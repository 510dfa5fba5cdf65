//! Forwarding (Art 5(5), upper and lower level systems interconnected): a county or branch hall's
//! server passes the case events pushed to it on to the city's server (`jiancha serve --forward URL
//! --forward-user NAME`, password from `JIANCHA_FORWARD_PASSWORD`).
//!
//! Each accepted push is first kept in `DIR/forward-outbox.db` (the same outbox as a console's), then
//! sent in order by a thread of its own, again and again while the city cannot be reached. The city's
//! import is idempotent, so a push sent twice after a lost answer changes nothing.
//!
//! The same thread forwards this database's audit chain head (`SEQ:MAC`) whenever it has moved, so
//! that the city keeps each county's anchors outside the county's database (`record_audit_anchor`).

use crate::store::prelude::*;
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
    /// Opens the outbox in `data_dir` and starts the forwarding thread; `anchors` is the database whose
    /// chain head goes up too.
    pub fn start(
        data_dir: &Path,
        to: ForwardTo,
        clock: Arc<dyn Clock>,
        anchors: Arc<crate::store::sqlite::SqlStore>,
    ) -> Result<Self, StoreError> {
        let outbox = Arc::new(Outbox::open(&data_dir.join(FORWARD_OUTBOX_FILE))?);
        let upstream = RemoteStore::connect(&to.upstream)?;
        let (wake, woken) = channel();
        let thread_outbox = outbox.clone();
        let thread_clock = clock.clone();
        std::thread::Builder::new()
            .name("jiancha-forward".into())
            .spawn(move || forward_loop(&upstream, &to, &thread_outbox, &woken, thread_clock.as_ref(), &anchors))
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

fn forward_loop(
    upstream: &RemoteStore,
    to: &ForwardTo,
    outbox: &Outbox,
    woken: &Receiver<()>,
    clock: &dyn Clock,
    anchors: &crate::store::sqlite::SqlStore,
) {
    let mut session: Option<Session> = None;
    let mut sent_anchor: Option<crate::store::AuditAnchor> = None;
    loop {
        let delivered = deliver(upstream, to, outbox, &mut session, clock)
            && send_anchor(upstream, to, &mut session, anchors, &mut sent_anchor);
        let pause = if delivered { Duration::from_secs(60) } else { Duration::from_secs(3) };
        match woken.recv_timeout(pause) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                if outbox.is_empty() {
                    return;
                }
                clock.sleep(pause);
            }
        }
    }
}

/// The session on the city's server, logging in when there is none.
fn logged_in(upstream: &RemoteStore, to: &ForwardTo, session: &mut Option<Session>) -> Option<Session> {
    if session.is_none() {
        match upstream.login(&to.username, &to.password) {
            Ok(s) => *session = Some(s),
            Err(e) => tracing::warn!(error = %e, upstream = upstream.url(), "cannot log in to forward"),
        }
    }
    session.clone()
}

/// Sends this database's chain head when it moved since the last one sent; `true` when done.
fn send_anchor(
    upstream: &RemoteStore,
    to: &ForwardTo,
    session: &mut Option<Session>,
    anchors: &crate::store::sqlite::SqlStore,
    sent: &mut Option<crate::store::AuditAnchor>,
) -> bool {
    let (source, anchor) = match anchors.anchor_to_forward() {
        Ok(Some(found)) => found,
        Ok(None) => return true,
        Err(e) => {
            tracing::warn!(error = %e, "the audit chain head to forward");
            return true;
        }
    };
    if sent.as_ref() == Some(&anchor) {
        return true;
    }
    let Some(current) = logged_in(upstream, to, session) else { return false };
    match upstream.record_audit_anchor(&current, &source, &anchor) {
        Ok(()) => {
            *sent = Some(anchor);
            true
        }
        Err(StoreError::SessionExpired) => {
            *session = None;
            false
        }
        Err(e) if e.is_offline() => false,
        Err(e) => {
            // Refused (the account may not push, say): said, and not tried again until the head moves.
            tracing::warn!(error = %e, "the city refused the audit chain head");
            *sent = Some(anchor);
            true
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
        let Some(current) = logged_in(upstream, to, session) else { return false };
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
