//! The working-day calendar entered by administrators (`calendar_year`): a year's holidays from the
//! State Council's notice, in place of the built-in data for that year. The store's rule book carries
//! them (`SqlStore::set_rules` lays them over whatever calendar it is given), so that the alert engine,
//! deadlines, attendance and assessment all count with the same days.

use crate::store::sql::{Connection, OptionalExtension as _, params};
use chrono::{DateTime, Datelike as _, Utc};

use super::{from_ts, ts};
use crate::domain::alerts::RuleBook;
use crate::domain::calendar::{Calendar, ScheduleDay, YearSchedule};
use crate::domain::time;
use crate::store::{CalendarSource, CalendarYearView, StoreError};

/// A stored year: the schedule, who entered it and when.
struct Entered {
    schedule: YearSchedule,
    by: String,
    at: DateTime<Utc>,
}

fn entered(conn: &Connection, year: Option<i32>) -> Result<Vec<Entered>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT year, notice, days, entered_by, entered_at FROM calendar_year WHERE ?1 IS NULL OR year = ?1 ORDER BY year",
    )?;
    let rows = stmt
        .query_map([year], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(year, notice, days, by, at)| {
            let days: Vec<ScheduleDay> = serde_json::from_str(&days).map_err(|e| {
                StoreError::Backend(format!("calendar_year {year}: the stored days cannot be read: {e}"))
            })?;
            Ok(Entered { schedule: YearSchedule { year, notice, days }, by, at: from_ts(at) })
        })
        .collect()
}

/// Lays the years entered in the database over `calendar` (each replaces that year's built-in data).
pub(super) fn apply_entered(conn: &Connection, calendar: &mut Calendar) -> Result<usize, StoreError> {
    let years = entered(conn, None)?;
    for e in &years {
        calendar.set_year(&e.schedule);
    }
    Ok(years.len())
}

/// This year and the next, those without data.
pub(super) fn missing_around(calendar: &Calendar, now: DateTime<Utc>) -> Vec<i32> {
    let this = time::local_date(now).year();
    [this, this + 1].into_iter().filter(|y| !calendar.is_year_known(*y)).collect()
}

/// A year as in force in `rules`.
pub(super) fn view(
    conn: &Connection,
    rules: &RuleBook,
    year: i32,
    now: DateTime<Utc>,
) -> Result<CalendarYearView, StoreError> {
    if !(1990..=2100).contains(&year) {
        return Err(StoreError::Invalid(format!("year: {year} 不在 1990–2100 之间 (outside 1990–2100)")));
    }
    let stored = entered(conn, Some(year))?.into_iter().next();
    let schedule = rules.calendar.year_schedule(year);
    let source = match (&stored, &schedule) {
        (Some(_), _) => CalendarSource::Entered,
        (None, Some(_)) => CalendarSource::BuiltIn,
        (None, None) => CalendarSource::Missing,
    };
    Ok(CalendarYearView {
        year,
        source,
        schedule,
        entered_by: stored.as_ref().map(|e| e.by.clone()),
        entered_at: stored.as_ref().map(|e| e.at),
        recomputed: 0,
        missing_years: missing_around(&rules.calendar, now),
    })
}

/// Stores a checked schedule (replacing the year's earlier entry); returns whether one was replaced.
pub(super) fn store(
    tx: &Connection,
    schedule: &YearSchedule,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let replaced =
        tx.query_row("SELECT 1 FROM calendar_year WHERE year = ?1", [schedule.year], |_| Ok(())).optional()?.is_some();
    let mut days = schedule.days.clone();
    days.sort_by_key(|d| d.date);
    let days = serde_json::to_string(&days).map_err(|e| StoreError::Backend(e.to_string()))?;
    tx.execute(
        "INSERT INTO calendar_year (year, notice, days, entered_by, entered_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, days = excluded.days,
           entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        params![schedule.year, schedule.notice.trim(), days, by, ts(now)],
    )?;
    Ok(replaced)
}

/// Marks every open case for re-evaluation now (its deadline may have moved).
pub(super) fn mark_open_cases(tx: &Connection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE case_file SET next_check_at = ?1 WHERE status IN ('submitted', 'in_progress', 'suspended')",
        [ts(now)],
    )?)
}
