//! The working-day calendar and the promised-deadline computation (RULES.md "Working days", "Deadlines").
//!
//! Official data comes from `data/holiday-cn/YYYY.json` (embedded at build time; a newer file in the data
//! directory replaces the embedded one). A year whose file lists no days — or that has no file — is
//! *unknown*: the weekday rule is used, and every result that touched such a year carries it in
//! `missing_years` so that the UI, the CLI and reports can say so. Nothing here panics on a date outside
//! the data; arithmetic that would leave chrono's range returns [`CalendarError::OutOfRange`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::time;

/// A scan for the next working day gives up after this many consecutive closed days (ten years).
const MAX_CLOSED_RUN_DAYS: u32 = 3660;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {field}: {message}")]
    Field { file: String, field: String, message: String },
    #[error("no working day can be found after {0}: the date range or the closures are too large")]
    OutOfRange(NaiveDate),
}

/// Why a day is, or is not, a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday–Friday with no notice about it.
    Weekday,
    /// Saturday or Sunday with no notice about it.
    Weekend,
    /// An official day off (法定节假日, including the weekend days moved into a holiday).
    Holiday,
    /// A Saturday or Sunday the official notice makes a working day (调休上班).
    MakeUpWorkday,
    /// The hall is closed by a local decision.
    LocalClosure,
    /// The hall works by a local decision on a day that would otherwise be off.
    LocalWorkday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, Self::Weekday | Self::MakeUpWorkday | Self::LocalWorkday)
    }
}

/// One day of the calendar with the reason for its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday's or the local decision's name (`国庆节`, `大厅停电检修`).
    pub name: Option<String>,
}

/// A local decision that overrides the official calendar for one date (a setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LocalOverride {
    pub date: NaiveDate,
    pub working: bool,
    pub note: String,
}

/// A value computed over the calendar, with the years whose holiday data was missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reckoned<T> {
    pub value: T,
    pub missing_years: BTreeSet<i32>,
}

/// The warning shown wherever a computation touched a year without data.
pub fn missing_years_warning(years: &BTreeSet<i32>) -> Option<String> {
    if years.is_empty() {
        return None;
    }
    let list: Vec<String> = years.iter().map(i32::to_string).collect();
    Some(format!(
        "{} 年节假日数据缺失，按周一至周五计算 ({} holiday data missing; weekdays assumed)",
        list.join("、"),
        list.join(", ")
    ))
}

/// One day of a year's official schedule: a holiday's day off, or a make-up working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScheduleDay {
    /// The holiday's name (`春节`).
    pub name: String,
    pub date: NaiveDate,
    /// A day off (true) or a make-up working day (false).
    pub off: bool,
}

/// A year's holidays and make-up working days as the State Council's notice gives them (国务院办公厅
/// 关于YYYY年部分节假日安排的通知), entered in 系统管理 → 工作日历 or imported from a file in the
/// built-in format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice it follows (its number or address).
    pub notice: String,
    /// In date order.
    pub days: Vec<ScheduleDay>,
}

/// One holiday of a schedule: its days off and its make-up working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: String,
    pub off: Vec<NaiveDate>,
    pub make_up: Vec<NaiveDate>,
}

