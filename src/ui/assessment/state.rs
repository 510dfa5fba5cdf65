//! What the assessment area (绩效评估) shows: a month's ranking and a department's card with the
//! records behind its points, the quarters and the year, the trend, and the 监察建议书.

use crate::domain::assessment::{AssessmentItem, Recommendation, YearAssessment, YearMonth};
use crate::store::AssessmentView as MonthView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssessmentTab {
    /// The month's ranking and a department's card.
    #[default]
    Month,
    /// Quarters, halves and the year.
    Year,
    Recommendations,
}

/// A form being typed in the area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentForm {
    /// Publishing the month (a reason when it is a new version).
    Publish {
        reason: String,
    },
    /// A 监察建议书 to a department.
    Recommend {
        department_id: i64,
        department: String,
        facts: String,
        recommendation: String,
    },
    Receipt {
        id: i64,
        signed_by: String,
    },
    Reply {
        id: i64,
        reply: String,
    },
}

#[derive(Debug, Default)]
pub struct AssessmentState {
    pub tab: AssessmentTab,
    pub month: Option<YearMonth>,
    pub view: Option<MonthView>,
    /// Show the figures as the records stand now instead of the published version.
    pub live: bool,
    /// The twelve months ending with `month`, per department (oldest first), for the trend.
    pub trend: Option<(YearMonth, Vec<(i64, String, Vec<Option<crate::domain::assessment::Hundredths>>)>)>,
    pub year: Option<YearAssessment>,
    pub recommendations: Option<Vec<Recommendation>>,
    pub selected: Option<i64>,
    pub compare: Option<i64>,
    /// The drill-down of (month, department).
    pub items: Option<(YearMonth, i64, Vec<AssessmentItem>)>,
    pub loading: bool,
    pub error: Option<String>,
    pub message: Option<String>,
    pub form: Option<AssessmentForm>,
    pub form_error: Option<String>,
}
