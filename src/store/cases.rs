//! Cases and alerts: imports, the cases, the alert engine's rows, notices (督办), the daily data check, the overview.
//!
//! The `CasesStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::alerts::{Level, Rule};
use crate::domain::calendar::{Deadline, DeadlineState};
use crate::domain::model::{CaseEvent, CaseStatus, CaseSummary, CatalogueItem};
use crate::interchange::{ImportBatch, ImportKind};

use super::*;
use super::{Session, StoreError};

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
    /// For an account of several halls (the city's): each hall side by side, in code order (empty for
    /// an account of one hall, or a database of one hall).
    #[serde(default)]
    pub halls_side: Vec<HallSummary>,
}

/// One hall as the city's 大厅概况 compares it with the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallSummary {
    pub code: String,
    pub name: String,
    pub open_alerts: LevelCounts,
    /// Cameras whose signal the recorder reports lost, and the others.
    pub cameras_online: u32,
    pub cameras_offline: u32,
    /// Camera findings (tampering, empty seats) waiting for a supervisor's decision.
    pub findings_to_decide: u32,
    /// This fortnight's late arrivals and early departures of the hall's staff.
    pub attendance_marks: u32,
    /// Last month, and the grade of the mean score of the hall's assessed departments (none assessed:
    /// none).
    pub assessment_month: String,
    pub assessment_grade: Option<crate::domain::assessment::Grade>,
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

/// What changed among the alerts since a console last looked (`alerts_changed`): a console follows the
/// hall by asking with the revision it holds, and the server's work is in proportion to what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertChanges {
    /// The alerts' revision this answer is complete up to: ask with it next time.
    pub revision: i64,
    /// With `since` 0: every open alert, newest first (as `alerts`). Otherwise the alerts changed since
    /// `since`, whatever their state now (a console drops those no longer open), oldest change first.
    pub rows: Vec<AlertRow>,
    /// More changed than the limit, or `since` is past this database's revision (another database, a
    /// restore): reload with `since` 0 instead.
    pub reload: bool,
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
    /// The notifications sent of its alerts and notices, with their 已阅 times (issue 33).
    #[serde(default)]
    pub notifications: Vec<super::NotifyRecord>,
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

/// Cases and alerts: imports, the cases, the alert engine's rows, notices (督办), the daily data check, the overview.
pub trait CasesStore: Send + Sync {
    /// Applies a whole file in one transaction: everything or, on any error, nothing.
    fn import(&self, session: &Session, batch: &ImportBatch) -> Result<ImportReport, StoreError>;
    fn cases(&self, session: &Session, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError>;
    /// The events of one case, in `occurred_at` order.
    fn case_events(&self, session: &Session, case_no: &str) -> Result<Vec<CaseEvent>, StoreError>;
    fn overview(&self, session: &Session) -> Result<Overview, StoreError>;
    /// Re-evaluates the cases whose alerts change by time alone (their `next_check_at` has come).
    fn refresh_alerts(&self, session: &Session) -> Result<RefreshReport, StoreError>;
    fn alerts(&self, session: &Session, query: &AlertQuery) -> Result<Vec<AlertRow>, StoreError>;
    /// The alerts changed since revision `since` (every open one when `since` is 0), at most `limit`
    /// changes (0: 500) — see [`AlertChanges`].
    fn alerts_changed(&self, session: &Session, since: i64, limit: u32) -> Result<AlertChanges, StoreError>;
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
}
