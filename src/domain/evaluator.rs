//! The electronic evaluator (RULES.md "Evaluator"): daily usage per window, anomalies that suggest staff
//! pressing it themselves (Art 11(9)), and the deadlines of the follow-up of poor ratings (差评).
//!
//! Pure: completions and ratings of a day in, usage and anomalies out.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

/// Settings (`[evaluator]` in rules.toml).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluatorSettings {
    /// Usage below this share of completed cases is flagged.
    pub min_usage: f64,
    /// A rating needs a completion at the window within this many minutes before it.
    pub completion_window_minutes: u32,
    /// This many ratings at one window within `burst_seconds` are suspicious.
    pub burst_count: u32,
    pub burst_seconds: u32,
    /// 差评: return visit within, and rectification within, these many working days.
    pub return_visit_days: u32,
    pub rectification_days: u32,
}

impl Default for EvaluatorSettings {
    fn default() -> Self {
        Self {
            min_usage: 0.9,
            completion_window_minutes: 10,
            burst_count: 3,
            burst_seconds: 60,
            return_visit_days: 1,
            rectification_days: 15,
        }
    }
}

impl EvaluatorSettings {
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.min_usage) {
            return Err(("evaluator.min_usage".into(), format!("{} is outside 0–1", self.min_usage)));
        }
        let checks: [(&str, u32, u32, u32); 5] = [
            ("completion_window_minutes", self.completion_window_minutes, 1, 240),
            ("burst_count", self.burst_count, 2, 100),
            ("burst_seconds", self.burst_seconds, 1, 3600),
            ("return_visit_days", self.return_visit_days, 1, 30),
            ("rectification_days", self.rectification_days, 1, 120),
        ];
        for (key, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err((format!("evaluator.{key}"), format!("{value} is outside {min}–{max}")));
            }
        }
        Ok(())
    }
}

/// Ratings 1–5: 5 非常满意 … 1 非常不满意.
pub fn rating_label(rating: u8) -> &'static str {
    match rating {
        5 => "非常满意",
        4 => "满意",
        3 => "基本满意",
        2 => "不满意",
        _ => "非常不满意",
    }
}

/// 差评: the two lowest ratings.
pub fn is_poor(rating: u8) -> bool {
    rating <= 2
}

/// A case completed at a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Completion {
    pub case_no: String,
    pub window: String,
    pub at: DateTime<Utc>,
}

/// Where a rating came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// An `evaluate` event of the approval system.
    Event,
    /// A standalone evaluator device.
    Device,
}

/// One rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rating {
    pub window: String,
    pub at: DateTime<Utc>,
    pub rating: u8,
    pub case_no: Option<String>,
    pub staff_no: Option<String>,
    pub source: RatingSource,
}

/// A window's usage on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Usage {
    pub window: String,
    pub completed: u32,
    pub evaluated: u32,
    /// `evaluated / completed`; `None` without completions.
    pub rate: Option<f64>,
    pub below_minimum: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// No case was completed at the window in the minutes before the rating.
    NoCompletionBefore,
    /// Several ratings at one window within seconds.
    Burst,
    /// The rating came before the case it names was completed.
    BeforeCompletion,
}

impl AnomalyKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            AnomalyKind::NoCompletionBefore => "评价前无办结",
            AnomalyKind::Burst => "短时连续评价",
            AnomalyKind::BeforeCompletion => "办结前评价",
        }
    }
}

/// A suspicious rating pattern with the ratings and completions that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub window: String,
    pub at: DateTime<Utc>,
    pub ratings: Vec<Rating>,
    /// The completion nearest before (for `NoCompletionBefore`, the last one before the window opened).
    pub nearest_completion: Option<Completion>,
    pub explanation: String,
}

/// A day's check of the evaluators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EvaluatorCheck {
    pub date: NaiveDate,
    pub usage: Vec<Usage>,
    pub anomalies: Vec<Anomaly>,
    pub poor_ratings: Vec<Rating>,
}