impl YearSchedule {
    /// The schedule in a `holiday-cn` year file (the built-in format). `file` names it in errors.
    pub fn from_year_file(file: &str, content: &str) -> Result<Self, CalendarError> {
        let parsed: YearFile = serde_json::from_str(content).map_err(|err| CalendarError::Parse {
            file: file.to_owned(),
            message: format!("line {}, column {}: {err}", err.line(), err.column()),
        })?;
        let mut days = Vec::with_capacity(parsed.days.len());
        for (index, day) in parsed.days.iter().enumerate() {
            let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").map_err(|err| CalendarError::Field {
                file: file.to_owned(),
                field: format!("days[{index}].date"),
                message: format!("{:?} is not a date: {err}", day.date),
            })?;
            days.push(ScheduleDay { name: day.name.clone(), date, off: day.is_off_day });
        }
        days.sort_by_key(|d| d.date);
        Ok(Self { year: parsed.year, notice: parsed.papers.join(" "), days })
    }

    /// The schedule as a `holiday-cn` year file.
    pub fn to_year_file(&self) -> String {
        let days: Vec<serde_json::Value> = self
            .days
            .iter()
            .map(|d| serde_json::json!({ "name": d.name, "date": d.date.to_string(), "isOffDay": d.off }))
            .collect();
        let papers: Vec<&str> = self.notice.split_whitespace().collect();
        let file = serde_json::json!({ "year": self.year, "papers": papers, "days": days });
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Checks what a person or a file entered; the error names the field (`days[3].date`) and says what
    /// is wrong, in Chinese and English. A notice reaches into the neighbouring months only (2007's New
    /// Year began on 2006-12-30): every day lies between 1 December before and 31 January after.
    pub fn check(&self) -> Result<(), (String, String)> {
        if !(1990..=2100).contains(&self.year) {
            return Err(("year".into(), format!("{} 不在 1990–2100 之间 (outside 1990–2100)", self.year)));
        }
        if self.notice.chars().count() > 300 || self.notice.chars().any(char::is_control) {
            return Err(("notice".into(), "通知文号或地址过长或含控制字符 (too long, or control characters)".into()));
        }
        if self.days.is_empty() || self.days.len() > 80 {
            return Err(("days".into(), format!("{} 天：应为 1–80 天 (1–80 days)", self.days.len())));
        }
        let first = NaiveDate::from_ymd_opt(self.year - 1, 12, 1).unwrap_or(NaiveDate::MIN);
        let last = NaiveDate::from_ymd_opt(self.year + 1, 1, 31).unwrap_or(NaiveDate::MAX);
        let mut seen = BTreeSet::new();
        for (i, d) in self.days.iter().enumerate() {
            let field = |f: &str| format!("days[{i}].{f}");
            let name = d.name.trim();
            if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
                return Err((field("name"), "节日名称应为 1–40 个字 (a name of 1–40 characters)".into()));
            }
            if !(first..=last).contains(&d.date) {
                return Err((
                    field("date"),
                    format!("{} 不在 {first} 至 {last} 之间 (outside the year's notice)", d.date),
                ));
            }
            if !seen.insert(d.date) {
                return Err((field("date"), format!("{} 重复 (listed twice)", d.date)));
            }
        }
        Ok(())
    }

    /// The holidays, in the order of their first day.
    pub fn holidays(&self) -> Vec<Holiday> {
        let mut out: Vec<Holiday> = Vec::new();
        let mut days = self.days.clone();
        days.sort_by_key(|d| d.date);
        for d in days {
            let at = match out.iter().position(|h| h.name == d.name) {
                Some(i) => i,
                None => {
                    out.push(Holiday { name: d.name.clone(), off: Vec::new(), make_up: Vec::new() });
                    out.len() - 1
                }
            };
            if d.off { out[at].off.push(d.date) } else { out[at].make_up.push(d.date) }
        }
        out.sort_by_key(|h| h.off.first().or(h.make_up.first()).copied());
        out
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct YearFile {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<YearFileDay>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct YearFileDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

#[derive(Debug, Clone)]
struct OfficialDay {
    off: bool,
    name: String,
    /// The year of the notice (file) that lists the day.
    notice_year: i32,
}

/// The working-day calendar: official notices plus local overrides.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    official: BTreeMap<NaiveDate, OfficialDay>,
    /// Years with published data, with the notices (URLs) they come from.
    known_years: BTreeMap<i32, Vec<String>>,
    overrides: BTreeMap<NaiveDate, LocalOverride>,
    /// Precomputed ranks of working days, rebuilt after every change; `None` until built.
    index: Option<Arc<DenseIndex>>,
}

/// First and last day covered by the dense index; outside it the calendar scans day by day.
const INDEX_FIRST: (i32, u32, u32) = (1990, 1, 1);
const INDEX_YEARS: i32 = 111;

/// Working days as prefix counts over a dense range of days, so that adding or counting working days
/// is O(1): `rank[i]` is the number of working days among the first `i` days, `working` lists the
/// working days' positions.
#[derive(Debug)]
struct DenseIndex {
    first: NaiveDate,
    rank: Vec<u32>,
    working: Vec<u32>,
    first_year: i32,
    /// Per year from `first_year`: is its holiday data known?
    known: Vec<bool>,
}

impl DenseIndex {
    fn build(calendar: &Calendar) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(INDEX_FIRST.0, INDEX_FIRST.1, INDEX_FIRST.2)?;
        let end = NaiveDate::from_ymd_opt(INDEX_FIRST.0 + INDEX_YEARS, 1, 1)?;
        let days = usize::try_from((end - first).num_days()).ok()?;
        let mut rank = Vec::with_capacity(days + 1);
        let mut working = Vec::with_capacity(days * 5 / 7 + 16);
        rank.push(0);
        let mut date = first;
        for i in 0..days {
            if calendar.is_working_day(date) {
                working.push(u32::try_from(i).ok()?);
            }
            rank.push(u32::try_from(working.len()).ok()?);
            date = date.succ_opt()?;
        }
        let known = (0..INDEX_YEARS).map(|y| calendar.is_year_known(INDEX_FIRST.0 + y)).collect();
        Some(Self { first, rank, working, first_year: INDEX_FIRST.0, known })
    }

    fn position(&self, date: NaiveDate) -> Option<usize> {
        let offset = (date - self.first).num_days();
        usize::try_from(offset).ok().filter(|i| *i + 1 < self.rank.len())
    }

    fn date(&self, position: u32) -> Option<NaiveDate> {
        self.first.checked_add_days(chrono::Days::new(u64::from(position)))
    }

    /// The `n`-th working day after `start` (n ≥ 1), if inside the index.
    fn add(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let i = self.position(start)?;
        let target = usize::try_from(self.rank[i + 1]).ok()? + usize::try_from(n).ok()? - 1;
        self.date(*self.working.get(target)?)
    }

    fn previous(&self, date: NaiveDate) -> Option<NaiveDate> {
        let i = self.position(date)?;
        let before = usize::try_from(self.rank[i]).ok()?.checked_sub(1)?;
        self.date(self.working[before])
    }

    /// Working days `d` with `from ≤ d < until`, if both are inside the index.
    fn count(&self, from: NaiveDate, until: NaiveDate) -> Option<u32> {
        if until <= from {
            return Some(0);
        }
        let a = self.position(from)?;
        let b = self.position(until)?;
        Some(self.rank[b] - self.rank[a])
    }

    /// Whether any year from `from` to `to` (inclusive) lacks data.
    fn touches_unknown(&self, from: NaiveDate, to: NaiveDate) -> Option<bool> {
        let (a, b) = (from.year().min(to.year()), from.year().max(to.year()));
        let mut unknown = false;
        for year in a..=b {
            let k = usize::try_from(year - self.first_year).ok()?;
            unknown |= !*self.known.get(k)?;
        }
        Some(unknown)
    }
}

