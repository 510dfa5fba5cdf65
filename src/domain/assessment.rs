//! Department performance assessment (绩效评估): a month's figures of a department in, its score out.
//!
//! The structure follows the published city rules: a 100-point base split into weighted categories
//! (政务公开 10, 流程规范 14, 期限合法 14, 收费合理 8, 满意度 10, 服务态度 10, 监督检查 14, 法律责任 10,
//! 廉洁行政 10), deductions for signals (yellow −5, red −10, warnings three months in a row −3) capped, a
//! bonus for early completion (+1 when early completions reach 10 % of completions, +1 per further
//! 10 %) capped, grades 优秀 / 良好 / 合格 / 不合格 by thresholds. The city text's own variants (three
//! warning signals in a month, sanctions deducted from the year by severity, the bonus for shortened
//! promised deadlines, the data-completeness deduction, 基本满意 as satisfied, a cap, months without
//! cases) are settings whose defaults are the rules above. Each category is measured from Jiancha's own
//! records (`MonthFigures`); `docs/RULES.md` says which. Every number is exact (`Hundredths`): no score
//! passes through binary floating point. Pure: figures in, scores out.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::accountability::Measure;
pub use super::hundredths::Hundredths;

const fn h(whole: i64) -> Hundredths {
    Hundredths::whole(whole)
}

/// Which warnings cost `warning_run_points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningRule {
    /// A card in each of `warning_run_months` months in a row, this one included.
    #[default]
    MonthsInARow,
    /// At least `warning_signals` warning signals (lights and cards) begun in the month
    /// (“被连续发出3次预警信号”).
    SignalsInMonth,
}

/// Where the Art 13 measures decided against a department cost points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SanctionRule {
    /// `measure_points` per measure from the month's 廉洁行政 (at most its weight).
    #[default]
    Monthly,
    /// Each measure's `sanction_points` once from the year's total (“依次扣除10、15、20、30、40、50分”);
    /// the months' 廉洁行政 keeps its weight.
    Yearly,
}

/// How a department with no case in the month is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoCaseMonths {
    /// Not scored, graded or ranked.
    #[default]
    NotAssessed,
    /// Scored when it has any other record in the month (a rating, a notice, a finding, a complaint, an
    /// attendance mark, a violation, a measure, an alert): the four case categories (政务公开, 流程规范,
    /// 期限合法, 收费合理) keep their weight, the others are measured as in any month.
    CaseCategoriesFull,
}

/// The points each Art 13 measure takes from the year's total when `sanctions = "yearly"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SanctionPoints {
    pub admonition: Hundredths,
    pub written_self_criticism: Hundredths,
    pub circular_criticism: Hundredths,
    pub suspension: Hundredths,
    pub reassignment: Hundredths,
    pub removal: Hundredths,
    pub demotion: Hundredths,
    pub ordered_resignation: Hundredths,
    pub disciplinary_sanction: Hundredths,
}

impl Default for SanctionPoints {
    /// The city text's scale (警告 10, 记过 15, 记大过 20, 降级 30, 撤职 40, 开除 50) laid on the Art 13
    /// measures by severity; `docs/RULES.md` gives the correspondence.
    fn default() -> Self {
        Self {
            admonition: h(10),
            written_self_criticism: h(10),
            circular_criticism: h(15),
            suspension: h(20),
            reassignment: h(20),
            demotion: h(30),
            removal: h(40),
            ordered_resignation: h(40),
            disciplinary_sanction: h(50),
        }
    }
}

impl SanctionPoints {
    pub fn of(&self, measure: Measure) -> Hundredths {
        match measure {
            Measure::Admonition => self.admonition,
            Measure::WrittenSelfCriticism => self.written_self_criticism,
            Measure::CircularCriticism => self.circular_criticism,
            Measure::Suspension => self.suspension,
            Measure::Reassignment => self.reassignment,
            Measure::Removal => self.removal,
            Measure::Demotion => self.demotion,
            Measure::OrderedResignation => self.ordered_resignation,
            Measure::DisciplinarySanction => self.disciplinary_sanction,
        }
    }
}

/// The scoring rules (`rules.toml [assessment]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentSettings {
    /// The weight of each category, in points; they add up to 100.
    pub weights: Weights,
    /// Points per yellow and per red signal, and for warnings (`warning_rule`).
    pub yellow_points: Hundredths,
    pub red_points: Hundredths,
    pub warning_run_points: Hundredths,
    pub warning_run_months: u32,
    pub warning_rule: WarningRule,
    pub warning_signals: u32,
    /// The most the signal deductions take in one month.
    pub signal_deduction_cap: Hundredths,
    /// Early completions: `early_bonus_points` for each `early_bonus_step` share of completions, at most
    /// `early_bonus_cap`.
    pub early_bonus_step: Hundredths,
    pub early_bonus_points: Hundredths,
    pub early_bonus_cap: Hundredths,
    /// Points per upheld complaint and per attendance mark per head (服务态度), per late poor-rating
    /// follow-up (满意度), per discipline finding on a slip (监督检查), per violation (法律责任), per
    /// accountability measure decided (廉洁行政) — each taken from its own category only.
    pub complaint_points: Hundredths,
    pub attendance_mark_points: Hundredths,
    pub late_follow_up_points: Hundredths,
    pub slip_finding_points: Hundredths,
    pub violation_points: Hundredths,
    pub measure_points: Hundredths,
    /// Measures from the month's 廉洁行政 (`measure_points`) or from the year by severity.
    pub sanctions: SanctionRule,
    pub sanction_points: SanctionPoints,
    /// `promise_bonus_points` when the department's promised deadlines are at least `promise_cut`
    /// shorter than the legal ones (0 points: no such bonus).
    pub promise_bonus_points: Hundredths,
    pub promise_cut: Hundredths,
    /// Points per whole percent of the month's cases whose records are incomplete, at most
    /// `completeness_cap` (0 points: no such deduction).
    pub completeness_points: Hundredths,
    pub completeness_cap: Hundredths,
    /// Whether a 基本满意 (3-star) rating counts as satisfied.
    pub basic_satisfied_counts: bool,
    /// The most a month's score can be (bonuses can lift it over 100); none: no cap.
    pub score_cap: Option<Hundredths>,
    pub no_case_months: NoCaseMonths,
    /// Grade thresholds: at least `excellent` 优秀, at least `good` 良好, at least `pass` 合格.
    pub excellent: Hundredths,
    pub good: Hundredths,
    pub pass: Hundredths,
    /// Working days a department has to reply to a 监察建议书.
    pub recommendation_reply_working_days: u32,
}

