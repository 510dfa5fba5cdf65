//! The working-day calendar against the official 2026 notice (国办发明电〔2025〕…), deadlines with
//! suspensions, the missing-2027 warning, and property tests of the arithmetic.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use chrono::{DateTime, Datelike as _, Days, NaiveDate, Utc};
use jiancha::domain::calendar::{
    Calendar, DayKind, DeadlineState, LocalOverride, Suspension, SuspensionKind, missing_years_warning,
};
use jiancha::domain::time;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Built once: the dense index takes a few milliseconds to build in a debug build.
fn cal() -> &'static Calendar {
    static CALENDAR: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(Calendar::official)
}

#[test]
fn spring_festival_2026() {
    let c = cal();
    for day in 15..=23 {
        let date = NaiveDate::from_ymd_opt(2026, 2, day).unwrap();
        assert_eq!(c.day(date).kind, DayKind::Holiday, "{date}");
        assert_eq!(c.day(date).name.as_deref(), Some("春节"));
        assert!(!c.is_working_day(date));
    }
    // Saturdays made working days by the notice.
    for date in [d("2026-02-14"), d("2026-02-28")] {
        assert_eq!(date.weekday(), chrono::Weekday::Sat);
        assert_eq!(c.day(date).kind, DayKind::MakeUpWorkday, "{date}");
        assert!(c.is_working_day(date));
    }
    assert!(c.is_working_day(d("2026-02-13")), "the Friday before");
    assert!(c.is_working_day(d("2026-02-24")), "the Tuesday after");
    assert_eq!(c.day(d("2026-02-21")).kind, DayKind::Holiday, "a Saturday inside the holiday is a holiday");
}

#[test]
fn national_day_2026() {
    let c = cal();
    for day in 1..=7 {
        let date = NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
        assert_eq!(c.day(date).kind, DayKind::Holiday, "{date}");
    }
    assert_eq!(c.day(d("2026-09-20")).kind, DayKind::MakeUpWorkday, "Sunday 20 September works");
    assert_eq!(c.day(d("2026-10-10")).kind, DayKind::MakeUpWorkday, "Saturday 10 October works");
    assert_eq!(c.day(d("2026-10-11")).kind, DayKind::Weekend);
    assert_eq!(c.day(d("2026-10-08")).kind, DayKind::Weekday);
}

#[test]
fn counting_starts_the_day_after_acceptance() {
    let c = cal();
    // Accepted Monday 2026-11-02, 5 working days: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9.
    let dl = c.deadline(d("2026-11-02"), 5, &[]).unwrap();
    assert_eq!(dl.day, d("2026-11-09"));
    assert_eq!(dl.counted, vec![d("2026-11-03"), d("2026-11-04"), d("2026-11-05"), d("2026-11-06"), d("2026-11-09")]);
    assert_eq!(dl.skipped.len(), 2, "the weekend of 7–8 November");
    assert!(dl.missing_years.is_empty());
    // 即办件: D is the acceptance date.
    let now = c.deadline(d("2026-11-02"), 0, &[]).unwrap();
    assert_eq!(now.day, d("2026-11-02"));
    assert!(now.counted.is_empty());
}

#[test]
fn deadline_across_national_day() {
    let c = cal();
    // Accepted Tue 29 Sep, 3 days: Wed 30 Sep (1), holiday 1–7 Oct, Thu 8 (2), Fri 9 (3).
    let dl = c.deadline(d("2026-09-29"), 3, &[]).unwrap();
    assert_eq!(dl.day, d("2026-10-09"));
    assert_eq!(dl.skipped.iter().filter(|s| s.kind == DayKind::Holiday).count(), 7);
    // Accepted Fri 9 Oct, 1 day: the make-up Saturday 10 Oct.
    assert_eq!(c.deadline(d("2026-10-09"), 1, &[]).unwrap().day, d("2026-10-10"));
    // The yellow prompt starts on the working day before D: for D = 8 Oct that is 30 Sep.
    let dl = c.deadline(d("2026-09-29"), 2, &[]).unwrap();
    assert_eq!(dl.day, d("2026-10-08"));
    assert_eq!(dl.prompt_from, d("2026-09-30"));
    assert!(dl.explain_zh().contains("国庆节"), "{}", dl.explain_zh());
}

