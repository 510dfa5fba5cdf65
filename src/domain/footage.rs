//! Footage access (Art 10, RULES.md "Footage access"): requests to view (调阅) or copy (拷贝) recordings,
//! who may decide them, what an approved request lets its holder see, the recorded ranges of a camera
//! with their gaps, and which segments retention may delete.
//!
//! Pure: `now` is a parameter. Times are UTC milliseconds where ranges are compared (`Span`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::access::{Permission, Role};

/// `[footage]` in rules.toml.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FootageSettings {
    /// An approval lets its holder use the footage for this many days.
    pub approval_days: u32,
    /// Recordings older than this are deleted (unless held or being exported). The law's minimum is 30.
    pub retention_days: u32,
    /// Delete oldest first while the footage takes more than this (GiB); 0 = no budget.
    pub disk_budget_gib: f64,
    /// Whether a request needs a second person (双人调阅).
    pub two_person: bool,
    /// The length of a recorded segment.
    pub segment_seconds: u32,
    /// A camera lost for longer than this during opening hours raises a `camera_offline` alarm.
    pub camera_offline_seconds: u32,
    /// A camera blocked or turned away from its reference view for longer than this during opening
    /// hours raises a `camera_tampered` finding (Art 11(8)).
    pub tamper_seconds: u32,
    /// A seat seen empty for longer than this during opening hours makes a 离岗 candidate.
    pub absent_seconds: u32,
}

impl Default for FootageSettings {
    fn default() -> Self {
        Self {
            approval_days: 7,
            retention_days: 90,
            disk_budget_gib: 0.0,
            two_person: false,
            segment_seconds: 60,
            camera_offline_seconds: 60,
            tamper_seconds: 30,
            absent_seconds: 600,
        }
    }
}

impl FootageSettings {
    /// Checks every value; the error names the key (`footage.retention_days`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let checks: [(&str, u32, u32, u32); 6] = [
            ("approval_days", self.approval_days, 1, 90),
            ("retention_days", self.retention_days, 30, 3650),
            ("segment_seconds", self.segment_seconds, 2, 60),
            ("camera_offline_seconds", self.camera_offline_seconds, 2, 3600),
            ("tamper_seconds", self.tamper_seconds, 5, 3600),
            ("absent_seconds", self.absent_seconds, 10, 7200),
        ];
        for (key, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                let why = if key == "retention_days" && value < 30 {
                    format!("{value} is below the legal minimum of 30 days")
                } else {
                    format!("{value} is outside {min}–{max}")
                };
                return Err((format!("footage.{key}"), why));
            }
        }
        if !(self.disk_budget_gib >= 0.0 && self.disk_budget_gib.is_finite()) {
            return Err(("footage.disk_budget_gib".into(), format!("{} is not a size in GiB", self.disk_budget_gib)));
        }
        Ok(())
    }
}

/// A half-open time range `[from, to)` in UTC milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Span {
    /// Within 1990–2100 (`check`), as the schema says too.
    #[schemars(range(min = 631_152_000_000i64, max = 4_133_980_800_000i64))]
    pub from: i64,
    #[schemars(range(min = 631_152_000_000i64, max = 4_133_980_800_000i64))]
    pub to: i64,
}

impl Span {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self { from: from.timestamp_millis(), to: to.timestamp_millis() }
    }
    pub fn is_empty(self) -> bool {
        self.to <= self.from
    }
    pub fn overlaps(self, other: Span) -> bool {
        self.from < other.to && other.from < self.to
    }
    pub fn contains(self, other: Span) -> bool {
        self.from <= other.from && other.to <= self.to
    }
    /// The span, or why it is refused: both ends within 1990–2100, the end not before the start.
    pub fn check(self) -> Result<Span, String> {
        const EARLIEST: i64 = 631_152_000_000; // 1990-01-01
        const LATEST: i64 = 4_133_980_800_000; // 2101-01-01
        if !(EARLIEST..=LATEST).contains(&self.from) || !(EARLIEST..=LATEST).contains(&self.to) {
            return Err(format!("the span {}..{} ms lies outside 1990–2100", self.from, self.to));
        }
        if self.to < self.from {
            return Err("the span ends before it starts".into());
        }
        Ok(self)
    }

    pub fn millis(self) -> i64 {
        self.to.saturating_sub(self.from).max(0)
    }
    pub fn start(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.from).unwrap_or_default()
    }
    pub fn end(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.to).unwrap_or_default()
    }
    /// The part of `self` inside `limit`.
    pub fn clamp_to(self, limit: Span) -> Span {
        Span { from: self.from.max(limit.from), to: self.to.min(limit.to) }
    }
}

