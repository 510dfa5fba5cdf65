//! The `NotifyStore` calls of the embedded database, and the sender's own side (not in the API): find
//! the events, claim messages, record each answer, confirm a 已阅.
//!
//! Each call is its ceremony (`read` / `write`: the session, the permission, the transaction and its
//! audit) around the SQL of `notify.rs`.

use std::collections::BTreeMap;

use super::*;
use crate::domain::notify::{Channel, ChannelSetup, NotifySettings};
use crate::store::prelude::*;
use crate::store::{NotifyLogQuery, NotifyRecord, NotifyView, ReadReceipt, SecretValue};

impl NotifyStore for SqlStore {
    fn notify_view(&self, session: &Session) -> Result<NotifyView, StoreError> {
        self.read(session, Permission::ConfigureHall, |r| {
            let (settings, saved) = notify::settings(r.conn, &r.rules)?;
            let channels = notify::channel_views(r.conn, &|b| self.camera_key.open(b))?;
            let (waiting, failed) = notify::counts(r.conn, &r.actor.scope.sql("hall_code"), r.now)?;
            Ok(NotifyView { settings, saved, channels, waiting, failed })
        })
    }

    fn set_notify_settings(&self, session: &Session, settings: &NotifySettings) -> Result<(), StoreError> {
        settings.validate().map_err(|(key, message)| StoreError::Invalid(format!("{key}: {message}")))?;
        self.write(session, Permission::ConfigureHall, |w| {
            // The people and rules of every hall: a city-wide administrator's.
            w.keep_to(None, "set_notify_settings")?;
            notify::save_settings(w.tx, settings, &w.actor.username, w.now)?;
            w.audit(
                "notify.settings",
                "notify",
                serde_json::json!({
                    "enabled": settings.enabled,
                    "people": settings.people.len(),
                    "rules": settings.rules.len(),
                    "templates": settings.templates.keys().map(|e| e.key()).collect::<Vec<_>>(),
                    "quiet_hours": settings.quiet_hours,
                    "per_hour": settings.per_hour,
                }),
            )?;
            Ok(())
        })
    }

    fn set_notify_channel(
        &self,
        session: &Session,
        setup: &ChannelSetup,
        secrets: &[SecretValue],
    ) -> Result<(), StoreError> {
        setup.validate().map_err(|(key, message)| StoreError::Invalid(format!("{key}: {message}")))?;
        self.write(session, Permission::ConfigureHall, |w| {
            w.keep_to(None, "set_notify_channel")?;
            let changed = notify::set_channel(
                w.tx,
                setup,
                secrets,
                (&|b| self.camera_key.open(b), &|s| self.camera_key.seal(s)),
                &w.actor.username,
                w.now,
            )?;
            // Which secrets changed, never their values.
            w.audit(
                "notify.channel",
                setup.channel().key(),
                serde_json::json!({ "setup": setup, "secrets_changed": changed }),
            )?;
            Ok(())
        })
    }

    fn notify_test(&self, session: &Session, channel: Channel, to: &str) -> Result<i64, StoreError> {
        let to = to.trim();
        let valid = match channel {
            Channel::Email => to.contains('@') && to.len() <= 254 && !to.contains([' ', '<', '>', ',', ';']),
            _ => to.len() == 11 && to.starts_with('1') && to.bytes().all(|b| b.is_ascii_digit()),
        };
        if !valid {
            return Err(StoreError::Invalid(match channel {
                Channel::Email => "to: not an e-mail address".into(),
                _ => "to: not a mainland mobile number (11 digits from 1)".into(),
            }));
        }
        self.write(session, Permission::ConfigureHall, |w| {
            let configured: bool =
                w.tx.query_row("SELECT count(*) FROM notify_channel WHERE channel = ?1", [channel.key()], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n > 0)?;
            if !configured {
                return Err(StoreError::Invalid(format!(
                    "{}（{}）尚未配置 (the channel is not set up)",
                    channel.label_zh(),
                    channel.key()
                )));
            }
            let (settings, _) = notify::settings(w.tx, &w.rules)?;
            let id = notify::test_message(w.tx, &settings, channel, to, &w.actor.username, w.now)?;
            w.audit(
                "notify.test",
                channel.key(),
                serde_json::json!({ "message": id, "to": crate::domain::notify::mask_address(to) }),
            )?;
            Ok(id)
        })
    }

