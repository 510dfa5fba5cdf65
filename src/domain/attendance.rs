//! Attendance (RULES.md "Attendance"): the status of each half-day from the punches that decided it,
//! biweekly periods, and the rankings with shared ranks and the 约谈 (interview) list.
//!
//! Pure: punches, leave, the calendar and the settings in; statuses and rankings out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::model::{Leave, LeaveKind};

/// Working hours of a half-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Hours {
    pub fn midpoint(&self) -> NaiveTime {
        let half = (self.end - self.start) / 2;
        self.start + half
    }
}

/// A day's schedule; seasonal variants apply between two month-days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Schedule {
    pub name: String,
    /// The hall it applies to; `None` for every hall.
    pub hall: Option<String>,
    /// `MM-DD`, inclusive; both absent for the default schedule.
    pub from: Option<(u32, u32)>,
    pub to: Option<(u32, u32)>,
    pub morning: Hours,
    pub afternoon: Hours,
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl Schedule {
    /// The default: 08:30–11:30 and 13:00–17:00.
    pub fn standard() -> Self {
        Self {
            name: "标准作息".into(),
            hall: None,
            from: None,
            to: None,
            morning: Hours { start: t(8, 30), end: t(11, 30) },
            afternoon: Hours { start: t(13, 0), end: t(17, 0) },
        }
    }

    /// When the opening period (morning or afternoon) that `at` lies in began, on a working day of
    /// `calendar`; `None` outside opening hours (nights, the lunch break, rest days).
    pub fn open_since(&self, calendar: &Calendar, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = super::time::local_datetime(at);
        if !calendar.is_working_day(local.date()) {
            return None;
        }
        [&self.morning, &self.afternoon]
            .into_iter()
            .find(|h| h.start <= local.time() && local.time() < h.end)
            .map(|h| super::time::from_local(local.date().and_time(h.start)))
    }

    /// The midpoint of the lunch break: punches before it belong to the morning.
    pub fn lunch_split(&self) -> NaiveTime {
        Hours { start: self.morning.end, end: self.afternoon.start }.midpoint()
    }

    fn covers(&self, date: NaiveDate) -> bool {
        let (Some(from), Some(to)) = (self.from, self.to) else { return false };
        let md = (date.month(), date.day());
        if from <= to { md >= from && md <= to } else { md >= from || md <= to }
    }
}

/// The attendance settings (`[attendance]` in rules.toml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttendanceSettings {
    /// Lateness allowed, in seconds (0: 08:30:00 is on time, 08:30:01 late).
    pub grace_secs: u32,
    /// Late or early by this many minutes or more counts as absence.
    pub absence_minutes: u32,
    /// A Monday on which a biweekly period starts.
    pub period_anchor: NaiveDate,
    pub period_days: u32,
    /// The default schedule, then seasonal or per-hall variants (the most specific that covers a day wins).
    pub schedules: Vec<Schedule>,
}

impl Default for AttendanceSettings {
    fn default() -> Self {
        Self {
            grace_secs: 0,
            absence_minutes: 30,
            period_anchor: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or(NaiveDate::MIN),
            period_days: 14,
            schedules: vec![Schedule::standard()],
        }
    }
}

impl AttendanceSettings {
    /// The schedule for a hall on a date: a seasonal variant for that hall, else a seasonal variant for
    /// all halls, else the hall's default, else the default.
    pub fn schedule(&self, hall: Option<&str>, date: NaiveDate) -> &Schedule {
        let for_hall = |s: &&Schedule| s.hall.is_none() || s.hall.as_deref() == hall;
        let score = |s: &Schedule| (u8::from(s.covers(date)) * 2) + u8::from(s.hall.is_some());
        self.schedules
            .iter()
            .filter(for_hall)
            .filter(|s| s.from.is_none() || s.covers(date))
            .max_by_key(|s| score(s))
            .or(self.schedules.first())
            .unwrap_or_else(|| default_schedule())
    }

    /// The first day of the biweekly period containing `date`.
    pub fn period_start(&self, date: NaiveDate) -> NaiveDate {
        let days = i64::from(self.period_days.max(1));
        let offset = (date - self.period_anchor).num_days().div_euclid(days) * days;
        self.period_anchor + Duration::days(offset)
    }

    pub fn period_end(&self, start: NaiveDate) -> NaiveDate {
        start + Duration::days(i64::from(self.period_days.max(1)) - 1)
    }

