//! Local time of the halls (Asia/Shanghai, UTC+8 all year: China has kept no daylight saving since 1991).
//!
//! Instants are stored in UTC; dates shown to people and counted by the calendar are local dates.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};

/// Seconds east of UTC for Asia/Shanghai.
pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

/// The fixed offset of Asia/Shanghai (checked at compile time).
pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(SHANGHAI_OFFSET_SECS) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The fixed offset of Asia/Shanghai.
/// The dates the system works with: records, deadlines and periods all lie in 1990–2100. A date from a
/// request or a command line outside them is refused, not computed with (chrono panics at its limits).
pub const EARLIEST_YEAR: i32 = 1990;
pub const LATEST_YEAR: i32 = 2100;

/// `date`, or why it is refused.
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, String> {
    use chrono::Datelike as _;
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(format!(
            "{date}: 日期须在 {EARLIEST_YEAR}—{LATEST_YEAR} 年之间 (dates lie in {EARLIEST_YEAR}–{LATEST_YEAR})"
        ))
    }
}

pub fn shanghai() -> FixedOffset {
    SHANGHAI
}

/// The local (Asia/Shanghai) date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&shanghai()).date_naive()
}

/// The local (Asia/Shanghai) wall-clock time of an instant.
pub fn local_datetime(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&shanghai()).naive_local()
}

/// The UTC instant of a local wall-clock time. A fixed offset has no gaps or folds, so this is total
/// (at chrono's very first instant it saturates rather than underflows).
pub fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    local
        .and_utc()
        .checked_sub_signed(chrono::Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The instant a local date begins (00:00 local).
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    from_local(date.and_time(NaiveTime::MIN))
}

/// The instant a local date ends (00:00 local of the next day).
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    date.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, start_of_day)
}

/// Formats an instant as local time, `YYYY-MM-DD HH:MM:SS`.
pub fn format_local(at: DateTime<Utc>) -> String {
    local_datetime(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Formats an instant as local time, `YYYY-MM-DD HH:MM`.
pub fn format_local_minutes(at: DateTime<Utc>) -> String {
    local_datetime(at).format("%Y-%m-%d %H:%M").to_string()
}

/// An instant with its local offset, for RFC 3339 output (`2026-11-27T09:15:00+08:00`).
pub fn to_local_rfc3339(at: DateTime<Utc>) -> String {
    shanghai().from_utc_datetime(&at.naive_utc()).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 28: `cases --accepted-from` at chrono's first date panicked (an underflow here).
    #[test]
    fn the_first_and_last_dates_chrono_knows_have_a_start_and_an_end() {
        assert_eq!(start_of_day(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
        assert_eq!(end_of_day(NaiveDate::MAX), DateTime::<Utc>::MAX_UTC);
        assert!(start_of_day(NaiveDate::MAX) < end_of_day(NaiveDate::MAX));
    }

    #[test]
    fn local_midnight_is_previous_utc_evening() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let start = start_of_day(d);
        assert_eq!(start.to_rfc3339(), "2026-11-26T16:00:00+00:00");
        assert_eq!(local_date(start), d);
        assert_eq!(local_date(start - chrono::Duration::seconds(1)), d.pred_opt().unwrap());
        assert_eq!(to_local_rfc3339(start), "2026-11-27T00:00:00+08:00");
    }
}