/// The nine categories' weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub openness: Hundredths,
    pub process: Hundredths,
    pub deadlines: Hundredths,
    pub fees: Hundredths,
    pub satisfaction: Hundredths,
    pub attitude: Hundredths,
    pub supervision: Hundredths,
    pub liability: Hundredths,
    pub integrity: Hundredths,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            openness: h(10),
            process: h(14),
            deadlines: h(14),
            fees: h(8),
            satisfaction: h(10),
            attitude: h(10),
            supervision: h(14),
            liability: h(10),
            integrity: h(10),
        }
    }
}

impl Weights {
    fn all(&self) -> [(Category, Hundredths); 9] {
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
            yellow_points: h(5),
            red_points: h(10),
            warning_run_points: h(3),
            warning_run_months: 3,
            warning_rule: WarningRule::MonthsInARow,
            warning_signals: 3,
            signal_deduction_cap: h(30),
            early_bonus_step: Hundredths(10),
            early_bonus_points: h(1),
            early_bonus_cap: h(5),
            complaint_points: h(2),
            attendance_mark_points: h(1),
            late_follow_up_points: h(1),
            slip_finding_points: h(1),
            violation_points: h(5),
            measure_points: h(5),
            sanctions: SanctionRule::Monthly,
            sanction_points: SanctionPoints::default(),
            promise_bonus_points: Hundredths::ZERO,
            promise_cut: Hundredths(30),
            completeness_points: Hundredths::ZERO,
            completeness_cap: h(5),
            basic_satisfied_counts: false,
            score_cap: None,
            no_case_months: NoCaseMonths::NotAssessed,
            excellent: h(90),
            good: h(80),
            pass: h(60),
            recommendation_reply_working_days: 15,
        }
    }
}

impl AssessmentSettings {
    /// Checks every key; the error names it (`assessment.…`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let key = |k: &str| format!("assessment.{k}");
        let hundred = h(100);
        for (category, weight) in self.weights.all() {
            if !(Hundredths::ZERO..=hundred).contains(&weight) {
                return Err((key(&format!("weights.{}", category.key())), format!("{weight} is outside 0–100")));
            }
        }
        let total: Hundredths = self.weights.all().iter().map(|(_, w)| *w).sum();
        if total != hundred {
            return Err((key("weights"), format!("the weights add up to {total}, not 100")));
        }
        let s = &self.sanction_points;
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
            ("promise_bonus_points", self.promise_bonus_points),
            ("completeness_points", self.completeness_points),
            ("completeness_cap", self.completeness_cap),
            ("sanction_points.admonition", s.admonition),
            ("sanction_points.written_self_criticism", s.written_self_criticism),
            ("sanction_points.circular_criticism", s.circular_criticism),
            ("sanction_points.suspension", s.suspension),
            ("sanction_points.reassignment", s.reassignment),
            ("sanction_points.removal", s.removal),
            ("sanction_points.demotion", s.demotion),
            ("sanction_points.ordered_resignation", s.ordered_resignation),
            ("sanction_points.disciplinary_sanction", s.disciplinary_sanction),
        ];
        for (k, v) in points {
            if !(Hundredths::ZERO..=hundred).contains(&v) {
                return Err((key(k), format!("{v} is outside 0–100")));
            }
        }
        for (k, v) in [("early_bonus_step", self.early_bonus_step), ("promise_cut", self.promise_cut)] {
            if !(v.is_positive() && v <= h(1)) {
                return Err((key(k), format!("{v} is outside (0, 1]")));
            }
        }
        if !(1..=12).contains(&self.warning_run_months) {
            return Err((key("warning_run_months"), format!("{} is outside 1–12", self.warning_run_months)));
        }
        if !(1..=1000).contains(&self.warning_signals) {
            return Err((key("warning_signals"), format!("{} is outside 1–1000", self.warning_signals)));
        }
        if !(1..=60).contains(&self.recommendation_reply_working_days) {
            return Err((
                key("recommendation_reply_working_days"),
                format!("{} is outside 1–60", self.recommendation_reply_working_days),
            ));
        }
        if !(self.pass <= self.good
            && self.good <= self.excellent
            && self.pass >= Hundredths::ZERO
            && self.excellent <= hundred)
        {
            return Err((key("pass"), "the thresholds must rise: 0 ≤ pass ≤ good ≤ excellent ≤ 100".into()));
        }
        if let Some(cap) = self.score_cap
            && !(self.excellent..=h(200)).contains(&cap)
        {
            return Err((key("score_cap"), format!("{cap} is outside excellent–200")));
        }
        Ok(())
    }

    /// The variants of the city text switched on, as printed with a month's scores (empty: the default
    /// rules).
    pub fn variants_zh(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.warning_rule == WarningRule::SignalsInMonth {
            v.push(format!("当月预警信号满{}次扣{}分", self.warning_signals, self.warning_run_points));
        }
        if self.sanctions == SanctionRule::Yearly {
            v.push("问责处理按轻重从年度总分扣除".to_owned());
        }
        if self.promise_bonus_points.is_positive() {
            v.push(format!(
                "承诺期限缩短{:.0}%以上加{}分",
                Hundredths(self.promise_cut.0 * 100),
                self.promise_bonus_points
            ));
        }
        if self.completeness_points.is_positive() {
            v.push(format!("数据不完整每1%扣{}分（至多{}分）", self.completeness_points, self.completeness_cap));
        }
        if self.basic_satisfied_counts {
            v.push("基本满意计为满意".to_owned());
        }
        if let Some(cap) = self.score_cap {
            v.push(format!("总分封顶{cap}分"));
        }
        if self.no_case_months == NoCaseMonths::CaseCategoriesFull {
            v.push("无办件月份按其他类别评估".to_owned());
        }
        v
    }
}

/// How many of each Art 13 measure were decided in the month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct MeasureCounts {
    pub admonition: u32,
    pub written_self_criticism: u32,
    pub circular_criticism: u32,
    pub suspension: u32,
    pub reassignment: u32,
    pub removal: u32,
    pub demotion: u32,
    pub ordered_resignation: u32,
    pub disciplinary_sanction: u32,
}

impl MeasureCounts {
    pub fn add(&mut self, measure: Measure) {
        let slot = match measure {
            Measure::Admonition => &mut self.admonition,
            Measure::WrittenSelfCriticism => &mut self.written_self_criticism,
            Measure::CircularCriticism => &mut self.circular_criticism,
            Measure::Suspension => &mut self.suspension,
            Measure::Reassignment => &mut self.reassignment,
            Measure::Removal => &mut self.removal,
            Measure::Demotion => &mut self.demotion,
            Measure::OrderedResignation => &mut self.ordered_resignation,
            Measure::DisciplinarySanction => &mut self.disciplinary_sanction,
        };
        *slot = slot.saturating_add(1);
    }

