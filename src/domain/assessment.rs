//! Department performance assessment (绩效评估): a month's figures of a department in, its score out.
//!
//! The structure follows the published city rules: a 100-point base split into weighted categories
//! (政务公开 10, 流程规范 14, 期限合法 14, 收费合理 8, 满意度 10, 服务态度 10, 监督检查 14, 法律责任 10,
//! 廉洁行政 10), deductions for signals (yellow −5, red −10, warnings three months in a row −3) capped, a
//! bonus for early completion (+1 when early completions reach 10 % of completions, +1 per further
//! 10 %) capped, grades 优秀 / 良好 / 合格 / 不合格 by thresholds. Each category is measured from
//! Jiancha's own records (`MonthFigures`); `docs/RULES.md` says which. A department with no cases in the
//! month gets no score and no rank. Pure: figures in, scores out.

use serde::{Deserialize, Serialize};

/// The scoring rules (`rules.toml [assessment]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentSettings {
    /// The weight of each category, in points; they add up to 100.
    pub weights: Weights,
    /// Points per yellow and per red signal, and for warnings in `warning_run_months` months in a row.
    pub yellow_points: f64,
    pub red_points: f64,
    pub warning_run_points: f64,
    pub warning_run_months: u32,
    /// The most the signal deductions take in one month.
    pub signal_deduction_cap: f64,
    /// Early completions: `early_bonus_points` for each `early_bonus_step` share of completions, at most
    /// `early_bonus_cap`.
    pub early_bonus_step: f64,
    pub early_bonus_points: f64,
    pub early_bonus_cap: f64,
    /// Points per upheld complaint and per attendance mark per head (服务态度), per late poor-rating
    /// follow-up (满意度), per discipline finding on a slip (监督检查), per violation (法律责任), per
    /// accountability measure decided (廉洁行政) — each taken from its own category only.
    pub complaint_points: f64,
    pub attendance_mark_points: f64,
    pub late_follow_up_points: f64,
    pub slip_finding_points: f64,
    pub violation_points: f64,
    pub measure_points: f64,
    /// Grade thresholds: at least `excellent` 优秀, at least `good` 良好, at least `pass` 合格.
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
}

/// The nine categories' weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub openness: f64,
    pub process: f64,
    pub deadlines: f64,
    pub fees: f64,
    pub satisfaction: f64,
    pub attitude: f64,
    pub supervision: f64,
    pub liability: f64,
    pub integrity: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            openness: 10.0,
            process: 14.0,
            deadlines: 14.0,
            fees: 8.0,
            satisfaction: 10.0,
            attitude: 10.0,
            supervision: 14.0,
            liability: 10.0,
            integrity: 10.0,
        }
    }
}

impl Weights {
    fn all(&self) -> [(Category, f64); 9] {
        [
            (Category::Openness, self.openness),
            (Category::Process, self.process),
            (Category::Deadlines, self.deadlines),
            (Category::Fees, self.fees),
            (Category::Satisfaction, self.satisfaction),
            (Category::Attitude, self.attitude),
            (Category::Supervision, self.supervision),
            (Category::Liability, self.liability),
            (Category::Integrity, self.integrity),
        ]
    }
}

impl Default for AssessmentSettings {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            yellow_points: 5.0,
            red_points: 10.0,
            warning_run_points: 3.0,
            warning_run_months: 3,
            signal_deduction_cap: 30.0,
            early_bonus_step: 0.10,
            early_bonus_points: 1.0,
            early_bonus_cap: 5.0,
            complaint_points: 2.0,
            attendance_mark_points: 1.0,
            late_follow_up_points: 1.0,
            slip_finding_points: 1.0,
            violation_points: 5.0,
            measure_points: 5.0,
            excellent: 90.0,
            good: 80.0,
            pass: 60.0,
        }
    }
}