/// The essentials of a deadline, computed without allocating (the alert engine's path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineDay {
    pub base_day: NaiveDate,
    pub day: NaiveDate,
    pub prompt_from: NaiveDate,
    pub extension_days: u32,
    pub suspended_since: Option<NaiveDate>,
    /// Some day in the computation lies in a year without holiday data.
    pub missing_data: bool,
}

macro_rules! embedded_years {
    ($($year:literal),* $(,)?) => {
        &[$((concat!("data/holiday-cn/", $year, ".json"),
             include_str!(concat!("../../data/holiday-cn/", $year, ".json")))),*]
    };
}

/// The official data shipped with the program.
const EMBEDDED: &[(&str, &str)] = embedded_years!(
    "2007", "2008", "2009", "2010", "2011", "2012", "2013", "2014", "2015", "2016", "2017", "2018", "2019", "2020",
    "2021", "2022", "2023", "2024", "2025", "2026", "2027",
);

impl Calendar {
    /// The calendar from the official data embedded in the program.
    pub fn official() -> Self {
        let mut calendar = Self::default();
        for (name, content) in EMBEDDED {
            // The embedded files are checked by a test; a bad one would only make its year unknown.
            if let Err(err) = calendar.merge_year_file(name, content) {
                debug_assert!(false, "embedded holiday data is invalid: {err}");
            }
        }
        calendar.rebuild_index();
        calendar
    }

    fn rebuild_index(&mut self) {
        self.index = None;
        self.index = DenseIndex::build(self).map(Arc::new);
    }

    /// Adds (or replaces) one year from a `holiday-cn` JSON file. `file` names it in errors.
    /// Nothing is changed when the file has an error.
    pub fn add_year_file(&mut self, file: &str, content: &str) -> Result<(), CalendarError> {
        self.merge_year_file(file, content)?;
        self.rebuild_index();
        Ok(())
    }

    /// Replaces a year's official days with a schedule entered or imported (checked by the caller).
    pub fn set_year(&mut self, schedule: &YearSchedule) {
        let year = schedule.year;
        self.official.retain(|_, day| day.notice_year != year);
        self.known_years.remove(&year);
        if !schedule.days.is_empty() {
            for d in &schedule.days {
                self.official.insert(d.date, OfficialDay { off: d.off, name: d.name.clone(), notice_year: year });
            }
            let papers = if schedule.notice.trim().is_empty() { Vec::new() } else { vec![schedule.notice.clone()] };
            self.known_years.insert(year, papers);
        }
        self.rebuild_index();
    }

    /// A known year's schedule as the calendar holds it; none for a year without data.
    pub fn year_schedule(&self, year: i32) -> Option<YearSchedule> {
        let papers = self.known_years.get(&year)?;
        let days = self
            .official
            .iter()
            .filter(|(_, d)| d.notice_year == year)
            .map(|(date, d)| ScheduleDay { name: d.name.clone(), date: *date, off: d.off })
            .collect();
        Some(YearSchedule { year, notice: papers.join(" "), days })
    }