#[test]
fn deadline_across_spring_festival_counts_make_up_saturday() {
    let c = cal();
    // Accepted Fri 13 Feb, 2 days: Sat 14 Feb (make-up, 1), holiday 15–23, Tue 24 (2).
    let dl = c.deadline(d("2026-02-13"), 2, &[]).unwrap();
    assert_eq!(dl.counted, vec![d("2026-02-14"), d("2026-02-24")]);
    assert!(dl.explain_zh().contains("调休上班日 02-14"), "{}", dl.explain_zh());
}

#[test]
fn deadline_reaching_into_2027_carries_the_warning() {
    let c = cal();
    // Accepted Mon 28 Dec 2026, 10 days. 2027 has no data: the weekday rule applies (1 Jan 2027 is a
    // Friday and counts as a working day) and the result says so.
    let dl = c.deadline(d("2026-12-28"), 10, &[]).unwrap();
    assert_eq!(dl.day, d("2027-01-11"));
    assert!(dl.missing_years.contains(&2027));
    let warning = missing_years_warning(&dl.missing_years).unwrap();
    assert!(warning.contains("2027"), "{warning}");
    assert!(dl.explain_zh().contains("2027 年节假日数据缺失"), "{}", dl.explain_zh());
    // A deadline wholly in 2026 has no warning.
    assert!(c.deadline(d("2026-12-01"), 3, &[]).unwrap().missing_years.is_empty());
}

#[test]
fn suspensions_move_the_deadline() {
    let c = cal();
    // D = Mon 9 Nov without suspension. Material requested Wed 4, received Fri 6: Wed 4 and Thu 5 are
    // stopped (start ≤ d < end), so D moves two working days to Wed 11.
    let supplement =
        Suspension { kind: SuspensionKind::Supplement, start: d("2026-11-04"), end: Some(d("2026-11-06")) };
    let dl = c.deadline(d("2026-11-02"), 5, std::slice::from_ref(&supplement)).unwrap();
    assert_eq!(dl.base_day, d("2026-11-09"));
    assert_eq!(dl.extension_days, 2);
    assert_eq!(dl.day, d("2026-11-11"));
    // An overlapping special procedure counts the shared days once.
    let special =
        Suspension { kind: SuspensionKind::SpecialProcedure, start: d("2026-11-05"), end: Some(d("2026-11-10")) };
    let dl = c.deadline(d("2026-11-02"), 5, &[supplement.clone(), special]).unwrap();
    assert_eq!(dl.extension_days, 4, "4, 5, 6 and 9 Nov: the shared 5 Nov counts once");
    // A suspension over a weekend only stops working days.
    let weekend = Suspension { kind: SuspensionKind::Supplement, start: d("2026-11-07"), end: Some(d("2026-11-09")) };
    assert_eq!(c.deadline(d("2026-11-02"), 5, &[weekend]).unwrap().extension_days, 0);
}

#[test]
fn states_at_instants() {
    let c = cal();
    let dl = c.deadline(d("2026-11-02"), 5, &[]).unwrap(); // D = Mon 9 Nov, prompt from Fri 6 Nov
    assert_eq!(dl.prompt_from, d("2026-11-06"));
    let state = |s: &str| dl.state(c, at(s), None);
    assert_eq!(state("2026-11-05T23:59:59+08:00"), DeadlineState::Running);
    assert_eq!(state("2026-11-06T00:00:00+08:00"), DeadlineState::DueSoon);
    assert_eq!(state("2026-11-09T23:59:59+08:00"), DeadlineState::DueSoon);
    assert_eq!(state("2026-11-10T00:00:00+08:00"), DeadlineState::Overdue { working_days_late: 0 });
    // Three working days (10, 11, 12 Nov) have ended by the start of Fri 13 Nov.
    assert_eq!(state("2026-11-13T08:00:00+08:00"), DeadlineState::Overdue { working_days_late: 3 });
    assert_eq!(
        dl.state(c, at("2026-11-20T00:00:00+08:00"), Some(at("2026-11-09T17:00:00+08:00"))),
        DeadlineState::CompletedInTime
    );
    assert_eq!(
        dl.state(c, at("2026-11-20T00:00:00+08:00"), Some(at("2026-11-10T00:00:00+08:00"))),
        DeadlineState::CompletedLate
    );
    // While a suspension is open the case cannot be overdue.
    let open = Suspension { kind: SuspensionKind::SpecialProcedure, start: d("2026-11-04"), end: None };
    let dl = c.deadline(d("2026-11-02"), 5, &[open]).unwrap();
    assert_eq!(dl.suspended_since, Some(d("2026-11-04")));
    assert_eq!(dl.state(c, at("2026-12-01T09:00:00+08:00"), None), DeadlineState::Suspended);
}