    fn count(&self, measure: Measure) -> u32 {
        match measure {
            Measure::Admonition => self.admonition,
            Measure::WrittenSelfCriticism => self.written_self_criticism,
            Measure::CircularCriticism => self.circular_criticism,
            Measure::Suspension => self.suspension,
            Measure::Reassignment => self.reassignment,
            Measure::Removal => self.removal,
            Measure::Demotion => self.demotion,
            Measure::OrderedResignation => self.ordered_resignation,
            Measure::DisciplinarySanction => self.disciplinary_sanction,
        }
    }

    /// The points these measures take from a year's total under `points`.
    pub fn points(&self, points: &SanctionPoints) -> Hundredths {
        Measure::ALL.iter().map(|m| points.of(*m).times(self.count(*m))).sum()
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
    /// Warning signals of every kind (lights and cards) begun in the month.
    #[serde(default)]
    pub warning_signals: u32,
    pub ratings: u32,
    /// Ratings of 4 and 5 stars (满意, 非常满意); and of 3 (基本满意).
    pub ratings_satisfied: u32,
    #[serde(default)]
    pub ratings_basic: u32,
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
    #[serde(default)]
    pub measures_by_kind: MeasureCounts,
    /// Cases of the month whose records are incomplete (completed with no acceptance on record, or
    /// with a 流程异常 alert).
    #[serde(default)]
    pub incomplete_cases: u32,
    /// The legal and the promised working days of the department's catalogue items (those with a legal
    /// limit), summed.
    #[serde(default)]
    pub legal_days_total: u32,
    #[serde(default)]
    pub promised_days_total: u32,
}

impl MonthFigures {
    /// Whether anything but cases happened in the month (what a month without cases can be assessed on).
    pub fn has_other_records(&self) -> bool {
        [
            self.ratings,
            self.notices,
            self.slip_findings,
            self.complaints_upheld,
            self.attendance_marks,
            self.violations,
            self.measures,
            self.yellow_signals,
            self.red_signals,
            self.warning_signals,
            self.follow_ups_late,
        ]
        .iter()
        .any(|n| *n > 0)
    }
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
    pub const ALL: [Category; 9] = [
        Category::Openness,
        Category::Process,
        Category::Deadlines,
        Category::Fees,
        Category::Satisfaction,
        Category::Attitude,
        Category::Supervision,
        Category::Liability,
        Category::Integrity,
    ];

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

    /// The categories measured per case (kept in full in a month without cases, when so set).
    pub fn is_per_case(self) -> bool {
        matches!(self, Category::Openness | Category::Process | Category::Deadlines | Category::Fees)
    }
}

/// One category's result: the measure (the share of the weight kept before its own deductions, shown
/// as a percentage; the points are computed from the counts, not from it), the points kept out of the
/// weight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryScore {
    pub category: Category,
    pub weight: Hundredths,
    pub measure: f64,
    pub points: Hundredths,
}

/// A department's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MonthScore {
    pub categories: Vec<CategoryScore>,
    /// Points taken for signals (capped) and the bonus for early completion (capped).
    pub signal_deduction: Hundredths,
    pub early_bonus: Hundredths,
    /// Points taken for incomplete records (capped) and the bonus for shortened promised deadlines.
    #[serde(default)]
    pub completeness_deduction: Hundredths,
    #[serde(default)]
    pub promise_bonus: Hundredths,
    pub score: Hundredths,
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

/// An exact fraction `numerator / denominator` (the denominator positive).
#[derive(Debug, Clone, Copy)]
struct Fraction {
    numerator: i128,
    denominator: i128,
}

impl Fraction {
    fn whole(h: Hundredths) -> Self {
        Self { numerator: i128::from(h.0), denominator: 1 }
    }

    /// `h × part / whole`; `h` when there is nothing to measure.
    fn share_of(h: Hundredths, part: u32, whole: u32) -> Self {
        if whole == 0 {
            return Self::whole(h);
        }
        Self { numerator: i128::from(h.0) * i128::from(part.min(whole)), denominator: i128::from(whole) }
    }

    fn minus(self, other: Self) -> Self {
        Self {
            numerator: self.numerator * other.denominator - other.numerator * self.denominator,
            denominator: self.denominator * other.denominator,
        }
    }

    /// Rounded half-up to hundredths, within `[0, high]`.
    fn rounded_within(self, high: Hundredths) -> Hundredths {
        Hundredths::of_fraction(self.numerator, self.denominator).clamp(Hundredths::ZERO, high)
    }
}

/// `part / whole` as a share for display, 1 when there is nothing to measure.
fn shown_share(part: u32, whole: u32) -> f64 {
    if whole == 0 { 1.0 } else { (f64::from(part) / f64::from(whole)).clamp(0.0, 1.0) }
}