    fn merge_year_file(&mut self, file: &str, content: &str) -> Result<(), CalendarError> {
        let parsed: YearFile = serde_json::from_str(content).map_err(|err| CalendarError::Parse {
            file: file.to_owned(),
            message: format!("line {}, column {}: {err}", err.line(), err.column()),
        })?;
        let mut days = BTreeMap::new();
        for (index, day) in parsed.days.iter().enumerate() {
            let field = || format!("days[{index}].date");
            let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").map_err(|err| CalendarError::Field {
                file: file.to_owned(),
                field: field(),
                message: format!("{:?} is not a date: {err}", day.date),
            })?;
            // A notice may reach into the neighbouring years (2007's New Year starts on 2006-12-30).
            if (date.year() - parsed.year).abs() > 1 {
                return Err(CalendarError::Field {
                    file: file.to_owned(),
                    field: field(),
                    message: format!("{date} is too far from the file's year {}", parsed.year),
                });
            }
            let official = OfficialDay { off: day.is_off_day, name: day.name.clone(), notice_year: parsed.year };
            days.insert(date, official);
        }
        self.official.retain(|_, day| day.notice_year != parsed.year);
        self.known_years.remove(&parsed.year);
        if !days.is_empty() {
            self.official.extend(days);
            self.known_years.insert(parsed.year, parsed.papers);
        }
        Ok(())
    }

    /// Replaces the local overrides.
    pub fn with_overrides(mut self, overrides: impl IntoIterator<Item = LocalOverride>) -> Self {
        self.overrides = overrides.into_iter().map(|o| (o.date, o)).collect();
        self.rebuild_index();
        self
    }

    pub fn overrides(&self) -> impl Iterator<Item = &LocalOverride> {
        self.overrides.values()
    }

    /// Years with published data, ascending.
    pub fn known_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.known_years.keys().copied()
    }

    /// The official notices a known year's data comes from.
    pub fn papers(&self, year: i32) -> &[String] {
        self.known_years.get(&year).map_or(&[], Vec::as_slice)
    }

    pub fn is_year_known(&self, year: i32) -> bool {
        self.known_years.contains_key(&year)
    }

    /// What kind of day `date` is.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        if let Some(o) = self.overrides.get(&date) {
            let kind = if o.working { DayKind::LocalWorkday } else { DayKind::LocalClosure };
            return DayInfo { date, kind, name: Some(o.note.clone()) };
        }
        if let Some(official) = self.official.get(&date) {
            let kind = if official.off {
                DayKind::Holiday
            } else if is_weekend(date) {
                DayKind::MakeUpWorkday
            } else {
                // A notice that lists a weekday as a working day changes nothing.
                DayKind::Weekday
            };
            return DayInfo { date, kind, name: Some(official.name.clone()) };
        }
        let kind = if is_weekend(date) { DayKind::Weekend } else { DayKind::Weekday };
        DayInfo { date, kind, name: None }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).kind.is_working()
    }

    fn note_year(&self, date: NaiveDate, missing: &mut BTreeSet<i32>) {
        // Local overrides decide a day on their own, but the year is still reported as unknown:
        // the days around the override depend on the missing notice.
        if !self.is_year_known(date.year()) {
            missing.insert(date.year());
        }
    }

    /// The years without data from `from` to `to` (inclusive).
    fn missing_between(&self, from: NaiveDate, to: NaiveDate) -> BTreeSet<i32> {
        let (a, b) = (from.year().min(to.year()), from.year().max(to.year()));
        (a..=b).filter(|y| !self.is_year_known(*y)).collect()
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<Reckoned<NaiveDate>, CalendarError> {
        self.add_working_days(date, 1)
    }

    /// The last working day strictly before `date`.
    pub fn previous_working_day(&self, date: NaiveDate) -> Result<Reckoned<NaiveDate>, CalendarError> {
        if let Some(value) = self.index.as_ref().and_then(|i| i.previous(date)) {
            let start = date.pred_opt().unwrap_or(date);
            return Ok(Reckoned { value, missing_years: self.missing_between(value, start) });
        }
        let mut missing = BTreeSet::new();
        let value = self.step_working(date, false, &mut missing)?;
        Ok(Reckoned { value, missing_years: missing })
    }

    fn step_working(
        &self,
        from: NaiveDate,
        forward: bool,
        missing: &mut BTreeSet<i32>,
    ) -> Result<NaiveDate, CalendarError> {
        let mut date = from;
        for _ in 0..MAX_CLOSED_RUN_DAYS {
            let step = if forward { date.succ_opt() } else { date.pred_opt() };
            date = step.ok_or(CalendarError::OutOfRange(from))?;
            self.note_year(date, missing);
            if self.is_working_day(date) {
                return Ok(date);
            }
        }
        Err(CalendarError::OutOfRange(from))
    }

    /// The `n`-th working day counted from the day after `start` (`n = 0` gives `start`), with the
    /// working days counted and the non-working days passed over.
    pub fn count_forward(&self, start: NaiveDate, n: u32) -> Result<Counting, CalendarError> {
        let mut missing = BTreeSet::new();
        let mut counted = Vec::with_capacity(n as usize);
        let mut skipped = Vec::new();
        let mut date = start;
        while (counted.len() as u64) < u64::from(n) {
            let next = self.step_working(date, true, &mut missing)?;
            let mut between = date.succ_opt().ok_or(CalendarError::OutOfRange(date))?;
            while between < next {
                skipped.push(self.day(between));
                between = between.succ_opt().ok_or(CalendarError::OutOfRange(between))?;
            }
            counted.push(next);
            date = next;
        }
        Ok(Counting { end: date, counted, skipped, missing_years: missing })
    }

    /// The `n`-th working day after `start` (`n = 0` gives `start`).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<Reckoned<NaiveDate>, CalendarError> {
        if n == 0 {
            return Ok(Reckoned { value: start, missing_years: BTreeSet::new() });
        }
        if let Some(value) = self.index.as_ref().and_then(|i| i.add(start, n)) {
            let first = start.succ_opt().unwrap_or(start);
            return Ok(Reckoned { value, missing_years: self.missing_between(first, value) });
        }
        let counting = self.count_forward(start, n)?;
        Ok(Reckoned { value: counting.end, missing_years: counting.missing_years })
    }

    /// Like [`Self::add_working_days`] without the missing-year report (no allocation).
    pub fn add_working_days_fast(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return Some(start);
        }
        match self.index.as_ref().and_then(|i| i.add(start, n)) {
            Some(day) => Some(day),
            None => self.count_forward(start, n).ok().map(|c| c.end),
        }
    }

    /// The number of working days `d` with `from ≤ d < until` (no allocation).
    pub fn working_day_count(&self, from: NaiveDate, until: NaiveDate) -> u32 {
        match self.index.as_ref().and_then(|i| i.count(from, until)) {
            Some(n) => n,
            None => self.count_working_days_by_scan(from, until),
        }
    }

    fn count_working_days_by_scan(&self, from: NaiveDate, until: NaiveDate) -> u32 {
        let mut n = 0u32;
        let mut date = from;
        while date < until {
            n += u32::from(self.is_working_day(date));
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        n
    }

    /// Whether a computation over `from ..= to` touches a year without data.
    pub fn touches_missing_year(&self, from: NaiveDate, to: NaiveDate) -> bool {
        match self.index.as_ref().and_then(|i| i.touches_unknown(from, to)) {
            Some(b) => b,
            None => !self.missing_between(from, to).is_empty(),
        }
    }

    /// The working days `d` with `from ≤ d < until`.
    pub fn working_days_between(&self, from: NaiveDate, until: NaiveDate) -> Reckoned<Vec<NaiveDate>> {
        let mut missing = BTreeSet::new();
        let mut days = Vec::new();
        let mut date = from;
        while date < until {
            self.note_year(date, &mut missing);
            if self.is_working_day(date) {
                days.push(date);
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        Reckoned { value: days, missing_years: missing }
    }

    /// The number of working days `d` with `from ≤ d < until`.
    pub fn count_working_days(&self, from: NaiveDate, until: NaiveDate) -> Reckoned<u32> {
        let value = self.working_day_count(from, until);
        let missing_years = match until.pred_opt() {
            Some(last) if from < until => self.missing_between(from, last),
            _ => BTreeSet::new(),
        };
        Reckoned { value, missing_years }
    }

    /// The deadline day D, the prompt day and the extension, without the explanation lists: the alert
    /// engine's path. `suspensions` in any order; overlaps count once. `None` only at the edges of
    /// chrono's range.
    pub fn deadline_day(
        &self,
        accepted_on: NaiveDate,
        promised_days: u32,
        suspensions: &[Suspension],
    ) -> Option<DeadlineDay> {
        let base_day = self.add_working_days_fast(accepted_on, promised_days)?;
        let mut extension_days = 0u32;
        let mut suspended_since: Option<NaiveDate> = None;
        let mut last_end: Option<NaiveDate> = None;
        // The days the computation looks at: from the day after acceptance (or the prompt day, if earlier)
        // to D, and every stopped day. Kept in step with `deadline` (a property test compares them).
        let mut lowest = accepted_on.succ_opt().unwrap_or(accepted_on);
        let mut highest = base_day;
        let sorted = suspensions.windows(2).all(|w| w[0].start <= w[1].start);
        let mut owned;
        let list: &[Suspension] = if sorted {
            suspensions
        } else {
            owned = suspensions.to_vec();
            owned.sort_by_key(|s| s.start);
            &owned
        };
        for s in list {
            match s.end {
                None => suspended_since = Some(suspended_since.map_or(s.start, |x| x.min(s.start))),
                Some(end) if end > s.start => {
                    // Merge with what is already counted: only days after the last counted end.
                    let from = last_end.map_or(s.start, |e| e.max(s.start));
                    if end > from {
                        extension_days += self.working_day_count(from, end);
                        last_end = Some(end);
                    }
                    lowest = lowest.min(s.start);
                    highest = highest.max(end.pred_opt().unwrap_or(end));
                }
                Some(_) => {}
            }
        }
        let day = self.add_working_days_fast(base_day, extension_days)?;
        let prompt_from = match self.index.as_ref().and_then(|i| i.previous(day)) {
            Some(p) => p,
            None => self.previous_working_day(day).ok()?.value,
        };
        let missing_data = self.touches_missing_year(lowest.min(prompt_from), highest.max(day));
        Some(DeadlineDay { base_day, day, prompt_from, extension_days, suspended_since, missing_data })
    }

    /// The promised deadline of a case accepted on `accepted_on` with `promised_days` working days,
    /// stopped by `suspensions` (RULES.md "Deadlines").
    pub fn deadline(
        &self,
        accepted_on: NaiveDate,
        promised_days: u32,
        suspensions: &[Suspension],
    ) -> Result<Deadline, CalendarError> {
        let counting = self.count_forward(accepted_on, promised_days)?;
        let mut missing = counting.missing_years.clone();
        let base_day = counting.end;

        let mut effects = Vec::with_capacity(suspensions.len());
        let mut closed_days = BTreeSet::new();
        let mut suspended_since = None;
        for suspension in suspensions {
            match suspension.end {
                Some(end) => {
                    let days = self.working_days_between(suspension.start, end);
                    missing.extend(days.missing_years);
                    closed_days.extend(days.value.iter().copied());
                    effects.push(SuspensionEffect { suspension: suspension.clone(), working_days: days.value });
                }
                None => {
                    suspended_since =
                        Some(suspended_since.map_or(suspension.start, |s: NaiveDate| s.min(suspension.start)));
                    effects.push(SuspensionEffect { suspension: suspension.clone(), working_days: Vec::new() });
                }
            }
        }
        let extension_days = u32::try_from(closed_days.len()).unwrap_or(u32::MAX);
        let extended = self.add_working_days(base_day, extension_days)?;
        missing.extend(extended.missing_years);
        let day = extended.value;
        let prompt_from = self.previous_working_day(day)?;
        missing.extend(prompt_from.missing_years);
        // D itself: its year decides whether D could be a holiday nobody has announced yet.
        missing.extend(self.missing_between(day, day));

        Ok(Deadline {
            accepted_on,
            promised_days,
            counted: counting.counted,
            skipped: counting.skipped,
            base_day,
            suspensions: effects,
            extension_days,
            day,
            prompt_from: prompt_from.value,
            suspended_since,
            missing_years: missing,
        })
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The result of counting working days forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counting {
    /// The last day counted (the start when nothing was counted).
    pub end: NaiveDate,
    pub counted: Vec<NaiveDate>,
    pub skipped: Vec<DayInfo>,
    pub missing_years: BTreeSet<i32>,
}

/// Why a case's clock stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuspensionKind {
    /// Waiting for supplementary material (补正: `supplement_request` → `supplement_received`).
    Supplement,
    /// A special procedure (特别程序: `suspend` → `resume`).
    SpecialProcedure,
}

/// An interval during which a case's promised limit stops: from `start` to `end` (exclusive; open when
/// `None`), as local dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Suspension {
    pub kind: SuspensionKind,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// One suspension and the working days it stopped the clock for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SuspensionEffect {
    pub suspension: Suspension,
    /// Working days `d` with `start ≤ d < end`; empty while the suspension is open.
    pub working_days: Vec<NaiveDate>,
}

/// A case's promised deadline with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Deadline {
    pub accepted_on: NaiveDate,
    pub promised_days: u32,
    /// The working days counted toward the limit, from the day after acceptance.
    pub counted: Vec<NaiveDate>,
    /// Non-working days passed over while counting (weekends, holidays, local closures).
    pub skipped: Vec<DayInfo>,
    /// The deadline day before any suspension.
    pub base_day: NaiveDate,
    pub suspensions: Vec<SuspensionEffect>,
    /// Distinct working days stopped by closed suspensions (overlaps counted once).
    pub extension_days: u32,
    /// The deadline day D: the case is in time if completed before D ends (24:00 local).
    pub day: NaiveDate,
    /// The working day before D, from whose start the yellow prompt shows.
    pub prompt_from: NaiveDate,
    /// The start of a suspension that has not ended: the case cannot become overdue meanwhile.
    pub suspended_since: Option<NaiveDate>,
    pub missing_years: BTreeSet<i32>,
}

/// Where a case stands against its deadline at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not completed, before the prompt day.
    Running,
    /// Not completed, on or after the start of the working day before D, D not ended (临期).
    DueSoon,
    /// Not completed and D has ended; `working_days_late` working days have ended since D.
    Overdue {
        working_days_late: u32,
    },
    /// A suspension is open (暂停).
    Suspended,
    CompletedInTime,
    CompletedLate,
}

