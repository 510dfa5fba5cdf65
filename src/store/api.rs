//! The store as an HTTP API: one table of the `Store` calls, from which both the server's dispatch
//! (`dispatch`) and the client (`RemoteStore`) are generated, so that the two can never disagree.
//!
//! Wire format: `POST /api/v1/call/{method}` with `Authorization: Bearer TOKEN` and the arguments after
//! the session as a JSON array; the answer is the result as JSON, or a `StoreError` as JSON
//! (`{"error": "forbidden", "detail": {…}}`) with the matching HTTP status.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{
    AlertQuery, AuditQuery, CaseQuery, ComplaintStep, DailyCheck, ExportOutcome, FollowUpStep, HallSetup, NewComplaint,
    NewEvidence, NewFootageRequest, NewInterview, NewNotice, NewObservation, NewSegment, NewUser, NewViolation,
    RequestFilter, Session, Store, StoreError, UserChange,
};
use crate::domain::accountability::Measure;
use crate::domain::assessment::YearMonth;
use crate::domain::discipline::Week;
use crate::domain::footage::{Span, Use};
use crate::domain::hall::HallConfig;
use crate::interchange::ImportBatch;

/// The header naming the workstation a call comes from (the server records it with the session).
pub const WORKSTATION_HEADER: &str = "x-jiancha-workstation";

/// The header carrying a call's idempotency key (a console's outbox sends every write with one).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Set on an answer given again to a replayed idempotency key.
pub const REPLAYED_HEADER: &str = "x-jiancha-replayed";

/// The SHA-256 of the whole footage segment, as indexed, sent with each part of it.
pub const SEGMENT_SHA256_HEADER: &str = "x-jiancha-sha256";

/// Set when the server sent only part of a segment (a grant that covers part of it): `FROM-TO` in
/// milliseconds since 1970, where the clip's first frame starts and the grant ends, or `none` when no
/// keyframe lies inside. The SHA-256 header is then the clip's.
pub const CLIP_HEADER: &str = "x-jiancha-clip";
/// The console's hall filter (`Session::view`), comma-separated hall codes.
pub const VIEW_HEADER: &str = "x-jiancha-view";

/// The answer to a push: which records were taken and which were not, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PushAnswer {
    /// Records received.
    pub received: usize,
    /// Records taken (new, changed, or already known: pushing again is harmless).
    pub accepted: usize,
    /// The others, each with its record number (1-based, in the order sent), field and reason.
    pub rejected: Vec<crate::interchange::InputError>,
    /// What the import did with the accepted ones.
    pub report: Option<super::ImportReport>,
}

/// How a parameter of a `Store` method travels: the owned value it is sent as (whose JSON Schema the
/// OpenAPI document gives), the rules a value that fits the schema must still meet, and how the server
/// lends it to the store.
pub trait Wire<'a> {
    type Owned: DeserializeOwned + schemars::JsonSchema + 'static;
    /// The value as the store may take it, or why not (answered 422, naming the argument): the rules a
    /// schema cannot say, such as dates within the years the system works with.
    fn admit(owned: Self::Owned) -> Result<Self::Owned, String> {
        Ok(owned)
    }
    fn lend(owned: &'a Self::Owned) -> Self;
}

impl<'a> Wire<'a> for &'a str {
    type Owned = String;
    fn lend(owned: &'a String) -> Self {
        owned
    }
}

impl<'a> Wire<'a> for Option<&'a str> {
    type Owned = Option<String>;
    fn lend(owned: &'a Option<String>) -> Self {
        owned.as_deref()
    }
}

impl<'a, T: DeserializeOwned + schemars::JsonSchema + 'static> Wire<'a> for &'a [T] {
    type Owned = Vec<T>;
    fn lend(owned: &'a Vec<T>) -> Self {
        owned
    }
}

impl<'a> Wire<'a> for Option<&'a [u8]> {
    type Owned = Option<Vec<u8>>;
    fn lend(owned: &'a Option<Vec<u8>>) -> Self {
        owned.as_deref()
    }
}

macro_rules! by_reference {
    ($($t:ty),* $(,)?) => {$(
        impl<'a> Wire<'a> for &'a $t {
            type Owned = $t;
            fn lend(owned: &'a $t) -> Self {
                owned
            }
        }
    )*};
}

