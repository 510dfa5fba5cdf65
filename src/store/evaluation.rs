//! Evaluation (评价器): device checks, poor ratings and their follow-ups, satisfaction.
//!
//! The `EvaluationStore` calls and the types they take and give; `Store` requires every family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Session, StoreError};

/// Which part of a poor rating's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStep {
    /// 回访
    ReturnVisit,
    /// 整改
    Rectification,
}

/// A poor rating (差评) with its follow-up and deadlines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PoorRating {
    /// `event:<id>` or `device:<id>`.
    pub key: String,
    pub rating: crate::domain::evaluator::Rating,
    pub department: Option<String>,
    pub staff_name: Option<String>,
    pub visit_due: NaiveDate,
    pub fix_due: NaiveDate,
    pub visit: Option<(DateTime<Utc>, String, String)>,
    pub fix: Option<(DateTime<Utc>, String, String)>,
}

/// Ratings grouped one way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SatisfactionRow {
    pub key: String,
    pub label: String,
    pub count: u32,
    pub average: f64,
    /// Share of ratings 4–5.
    pub satisfied: f64,
    pub poor: u32,
    /// Count per rating 1..=5.
    pub by_rating: [u32; 5],
}

/// Satisfaction over a date range (Art 8(4)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Satisfaction {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub departments: Vec<SatisfactionRow>,
    pub windows: Vec<SatisfactionRow>,
    pub staff: Vec<SatisfactionRow>,
    /// Per ISO week (its Monday): average rating and count, for the trend chart.
    pub weekly: Vec<(NaiveDate, f64, u32)>,
}

/// Evaluation (评价器): device checks, poor ratings and their follow-ups, satisfaction.
pub trait EvaluationStore: Send + Sync {
    /// The evaluator check of a day: usage per window, anomalies, poor ratings.
    fn evaluator_check(
        &self,
        session: &Session,
        date: NaiveDate,
    ) -> Result<crate::domain::evaluator::EvaluatorCheck, StoreError>;
    /// Poor ratings from `from` to `to` with their follow-up.
    fn poor_ratings(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<PoorRating>, StoreError>;
    fn record_follow_up(
        &self,
        session: &Session,
        key: &str,
        step: FollowUpStep,
        note: &str,
    ) -> Result<PoorRating, StoreError>;
    fn satisfaction(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Satisfaction, StoreError>;
}
