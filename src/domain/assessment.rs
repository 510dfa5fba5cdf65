//! Department performance assessment (绩效评估): a month's figures of a department in, its score out.
//!
//! The structure follows the published city rules: a 100-point base split into weighted categories
//! (政务公开 10, 流程规范 14, 期限合法 14, 收费合理 8, 满意度 10, 服务态度 10, 监督检查 14, 法律责任 10,
//! 廉洁行政 10), deductions for signals (yellow −5, red −10, warnings three months in a row −3) capped, a
//! bonus for early completion (+1 when early completions reach 10 % of completions, +1 per further
//! 10 %) capped, grades 优秀 / 良好 / 合格 / 不合格 by thresholds. Each category is measured from
//! Jiancha's own records (`MonthFigures`); `docs/RULES.md` says which. A department with no cases in the
//! month gets no score and no rank. Pure: figures in, scores out.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
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
    /// Working days a department has to reply to a 监察建议书.
    pub recommendation_reply_working_days: u32,
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
            recommendation_reply_working_days: 15,
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
        if !(1..=60).contains(&self.recommendation_reply_working_days) {
            return Err((
                key("recommendation_reply_working_days"),
                format!("{} is outside 1–60", self.recommendation_reply_working_days),
            ));
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
}

impl DepartmentMonth {
    pub fn points(&self) -> Option<f64> {
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
            DepartmentMonth { department_id, department, figures, score, rank: None, grade }
        })
        .collect();
    let scores: Vec<Option<f64>> = departments.iter().map(DepartmentMonth::points).collect();
    for (d, rank) in departments.iter_mut().zip(ranks(&scores)) {
        d.rank = rank;
    }
    departments.sort_by(|a, b| {
        a.rank.unwrap_or(u32::MAX).cmp(&b.rank.unwrap_or(u32::MAX)).then_with(|| a.department.cmp(&b.department))
    });
    MonthAssessment { month, computed_at, settings: settings.clone(), departments }
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
    pub months: Vec<Option<f64>>,
    pub quarters: Vec<Option<f64>>,
    pub quarter_grades: Vec<Option<Grade>>,
    pub quarter_ranks: Vec<Option<u32>>,
    pub halves: Vec<Option<f64>>,
    pub year: Option<f64>,
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

/// The quarter, half and year means, grades and ranks of departments' twelve monthly scores; ranked by
/// the year, those without a score last.
pub fn assess_year(
    year: i32,
    published: Vec<Option<u32>>,
    months: Vec<(i64, String, Vec<Option<f64>>)>,
    settings: &AssessmentSettings,
) -> YearAssessment {
    let mut departments: Vec<DepartmentYear> = months
        .into_iter()
        .map(|(department_id, department, months)| {
            let part = |from: usize, to: usize| period_mean(months.get(from..to.min(months.len())).unwrap_or(&[]));
            let quarters: Vec<Option<f64>> = (0..4).map(|q| part(q * 3, q * 3 + 3)).collect();
            DepartmentYear {
                department_id,
                department,
                quarter_grades: quarters.iter().map(|q| q.map(|s| grade(s, settings))).collect(),
                quarter_ranks: vec![None; 4],
                halves: vec![part(0, 6), part(6, 12)],
                year: part(0, 12),
                year_rank: None,
                quarters,
                months,
            }
        })
        .collect();
    for q in 0..4 {
        let scores: Vec<Option<f64>> = departments.iter().map(|d| d.quarters[q]).collect();
        for (d, r) in departments.iter_mut().zip(ranks(&scores)) {
            d.quarter_ranks[q] = r;
        }
    }
    let scores: Vec<Option<f64>> = departments.iter().map(|d| d.year).collect();
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
    let mut lost: Vec<&CategoryScore> = score.categories.iter().filter(|c| c.points < c.weight - 0.005).collect();
    lost.sort_by(|a, b| (b.weight - b.points).total_cmp(&(a.weight - a.points)));
    let lost: Vec<String> =
        lost.iter().take(3).map(|c| format!("{}失{:.2}分", c.category.label(), c.weight - c.points)).collect();
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
        assert_eq!(a.departments[1].points(), Some(90.0));
        assert!(a.departments[2].grade.is_none());
        let facts = recommendation_facts(&a.departments[1], m);
        assert!(facts.contains("得分90.00分") && facts.contains("红牌1张"), "{facts}");

        let mut months = vec![Some(90.0), Some(80.0), Some(85.5)];
        months.extend([None; 9]);
        let y = assess_year(
            2026,
            vec![None; 12],
            vec![(1, "甲".into(), months), (2, "乙".into(), vec![Some(50.0); 12])],
            &s,
        );
        assert_eq!(y.departments[0].quarters, vec![Some(85.17), None, None, None]);
        assert_eq!(y.departments[0].quarter_grades[0], Some(Grade::Good));
        assert_eq!(y.departments[1].quarter_grades[0], Some(Grade::Fail));
        assert_eq!(y.departments[0].quarter_ranks, vec![Some(1), None, None, None]);
        assert_eq!(y.departments[0].halves, vec![Some(85.17), None]);
        assert_eq!(y.departments[1].year_rank, Some(2));
        assert_eq!(recommendation_number_text(2027, 1), "〔2027〕监建第1号");
    }
}