/// 调阅 (view) or 拷贝 (export; includes viewing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    View,
    Export,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::View => "view",
            RequestKind::Export => "export",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RequestKind::View => "调阅",
            RequestKind::Export => "拷贝",
        }
    }
}

impl FromStr for RequestKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "view" => Ok(RequestKind::View),
            "export" => Ok(RequestKind::Export),
            _ => Err(format!("unknown kind {s:?}; expected view or export")),
        }
    }
}

/// Where a request stands. Expiry is not a state: it follows from `expires_at` and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Refused,
    Cancelled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Refused => "refused",
            RequestStatus::Cancelled => "cancelled",
        }
    }
}

impl FromStr for RequestStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(RequestStatus::Pending),
            "approved" => Ok(RequestStatus::Approved),
            "refused" => Ok(RequestStatus::Refused),
            "cancelled" => Ok(RequestStatus::Cancelled),
            _ => Err(format!("unknown status {s:?}")),
        }
    }
}

/// A footage request as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FootageRequest {
    pub id: i64,
    /// 调〔2026〕第12号
    pub request_no: String,
    pub requester: String,
    pub second_person: Option<String>,
    pub purpose: String,
    pub kind: RequestKind,
    pub cameras: Vec<i64>,
    pub span: Span,
    pub created_at: DateTime<Utc>,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The refusal's reason, or the approver's remark.
    pub decision_note: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub case_no: Option<String>,
    pub complaint_no: Option<String>,
}

impl FootageRequest {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// Pending, approved (and until when), expired, refused or cancelled — for lists.
    pub fn state_zh(&self, now: DateTime<Utc>) -> &'static str {
        match self.status {
            RequestStatus::Pending => "待审批",
            RequestStatus::Approved if self.is_expired(now) => "已过期",
            RequestStatus::Approved => "已批准",
            RequestStatus::Refused => "已拒绝",
            RequestStatus::Cancelled => "已撤回",
        }
    }

    pub fn state_en(&self, now: DateTime<Utc>) -> &'static str {
        match self.status {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved if self.is_expired(now) => "expired",
            RequestStatus::Approved => "approved",
            RequestStatus::Refused => "refused",
            RequestStatus::Cancelled => "withdrawn",
        }
    }
}