/// The month's score of a department; none when it had no cases (it is then neither ranked nor graded)
/// unless `no_case_months` says otherwise.
pub fn score_month(f: &MonthFigures, s: &AssessmentSettings) -> Option<MonthScore> {
    let without_cases = f.cases == 0;
    if without_cases && !(s.no_case_months == NoCaseMonths::CaseCategoriesFull && f.has_other_records()) {
        return None;
    }
    let satisfied = f.ratings_satisfied + if s.basic_satisfied_counts { f.ratings_basic } else { 0 };
    let measures_taken = if s.sanctions == SanctionRule::Monthly { f.measures } else { 0 };
    let categories = s
        .weights
        .all()
        .into_iter()
        .map(|(category, weight)| {
            // (part kept, out of, points taken): the measure is part / whole of the weight.
            let clean = |bad: u32| {
                let whole = f.cases.max(bad);
                (whole - bad, whole)
            };
            let none = Fraction::whole(Hundredths::ZERO);
            let ((part, whole), taken) = match category {
                _ if without_cases && category.is_per_case() => ((1, 1), none),
                Category::Openness => (clean(f.late_entries), none),
                Category::Process => (clean(f.step_overdue.saturating_add(f.repeated_supplements)), none),
                Category::Deadlines => ((f.completed_on_time, f.completed), none),
                Category::Fees => (clean(f.fee_mismatches), none),
                Category::Satisfaction => {
                    ((satisfied, f.ratings), Fraction::whole(s.late_follow_up_points.times(f.follow_ups_late)))
                }
                Category::Attitude => {
                    // Upheld complaints, and attendance marks per head: (complaints × staff + marks) / staff.
                    let complaints = i128::from(s.complaint_points.times(f.complaints_upheld).0);
                    let taken = if f.staff == 0 {
                        Fraction { numerator: complaints, denominator: 1 }
                    } else {
                        let staff = i128::from(f.staff);
                        let marks = i128::from(s.attendance_mark_points.0) * i128::from(f.attendance_marks);
                        Fraction { numerator: complaints * staff + marks, denominator: staff }
                    };
                    ((1, 1), taken)
                }
                Category::Supervision => (
                    (f.notices_answered_on_time, f.notices),
                    Fraction::whole(s.slip_finding_points.times(f.slip_findings)),
                ),
                Category::Liability => ((1, 1), Fraction::whole(s.violation_points.times(f.violations))),
                Category::Integrity => ((1, 1), Fraction::whole(s.measure_points.times(measures_taken))),
            };
            let points = Fraction::share_of(weight, part, whole).minus(taken).rounded_within(weight);
            CategoryScore { category, weight, measure: shown_share(part, whole), points }
        })
        .collect::<Vec<_>>();
    let warned = match s.warning_rule {
        WarningRule::MonthsInARow => f.warned_months_in_a_row >= s.warning_run_months,
        WarningRule::SignalsInMonth => f.warning_signals >= s.warning_signals,
    };
    let signals = s.yellow_points.times(f.yellow_signals)
        + s.red_points.times(f.red_signals)
        + if warned { s.warning_run_points } else { Hundredths::ZERO };
    let signal_deduction = signals.min(s.signal_deduction_cap);
    // Early completions: whole steps of `early_bonus_step` (hundredths of a share): early × 100 /
    // (completed × step), rounded down.
    let early = f.completed_early.min(f.completed);
    let steps = if f.completed == 0 || s.early_bonus_step.0 <= 0 {
        0
    } else {
        (i128::from(early) * 100) / (i128::from(f.completed) * i128::from(s.early_bonus_step.0))
    };
    let early_bonus = s.early_bonus_points.times(u32::try_from(steps).unwrap_or(u32::MAX)).min(s.early_bonus_cap);
    // Incomplete records: whole percent of the cases, rounded down.
    let percent = if f.cases == 0 { 0 } else { u64::from(f.incomplete_cases.min(f.cases)) * 100 / u64::from(f.cases) };
    let completeness_deduction =
        s.completeness_points.times(u32::try_from(percent).unwrap_or(u32::MAX)).min(s.completeness_cap);
    // Promised deadlines at least `promise_cut` shorter: promised × 100 ≤ legal × (100 − cut).
    let shortened = f.legal_days_total > 0
        && i128::from(f.promised_days_total) * 100
            <= i128::from(f.legal_days_total) * (100 - i128::from(s.promise_cut.0));
    let promise_bonus = if shortened { s.promise_bonus_points } else { Hundredths::ZERO };
    let kept: Hundredths = categories.iter().map(|c| c.points).sum();
    let mut score =
        (kept - signal_deduction - completeness_deduction + early_bonus + promise_bonus).max(Hundredths::ZERO);
    if let Some(cap) = s.score_cap {
        score = score.min(cap);
    }
    Some(MonthScore { categories, signal_deduction, early_bonus, completeness_deduction, promise_bonus, score })
}

/// The grade of a score.
pub fn grade(score: Hundredths, s: &AssessmentSettings) -> Grade {
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
/// has), rounded half-up to hundredths from the exact sum.
pub fn period_mean(months: &[Option<Hundredths>]) -> Option<Hundredths> {
    Hundredths::mean(months.iter().flatten().copied())
}

/// Competition ranks (1, 1, 3, …) by score, highest first; departments without a score are not ranked.
/// Returns each entry's rank in the order given.
pub fn ranks(scores: &[Option<Hundredths>]) -> Vec<Option<u32>> {
    scores
        .iter()
        .map(|own| {
            own.map(|own| {
                let above = scores.iter().flatten().filter(|other| **other > own).count();
                u32::try_from(above).unwrap_or(u32::MAX).saturating_add(1)
            })
        })
        .collect()
}

/// A calendar month: `2026-11` (1990–2100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl schemars::JsonSchema for YearMonth {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "YearMonth".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A calendar month: 2026-11",
            "pattern": "^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
        })
    }
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1990..=2100).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The month holding `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Self {
        if self.month == 12 { Self { year: self.year + 1, month: 1 } } else { Self { month: self.month + 1, ..self } }
    }

    pub fn previous(self) -> Self {
        if self.month == 1 { Self { year: self.year - 1, month: 12 } } else { Self { month: self.month - 1, ..self } }
    }

    /// 1–4.
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    /// `2026年11月`
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a month YYYY-MM between 1990-01 and 2100-12");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        Self::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> Self {
        m.to_string()
    }
}

/// One department's month: its figures, its score (none without cases), rank and grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentMonth {
    pub department_id: i64,
    pub department: String,
    pub figures: MonthFigures,
    pub score: Option<MonthScore>,
    pub rank: Option<u32>,
    pub grade: Option<Grade>,
    /// The points the month's Art 13 measures take from the year's total (`sanctions = "yearly"`; zero
    /// otherwise), whether or not the month has a score.
    #[serde(default)]
    pub year_sanctions: Hundredths,
    /// The halls the department has a window in (a city's halls are ranked by their departments).
    #[serde(default)]
    pub halls: Vec<String>,
}

impl DepartmentMonth {
    pub fn points(&self) -> Option<Hundredths> {
        self.score.as_ref().map(|s| s.score)
    }
}

/// A month's assessment of every department, as computed at `computed_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MonthAssessment {
    pub month: YearMonth,
    pub computed_at: DateTime<Utc>,
    /// The rules it was scored with.
    pub settings: AssessmentSettings,
    /// Ranked first (unscored departments last, by name).
    pub departments: Vec<DepartmentMonth>,
    /// The halls of the departments (code and name), in code order.
    #[serde(default)]
    pub halls: Vec<AssessedHall>,
}

/// A hall of an assessment's departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssessedHall {
    pub code: String,
    pub name: String,
}

/// A hall's place among the halls of a month (the city's bulletin, the city's overview): the mean score
/// of its scored departments (a department counts in every hall it has a window in), graded as a
/// department is; halls without a scored department are unranked, last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HallRank {
    pub code: String,
    pub name: String,
    /// Departments scored this month.
    pub departments: u32,
    pub mean: Option<Hundredths>,
    pub grade: Option<Grade>,
    pub rank: Option<u32>,
}

