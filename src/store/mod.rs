//! Everything the console, the CLI and the server read and write, behind one trait.
//!
//! Rules of this module:
//! - [`Store`] knows nothing of SQLite: serde types in, serde types out, so that a remote implementation
//!   can speak it over HTTP.
//! - Every call is made by an authenticated [`Session`]; the implementation checks the caller's
//!   [`Permission`](crate::domain::access::Permission) and writes the audit record in the same
//!   transaction as the change.
//! - SQL lives only in [`sqlite`] and [`pg`] (PostgreSQL: its first part, issue 31).

mod admin;
mod assessment;
mod cases;
mod evaluation;
mod footage;
mod notify;
mod people;
mod supervision;
mod watch;
pub use admin::*;
pub use assessment::*;
pub use cases::*;
pub use evaluation::*;
pub use footage::*;
pub use notify::*;
pub use people::*;
pub use supervision::*;
pub use watch::*;

pub mod api;
pub mod outbox;
pub mod pg;
pub mod remote;
pub mod sql;
pub mod sqlite;

use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::interchange::InputErrors;

pub use sqlite::SqlStore;

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
    /// The halls the account belongs to; empty: the whole city.
    #[serde(default)]
    pub halls: Vec<String>,
    /// The console's hall filter (大厅筛选): reads keep to these halls, within the account's own (a hall
    /// outside them shows nothing); empty: all of the account's. Writes are checked against the
    /// account's halls whatever the filter. Sent to a server as the `x-jiancha-view` header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub view: Vec<String>,
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
    /// The footage is kept by another server of the database (where it was recorded), which cannot be
    /// reached or refused this one: nothing was used up, the grant stays valid.
    #[error(
        "录像保存在服务器 {holder}，现在无法从它取得；调阅授权仍然有效，请稍后再试 (the footage is kept by server {holder}, which cannot be reached now; the grant stays valid — try again later): {reason}"
    )]
    HolderDown { holder: String, reason: String },
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

/// Every family of calls in scope: `use crate::store::prelude::*;` where a concrete store's calls are made.
pub mod prelude {
    pub use super::{
        AdminStore, AssessmentStore, CasesStore, EvaluationStore, FootageStore, NotifyStore, PeopleStore, Store,
        SupervisionStore, WatchStore,
    };
}

/// The data backend: embedded SQLite ([`SqlStore`]) or a server ([`remote::RemoteStore`]); the
/// calls by family ([`AdminStore`], [`CasesStore`], …), each with its types in its own module.
///
/// Calls block; the console makes them only from its data worker thread.
pub trait Store:
    AdminStore
    + CasesStore
    + PeopleStore
    + EvaluationStore
    + SupervisionStore
    + FootageStore
    + WatchStore
    + AssessmentStore
    + NotifyStore
    + Send
    + Sync
{
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