    fn notify_log(&self, session: &Session, query: &NotifyLogQuery) -> Result<Vec<NotifyRecord>, StoreError> {
        self.read(session, Permission::ReadHall, |r| notify::log(r.conn, query, &r.actor.scope.sql("hall_code"), r.now))
    }
}

/// A channel as the sender uses it: its setup and its secrets in clear (in memory only).
#[derive(Clone)]
pub struct SendingChannel {
    pub setup: ChannelSetup,
    pub secrets: BTreeMap<String, String>,
}

impl std::fmt::Debug for SendingChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendingChannel").field("setup", &self.setup).finish_non_exhaustive()
    }
}

/// The sender's side: not calls of the API, made only by the process that holds the store.
impl SqlStore {
    /// The settings in force (the database's, else rules.toml's).
    pub fn notify_settings(&self) -> Result<NotifySettings, StoreError> {
        let rules = self.rules();
        self.with_conn(|conn| Ok(notify::settings(conn, &rules)?.0))
    }

    /// The channels with their secrets opened, for sending.
    pub fn notify_channels_for_sending(&self) -> Result<Vec<SendingChannel>, StoreError> {
        self.with_conn(|conn| {
            notify::channel_rows(conn)?
                .into_iter()
                .map(|(setup, sealed, _, _)| {
                    Ok(SendingChannel {
                        setup,
                        secrets: notify::unseal(sealed.as_deref(), &|b| self.camera_key.open(b))?,
                    })
                })
                .collect()
        })
    }

    /// Finds what should be told and fills the outbox (derived from the records, like alert rows: not
    /// audited); `alert_rev` as [`notify::scan`] takes it. The change listener hears of new messages.
    pub fn notify_scan(&self, channels: &[Channel], alert_rev: i64) -> Result<notify::ScanReport, StoreError> {
        let rules = self.rules();
        let report = self.with_tx(|tx| notify::scan(tx, &rules, channels, alert_rev, self.now()))?;
        if report.queued > 0 {
            self.backend.changed();
        }
        Ok(report)
    }

    /// Claims the messages whose time has come, for `server`.
    pub fn notify_claim(
        &self,
        server: &str,
        limit: u32,
        per_minute: &BTreeMap<Channel, u32>,
    ) -> Result<Vec<notify::Outgoing>, StoreError> {
        let rules = self.rules();
        self.with_tx(|tx| notify::claim(tx, server, limit, per_minute, self.now(), &rules))
    }

    /// Records a send's outcome (the gateway's answer, or the error); false when the claim had lapsed
    /// and another server took the message.
    pub fn notify_finish(&self, id: i64, server: &str, outcome: &Result<String, String>) -> Result<bool, StoreError> {
        let rules = self.rules();
        let done = self.with_tx(|tx| {
            let (settings, _) = notify::settings(tx, &rules)?;
            notify::finish(tx, &settings, id, server, outcome, self.now())
        })?;
        self.backend.changed();
        Ok(done)
    }

    /// Lets go of `server`'s claims (at its start: the previous run stopped mid-send).
    pub fn notify_release(&self, server: &str) -> Result<usize, StoreError> {
        self.with_tx(|tx| notify::release(tx, server))
    }

    /// The message a 已阅 link names, unconfirmed (`again`: confirmed before, at `read_at`).
    pub fn peek_read(&self, code: &str) -> Result<Option<ReadReceipt>, StoreError> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        self.with_conn(|conn| notify::peek(conn, &code))
    }

    /// 已阅 by the link or code a message carried (no session: the code is the proof, 80 random bits);
    /// audited as the local system the first time. `None`: no message has this code.
    pub fn confirm_read(&self, code: &str) -> Result<Option<ReadReceipt>, StoreError> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 16 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let session = self.system_session();
        self.write(&session, Permission::RecordFootage, |w| {
            let Some((id, receipt)) = notify::confirm(w.tx, &code, w.now)? else {
                w.unchanged();
                return Ok(None);
            };
            if receipt.again {
                w.unchanged();
            } else {
                w.audit(
                    "notify.read",
                    &format!("notify_message:{id}"),
                    serde_json::json!({ "person": receipt.person }),
                )?;
            }
            Ok(Some(receipt))
        })
    }
}
