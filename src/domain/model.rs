//! The things a hall is made of: halls, departments, windows, staff, cameras, catalogue items, cases and
//! their events. Plain data with serde; identifiers are the codes the approval system uses.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Money in fen (分), so that fee comparisons are exact.
pub type Fen = i64;

/// Formats fen as yuan with two decimals (`1250` → `12.50`).
pub fn format_yuan(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a yuan amount with at most two decimals (`12`, `12.5`, `12.50`) into fen, without floats.
pub fn parse_yuan(text: &str) -> Result<Fen, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} is not an amount in yuan (e.g. 12.50)"));
    }
    if frac.len() > 2 {
        return Err(format!("{text:?} has more than two decimals"));
    }
    let whole: i64 = whole.parse().map_err(|_| format!("{text:?} is too large"))?;
    let frac_fen: i64 = format!("{frac:0<2}").parse().map_err(|_| format!("{text:?} is not an amount"))?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac_fen))
        .filter(|v| *v <= 10_000_000_000)
        .ok_or_else(|| format!("{text:?} is too large (at most 100000000 yuan)"))
}

/// A service hall (政务大厅 or 分厅).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hall {
    pub code: String,
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub level: HallLevel,
}

/// Where a hall stands: the city's centre (市), a county or district's (县区), or a branch hall (分厅).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HallLevel {
    #[default]
    City,
    County,
    Branch,
}

impl HallLevel {
    pub const ALL: [HallLevel; 3] = [HallLevel::City, HallLevel::County, HallLevel::Branch];

    pub fn as_str(self) -> &'static str {
        match self {
            HallLevel::City => "city",
            HallLevel::County => "county",
            HallLevel::Branch => "branch",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HallLevel::City => "市",
            HallLevel::County => "县区",
            HallLevel::Branch => "分厅",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HallLevel::City => "City",
            HallLevel::County => "County or district",
            HallLevel::Branch => "Branch hall",
        }
    }
}

impl FromStr for HallLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HallLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown hall level {s:?}; expected city, county or branch"))
    }
}

/// A department that runs windows (窗口部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Department {
    pub name: String,
    /// The short name used on the wall and in tables (`市场监管`).
    pub short_name: String,
    /// The department head, for interviews and reminder slips.
    pub head: String,
    pub phone: String,
}

/// A service window (窗口).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Window {
    pub hall_code: String,
    pub code: String,
    pub name: String,
    pub department: Option<String>,
}

/// A member of staff working at windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Staff {
    pub staff_no: String,
    pub name: String,
    pub department: Option<String>,
    /// The window the person normally works at.
    pub window: Option<String>,
    /// The user number on the fingerprint machine, when it differs from `staff_no`.
    pub device_user_id: Option<String>,
}

/// A camera watching a window, as everyone may see it: its URLs carry no credentials (the store keeps
/// the password sealed and hands a playable URL only to those who watch, see `CameraStream`). The
/// `Debug` output still passes URLs through [`redact_url`], so that a URL typed with a password in it
/// never reaches a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Camera {
    pub id: i64,
    pub name: String,
    pub hall_code: String,
    pub window_code: Option<String>,
    pub main_url: String,
    pub sub_url: Option<String>,
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("hall_code", &self.hall_code)
            .field("window_code", &self.window_code)
            .field("main_url", &redact_url(&self.main_url))
            .field("sub_url", &self.sub_url.as_deref().map(redact_url))
            .finish()
    }
}

/// Removes `user:password@` from a URL so it can be shown or logged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{path}", &authority[at + 1..]),
        None => url.to_owned(),
    }
}

/// The steps a case goes through (INTERCHANGE.md `step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Submit,
    Accept,
    Reject,
    SupplementRequest,
    SupplementReceived,
    Suspend,
    Resume,
    Review,
    Approve,
    Deny,
    Complete,
    Fee,
    Evaluate,
}

