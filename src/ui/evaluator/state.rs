//! What the evaluator area shows: usage, anomalies, poor ratings and their follow-up, satisfaction.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvaluatorTab {
    #[default]
    Usage,
    Anomalies,
    PoorRatings,
    Satisfaction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SatisfactionGroup {
    #[default]
    Department,
    Window,
    Staff,
}

#[derive(Debug, Default)]
pub struct EvaluatorView {
    pub date: Option<chrono::NaiveDate>,
    pub date_text: String,
    pub check: Option<crate::domain::evaluator::EvaluatorCheck>,
    pub poor: Option<Vec<crate::store::PoorRating>>,
    pub satisfaction: Option<crate::store::Satisfaction>,
    pub loading: bool,
    pub error: Option<String>,
    pub tab: EvaluatorTab,
    pub group: SatisfactionGroup,
    /// (rating key, step, note)
    pub follow_up: Option<(String, crate::store::FollowUpStep, String)>,
    pub dialog_error: Option<String>,
}
