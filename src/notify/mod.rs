//! The notification sender (issue 33): a thread (`jiancha-notify`) in `jiancha serve` and in a console
//! that holds the database. Every few seconds it fills the outbox from the records (`notify_scan`),
//! claims what is due (`notify_claim`: a few at a time, under a lease, robots kept to their messages a
//! minute across servers), sends each over its channel and records the answer (`notify_finish`:
//! delivered, or retried after a backoff, or failed after the last attempt). Several servers on one
//! database share the outbox: a message is claimed by one of them at a time, and an event's message
//! to a person on a channel exists once.

pub mod bench;
pub mod channels;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, Sender as StopSender};
use std::time::Duration;

use crate::domain::notify::{Channel, ChannelSetup};
use crate::store::StoreError;
use crate::store::sqlite::{SendingChannel, SqlStore};

/// How many messages a server claims at once: all of them sent within the lease even if each timed out.
pub const BATCH: u32 = 8;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub queued: u32,
    pub delivered: u32,
    pub failed_attempts: u32,
}

/// One round: fill the outbox, then send what is due until nothing is left to claim.
/// `alert_rev` carries the alert revision from round to round (0 at the start: every open alert).
pub fn round(store: &SqlStore, server: &str, alert_rev: &mut i64) -> Result<Round, StoreError> {
    let channels: Vec<SendingChannel> = store.notify_channels_for_sending()?;
    let configured: Vec<Channel> = channels.iter().map(|c| c.setup.channel()).collect();
    let scan = store.notify_scan(&configured, *alert_rev)?;
    *alert_rev = scan.alert_rev;
    let mut out = Round { queued: scan.queued, ..Round::default() };
    let per_minute: BTreeMap<Channel, u32> = channels
        .iter()
        .filter_map(|c| match &c.setup {
            ChannelSetup::Wecom(r) | ChannelSetup::Dingtalk(r) => Some((c.setup.channel(), r.per_minute)),
            _ => None,
        })
        .collect();
    loop {
        let claimed = store.notify_claim(server, BATCH, &per_minute)?;
        if claimed.is_empty() {
            return Ok(out);
        }
        for message in claimed {
            let outcome = match channels.iter().find(|c| c.setup.channel() == message.channel) {
                Some(channel) => channels::send(channel, &message, store.clock().now().timestamp_millis()),
                None => Err(format!("{} is no longer set up", message.channel.key())),
            };
            match &outcome {
                Ok(_) => out.delivered += 1,
                Err(error) => {
                    out.failed_attempts += 1;
                    tracing::warn!(
                        message = message.id,
                        channel = message.channel.key(),
                        attempt = message.attempt,
                        "notification not delivered: {error}"
                    );
                }
            }
            store.notify_finish(message.id, server, &outcome)?;
        }
    }
}

/// The sender thread; stops when dropped.
pub struct Sender {
    stop: Option<StopSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sender {
    /// How often in service.
    pub const EVERY: Duration = Duration::from_secs(5);

    /// Starts sending as `server` (this server's name among those on the database): first lets go of
    /// the claims a previous run of it left, then a round every `every`.
    pub fn start(store: Arc<SqlStore>, server: String, every: Duration) -> std::io::Result<Sender> {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("jiancha-notify".into()).spawn(move || {
            match store.notify_release(&server) {
                Ok(n) if n > 0 => tracing::info!(messages = n, "notifications claimed before a restart go again"),
                Ok(_) => {}
                Err(e) => tracing::warn!("notifications: {e}"),
            }
            let mut alert_rev = 0;
            loop {
                match round(&store, &server, &mut alert_rev) {
                    Ok(r) if r.queued + r.delivered + r.failed_attempts > 0 => {
                        tracing::info!(
                            queued = r.queued,
                            delivered = r.delivered,
                            failed = r.failed_attempts,
                            "notifications"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("notifications: {e}"),
                }
                match stopped.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })?;
        Ok(Sender { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
