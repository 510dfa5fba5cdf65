//! Work discipline seen on video (Art 8(2)2, RULES.md "Discipline observations and reminder slips"):
//! observations, the Monday–Sunday week, weekly statistics and the numbering of reminder slips (提示单).
//!
//! Pure: no I/O, no clock.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

pub use super::model::DISCIPLINE_CATEGORIES;

/// Whether `category` is one of RULES.md's categories.
pub fn is_category(category: &str) -> bool {
    DISCIPLINE_CATEGORIES.contains(&category)
}

/// An ISO week, Monday–Sunday: `2026-W47`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Week {
    pub monday: NaiveDate,
}

/// On the wire a week is its ISO name (weeks 1–52 of 1990–2100; a 53rd week is named the same way).
impl schemars::JsonSchema for Week {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Week".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An ISO week, Monday to Sunday: 2026-W47",
            "pattern": "^(199[0-9]|20[0-9]{2}|2100)-W(0[1-9]|[1-4][0-9]|5[0-2])$"
        })
    }
}

impl Week {
    /// The week holding `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self { monday: date - Duration::days(i64::from(date.weekday().num_days_from_monday())) }
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday + Duration::days(6)
    }

    /// The last complete week before the one holding `today`.
    pub fn last_complete(today: NaiveDate) -> Self {
        Self::of(today).previous()
    }

    /// The week before.
    pub fn previous(self) -> Self {
        Self { monday: self.monday - Duration::days(7) }
    }

    pub fn next(self) -> Self {
        Self { monday: self.monday + Duration::days(7) }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.monday <= date && date <= self.sunday()
    }

    /// `2026年第47周（11月16日—11月22日）`
    pub fn label_zh(self) -> String {
        let iso = self.monday.iso_week();
        format!(
            "{}年第{}周（{}月{}日—{}月{}日）",
            iso.year(),
            iso.week(),
            self.monday.month(),
            self.monday.day(),
            self.sunday().month(),
            self.sunday().day()
        )
    }
}

impl Week {
    /// `2026-W47 (16–22 Nov)`
    pub fn label_en(self) -> String {
        format!("{self} ({} – {})", self.monday.format("%-d %b"), self.sunday().format("%-d %b"))
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let iso = self.monday.iso_week();
        write!(f, "{}-W{:02}", iso.year(), iso.week())
    }
}

impl FromStr for Week {
    type Err = String;

    /// `YYYY-Www` (ISO 8601), or any date `YYYY-MM-DD` inside the week.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Self::of(super::time::check_date(date)?));
        }
        let bad = || format!("周应写作 YYYY-Www，例如 2026-W47 (week as YYYY-Www, e.g. 2026-W47): {s:?}");
        let (year, week) = s.split_once("-W").or_else(|| s.split_once("-w")).ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        if !(super::time::EARLIEST_YEAR..=super::time::LATEST_YEAR).contains(&year) {
            return Err(bad());
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|monday| Self { monday }).ok_or_else(bad)
    }
}

impl TryFrom<String> for Week {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Week> for String {
    fn from(w: Week) -> Self {
        w.to_string()
    }
}

/// The slip number as printed: `〔2026〕第12号`.
pub fn slip_number_text(year: i32, number: u32) -> String {
    format!("〔{year}〕第{number}号")
}

/// Where an observation came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObservationSource {
    /// A snapshot on the video wall.
    Wall,
    /// Found while playing back footage.
    Playback,
    /// Typed in (e.g. from a walk through the hall).
    #[default]
    Manual,
}

impl ObservationSource {
    pub const ALL: [ObservationSource; 3] =
        [ObservationSource::Wall, ObservationSource::Playback, ObservationSource::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            ObservationSource::Wall => "wall",
            ObservationSource::Playback => "playback",
            ObservationSource::Manual => "manual",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ObservationSource::Wall => "wall snapshot",
            ObservationSource::Playback => "playback",
            ObservationSource::Manual => "typed in",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ObservationSource::Wall => "视频墙截图",
            ObservationSource::Playback => "录像回放",
            ObservationSource::Manual => "录入",
        }
    }
}

impl FromStr for ObservationSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown source {s:?}"))
    }
}

/// One observation of work discipline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Observation {
    pub id: i64,
    pub observed_at: DateTime<Utc>,
    pub category: String,
    pub source: ObservationSource,
    pub camera_id: Option<i64>,
    pub camera_name: Option<String>,
    pub window_code: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub staff_no: Option<String>,
    pub staff_name: Option<String>,
    /// The snapshot kept as evidence, with its SHA-256.
    pub evidence_id: Option<i64>,
    pub evidence_path: Option<String>,
    pub evidence_sha256: Option<String>,
    /// A footage range (UTC ms) that shows it.
    pub clip: Option<super::footage::Span>,
    pub recorded_by: String,
    pub note: String,
    /// The camera finding it was confirmed from (detected by a camera watcher), if any.
    #[serde(default)]
    pub finding_id: Option<i64>,
}

impl Observation {
    /// The evidence as printed on a slip: `截图#12 (SHA-256 3f2a…)`, `录像 10:41:05–10:42:00`.
    pub fn evidence_reference(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(id), Some(sha)) = (self.evidence_id, &self.evidence_sha256) {
            parts.push(format!("截图#{id}（{}）", &sha[..sha.len().min(8)]));
        }
        if let Some(id) = self.finding_id {
            parts.push(format!("自动检测#{id}（截图两张）"));
        }
        if let Some(clip) = self.clip {
            let f = |ms: i64| {
                DateTime::from_timestamp_millis(ms)
                    .map(|t| super::time::local_datetime(t).format("%H:%M:%S").to_string())
                    .unwrap_or_default()
            };
            parts.push(format!("录像 {}–{}", f(clip.from), f(clip.to)));
        }
        if parts.is_empty() { "—".into() } else { parts.join("；") }
    }
}