/// The month's halls ranked by the mean score of their departments (ties share a place).
pub fn rank_halls(a: &MonthAssessment) -> Vec<HallRank> {
    let mut halls: Vec<HallRank> = a
        .halls
        .iter()
        .map(|h| {
            let scores: Vec<Hundredths> = a
                .departments
                .iter()
                .filter(|d| d.halls.contains(&h.code))
                .filter_map(DepartmentMonth::points)
                .collect();
            let departments = u32::try_from(scores.len()).unwrap_or(u32::MAX);
            let mean = Hundredths::mean(scores);
            HallRank {
                code: h.code.clone(),
                name: h.name.clone(),
                departments,
                mean,
                grade: mean.map(|m| grade(m, &a.settings)),
                rank: None,
            }
        })
        .collect();
    let means: Vec<Option<Hundredths>> = halls.iter().map(|h| h.mean).collect();
    for (h, rank) in halls.iter_mut().zip(ranks(&means)) {
        h.rank = rank;
    }
    halls.sort_by(|a, b| a.rank.unwrap_or(u32::MAX).cmp(&b.rank.unwrap_or(u32::MAX)).then_with(|| a.code.cmp(&b.code)));
    halls
}

/// Scores every department's figures, ranks and grades them; ranked order, the unscored last.
pub fn assess_month(
    month: YearMonth,
    computed_at: DateTime<Utc>,
    figures: Vec<(i64, String, MonthFigures)>,
    settings: &AssessmentSettings,
) -> MonthAssessment {
    let mut departments: Vec<DepartmentMonth> = figures
        .into_iter()
        .map(|(department_id, department, figures)| {
            let score = score_month(&figures, settings);
            let grade = score.as_ref().map(|s| grade(s.score, settings));
            let year_sanctions = match settings.sanctions {
                SanctionRule::Monthly => Hundredths::ZERO,
                SanctionRule::Yearly => figures.measures_by_kind.points(&settings.sanction_points),
            };
            DepartmentMonth {
                department_id,
                department,
                figures,
                score,
                rank: None,
                grade,
                year_sanctions,
                halls: Vec::new(),
            }
        })
        .collect();
    let scores: Vec<Option<Hundredths>> = departments.iter().map(DepartmentMonth::points).collect();
    for (d, rank) in departments.iter_mut().zip(ranks(&scores)) {
        d.rank = rank;
    }
    departments.sort_by(|a, b| {
        a.rank.unwrap_or(u32::MAX).cmp(&b.rank.unwrap_or(u32::MAX)).then_with(|| a.department.cmp(&b.department))
    });
    MonthAssessment { month, computed_at, settings: settings.clone(), departments, halls: Vec::new() }
}

/// What a drill-down item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A case completed after its deadline (`reference` is the case number).
    LateCase,
    /// An alert (`reference` is its id; `case_no` its case).
    Alert,
    /// A poor rating whose follow-up was late.
    Rating,
    /// A complaint upheld (it led to a violation).
    Complaint,
    /// A person's attendance marks in the month.
    Attendance,
    /// A supervision notice answered late or not at all.
    Notice,
    /// A finding on a reminder slip.
    SlipFinding,
    Violation,
    /// A decision applying Art 13 measures.
    Decision,
}

/// One record behind a department's points: what it is, where it counts, and how to open it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AssessmentItem {
    /// The category it costs points in; `None` for the signal deduction (cards).
    pub category: Option<Category>,
    pub kind: ItemKind,
    pub reference: String,
    pub case_no: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

/// A published month: frozen figures, a version per recomputation with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Publication {
    pub id: i64,
    pub month: YearMonth,
    pub version: u32,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// Why a version after the first was made; empty for the first.
    pub reason: String,
    /// The SHA-256 of the frozen assessment's JSON as stored.
    pub sha256: String,
    pub assessment: MonthAssessment,
}

/// The mean of each quarter, half and the year of one department, from its months (published where
/// published).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentYear {
    pub department_id: i64,
    pub department: String,
    pub months: Vec<Option<Hundredths>>,
    pub quarters: Vec<Option<Hundredths>>,
    pub quarter_grades: Vec<Option<Grade>>,
    pub quarter_ranks: Vec<Option<u32>>,
    pub halves: Vec<Option<Hundredths>>,
    /// The mean of the months less the year's sanctions (`sanctions = "yearly"`), at least zero.
    pub year: Option<Hundredths>,
    /// Points the year's Art 13 measures take from it (months assessed with `sanctions = "yearly"`).
    pub sanctions: Hundredths,
    pub year_rank: Option<u32>,
}

/// A year of monthly scores and their period means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct YearAssessment {
    pub year: i32,
    /// For each month (January first): published (its version) or computed now; none for months to come.
    pub published: Vec<Option<u32>>,
    pub departments: Vec<DepartmentYear>,
}

/// One department's year as its months give it: each month's score (none without) and the points its
/// months' measures take from the year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearInput {
    pub department_id: i64,
    pub department: String,
    pub months: Vec<Option<Hundredths>>,
    pub sanctions: Hundredths,
}

/// The quarter, half and year means, grades and ranks of departments' twelve monthly scores; ranked by
/// the year, those without a score last.
pub fn assess_year(
    year: i32,
    published: Vec<Option<u32>>,
    inputs: Vec<YearInput>,
    settings: &AssessmentSettings,
) -> YearAssessment {
    let mut departments: Vec<DepartmentYear> = inputs
        .into_iter()
        .map(|YearInput { department_id, department, months, sanctions }| {
            let part = |from: usize, to: usize| period_mean(months.get(from..to.min(months.len())).unwrap_or(&[]));
            let quarters: Vec<Option<Hundredths>> = (0..4).map(|q| part(q * 3, q * 3 + 3)).collect();
            DepartmentYear {
                department_id,
                department,
                quarter_grades: quarters.iter().map(|q| q.map(|s| grade(s, settings))).collect(),
                quarter_ranks: vec![None; 4],
                halves: vec![part(0, 6), part(6, 12)],
                year: part(0, 12).map(|mean| (mean - sanctions).max(Hundredths::ZERO)),
                sanctions,
                year_rank: None,
                quarters,
                months,
            }
        })
        .collect();
    for q in 0..4 {
        let scores: Vec<Option<Hundredths>> = departments.iter().map(|d| d.quarters[q]).collect();
        for (d, r) in departments.iter_mut().zip(ranks(&scores)) {
            d.quarter_ranks[q] = r;
        }
    }
    let scores: Vec<Option<Hundredths>> = departments.iter().map(|d| d.year).collect();
    for (d, r) in departments.iter_mut().zip(ranks(&scores)) {
        d.year_rank = r;
    }
    departments.sort_by(|a, b| {
        a.year_rank
            .unwrap_or(u32::MAX)
            .cmp(&b.year_rank.unwrap_or(u32::MAX))
            .then_with(|| a.department.cmp(&b.department))
    });
    YearAssessment { year, published, departments }
}