impl Step {
    pub const ALL: [Step; 13] = [
        Step::Submit,
        Step::Accept,
        Step::Reject,
        Step::SupplementRequest,
        Step::SupplementReceived,
        Step::Suspend,
        Step::Resume,
        Step::Review,
        Step::Approve,
        Step::Deny,
        Step::Complete,
        Step::Fee,
        Step::Evaluate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::Reject => "reject",
            Step::SupplementRequest => "supplement_request",
            Step::SupplementReceived => "supplement_received",
            Step::Suspend => "suspend",
            Step::Resume => "resume",
            Step::Review => "review",
            Step::Approve => "approve",
            Step::Deny => "deny",
            Step::Complete => "complete",
            Step::Fee => "fee",
            Step::Evaluate => "evaluate",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Step::Submit => "申报",
            Step::Accept => "受理",
            Step::Reject => "不予受理",
            Step::SupplementRequest => "补正告知",
            Step::SupplementReceived => "补正材料收到",
            Step::Suspend => "特别程序",
            Step::Resume => "恢复办理",
            Step::Review => "审核",
            Step::Approve => "批准",
            Step::Deny => "不予许可",
            Step::Complete => "办结",
            Step::Fee => "收费",
            Step::Evaluate => "评价",
        }
    }

    /// Steps a window performs: their events must name hall, window and staff.
    pub fn is_window_step(self) -> bool {
        matches!(
            self,
            Step::Accept | Step::Reject | Step::SupplementRequest | Step::Complete | Step::Fee | Step::Evaluate
        )
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::ALL
            .into_iter()
            .find(|step| step.as_str() == s)
            .ok_or_else(|| format!("unknown step {s:?}; expected one of {}", Step::ALL.map(Step::as_str).join(", ")))
    }
}

/// Documents a window must issue (Art 11(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    AcceptanceSlip,
    MissingDocsNotice,
    NonAcceptanceNotice,
    DenialDecision,
}

impl Document {
    pub const ALL: [Document; 4] = [
        Document::AcceptanceSlip,
        Document::MissingDocsNotice,
        Document::NonAcceptanceNotice,
        Document::DenialDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Document::AcceptanceSlip => "acceptance_slip",
            Document::MissingDocsNotice => "missing_docs_notice",
            Document::NonAcceptanceNotice => "non_acceptance_notice",
            Document::DenialDecision => "denial_decision",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Document::AcceptanceSlip => "受理承诺单",
            Document::MissingDocsNotice => "缺件告知单",
            Document::NonAcceptanceNotice => "不予受理通知单",
            Document::DenialDecision => "不予许可决定书",
        }
    }
}

impl FromStr for Document {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Document::ALL.into_iter().find(|d| d.as_str() == s).ok_or_else(|| {
            format!("unknown document {s:?}; expected one of {}", Document::ALL.map(Document::as_str).join(", "))
        })
    }
}

/// Why a case entered a special procedure (特别程序).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuspendReason {
    Hearing,
    Inspection,
    Appraisal,
    ExpertReview,
    Other,
}

impl SuspendReason {
    pub const ALL: [SuspendReason; 5] = [
        SuspendReason::Hearing,
        SuspendReason::Inspection,
        SuspendReason::Appraisal,
        SuspendReason::ExpertReview,
        SuspendReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuspendReason::Hearing => "hearing",
            SuspendReason::Inspection => "inspection",
            SuspendReason::Appraisal => "appraisal",
            SuspendReason::ExpertReview => "expert_review",
            SuspendReason::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SuspendReason::Hearing => "听证",
            SuspendReason::Inspection => "现场勘查",
            SuspendReason::Appraisal => "检验检测鉴定",
            SuspendReason::ExpertReview => "专家评审",
            SuspendReason::Other => "其他",
        }
    }
}

impl FromStr for SuspendReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SuspendReason::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            format!(
                "unknown reason {s:?}; expected one of {}",
                SuspendReason::ALL.map(SuspendReason::as_str).join(", ")
            )
        })
    }
}