/// Why something about footage is not allowed. The store turns these into `Forbidden` errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Refusal {
    /// The role may not do this at all.
    Role,
    /// Nobody approves their own request (nor one they are the second person of).
    OwnRequest,
    NotPending,
    NotApproved,
    Expired,
    /// Only the requester (and the second person) use an approved request.
    NotHolder,
    CameraNotRequested,
    /// Asked for time outside the approved range.
    OutsideRange,
    /// A view request does not allow a copy.
    ViewOnly,
    /// The request misses what the settings require (second person, purpose, a sane range).
    Incomplete(String),
    /// Decisions are a named chief's, never the local system actor's.
    Unnamed,
    /// The deciding chief was given the role by the requester, or after the request was made.
    RoleFromRequester,
    RoleAfterRequest,
    /// The deciding chief's password was reset by an administrator after the request was made.
    ResetAfterRequest,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Role => f.write_str("本角色无此权限 (not allowed for this role)"),
            Refusal::OwnRequest => f.write_str("不能审批本人的申请 (nobody approves their own request)"),
            Refusal::NotPending => f.write_str("申请已处理 (the request was already decided)"),
            Refusal::NotApproved => f.write_str("申请未获批准 (the request is not approved)"),
            Refusal::Expired => f.write_str("批准已过期 (the approval has expired)"),
            Refusal::NotHolder => f.write_str("只有申请人可以使用此申请 (only the requester may use it)"),
            Refusal::CameraNotRequested => f.write_str("该摄像头不在申请范围内 (camera not in the request)"),
            Refusal::OutsideRange => f.write_str("超出批准的时间范围 (outside the approved time range)"),
            Refusal::ViewOnly => f.write_str("调阅申请不能拷贝 (a view request does not allow a copy)"),
            Refusal::Incomplete(why) => write!(f, "申请不完整：{why}"),
            Refusal::Unnamed => {
                f.write_str("审批须由具名的监察室负责人登录作出 (a named chief decides, never the local system)")
            }
            Refusal::RoleFromRequester => f.write_str(
                "审批人的负责人角色由申请人授予，不能审批其申请 (the chief role was granted by the requester)",
            ),
            Refusal::RoleAfterRequest => f.write_str(
                "审批人在申请提出后才获得负责人角色 (the chief role was granted after the request was made)",
            ),
            Refusal::ResetAfterRequest => f.write_str(
                "审批人的密码在申请提出后被管理员重置，不能审批此申请 (the chief's password was reset by an administrator after the request was made)",
            ),
        }
    }
}

/// A new request is complete: a purpose, at least one camera, a range that has ended by `now` and is at
/// most 24 hours long, and the second person when the settings require one (not the requester).
pub fn check_new_request(
    requester: &str,
    second_person: Option<&str>,
    purpose: &str,
    cameras: &[i64],
    span: Span,
    now: DateTime<Utc>,
    settings: &FootageSettings,
) -> Result<(), Refusal> {
    let incomplete = |s: &str| Err(Refusal::Incomplete(s.to_owned()));
    if purpose.trim().chars().count() < 4 {
        return incomplete("请写明用途（至少 4 个字） (state the purpose)");
    }
    if cameras.is_empty() {
        return incomplete("请选择摄像头 (choose a camera)");
    }
    if span.is_empty() {
        return incomplete("结束时间应晚于开始时间 (the end must be after the start)");
    }
    // 2000-01-01 .. 2100-01-01: a range outside is no footage, whatever its length.
    const EARLIEST: i64 = 946_684_800_000;
    const LATEST: i64 = 4_102_444_800_000;
    if span.from < EARLIEST || span.to > LATEST {
        return incomplete("时间超出范围（2000—2100 年） (the range is outside 2000–2100)");
    }
    if span.millis() > 24 * 3600 * 1000 {
        return incomplete("一次最多申请 24 小时 (at most 24 hours per request)");
    }
    if span.from > now.timestamp_millis() {
        return incomplete("开始时间在将来 (the start is in the future)");
    }
    match second_person.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) if p == requester => incomplete("第二人不能是申请人本人 (the second person must be someone else)"),
        None if settings.two_person => incomplete("本厅要求双人调阅，请填写第二人 (a second person is required)"),
        _ => Ok(()),
    }
}

/// Whether `actor` (with `role`) may approve or refuse `request` now.
/// Whether `role` may decide footage requests at all (asked before any request is looked up).
pub fn may_decide_any(role: Role) -> Result<(), Refusal> {
    if role == Role::System {
        return Err(Refusal::Unnamed);
    }
    if !role.allows(Permission::ApproveFootage) {
        return Err(Refusal::Role);
    }
    Ok(())
}

pub fn may_decide(request: &FootageRequest, actor: &str, role: Role) -> Result<(), Refusal> {
    may_decide_any(role)?;
    if request.requester == actor || request.second_person.as_deref() == Some(actor) {
        return Err(Refusal::OwnRequest);
    }
    if request.status != RequestStatus::Pending {
        return Err(Refusal::NotPending);
    }
    Ok(())
}