#[test]
fn local_closure_extends_a_deadline() {
    let c = cal().clone().with_overrides([LocalOverride {
        date: d("2026-11-04"),
        working: false,
        note: "大厅停电检修".into(),
    }]);
    let dl = c.deadline(d("2026-11-02"), 5, &[]).unwrap();
    assert_eq!(dl.day, d("2026-11-10"));
    assert!(dl.skipped.iter().any(|s| s.kind == DayKind::LocalClosure && s.name.as_deref() == Some("大厅停电检修")));
}

#[test]
fn local_time_boundaries() {
    // 2026-11-09 23:59:59 in Siping is 15:59:59 UTC.
    assert_eq!(time::local_date(at("2026-11-09T15:59:59Z")), d("2026-11-09"));
    assert_eq!(time::local_date(at("2026-11-09T16:00:00Z")), d("2026-11-10"));
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(25 * 366)).prop_map(|offset| d("2006-01-01") + chrono::Duration::days(offset))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Adding n working days lands on a working day, with exactly n working days in (start, end].
    #[test]
    fn add_then_count_round_trips(start in any_date(), n in 0u32..80) {
        let c = cal();
        let end = c.add_working_days(start, n).unwrap().value;
        let counted = c.count_working_days(start.succ_opt().unwrap(), end.succ_opt().unwrap()).value;
        prop_assert_eq!(counted, n);
        if n > 0 {
            prop_assert!(c.is_working_day(end));
            prop_assert!(end > start);
        } else {
            prop_assert_eq!(end, start);
        }
    }

    /// One more day never lands earlier.
    #[test]
    fn adding_is_monotonic(start in any_date(), n in 0u32..60) {
        let c = cal();
        let a = c.add_working_days(start, n).unwrap().value;
        let b = c.add_working_days(start, n + 1).unwrap().value;
        prop_assert!(b > a);
        prop_assert_eq!(c.next_working_day(a).unwrap().value, b);
    }

    /// The next working day has no working day before it.
    #[test]
    fn next_working_day_is_the_first(start in any_date()) {
        let c = cal();
        let next = c.next_working_day(start).unwrap().value;
        prop_assert!(c.is_working_day(next));
        let mut day = start.succ_opt().unwrap();
        while day < next {
            prop_assert!(!c.is_working_day(day));
            day = day.succ_opt().unwrap();
        }
        prop_assert_eq!(c.previous_working_day(next).unwrap().value <= start, true);
    }

    /// A deadline extends by exactly the distinct stopped working days, and never moves earlier.
    #[test]
    fn suspensions_extend_by_their_working_days(
        start in any_date(),
        n in 0u32..30,
        spans in proptest::collection::vec((0u64..40, 0u64..15), 0..4),
    ) {
        let c = cal();
        let suspensions: Vec<Suspension> = spans
            .iter()
            .map(|(offset, length)| {
                let s = start.checked_add_days(Days::new(*offset)).unwrap();
                Suspension { kind: SuspensionKind::Supplement, start: s, end: s.checked_add_days(Days::new(*length)) }
            })
            .collect();
        let plain = c.deadline(start, n, &[]).unwrap();
        let dl = c.deadline(start, n, &suspensions).unwrap();
        let mut stopped = std::collections::BTreeSet::new();
        for s in &suspensions {
            stopped.extend(c.working_days_between(s.start, s.end.unwrap()).value);
        }
        prop_assert_eq!(dl.extension_days as usize, stopped.len());
        prop_assert_eq!(dl.day, c.add_working_days(plain.day, dl.extension_days).unwrap().value);
        prop_assert!(dl.day >= plain.day);
        prop_assert!(dl.prompt_from < dl.day);
    }

    /// The allocation-free path of the alert engine agrees with the explained computation.
    #[test]
    fn fast_deadline_agrees_with_the_explained_one(
        start in any_date(),
        n in 0u32..40,
        spans in proptest::collection::vec((0u64..40, 0u64..15, proptest::bool::ANY), 0..4),
    ) {
        let c = cal();
        let suspensions: Vec<Suspension> = spans
            .iter()
            .map(|(offset, length, open)| {
                let s = start.checked_add_days(Days::new(*offset)).unwrap();
                Suspension { kind: SuspensionKind::Supplement, start: s, end: if *open { None } else { s.checked_add_days(Days::new(*length)) } }
            })
            .collect();
        let slow = c.deadline(start, n, &suspensions).unwrap();
        let fast = c.deadline_day(start, n, &suspensions).unwrap();
        prop_assert_eq!(fast.day, slow.day);
        prop_assert_eq!(fast.base_day, slow.base_day);
        prop_assert_eq!(fast.prompt_from, slow.prompt_from);
        prop_assert_eq!(fast.extension_days, slow.extension_days);
        prop_assert_eq!(fast.suspended_since, slow.suspended_since);
        prop_assert_eq!(fast.missing_data, !slow.missing_years.is_empty());
    }

    /// The dense index and the day-by-day scan give the same counts.
    #[test]
    fn index_agrees_with_scanning(start in any_date(), n in 0u32..60, span in 0i64..120) {
        let c = cal();
        let scanned = c.count_forward(start, n).unwrap();
        prop_assert_eq!(c.add_working_days_fast(start, n), Some(scanned.end));
        let until = start + chrono::Duration::days(span);
        let listed = c.working_days_between(start, until).value.len() as u32;
        prop_assert_eq!(c.working_day_count(start, until), listed);
    }

    /// Any date chrono can hold gives an answer or an OutOfRange error, never a panic.
    #[test]
    fn never_panics(days in (NaiveDate::MIN.num_days_from_ce())..=(NaiveDate::MAX.num_days_from_ce()), n in 0u32..20) {
        let c = cal();
        let date = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
        let _ = c.next_working_day(date);
        let _ = c.previous_working_day(date);
        let _ = c.add_working_days(date, n);
        let _ = c.deadline(date, n, &[]);
        let info = c.day(date);
        prop_assert_eq!(info.date, date);
    }
}

