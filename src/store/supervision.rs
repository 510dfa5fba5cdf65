//! Supervision: discipline observations and reminder slips, complaints, violations and Art 13 decisions.
//!
//! The `SupervisionStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::model::{Complaint, ComplaintChannel};

use super::{Session, StoreError};

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

/// Supervision: discipline observations and reminder slips, complaints, violations and Art 13 decisions.
pub trait SupervisionStore: Send + Sync {
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
}