/// A catalogue item (事项): its limits, fee standard and workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CatalogueItem {
    pub code: String,
    pub name: String,
    pub department: String,
    /// 法定时限, working days.
    pub legal_days: u32,
    /// 承诺时限, working days (0 = 即办件).
    pub promised_days: u32,
    /// The standard fee in fen (0 = free).
    pub fee_fen: Fen,
    /// The allowed workflow steps, in order.
    pub workflow: Vec<Step>,
    /// Working days allowed per workflow step, same order; `None` = no limit for that step.
    pub step_limits: Vec<Option<u32>>,
}

/// One event of a case, as the approval system reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseEvent {
    pub case_no: String,
    pub item_code: String,
    pub hall: Option<String>,
    pub window: Option<String>,
    pub staff_no: Option<String>,
    pub step: Step,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    #[serde(default)]
    pub documents: Vec<Document>,
    pub applicant: Option<String>,
    /// `fee` events: the amount charged.
    pub amount_fen: Option<Fen>,
    /// `evaluate` events: 1–5.
    pub rating: Option<u8>,
    /// `suspend` events.
    pub reason: Option<SuspendReason>,
    /// `accept` events may override the catalogue's promised days.
    pub promised_days: Option<u32>,
}

/// Where a case stands, from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Submitted, not yet accepted.
    Submitted,
    /// Accepted and being handled.
    InProgress,
    /// Waiting for material or in a special procedure.
    Suspended,
    Completed,
    /// Not accepted (不予受理).
    Rejected,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "submitted",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Suspended => "suspended",
            CaseStatus::Completed => "completed",
            CaseStatus::Rejected => "rejected",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "已申报",
            CaseStatus::InProgress => "办理中",
            CaseStatus::Suspended => "暂停",
            CaseStatus::Completed => "已办结",
            CaseStatus::Rejected => "不予受理",
        }
    }
}

impl FromStr for CaseStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            CaseStatus::Submitted,
            CaseStatus::InProgress,
            CaseStatus::Suspended,
            CaseStatus::Completed,
            CaseStatus::Rejected,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| format!("unknown case status {s:?}"))
    }
}

/// The status a case has after its events (sorted by `occurred_at`).
pub fn case_status(events: &[CaseEvent]) -> CaseStatus {
    let mut status = CaseStatus::Submitted;
    let mut open_supplement = false;
    let mut open_special = false;
    for e in events {
        match e.step {
            Step::Accept => status = CaseStatus::InProgress,
            Step::Reject => status = CaseStatus::Rejected,
            Step::SupplementRequest => open_supplement = true,
            Step::SupplementReceived => open_supplement = false,
            Step::Suspend => open_special = true,
            Step::Resume => open_special = false,
            Step::Complete | Step::Deny => status = CaseStatus::Completed,
            Step::Submit | Step::Review | Step::Approve | Step::Fee | Step::Evaluate => {}
        }
    }
    if status == CaseStatus::InProgress && (open_supplement || open_special) { CaseStatus::Suspended } else { status }
}

/// A case (办件) as listed: the facts derived from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseSummary {
    pub case_no: String,
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    pub hall: Option<String>,
    pub window: Option<String>,
    pub applicant: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub promised_days: u32,
    pub status: CaseStatus,
    pub event_count: u32,
}

/// An attendance punch, in local time as the machine records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Punch {
    pub staff_no: String,
    pub time: NaiveDateTime,
    pub device: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveKind {
    /// 请假
    Leave,
    /// 公出
    Business,
}

impl FromStr for LeaveKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "leave" => Ok(LeaveKind::Leave),
            "business" => Ok(LeaveKind::Business),
            _ => Err(format!("unknown leave kind {s:?}; expected leave or business")),
        }
    }
}

impl LeaveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveKind::Leave => "leave",
            LeaveKind::Business => "business",
        }
    }
}

/// Approved leave or official business, local times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Leave {
    pub staff_no: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub kind: LeaveKind,
}

/// A rating from a standalone evaluator (local time as the device records it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Evaluation {
    pub window: String,
    pub time: NaiveDateTime,
    pub rating: u8,
    pub case_no: Option<String>,
}