/// When an approval given at `at` expires.
pub fn expiry(at: DateTime<Utc>, settings: &FootageSettings) -> DateTime<Utc> {
    at + Duration::days(i64::from(settings.approval_days))
}

/// What a holder wants to do with footage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    View,
    Export,
}

/// Whether `user` may view or export `camera` over `span` under `request` now. The whole span must lie
/// inside the approved range: nobody sees a second outside it.
pub fn check_use(
    request: &FootageRequest,
    user: &str,
    camera: i64,
    span: Span,
    want: Use,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if request.status != RequestStatus::Approved {
        return Err(Refusal::NotApproved);
    }
    if request.is_expired(now) {
        return Err(Refusal::Expired);
    }
    if request.requester != user && request.second_person.as_deref() != Some(user) {
        return Err(Refusal::NotHolder);
    }
    if !request.cameras.contains(&camera) {
        return Err(Refusal::CameraNotRequested);
    }
    if span.is_empty() || !request.span.contains(span) {
        return Err(Refusal::OutsideRange);
    }
    if want == Use::Export && request.kind != RequestKind::Export {
        return Err(Refusal::ViewOnly);
    }
    Ok(())
}

/// A recorded segment as the timeline and retention see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SegmentInfo {
    pub id: i64,
    pub camera: i64,
    pub span: Span,
    pub bytes: u64,
}

/// Contiguous recorded ranges: segments closer than `tolerance_ms` join (a new segment starts within a
/// frame or two of the last one's end).
pub fn recorded_runs(segments: &[SegmentInfo], tolerance_ms: i64) -> Vec<Span> {
    let mut spans: Vec<Span> = segments.iter().map(|s| s.span).filter(|s| !s.is_empty()).collect();
    spans.sort();
    let mut runs: Vec<Span> = Vec::new();
    for s in spans {
        match runs.last_mut() {
            Some(last) if s.from <= last.to + tolerance_ms => last.to = last.to.max(s.to),
            _ => runs.push(s),
        }
    }
    runs
}

/// The gaps of `within` not covered by `runs` (sorted, non-overlapping).
pub fn gaps(runs: &[Span], within: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = within.from;
    for r in runs.iter().filter(|r| r.overlaps(within)) {
        if r.from > at {
            out.push(Span { from: at, to: r.from.min(within.to) });
        }
        at = at.max(r.to);
    }
    if at < within.to {
        out.push(Span { from: at, to: within.to });
    }
    out
}

/// Segments retention deletes now: older than the retention period, then — oldest first — while the
/// total exceeds the disk budget; never one overlapping a legal hold (保全) or an export in progress.
/// `segments` may be in any order.
pub fn retention_victims(
    segments: &[SegmentInfo],
    protected: &[(i64, Span)],
    now: DateTime<Utc>,
    settings: &FootageSettings,
) -> Vec<i64> {
    let is_protected =
        |s: &SegmentInfo| protected.iter().any(|(camera, span)| *camera == s.camera && span.overlaps(s.span));
    let cutoff = (now - Duration::days(i64::from(settings.retention_days))).timestamp_millis();
    let mut order: Vec<&SegmentInfo> = segments.iter().collect();
    order.sort_by_key(|s| (s.span.to, s.id));
    let mut total: u64 = segments.iter().map(|s| s.bytes).sum();
    let budget = if settings.disk_budget_gib > 0.0 {
        Some((settings.disk_budget_gib * 1024.0 * 1024.0 * 1024.0) as u64)
    } else {
        None
    };
    let mut victims = Vec::new();
    for s in order {
        let too_old = s.span.to <= cutoff;
        let over_budget = budget.is_some_and(|b| total > b);
        if !too_old && !over_budget {
            // Oldest first: nothing later is older; only the budget could still ask for more.
            if budget.is_none() {
                break;
            }
            continue;
        }
        if is_protected(s) {
            continue;
        }
        victims.push(s.id);
        total = total.saturating_sub(s.bytes);
    }
    victims
}