impl Deadline {
    /// The instant D ends (the start of the next day, local).
    pub fn ends_at(&self) -> DateTime<Utc> {
        time::end_of_day(self.day)
    }

    /// The instant the yellow prompt begins.
    pub fn prompt_at(&self) -> DateTime<Utc> {
        time::start_of_day(self.prompt_from)
    }

    /// The state at `now`, for a case completed at `completed_at` (if it is).
    pub fn state(&self, calendar: &Calendar, now: DateTime<Utc>, completed_at: Option<DateTime<Utc>>) -> DeadlineState {
        if let Some(done) = completed_at {
            return if done < self.ends_at() { DeadlineState::CompletedInTime } else { DeadlineState::CompletedLate };
        }
        if self.suspended_since.is_some() {
            return DeadlineState::Suspended;
        }
        if now >= self.ends_at() {
            let today = time::local_date(now);
            let after = self.day.succ_opt().unwrap_or(self.day);
            let late = calendar.count_working_days(after, today).value;
            return DeadlineState::Overdue { working_days_late: late };
        }
        if now >= self.prompt_at() { DeadlineState::DueSoon } else { DeadlineState::Running }
    }

    /// A one-paragraph explanation in Chinese of how D was computed.
    pub fn explain_zh(&self) -> String {
        let mut text = format!("{} 受理，承诺 {} 个工作日，自受理次日起算", self.accepted_on, self.promised_days);
        if self.promised_days == 0 {
            text.push_str("（即办件，期限为受理当日）");
        }
        if !self.skipped.is_empty() {
            let holidays: Vec<String> = self
                .skipped
                .iter()
                .filter(|d| d.kind != DayKind::Weekend)
                .map(|d| {
                    format!(
                        "{}{}",
                        d.date.format("%m-%d"),
                        d.name.as_deref().map(|n| format!("({n})")).unwrap_or_default()
                    )
                })
                .collect();
            let weekends = self.skipped.iter().filter(|d| d.kind == DayKind::Weekend).count();
            text.push_str(&format!("；跳过周末 {weekends} 天"));
            if !holidays.is_empty() {
                text.push_str(&format!("、节假日/闭厅 {} 天：{}", holidays.len(), holidays.join("、")));
            }
        }
        let makeups: Vec<String> = self
            .counted
            .iter()
            .filter(|d| {
                !matches!(d.weekday(), Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu | Weekday::Fri)
            })
            .map(|d| d.format("%m-%d").to_string())
            .collect();
        if !makeups.is_empty() {
            text.push_str(&format!("；计入调休上班日 {}", makeups.join("、")));
        }
        text.push_str(&format!("；原定期限 {}", self.base_day));
        if self.extension_days > 0 {
            text.push_str(&format!("；暂停 {} 个工作日，顺延至 {}", self.extension_days, self.day));
        }
        if let Some(since) = self.suspended_since {
            text.push_str(&format!("；自 {since} 起暂停中，恢复后顺延"));
        }
        if let Some(warning) = missing_years_warning(&self.missing_years) {
            text.push_str(&format!("；注意：{warning}"));
        }
        text.push('。');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn embedded_files_all_parse() {
        for (name, content) in EMBEDDED {
            let mut c = Calendar::default();
            c.add_year_file(name, content).unwrap_or_else(|e| panic!("{e}"));
        }
        let c = Calendar::official();
        assert!(c.is_year_known(2007));
        assert!(c.is_year_known(2026));
        assert!(!c.is_year_known(2027), "2027 has no published days yet");
        assert_eq!(c.papers(2026).len(), 1);
    }

    /// A 2027 schedule for tests (not the State Council's: that is entered by a hall when published):
    /// 春节 off Sat 6 – Sun 14 Feb, a make-up working day on Sat 20 Feb.
    pub(crate) fn spring_2027() -> YearSchedule {
        let mut days: Vec<ScheduleDay> = (6..=14)
            .map(|day| ScheduleDay { name: "春节".into(), date: d(&format!("2027-02-{day:02}")), off: true })
            .collect();
        days.push(ScheduleDay { name: "春节".into(), date: d("2027-02-20"), off: false });
        days.push(ScheduleDay { name: "元旦".into(), date: d("2027-01-01"), off: true });
        YearSchedule { year: 2027, notice: "国办发明电〔2026〕1号".into(), days }
    }

    #[test]
    fn a_year_entered_moves_a_deadline_across_its_spring_festival() {
        let mut c = Calendar::official();
        // Accepted Thu 4 Feb 2027, 5 working days, counted from the next day. Weekdays assumed: Fri 5,
        // Mon 8, Tue 9, Wed 10, Thu 11. With the schedule: Fri 5, then Mon 15, Tue 16, Wed 17, Thu 18.
        let before = c.add_working_days(d("2027-02-04"), 5).unwrap();
        assert_eq!((before.value, before.missing_years.contains(&2027)), (d("2027-02-11"), true));
        let schedule = spring_2027();
        schedule.check().unwrap();
        c.set_year(&schedule);
        let after = c.add_working_days(d("2027-02-04"), 5).unwrap();
        assert_eq!((after.value, after.missing_years.is_empty()), (d("2027-02-18"), true));
        assert_eq!(c.day(d("2027-02-20")).kind, DayKind::MakeUpWorkday);
        assert!(c.is_year_known(2027) && c.papers(2027) == ["国办发明电〔2026〕1号"]);
        // What the calendar holds comes back as entered; the file format round-trips.
        let held = c.year_schedule(2027).unwrap();
        assert_eq!(held.days.len(), 11);
        let holidays = held.holidays();
        assert_eq!(holidays.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["元旦", "春节"]);
        assert_eq!((holidays[1].off.len(), holidays[1].make_up.clone()), (9, vec![d("2027-02-20")]));
        let again = YearSchedule::from_year_file("2027.json", &held.to_year_file()).unwrap();
        assert_eq!(again, held);
        // Entering a year again replaces it: no day of the first entry is left behind.
        c.set_year(&YearSchedule { days: vec![schedule.days[10].clone()], ..schedule });
        assert_eq!(c.day(d("2027-02-08")).kind, DayKind::Weekday);
    }

    #[test]
    fn a_schedule_entered_is_checked_field_by_field() {
        // Every year of the official data passes the check a hall's entry must pass.
        let c = Calendar::official();
        for year in c.known_years().collect::<Vec<_>>() {
            c.year_schedule(year).unwrap().check().unwrap_or_else(|e| panic!("{year}: {e:?}"));
        }
        let good = spring_2027();
        let field = |s: YearSchedule| s.check().unwrap_err().0;
        let mut s = good.clone();
        s.days[3].date = d("2027-02-06");
        assert_eq!(field(s), "days[3].date", "listed twice");
        let mut s = good.clone();
        s.days[0].date = d("2028-03-01");
        assert_eq!(field(s), "days[0].date", "outside the notice's months");
        let mut s = good.clone();
        s.days[1].name = " ".into();
        assert_eq!(field(s), "days[1].name");
        assert_eq!(field(YearSchedule { days: vec![], ..good.clone() }), "days");
        assert_eq!(field(YearSchedule { year: 2101, ..good.clone() }), "year");
        assert_eq!(field(YearSchedule { notice: "a\u{7}".into(), ..good }), "notice");
    }

    #[test]
    fn bad_file_names_field_and_changes_nothing() {
        let mut c = Calendar::official();
        let bad = r#"{"year":2026,"papers":[],"days":[{"name":"x","date":"2026-13-01","isOffDay":true}]}"#;
        let err = c.add_year_file("holiday-cn/2026.json", bad).unwrap_err();
        assert_eq!(err.to_string().split(':').take(2).collect::<Vec<_>>(), ["holiday-cn/2026.json", " days[0].date"]);
        assert!(c.is_year_known(2026));
        let wrong_year = r#"{"year":2026,"papers":[],"days":[{"name":"x","date":"2024-01-01","isOffDay":true}]}"#;
        assert!(matches!(c.add_year_file("f.json", wrong_year), Err(CalendarError::Field { .. })));
        let not_json = "{\"year\": 2026,\n  \"days\": [";
        let err = c.add_year_file("g.json", not_json).unwrap_err();
        assert!(err.to_string().starts_with("g.json: line 2"), "{err}");
    }

    #[test]
    fn notices_reach_into_the_previous_year() {
        let c = Calendar::official();
        // 2007's New Year holiday: 2006-12-30 (Saturday) and 2006-12-31 (Sunday) were make-up workdays.
        assert_eq!(c.day(d("2006-12-30")).kind, DayKind::MakeUpWorkday);
        assert!(!c.is_year_known(2006));
    }

    #[test]
    fn replacing_a_year_makes_it_known() {
        let mut c = Calendar::official();
        let y2027 = r#"{"year":2027,"papers":["https://example.invalid/2027"],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#;
        c.add_year_file("2027.json", y2027).unwrap();
        assert!(c.is_year_known(2027));
        assert_eq!(c.day(d("2027-01-01")).kind, DayKind::Holiday);
    }

    #[test]
    fn local_overrides_win() {
        let c = Calendar::official().with_overrides([
            LocalOverride { date: d("2026-11-30"), working: false, note: "大厅停电检修".into() },
            LocalOverride { date: d("2026-11-29"), working: true, note: "集中办理日".into() },
        ]);
        assert_eq!(c.day(d("2026-11-30")).kind, DayKind::LocalClosure);
        assert_eq!(c.day(d("2026-11-29")).kind, DayKind::LocalWorkday);
        assert_eq!(c.next_working_day(d("2026-11-28")).unwrap().value, d("2026-11-29"));
        assert_eq!(c.next_working_day(d("2026-11-29")).unwrap().value, d("2026-12-01"));
    }

    #[test]
    fn never_panics_at_the_edges_of_chrono() {
        let c = Calendar::official();
        assert!(matches!(c.next_working_day(NaiveDate::MAX), Err(CalendarError::OutOfRange(_))));
        assert!(c.previous_working_day(NaiveDate::MIN).is_err());
        assert!(c.add_working_days(NaiveDate::MAX, 3).is_err());
        assert!(c.deadline(NaiveDate::MAX, 1, &[]).is_err());
        let far = c.add_working_days(d("1900-01-01"), 5).unwrap();
        assert!(far.missing_years.contains(&1900));
        // A closure of eleven years inside the index: the next working day is the first after it.
        let closed = Calendar::default().with_overrides((0..4000).map(|i| LocalOverride {
            date: d("2030-01-01") + chrono::Days::new(i),
            working: false,
            note: "closed".into(),
        }));
        let next = closed.next_working_day(d("2029-12-31")).unwrap().value;
        assert!(next >= d("2030-01-01") + chrono::Days::new(4000));
        // Beyond the index the scan gives up after ten closed years instead of running to the end of time.
        let closed = Calendar::default().with_overrides((0..4000).map(|i| LocalOverride {
            date: d("2200-01-01") + chrono::Days::new(i),
            working: false,
            note: "closed".into(),
        }));
        assert!(matches!(closed.next_working_day(d("2199-12-31")), Err(CalendarError::OutOfRange(_))));
    }
}
