//! Figures for the attendance ranking (Art 8(2)3): 2,000 staff with a year of fingerprint punches
//! (about two million) imported into a SQLite file, then one period's ranking, the trend over the
//! whole year, and the pure evaluation of a year for everyone.
//! Run with `cargo bench --bench attendance`; `cargo test --all-targets` only builds it, and the built
//! binary run without `--bench` runs scaled down.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use jiancha::store::prelude::*;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::attendance::{self, AttendanceSettings, Person};
use jiancha::domain::calendar::Calendar;
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use rand::{Rng as _, SeedableRng as _};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-31T20:00:00+08:00").unwrap().with_timezone(&Utc)
}

fn staff_no(i: usize) -> String {
    format!("S{i:05}")
}

/// Everyone's punches for the working days of `from..=to`: four a day, a few late or early.
fn punches(staff: usize, from: NaiveDate, to: NaiveDate, calendar: &Calendar) -> Vec<(usize, chrono::NaiveDateTime)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(37);
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if calendar.is_working_day(day) {
            for i in 0..staff {
                let at = |h: u32, m: u32| day.and_hms_opt(h, m, 0).unwrap();
                let late = rng.gen_bool(0.03);
                let first = if late { at(8, 31) } else { at(8, 10) } + Duration::seconds(rng.gen_range(0..900));
                out.push((i, first));
                out.push((i, at(11, 31) + Duration::seconds(rng.gen_range(0..600))));
                out.push((i, at(12, 40) + Duration::seconds(rng.gen_range(0..900))));
                let early = rng.gen_bool(0.01);
                out.push((i, if early { at(16, 40) } else { at(17, 1) } + Duration::seconds(rng.gen_range(0..600))));
            }
        }
        day = day.succ_opt().unwrap();
    }
    out
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let staff = if full { 2_000 } else { 40 };
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let to = if full {
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
    } else {
        NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
    };
    let calendar = Calendar::official();
    let settings = AttendanceSettings::default();

    let t = Instant::now();
    let all = punches(staff, from, to, &calendar);
    println!("generated {} punches for {staff} staff ({from} – {to}) in {:.2} s", all.len(), t.elapsed().as_secs_f64());

    // Into a SQLite file, a month per import as the fingerprint machine's export arrives.
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_dir(dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let system = store.system_session();
    let mut csv = String::from("staff_no,name,department,window,device_user_id\n");
    for i in 0..staff {
        writeln!(csv, "{},职工{i},部门{:02},,", staff_no(i), i % 20).unwrap();
    }
    let mut batch = interchange::parse(ImportKind::Staff, "staff.csv", &csv).unwrap();
    batch.hall = Some("SP-CITY".into());
    store.import(&system, &batch).unwrap();
    let t = Instant::now();
    let mut month_start = 0;
    while month_start < all.len() {
        let month = chrono::Datelike::month(&all[month_start].1);
        let end = all[month_start..]
            .iter()
            .position(|(_, at)| chrono::Datelike::month(at) != month)
            .map_or(all.len(), |p| month_start + p);
        let mut csv = String::from("staff_no,time,device\n");
        for (i, at) in &all[month_start..end] {
            writeln!(csv, "{},{},door", staff_no(*i), at.format("%Y-%m-%d %H:%M:%S")).unwrap();
        }
        let mut batch = interchange::parse(ImportKind::Punches, &format!("punches-{month:02}.csv"), &csv).unwrap();
        batch.hall = Some("SP-CITY".into());
        store.import(&system, &batch).unwrap();
        month_start = end;
    }
    let seconds = t.elapsed().as_secs_f64();
    println!("import: {} punches in {seconds:.2} s = {:.0} punches/s", all.len(), all.len() as f64 / seconds);

    // One period's ranking with everyone's day records (what the console loads).
    let period = settings.period_start(to - Duration::days(20));
    let runs = 5;
    let t = Instant::now();
    let mut ranked = 0;
    for _ in 0..runs {
        let p = store.attendance(&system, period).unwrap();
        ranked = p.ranking.staff.len();
        assert!(p.ranking.staff.iter().any(|s| s.rank == Some(1)), "someone was late");
    }
    let per = t.elapsed().as_secs_f64() / f64::from(runs);
    println!("ranking of one period ({period}) for {ranked} staff through the store: {:.1} ms", per * 1e3);

    // The trend over the whole year (26 periods) through the store.
    let periods = if full { 26 } else { 4 };
    let t = Instant::now();
    let trend = store.attendance_trend(&system, period, periods).unwrap();
    println!(
        "trend over {} periods ({} – {}) for {staff} staff through the store: {:.1} ms",
        trend.periods.len(),
        trend.periods.first().unwrap(),
        trend.periods.last().unwrap(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // The pure rules: evaluate every person's every day of the year, then rank the year's periods.
    let mut by_person: Vec<Vec<chrono::NaiveDateTime>> = vec![Vec::new(); staff];
    for (i, at) in &all {
        by_person[*i].push(*at);
    }
    let t = Instant::now();
    let schedule = settings.schedule(None, from);
    let mut people = Vec::with_capacity(staff);
    for (i, punches) in by_person.iter().enumerate() {
        let mut days = Vec::new();
        let mut day = from;
        let mut start = 0;
        while day <= to {
            let end = start + punches[start..].iter().take_while(|p| p.date() == day).count();
            days.push(attendance::evaluate_day(day, &punches[start..end], &[], &calendar, schedule, &settings));
            start = end;
            day = day.succ_opt().unwrap();
        }
        let person = Person {
            staff_no: staff_no(i),
            name: format!("职工{i}"),
            department: format!("部门{:02}", i % 20),
            hall: None,
        };
        people.push((person, days));
    }
    let evaluated = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut start = settings.period_start(from);
    let mut count = 0;
    while start <= to {
        let r = attendance::rank(start, settings.period_end(start), &people);
        count += usize::from(!r.staff.is_empty());
        start += Duration::days(14);
    }
    println!(
        "pure: evaluate {} person-days in {:.1} ms, rank {count} periods in {:.1} ms",
        people.iter().map(|(_, d)| d.len()).sum::<usize>(),
        evaluated * 1e3,
        t.elapsed().as_secs_f64() * 1e3
    );
}