/// Found by the property test: an acceptance on the last day of a year without data, counted in the next.
#[test]
fn the_acceptance_day_itself_is_not_counted_for_missing_data() {
    let c = cal();
    let suspension =
        Suspension { kind: SuspensionKind::Supplement, start: d("2007-01-01"), end: Some(d("2007-01-06")) };
    let slow = c.deadline(d("2006-12-31"), 0, std::slice::from_ref(&suspension)).unwrap();
    let fast = c.deadline_day(d("2006-12-31"), 0, &[suspension]).unwrap();
    assert_eq!(fast.day, slow.day);
    assert_eq!(fast.missing_data, !slow.missing_years.is_empty());
    assert!(!fast.missing_data, "2006-12-31 is listed in the 2007 notice; counting happens in 2007");
}

use crate::support::assessment_hall;

/// A 2027 schedule as an administrator enters it from the notice (春节 off Sat 6 – Sun 14 Feb, a
/// make-up working day on Sat 20 Feb; 元旦 1 Jan). For the test only: the State Council's own is
/// entered by a hall when it is published.
fn schedule_2027() -> jiancha::domain::calendar::YearSchedule {
    use jiancha::domain::calendar::{ScheduleDay, YearSchedule};
    let mut days: Vec<ScheduleDay> = (6..=14)
        .map(|day| ScheduleDay { name: "春节".into(), date: d(&format!("2027-02-{day:02}")), off: true })
        .collect();
    days.push(ScheduleDay { name: "春节".into(), date: d("2027-02-20"), off: false });
    days.push(ScheduleDay { name: "元旦".into(), date: d("2027-01-01"), off: true });
    YearSchedule { year: 2027, notice: "国办发明电〔2026〕1号".into(), days }
}

