//! What the attendance area shows: the period's ranking and trend, the drill-down, the 约谈 dialog.

/// The 约谈 dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewDraft {
    pub staff_no: String,
    /// The person's hall (staff numbers are each hall's own).
    pub hall: Option<String>,
    pub name: String,
    /// `YYYY-MM-DD HH:MM`, local.
    pub held_at: String,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct AttendanceView {
    pub period_start: Option<chrono::NaiveDate>,
    pub data: Option<crate::store::AttendancePeriod>,
    pub trend: Option<crate::store::AttendanceTrend>,
    pub loading: bool,
    pub error: Option<String>,
    /// The selected person and department by key (`StaffTally::key`, `DepartmentTally::key`).
    pub selected_staff: Option<String>,
    pub selected_department: Option<String>,
    pub interview: Option<InterviewDraft>,
    pub dialog_error: Option<String>,
    /// Typed filter over staff number, name and department.
    pub filter: String,
    /// Show everyone, not only people with marks or absences.
    pub all_staff: bool,
    /// The last PDF written or printed.
    pub document: Option<Result<String, String>>,
}