/// Whether `name` may name a server holding footage (`[a-z0-9-]`, 1–32, starting with a letter or
/// digit): one of several servers of a database, in `server.toml` and `segment.holder`.
pub fn valid_holder(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn request() -> FootageRequest {
        FootageRequest {
            id: 1,
            request_no: "调〔2026〕第1号".into(),
            requester: "supervisor1".into(),
            second_person: None,
            purpose: "投诉核查".into(),
            kind: RequestKind::View,
            cameras: vec![7],
            span: Span::new(t("2026-11-24T10:30:00+08:00"), t("2026-11-24T10:50:00+08:00")),
            created_at: t("2026-11-27T09:00:00+08:00"),
            status: RequestStatus::Pending,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            expires_at: None,
            case_no: None,
            complaint_no: None,
        }
    }

    #[test]
    fn settings_name_the_key() {
        assert_eq!(FootageSettings::default().validate(), Ok(()));
        let short = FootageSettings { retention_days: 20, ..FootageSettings::default() };
        let (key, why) = short.validate().unwrap_err();
        assert_eq!(key, "footage.retention_days");
        assert!(why.contains("legal minimum"), "{why}");
        let bad = FootageSettings { disk_budget_gib: f64::NAN, ..FootageSettings::default() };
        assert_eq!(bad.validate().unwrap_err().0, "footage.disk_budget_gib");
    }

    #[test]
    fn nobody_decides_their_own_request() {
        let r = request();
        assert_eq!(may_decide(&r, "supervisor1", Role::Chief), Err(Refusal::OwnRequest));
        assert_eq!(may_decide(&r, "chief1", Role::Chief), Ok(()));
        assert_eq!(may_decide(&r, "supervisor2", Role::Supervisor), Err(Refusal::Role));
        assert_eq!(may_decide(&r, "auditor1", Role::Auditor), Err(Refusal::Role));
        let second = FootageRequest { second_person: Some("chief1".into()), ..request() };
        assert_eq!(may_decide(&second, "chief1", Role::Chief), Err(Refusal::OwnRequest));
        let done = FootageRequest { status: RequestStatus::Refused, ..request() };
        assert_eq!(may_decide(&done, "chief1", Role::Chief), Err(Refusal::NotPending));
    }

    #[test]
    fn an_approval_covers_its_cameras_range_kind_holder_and_days() {
        let approved_at = t("2026-11-27T10:00:00+08:00");
        let r = FootageRequest {
            status: RequestStatus::Approved,
            expires_at: Some(expiry(approved_at, &FootageSettings::default())),
            ..request()
        };
        let now = t("2026-11-28T09:00:00+08:00");
        let inside = Span::new(t("2026-11-24T10:35:00+08:00"), t("2026-11-24T10:40:00+08:00"));
        assert_eq!(check_use(&r, "supervisor1", 7, inside, Use::View, now), Ok(()));
        assert_eq!(check_use(&r, "supervisor1", 7, r.span, Use::View, now), Ok(()), "the whole range");
        let one_second_more = Span { to: r.span.to + 1000, ..r.span };
        assert_eq!(check_use(&r, "supervisor1", 7, one_second_more, Use::View, now), Err(Refusal::OutsideRange));
        let before = Span { from: r.span.from - 1, ..inside };
        assert_eq!(check_use(&r, "supervisor1", 7, before, Use::View, now), Err(Refusal::OutsideRange));
        assert_eq!(check_use(&r, "supervisor1", 8, inside, Use::View, now), Err(Refusal::CameraNotRequested));
        assert_eq!(check_use(&r, "supervisor2", 7, inside, Use::View, now), Err(Refusal::NotHolder));
        assert_eq!(check_use(&r, "supervisor1", 7, inside, Use::Export, now), Err(Refusal::ViewOnly));
        let later = t("2026-12-04T10:00:00+08:00");
        assert_eq!(check_use(&r, "supervisor1", 7, inside, Use::View, later), Err(Refusal::Expired));
        let pending = request();
        assert_eq!(check_use(&pending, "supervisor1", 7, inside, Use::View, now), Err(Refusal::NotApproved));
        let export = FootageRequest { kind: RequestKind::Export, ..r };
        assert_eq!(check_use(&export, "supervisor1", 7, inside, Use::Export, now), Ok(()));
    }

    #[test]
    fn new_requests_are_complete() {
        let s = FootageSettings::default();
        let now = t("2026-11-27T09:00:00+08:00");
        let span = request().span;
        assert_eq!(check_new_request("a", None, "投诉核查", &[1], span, now, &s), Ok(()));
        assert!(check_new_request("a", None, "看看", &[1], span, now, &s).is_err(), "a real purpose");
        assert!(check_new_request("a", None, "投诉核查", &[], span, now, &s).is_err());
        assert!(
            check_new_request("a", None, "投诉核查", &[1], Span { from: span.to, to: span.from }, now, &s).is_err()
        );
        let two = FootageSettings { two_person: true, ..s };
        assert!(check_new_request("a", None, "投诉核查", &[1], span, now, &two).is_err());
        assert!(check_new_request("a", Some("a"), "投诉核查", &[1], span, now, &two).is_err());
        assert_eq!(check_new_request("a", Some("b"), "投诉核查", &[1], span, now, &two), Ok(()));
        let future = Span::new(t("2026-11-28T09:00:00+08:00"), t("2026-11-28T10:00:00+08:00"));
        assert!(check_new_request("a", None, "投诉核查", &[1], future, now, &s).is_err());
    }

    fn seg(id: i64, camera: i64, from: i64, to: i64, bytes: u64) -> SegmentInfo {
        SegmentInfo { id, camera, span: Span { from, to }, bytes }
    }

    #[test]
    fn runs_join_close_segments_and_gaps_are_what_is_left() {
        let segments = [seg(1, 1, 0, 60_000, 1), seg(3, 1, 150_000, 200_000, 1), seg(2, 1, 60_040, 120_000, 1)];
        let runs = recorded_runs(&segments, 1_500);
        assert_eq!(runs, [Span { from: 0, to: 120_000 }, Span { from: 150_000, to: 200_000 }]);
        assert_eq!(
            gaps(&runs, Span { from: -10_000, to: 250_000 }),
            [Span { from: -10_000, to: 0 }, Span { from: 120_000, to: 150_000 }, Span { from: 200_000, to: 250_000 }]
        );
        assert!(gaps(&runs, Span { from: 10, to: 100_000 }).is_empty());
    }

    #[test]
    fn retention_deletes_old_then_over_budget_but_never_held_footage() {
        let now = t("2026-11-27T00:00:00Z");
        let day = 86_400_000i64;
        let base = now.timestamp_millis();
        let segments = [
            seg(1, 1, base - 100 * day, base - 100 * day + 60_000, 10),
            seg(2, 1, base - 95 * day, base - 95 * day + 60_000, 10),
            seg(3, 2, base - 91 * day, base - 91 * day + 60_000, 10),
            seg(4, 1, base - 10 * day, base - 10 * day + 60_000, 10),
            seg(5, 1, base - day, base - day + 60_000, 10),
        ];
        let s = FootageSettings::default();
        let hold = [(1, Span { from: base - 95 * day + 1000, to: base - 95 * day + 2000 })];
        assert_eq!(retention_victims(&segments, &hold, now, &s), [1, 3], "90 days; segment 2 is held");
        // A budget of 25 bytes (as GiB): after the old ones (30 bytes left, the held one included), the
        // oldest unheld one goes too.
        let tiny = FootageSettings { disk_budget_gib: 25.0 / (1024.0 * 1024.0 * 1024.0), ..s };
        assert_eq!(retention_victims(&segments, &hold, now, &tiny), [1, 3, 4]);
        // Another camera's hold protects nothing here.
        let elsewhere = [(9, hold[0].1)];
        assert_eq!(retention_victims(&segments, &elsewhere, now, &s), [1, 2, 3]);
    }
}