/// On a hall set up with `jiancha init` and a hall file: an open case's deadline and its overdue alert
/// move when an administrator enters 2027; the entry is audited, refused to others, checked, and kept in
/// the database across a restart.
#[test]
fn a_year_entered_by_the_administrator_moves_open_cases_across_its_spring_festival() {
    use assessment_hall::{accept, commissioned, import, login, t};
    use jiancha::store::prelude::*;
    use jiancha::store::{AlertState, AuditQuery, CalendarSource, StoreError};
    let clock = std::sync::Arc::new(jiancha::clock::FixedClock::new(t("2027-02-04T09:30:00+08:00")));
    let (dir, store) = commissioned(clock.clone());
    // Accepted Thu 4 Feb 2027, promised 5 working days (TAX-1).
    import(
        &store,
        jiancha::interchange::ImportKind::Events,
        "c27.jsonl",
        &accept("C27", "TAX-1", "T01", "S1", "2027-02-04T09:00:00", None),
    );
    // Fri 12 Feb: with Monday–Friday assumed, D was Thu 11 Feb and the case is overdue.
    clock.set(t("2027-02-12T10:00:00+08:00"));
    let supervisor = login(&store, "supervisor1");
    store.refresh_alerts(&supervisor).unwrap();
    let before = store.case_detail(&supervisor, "C27").unwrap();
    assert_eq!(before.deadline.as_ref().unwrap().day, d("2027-02-11"));
    let overdue = |detail: &jiancha::store::CaseDetail| {
        detail.alerts.iter().any(|a| a.rule.as_str() == "overdue" && a.state == AlertState::Open)
    };
    assert!(overdue(&before), "{:#?}", before.alerts);
    let view = store.calendar_year(&supervisor, 2027).unwrap();
    assert_eq!(
        (view.source, view.schedule.is_none(), view.missing_years.clone()),
        (CalendarSource::Missing, true, vec![2027, 2028])
    );

    // Only an administrator enters it; a bad entry names the field and changes nothing.
    let err = store.set_calendar_year(&supervisor, &schedule_2027()).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }) && err.to_string().contains("录入工作日历"), "{err}");
    let admin = login(&store, "admin");
    let mut twice = schedule_2027();
    twice.days[1].date = d("2027-02-06");
    let err = store.set_calendar_year(&admin, &twice).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.starts_with("days[") && m.contains("listed twice")), "{err}");
    assert_eq!(store.calendar_year(&admin, 2027).unwrap().source, CalendarSource::Missing);

    // Entered: D counts Fri 5, then Mon 15, Tue 16, Wed 17, Thu 18 Feb; the overdue alert ends by itself.
    let entered = store.set_calendar_year(&admin, &schedule_2027()).unwrap();
    assert_eq!(
        (entered.source, entered.recomputed, entered.missing_years.clone()),
        (CalendarSource::Entered, 1, vec![2028])
    );
    assert_eq!(entered.entered_by.as_deref(), Some("admin"));
    let after = store.case_detail(&supervisor, "C27").unwrap();
    assert_eq!(after.deadline.as_ref().unwrap().day, d("2027-02-18"));
    assert!(after.deadline.as_ref().unwrap().missing_years.is_empty());
    assert!(!overdue(&after), "{:#?}", after.alerts);
    let audit = store.audit_log(&admin, &AuditQuery { limit: 20, ..Default::default() }).unwrap();
    let record = audit.iter().find(|r| r.action == "calendar.set_year").expect("audited");
    assert_eq!(record.target, "calendar:2027");
    assert!(record.detail.contains("国办发明电〔2026〕1号") && record.detail.contains("春节"), "{}", record.detail);

    // Kept in the database: a restart counts with it.
    drop(store);
    let store = crate::support::backend::reopen(dir.path(), clock.clone());
    let s = login(&store, "supervisor1");
    assert_eq!(store.calendar_year(&s, 2027).unwrap().source, CalendarSource::Entered);
    assert_eq!(store.case_detail(&s, "C27").unwrap().deadline.unwrap().day, d("2027-02-18"));
}

/// The command line on a hall's data directory (its SQLite database): `calendar set YEAR FILE` in the
/// built-in format, checked against the year it is given for; `calendar show YEAR`; `calendar days`.
#[test]
fn the_command_line_enters_shows_and_counts_a_year() {
    use assessment_hall::{commissioned, t};
    let clock = std::sync::Arc::new(jiancha::clock::FixedClock::new(t("2027-02-04T09:30:00+08:00")));
    let (dir, store) = commissioned(clock);
    drop(store);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env_remove("JIANCHA_DATA_DIR")
            .env_remove("JIANCHA_PASSWORD")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let file = dir.path().join("2027.json");
    std::fs::write(&file, schedule_2027().to_year_file()).unwrap();
    let (code, out) = run(&["calendar", "set", "2027", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["calendar", "show", "2027"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("系统管理录入") && out.contains("春节：放假 02-06 02-07") && out.contains("调休上班 02-20"),
        "{out}"
    );
    let file = dir.path().join("2028.json");
    let mut y2028 = schedule_2027();
    y2028.year = 2028;
    y2028.days =
        vec![jiancha::domain::calendar::ScheduleDay { name: "元旦".into(), date: d("2028-01-01"), off: true }];
    std::fs::write(&file, y2028.to_year_file()).unwrap();
    let (code, out) = run(&["calendar", "set", "2027", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "the file is for 2028: {out}");
    assert!(out.contains("2028.json: year"), "{out}");
    let (code, out) = run(&["calendar", "set", "2028", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["calendar", "days", "2028-01-01", "2028-01-01"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("节假日 元旦"), "{out}");
}
