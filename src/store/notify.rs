//! Notifications (issue 33): the hall's settings and channels, the test message and the delivery log.
//!
//! The `NotifyStore` calls and the types they take and give; `Store` requires every family. What the
//! sender does (find the events, claim messages, record the answer) is the server's own and not part
//! of the API: see `SqlStore::notify_scan` and its neighbours.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::notify::{Channel, ChannelSetup, NotifySettings};

use super::{Session, StoreError};

/// A secret of a channel as an administrator types it (the webhook, the signing secret, the mail
/// password). Sealed at once; never shown again, never in an answer, log or audit record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecretValue {
    pub name: String,
    /// Empty: remove the stored one.
    pub value: String,
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretValue").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A channel as configured: its setup and which secrets are stored (their names only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelView {
    pub setup: ChannelSetup,
    pub secrets_set: Vec<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// 系统管理 → 通知: the settings in force, where they come from, the channels and the outbox's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotifyView {
    pub settings: NotifySettings,
    /// Who saved the hall's own settings in the database, and when; none: rules.toml's `[notify]`.
    pub saved: Option<(String, DateTime<Utc>)>,
    pub channels: Vec<ChannelView>,
    /// Messages waiting to go (including those held for the quiet hours or the digest).
    pub waiting: u32,
    /// Messages given up in the last seven days.
    pub failed: u32,
}

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting to go (at its time, or after a failed attempt).
    Pending,
    /// Over the person's hourly limit: waits for the digest.
    Held,
    /// Went out in a digest.
    Digested,
    Delivered,
    /// Given up after the last attempt.
    Failed,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Held => "held",
            MessageState::Digested => "digested",
            MessageState::Delivered => "delivered",
            MessageState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<MessageState> {
        [
            MessageState::Pending,
            MessageState::Held,
            MessageState::Digested,
            MessageState::Delivered,
            MessageState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MessageState::Pending => "待发送",
            MessageState::Held => "待汇总",
            MessageState::Digested => "已汇总发送",
            MessageState::Delivered => "已送达",
            MessageState::Failed => "发送失败",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            MessageState::Pending => "Waiting",
            MessageState::Held => "Held for digest",
            MessageState::Digested => "Sent in a digest",
            MessageState::Delivered => "Delivered",
            MessageState::Failed => "Failed",
        }
    }
}

/// Which messages to list (通知记录).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotifyLogQuery {
    /// Made on these local days (inclusive); without them, the last seven days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub state: Option<MessageState>,
    /// Only this event (`alert:17:red`), e.g. to show an alert's receipts.
    pub event_key: Option<String>,
    /// At most this many (newest first); 0: 500.
    pub limit: u32,
}

/// One message of the delivery log: who, what, when, on which channel, with what result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NotifyRecord {
    pub id: i64,
    /// What it is about (`alert:17:red`, `notice:3:issued`, `test:…`, `digest:…`).
    pub event_key: String,
    /// The event's key in rules.toml (`alert_red`), `test` or `digest`.
    pub event: String,
    pub hall_code: Option<String>,
    pub person: String,
    pub channel: Channel,
    /// The mobile or address, masked (`139****5678`).
    pub address: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// When it may go (later than made: an SMS in the quiet hours).
    pub due_at: DateTime<Utc>,
    pub state: MessageState,
    pub attempts: u32,
    pub next_try_at: Option<DateTime<Utc>>,
    /// The gateway's last answer (status and the start of its body) or the error.
    pub answer: String,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the person confirmed having read it (已阅).
    pub read_at: Option<DateTime<Utc>>,
}

/// The 已阅 of one message, as its link answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReadReceipt {
    pub person: String,
    pub text: String,
    pub read_at: DateTime<Utc>,
    /// Already confirmed before (the time is the first confirmation's).
    pub again: bool,
}

/// Notifications: the hall's settings and channels, the test message and the delivery log.
pub trait NotifyStore: Send + Sync {
    /// The settings in force, the channels (secrets by name only) and the outbox's state
    /// (administrators).
    fn notify_view(&self, session: &Session) -> Result<NotifyView, StoreError>;
    /// Saves the hall's notification settings in the database (city-wide administrators); checked by
    /// key. From then on they, not rules.toml's `[notify]`, are in force on every server.
    fn set_notify_settings(&self, session: &Session, settings: &NotifySettings) -> Result<(), StoreError>;
    /// Sets a channel (city-wide administrators); each secret given replaces the stored one (an empty
    /// value removes it), the others stay. Secrets are sealed; the audit record names which changed.
    fn set_notify_channel(
        &self,
        session: &Session,
        setup: &ChannelSetup,
        secrets: &[SecretValue],
    ) -> Result<(), StoreError>;
    /// 测试发送: a test message on `channel` to a mobile or an address (administrators), sent by the
    /// sender like any other; its id, to follow it in the log.
    fn notify_test(&self, session: &Session, channel: Channel, to: &str) -> Result<i64, StoreError>;
    /// 通知记录: the messages of the caller's halls, newest first.
    fn notify_log(&self, session: &Session, query: &NotifyLogQuery) -> Result<Vec<NotifyRecord>, StoreError>;
}