macro_rules! by_value {
    ($($t:ty),* $(,)?) => {$(
        impl<'a> Wire<'a> for $t {
            type Owned = $t;
            fn lend(owned: &'a $t) -> Self {
                owned.clone()
            }
        }
    )*};
}

by_reference!(
    NewUser,
    UserChange,
    HallConfig,
    HallSetup,
    CaseQuery,
    NewComplaint,
    NewObservation,
    ComplaintStep,
    NewViolation,
    AlertQuery,
    NewNotice,
    DailyCheck,
    NewInterview,
    NewSegment,
    NewFootageRequest,
    ExportOutcome,
    NewEvidence,
    AuditQuery,
    super::NewRecommendation,
    crate::domain::calendar::YearSchedule,
    super::AuditAnchor,
    super::WatchReport,
    crate::domain::notify::NotifySettings,
    crate::domain::notify::ChannelSetup,
    super::NotifyLogQuery,
    super::FindingQuery,
);
by_value!(
    i64,
    i32,
    u32,
    bool,
    YearMonth,
    Week,
    Option<Week>,
    FollowUpStep,
    RequestFilter,
    Use,
    Option<crate::domain::watch::Region>,
    crate::domain::watch::FindingDecision,
    crate::domain::notify::Channel,
);

/// A footage span: both ends within 1990–2100, the end not before the start.
impl<'a> Wire<'a> for Span {
    type Owned = Span;
    fn admit(span: Span) -> Result<Span, String> {
        span.check()
    }
    fn lend(owned: &'a Span) -> Self {
        *owned
    }
}

/// An import batch: checked again by the file parser (`interchange::recheck`), so that a call does not
/// skip what a file or a push would have been refused for.
impl<'a> Wire<'a> for &'a ImportBatch {
    type Owned = ImportBatch;
    fn admit(batch: ImportBatch) -> Result<ImportBatch, String> {
        crate::interchange::recheck(batch).map_err(|e| e.to_string())
    }
    fn lend(owned: &'a ImportBatch) -> Self {
        owned
    }
}

/// A date within the years the system works with.
impl<'a> Wire<'a> for NaiveDate {
    type Owned = NaiveDate;
    fn admit(date: NaiveDate) -> Result<NaiveDate, String> {
        crate::domain::time::check_date(date)
    }
    fn lend(owned: &'a NaiveDate) -> Self {
        *owned
    }
}

/// Why a call could not be dispatched.
#[derive(Debug)]
pub enum DispatchError {
    /// No such method.
    Unknown(String),
    /// The arguments do not fit the method's schema (the message names what is wrong): 400.
    Arguments(String),
    /// The arguments fit the schema, but a rule the schema cannot say refuses one (the message names
    /// it): 422, as the store's own refusals of well-formed data.
    Rules(String),
    Store(StoreError),
}

/// What a call does to the data, declared with it in the call table below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads only.
    Read,
    /// Changes data (the server tells waiting consoles after each).
    Write,
    /// A write a console keeps in its outbox when the server cannot be reached: a supervisor's own
    /// records and decisions, whose result the console does not need at once. (Logging in, opening
    /// footage, issuing numbered slips and the like need the server there and then.)
    Queueable,
}

impl CallKind {
    pub fn writes(self) -> bool {
        self != CallKind::Read
    }
}

/// The kind of a call by its method name (`None`: no such call).
pub fn call_kind(method: &str) -> Option<CallKind> {
    METHODS.iter().find(|m| m.0 == method).map(|m| m.2)
}

/// Spelled in the table as `read`, `write`, `queue`.
macro_rules! call_kind {
    (read) => {
        CallKind::Read
    };
    (write) => {
        CallKind::Write
    };
    (queue) => {
        CallKind::Queueable
    };
}

