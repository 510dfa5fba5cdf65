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
    RequestFilter, Session, Store, StoreError,
};
use crate::domain::accountability::Measure;
use crate::domain::discipline::Week;
use crate::domain::footage::{Span, Use};
use crate::interchange::ImportBatch;

/// The header naming the workstation a call comes from (the server records it with the session).
pub const WORKSTATION_HEADER: &str = "x-jiancha-workstation";

/// The header carrying a call's idempotency key (a console's outbox sends every write with one).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Set on an answer given again to a replayed idempotency key.
pub const REPLAYED_HEADER: &str = "x-jiancha-replayed";

/// The SHA-256 of the whole footage segment, as indexed, sent with each part of it.
pub const SEGMENT_SHA256_HEADER: &str = "x-jiancha-sha256";

/// The answer to a push: which records were taken and which were not, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// How a parameter of a `Store` method travels: the owned value it is sent as, and how the server
/// lends it to the store.
pub trait Wire<'a> {
    type Owned: DeserializeOwned + 'static;
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

impl<'a, T: DeserializeOwned + 'static> Wire<'a> for &'a [T] {
    type Owned = Vec<T>;
    fn lend(owned: &'a Vec<T>) -> Self {
        owned
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
    HallSetup,
    ImportBatch,
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
);
by_value!(i64, u32, bool, NaiveDate, Week, Option<Week>, Span, FollowUpStep, RequestFilter, Use);

/// Why a call could not be dispatched.
#[derive(Debug)]
pub enum DispatchError {
    /// No such method.
    Unknown(String),
    /// The arguments do not fit the method (the message names what is wrong).
    Arguments(String),
    Store(StoreError),
}

macro_rules! store_api {
    ($( fn $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*) => {
        /// The methods of the API, for the OpenAPI document.
        pub const METHODS: &[(&str, &[&str])] = &[ $( (stringify!($name), &[ $( stringify!($arg) ),* ]) ),* ];

        /// Runs `method` with the JSON `args` (an array) on `store` for `session`; the result as JSON text.
        pub fn dispatch(
            store: &dyn Store,
            session: &Session,
            method: &str,
            args: serde_json::Value,
        ) -> Result<String, DispatchError> {
            match method {
                $(
                    stringify!($name) => {
                        #[allow(unused_mut, unused_variables)]
                        let mut list = arg_list(args, &[ $( stringify!($arg) ),* ])?;
                        $( let $arg: <$ty as Wire<'_>>::Owned = parse_one(list.next(), stringify!($arg))?; )*
                        let result = store.$name(session $(, <$ty as Wire<'_>>::lend(&$arg) )*).map_err(DispatchError::Store)?;
                        serde_json::to_string(&result).map_err(|e| DispatchError::Store(StoreError::Backend(e.to_string())))
                    }
                )*
                other => Err(DispatchError::Unknown(other.to_owned())),
            }
        }

        /// The client half: every call is a request to the server.
        macro_rules! remote_methods {
            () => {
                $(
                    fn $name(&self, session: &Session $(, $arg: $ty )*) -> Result<$ret, StoreError> {
                        self.call(session, stringify!($name), ( $( $arg, )* ))
                    }
                )*
            };
        }
        pub(crate) use remote_methods;
    };
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

/// One argument; the error names it (and serde names the field inside it).
fn parse_one<T: DeserializeOwned>(value: Option<serde_json::Value>, name: &str) -> Result<T, DispatchError> {
    serde_json::from_value(value.unwrap_or(serde_json::Value::Null))
        .map_err(|e| DispatchError::Arguments(format!("argument `{name}`: {e}")))
}

store_api! {
    fn users() -> Vec<super::User>;
    fn create_user(user: &NewUser) -> super::User;
    fn set_password(username: &str, password: &str) -> ();
    fn directory() -> super::HallDirectory;
    fn configure_hall(setup: &HallSetup) -> ();
    fn import(batch: &ImportBatch) -> super::ImportReport;
    fn cases(query: &CaseQuery) -> Vec<crate::domain::model::CaseSummary>;
    fn case_events(case_no: &str) -> Vec<crate::domain::model::CaseEvent>;
    fn overview() -> super::Overview;
    fn register_complaint(complaint: &NewComplaint) -> crate::domain::model::Complaint;
    fn complaints() -> Vec<crate::domain::model::Complaint>;
    fn add_observation(observation: &NewObservation) -> crate::domain::discipline::Observation;
    fn observations(from: NaiveDate, to: NaiveDate) -> Vec<crate::domain::discipline::Observation>;
    fn issue_slips(week: Week) -> Vec<crate::domain::discipline::Slip>;
    fn slips(week: Option<Week>) -> Vec<crate::domain::discipline::Slip>;
    fn cancel_slip(slip_id: i64, reason: &str) -> crate::domain::discipline::Slip;
    fn record_slip_receipt(slip_id: i64, signed_by: &str) -> crate::domain::discipline::Slip;
    fn advance_complaint(complaint_no: &str, step: &ComplaintStep) -> crate::domain::model::Complaint;
    fn record_violation(violation: &NewViolation) -> super::Violation;
    fn violations() -> Vec<super::Violation>;
    fn decide_violation(violation_id: i64, measures: &[Measure], note: &str) -> super::DecisionOutcome;
    fn department_flags() -> Vec<super::DepartmentFlag>;
    fn refresh_alerts() -> super::RefreshReport;
    fn alerts(query: &AlertQuery) -> Vec<super::AlertRow>;
    fn case_detail(case_no: &str) -> super::CaseDetail;
    fn close_alert(alert_id: i64, reason: &str) -> super::AlertRow;
    fn issue_notice(notice: &NewNotice) -> super::Notice;
    fn record_notice_reply(notice_id: i64, reply: &str) -> super::Notice;
    fn notices() -> Vec<super::Notice>;
    fn daily_check_data(day: NaiveDate) -> super::DailyCheckData;
    fn record_daily_check(check: &DailyCheck) -> DailyCheck;
    fn daily_checks(limit: u32) -> Vec<DailyCheck>;
    fn attendance(period_start: NaiveDate) -> super::AttendancePeriod;
    fn attendance_trend(last_period_start: NaiveDate, count: u32) -> super::AttendanceTrend;
    fn record_interview(interview: &NewInterview) -> super::Interview;
    fn evaluator_check(date: NaiveDate) -> crate::domain::evaluator::EvaluatorCheck;
    fn poor_ratings(from: NaiveDate, to: NaiveDate) -> Vec<super::PoorRating>;
    fn record_follow_up(key: &str, step: FollowUpStep, note: &str) -> super::PoorRating;
    fn satisfaction(from: NaiveDate, to: NaiveDate) -> super::Satisfaction;
    fn add_segment(segment: &NewSegment) -> super::Segment;
    fn segments(camera_id: i64, span: Span) -> Vec<super::Segment>;
    fn segment_paths() -> Vec<String>;
    fn expire_segments() -> Vec<super::Segment>;
    fn window_events(window_code: &str, span: Span) -> Vec<super::WindowEvent>;
    fn recording_health(span: Span) -> super::RecordingHealth;
    fn request_footage(request: &NewFootageRequest) -> crate::domain::footage::FootageRequest;
    fn footage_requests(filter: RequestFilter) -> Vec<crate::domain::footage::FootageRequest>;
    fn decide_footage(request_id: i64, approve: bool, note: &str) -> crate::domain::footage::FootageRequest;
    fn cancel_footage_request(request_id: i64) -> crate::domain::footage::FootageRequest;
    fn open_footage(request_id: i64, camera_id: i64, span: Span, use_: Use, destination: Option<&str>) -> super::FootageGrant;
    fn footage_segment(access_id: i64, segment_id: i64) -> super::Segment;
    fn finish_export(access_id: i64, outcome: &ExportOutcome) -> super::FootageAccess;
    fn footage_register(limit: u32) -> Vec<super::FootageAccess>;
    fn place_hold(camera_id: i64, span: Span, reason: &str) -> super::LegalHold;
    fn lift_hold(hold_id: i64, reason: &str) -> super::LegalHold;
    fn holds() -> Vec<super::LegalHold>;
    fn record_evidence(evidence: &NewEvidence) -> super::Evidence;
    fn evidence(limit: u32) -> Vec<super::Evidence>;
    fn audit_log(query: &AuditQuery) -> Vec<crate::domain::audit::AuditRecord>;
    fn verify_audit() -> super::AuditVerification;
}

/// The calls that change data (the server tells waiting consoles after each).
pub const WRITES: &[&str] = &[
    "create_user",
    "set_password",
    "configure_hall",
    "import",
    "register_complaint",
    "add_observation",
    "issue_slips",
    "cancel_slip",
    "record_slip_receipt",
    "advance_complaint",
    "record_violation",
    "decide_violation",
    "refresh_alerts",
    "close_alert",
    "issue_notice",
    "record_notice_reply",
    "record_daily_check",
    "record_interview",
    "record_follow_up",
    "add_segment",
    "expire_segments",
    "request_footage",
    "decide_footage",
    "cancel_footage_request",
    "open_footage",
    "finish_export",
    "place_hold",
    "lift_hold",
    "record_evidence",
];

/// The writes a console keeps in its outbox when the server cannot be reached: a supervisor's own
/// records and decisions, whose result the console does not need at once. (Logging in, opening
/// footage, issuing numbered slips and the like need the server there and then.)
pub const QUEUEABLE: &[&str] = &[
    "register_complaint",
    "add_observation",
    "cancel_slip",
    "record_slip_receipt",
    "advance_complaint",
    "record_violation",
    "decide_violation",
    "close_alert",
    "issue_notice",
    "record_notice_reply",
    "record_interview",
    "record_follow_up",
    "request_footage",
    "decide_footage",
    "cancel_footage_request",
    "place_hold",
    "lift_hold",
];

/// Whether a successful call changed data others should reload: every write, except a refresh of
/// the alerts that changed nothing (every console refreshes on a timer). `answer` is the JSON text.
pub fn changes_data(method: &str, answer: &str) -> bool {
    match method {
        "refresh_alerts" => serde_json::from_str::<super::RefreshReport>(answer).is_ok_and(|r| r.changed > 0),
        m => WRITES.contains(&m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_name_real_calls() {
        let known: Vec<&str> = METHODS.iter().map(|(m, _)| *m).collect();
        for m in WRITES.iter().chain(QUEUEABLE) {
            assert!(known.contains(m), "{m} is not a store call");
        }
        for m in QUEUEABLE {
            assert!(WRITES.contains(m), "{m} is queued but not a write");
        }
        let refresh = |changed| serde_json::json!({"evaluated": 3, "changed": changed, "new_red": []}).to_string();
        assert!(!changes_data("refresh_alerts", &refresh(0)));
        assert!(changes_data("refresh_alerts", &refresh(2)));
        assert!(changes_data("close_alert", "{}"));
        assert!(!changes_data("alerts", "[]"));
    }
}
