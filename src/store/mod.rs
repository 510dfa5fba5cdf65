//! Everything the console, the CLI and the server read and write, behind one trait.
//!
//! Rules of this module:
//! - [`Store`] knows nothing of SQLite: serde types in, serde types out, so that a remote implementation
//!   can speak it over HTTP.
//! - Every call is made by an authenticated [`Session`]; the implementation checks the caller's
//!   [`Permission`](crate::domain::access::Permission) and writes the audit record in the same
//!   transaction as the change.
//! - SQL lives only in [`sqlite`].

pub mod api;
pub mod outbox;
pub mod remote;
pub mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::domain::alerts::{Level, Rule};
use crate::domain::audit::{AuditRecord, ChainBreak};
use crate::domain::calendar::{Deadline, DeadlineState};
use crate::domain::hall::{HallConfig, HallDiff};
use crate::domain::model::{
    CaseEvent, CaseStatus, CaseSummary, CatalogueItem, Complaint, ComplaintChannel, Department, Hall, Staff, Window,
};
use crate::interchange::{ImportBatch, ImportKind, InputErrors};

pub use sqlite::SqliteStore;

/// An authenticated caller. The token is a bearer secret: never log or show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Session {
    pub token: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// An administrator reset the password: nothing but choosing a new one is allowed until then.
    #[serde(default)]
    pub must_change_password: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("username", &self.username).field("role", &self.role).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, schemars::JsonSchema)]
#[serde(tag = "error", content = "detail", rename_all = "snake_case")]
pub enum StoreError {
    #[error(
        "用户名或密码错误；连续 5 次错误后该账户在本机锁定 15 分钟 (wrong user name or password; five failures lock the account from this machine for 15 minutes)"
    )]
    BadCredentials,
    #[error("账户 {username} 因多次登录失败已锁定至 {until} (account locked after repeated failed logins)")]
    Locked { username: String, until: String },
    #[error("登录已过期，请重新登录 (the session has ended; log in again)")]
    SessionExpired,
    #[error("{role} 无权{} ({} may not {})", action_zh(.action), role_en(.role), action_en(.action))]
    Forbidden { role: String, action: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Input(InputErrors),
    #[error("{0}")]
    Conflict(String),
    /// A footage rule refused the action (own request, outside the approved range, expired …).
    #[error("{0}")]
    Refused(String),
    #[error("database error: {0}")]
    Backend(String),
    /// The server cannot be reached (remote backend): nothing was done.
    #[error("服务器无法连接 (the server cannot be reached): {0}")]
    Unreachable(String),
    /// The server cannot be reached; the write is kept in the outbox and sent when it is back.
    #[error("离线：已存入发件箱，恢复连接后自动发送 (offline: kept in the outbox, sent when the server is back) — {0}")]
    Queued(String),
}

impl StoreError {
    /// The server could not be reached (the console shows itself offline).
    pub fn is_offline(&self) -> bool {
        matches!(self, StoreError::Unreachable(_) | StoreError::Queued(_))
    }
}

/// This machine's name, as sessions opened here are recorded with.
pub fn local_workstation() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// A login account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Locked after repeated failed logins, until then (an administrator may unlock it sooner).
    #[serde(default)]
    pub locked_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_login_at: Option<DateTime<Utc>>,
    /// The password was reset: the user chooses a new one at the next login.
    #[serde(default)]
    pub must_change_password: bool,
    /// A change of this account that waits for a second person's confirmation (`AccountChange::id`).
    #[serde(default)]
    pub pending_change: Option<i64>,
}

/// What an account change that needs a second person does (dual authorisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountChangeKind {
    /// A new chief or administrator.
    Create,
    /// An account made a chief or an administrator.
    Role,
    /// A chief's or an administrator's password reset to a temporary one.
    Reset,
}

impl AccountChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountChangeKind::Create => "create",
            AccountChangeKind::Role => "role",
            AccountChangeKind::Reset => "reset",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AccountChangeKind::Create => "新建账户",
            AccountChangeKind::Role => "变更角色",
            AccountChangeKind::Reset => "重置密码",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AccountChangeKind::Create => "New account",
            AccountChangeKind::Role => "Role change",
            AccountChangeKind::Reset => "Password reset",
        }
    }
}

/// How an account change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountChangeOutcome {
    Confirmed,
    Refused,
    /// Taken back by the one who asked.
    Withdrawn,
}

/// A change of an account that makes or unlocks a chief or an administrator: it takes effect only when
/// a second person — another administrator or an active chief, never the one who asked nor the account
/// concerned — confirms it. Never carries a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccountChange {
    pub id: i64,
    pub kind: AccountChangeKind,
    pub username: String,
    /// For a new account: its name.
    pub display_name: Option<String>,
    /// The role the account gets (new account, role change); its role now for a reset.
    pub role: Option<Role>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub outcome: Option<AccountChangeOutcome>,
    pub note: String,
}

/// What an administrator changes about an account (`None`: leave as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// End a lock-out after failed logins.
    #[serde(default)]
    pub unlock: bool,
}

/// A camera as those who watch it open it: its URLs with the credentials in them. Handed out by one
/// call only (`camera_streams`), to the roles that watch; never logged (`Debug` hides the credentials).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraStream {
    pub id: i64,
    pub name: String,
    pub main_url: String,
    pub sub_url: Option<String>,
}

impl std::fmt::Debug for CameraStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::domain::model::redact_url;
        f.debug_struct("CameraStream")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("main_url", &redact_url(&self.main_url))
            .field("sub_url", &self.sub_url.as_deref().map(redact_url))
            .finish()
    }
}

/// A new account; the password is hashed with Argon2id by the store.
#[derive(Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewUser {
    #[schemars(regex(pattern = r"^[a-z0-9._-]{1,64}$"))]
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[schemars(length(min = 8))]
    pub password: String,
}

/// A camera to add to a hall; `window_code` links it to the window it watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewCamera {
    pub name: String,
    pub window_code: Option<String>,
    pub main_url: String,
    pub sub_url: Option<String>,
}

/// A hall with its departments, windows and cameras, created or updated in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallSetup {
    pub hall: Hall,
    pub departments: Vec<Department>,
    pub windows: Vec<Window>,
    pub cameras: Vec<NewCamera>,
}