    /// Checks the values; the error names the key.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.absence_minutes == 0 || self.absence_minutes > 240 {
            return Err(("attendance.absence_minutes".into(), format!("{} is outside 1–240", self.absence_minutes)));
        }
        if self.grace_secs > 3600 {
            return Err(("attendance.grace_minutes".into(), "more than 60 minutes".into()));
        }
        if self.period_days == 0 || self.period_days > 62 {
            return Err(("attendance.period_days".into(), format!("{} is outside 1–62", self.period_days)));
        }
        for (i, s) in self.schedules.iter().enumerate() {
            if !(s.morning.start < s.morning.end
                && s.morning.end <= s.afternoon.start
                && s.afternoon.start < s.afternoon.end)
            {
                return Err((
                    format!("attendance.schedules[{i}]"),
                    "the hours must be morning start < end ≤ afternoon start < end".into(),
                ));
            }
            if s.from.is_some() != s.to.is_some() {
                return Err((format!("attendance.schedules[{i}]"), "give both from and to, or neither".into()));
            }
        }
        if !self.schedules.iter().any(|s| s.from.is_none() && s.hall.is_none()) {
            return Err((
                "attendance.schedules".into(),
                "one schedule without hall and dates is needed as the default".into(),
            ));
        }
        Ok(())
    }
}

fn default_schedule() -> &'static Schedule {
    static DEFAULT: std::sync::OnceLock<Schedule> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Schedule::standard)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    Morning,
    Afternoon,
}

/// The status of a half-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum HalfDayStatus {
    OnTime,
    Late {
        secs: u32,
    },
    Early {
        secs: u32,
    },
    LateAndEarly {
        late_secs: u32,
        early_secs: u32,
    },
    /// 缺卡: no start or no end punch — counts as half a day of absence.
    MissingPunch {
        start: bool,
        end: bool,
    },
    /// 旷工: late or early by the absence threshold or more.
    Absent {
        late_secs: u32,
        early_secs: u32,
    },
    OnLeave {
        kind: LeaveKind,
    },
    /// Not a working day: not counted (stray punches are ignored).
    NotWorking,
    /// A working day outside the attendance records (before the first import, or not imported yet):
    /// not counted either way.
    NoRecords,
}

impl HalfDayStatus {
    pub fn is_late(self) -> bool {
        matches!(self, HalfDayStatus::Late { .. } | HalfDayStatus::LateAndEarly { .. })
    }
    pub fn is_early(self) -> bool {
        matches!(self, HalfDayStatus::Early { .. } | HalfDayStatus::LateAndEarly { .. })
    }
    pub fn is_absent(self) -> bool {
        matches!(self, HalfDayStatus::Absent { .. } | HalfDayStatus::MissingPunch { .. })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HalfDayStatus::OnTime => "正常",
            HalfDayStatus::Late { .. } => "迟到",
            HalfDayStatus::Early { .. } => "早退",
            HalfDayStatus::LateAndEarly { .. } => "迟到且早退",
            HalfDayStatus::MissingPunch { .. } => "缺卡",
            HalfDayStatus::Absent { .. } => "旷工",
            HalfDayStatus::OnLeave { kind: LeaveKind::Leave } => "请假",
            HalfDayStatus::OnLeave { kind: LeaveKind::Business } => "公出",
            HalfDayStatus::NotWorking => "休息日",
            HalfDayStatus::NoRecords => "无记录",
        }
    }
}

/// One half-day with the punches that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HalfDay {
    pub half: Half,
    pub status: HalfDayStatus,
    /// The first start punch and the last end punch.
    pub start_punch: Option<NaiveDateTime>,
    pub end_punch: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DayRecord {
    pub date: NaiveDate,
    pub morning: HalfDay,
    pub afternoon: HalfDay,
    /// Every punch of the day, sorted, duplicates kept.
    pub punches: Vec<NaiveDateTime>,
}

/// A day outside the attendance records: `NoRecords` on working days, `NotWorking` otherwise.
pub fn day_without_records(date: NaiveDate, calendar: &Calendar) -> DayRecord {
    let status = if calendar.is_working_day(date) { HalfDayStatus::NoRecords } else { HalfDayStatus::NotWorking };
    let half = |half| HalfDay { half, status, start_punch: None, end_punch: None };
    DayRecord { date, morning: half(Half::Morning), afternoon: half(Half::Afternoon), punches: Vec::new() }
}