impl AssessmentSettings {
    /// Checks every key; the error names it (`assessment.…`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let key = |k: &str| format!("assessment.{k}");
        for (category, weight) in self.weights.all() {
            if !(0.0..=100.0).contains(&weight) {
                return Err((key(&format!("weights.{}", category.key())), format!("{weight} is outside 0–100")));
            }
        }
        let total: f64 = self.weights.all().iter().map(|(_, w)| w).sum();
        if (total - 100.0).abs() > 1e-6 {
            return Err((key("weights"), format!("the weights add up to {total}, not 100")));
        }
        let points = [
            ("yellow_points", self.yellow_points),
            ("red_points", self.red_points),
            ("warning_run_points", self.warning_run_points),
            ("signal_deduction_cap", self.signal_deduction_cap),
            ("early_bonus_points", self.early_bonus_points),
            ("early_bonus_cap", self.early_bonus_cap),
            ("complaint_points", self.complaint_points),
            ("attendance_mark_points", self.attendance_mark_points),
            ("late_follow_up_points", self.late_follow_up_points),
            ("slip_finding_points", self.slip_finding_points),
            ("violation_points", self.violation_points),
            ("measure_points", self.measure_points),
        ];
        for (k, v) in points {
            if !(0.0..=100.0).contains(&v) {
                return Err((key(k), format!("{v} is outside 0–100")));
            }
        }
        if !(self.early_bonus_step > 0.0 && self.early_bonus_step <= 1.0) {
            return Err((key("early_bonus_step"), format!("{} is outside (0, 1]", self.early_bonus_step)));
        }
        if !(1..=12).contains(&self.warning_run_months) {
            return Err((key("warning_run_months"), format!("{} is outside 1–12", self.warning_run_months)));
        }
        if !(self.pass <= self.good && self.good <= self.excellent && self.pass >= 0.0 && self.excellent <= 100.0) {
            return Err((key("pass"), "the thresholds must rise: 0 ≤ pass ≤ good ≤ excellent ≤ 100".into()));
        }
        Ok(())
    }
}

/// A department's month as Jiancha's records give it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MonthFigures {
    /// Cases accepted or handled in the month (the denominator of the per-case rates).
    pub cases: u32,
    pub completed: u32,
    pub completed_on_time: u32,
    pub completed_early: u32,
    /// Cases entered late (体外循环), steps overdue, repeated supplement requests, fee mismatches.
    pub late_entries: u32,
    pub step_overdue: u32,
    pub repeated_supplements: u32,
    pub fee_mismatches: u32,
    pub yellow_signals: u32,
    pub red_signals: u32,
    /// Months in a row, this one included, with at least one signal.
    pub warned_months_in_a_row: u32,
    pub ratings: u32,
    pub ratings_satisfied: u32,
    pub follow_ups_late: u32,
    pub notices: u32,
    pub notices_answered_on_time: u32,
    pub slip_findings: u32,
    pub complaints_upheld: u32,
    /// Late, early-leave and absent half-days, and the department's staff.
    pub attendance_marks: u32,
    pub staff: u32,
    pub violations: u32,
    pub measures: u32,
}

/// The nine categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Openness,
    Process,
    Deadlines,
    Fees,
    Satisfaction,
    Attitude,
    Supervision,
    Liability,
    Integrity,
}

impl Category {
    pub fn key(self) -> &'static str {
        match self {
            Category::Openness => "openness",
            Category::Process => "process",
            Category::Deadlines => "deadlines",
            Category::Fees => "fees",
            Category::Satisfaction => "satisfaction",
            Category::Attitude => "attitude",
            Category::Supervision => "supervision",
            Category::Liability => "liability",
            Category::Integrity => "integrity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Openness => "政务公开",
            Category::Process => "流程规范",
            Category::Deadlines => "期限合法",
            Category::Fees => "收费合理",
            Category::Satisfaction => "满意度",
            Category::Attitude => "服务态度",
            Category::Supervision => "监督检查",
            Category::Liability => "法律责任",
            Category::Integrity => "廉洁行政",
        }
    }
}

/// One category's result: the measure (0–1, the share of the weight kept before its own deductions),
/// the points kept out of the weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryScore {
    pub category: Category,
    pub weight: f64,
    pub measure: f64,
    pub points: f64,
}

/// A department's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MonthScore {
    pub categories: Vec<CategoryScore>,
    /// Points taken for signals (capped) and the bonus for early completion (capped).
    pub signal_deduction: f64,
    pub early_bonus: f64,
    pub score: f64,
}

/// 优秀 / 良好 / 合格 / 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

/// `part / whole` as a share, 1 when there is nothing to measure.
fn share(part: u32, whole: u32) -> f64 {
    if whole == 0 { 1.0 } else { (f64::from(part) / f64::from(whole)).clamp(0.0, 1.0) }
}

/// One minus the rate of `bad` per case.
fn clean_rate(bad: u32, cases: u32) -> f64 {
    1.0 - share(bad, cases.max(bad))
}