/// The static picture of the halls: who and what is where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallDirectory {
    pub halls: Vec<Hall>,
    pub departments: Vec<Department>,
    pub windows: Vec<Window>,
    pub staff: Vec<Staff>,
    pub cameras: Vec<crate::domain::model::Camera>,
    pub items: Vec<CatalogueItem>,
}

/// What an import did. Importing the same file twice gives `inserted = updated = 0` the second time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub source: String,
    pub kind: Option<ImportKind>,
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub created_halls: usize,
    pub created_windows: usize,
    pub created_staff: usize,
    pub created_departments: usize,
    /// Punches of people Jiancha does not know (cleaners, visitors): skipped, not an error.
    pub skipped_unknown_people: usize,
    /// Alerts created, updated or resolved by the new data.
    pub alerts_changed: usize,
}

/// Filters for the case list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseQuery {
    /// Exactly this case.
    pub case_no: Option<String>,
    pub hall: Option<String>,
    pub department: Option<String>,
    pub window: Option<String>,
    pub status: Option<CaseStatus>,
    /// Matches the case number or the applicant.
    pub text: Option<String>,
    pub accepted_from: Option<NaiveDate>,
    pub accepted_to: Option<NaiveDate>,
    pub limit: u32,
}

/// Counts for the landing page and the status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Overview {
    pub at: DateTime<Utc>,
    pub halls: u32,
    pub departments: u32,
    pub windows: u32,
    pub staff: u32,
    pub items: u32,
    pub cameras: u32,
    pub cases_total: u32,
    pub cases_open: u32,
    pub cases_suspended: u32,
    pub accepted_today: u32,
    pub completed_today: u32,
    pub events_total: u32,
    /// The newest `recorded_at` of any event: how fresh the approval data is.
    pub latest_event_recorded_at: Option<DateTime<Utc>>,
    pub latest_import_at: Option<DateTime<Utc>>,
    pub complaints_open: u32,
    pub audit_records: i64,
    pub open_alerts: LevelCounts,
    /// The newest daily check of today, if any.
    pub today_checked: Option<DailyCheck>,
    /// Per window: cases accepted today and open cases.
    pub window_load: Vec<WindowLoad>,
    /// This year and the next, those without holiday data (the status bar's warning, on every
    /// workstation of the database, local or through a server).
    #[serde(default)]
    pub calendar_missing_years: Vec<i32>,
}

/// Open alerts per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LevelCounts {
    pub red: u32,
    pub orange: u32,
    pub yellow: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WindowLoad {
    pub hall_code: String,
    pub window_code: String,
    pub department: Option<String>,
    pub staff: Vec<String>,
    /// Staff of this window who punched in today (on duty).
    pub on_duty: Vec<String>,
    pub accepted_today: u32,
    pub open_cases: u32,
}

/// Filters for the audit log; newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// `import` matches `import.events`, `import.staff`, …
    pub action_prefix: Option<String>,
    /// Matches target or detail.
    pub text: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only records with `seq` below this (paging backwards).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

/// The result of checking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditVerification {
    pub records: i64,
    pub first_bad: Option<ChainBreak>,
    /// The chain's head — the newest record and its MAC under the audit key — to keep outside the
    /// database (the daily report prints it; `audit verify --anchor SEQ:MAC` checks a saved one).
    #[serde(default)]
    pub anchor: Option<AuditAnchor>,
}

/// A chain head a lower-level hall's server forwarded (kept by the upper level's database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReceivedAnchor {
    /// The forwarding hall's code(s).
    pub source: String,
    pub anchor: AuditAnchor,
    pub received_at: DateTime<Utc>,
    /// The account it came in as.
    pub received_by: String,
}

/// A point of the keyed audit chain: record `seq` and its MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditAnchor {
    pub seq: i64,
    pub mac: String,
}

impl std::fmt::Display for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.mac)
    }
}

impl std::str::FromStr for AuditAnchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (seq, mac) = s.trim().split_once(':').ok_or("an anchor is SEQ:MAC, as the daily report prints it")?;
        let seq: i64 = seq.parse().map_err(|_| format!("{seq:?} is not a record number"))?;
        if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("the MAC of an anchor is 64 hex digits".into());
        }
        Ok(AuditAnchor { seq, mac: mac.to_ascii_lowercase() })
    }
}

/// A complaint to register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewComplaint {
    pub received_at: DateTime<Utc>,
    pub channel: ComplaintChannel,
    pub complainant: String,
    pub contact: String,
    pub content: String,
    pub case_no: Option<String>,
    pub hall_code: Option<String>,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    /// The department complained about, when no window or staff names it.
    #[serde(default)]
    pub department: Option<String>,
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    /// The condition ended by itself (completed, evaluated, replied …).
    Resolved,
    /// A supervisor closed it with a reason.
    Closed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Resolved => "resolved",
            AlertState::Closed => "closed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AlertState::Open => "未处理",
            AlertState::Resolved => "已解除",
            AlertState::Closed => "已关闭",
        }
    }
}

/// What a camera alarm (设备告警) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CameraRule {
    /// Lost for longer than `footage.camera_offline_seconds` during opening hours.
    CameraOffline,
}

impl CameraRule {
    pub fn as_str(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "camera_offline",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "摄像头离线",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CameraRule::CameraOffline => "Camera offline",
        }
    }
}

/// A camera alarm: raised when a camera stays lost, resolved when its picture returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraAlert {
    pub id: i64,
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub rule: CameraRule,
    pub level: Level,
    /// When the camera was lost.
    pub since: DateTime<Utc>,
    /// When the alarm was raised (the allowed time after `since`, or when opening hours began).
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why, as the recorder saw it (never credentials).
    pub explanation: String,
}

/// What the camera watchers need (Art 11(8)): the rules' times and each active camera's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WatchConfig {
    /// `footage.tamper_seconds`, `footage.absent_seconds`.
    pub tamper_seconds: u32,
    pub absent_seconds: u32,
    pub cameras: Vec<CameraWatch>,
}

/// One camera as its watcher sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraWatch {
    pub camera_id: i64,
    pub camera_name: String,
    pub hall_code: String,
    pub window_code: Option<String>,
    /// The staff seat region (drawn by an administrator), if any.
    pub seat: Option<crate::domain::watch::Region>,
    /// The reference view (设为基准画面) as PNG, and its SHA-256.
    pub reference_png: Option<Vec<u8>>,
    pub reference_sha256: Option<String>,
    pub reference_set_by: Option<String>,
    pub reference_set_at: Option<DateTime<Utc>>,
    /// The recorder reported the camera in the last 30 s: the recorder service watches it.
    pub recorded: bool,
    /// Today's opening periods of the camera's hall (none on a rest day), as UTC instants.
    pub open_periods: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl CameraWatch {
    /// Whether `at` lies in one of the opening periods.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.open_periods.iter().any(|(from, to)| *from <= at && at < *to)
    }
}