/// Checks one day: `completions` and `ratings` of that day (any order), `all_completions` of the cases
/// the ratings name (to find ratings before their completion, even across days).
pub fn check_day(
    date: NaiveDate,
    completions: &[Completion],
    ratings: &[Rating],
    completion_of: &BTreeMap<String, DateTime<Utc>>,
    settings: &EvaluatorSettings,
) -> EvaluatorCheck {
    let fmt = |at: DateTime<Utc>| super::time::local_datetime(at).format("%H:%M:%S").to_string();
    let mut by_window: BTreeMap<&str, (Vec<&Completion>, Vec<&Rating>)> = BTreeMap::new();
    for c in completions {
        by_window.entry(&c.window).or_default().0.push(c);
    }
    for r in ratings {
        by_window.entry(&r.window).or_default().1.push(r);
    }
    let mut usage = Vec::new();
    let mut anomalies = Vec::new();
    let window_before = Duration::minutes(i64::from(settings.completion_window_minutes));
    let burst_span = Duration::seconds(i64::from(settings.burst_seconds));
    for (window, (mut done, mut rated)) in by_window {
        done.sort_by_key(|c| c.at);
        rated.sort_by_key(|r| r.at);
        let evaluated_cases: std::collections::HashSet<&str> =
            rated.iter().filter_map(|r| r.case_no.as_deref()).collect();
        let completed = u32::try_from(done.len()).unwrap_or(u32::MAX);
        let evaluated = u32::try_from(done.iter().filter(|c| evaluated_cases.contains(c.case_no.as_str())).count())
            .unwrap_or(u32::MAX);
        let rate = (completed > 0).then(|| f64::from(evaluated) / f64::from(completed));
        usage.push(Usage {
            window: window.to_owned(),
            completed,
            evaluated,
            rate,
            below_minimum: rate.is_some_and(|r| r < settings.min_usage),
        });

        // Bursts: maximal runs where `burst_count` ratings fall within the span.
        let mut i = 0;
        while i < rated.len() {
            let mut j = i;
            while j + 1 < rated.len() && rated[j + 1].at - rated[i].at <= burst_span {
                j += 1;
            }
            if j + 1 - i >= settings.burst_count as usize {
                let run: Vec<Rating> = rated[i..=j].iter().map(|r| (*r).clone()).collect();
                anomalies.push(Anomaly {
                    kind: AnomalyKind::Burst,
                    window: window.to_owned(),
                    at: rated[i].at,
                    explanation: format!(
                        "{} 至 {} 的 {} 秒内连续 {} 次评价（阈值：{} 秒内 {} 次）。",
                        fmt(rated[i].at),
                        fmt(rated[j].at),
                        (rated[j].at - rated[i].at).num_seconds(),
                        run.len(),
                        settings.burst_seconds,
                        settings.burst_count
                    ),
                    ratings: run,
                    nearest_completion: done.iter().rev().find(|c| c.at <= rated[i].at).map(|c| (*c).clone()),
                });
                i = j + 1;
            } else {
                i += 1;
            }
        }
        for r in &rated {
            let before = done.iter().rev().find(|c| c.at <= r.at);
            if before.is_none_or(|c| r.at - c.at > window_before) {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::NoCompletionBefore,
                    window: window.to_owned(),
                    at: r.at,
                    ratings: vec![(*r).clone()],
                    nearest_completion: before.map(|c| (*c).clone()),
                    explanation: match before {
                        Some(c) => format!(
                            "{} 的评价前 {} 分钟内本窗口无办结（上一次办结 {} 于 {}）。",
                            fmt(r.at),
                            settings.completion_window_minutes,
                            c.case_no,
                            fmt(c.at)
                        ),
                        None => format!("{} 的评价前本窗口当天没有任何办结。", fmt(r.at)),
                    },
                });
            }
            if let Some(done_at) = r.case_no.as_ref().and_then(|no| completion_of.get(no))
                && r.at < *done_at
            {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::BeforeCompletion,
                    window: window.to_owned(),
                    at: r.at,
                    ratings: vec![(*r).clone()],
                    nearest_completion: None,
                    explanation: format!(
                        "办件 {} 于 {} 评价，但 {} 才办结。",
                        r.case_no.as_deref().unwrap_or(""),
                        fmt(r.at),
                        super::time::format_local(*done_at)
                    ),
                });
            }
        }
    }
    anomalies.sort_by(|a, b| a.window.cmp(&b.window).then(a.at.cmp(&b.at)));
    let mut poor_ratings: Vec<Rating> = ratings.iter().filter(|r| is_poor(r.rating)).cloned().collect();
    poor_ratings.sort_by_key(|r| r.at);
    EvaluatorCheck { date, usage, anomalies, poor_ratings }
}

/// The due dates of a poor rating's follow-up: return visit, then rectification.
pub fn follow_up_due(calendar: &Calendar, rated_on: NaiveDate, settings: &EvaluatorSettings) -> (NaiveDate, NaiveDate) {
    let visit = calendar.add_working_days_fast(rated_on, settings.return_visit_days).unwrap_or(rated_on);
    let fix = calendar.add_working_days_fast(rated_on, settings.rectification_days).unwrap_or(rated_on);
    (visit, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert_eq!(EvaluatorSettings::default().validate(), Ok(()));
        let bad = EvaluatorSettings { burst_count: 1, ..EvaluatorSettings::default() };
        assert_eq!(bad.validate().unwrap_err().0, "evaluator.burst_count");
    }

    #[test]
    fn poor_ratings_are_the_two_lowest() {
        assert!(is_poor(1) && is_poor(2) && !is_poor(3));
        assert_eq!(rating_label(4), "满意");
    }
}
