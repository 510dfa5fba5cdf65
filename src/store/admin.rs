//! Administration: accounts and their dual authorisation, the hall and its cameras, the audit chain, the working-day calendar.
//!
//! The `AdminStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::domain::audit::{AuditRecord, ChainBreak};
use crate::domain::hall::{HallConfig, HallDiff};
use crate::domain::model::{CatalogueItem, Department, Hall, Staff, Window};

use super::{Session, StoreError};

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
    /// The halls the account belongs to; empty: the whole city.
    #[serde(default)]
    pub halls: Vec<String>,
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
    /// The halls the account belongs to from now on (empty: the whole city).
    #[serde(default)]
    pub halls: Option<Vec<String>>,
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
    /// The halls the account belongs to (codes); empty: the whole city — or, made by an administrator
    /// of some halls, those halls.
    #[serde(default)]
    pub halls: Vec<String>,
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

impl HallDirectory {
    /// The hall a console names as its own: the city's (the highest level), else the first — an
    /// account of one county's hall has only its own.
    pub fn home_hall(&self) -> Option<&crate::domain::model::Hall> {
        self.halls.iter().find(|h| h.level == crate::domain::model::HallLevel::City).or(self.halls.first())
    }

    /// The home hall's name (empty when there is no hall): what a report is headed with.
    pub fn home_hall_name(&self) -> String {
        self.home_hall().map(|h| h.name.clone()).unwrap_or_default()
    }
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

/// Administration: accounts and their dual authorisation, the hall and its cameras, the audit chain, the working-day calendar.
pub trait AdminStore: Send + Sync {
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

#[cfg(test)]
mod home_hall_tests {
    use super::HallDirectory;
    use crate::domain::model::{Hall, HallLevel};

    #[test]
    fn a_console_names_the_citys_hall_before_the_counties_listed_first() {
        let hall = |code: &str, level| Hall { code: code.into(), name: code.into(), address: String::new(), level };
        let mut directory = HallDirectory {
            halls: vec![hall("GZL", HallLevel::County), hall("SP-CITY", HallLevel::City)],
            ..HallDirectory::default()
        };
        assert_eq!(directory.home_hall().map(|h| h.code.as_str()), Some("SP-CITY"));
        directory.halls.remove(1);
        assert_eq!(directory.home_hall().map(|h| h.code.as_str()), Some("GZL"), "a county's account: its own");
        directory.halls.clear();
        assert!(directory.home_hall().is_none());
    }
}