/// What a camera watcher reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum WatchReport {
    /// A condition lasted longer than the rules allow: `first` the last normal picture (tamper) or the
    /// picture when the seat emptied (absence), `second` the picture now (tamper only). PNG.
    Raised {
        camera_id: i64,
        kind: crate::domain::watch::FindingKind,
        since: DateTime<Utc>,
        first: Option<Vec<u8>>,
        second: Option<Vec<u8>>,
    },
    /// The condition is over (the picture returned, the person came back, or the window closed);
    /// `snapshot` the picture now (absence: the end snapshot). Ends nothing when nothing is open.
    Ended { camera_id: i64, kind: crate::domain::watch::FindingKind, at: DateTime<Utc>, snapshot: Option<Vec<u8>> },
}

/// A snapshot a watcher took: its id (for [`Store::watch_snapshot`]), SHA-256 and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SnapshotRef {
    pub id: i64,
    pub taken_at: DateTime<Utc>,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

/// A camera finding: `camera_tampered` (blocked, moved; a red alarm while open) or a 离岗 candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraFinding {
    pub id: i64,
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub kind: crate::domain::watch::FindingKind,
    pub since: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    /// When the picture returned (tamper) or the person came back (absence).
    pub resolved_at: Option<DateTime<Utc>>,
    pub first_snapshot: Option<SnapshotRef>,
    pub second_snapshot: Option<SnapshotRef>,
    pub reported_by: String,
    /// The window's staff on duty, and their approved leave or 公出 at the time ("" if none).
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub staff_note: String,
    pub decision: Option<crate::domain::watch::FindingDecision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub observation_id: Option<i64>,
}

impl CameraFinding {
    /// How long it lasted (to `now` while open), in seconds.
    pub fn seconds(&self, now: DateTime<Utc>) -> i64 {
        (self.resolved_at.unwrap_or(now) - self.since).num_seconds().max(0)
    }
}

/// Which findings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FindingQuery {
    /// Only those nobody has decided yet.
    pub undecided_only: bool,
    /// Raised on these local days (inclusive); without them, the last 7 days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An alert with what the list needs to show and filter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertRow {
    /// 0 for alerts computed for another instant (`alerts --at`) that are not stored as such.
    pub id: i64,
    pub case_no: String,
    pub rule: Rule,
    pub key: String,
    pub level: Level,
    pub since: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub state: AlertState,
    pub explanation: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
    pub hall: Option<String>,
    pub department: String,
    pub window: Option<String>,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub applicant: Option<String>,
    pub item_code: String,
    pub item_name: String,
    /// The latest supervision notice issued for this alert.
    pub notice_no: Option<String>,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertQuery {
    /// Also resolved and closed alerts.
    pub include_inactive: bool,
    pub case_no: Option<String>,
    /// Evaluate every case at this instant instead of listing the stored alerts.
    pub at: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// What a time-driven refresh of the alerts did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RefreshReport {
    pub evaluated: u32,
    pub changed: u32,
    /// Ids of alerts that became open red alerts in this refresh.
    pub new_red: Vec<i64>,
}

/// A supervision notice to issue from an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewNotice {
    pub alert_id: i64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// Waiting for the reply, not yet due.
    Pending,
    /// Due date passed without a reply.
    Overdue,
    Answered,
    AnsweredLate,
}

impl NoticeState {
    pub fn label_zh(self) -> &'static str {
        match self {
            NoticeState::Pending => "待答复",
            NoticeState::Overdue => "逾期未答复",
            NoticeState::Answered => "已答复",
            NoticeState::AnsweredLate => "逾期后答复",
        }
    }
}

/// A supervision notice (督办通知单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Notice {
    pub id: i64,
    pub notice_no: String,
    pub case_no: String,
    pub alert_id: Option<i64>,
    pub rule: Option<Rule>,
    pub department: Option<String>,
    pub text: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub due_date: NaiveDate,
    pub reply_text: Option<String>,
    pub reply_at: Option<DateTime<Utc>>,
    pub reply_recorded_by: Option<String>,
    pub state: NoticeState,
}

/// Everything about one case, for the case detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub item: CatalogueItem,
    pub events: Vec<CaseEvent>,
    /// Staff numbers to names, for the timeline.
    pub staff_names: Vec<(String, String)>,
    pub deadline: Option<Deadline>,
    pub deadline_state: Option<DeadlineState>,
    pub alerts: Vec<AlertRow>,
    pub notices: Vec<Notice>,
    /// Ratings from standalone evaluators that name this case (local time, rating).
    pub evaluator_ratings: Vec<(chrono::NaiveDateTime, u8)>,
    pub fee_total_fen: i64,
}

/// The content of a day's data check (每日数据检查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DailyCheckData {
    pub day: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// Alerts open at the end of the day (or now, for today), most severe first.
    pub open: Vec<AlertRow>,
    /// How many of them began that day.
    pub new_alerts: u32,
    pub calendar_warning: Option<String>,
    /// The audit chain's head when the report was made (printed on it: an anchor kept on paper).
    #[serde(default)]
    pub audit_anchor: Option<AuditAnchor>,
}

/// A recorded daily check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DailyCheck {
    pub day: NaiveDate,
    pub checked_at: DateTime<Utc>,
    pub checked_by: String,
    pub report_path: String,
    pub report_sha256: String,
    pub open_alerts: u32,
    pub new_alerts: u32,
    pub red: u32,
    pub orange: u32,
    pub yellow: u32,
}

/// What an evidence file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Snapshot,
}

/// A snapshot (or later a clip) kept as evidence, with where and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub camera_id: i64,
    pub taken_at: DateTime<Utc>,
    /// Relative to the data directory.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    /// Kept for the discipline log (记录违纪), with its category.
    pub for_discipline: bool,
    pub category: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evidence {
    pub id: i64,
    pub camera_name: String,
    pub taken_by: String,
    pub evidence: NewEvidence,
}