/// How a complaint reached the hall (Art 5(6), 8(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintChannel {
    Online,
    Phone,
    InPerson,
}

impl ComplaintChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintChannel::Online => "online",
            ComplaintChannel::Phone => "phone",
            ComplaintChannel::InPerson => "in_person",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintChannel::Online => "网上",
            ComplaintChannel::Phone => "电话",
            ComplaintChannel::InPerson => "来访",
        }
    }
}

impl FromStr for ComplaintChannel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "online" => Ok(Self::Online),
            "phone" => Ok(Self::Phone),
            "in_person" => Ok(Self::InPerson),
            _ => Err(format!("unknown complaint channel {s:?}")),
        }
    }
}

/// A complaint and where its workflow stands (Art 5(6), 8(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Complaint {
    pub id: i64,
    pub complaint_no: String,
    pub received_at: DateTime<Utc>,
    pub channel: ComplaintChannel,
    pub complainant: String,
    /// Masked for everyone but chiefs and administrators.
    pub contact: String,
    pub content: String,
    pub case_no: Option<String>,
    pub hall_code: Option<String>,
    pub window_code: Option<String>,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    pub department: Option<String>,
    pub status: super::accountability::ComplaintStatus,
    pub created_by: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub investigating_at: Option<DateTime<Utc>>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub concluded_by: Option<String>,
    pub conclusion: Option<String>,
    /// The reply to the complainant.
    pub reply: Option<String>,
    /// The day the current step is due (acceptance, then conclusion); none once closed.
    pub due: Option<chrono::NaiveDate>,
    /// Footage requests naming this complaint (request numbers).
    pub footage_requests: Vec<String>,
    /// Violations recorded from it (ids).
    pub violations: Vec<i64>,
}

/// Categories of discipline observations (RULES.md "Discipline observations").
pub const DISCIPLINE_CATEGORIES: [&str; 10] = [
    "离岗",
    "串岗",
    "玩手机/做与工作无关的事",
    "吃东西",
    "着装不规范/未佩戴工牌",
    "服务态度生硬",
    "遮挡摄像头/规避监察",
    "他人顶岗",
    "大声喧哗",
    "其他",
];

/// A local date range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_round_trips_without_floats() {
        assert_eq!(parse_yuan("12.5"), Ok(1250));
        assert_eq!(parse_yuan("0"), Ok(0));
        assert_eq!(parse_yuan(" 80.05 "), Ok(8005));
        assert!(parse_yuan("1.234").is_err());
        assert!(parse_yuan("-3").is_err());
        assert!(parse_yuan("abc").is_err());
        assert!(parse_yuan("99999999999999999999").is_err());
        assert_eq!(format_yuan(8005), "80.05");
        assert_eq!(format_yuan(-5), "-0.05");
    }

    #[test]
    fn redaction_removes_credentials_only() {
        assert_eq!(redact_url("rtsp://admin:s3cret@10.0.0.5:554/cam/1"), "rtsp://10.0.0.5:554/cam/1");
        assert_eq!(redact_url("rtsp://10.0.0.5/cam/1"), "rtsp://10.0.0.5/cam/1");
        assert_eq!(redact_url("rtsp://u:p@h/path@x"), "rtsp://h/path@x");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn camera_debug_output_hides_credentials() {
        let c = Camera {
            id: 1,
            name: "A01".into(),
            hall_code: "H".into(),
            window_code: None,
            main_url: "rtsp://admin:topsecret@10.0.0.9/main".into(),
            sub_url: Some("rtsp://admin:topsecret@10.0.0.9/sub".into()),
        };
        let text = format!("{c:?}");
        assert!(!text.contains("topsecret"), "{text}");
        assert!(text.contains("rtsp://10.0.0.9/main"));
    }

    #[test]
    fn steps_parse_from_their_names() {
        for step in Step::ALL {
            assert_eq!(step.as_str().parse::<Step>(), Ok(step));
        }
        assert!("approval".parse::<Step>().unwrap_err().contains("supplement_request"));
    }
}