/// Evaluates one person's day. `punches` may be unsorted and contain duplicates; `leave` may be any
/// leave of the person (only what overlaps the day matters).
pub fn evaluate_day(
    date: NaiveDate,
    punches: &[NaiveDateTime],
    leave: &[Leave],
    calendar: &Calendar,
    schedule: &Schedule,
    settings: &AttendanceSettings,
) -> DayRecord {
    let mut day_punches: Vec<NaiveDateTime> = punches.iter().copied().filter(|p| p.date() == date).collect();
    day_punches.sort();
    let working = calendar.is_working_day(date);
    let split = schedule.lunch_split();
    let half = |which: Half, hours: Hours| -> HalfDay {
        if !working {
            return HalfDay { half: which, status: HalfDayStatus::NotWorking, start_punch: None, end_punch: None };
        }
        let (from, to) = (date.and_time(hours.start), date.and_time(hours.end));
        if let Some(l) = leave.iter().find(|l| l.start < to && l.end > from) {
            return HalfDay {
                half: which,
                status: HalfDayStatus::OnLeave { kind: l.kind },
                start_punch: None,
                end_punch: None,
            };
        }
        let mid = date.and_time(hours.midpoint());
        let in_half = day_punches.iter().copied().filter(|p| match which {
            Half::Morning => p.time() < split,
            Half::Afternoon => p.time() >= split,
        });
        let start_punch = in_half.clone().filter(|p| *p < mid).min();
        let end_punch = in_half.filter(|p| *p >= mid).max();
        let status = match (start_punch, end_punch) {
            (None, None) => HalfDayStatus::MissingPunch { start: true, end: true },
            (None, Some(_)) => HalfDayStatus::MissingPunch { start: true, end: false },
            (Some(_), None) => HalfDayStatus::MissingPunch { start: false, end: true },
            (Some(s), Some(e)) => {
                let deadline = from + Duration::seconds(i64::from(settings.grace_secs));
                let late = u32::try_from((s - deadline).num_seconds().max(0)).unwrap_or(u32::MAX);
                let early = u32::try_from((to - e).num_seconds().max(0)).unwrap_or(u32::MAX);
                let threshold = settings.absence_minutes * 60;
                if late >= threshold || early >= threshold {
                    HalfDayStatus::Absent { late_secs: late, early_secs: early }
                } else {
                    match (late > 0, early > 0) {
                        (false, false) => HalfDayStatus::OnTime,
                        (true, false) => HalfDayStatus::Late { secs: late },
                        (false, true) => HalfDayStatus::Early { secs: early },
                        (true, true) => HalfDayStatus::LateAndEarly { late_secs: late, early_secs: early },
                    }
                }
            }
        };
        HalfDay { half: which, status, start_punch, end_punch }
    };
    DayRecord {
        date,
        morning: half(Half::Morning, schedule.morning),
        afternoon: half(Half::Afternoon, schedule.afternoon),
        punches: day_punches,
    }
}

/// A person as the ranking needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Person {
    pub staff_no: String,
    pub name: String,
    pub department: String,
    /// The hall whose staff member this is: staff numbers and departments are each hall's own.
    pub hall: Option<String>,
}

impl Person {
    pub fn key(&self) -> String {
        hall_key(self.hall.as_deref(), &self.staff_no)
    }
}

/// What tells a hall's staff member or department apart from another hall's of the same number or
/// name: `HALL/NAME` (the name alone without a hall).
pub fn hall_key(hall: Option<&str>, name: &str) -> String {
    match hall {
        Some(hall) => format!("{hall}/{name}"),
        None => name.to_owned(),
    }
}

/// One person's counts over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StaffTally {
    pub staff_no: String,
    #[serde(default)]
    pub hall: Option<String>,
    pub name: String,
    pub department: String,
    pub late: u32,
    pub early: u32,
    /// Half-days of absence (旷工 and 缺卡).
    pub absent: u32,
    pub leave_half_days: u32,
    pub working_days: u32,
    /// By late + early; `None` without any late or early mark. Ties share a rank (1, 2, 2, 4).
    pub rank: Option<u32>,
    /// By absences, the same way.
    pub absence_rank: Option<u32>,
    /// Rank ≤ 3 with at least one late or early mark: to be interviewed (约谈).
    pub interview: bool,
}

impl StaffTally {
    pub fn marks(&self) -> u32 {
        self.late + self.early
    }