/// A period's attendance: the ranking, every day record behind it, the interviews held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttendancePeriod {
    pub ranking: crate::domain::attendance::Ranking,
    /// Per staff number, the day records of the period (for the drill-down to the punches).
    pub days: Vec<(String, Vec<crate::domain::attendance::DayRecord>)>,
    pub interviews: Vec<Interview>,
    pub calendar_warning: Option<String>,
    /// The first and last day of the attendance records (punches); days outside are `NoRecords`.
    pub records: Option<(NaiveDate, NaiveDate)>,
}

/// Late + early marks per period, for the trend charts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttendanceTrend {
    pub periods: Vec<NaiveDate>,
    pub staff: std::collections::BTreeMap<String, Vec<u32>>,
    pub departments: std::collections::BTreeMap<String, Vec<u32>>,
}

/// A 约谈 to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewInterview {
    pub period_start: NaiveDate,
    pub staff_no: String,
    pub held_at: DateTime<Utc>,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interview {
    pub id: i64,
    pub period_start: NaiveDate,
    pub staff_no: String,
    pub staff_name: String,
    pub held_at: DateTime<Utc>,
    pub participants: String,
    pub note: String,
    pub recorded_by: String,
}

/// Which part of a poor rating's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStep {
    /// 回访
    ReturnVisit,
    /// 整改
    Rectification,
}

/// A poor rating (差评) with its follow-up and deadlines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PoorRating {
    /// `event:<id>` or `device:<id>`.
    pub key: String,
    pub rating: crate::domain::evaluator::Rating,
    pub department: Option<String>,
    pub staff_name: Option<String>,
    pub visit_due: NaiveDate,
    pub fix_due: NaiveDate,
    pub visit: Option<(DateTime<Utc>, String, String)>,
    pub fix: Option<(DateTime<Utc>, String, String)>,
}

/// Ratings grouped one way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SatisfactionRow {
    pub key: String,
    pub label: String,
    pub count: u32,
    pub average: f64,
    /// Share of ratings 4–5.
    pub satisfied: f64,
    pub poor: u32,
    /// Count per rating 1..=5.
    pub by_rating: [u32; 5],
}

/// Satisfaction over a date range (Art 8(4)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Satisfaction {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub departments: Vec<SatisfactionRow>,
    pub windows: Vec<SatisfactionRow>,
    pub staff: Vec<SatisfactionRow>,
    /// Per ISO week (its Monday): average rating and count, for the trend chart.
    pub weekly: Vec<(NaiveDate, f64, u32)>,
}

/// A recorded segment to index (the recorder has written, closed and hashed the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewSegment {
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    /// Relative to the footage root, `/` separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Segment {
    pub id: i64,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A segment of a grant, with the part of it (the whole segment, or less at the grant's edges) the
/// grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrantedSegment {
    pub segment: Segment,
    pub part: crate::domain::footage::Span,
}

/// A discipline observation to record (记录违纪).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewObservation {
    pub observed_at: DateTime<Utc>,
    pub category: String,
    pub source: crate::domain::discipline::ObservationSource,
    pub camera_id: Option<i64>,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    /// The department (name), when neither the window nor the staff member names it.
    pub department: Option<String>,
    pub evidence_id: Option<i64>,
    pub clip: Option<crate::domain::footage::Span>,
    pub note: String,
}

/// A step of the complaint workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum ComplaintStep {
    Accept { note: String },
    Decline { reason: String },
    Investigate,
    Conclude { conclusion: String, reply: String },
}

/// A month's assessment: as the records stand now, and every published version (newest first; the
/// newest is the month's official result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssessmentView {
    pub live: crate::domain::assessment::MonthAssessment,
    pub published: Vec<crate::domain::assessment::Publication>,
}

impl AssessmentView {
    /// The official figures: the newest publication, else the live computation.
    pub fn current(&self) -> &crate::domain::assessment::MonthAssessment {
        self.published.first().map_or(&self.live, |p| &p.assessment)
    }
}

/// A 监察建议书 to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewRecommendation {
    pub department_id: i64,
    /// The month whose assessment it follows, if any.
    #[serde(default)]
    pub month: Option<crate::domain::assessment::YearMonth>,
    pub facts: String,
    pub recommendation: String,
    /// The hall that issues it (default: the first hall).
    #[serde(default)]
    pub hall: Option<String>,
}

/// A violation to record (Art 11–12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewViolation {
    /// `11(6)`, `12(3)` …
    pub item: String,
    pub subject: crate::domain::accountability::Subject,
    /// The staff member (subject staff).
    pub staff_no: Option<String>,
    /// The department (name); for a staff member, their department when empty.
    pub department: Option<String>,
    pub source: crate::domain::accountability::ViolationSource,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
    pub case_no: Option<String>,
    pub alert_id: Option<i64>,
    pub observation_id: Option<i64>,
    pub complaint_no: Option<String>,
    pub evidence_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ViolationDecision {
    pub id: i64,
    pub measures: Vec<crate::domain::accountability::Measure>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Violation {
    pub id: i64,
    pub item: String,
    pub subject: crate::domain::accountability::Subject,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub department_id: i64,
    pub department: String,
    pub source: crate::domain::accountability::ViolationSource,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
    pub case_no: Option<String>,
    pub alert_id: Option<i64>,
    pub observation_id: Option<i64>,
    pub complaint_no: Option<String>,
    pub evidence_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub decisions: Vec<ViolationDecision>,
}

/// What a decision did: the violation with it, and the Art 12(6) department violation it raised, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DecisionOutcome {
    pub violation: Violation,
    pub flag: Option<Violation>,
}

/// A department under Art 12(6): its staff's warnings (告诫) within the last 365 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentFlag {
    pub department_id: i64,
    pub department: String,
    /// (decided at, violation id, staff member) of each warning, oldest first.
    pub warnings: Vec<(DateTime<Utc>, i64, String)>,
    /// The 12(6) violation recorded for it.
    pub violation_id: Option<i64>,
}

/// A request to view or copy footage, as the requester fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewFootageRequest {
    pub cameras: Vec<i64>,
    pub span: crate::domain::footage::Span,
    pub purpose: String,
    pub kind: crate::domain::footage::RequestKind,
    pub second_person: Option<String>,
    pub case_no: Option<String>,
    pub complaint_no: Option<String>,
}

/// Which requests to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestFilter {
    /// The caller's own (and those naming them as second person).
    Mine,
    /// Waiting for a decision (chiefs).
    Pending,
    /// Everything (chiefs, auditors, admins).
    All,
}

