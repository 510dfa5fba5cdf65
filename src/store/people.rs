//! People and attendance: the biweekly periods and rankings, interviews (约谈).
//!
//! The `PeopleStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Session, StoreError};

/// A period's attendance: the ranking, every day record behind it, the interviews held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttendancePeriod {
    pub ranking: crate::domain::attendance::Ranking,
    /// Per person (`StaffTally::key`: hall and staff number), the day records of the period (for the
    /// drill-down to the punches).
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
    /// The person's hall (staff numbers are each hall's own); needed when several halls use the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall: Option<String>,
    pub held_at: DateTime<Utc>,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interview {
    pub id: i64,
    pub period_start: NaiveDate,
    pub staff_no: String,
    #[serde(default)]
    pub hall: Option<String>,
    pub staff_name: String,
    pub held_at: DateTime<Utc>,
    pub participants: String,
    pub note: String,
    pub recorded_by: String,
}

impl Interview {
    /// The person's key, as `StaffTally::key`.
    pub fn key(&self) -> String {
        crate::domain::attendance::hall_key(self.hall.as_deref(), &self.staff_no)
    }
}

/// People and attendance: the biweekly periods and rankings, interviews (约谈).
pub trait PeopleStore: Send + Sync {
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
}
