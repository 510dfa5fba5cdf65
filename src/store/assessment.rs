//! Assessment (绩效评估): months, publications, the year, 监察建议书.
//!
//! The `AssessmentStore` calls and the types they take and give; `Store` requires every family.

use serde::{Deserialize, Serialize};

use super::{Session, StoreError};

/// A month's assessment: as the records stand now, and every published version (newest first; the
/// newest is the month's official result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssessmentView {
    pub live: crate::domain::assessment::MonthAssessment,
    pub published: Vec<crate::domain::assessment::Publication>,
}

impl AssessmentView {
    /// The official figures: the newest publication, else the live computation.
    pub fn current(&self) -> &crate::domain::assessment::MonthAssessment {
        self.published.first().map_or(&self.live, |p| &p.assessment)
    }
}

/// A 监察建议书 to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NewRecommendation {
    pub department_id: i64,
    /// The month whose assessment it follows, if any.
    #[serde(default)]
    pub month: Option<crate::domain::assessment::YearMonth>,
    pub facts: String,
    pub recommendation: String,
    /// The hall that issues it (default: the first hall).
    #[serde(default)]
    pub hall: Option<String>,
}

/// Assessment (绩效评估): months, publications, the year, 监察建议书.
pub trait AssessmentStore: Send + Sync {
    /// 绩效评估: a month of every department, live and as published.
    fn assessment(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
    ) -> Result<AssessmentView, StoreError>;
    /// The records behind one department's points of a month (the drill-down).
    fn assessment_items(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
        department_id: i64,
    ) -> Result<Vec<crate::domain::assessment::AssessmentItem>, StoreError>;
    /// A year of monthly scores (published where published) with quarter, half-year and year means.
    fn assessment_year(
        &self,
        session: &Session,
        year: i32,
    ) -> Result<crate::domain::assessment::YearAssessment, StoreError>;
    /// Freezes the month as computed now: version 1, or a new version with its reason (chiefs).
    fn publish_assessment(
        &self,
        session: &Session,
        month: crate::domain::assessment::YearMonth,
        reason: &str,
    ) -> Result<crate::domain::assessment::Publication, StoreError>;
    fn issue_recommendation(
        &self,
        session: &Session,
        recommendation: &NewRecommendation,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;
    /// Every 监察建议书, newest first.
    fn recommendations(&self, session: &Session) -> Result<Vec<crate::domain::assessment::Recommendation>, StoreError>;
    fn record_recommendation_receipt(
        &self,
        session: &Session,
        recommendation_id: i64,
        signed_by: &str,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;
    fn record_recommendation_reply(
        &self,
        session: &Session,
        recommendation_id: i64,
        reply: &str,
    ) -> Result<crate::domain::assessment::Recommendation, StoreError>;
}