/// One line of the footage register (调取登记).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageAccess {
    pub id: i64,
    pub request_no: String,
    pub purpose: String,
    pub user: String,
    pub action: crate::domain::footage::Use,
    /// The first camera; `cameras` lists them all when the line covers several.
    pub camera_id: i64,
    /// The cameras' names, 、-separated when several.
    pub camera_name: String,
    #[serde(default)]
    pub cameras: Vec<i64>,
    pub span: crate::domain::footage::Span,
    pub at: DateTime<Utc>,
    /// 去向: where a copy went.
    pub destination: Option<String>,
    /// running, done, failed or cancelled.
    pub status: String,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub note: Option<String>,
}

/// Permission to read footage for a view or an export: the register line written for it and the
/// segments overlapping the range (in time order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageGrant {
    pub access_id: i64,
    pub request: crate::domain::footage::FootageRequest,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub segments: Vec<Segment>,
}

/// Permission to read several cameras of one request under one register line (a copy of several
/// cameras, or cameras played side by side): each camera's segments overlapping the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageGrants {
    pub access_id: i64,
    pub request: crate::domain::footage::FootageRequest,
    pub span: crate::domain::footage::Span,
    pub tracks: Vec<GrantTrack>,
}

/// One camera of a [`FootageGrants`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrantTrack {
    pub camera_id: i64,
    pub segments: Vec<Segment>,
}

/// The most cameras one register line (and one synchronised playback) covers.
pub const MAX_GRANT_CAMERAS: usize = 4;

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ExportOutcome {
    Done { sha256: String, bytes: u64 },
    Failed { message: String },
    Cancelled,
}

/// 保全: footage retention must keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LegalHold {
    pub id: i64,
    pub camera_id: i64,
    pub span: crate::domain::footage::Span,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub lifted: Option<(String, DateTime<Utc>, String)>,
}

/// A case event at a window, as a marker on the footage timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WindowEvent {
    pub at: DateTime<Utc>,
    pub case_no: String,
    pub step: crate::domain::model::Step,
    pub staff_name: Option<String>,
}

/// A camera's recording state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraRecording {
    pub camera_id: i64,
    pub camera_name: String,
    pub window_code: Option<String>,
    pub last_end: Option<DateTime<Utc>>,
    pub bytes: u64,
    pub segments: u64,
    /// Gaps over the checked window (e.g. the last 24 hours), longest first is not implied.
    pub gaps: Vec<crate::domain::footage::Span>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingHealth {
    pub checked: crate::domain::footage::Span,
    pub cameras: Vec<CameraRecording>,
    pub total_bytes: u64,
}

/// The data backend: embedded SQLite ([`SqliteStore`]) or, later, a remote server.
///
/// Calls block; the console makes them only from its data worker thread.
pub trait Store: Send + Sync {
    /// "SQLite /path/jiancha.db" or the server's address, for the status bar.
    fn describe(&self) -> String;

    /// Checks a password and opens a session. Failed attempts are audited; repeated ones lock the account.
    fn login(&self, username: &str, password: &str) -> Result<Session, StoreError>;

    /// Logs in from a named workstation (the server passes the console's); the session's audit records
    /// carry it.
    fn login_from(&self, username: &str, password: &str, workstation: &str) -> Result<Session, StoreError> {
        let _ = workstation;
        self.login(username, password)
    }
    fn logout(&self, session: &Session) -> Result<(), StoreError>;

    fn users(&self, session: &Session) -> Result<Vec<User>, StoreError>;
    fn create_user(&self, session: &Session, user: &NewUser) -> Result<User, StoreError>;
    /// Changes a password: one's own, giving the current one (`current`), to a different one; another's
    /// only as the local system actor (administrators reset: `reset_password`).
    fn set_password(
        &self,
        session: &Session,
        username: &str,
        current: Option<&str>,
        password: &str,
    ) -> Result<(), StoreError>;
    /// Changes an account's name, role or state, or unlocks it. Nobody disables or demotes themselves
    /// or the last active administrator.
    fn update_user(&self, session: &Session, username: &str, change: &UserChange) -> Result<User, StoreError>;
    /// Gives an account a temporary password that its user must replace at the next login. For a chief
    /// or an administrator (unless the local system asks) it is a request that waits for a second
    /// person's confirmation: then the request is the answer.
    fn reset_password(
        &self,
        session: &Session,
        username: &str,
        temporary: &str,
    ) -> Result<Option<AccountChange>, StoreError>;
    /// The account changes that wait for a second person, then the last ones decided (administrators
    /// and chiefs).
    fn account_changes(&self, session: &Session) -> Result<Vec<AccountChange>, StoreError>;
    /// Confirms (`confirm`) or refuses (with a reason) an account change; the one who asked may only
    /// withdraw it (`confirm` false). Nobody decides a change of their own account.
    fn decide_account_change(
        &self,
        session: &Session,
        change_id: i64,
        confirm: bool,
        note: &str,
    ) -> Result<AccountChange, StoreError>;

