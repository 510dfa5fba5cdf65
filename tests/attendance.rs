//! Attendance and the evaluator check against RULES.md: punches at the edges, missing punches, leave,
//! holidays and make-up Saturdays, out-of-order and duplicate punches, shared ranks; evaluator
//! anomalies that fire and that must not.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use jiancha::domain::attendance::{self, AttendanceSettings, DayRecord, HalfDayStatus, Person};
use jiancha::domain::calendar::Calendar;
use jiancha::domain::evaluator::{self, AnomalyKind, Completion, EvaluatorSettings, Rating, RatingSource};
use jiancha::domain::model::{Leave, LeaveKind};

fn cal() -> &'static Calendar {
    static CALENDAR: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(Calendar::official)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn p(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn day(date: &str, punches: &[&str], leave: &[Leave]) -> DayRecord {
    let settings = AttendanceSettings::default();
    let punches: Vec<NaiveDateTime> = punches.iter().map(|t| p(&format!("{date} {t}"))).collect();
    let date = d(date);
    attendance::evaluate_day(date, &punches, leave, cal(), settings.schedule(None, date), &settings)
}

/// A normal Monday.
const MON: &str = "2026-11-23";

#[test]
fn a_punch_exactly_at_the_start_is_on_time_one_second_later_is_late() {
    let on_time = day(MON, &["08:30:00", "11:31:00", "12:59:00", "17:00:00"], &[]);
    assert_eq!(on_time.morning.status, HalfDayStatus::OnTime);
    assert_eq!(on_time.afternoon.status, HalfDayStatus::OnTime);
    let late = day(MON, &["08:30:01", "11:31:00", "12:59:00", "17:00:00"], &[]);
    assert_eq!(late.morning.status, HalfDayStatus::Late { secs: 1 });
    assert_eq!(late.morning.start_punch, Some(p("2026-11-23 08:30:01")), "the punch that decided it");
}

#[test]
fn thirty_minutes_late_or_early_is_absence() {
    let almost = day(MON, &["08:59:59", "11:31:00", "12:59:00", "17:00:00"], &[]);
    assert_eq!(almost.morning.status, HalfDayStatus::Late { secs: 29 * 60 + 59 });
    let absent = day(MON, &["09:00:00", "11:31:00", "12:59:00", "17:00:00"], &[]);
    assert!(matches!(absent.morning.status, HalfDayStatus::Absent { late_secs: 1800, .. }));
    let early = day(MON, &["08:20:00", "11:31:00", "12:59:00", "16:59:59"], &[]);
    assert_eq!(early.afternoon.status, HalfDayStatus::Early { secs: 1 });
    let gone = day(MON, &["08:20:00", "11:31:00", "12:59:00", "16:30:00"], &[]);
    assert!(gone.afternoon.status.is_absent());
    let both = day(MON, &["08:40:00", "11:20:00", "12:59:00", "17:05:00"], &[]);
    assert_eq!(both.morning.status, HalfDayStatus::LateAndEarly { late_secs: 600, early_secs: 600 });
}

#[test]
fn a_missing_punch_is_a_missing_punch_half_day() {
    let r = day(MON, &["08:20:00", "12:59:00", "17:00:00"], &[]);
    assert_eq!(r.morning.status, HalfDayStatus::MissingPunch { start: false, end: true });
    assert!(r.morning.status.is_absent());
    let none = day(MON, &[], &[]);
    assert_eq!(none.afternoon.status, HalfDayStatus::MissingPunch { start: true, end: true });
}

#[test]
fn leave_and_business_are_not_counted() {
    let leave = Leave {
        staff_no: "S1".into(),
        start: p("2026-11-23 08:30:00"),
        end: p("2026-11-23 17:00:00"),
        kind: LeaveKind::Leave,
    };
    let r = day(MON, &[], std::slice::from_ref(&leave));
    assert_eq!(r.morning.status, HalfDayStatus::OnLeave { kind: LeaveKind::Leave });
    assert_eq!(r.afternoon.status, HalfDayStatus::OnLeave { kind: LeaveKind::Leave });
    let afternoon =
        Leave { start: p("2026-11-23 13:00:00"), end: p("2026-11-23 17:00:00"), kind: LeaveKind::Business, ..leave };
    let r = day(MON, &["08:25:00", "11:35:00"], &[afternoon]);
    assert_eq!(r.morning.status, HalfDayStatus::OnTime);
    assert_eq!(r.afternoon.status, HalfDayStatus::OnLeave { kind: LeaveKind::Business });
}

#[test]
fn holidays_ignore_stray_punches_and_make_up_saturdays_count() {
    let holiday = day("2026-10-02", &["09:40:00"], &[]);
    assert_eq!(holiday.morning.status, HalfDayStatus::NotWorking);
    assert_eq!(holiday.punches.len(), 1, "the stray punch is still shown");
    let weekend = day("2026-11-28", &[], &[]);
    assert_eq!(weekend.afternoon.status, HalfDayStatus::NotWorking);
    // Saturday 10 October 2026 is a make-up working day.
    let makeup = day("2026-10-10", &["08:29:00", "11:30:05"], &[]);
    assert_eq!(makeup.morning.status, HalfDayStatus::OnTime);
    assert!(makeup.afternoon.status.is_absent(), "no afternoon punches on a working Saturday is absence");
}

#[test]
fn punches_out_of_order_and_duplicated_change_nothing() {
    let tidy = day(MON, &["08:25:00", "11:35:00", "12:55:00", "17:02:00"], &[]);
    let messy = day(MON, &["17:02:00", "08:25:00", "12:55:00", "08:25:00", "11:35:00", "08:27:10", "17:01:00"], &[]);
    assert_eq!(tidy.morning.status, messy.morning.status);
    assert_eq!(tidy.afternoon.status, messy.afternoon.status);
    assert_eq!(messy.morning.start_punch, Some(p("2026-11-23 08:25:00")), "the first start punch");
    assert_eq!(messy.afternoon.end_punch, Some(p("2026-11-23 17:02:00")), "the last end punch");
}

#[test]
fn the_summer_schedule_applies_between_its_dates() {
    let settings = AttendanceSettings {
        schedules: vec![
            attendance::Schedule::standard(),
            attendance::Schedule {
                name: "夏季".into(),
                hall: None,
                from: Some((6, 1)),
                to: Some((8, 31)),
                morning: attendance::Schedule::standard().morning,
                afternoon: attendance::Hours {
                    start: chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
                    end: chrono::NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
                },
            },
        ],
        ..AttendanceSettings::default()
    };
    assert_eq!(settings.schedule(None, d("2026-07-15")).name, "夏季");
    assert_eq!(settings.schedule(None, d("2026-09-01")).name, "标准作息");
    let date = d("2026-07-15");
    let punches =
        [p("2026-07-15 08:20:00"), p("2026-07-15 11:31:00"), p("2026-07-15 13:20:00"), p("2026-07-15 17:10:00")];
    let r = attendance::evaluate_day(date, &punches, &[], cal(), settings.schedule(None, date), &settings);
    assert_eq!(
        r.afternoon.status,
        HalfDayStatus::Early { secs: 1200 },
        "left 20 minutes before the summer end of 17:30"
    );
}

fn person(no: &str, dept: &str) -> Person {
    Person { staff_no: no.into(), name: format!("姓名{no}"), department: dept.into(), hall: None }
}

/// Days of a period with `late` late mornings.
fn with_lates(late: usize) -> Vec<DayRecord> {
    let start = d("2026-11-23");
    (0..5)
        .map(|i| {
            let date = start + chrono::Duration::days(i);
            let first = if (i as usize) < late { "08:35:00" } else { "08:25:00" };
            let punches: Vec<NaiveDateTime> = [first, "11:35:00", "12:55:00", "17:02:00"]
                .iter()
                .map(|t| date.and_time(chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").unwrap()))
                .collect();
            let s = AttendanceSettings::default();
            attendance::evaluate_day(date, &punches, &[], cal(), s.schedule(None, date), &s)
        })
        .collect()
}

#[test]
fn ties_share_a_rank_and_the_top_three_can_be_more_than_three() {
    let people = vec![
        (person("S1", "甲局"), with_lates(3)),
        (person("S2", "甲局"), with_lates(2)),
        (person("S3", "乙局"), with_lates(2)),
        (person("S4", "乙局"), with_lates(1)),
        (person("S5", "丙局"), with_lates(0)),
    ];
    let r = attendance::rank(d("2026-11-23"), d("2026-12-06"), &people);
    let ranks: BTreeMap<&str, Option<u32>> = r.staff.iter().map(|s| (s.staff_no.as_str(), s.rank)).collect();
    assert_eq!(ranks["S1"], Some(1));
    assert_eq!(ranks["S2"], Some(2));
    assert_eq!(ranks["S3"], Some(2));
    assert_eq!(ranks["S4"], Some(4));
    assert_eq!(ranks["S5"], None, "no late or early mark: no rank");
    let interviewed: Vec<&str> = r.staff.iter().filter(|s| s.interview).map(|s| s.staff_no.as_str()).collect();
    assert_eq!(interviewed, ["S1", "S2", "S3"]);
    // Four people tied at 1: all four are interviewed.
    let tied: Vec<_> = (1..=4).map(|i| (person(&format!("T{i}"), "甲局"), with_lates(1))).collect();
    let r = attendance::rank(d("2026-11-23"), d("2026-12-06"), &tied);
    assert_eq!(r.staff.iter().filter(|s| s.interview).count(), 4);
    // Departments by their staff totals: 甲局 5, 乙局 3.
    let r = attendance::rank(d("2026-11-23"), d("2026-12-06"), &people);
    assert_eq!(r.departments[0].department, "甲局");
    assert_eq!((r.departments[0].late, r.departments[0].rank), (5, Some(1)));
    assert_eq!(r.departments.last().unwrap().rank, None);
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{}+08:00", s.replace(' ', "T"))).unwrap().with_timezone(&Utc)
}

fn rating(window: &str, when: &str, case: Option<&str>) -> Rating {
    Rating {
        window: window.into(),
        at: at(when),
        rating: 5,
        case_no: case.map(str::to_owned),
        staff_no: None,
        source: RatingSource::Device,
    }
}

fn done(window: &str, when: &str, case: &str) -> Completion {
    Completion { case_no: case.into(), window: window.into(), at: at(when) }
}

#[test]
fn evaluator_anomalies_that_fire_and_that_must_not() {
    let settings = EvaluatorSettings::default();
    let completions = vec![
        done("A05", "2026-11-27 10:00:00", "C1"),
        done("A05", "2026-11-27 10:20:00", "C2"),
        done("A04", "2026-11-27 11:00:00", "C3"),
    ];
    let ratings = vec![
        // Five minutes after a completion: fine.
        rating("A05", "2026-11-27 10:05:00", Some("C1")),
        // Eleven minutes after the last completion: no completion before it.
        rating("A05", "2026-11-27 10:31:00", None),
        // A burst: three within 60 s.
        rating("A04", "2026-11-27 11:01:00", Some("C3")),
        rating("A04", "2026-11-27 11:01:30", None),
        rating("A04", "2026-11-27 11:02:00", None),
        // Two more 61 s apart, over ten minutes after the last completion: no burst, but no completion either.
        rating("A04", "2026-11-27 11:14:00", None),
        rating("A04", "2026-11-27 11:15:01", None),
        // Rated before its case was completed.
        rating("A05", "2026-11-27 10:19:00", Some("C2")),
    ];
    let completion_of: BTreeMap<String, DateTime<Utc>> =
        completions.iter().map(|c| (c.case_no.clone(), c.at)).collect();
    let check = evaluator::check_day(d("2026-11-27"), &completions, &ratings, &completion_of, &settings);
    let kinds = |k: AnomalyKind| check.anomalies.iter().filter(|a| a.kind == k).count();
    assert_eq!(kinds(AnomalyKind::Burst), 1);
    let burst = check.anomalies.iter().find(|a| a.kind == AnomalyKind::Burst).unwrap();
    assert_eq!(burst.ratings.len(), 3);
    assert_eq!(burst.window, "A04");
    assert_eq!(kinds(AnomalyKind::BeforeCompletion), 1);
    let missing: Vec<String> = check
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::NoCompletionBefore)
        .map(|a| format!("{} {}", a.window, jiancha::domain::time::format_local(a.at)))
        .collect();
    // 10:19 at A05 is also nineteen minutes after the completion of 10:00 (and before its own case's).
    assert_eq!(
        missing,
        ["A04 2026-11-27 11:14:00", "A04 2026-11-27 11:15:01", "A05 2026-11-27 10:19:00", "A05 2026-11-27 10:31:00"],
        "eleven or more minutes after the last completion"
    );
    let usage: BTreeMap<&str, &evaluator::Usage> = check.usage.iter().map(|u| (u.window.as_str(), u)).collect();
    assert_eq!((usage["A05"].completed, usage["A05"].evaluated), (2, 2));
    assert!(!usage["A05"].below_minimum);
    assert_eq!((usage["A04"].completed, usage["A04"].evaluated), (1, 1));
}

#[test]
fn usage_below_ninety_percent_is_flagged() {
    let settings = EvaluatorSettings::default();
    let completions: Vec<Completion> =
        (0..10).map(|i| done("B01", &format!("2026-11-27 {:02}:00:00", 8 + i), &format!("K{i}"))).collect();
    let ratings: Vec<Rating> =
        (0..9).map(|i| rating("B01", &format!("2026-11-27 {:02}:02:00", 8 + i), Some(&format!("K{i}")))).collect();
    let check = evaluator::check_day(d("2026-11-27"), &completions, &ratings, &BTreeMap::new(), &settings);
    assert_eq!(check.usage[0].rate, Some(0.9));
    assert!(!check.usage[0].below_minimum, "exactly 90% is not below");
    let check = evaluator::check_day(d("2026-11-27"), &completions, &ratings[..8], &BTreeMap::new(), &settings);
    assert!(check.usage[0].below_minimum);
}

#[test]
fn poor_rating_follow_up_is_due_in_working_days() {
    // Rated on Friday 25 September 2026, before the Mid-Autumn and National Day holidays.
    let (visit, fix) = evaluator::follow_up_due(cal(), d("2026-09-25"), &EvaluatorSettings::default());
    assert_eq!(visit, d("2026-09-28"));
    assert_eq!(fix, d("2026-10-22"), "15 working days, skipping 1–7 Oct and counting the make-up 10 Oct");
}

mod through_the_store {
    use std::sync::Arc;

    use chrono::{DateTime, NaiveDate, Utc};
    use jiancha::clock::FixedClock;
    use jiancha::interchange::{self, ImportKind};
    use jiancha::store::prelude::*;
    use jiancha::store::sqlite::SqlStore;
    use jiancha::store::{FollowUpStep, NewInterview, StoreError};

    const STAFF: &str = "staff_no,name,department,window,device_user_id\nS0001,张三,市税务局,,101\nS0002,李四,市税务局,,102\nS0003,王五,市民政局,,\n";

    fn store_with(kind_file: (&str, &str)) -> SqlStore {
        let now = DateTime::parse_from_rfc3339("2026-12-07T09:00:00+08:00").unwrap().with_timezone(&Utc);
        let store = SqlStore::open_in_memory(Arc::new(FixedClock::new(now))).unwrap();
        let system = store.system_session();
        // Staff and punches of one hall (named: none is set up yet).
        for (kind, file, text) in
            [(ImportKind::Staff, "staff.csv", STAFF), (ImportKind::Punches, kind_file.0, kind_file.1)]
        {
            let mut batch = interchange::parse(kind, file, text).unwrap();
            batch.hall = Some("SP-CITY".into());
            store.import(&system, &batch).unwrap();
        }
        store
    }

    /// Two weeks of punches for three people; S0001 late twice, S0002 early once, S0003 one missing punch.
    fn punches() -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        let mut date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for i in 0..12 {
            if chrono::Datelike::weekday(&date).num_days_from_monday() < 5 {
                for (no, device) in [("S0001", "101"), ("S0002", "102"), ("S0003", "S0003")] {
                    let first = if no == "S0001" && i < 2 { "08:40:00" } else { "08:20:00" };
                    let last = if no == "S0002" && i == 3 { "16:45:00" } else { "17:05:00" };
                    for t in [first, "11:40:00", "12:50:00", last] {
                        if no == "S0003" && i == 4 && t == "11:40:00" {
                            continue;
                        }
                        out.push((no, device, format!("{date} {t}")));
                    }
                }
            }
            date = date.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn attlog_gives_the_same_result_as_csv() {
        let csv: String = std::iter::once("staff_no,time,device\n".to_owned())
            .chain(punches().iter().map(|(no, _, t)| format!("{no},{t},door\n")))
            .collect();
        let attlog: String =
            punches().iter().rev().map(|(_, device, t)| format!("{device:>9}\t{t}\t1\t0\t1\t0\r\n")).collect();
        let a = store_with(("punches.csv", &csv));
        let b = store_with(("attlog.dat", &attlog));
        let period = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ra = a.attendance(&a.system_session(), period).unwrap();
        let rb = b.attendance(&b.system_session(), period).unwrap();
        assert_eq!(ra.ranking, rb.ranking);
        let rows: Vec<(&str, u32, u32, u32, Option<u32>)> =
            ra.ranking.staff.iter().map(|s| (s.staff_no.as_str(), s.late, s.early, s.absent, s.rank)).collect();
        assert_eq!(rows, [("S0001", 2, 0, 0, Some(1)), ("S0002", 0, 1, 0, Some(2)), ("S0003", 0, 0, 1, None)]);
        assert_eq!(ra.ranking.period_start, period);
        assert_eq!(ra.days.len(), 3);
        // Any day of the period gives the same period.
        let mid = a.attendance(&a.system_session(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
        assert_eq!(mid.ranking.period_start, period);
    }

    fn csv_store() -> SqlStore {
        let csv: String = std::iter::once("staff_no,time,device\n".to_owned())
            .chain(punches().iter().map(|(no, _, t)| format!("{no},{t},door\n")))
            .collect();
        store_with(("punches.csv", &csv))
    }

    #[test]
    fn days_outside_the_records_are_not_counted_as_absence() {
        use jiancha::domain::attendance::HalfDayStatus;
        let store = csv_store();
        let system = store.system_session();
        // The records run from 23 November to 4 December; the period after has none at all.
        let later = store.attendance(&system, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()).unwrap();
        assert_eq!(
            later.records,
            Some((NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()))
        );
        assert!(later.ranking.staff.iter().all(|s| s.absent == 0 && s.working_days == 0 && s.rank.is_none()));
        let monday = &later.days[0].1[0];
        assert_eq!(monday.morning.status, HalfDayStatus::NoRecords);
        // The trend does not reach back before the records began.
        let trend = store.attendance_trend(&system, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(), 8).unwrap();
        assert_eq!(
            trend.periods,
            [NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()]
        );
        // A person's key is the hall and number (numbers are each hall's own).
        assert_eq!(trend.staff["SP-CITY/S0001"], [2, 0]);
    }

    /// The ranking PDF as a supervisor prints it: its text read back with poppler's `pdftotext`, and
    /// its CJK font embedded.
    #[test]
    fn the_ranking_pdf_reads_back() {
        let store = csv_store();
        let period = store.attendance(&store.system_session(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
        let generated = DateTime::parse_from_rfc3339("2026-12-07T09:00:00+08:00").unwrap().with_timezone(&Utc);
        let sheet = jiancha::report::attendance::ranking_sheet("四平市政务服务中心", &period.ranking, generated, None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ranking.pdf");
        jiancha::report::write_pdf(&path, &sheet).unwrap();
        let text = std::process::Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output().unwrap();
        assert!(text.status.success(), "pdftotext: {}", String::from_utf8_lossy(&text.stderr));
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("四平市政务服务中心窗口工作人员考勤统计"), "{text}");
        assert!(text.contains("2026-11-23 至 2026-12-06"), "{text}");
        let line =
            |no: &str| text.lines().find(|l| l.contains(no)).unwrap_or_else(|| panic!("{no} in {text}")).to_owned();
        let first = line("S0001");
        let cells: Vec<&str> = first.split_whitespace().collect();
        assert_eq!(cells, ["1", "S0001", "张三", "市税务局", "2", "0", "0", "约谈"], "{first}");
        assert!(line("S0003").split_whitespace().collect::<Vec<_>>().starts_with(&["—", "S0003", "王五"]));
        let fonts = std::process::Command::new("pdffonts").arg(&path).output().unwrap();
        let fonts = String::from_utf8(fonts.stdout).unwrap();
        let cjk = fonts.lines().find(|l| l.contains("CJK") || l.contains("Noto")).unwrap_or_else(|| panic!("{fonts}"));
        assert!(cjk.split_whitespace().filter(|w| *w == "yes").count() >= 2, "embedded subset: {cjk}");
    }

    #[test]
    fn interviews_are_recorded_for_the_period() {
        let csv: String = std::iter::once("staff_no,time,device\n".to_owned())
            .chain(punches().iter().map(|(no, _, t)| format!("{no},{t},door\n")))
            .collect();
        let store = store_with(("punches.csv", &csv));
        let system = store.system_session();
        let held = DateTime::parse_from_rfc3339("2026-12-07T10:00:00+08:00").unwrap().with_timezone(&Utc);
        let interview = NewInterview {
            period_start: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            staff_no: "S0001".into(),
            hall: None,
            held_at: held,
            participants: "市税务局办公室主任、监察员张明".into(),
            note: "说明迟到原因，承诺改正".into(),
        };
        let recorded = store.record_interview(&system, &interview).unwrap();
        assert_eq!(recorded.period_start, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), "filed under its period");
        let p = store.attendance(&system, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
        assert_eq!(p.interviews.len(), 1);
        assert!(matches!(
            store.record_interview(&system, &NewInterview { participants: " ".into(), ..interview }),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn poor_ratings_are_followed_up_once() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T18:00:00+08:00").unwrap().with_timezone(&Utc);
        let dir = tempfile::tempdir().unwrap();
        crate::support::demo_hall::write_demo(dir.path(), 5, now);
        let store = crate::support::backend::open_dir(dir.path(), Arc::new(FixedClock::new(now)));
        let system = store.system_session();
        let from = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let poor = store.poor_ratings(&system, from, to).unwrap();
        assert!(!poor.is_empty(), "the demo has poor ratings");
        let open = poor.iter().find(|p| p.visit.is_none()).expect("one without a return visit");
        assert!(open.visit_due > jiancha::domain::time::local_date(open.rating.at));
        let done =
            store.record_follow_up(&system, &open.key, FollowUpStep::ReturnVisit, "电话回访，申请人已谅解").unwrap();
        assert!(done.visit.is_some());
        assert!(matches!(
            store.record_follow_up(&system, &open.key, FollowUpStep::ReturnVisit, "again"),
            Err(StoreError::Conflict(_))
        ));
        let sat = store.satisfaction(&system, from, to).unwrap();
        assert!(sat.departments.len() >= 10);
        assert!(sat.weekly.len() >= 10);
        assert!(sat.departments.iter().all(|d| (1.0..=5.0).contains(&d.average)));
    }
}

mod ranking_properties {
    //! The ranking as properties over random periods: competition ranks (1, 2, 2, 4) by marks and by
    //! absences, interviews for ranks 1–3 with a mark, sorted output, department sums.

    use super::*;
    use jiancha::domain::attendance::{Half, HalfDay};
    use proptest::prelude::*;

    fn status(code: u8) -> HalfDayStatus {
        match code {
            0 => HalfDayStatus::OnTime,
            1 => HalfDayStatus::Late { secs: 120 },
            2 => HalfDayStatus::Early { secs: 300 },
            3 => HalfDayStatus::LateAndEarly { late_secs: 60, early_secs: 60 },
            4 => HalfDayStatus::MissingPunch { start: true, end: false },
            5 => HalfDayStatus::Absent { late_secs: 7200, early_secs: 0 },
            6 => HalfDayStatus::OnLeave { kind: LeaveKind::Leave },
            7 => HalfDayStatus::NotWorking,
            _ => HalfDayStatus::NoRecords,
        }
    }

    fn half(which: Half, code: u8) -> HalfDay {
        HalfDay { half: which, status: status(code), start_punch: None, end_punch: None }
    }

    /// Person `i` of department `i % departments`, with one (morning, afternoon) pair per day.
    fn people(days: &[Vec<(u8, u8)>], departments: usize) -> Vec<(Person, Vec<DayRecord>)> {
        let start = d("2026-11-09");
        days.iter()
            .enumerate()
            .map(|(i, halves)| {
                let person = Person {
                    staff_no: format!("S{i:04}"),
                    name: format!("员工{i}"),
                    department: format!("部门{}", i % departments),
                    hall: None,
                };
                let records = halves
                    .iter()
                    .enumerate()
                    .map(|(k, (m, a))| DayRecord {
                        date: start + chrono::Duration::days(k as i64),
                        morning: half(Half::Morning, *m),
                        afternoon: half(Half::Afternoon, *a),
                        punches: Vec::new(),
                    })
                    .collect();
                (person, records)
            })
            .collect()
    }

    /// The competition rank of `key` among `all`: one more than the number of larger keys.
    fn expected_rank(key: u32, all: &[u32]) -> Option<u32> {
        (key > 0).then(|| 1 + all.iter().filter(|k| **k > key).count() as u32)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn ranks_are_shared_skip_and_decide_the_interviews(
            days in proptest::collection::vec(proptest::collection::vec((0u8..9, 0u8..9), 14), 1..25),
            departments in 1usize..5,
        ) {
            let people = people(&days, departments);
            let r = attendance::rank(d("2026-11-09"), d("2026-11-22"), &people);
            prop_assert_eq!(r.staff.len(), people.len());
            let marks: Vec<u32> = r.staff.iter().map(|t| t.marks()).collect();
            let absences: Vec<u32> = r.staff.iter().map(|t| t.absent).collect();
            for t in &r.staff {
                prop_assert_eq!(t.rank, expected_rank(t.marks(), &marks), "{}", t.staff_no);
                prop_assert_eq!(t.absence_rank, expected_rank(t.absent, &absences), "{}", t.staff_no);
                prop_assert_eq!(t.interview, t.rank.is_some_and(|r| r <= 3));
                prop_assert!(t.working_days <= 14);
            }
            // Counts are the days' own: every late, early and absent half-day once.
            for (t, (person, records)) in r.staff.iter().map(|t| (t, people.iter().find(|p| p.0.staff_no == t.staff_no).unwrap())) {
                prop_assert_eq!(&t.department, &person.department);
                let halves = records.iter().flat_map(|d| [d.morning.status, d.afternoon.status]);
                let (late, early, absent) = halves.fold((0, 0, 0), |(l, e, a), s| {
                    (l + u32::from(s.is_late()), e + u32::from(s.is_early()), a + u32::from(s.is_absent()))
                });
                prop_assert_eq!((t.late, t.early, t.absent), (late, early, absent));
            }
            // Ranked first (by rank, then absences), unranked last.
            let order: Vec<(u32, u32)> =
                r.staff.iter().map(|t| (t.rank.unwrap_or(u32::MAX), t.absence_rank.unwrap_or(u32::MAX))).collect();
            prop_assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
            // Departments sum their staff and are ranked the same way.
            let dept_marks: Vec<u32> = r.departments.iter().map(|d| d.late + d.early).collect();
            prop_assert_eq!(r.departments.iter().map(|d| d.staff).sum::<u32>() as usize, people.len());
            for dt in &r.departments {
                let members: Vec<_> = r.staff.iter().filter(|t| t.department == dt.department).collect();
                prop_assert_eq!(dt.staff as usize, members.len());
                prop_assert_eq!(dt.late, members.iter().map(|t| t.late).sum::<u32>());
                prop_assert_eq!(dt.absent, members.iter().map(|t| t.absent).sum::<u32>());
                prop_assert_eq!(dt.rank, expected_rank(dt.late + dt.early, &dept_marks));
                prop_assert_eq!(dt.interview, dt.rank.is_some_and(|r| r <= 3));
            }
        }
    }
}