/// Counts of a week's observations by department, window, staff and category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WeekStatistics {
    pub total: usize,
    /// Of the total, those confirmed from a camera watcher's finding (the rest were recorded by hand).
    pub detected: usize,
    /// (department name, count), most first.
    pub by_department: Vec<(String, usize)>,
    pub by_window: Vec<(String, usize)>,
    pub by_staff: Vec<(String, usize)>,
    pub by_category: Vec<(String, usize)>,
}

/// The statistics of `observations` (those of one week).
pub fn statistics(observations: &[Observation]) -> WeekStatistics {
    fn ranked(map: BTreeMap<String, usize>) -> Vec<(String, usize)> {
        let mut v: Vec<_> = map.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
    let mut dep = BTreeMap::new();
    let mut win = BTreeMap::new();
    let mut staff = BTreeMap::new();
    let mut cat = BTreeMap::new();
    for o in observations {
        *dep.entry(o.department_name.clone().unwrap_or_else(|| "（未指明部门）".into())).or_insert(0) += 1;
        *win.entry(o.window_code.clone().unwrap_or_else(|| "—".into())).or_insert(0) += 1;
        if let Some(no) = &o.staff_no {
            let name = o.staff_name.as_deref().map_or_else(|| no.clone(), |n| format!("{n}（{no}）"));
            *staff.entry(name).or_insert(0) += 1;
        }
        *cat.entry(o.category.clone()).or_insert(0) += 1;
    }
    WeekStatistics {
        total: observations.len(),
        detected: observations.iter().filter(|o| o.finding_id.is_some()).count(),
        by_department: ranked(dep),
        by_window: ranked(win),
        by_staff: ranked(staff),
        by_category: ranked(cat),
    }
}

/// A slip's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlipStatus {
    Issued,
    /// The department's signed receipt (回执) came back.
    Received,
    /// 作废: keeps its number.
    Cancelled,
}

impl SlipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SlipStatus::Issued => "issued",
            SlipStatus::Received => "received",
            SlipStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SlipStatus::Issued => "issued",
            SlipStatus::Received => "receipted",
            SlipStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SlipStatus::Issued => "已签发",
            SlipStatus::Received => "已回执",
            SlipStatus::Cancelled => "作废",
        }
    }
}

impl FromStr for SlipStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [SlipStatus::Issued, SlipStatus::Received, SlipStatus::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown slip status {s:?}"))
    }
}

/// A reminder slip (提示单) to one department for one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slip {
    pub id: i64,
    pub hall_code: String,
    pub hall_name: String,
    pub year: i32,
    pub number: u32,
    pub department_id: i64,
    pub department_name: String,
    pub week: Week,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    /// The department replies by this day.
    pub reply_due: NaiveDate,
    pub status: SlipStatus,
    pub cancel_reason: Option<String>,
    /// Who signed the receipt for the department, and when it was recorded.
    pub receipt_by: Option<String>,
    pub receipt_at: Option<DateTime<Utc>>,
    /// The findings as issued.
    pub findings: Vec<Observation>,
}

impl Slip {
    pub fn number_text(&self) -> String {
        slip_number_text(self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_parse_both_ways() {
        let w = Week::of(d("2026-11-27"));
        assert_eq!(w.monday, d("2026-11-23"));
        assert_eq!(w.sunday(), d("2026-11-29"));
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!("2026-W48".parse::<Week>().unwrap(), w);
        assert_eq!("2026-11-29".parse::<Week>().unwrap(), w);
        assert_eq!(w.previous().to_string(), "2026-W47");
        // ISO years: 2027-01-01 is a Friday of 2026-W53.
        assert_eq!(Week::of(d("2027-01-01")).to_string(), "2026-W53");
        assert!("2026-W54".parse::<Week>().is_err());
        assert!("2026/48".parse::<Week>().unwrap_err().contains("YYYY-Www"));
        assert_eq!(w.label_zh(), "2026年第48周（11月23日—11月29日）");
        assert_eq!(w.label_en(), "2026-W48 (23 Nov – 29 Nov)");
    }

    #[test]
    fn statistics_rank_most_first() {
        let o = |dep: &str, cat: &str| Observation {
            id: 0,
            observed_at: DateTime::UNIX_EPOCH,
            category: cat.into(),
            source: ObservationSource::Manual,
            camera_id: None,
            camera_name: None,
            window_code: Some("A01".into()),
            department_id: None,
            department_name: Some(dep.into()),
            staff_no: None,
            staff_name: None,
            evidence_id: None,
            evidence_path: None,
            evidence_sha256: None,
            clip: None,
            recorded_by: "s".into(),
            note: String::new(),
            finding_id: (cat == "离岗").then_some(7),
        };
        let s = statistics(&[o("税务", "离岗"), o("公积金", "吃东西"), o("税务", "吃东西")]);
        assert_eq!(s.total, 3);
        assert_eq!(s.detected, 1, "the 离岗 one came from a finding");
        assert_eq!(s.by_department, [("税务".to_owned(), 2), ("公积金".to_owned(), 1)]);
        assert_eq!(s.by_category[0], ("吃东西".to_owned(), 2));
        assert!(is_category("离岗") && !is_category("睡觉"));
        assert_eq!(slip_number_text(2026, 7), "〔2026〕第7号");
    }
}