    /// The halls, their active departments, windows and cameras, staff and catalogue. Camera URLs carry
    /// no credentials.
    fn directory(&self, session: &Session) -> Result<HallDirectory, StoreError>;
    /// Adds or updates a hall's parts without retiring any (the demo's set-up).
    fn configure_hall(&self, session: &Session, setup: &HallSetup) -> Result<(), StoreError>;
    /// A hall's configuration in force (`hall`: its code, or `None` when there is one hall), as the hall
    /// file gives it — camera passwords never in it.
    fn hall_config(&self, session: &Session, hall: Option<&str>) -> Result<HallConfig, StoreError>;
    /// What applying `config` would add, change and retire; changes nothing.
    fn plan_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError>;
    /// Applies a hall's whole configuration in one transaction with one audit record carrying the
    /// difference; what the configuration leaves out is retired, never deleted.
    fn apply_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError>;
    /// Sets (or with `None` clears) a camera's password, kept sealed.
    fn set_camera_password(
        &self,
        session: &Session,
        hall: &str,
        camera: &str,
        password: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The active cameras' playable URLs, credentials included: the one call that hands them out, to
    /// those who watch (the wall, the player, the recorder).
    fn camera_streams(&self, session: &Session) -> Result<Vec<CameraStream>, StoreError>;

    /// Applies a whole file in one transaction: everything or, on any error, nothing.
    fn import(&self, session: &Session, batch: &ImportBatch) -> Result<ImportReport, StoreError>;

    fn cases(&self, session: &Session, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError>;
    /// The events of one case, in `occurred_at` order.
    fn case_events(&self, session: &Session, case_no: &str) -> Result<Vec<CaseEvent>, StoreError>;
    fn overview(&self, session: &Session) -> Result<Overview, StoreError>;

    fn register_complaint(&self, session: &Session, complaint: &NewComplaint) -> Result<Complaint, StoreError>;
    fn complaints(&self, session: &Session) -> Result<Vec<Complaint>, StoreError>;

    // Discipline (Art 8(2)2).
    fn add_observation(
        &self,
        session: &Session,
        observation: &NewObservation,
    ) -> Result<crate::domain::discipline::Observation, StoreError>;
    /// Observations made on the local days `from..=to`, oldest first.
    fn observations(
        &self,
        session: &Session,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<crate::domain::discipline::Observation>, StoreError>;
    /// Issues the week's slips: one per hall and department with observations that has no live slip yet
    /// (numbered on), and returns every slip of the week, cancelled ones included.
    fn issue_slips(
        &self,
        session: &Session,
        week: crate::domain::discipline::Week,
    ) -> Result<Vec<crate::domain::discipline::Slip>, StoreError>;
    fn slips(
        &self,
        session: &Session,
        week: Option<crate::domain::discipline::Week>,
    ) -> Result<Vec<crate::domain::discipline::Slip>, StoreError>;
    /// 作废: the slip keeps its number.
    fn cancel_slip(
        &self,
        session: &Session,
        slip_id: i64,
        reason: &str,
    ) -> Result<crate::domain::discipline::Slip, StoreError>;
    /// The department's signed receipt (回执) came back.
    fn record_slip_receipt(
        &self,
        session: &Session,
        slip_id: i64,
        signed_by: &str,
    ) -> Result<crate::domain::discipline::Slip, StoreError>;

    // Complaints (Art 5(6), 8(3)).
    fn advance_complaint(
        &self,
        session: &Session,
        complaint_no: &str,
        step: &ComplaintStep,
    ) -> Result<Complaint, StoreError>;

    // Violations and accountability (Art 11–13).
    fn record_violation(&self, session: &Session, violation: &NewViolation) -> Result<Violation, StoreError>;
    fn violations(&self, session: &Session) -> Result<Vec<Violation>, StoreError>;
    /// Applies measures of Art 13; a second warning of a department's staff within 365 days records the
    /// Art 12(6) department violation in the same transaction.
    fn decide_violation(
        &self,
        session: &Session,
        violation_id: i64,
        measures: &[crate::domain::accountability::Measure],
        note: &str,
    ) -> Result<DecisionOutcome, StoreError>;
    /// Departments under Art 12(6) now.
    fn department_flags(&self, session: &Session) -> Result<Vec<DepartmentFlag>, StoreError>;

    /// Re-evaluates the cases whose alerts change by time alone (their `next_check_at` has come).
    fn refresh_alerts(&self, session: &Session) -> Result<RefreshReport, StoreError>;
    fn alerts(&self, session: &Session, query: &AlertQuery) -> Result<Vec<AlertRow>, StoreError>;
    fn case_detail(&self, session: &Session, case_no: &str) -> Result<CaseDetail, StoreError>;
    /// Closes a violation alert; the reason is required and audited.
    fn close_alert(&self, session: &Session, alert_id: i64, reason: &str) -> Result<AlertRow, StoreError>;
    fn issue_notice(&self, session: &Session, notice: &NewNotice) -> Result<Notice, StoreError>;
    fn record_notice_reply(&self, session: &Session, notice_id: i64, reply: &str) -> Result<Notice, StoreError>;
    fn notices(&self, session: &Session) -> Result<Vec<Notice>, StoreError>;
    /// What the data check of `day` reports (nothing is recorded yet).
    fn daily_check_data(&self, session: &Session, day: NaiveDate) -> Result<DailyCheckData, StoreError>;
    /// Records that `day` was checked, with the saved report; who and when come from the session.
    fn record_daily_check(&self, session: &Session, check: &DailyCheck) -> Result<DailyCheck, StoreError>;
    /// Recorded checks, newest first.
    fn daily_checks(&self, session: &Session, limit: u32) -> Result<Vec<DailyCheck>, StoreError>;

    /// The attendance of the biweekly period starting on `period_start`.
    fn attendance(&self, session: &Session, period_start: NaiveDate) -> Result<AttendancePeriod, StoreError>;
    /// Late + early marks over `count` periods ending with the one starting on `last_period_start`.
    fn attendance_trend(
        &self,
        session: &Session,
        last_period_start: NaiveDate,
        count: u32,
    ) -> Result<AttendanceTrend, StoreError>;
    fn record_interview(&self, session: &Session, interview: &NewInterview) -> Result<Interview, StoreError>;
    /// The evaluator check of a day: usage per window, anomalies, poor ratings.
    fn evaluator_check(
        &self,
        session: &Session,
        date: NaiveDate,
    ) -> Result<crate::domain::evaluator::EvaluatorCheck, StoreError>;
    /// Poor ratings from `from` to `to` with their follow-up.
    fn poor_ratings(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<PoorRating>, StoreError>;
    fn record_follow_up(
        &self,
        session: &Session,
        key: &str,
        step: FollowUpStep,
        note: &str,
    ) -> Result<PoorRating, StoreError>;
    fn satisfaction(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Satisfaction, StoreError>;

    /// The recorder's report of a camera's signal (local system only): raises a `camera_offline` alarm
    /// once the camera has been lost for longer than the rules allow during opening hours, resolves it
    /// when the camera is back. Returns the alarm raised or resolved by this report.
    fn report_camera_link(
        &self,
        session: &Session,
        camera_id: i64,
        online: bool,
        reason: &str,
    ) -> Result<Option<CameraAlert>, StoreError>;
    /// Camera alarms, newest first: the open ones, or also those resolved in the last seven days.
    fn camera_alerts(&self, session: &Session, open_only: bool) -> Result<Vec<CameraAlert>, StoreError>;

    /// What the camera watchers need: settings, reference views, seat regions, opening periods.
    fn watch_config(&self, session: &Session) -> Result<WatchConfig, StoreError>;
    /// 设为基准画面 (administrators): the view a camera should keep, as PNG; `None` clears it.
    fn set_camera_reference(&self, session: &Session, camera_id: i64, png: Option<&[u8]>) -> Result<(), StoreError>;
    /// The staff seat region of a camera (administrators); `None` clears it.
    fn set_camera_seat(
        &self,
        session: &Session,
        camera_id: i64,
        seat: Option<crate::domain::watch::Region>,
    ) -> Result<(), StoreError>;
    /// A watcher's report (the recorder, or a console for a live-only camera): raises or ends a
    /// finding; returns the finding it changed.
    fn report_watch(&self, session: &Session, report: &WatchReport) -> Result<Option<CameraFinding>, StoreError>;
    /// Camera findings, open and undecided first, then newest first.
    fn camera_findings(&self, session: &Session, query: &FindingQuery) -> Result<Vec<CameraFinding>, StoreError>;
    /// A watcher's snapshot (PNG).
    fn watch_snapshot(&self, session: &Session, snapshot_id: i64) -> Result<Vec<u8>, StoreError>;
    /// Confirms a finding as a discipline observation (遮挡摄像头/规避监察 or 离岗, the window's staff on
    /// duty, the snapshots as evidence) or dismisses it (a reason is required). Once.
    fn decide_finding(
        &self,
        session: &Session,
        finding_id: i64,
        decision: crate::domain::watch::FindingDecision,
        note: &str,
    ) -> Result<CameraFinding, StoreError>;

    /// Indexes a recorded segment (the recorder; local system only).
    fn add_segment(&self, session: &Session, segment: &NewSegment) -> Result<Segment, StoreError>;
    /// Recorded segments of a camera overlapping `span`, in time order (what exists, not the footage).
    fn segments(
        &self,
        session: &Session,
        camera_id: i64,
        span: crate::domain::footage::Span,
    ) -> Result<Vec<Segment>, StoreError>;
    /// Every indexed path under the footage root (the recorder's start-up reconciliation).
    fn segment_paths(&self, session: &Session) -> Result<Vec<String>, StoreError>;
    /// Removes expired segments from the index (retention; local system only) and returns them so the
    /// caller deletes their files. Never held footage, never footage being exported.
    fn expire_segments(&self, session: &Session) -> Result<Vec<Segment>, StoreError>;
    /// Case events at a window over `span` (markers for the footage timeline).
    fn window_events(
        &self,
        session: &Session,
        window_code: &str,
        span: crate::domain::footage::Span,
    ) -> Result<Vec<WindowEvent>, StoreError>;
    fn recording_health(
        &self,
        session: &Session,
        span: crate::domain::footage::Span,
    ) -> Result<RecordingHealth, StoreError>;

    fn request_footage(
        &self,
        session: &Session,
        request: &NewFootageRequest,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    fn footage_requests(
        &self,
        session: &Session,
        filter: RequestFilter,
    ) -> Result<Vec<crate::domain::footage::FootageRequest>, StoreError>;
    /// Approves or refuses (a reason is required to refuse). Never one's own request.
    fn decide_footage(
        &self,
        session: &Session,
        request_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    /// The requester withdraws a pending request.
    fn cancel_footage_request(
        &self,
        session: &Session,
        request_id: i64,
    ) -> Result<crate::domain::footage::FootageRequest, StoreError>;
    /// Checks the request and writes the register line for a viewing (or the start of a copy to
    /// `destination`); returns the segments to read.
    fn open_footage(
        &self,
        session: &Session,
        request_id: i64,
        camera_id: i64,
        span: crate::domain::footage::Span,
        use_: crate::domain::footage::Use,
        destination: Option<&str>,
    ) -> Result<FootageGrant, StoreError>;
    /// [`Store::open_footage`] for up to [`MAX_GRANT_CAMERAS`] cameras of one request at once, under one
    /// register line that names them all.
    fn open_footage_cameras(
        &self,
        session: &Session,
        request_id: i64,
        camera_ids: &[i64],
        span: crate::domain::footage::Span,
        use_: crate::domain::footage::Use,
        destination: Option<&str>,
    ) -> Result<FootageGrants, StoreError>;
    /// A segment of a grant, for reading its file from the server: only the grant's holder, only
    /// while the request is valid, only within the grant's camera and range, only for 12 hours.
    /// Says which part of the segment the grant covers: the server sends no more of it.
    fn footage_segment(&self, session: &Session, access_id: i64, segment_id: i64)
    -> Result<GrantedSegment, StoreError>;
    /// Records how a copy ended (its SHA-256, or why it failed).
    fn finish_export(
        &self,
        session: &Session,
        access_id: i64,
        outcome: &ExportOutcome,
    ) -> Result<FootageAccess, StoreError>;
    /// The register, newest first: everything for chiefs, auditors and admins; one's own otherwise.
    fn footage_register(&self, session: &Session, limit: u32) -> Result<Vec<FootageAccess>, StoreError>;
    fn place_hold(
        &self,
        session: &Session,
        camera_id: i64,
        span: crate::domain::footage::Span,
        reason: &str,
    ) -> Result<LegalHold, StoreError>;
    fn lift_hold(&self, session: &Session, hold_id: i64, reason: &str) -> Result<LegalHold, StoreError>;
    fn holds(&self, session: &Session) -> Result<Vec<LegalHold>, StoreError>;

    /// Records a snapshot kept as evidence (the file is already written and hashed).
    fn record_evidence(&self, session: &Session, evidence: &NewEvidence) -> Result<Evidence, StoreError>;
    /// Evidence, newest first.
    fn evidence(&self, session: &Session, limit: u32) -> Result<Vec<Evidence>, StoreError>;

    fn audit_log(&self, session: &Session, query: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError>;
    fn verify_audit(&self, session: &Session) -> Result<AuditVerification, StoreError>;
    /// Whether the chain still holds a saved anchor: record `seq` carries `mac` (the history up to it is
    /// the one anchored). Auditors and administrators.
    fn check_audit_anchor(&self, session: &Session, anchor: &AuditAnchor) -> Result<bool, StoreError>;
    /// Keeps the chain head a lower-level hall's server forwards (`source`: its hall code or codes); the
    /// same head again changes nothing. Those who may push events.
    fn record_audit_anchor(&self, session: &Session, source: &str, anchor: &AuditAnchor) -> Result<(), StoreError>;
    /// The chain heads received, newest first (auditors and administrators).
    fn audit_anchors(&self, session: &Session, limit: u32) -> Result<Vec<ReceivedAnchor>, StoreError>;

    /// 绩效评估: a month of every department, live and as published.
    fn assessment(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
    ) -> Result<AssessmentView, StoreError>;
    /// The records behind one department's points of a month (the drill-down).
    fn assessment_items(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
        department_id: i64,
    ) -> Result<Vec<crate::domain::assessment::AssessmentItem>, StoreError>;
    /// A year of monthly scores (published where published) with quarter, half-year and year means.
    fn assessment_year(
        &self,
        session: &Session,
        year: i32,
    ) -> Result<crate::domain::assessment::YearAssessment, StoreError>;
    /// Freezes the month as computed now: version 1, or a new version with its reason (chiefs).
    fn publish_assessment(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
        reason: &str,
    ) -> Result<crate::domain::assessment::Publication, StoreError>;
    fn issue_recommendation(
        &self,
        session: &Session,
        recommendation: &NewRecommendation,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;
    /// Every 监察建议书, newest first.
    fn recommendations(&self, session: &Session) -> Result<Vec<crate::domain::assessment::Recommendation>, StoreError>;
    fn record_recommendation_receipt(
        &self,
        session: &Session,
        recommendation_id: i64,
        signed_by: &str,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;
    fn record_recommendation_reply(
        &self,
        session: &Session,
        recommendation_id: i64,
        reply: &str,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;

    /// A year of the working-day calendar: the holidays in force and where they come from.
    fn calendar_year(&self, session: &Session, year: i32) -> Result<CalendarYearView, StoreError>;
    /// Enters (or replaces) a year's holidays and make-up working days from the State Council's notice
    /// (administrators); audited; the deadlines and alerts of the open cases are recomputed with it.
    fn set_calendar_year(
        &self,
        session: &Session,
        schedule: &crate::domain::calendar::YearSchedule,
    ) -> Result<CalendarYearView, StoreError>;
}

/// Where a year's holiday data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarSource {
    /// Entered by an administrator (系统管理 → 工作日历, `jiancha calendar set`).
    Entered,
    /// The official data shipped with the program, or a year file in the data directory.
    BuiltIn,
    /// None: Monday–Friday are assumed.
    Missing,
}

/// A year of the calendar as in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarYearView {
    pub year: i32,
    pub source: CalendarSource,
    /// The holidays and make-up working days; none for a missing year.
    pub schedule: Option<crate::domain::calendar::YearSchedule>,
    pub entered_by: Option<String>,
    pub entered_at: Option<DateTime<Utc>>,
    /// After a change: the open cases whose deadlines and alerts were recomputed (0 when read).
    pub recomputed: u32,
    /// The years around today (this one and the next) that have no data, as the status bar warns.
    pub missing_years: Vec<i32>,
}

/// What a refused caller may not do, as `Forbidden` says it: a permission (`decide_accountability`) or a
/// call named on its own (`publish_assessment`), in Chinese and in English.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("read_hall", "查看大厅", "read the hall"),
    ("read_cases", "查看办件", "read the cases"),
    ("import", "导入数据", "import data"),
    ("import_master_data", "导入事项目录和人员名单", "import the catalogue and the staff list"),
    ("supervise", "进行监察操作", "act as a supervisor"),
    ("approve_footage", "审批录像调阅", "decide footage requests"),
    ("configure_hall", "配置大厅", "configure the hall"),
    ("manage_users", "管理账户", "manage accounts"),
    ("read_audit", "查看审计日志", "read the audit log"),
    ("verify_audit", "校验审计链", "verify the audit chain"),
    ("read_footage_register", "查看调取登记", "read the footage register"),
    ("record_footage", "写入录像或检测结果（仅本机系统）", "record footage or detections (the local system only)"),
    ("decide_accountability", "决定问责", "decide accountability measures"),
    ("watch_live", "观看实时视频", "watch the live cameras"),
    ("refresh_alerts", "刷新预警", "refresh the alerts"),
    ("own_account", "管理本人账户", "manage one's own account"),
    ("read_complainant_contact", "查看投诉人联系方式", "see complainants' contacts"),
    ("confirm_account_change", "确认账户变更", "confirm account changes"),
    ("publish_assessment", "发布绩效评估", "publish the assessment"),
    ("set_calendar_year", "录入工作日历", "enter the working-day calendar"),
    ("issue_recommendation", "签发监察建议书", "issue a 监察建议书"),
    ("decide_violation", "决定违规问责措施", "decide a violation's measures"),
];

fn action_zh(action: &str) -> &str {
    ACTIONS.iter().find(|a| a.0 == action).map_or(action, |a| a.1)
}

fn action_en(action: &str) -> &str {
    ACTIONS.iter().find(|a| a.0 == action).map_or(action, |a| a.2)
}

/// The English name of a role given by its Chinese label (as `Forbidden` carries it).
fn role_en(role: &str) -> &str {
    crate::domain::access::Role::PEOPLE
        .iter()
        .chain(&[crate::domain::access::Role::System])
        .find(|r| r.label_zh() == role)
        .map_or(role, |r| r.label_en())
}

#[cfg(test)]
mod refusal_tests {
    use super::*;
    use crate::domain::access::{Permission as P, Role};

    /// Issue 29: a refusal names what was refused, in both languages, never a permission's code.
    #[test]
    fn refusals_name_what_was_refused_in_both_languages() {
        let all = [
            P::ReadHall,
            P::ReadCases,
            P::Import,
            P::ImportMasterData,
            P::Supervise,
            P::ApproveFootage,
            P::ConfigureHall,
            P::ManageUsers,
            P::ReadAudit,
            P::VerifyAudit,
            P::ReadFootageRegister,
            P::RecordFootage,
            P::DecideAccountability,
            P::WatchLive,
            P::RefreshAlerts,
            P::OwnAccount,
            P::ReadComplainantContact,
            P::ConfirmAccountChange,
        ];
        for p in all {
            let e = StoreError::Forbidden { role: Role::Auditor.label_zh().into(), action: p.as_str().into() };
            let said = e.to_string();
            assert!(action_zh(p.as_str()) != p.as_str() && action_en(p.as_str()) != p.as_str(), "{said}");
            assert!(said.starts_with("审计员 无权") && said.contains("(Auditor may not "), "{said}");
        }
        let e = StoreError::Forbidden { role: Role::Supervisor.label_zh().into(), action: "publish_assessment".into() };
        assert_eq!(e.to_string(), "监察员 无权发布绩效评估 (Supervisor may not publish the assessment)");
    }
}