/// The number of a 监察建议书 as printed: `〔2026〕监建第3号`.
pub fn recommendation_number_text(year: i32, number: u32) -> String {
    format!("〔{year}〕监建第{number}号")
}

/// A supervision recommendation's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    Issued,
    /// The department signed for it.
    Received,
    /// The department's reply is recorded.
    Replied,
}

/// A 监察建议书 (Art 13): to a department graded 不合格 or on a chief's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Recommendation {
    pub id: i64,
    pub hall_code: String,
    pub hall_name: String,
    pub year: i32,
    pub number: u32,
    pub department_id: i64,
    pub department: String,
    /// The month whose assessment it follows, if any.
    pub month: Option<YearMonth>,
    pub facts: String,
    pub recommendation: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub reply_due: NaiveDate,
    pub status: RecommendationStatus,
    pub receipt_by: Option<String>,
    pub receipt_at: Option<DateTime<Utc>>,
    pub reply: Option<String>,
    pub reply_at: Option<DateTime<Utc>>,
    /// No reply and the due day has ended (shown red).
    pub overdue: bool,
}

impl Recommendation {
    pub fn number_text(&self) -> String {
        recommendation_number_text(self.year, self.number)
    }
}

/// The facts a 监察建议书 for a department's month starts from: its score, grade and the categories that
/// lost most.
pub fn recommendation_facts(d: &DepartmentMonth, month: YearMonth) -> String {
    let Some(score) = &d.score else {
        return format!("{}，{}无办件，未予评分。", d.department, month.label_zh());
    };
    let mut lost: Vec<&CategoryScore> = score.categories.iter().filter(|c| c.points < c.weight).collect();
    lost.sort_by_key(|c| std::cmp::Reverse(c.weight - c.points));
    let lost: Vec<String> =
        lost.iter().take(3).map(|c| format!("{}失{}分", c.category.label(), c.weight - c.points)).collect();
    let f = &d.figures;
    format!(
        "经电子监察系统{}绩效评估，{}得分{:.2}分，等次{}{}。本月办件{}件，办结{}件（按期办结{}件），黄牌{}张、红牌{}张（扣{:.2}分）{}。",
        month.label_zh(),
        d.department,
        score.score,
        d.grade.map_or("—", Grade::label),
        d.rank.map_or(String::new(), |r| format!("，排名第{r}")),
        f.cases,
        f.completed,
        f.completed_on_time,
        f.yellow_signals,
        f.red_signals,
        score.signal_deduction,
        if lost.is_empty() { String::new() } else { format!("；{}", lost.join("，")) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halls ranked by hand: LS has departments scoring 92.50 and 81.25 → 86.875, rounded 86.88 (良好);
    /// GZL shares the 81.25 one and has 95.00 → 88.125 → 88.13 (良好), first; CITY's one department has no
    /// cases (unscored), so CITY is unranked, last. A tie shares its place.
    #[test]
    fn halls_rank_by_the_mean_of_their_departments() {
        let department = |id: i64, score: Option<f64>, halls: &[&str]| DepartmentMonth {
            department_id: id,
            department: format!("d{id}"),
            figures: MonthFigures::default(),
            score: score.map(|x| MonthScore {
                categories: Vec::new(),
                signal_deduction: Hundredths::ZERO,
                early_bonus: Hundredths::ZERO,
                completeness_deduction: Hundredths::ZERO,
                promise_bonus: Hundredths::ZERO,
                score: p(x),
            }),
            rank: None,
            grade: None,
            year_sanctions: Hundredths::ZERO,
            halls: halls.iter().map(|h| (*h).to_owned()).collect(),
        };
        let hall = |code: &str| AssessedHall { code: code.into(), name: format!("{code} 大厅") };
        let mut a = MonthAssessment {
            month: "2026-11".parse().unwrap(),
            computed_at: chrono::Utc::now(),
            settings: AssessmentSettings::default(),
            departments: vec![
                department(1, Some(92.5), &["LS"]),
                department(2, Some(81.25), &["LS", "GZL"]),
                department(3, Some(95.0), &["GZL"]),
                department(4, None, &["CITY"]),
            ],
            halls: vec![hall("CITY"), hall("GZL"), hall("LS")],
        };
        let ranked = rank_halls(&a);
        let got: Vec<(&str, Option<u32>, u32, Option<String>, Option<Grade>)> = ranked
            .iter()
            .map(|h| (h.code.as_str(), h.rank, h.departments, h.mean.map(|m| format!("{m:.2}")), h.grade))
            .collect();
        assert_eq!(
            got,
            [
                ("GZL", Some(1), 2, Some("88.13".into()), Some(Grade::Good)),
                ("LS", Some(2), 2, Some("86.88".into()), Some(Grade::Good)),
                ("CITY", None, 0, None, None),
            ]
        );
        // LS's first department at 95.00 too: both halls at 88.125, sharing first place.
        a.departments[0] = department(1, Some(95.0), &["LS"]);
        let tie: Vec<Option<u32>> = rank_halls(&a).iter().map(|h| h.rank).collect();
        assert_eq!(tie, [Some(1), Some(1), None]);
    }

    /// A literal score (tests only).
    fn p(x: f64) -> Hundredths {
        Hundredths::from_f64(x).unwrap()
    }

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
        assert_eq!(m.score, p(100.0));
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
            ..Default::default()
        };
        let m = score_month(&f, &s).unwrap();
        let points: Vec<Hundredths> = m.categories.iter().map(|c| c.points).collect();
        assert_eq!(points, [9.5, 12.6, 12.6, 7.84, 5.5, 6.0, 9.5, 5.0, 10.0].map(p).to_vec());
        assert_eq!(m.signal_deduction, p(23.0));
        assert_eq!(m.early_bonus, p(2.0));
        // 78.54 kept − 23 + 2
        assert_eq!(m.score, p(57.54));
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
        assert_eq!(m.signal_deduction, p(30.0), "capped");
        assert_eq!(m.early_bonus, p(5.0), "100 % early is ten steps, capped at 5");
        let liability = m.categories.iter().find(|c| c.category == Category::Liability).unwrap();
        assert_eq!(liability.points, Hundredths::ZERO, "a category never goes below zero");
        let attitude = m.categories.iter().find(|c| c.category == Category::Attitude).unwrap();
        assert_eq!(attitude.points, Hundredths::ZERO);
        assert_eq!(m.score, p(100.0 - 10.0 - 10.0 - 30.0 + 5.0));
    }

    #[test]
    fn a_department_with_no_cases_has_no_score_and_no_rank() {
        let s = AssessmentSettings::default();
        let none = MonthFigures { cases: 0, ..clean() };
        assert!(score_month(&none, &s).is_none());
        assert_eq!(ranks(&[Some(p(90.0)), None, Some(p(95.0))]), vec![Some(2), None, Some(1)]);
    }

    #[test]
    fn ties_share_a_place_and_the_next_place_is_skipped() {
        assert_eq!(
            ranks(&[Some(p(88.5)), Some(p(92.0)), Some(p(88.5)), Some(p(70.0)), Some(p(92.0))]),
            vec![Some(3), Some(1), Some(3), Some(5), Some(1)]
        );
    }

    #[test]
    fn a_quarter_is_the_mean_of_its_scored_months() {
        assert_eq!(period_mean(&[Some(p(90.0)), Some(p(80.0)), Some(p(85.5))]), Some(p(85.17)));
        assert_eq!(period_mean(&[Some(p(90.0)), None, Some(p(80.0))]), Some(p(85.0)));
        assert_eq!(period_mean(&[None, None, None]), None);
        // The case: (80.25 + 70.58) / 2 = 75.415, half-up 75.42 (binary floating point: 75.41).
        assert_eq!(period_mean(&[Some(p(80.25)), Some(p(70.58)), None]), Some(p(75.42)));
        // 85.005 by hand: (85.00 + 85.01) / 2; and a third: (70 + 70 + 70.01) / 3 = 70.00333 → 70.00.
        assert_eq!(period_mean(&[Some(p(85.0)), Some(p(85.01))]), Some(p(85.01)));
        assert_eq!(period_mean(&[Some(p(70.0)), Some(p(70.0)), Some(p(70.01))]), Some(p(70.0)));
    }

    /// Each of the city text's variants against a month computed by hand; the defaults leave it as before.
    #[test]
    fn the_city_rules_variants_each_against_a_hand_computed_month() {
        let base = AssessmentSettings::default();
        let score = |f: &MonthFigures, s: &AssessmentSettings| score_month(f, s).map(|m| m.score);

        // Three warning signals (lights) in the month, no cards, no run of carded months: −3 under
        // `signals_in_month`, nothing by default; two signals are not three.
        let signals = MonthFigures { warning_signals: 3, ..clean() };
        let by_signals = AssessmentSettings { warning_rule: WarningRule::SignalsInMonth, ..base.clone() };
        assert_eq!(score(&signals, &base), Some(p(100.0)));
        assert_eq!(score(&signals, &by_signals), Some(p(97.0)));
        assert_eq!(score(&MonthFigures { warning_signals: 2, ..clean() }, &by_signals), Some(p(100.0)));
        // A 3-month card run no longer counts under it (one yellow card: −5 only).
        let run = MonthFigures { yellow_signals: 1, warning_signals: 1, warned_months_in_a_row: 3, ..clean() };
        assert_eq!(score(&run, &base), Some(p(92.0)));
        assert_eq!(score(&run, &by_signals), Some(p(95.0)));

        // Two measures (免职, 书面检查): by default 2 × 5 from 廉洁行政 (10 → 0): 90. Yearly: the month
        // keeps 100 and the year loses 40 + 10 = 50.
        let mut kinds = MeasureCounts::default();
        kinds.add(Measure::Removal);
        kinds.add(Measure::WrittenSelfCriticism);
        let measured = MonthFigures { measures: 2, measures_by_kind: kinds, ..clean() };
        let yearly = AssessmentSettings { sanctions: SanctionRule::Yearly, ..base.clone() };
        assert_eq!(score(&measured, &base), Some(p(90.0)));
        assert_eq!(score(&measured, &yearly), Some(p(100.0)));
        let m = YearMonth::new(2026, 3).unwrap();
        let now = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let a = assess_month(m, now, vec![(1, "甲".into(), measured)], &yearly);
        assert_eq!(a.departments[0].year_sanctions, p(50.0));
        assert_eq!(assess_month(m, now, vec![(1, "甲".into(), measured)], &base).departments[0].year_sanctions, p(0.0));
        // The year: months 100 and 90, mean 95, less 50 = 45; the quarter stays 95.
        let mut months = vec![Some(p(100.0)), Some(p(90.0))];
        months.extend([None; 10]);
        let y = assess_year(
            2026,
            vec![None; 12],
            vec![YearInput { department_id: 1, department: "甲".into(), months, sanctions: p(50.0) }],
            &yearly,
        );
        assert_eq!((y.departments[0].year, y.departments[0].quarters[0]), (Some(p(45.0)), Some(p(95.0))));

        // Promised days 70 of 100 legal ones (30 % shorter): +3 on a month of 95 (one violation); 71 of
        // 100 is not 30 % shorter. Off by default.
        let promised = MonthFigures { legal_days_total: 100, promised_days_total: 70, violations: 1, ..clean() };
        let bonus = AssessmentSettings { promise_bonus_points: p(3.0), ..base.clone() };
        assert_eq!(score(&promised, &base), Some(p(95.0)));
        assert_eq!(score(&promised, &bonus), Some(p(98.0)));
        assert_eq!(score(&MonthFigures { promised_days_total: 71, ..promised }, &bonus), Some(p(95.0)));
        // Over 100 without a cap, 100 with one.
        let clean_promise = MonthFigures { legal_days_total: 20, promised_days_total: 10, ..clean() };
        assert_eq!(score(&clean_promise, &bonus), Some(p(103.0)));
        let capped = AssessmentSettings { score_cap: Some(p(100.0)), ..bonus.clone() };
        assert_eq!(score(&clean_promise, &capped), Some(p(100.0)));

        // Incomplete records: 3 of 100 cases = 3 % → −3; 5 of 200 = 2.5 % → −2 (whole percents); 20 of
        // 100 → capped at 5. Off by default.
        let completeness = AssessmentSettings { completeness_points: p(1.0), ..base.clone() };
        assert_eq!(score(&MonthFigures { incomplete_cases: 3, ..clean() }, &base), Some(p(100.0)));
        assert_eq!(score(&MonthFigures { incomplete_cases: 3, ..clean() }, &completeness), Some(p(97.0)));
        let half = MonthFigures { cases: 200, incomplete_cases: 5, ..clean() };
        assert_eq!(score(&half, &completeness), Some(p(98.0)));
        assert_eq!(score(&MonthFigures { incomplete_cases: 20, ..clean() }, &completeness), Some(p(95.0)));

        // 基本满意: 40 satisfied and 5 basic of 50 ratings: 10 × 40/50 = 8 (98) or 10 × 45/50 = 9 (99).
        let rated = MonthFigures { ratings: 50, ratings_satisfied: 40, ratings_basic: 5, ..clean() };
        let basic = AssessmentSettings { basic_satisfied_counts: true, ..base.clone() };
        assert_eq!(score(&rated, &base), Some(p(98.0)));
        assert_eq!(score(&rated, &basic), Some(p(99.0)));

        // A month without cases, 3 attendance marks among 10 staff and a violation: not assessed by
        // default; with the case categories kept: 46 (case categories) + 10 (satisfaction, no ratings)
        // + 9.7 (attitude 10 − 3/10) + 14 + 5 (liability 10 − 5) + 10 = 94.70. With nothing at all it
        // stays unassessed.
        let quiet =
            MonthFigures { cases: 0, completed: 0, completed_on_time: 0, ratings: 0, ratings_satisfied: 0, ..clean() };
        let marked = MonthFigures { attendance_marks: 3, violations: 1, ..quiet };
        let other = AssessmentSettings { no_case_months: NoCaseMonths::CaseCategoriesFull, ..base.clone() };
        assert_eq!(score(&marked, &base), None);
        assert_eq!(score(&marked, &other), Some(p(94.7)));
        assert_eq!(score(&quiet, &other), None);

        // The defaults print no variant; each switched on is named.
        assert!(base.variants_zh().is_empty());
        assert_eq!(bonus.variants_zh(), vec!["承诺期限缩短30%以上加3.00分".to_owned()]);
        for s in [&by_signals, &yearly, &bonus, &completeness, &basic, &other, &capped] {
            s.validate().unwrap();
            assert!(!s.variants_zh().is_empty());
        }
    }

    #[test]
    fn category_points_are_exact_fractions_rounded_half_up() {
        let s = AssessmentSettings::default();
        // Satisfaction 10 × 2/3 = 6.666… → 6.67; attitude 10 − 1/8 = 9.875 → 9.88; fees 8 × 15/16 = 7.5.
        let f = MonthFigures {
            cases: 16,
            completed: 0,
            completed_on_time: 0,
            fee_mismatches: 1,
            ratings: 3,
            ratings_satisfied: 2,
            attendance_marks: 1,
            staff: 8,
            ..Default::default()
        };
        let m = score_month(&f, &s).unwrap();
        let of = |c: Category| m.categories.iter().find(|x| x.category == c).unwrap().points;
        assert_eq!(
            (of(Category::Satisfaction), of(Category::Attitude), of(Category::Fees)),
            (p(6.67), p(9.88), p(7.5))
        );
        // 10 + 14 + 14 + 7.5 + 6.67 + 9.88 + 14 + 10 + 10
        assert_eq!(m.score, p(96.05));
    }

    #[test]
    fn grades_follow_the_thresholds() {
        let s = AssessmentSettings::default();
        assert_eq!(grade(p(90.0), &s), Grade::Excellent);
        assert_eq!(grade(p(89.99), &s), Grade::Good);
        assert_eq!(grade(p(80.0), &s), Grade::Good);
        assert_eq!(grade(p(60.0), &s), Grade::Pass);
        assert_eq!(grade(p(59.99), &s), Grade::Fail);
        assert_eq!(Grade::Fail.label(), "不合格");
    }

    #[test]
    fn bad_settings_are_named() {
        let mut s = AssessmentSettings::default();
        s.weights.fees = p(9.0);
        assert_eq!(s.validate().unwrap_err().0, "assessment.weights");
        let mut s = AssessmentSettings::default();
        s.weights.fees = p(-1.0);
        assert_eq!(s.validate().unwrap_err().0, "assessment.weights.fees");
        let s = AssessmentSettings { good: p(95.0), ..Default::default() };
        assert_eq!(s.validate().unwrap_err().0, "assessment.pass");
        let s = AssessmentSettings { early_bonus_step: Hundredths::ZERO, ..Default::default() };
        assert_eq!(s.validate().unwrap_err().0, "assessment.early_bonus_step");
    }

    #[test]
    fn months_parse_step_and_know_their_days() {
        let m: YearMonth = "2026-02".parse().unwrap();
        assert_eq!((m.first_day().to_string(), m.last_day().to_string()), ("2026-02-01".into(), "2026-02-28".into()));
        assert_eq!(m.previous().to_string(), "2026-01");
        assert_eq!(YearMonth::new(2026, 12).unwrap().next().to_string(), "2027-01");
        assert_eq!(YearMonth::new(2027, 1).unwrap().previous().to_string(), "2026-12");
        assert_eq!(m.quarter(), 1);
        assert_eq!(YearMonth::new(2026, 10).unwrap().quarter(), 4);
        for bad in ["2026-13", "2026-2", "1989-12", "26-01", "2026/01", ""] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"2026-02\"");
        assert_eq!(serde_json::from_str::<YearMonth>(&json).unwrap(), m);
    }

    #[test]
    fn a_month_is_ranked_with_the_unscored_last_and_a_year_averages_its_quarters() {
        let s = AssessmentSettings::default();
        let now = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let m = YearMonth::new(2026, 1).unwrap();
        let bad = MonthFigures { red_signals: 1, ..clean() };
        let a = assess_month(
            m,
            now,
            vec![(1, "甲".into(), MonthFigures::default()), (2, "乙".into(), bad), (3, "丙".into(), clean())],
            &s,
        );
        let order: Vec<(&str, Option<u32>)> = a.departments.iter().map(|d| (d.department.as_str(), d.rank)).collect();
        assert_eq!(order, vec![("丙", Some(1)), ("乙", Some(2)), ("甲", None)]);
        assert_eq!(a.departments[1].points(), Some(p(90.0)));
        assert!(a.departments[2].grade.is_none());
        let facts = recommendation_facts(&a.departments[1], m);
        assert!(facts.contains("得分90.00分") && facts.contains("红牌1张"), "{facts}");

        let mut months = vec![Some(p(90.0)), Some(p(80.0)), Some(p(85.5))];
        months.extend([None; 9]);
        let input = |id, name: &str, months| YearInput {
            department_id: id,
            department: name.into(),
            months,
            sanctions: Hundredths::ZERO,
        };
        let y = assess_year(
            2026,
            vec![None; 12],
            vec![input(1, "甲", months), input(2, "乙", vec![Some(p(50.0)); 12])],
            &s,
        );
        assert_eq!(y.departments[0].quarters, vec![Some(p(85.17)), None, None, None]);
        assert_eq!(y.departments[0].quarter_grades[0], Some(Grade::Good));
        assert_eq!(y.departments[1].quarter_grades[0], Some(Grade::Fail));
        assert_eq!(y.departments[0].quarter_ranks, vec![Some(1), None, None, None]);
        assert_eq!(y.departments[0].halves, vec![Some(p(85.17)), None]);
        assert_eq!(y.departments[1].year_rank, Some(2));
        assert_eq!(recommendation_number_text(2027, 1), "〔2027〕监建第1号");
    }
}