/// Rounded to hundredths, as published.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The month's score of a department; none when it had no cases (it is then neither ranked nor graded).
pub fn score_month(f: &MonthFigures, s: &AssessmentSettings) -> Option<MonthScore> {
    if f.cases == 0 {
        return None;
    }
    let per_head = if f.staff == 0 { 0.0 } else { f64::from(f.attendance_marks) / f64::from(f.staff) };
    let categories = s
        .weights
        .all()
        .into_iter()
        .map(|(category, weight)| {
            let (measure, taken) = match category {
                Category::Openness => (clean_rate(f.late_entries, f.cases), 0.0),
                Category::Process => (clean_rate(f.step_overdue.saturating_add(f.repeated_supplements), f.cases), 0.0),
                Category::Deadlines => (share(f.completed_on_time, f.completed), 0.0),
                Category::Fees => (clean_rate(f.fee_mismatches, f.cases), 0.0),
                Category::Satisfaction => {
                    (share(f.ratings_satisfied, f.ratings), f64::from(f.follow_ups_late) * s.late_follow_up_points)
                }
                Category::Attitude => {
                    (1.0, f64::from(f.complaints_upheld) * s.complaint_points + per_head * s.attendance_mark_points)
                }
                Category::Supervision => {
                    (share(f.notices_answered_on_time, f.notices), f64::from(f.slip_findings) * s.slip_finding_points)
                }
                Category::Liability => (1.0, f64::from(f.violations) * s.violation_points),
                Category::Integrity => (1.0, f64::from(f.measures) * s.measure_points),
            };
            let points = round2((weight * measure - taken).clamp(0.0, weight));
            CategoryScore { category, weight, measure, points }
        })
        .collect::<Vec<_>>();
    let signals = f64::from(f.yellow_signals) * s.yellow_points
        + f64::from(f.red_signals) * s.red_points
        + if f.warned_months_in_a_row >= s.warning_run_months { s.warning_run_points } else { 0.0 };
    let signal_deduction = round2(signals.min(s.signal_deduction_cap));
    let early = share(f.completed_early, f.completed.max(f.completed_early));
    let steps = if f.completed == 0 { 0.0 } else { (early / s.early_bonus_step + 1e-9).floor() };
    let early_bonus = round2((steps * s.early_bonus_points).min(s.early_bonus_cap));
    let kept: f64 = categories.iter().map(|c| c.points).sum();
    let score = round2((kept - signal_deduction + early_bonus).max(0.0));
    Some(MonthScore { categories, signal_deduction, early_bonus, score })
}