    /// The person's key (its hall and number), as the period's day records and the trend use it.
    pub fn key(&self) -> String {
        hall_key(self.hall.as_deref(), &self.staff_no)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DepartmentTally {
    pub department: String,
    #[serde(default)]
    pub hall: Option<String>,
    pub staff: u32,
    pub late: u32,
    pub early: u32,
    pub absent: u32,
    pub rank: Option<u32>,
    pub interview: bool,
}

impl DepartmentTally {
    /// The department's key (its hall and name), as the trend uses it.
    pub fn key(&self) -> String {
        hall_key(self.hall.as_deref(), &self.department)
    }
}

/// Competition ranking (1, 2, 2, 4) by `key` descending; zero keys get no rank.
fn rank_by<T>(items: &mut [T], key: impl Fn(&T) -> u32, mut set: impl FnMut(&mut T, Option<u32>)) {
    let mut keys: Vec<u32> = items.iter().map(&key).collect();
    keys.sort_unstable_by(|a, b| b.cmp(a));
    for item in items.iter_mut() {
        let k = key(item);
        // Keys are sorted descending: the rank is one more than the number of larger keys.
        let rank = if k == 0 { None } else { u32::try_from(keys.partition_point(|x| *x > k)).ok().map(|p| p + 1) };
        set(item, rank);
    }
}

/// The period's rankings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ranking {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub staff: Vec<StaffTally>,
    pub departments: Vec<DepartmentTally>,
}

/// Counts and ranks a period from everyone's day records, each person's in date order (as the store
/// builds them); days outside the period are skipped.
pub fn rank(period_start: NaiveDate, period_end: NaiveDate, people: &[(Person, Vec<DayRecord>)]) -> Ranking {
    let mut staff: Vec<StaffTally> = people
        .iter()
        .map(|(p, days)| {
            let mut t = StaffTally {
                staff_no: p.staff_no.clone(),
                hall: p.hall.clone(),
                name: p.name.clone(),
                department: p.department.clone(),
                late: 0,
                early: 0,
                absent: 0,
                leave_half_days: 0,
                working_days: 0,
                rank: None,
                absence_rank: None,
                interview: false,
            };
            // Day records come in date order; take the period's slice rather than walk them all.
            debug_assert!(days.is_sorted_by_key(|d| d.date), "day records of {} out of order", p.staff_no);
            let first = days.partition_point(|d| d.date < period_start);
            let count = days[first..].partition_point(|d| d.date <= period_end);
            for d in &days[first..first + count] {
                if !matches!(d.morning.status, HalfDayStatus::NotWorking | HalfDayStatus::NoRecords) {
                    t.working_days += 1;
                }
                for h in [&d.morning, &d.afternoon] {
                    t.late += u32::from(h.status.is_late());
                    t.early += u32::from(h.status.is_early());
                    t.absent += u32::from(h.status.is_absent());
                    t.leave_half_days += u32::from(matches!(h.status, HalfDayStatus::OnLeave { .. }));
                }
            }
            t
        })
        .collect();
    rank_by(&mut staff, StaffTally::marks, |t, r| {
        t.rank = r;
        t.interview = r.is_some_and(|r| r <= 3);
    });
    rank_by(&mut staff, |t| t.absent, |t, r| t.absence_rank = r);
    staff.sort_by(|a, b| {
        (a.rank.unwrap_or(u32::MAX), a.absence_rank.unwrap_or(u32::MAX), &a.staff_no, &a.hall).cmp(&(
            b.rank.unwrap_or(u32::MAX),
            b.absence_rank.unwrap_or(u32::MAX),
            &b.staff_no,
            &b.hall,
        ))
    });

    let mut by_department: BTreeMap<String, DepartmentTally> = BTreeMap::new();
    for s in &staff {
        let d = by_department.entry(hall_key(s.hall.as_deref(), &s.department)).or_insert_with(|| DepartmentTally {
            department: s.department.clone(),
            hall: s.hall.clone(),
            staff: 0,
            late: 0,
            early: 0,
            absent: 0,
            rank: None,
            interview: false,
        });
        d.staff += 1;
        d.late += s.late;
        d.early += s.early;
        d.absent += s.absent;
    }
    let mut departments: Vec<DepartmentTally> = by_department.into_values().collect();
    rank_by(
        &mut departments,
        |d| d.late + d.early,
        |d, r| {
            d.rank = r;
            d.interview = r.is_some_and(|r| r <= 3);
        },
    );
    departments.sort_by(|a, b| {
        (a.rank.unwrap_or(u32::MAX), &a.department, &a.hall).cmp(&(b.rank.unwrap_or(u32::MAX), &b.department, &b.hall))
    });
    Ranking { period_start, period_end, staff, departments }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_shared_and_skip() {
        let mut v = vec![5u32, 3, 3, 1, 0];
        let mut ranks = Vec::new();
        rank_by(&mut v, |x| *x, |x, r| ranks.push((*x, r)));
        assert_eq!(ranks, vec![(5, Some(1)), (3, Some(2)), (3, Some(2)), (1, Some(4)), (0, None)]);
    }

    #[test]
    fn periods_are_fourteen_days_from_the_anchor() {
        let s = AttendanceSettings::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(s.period_start(d("2026-01-05")), d("2026-01-05"));
        assert_eq!(s.period_start(d("2026-01-18")), d("2026-01-05"));
        assert_eq!(s.period_start(d("2026-01-19")), d("2026-01-19"));
        assert_eq!(s.period_start(d("2026-01-04")), d("2025-12-22"), "before the anchor too");
        assert_eq!(s.period_end(d("2026-11-23")), d("2026-12-06"));
    }

    #[test]
    fn the_default_split_points_are_those_of_the_rules() {
        let s = Schedule::standard();
        assert_eq!(s.lunch_split(), t(12, 15));
        assert_eq!(s.morning.midpoint(), t(10, 0));
        assert_eq!(s.afternoon.midpoint(), t(15, 0));
    }
}