macro_rules! store_api {
    ($( family $family:ident { $( $kind:ident $( ( $only:ident ) )? fn $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )* } )*) => {
        /// The methods of the API: name, argument names, kind (for the OpenAPI document, the server's
        /// change counter and the console's outbox).
        pub const METHODS: &[(&str, &[&str], CallKind)] =
            &[ $( $( (stringify!($name), &[ $( stringify!($arg) ),* ], call_kind!($kind)) ),* ),* ];

        /// Calls only the local system actor may make (the recorder's and the watchers'), marked
        /// `(system)` in the table: not part of the server's public API.
        pub const SYSTEM_ONLY: &[&str] = &[ $( $( $( system_only!($only, $name), )? )* )* ];

        /// Runs `method` with the JSON `args` (an array) on `store` for `session`; the result as JSON text.
        pub fn dispatch(
            store: &dyn Store,
            session: &Session,
            method: &str,
            args: serde_json::Value,
        ) -> Result<String, DispatchError> {
            match method {
                $( $(
                    stringify!($name) => {
                        admit_values(&args, &mut String::from("arguments")).map_err(DispatchError::Rules)?;
                        #[allow(unused_mut, unused_variables, reason = "a call without arguments reads none")]
                        let mut list = arg_list(args, &[ $( stringify!($arg) ),* ])?;
                        $(
                            let $arg: <$ty as Wire<'_>>::Owned = parse_one(list.next(), stringify!($arg))?;
                            let $arg = <$ty as Wire<'_>>::admit($arg)
                                .map_err(|m| DispatchError::Rules(format!("argument `{}`: {m}", stringify!($arg))))?;
                        )*
                        let result = store.$name(session $(, <$ty as Wire<'_>>::lend(&$arg) )*).map_err(DispatchError::Store)?;
                        serde_json::to_string(&result).map_err(|e| DispatchError::Store(StoreError::Backend(e.to_string())))
                    }
                )* )*
                other => Err(DispatchError::Unknown(other.to_owned())),
            }
        }

        /// The JSON Schema of every argument and result, from the Rust types (for the OpenAPI document).
        pub fn method_schemas(generator: &mut schemars::SchemaGenerator) -> Vec<MethodSchema> {
            vec![ $( $(
                MethodSchema {
                    name: stringify!($name),
                    kind: call_kind!($kind),
                    args: vec![ $( (stringify!($arg), generator.subschema_for::<<$ty as Wire<'_>>::Owned>()) ),* ],
                    result: generator.subschema_for::<$ret>(),
                },
            )* )* ]
        }

        /// The client half: every call of every family is a request to the server.
        macro_rules! remote_families {
            ($store:ty) => {
                $(
                    impl super::$family for $store {
                        $(
                            fn $name(&self, session: &Session $(, $arg: $ty )*) -> Result<$ret, StoreError> {
                                self.call(session, stringify!($name), ( $( $arg, )* ))
                            }
                        )*
                    }
                )*
            };
        }
        pub(crate) use remote_families;
    };
}

/// The marker `(system)` of a call in the table.
macro_rules! system_only {
    (system, $name:ident) => {
        stringify!($name)
    };
}

/// A call's arguments and result as JSON Schemas.
pub struct MethodSchema {
    pub name: &'static str,
    pub kind: CallKind,
    pub args: Vec<(&'static str, schemars::Schema)>,
    pub result: schemars::Schema,
}

/// The longest text any argument may carry (a free-text note, a reply); names have their own, shorter
/// limits in the store.
pub const MAX_ARGUMENT_CHARS: usize = 10_000;

/// The rule every text anywhere in a call's arguments meets, nested objects and lists included,
/// before the call is parsed any further: at most [`MAX_ARGUMENT_CHARS`] characters, no control
/// character but a line break or a tab, no bidirectional override; and a text shaped like a date
/// (`YYYY-MM`, `YYYY-MM-DD`, an RFC 3339 time) lies within the years the system works with. The error
/// names where, as `argument[0].from`.
pub fn admit_values(value: &serde_json::Value, at: &mut String) -> Result<(), String> {
    match value {
        serde_json::Value::String(text) => text_rule(text).map_err(|m| format!("`{at}`: {m}")),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                admit_values(item, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                text_rule(key).map_err(|m| format!("`{at}` key: {m}"))?;
                let len = at.len();
                at.push('.');
                at.push_str(key);
                admit_values(item, at)?;
                at.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn text_rule(text: &str) -> Result<(), String> {
    if text.len() > MAX_ARGUMENT_CHARS * 4 || text.chars().count() > MAX_ARGUMENT_CHARS {
        return Err(format!("longer than {MAX_ARGUMENT_CHARS} characters"));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(format!("holds the control character U+{:04X}", u32::from(c)));
    }
    if let Some(c) = text.chars().find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) {
        return Err(format!("holds the bidirectional override U+{:04X}", u32::from(c)));
    }
    if let Some(year) = date_year(text)
        && !(i64::from(crate::domain::time::EARLIEST_YEAR)..=i64::from(crate::domain::time::LATEST_YEAR))
            .contains(&year)
    {
        return Err(format!(
            "{}: 日期须在 {}—{} 年之间 (dates lie in {}–{})",
            text.chars().take(40).collect::<String>(),
            crate::domain::time::EARLIEST_YEAR,
            crate::domain::time::LATEST_YEAR,
            crate::domain::time::EARLIEST_YEAR,
            crate::domain::time::LATEST_YEAR
        ));
    }
    Ok(())
}

/// The year of a text shaped like a date (`[+-]YYYY-MM`, `…-DD`, then optionally `T` or a space and a
/// time), or `None` for any other text.
fn date_year(text: &str) -> Option<i64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(4..=9).contains(&digits) {
        return None;
    }
    let after = &rest[digits..];
    let two = |s: &str| s.len() >= 3 && s.as_bytes()[0] == b'-' && s[1..3].bytes().all(|b| b.is_ascii_digit());
    if !two(after) {
        return None;
    }
    let after = &after[3..];
    let tail = if two(after) { &after[3..] } else { after };
    if !(tail.is_empty() || tail.starts_with(['T', 't', ' '])) {
        return None;
    }
    let year: i64 = rest[..digits].parse().ok()?;
    Some(if negative { -year } else { year })
}

/// The arguments as a list of the expected length.
fn arg_list(args: serde_json::Value, names: &[&str]) -> Result<std::vec::IntoIter<serde_json::Value>, DispatchError> {
    let list = match args {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(list) => list,
        _ => return Err(DispatchError::Arguments("the arguments must be a JSON array".into())),
    };
    if list.len() != names.len() {
        return Err(DispatchError::Arguments(format!(
            "expected {} argument(s) [{}], got {}",
            names.len(),
            names.join(", "),
            list.len()
        )));
    }
    Ok(list.into_iter())
}

/// Whole numbers written with a fraction of zero (`1296.0`) read as the integers they are: JSON does not
/// tell them apart, and a client's JSON library may write either.
pub fn whole_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            // Only where the float is exactly the integer written: past 2^53 a float stands for many
            // integers (-9223372036854775809 reads as i64::MIN), and such a number is refused.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                if f >= 0.0 {
                    *n = serde_json::Number::from(f as u64);
                } else {
                    *n = serde_json::Number::from(f as i64);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// One argument; the error names it (and serde names the field inside it).
fn parse_one<T: DeserializeOwned>(value: Option<serde_json::Value>, name: &str) -> Result<T, DispatchError> {
    let mut value = value.unwrap_or(serde_json::Value::Null);
    whole_numbers(&mut value);
    serde_json::from_value(value).map_err(|e| DispatchError::Arguments(format!("argument `{name}`: {e}")))
}

store_api! {
    family AdminStore {
        read  fn users() -> Vec<super::User>;
        write fn create_user(user: &NewUser) -> super::User;
        write fn set_password(username: &str, current: Option<&str>, password: &str) -> ();
        write fn update_user(username: &str, change: &super::UserChange) -> super::User;
        write fn reset_password(username: &str, temporary: &str) -> Option<super::AccountChange>;
        read  fn account_changes() -> Vec<super::AccountChange>;
        write fn decide_account_change(change_id: i64, confirm: bool, note: &str) -> super::AccountChange;
        read  fn directory() -> super::HallDirectory;
        write fn configure_hall(setup: &HallSetup) -> ();
        read  fn hall_config(hall: Option<&str>) -> crate::domain::hall::HallConfig;
        read  fn plan_hall(config: &crate::domain::hall::HallConfig) -> crate::domain::hall::HallDiff;
        write fn apply_hall(config: &crate::domain::hall::HallConfig) -> crate::domain::hall::HallDiff;
        write fn set_camera_password(hall: &str, camera: &str, password: Option<&str>) -> ();
        read  fn camera_streams() -> Vec<super::CameraStream>;
        read  fn audit_log(query: &AuditQuery) -> Vec<crate::domain::audit::AuditRecord>;
        read  fn verify_audit() -> super::AuditVerification;
        read  fn check_audit_anchor(anchor: &super::AuditAnchor) -> bool;
        write fn record_audit_anchor(source: &str, anchor: &super::AuditAnchor) -> ();
        read  fn audit_anchors(limit: u32) -> Vec<super::ReceivedAnchor>;
        read  fn calendar_year(year: i32) -> super::CalendarYearView;
        write fn set_calendar_year(schedule: &crate::domain::calendar::YearSchedule) -> super::CalendarYearView;
    }
    family CasesStore {
        write fn import(batch: &ImportBatch) -> super::ImportReport;
        read  fn cases(query: &CaseQuery) -> Vec<crate::domain::model::CaseSummary>;
        read  fn case_events(case_no: &str) -> Vec<crate::domain::model::CaseEvent>;
        read  fn overview() -> super::Overview;
        write fn refresh_alerts() -> super::RefreshReport;
        read  fn alerts(query: &AlertQuery) -> Vec<super::AlertRow>;
        read  fn alerts_changed(since: i64, limit: u32) -> super::AlertChanges;
        read  fn case_detail(case_no: &str) -> super::CaseDetail;
        queue fn close_alert(alert_id: i64, reason: &str) -> super::AlertRow;
        queue fn issue_notice(notice: &NewNotice) -> super::Notice;
        queue fn record_notice_reply(notice_id: i64, reply: &str) -> super::Notice;
        read  fn notices() -> Vec<super::Notice>;
        read  fn daily_check_data(day: NaiveDate) -> super::DailyCheckData;
        write fn record_daily_check(check: &DailyCheck) -> DailyCheck;
        read  fn daily_checks(limit: u32) -> Vec<DailyCheck>;
    }
    family PeopleStore {
        read  fn attendance(period_start: NaiveDate) -> super::AttendancePeriod;
        read  fn attendance_trend(last_period_start: NaiveDate, count: u32) -> super::AttendanceTrend;
        queue fn record_interview(interview: &NewInterview) -> super::Interview;
    }
    family EvaluationStore {
        read  fn evaluator_check(date: NaiveDate) -> crate::domain::evaluator::EvaluatorCheck;
        read  fn poor_ratings(from: NaiveDate, to: NaiveDate) -> Vec<super::PoorRating>;
        queue fn record_follow_up(key: &str, step: FollowUpStep, note: &str) -> super::PoorRating;
        read  fn satisfaction(from: NaiveDate, to: NaiveDate) -> super::Satisfaction;
    }
    family SupervisionStore {
        queue fn register_complaint(complaint: &NewComplaint) -> crate::domain::model::Complaint;
        read  fn complaints() -> Vec<crate::domain::model::Complaint>;
        queue fn add_observation(observation: &NewObservation) -> crate::domain::discipline::Observation;
        read  fn observations(from: NaiveDate, to: NaiveDate) -> Vec<crate::domain::discipline::Observation>;
        write fn issue_slips(week: Week) -> Vec<crate::domain::discipline::Slip>;
        read  fn slips(week: Option<Week>) -> Vec<crate::domain::discipline::Slip>;
        queue fn cancel_slip(slip_id: i64, reason: &str) -> crate::domain::discipline::Slip;
        queue fn record_slip_receipt(slip_id: i64, signed_by: &str) -> crate::domain::discipline::Slip;
        queue fn advance_complaint(complaint_no: &str, step: &ComplaintStep) -> crate::domain::model::Complaint;
        queue fn record_violation(violation: &NewViolation) -> super::Violation;
        read  fn violations() -> Vec<super::Violation>;
        queue fn decide_violation(violation_id: i64, measures: &[Measure], note: &str) -> super::DecisionOutcome;
        read  fn department_flags() -> Vec<super::DepartmentFlag>;
    }
    family FootageStore {
        write(system) fn add_segment(segment: &NewSegment) -> super::Segment;
        read  fn segments(camera_id: i64, span: Span) -> Vec<super::Segment>;
        read(system) fn segment_paths() -> Vec<String>;
        write(system) fn expire_segments() -> Vec<super::Segment>;
        read  fn window_events(window_code: &str, span: Span) -> Vec<super::WindowEvent>;
        read  fn recording_health(span: Span) -> super::RecordingHealth;
        queue fn request_footage(request: &NewFootageRequest) -> crate::domain::footage::FootageRequest;
        read  fn footage_requests(filter: RequestFilter) -> Vec<crate::domain::footage::FootageRequest>;
        queue fn decide_footage(request_id: i64, approve: bool, note: &str) -> crate::domain::footage::FootageRequest;
        queue fn cancel_footage_request(request_id: i64) -> crate::domain::footage::FootageRequest;
        write fn open_footage(request_id: i64, camera_id: i64, span: Span, use_: Use, destination: Option<&str>) -> super::FootageGrant;
        write fn open_footage_cameras(request_id: i64, camera_ids: &[i64], span: Span, use_: Use, destination: Option<&str>) -> super::FootageGrants;
        read  fn footage_segment(access_id: i64, segment_id: i64) -> super::GrantedSegment;
        write fn finish_export(access_id: i64, outcome: &ExportOutcome) -> super::FootageAccess;
        read  fn footage_register(limit: u32) -> Vec<super::FootageAccess>;
        queue fn place_hold(camera_id: i64, span: Span, reason: &str) -> super::LegalHold;
        queue fn lift_hold(hold_id: i64, reason: &str) -> super::LegalHold;
        read  fn holds() -> Vec<super::LegalHold>;
        write fn record_evidence(evidence: &NewEvidence) -> super::Evidence;
        read  fn evidence(limit: u32) -> Vec<super::Evidence>;
    }
    family WatchStore {
        write(system) fn report_camera_link(camera_id: i64, online: bool, reason: &str) -> Option<super::CameraAlert>;
        read  fn camera_alerts(open_only: bool) -> Vec<super::CameraAlert>;
        read  fn watch_config() -> super::WatchConfig;
        write fn set_camera_reference(camera_id: i64, png: Option<&[u8]>) -> ();
        write fn set_camera_seat(camera_id: i64, seat: Option<crate::domain::watch::Region>) -> ();
        write(system) fn report_watch(report: &super::WatchReport) -> Option<super::CameraFinding>;
        read  fn camera_findings(query: &super::FindingQuery) -> Vec<super::CameraFinding>;
        read  fn watch_snapshot(snapshot_id: i64) -> Vec<u8>;
        write fn decide_finding(finding_id: i64, decision: crate::domain::watch::FindingDecision, note: &str) -> super::CameraFinding;
    }
    family AssessmentStore {
        read  fn assessment(month: crate::domain::assessment::YearMonth) -> super::AssessmentView;
        read  fn assessment_items(month: crate::domain::assessment::YearMonth, department_id: i64) -> Vec<crate::domain::assessment::AssessmentItem>;
        read  fn assessment_year(year: i32) -> crate::domain::assessment::YearAssessment;
        write fn publish_assessment(month: crate::domain::assessment::YearMonth, reason: &str) -> crate::domain::assessment::Publication;
        write fn issue_recommendation(recommendation: &super::NewRecommendation) -> crate::domain::assessment::Recommendation;
        read  fn recommendations() -> Vec<crate::domain::assessment::Recommendation>;
        queue fn record_recommendation_receipt(recommendation_id: i64, signed_by: &str) -> crate::domain::assessment::Recommendation;
        queue fn record_recommendation_reply(recommendation_id: i64, reply: &str) -> crate::domain::assessment::Recommendation;
    }
    family NotifyStore {
        read  fn notify_view() -> super::NotifyView;
        write fn set_notify_settings(settings: &crate::domain::notify::NotifySettings) -> ();
        write fn set_notify_channel(setup: &crate::domain::notify::ChannelSetup, secrets: &[super::SecretValue]) -> ();
        write fn notify_test(channel: crate::domain::notify::Channel, to: &str) -> i64;
        read  fn notify_log(query: &super::NotifyLogQuery) -> Vec<super::NotifyRecord>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_declares_what_each_call_does() {
        assert_eq!(call_kind("alerts"), Some(CallKind::Read));
        assert_eq!(call_kind("issue_slips"), Some(CallKind::Write));
        assert_eq!(call_kind("close_alert"), Some(CallKind::Queueable));
        assert_eq!(call_kind("no_such_call"), None);
        // Opening footage registers a viewing: a write, but never queued (its answer is needed now).
        assert_eq!(call_kind("open_footage"), Some(CallKind::Write));
        assert_eq!(call_kind("open_footage_cameras"), Some(CallKind::Write));
        let queueable = METHODS.iter().filter(|m| m.2 == CallKind::Queueable).count();
        let writes = METHODS.iter().filter(|m| m.2.writes()).count();
        assert_eq!((queueable, writes), (19, 49));
        // The calls only the local system makes are marked so in the table, not kept in a list.
        assert_eq!(
            SYSTEM_ONLY,
            ["add_segment", "segment_paths", "expire_segments", "report_camera_link", "report_watch"]
        );
    }
}