/// The grade of a score.
pub fn grade(score: f64, s: &AssessmentSettings) -> Grade {
    if score >= s.excellent {
        Grade::Excellent
    } else if score >= s.good {
        Grade::Good
    } else if score >= s.pass {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

/// The score of a quarter, half-year or year: the mean of its months that have a score (none when none
/// has), rounded to hundredths.
pub fn period_mean(months: &[Option<f64>]) -> Option<f64> {
    let scored: Vec<f64> = months.iter().flatten().copied().collect();
    if scored.is_empty() { None } else { Some(round2(scored.iter().sum::<f64>() / scored.len() as f64)) }
}

/// Competition ranks (1, 1, 3, …) by score, highest first; departments without a score are not ranked.
/// Returns each entry's rank in the order given.
pub fn ranks(scores: &[Option<f64>]) -> Vec<Option<u32>> {
    scores
        .iter()
        .map(|own| {
            own.map(|own| {
                let above = scores.iter().flatten().filter(|other| round2(**other) > round2(own)).count();
                u32::try_from(above).unwrap_or(u32::MAX).saturating_add(1)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> MonthFigures {
        MonthFigures {
            cases: 100,
            completed: 80,
            completed_on_time: 80,
            ratings: 50,
            ratings_satisfied: 50,
            notices: 0,
            staff: 10,
            ..Default::default()
        }
    }

    #[test]
    fn a_clean_month_keeps_every_point() {
        let s = AssessmentSettings::default();
        s.validate().unwrap();
        let m = score_month(&clean(), &s).unwrap();
        assert_eq!(m.score, 100.0);
        assert_eq!(m.categories.len(), 9);
        assert!(m.categories.iter().all(|c| c.points == c.weight));
        assert_eq!(grade(m.score, &s), Grade::Excellent);
    }

    #[test]
    fn every_category_against_hand_computed_figures() {
        let s = AssessmentSettings::default();
        let f = MonthFigures {
            cases: 200,
            completed: 100,
            completed_on_time: 90, // deadlines 14 × 0.9 = 12.6
            completed_early: 25,   // 25 % early → +2
            late_entries: 10,      // openness 10 × (1 − 10/200) = 9.5
            step_overdue: 12,      // process 14 × (1 − 20/200) = 12.6
            repeated_supplements: 8,
            fee_mismatches: 4,         // fees 8 × (1 − 4/200) = 7.84
            yellow_signals: 2,         // −10
            red_signals: 1,            // −10
            warned_months_in_a_row: 3, // −3 → signals −23
            ratings: 40,
            ratings_satisfied: 30, // satisfaction 10 × 0.75 − 2 late follow-ups = 5.5
            follow_ups_late: 2,
            notices: 4,
            notices_answered_on_time: 3, // supervision 14 × 0.75 − 1 finding = 9.5
            slip_findings: 1,
            complaints_upheld: 1, // attitude 10 − 2 − 20/10 × 1 = 6
            attendance_marks: 20,
            staff: 10,
            violations: 1, // liability 10 − 5 = 5
            measures: 0,   // integrity 10
        };
        let m = score_month(&f, &s).unwrap();
        let points: Vec<f64> = m.categories.iter().map(|c| c.points).collect();
        assert_eq!(points, vec![9.5, 12.6, 12.6, 7.84, 5.5, 6.0, 9.5, 5.0, 10.0]);
        assert_eq!(m.signal_deduction, 23.0);
        assert_eq!(m.early_bonus, 2.0);
        // 78.54 kept − 23 + 2
        assert_eq!(m.score, 57.54);
        assert_eq!(grade(m.score, &s), Grade::Fail);
    }

    #[test]
    fn deductions_and_bonuses_stop_at_their_caps_and_categories_at_zero() {
        let s = AssessmentSettings::default();
        let f = MonthFigures {
            yellow_signals: 10,
            red_signals: 10,
            violations: 9,
            complaints_upheld: 50,
            completed_early: 80,
            ..clean()
        };
        let m = score_month(&f, &s).unwrap();
        assert_eq!(m.signal_deduction, 30.0, "capped");
        assert_eq!(m.early_bonus, 5.0, "100 % early is ten steps, capped at 5");
        let liability = m.categories.iter().find(|c| c.category == Category::Liability).unwrap();
        assert_eq!(liability.points, 0.0, "a category never goes below zero");
        let attitude = m.categories.iter().find(|c| c.category == Category::Attitude).unwrap();
        assert_eq!(attitude.points, 0.0);
        assert_eq!(m.score, 100.0 - 10.0 - 10.0 - 30.0 + 5.0);
    }

    #[test]
    fn a_department_with_no_cases_has_no_score_and_no_rank() {
        let s = AssessmentSettings::default();
        let none = MonthFigures { cases: 0, ..clean() };
        assert!(score_month(&none, &s).is_none());
        assert_eq!(ranks(&[Some(90.0), None, Some(95.0)]), vec![Some(2), None, Some(1)]);
    }

    #[test]
    fn ties_share_a_place_and_the_next_place_is_skipped() {
        assert_eq!(
            ranks(&[Some(88.5), Some(92.0), Some(88.5), Some(70.0), Some(92.004)]),
            vec![Some(3), Some(1), Some(3), Some(5), Some(1)]
        );
    }

    #[test]
    fn a_quarter_is_the_mean_of_its_scored_months() {
        assert_eq!(period_mean(&[Some(90.0), Some(80.0), Some(85.5)]), Some(85.17));
        assert_eq!(period_mean(&[Some(90.0), None, Some(80.0)]), Some(85.0));
        assert_eq!(period_mean(&[None, None, None]), None);
    }

    #[test]
    fn grades_follow_the_thresholds() {
        let s = AssessmentSettings::default();
        assert_eq!(grade(90.0, &s), Grade::Excellent);
        assert_eq!(grade(89.99, &s), Grade::Good);
        assert_eq!(grade(80.0, &s), Grade::Good);
        assert_eq!(grade(60.0, &s), Grade::Pass);
        assert_eq!(grade(59.99, &s), Grade::Fail);
        assert_eq!(Grade::Fail.label(), "不合格");
    }

    #[test]
    fn bad_settings_are_named() {
        let mut s = AssessmentSettings::default();
        s.weights.fees = 9.0;
        assert_eq!(s.validate().unwrap_err().0, "assessment.weights");
        let mut s = AssessmentSettings::default();
        s.weights.fees = -1.0;
        assert_eq!(s.validate().unwrap_err().0, "assessment.weights.fees");
        let s = AssessmentSettings { good: 95.0, ..Default::default() };
        assert_eq!(s.validate().unwrap_err().0, "assessment.pass");
        let s = AssessmentSettings { early_bonus_step: 0.0, ..Default::default() };
        assert_eq!(s.validate().unwrap_err().0, "assessment.early_bonus_step");
    }
}
