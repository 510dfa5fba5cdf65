//! Figures for 绩效评估: a year of monthly scores for 50 departments over 1,000,000 cases, through the
//! store (`assessment` per month, `assessment_items` of one department, `assessment_year`,
//! `publish_assessment`). Target: one month under 1 s.
//! Run with `cargo bench --bench assessment`; `cargo test --all-targets` only builds it, and the built
//! binary run without `--bench` runs scaled down (10 departments, 20,000 cases). The same database is
//! then moved to PostgreSQL (`jiancha migrate`'s copy, into a throw-away cluster) and measured there:
//! the months, the open-alert query, the overview and the time-driven refresh.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

#[path = "support/pg.rs"]
mod pg;

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::assessment::YearMonth;
use jiancha::domain::time;
use jiancha::store::sqlite::{DB_FILE, SqlStore};
use rand::{Rng as _, SeedableRng as _};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-01-05T10:00:00+08:00").unwrap().with_timezone(&Utc)
}

/// A hall with `departments` departments (a window, ten staff and an item each) and `cases` cases
/// accepted through 2026: completions, supplements, alerts of every kind, ratings, notices, punches of
/// every working day, observations on slips, violations with decisions.
fn build(dir: &std::path::Path, departments: i64, cases: i64) -> SqlStore {
    let clock = Arc::new(FixedClock::new(now()));
    drop(SqlStore::open_dir(dir, clock.clone()).unwrap());
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let calendar = jiancha::domain::calendar::Calendar::official();
    conn.execute_batch("BEGIN; INSERT INTO hall (code, name) VALUES ('SP-CITY', '四平市政务服务中心');").unwrap();
    for d in 1..=departments {
        conn.execute(
            "INSERT INTO department (id, hall_code, name) VALUES (?1, 'SP-CITY', ?2)",
            rusqlite::params![d, format!("部门{d:02}")],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO service_window (id, hall_code, code, name, department_id) VALUES (?1, 'SP-CITY', ?2, ?2, ?1)",
            rusqlite::params![d, format!("W{d:02}")],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO item (code, name, department_id, legal_days, promised_days, fee_fen, workflow, step_limits)
             VALUES (?1, ?1, ?2, 20, 5, 0, '[\"accept\",\"approve\",\"complete\"]', '[null,null,null]')",
            rusqlite::params![format!("I{d:02}"), d],
        )
        .unwrap();
        for s in 0..10 {
            conn.execute(
                "INSERT INTO staff (hall_code, staff_no, name, department_id, window_id) VALUES ('SP-CITY', ?1, ?1, ?2, ?2)",
                rusqlite::params![format!("S{d:02}{s}"), d],
            )
            .unwrap();
        }
    }
    let year_start = time::start_of_day("2026-01-01".parse().unwrap()).timestamp();
    let rules = [
        "late_entry",
        "step_overdue",
        "repeated_supplement",
        "fee_mismatch",
        "overdue_serious",
        "completed_late",
        "missing_document",
    ];
    let level = |r: &str| match r {
        "overdue_serious" | "fee_mismatch" | "completed_late" => "red",
        _ => "orange",
    };
    {
        let mut case = conn
            .prepare("INSERT INTO case_file (id, case_no, item_code, hall_code, window_id, staff_id, accepted_at, completed_at, status, event_count) VALUES (?1, ?2, ?3, 'SP-CITY', ?4, ?5, ?6, ?7, ?8, 3)")
            .unwrap();
        let mut event = conn
            .prepare("INSERT INTO event (case_id, step, occurred_at, recorded_at, hall_code, window_id, staff_id, rating, reason) VALUES (?1, ?2, ?3, ?3, 'SP-CITY', ?4, ?5, ?6, ?7)")
            .unwrap();
        let mut alert = conn
            .prepare("INSERT INTO alert (case_id, rule, alert_key, level, since, explanation) VALUES (?1, ?2, '', ?3, ?4, 'bench')")
            .unwrap();
        for i in 1..=cases {
            let d = rng.gen_range(1..=departments);
            let staff = (d - 1) * 10 + rng.gen_range(1..=10);
            let accepted = year_start + rng.gen_range(0..365 * 86400);
            let done = rng.gen_bool(0.95).then(|| accepted + rng.gen_range(1..12) * 86400);
            let status = if done.is_some() { "completed" } else { "in_progress" };
            case.execute(rusqlite::params![
                i,
                format!("SP{i:09}"),
                format!("I{d:02}"),
                d,
                staff,
                accepted,
                done,
                status
            ])
            .unwrap();
            event.execute(rusqlite::params![i, "accept", accepted, d, staff, None::<u8>, None::<&str>]).unwrap();
            if rng.gen_bool(0.08) {
                event
                    .execute(rusqlite::params![
                        i,
                        "supplement_request",
                        accepted + 86400,
                        d,
                        staff,
                        None::<u8>,
                        None::<&str>
                    ])
                    .unwrap();
                event
                    .execute(rusqlite::params![
                        i,
                        "supplement_received",
                        accepted + 3 * 86400,
                        d,
                        staff,
                        None::<u8>,
                        None::<&str>
                    ])
                    .unwrap();
            }
            if let Some(done) = done {
                event.execute(rusqlite::params![i, "complete", done, d, staff, None::<u8>, None::<&str>]).unwrap();
                if rng.gen_bool(0.5) {
                    let rating: u8 = if rng.gen_bool(0.05) { rng.gen_range(1..=2) } else { rng.gen_range(3..=5) };
                    event
                        .execute(rusqlite::params![i, "evaluate", done + 120, d, staff, Some(rating), None::<&str>])
                        .unwrap();
                }
            }
            if rng.gen_bool(0.10) {
                let rule = rules[rng.gen_range(0..rules.len())];
                alert
                    .execute(rusqlite::params![i, rule, level(rule), accepted + rng.gen_range(0..10) * 86400])
                    .unwrap();
            }
        }
        // Notices on some alerts, half answered in time.
        let mut notice = conn
            .prepare("INSERT INTO notice (notice_no, year, seq, alert_id, case_id, department_id, text, issued_at, issued_by, due_date, reply_text, reply_at, reply_recorded_by)
                      SELECT '〔2026〕督第' || a.id || '号', 2026, a.id, a.id, a.case_id, i.department_id, '请说明', a.since, 'supervisor1',
                             date(a.since + 28800 + 7 * 86400, 'unixepoch'),
                             CASE WHEN a.id % 2 = 0 THEN '已整改' END, CASE WHEN a.id % 2 = 0 THEN a.since + 3 * 86400 END,
                             CASE WHEN a.id % 2 = 0 THEN 'supervisor1' END
                      FROM alert a JOIN case_file c ON c.id = a.case_id JOIN item i ON i.code = c.item_code WHERE a.id % 20 = 0")
            .unwrap();
        notice.execute([]).unwrap();
        // Punches of every working day of 2026, four a day, some late.
        let mut punch = conn.prepare("INSERT INTO punch (staff_id, time, device) VALUES (?1, ?2, 'A')").unwrap();
        let staff_count = departments * 10;
        let mut day: chrono::NaiveDate = "2026-01-01".parse().unwrap();
        while day.to_string().starts_with("2026") {
            if calendar.is_working_day(day) {
                for s in 1..=staff_count {
                    let late = rng.gen_bool(0.03);
                    for t in [if late { "08:41:00" } else { "08:21:00" }, "11:31:00", "12:55:00", "17:02:00"] {
                        punch.execute(rusqlite::params![s, format!("{day} {t}")]).unwrap();
                    }
                }
            }
            day = day.succ_opt().unwrap();
        }
        // Violations with decisions, a few per department and month.
        let mut violation = conn
            .prepare("INSERT INTO violation (item, subject, department_id, source, occurred_at, description, recorded_by, recorded_at) VALUES ('11(3)', 'department', ?1, 'rule', ?2, '超期', 'supervisor1', ?2)")
            .unwrap();
        let mut decision = conn
            .prepare("INSERT INTO violation_decision (violation_id, measures, warning, decided_at, decided_by) VALUES (?1, 'admonition,written_self_criticism', 1, ?2, 'chief1')")
            .unwrap();
        for _ in 0..(departments * 24) {
            let at = year_start + rng.gen_range(0..365 * 86400);
            violation.execute(rusqlite::params![rng.gen_range(1..=departments), at]).unwrap();
            decision.execute(rusqlite::params![conn.last_insert_rowid(), at + 86400]).unwrap();
        }
    }
    conn.execute_batch("COMMIT; ANALYZE;").unwrap();
    drop(conn);
    SqlStore::open_dir(dir, clock).unwrap()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (departments, cases): (i64, i64) = if full { (50, 1_000_000) } else { (10, 20_000) };
    let dir = tempfile::tempdir().unwrap();
    // JIANCHA_BENCH_DIR=DIR builds the database there and leaves it (for looking at query plans).
    let kept = std::env::var_os("JIANCHA_BENCH_DIR").map(std::path::PathBuf::from);
    let at = kept.clone().unwrap_or_else(|| dir.path().to_owned());
    let start = Instant::now();
    let store = build(&at, departments, cases);
    println!(
        "assessment: built {departments} departments, {cases} cases of 2026 in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let session = store.system_session();
    let mut times = Vec::new();
    let mut ranked = 0;
    for m in 1..=12 {
        let month = YearMonth::new(2026, m).unwrap();
        let start = Instant::now();
        let view = store.assessment(&session, month).unwrap();
        times.push(start.elapsed());
        ranked = view.live.departments.iter().filter(|d| d.rank.is_some()).count();
        assert_eq!(ranked as i64, departments, "{month}: every department has cases");
    }
    let total: Duration = times.iter().sum();
    let mut sorted = times.clone();
    sorted.sort();
    println!(
        "assessment: a month of {ranked} departments over {cases} cases: median {:.0} ms, slowest {:.0} ms; 12 months {:.2} s",
        sorted[6].as_secs_f64() * 1e3,
        sorted[11].as_secs_f64() * 1e3,
        total.as_secs_f64()
    );
    let month = YearMonth::new(2026, 11).unwrap();
    let start = Instant::now();
    let items = store.assessment_items(&session, month, 1).unwrap();
    println!(
        "assessment: the drill-down of one department's month: {} records in {:.0} ms",
        items.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let year = store.assessment_year(&session, 2026).unwrap();
    println!(
        "assessment: the year (12 months computed, quarters, halves, ranks) in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(year.departments.len() as i64, departments);
    let start = Instant::now();
    for m in 1..=12 {
        store.publish_assessment(&session, YearMonth::new(2026, m).unwrap(), "").unwrap();
    }
    println!("assessment: publishing the 12 months in {:.2} s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let year = store.assessment_year(&session, 2026).unwrap();
    println!("assessment: the year from its 12 publications in {:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    assert!(year.published.iter().all(Option::is_some));
    drop(store);
    on_postgres(&at, departments, cases);
}

/// The same hall on PostgreSQL: moved with `jiancha migrate`'s copy, then the months, the open alerts,
/// the overview and the refresh as on SQLite.
fn on_postgres(dir: &std::path::Path, departments: i64, cases: i64) {
    let mut cluster = pg::Cluster::start();
    let db = pg::Cluster::open(&cluster.database("assessment"));
    let sqlite = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let start = Instant::now();
    jiancha::store::pg::copy::copy_hall(&sqlite, &db).unwrap();
    println!("postgres: the hall copied in {:.1} s", start.elapsed().as_secs_f64());
    let clock = Arc::new(FixedClock::new(now()));
    let store = SqlStore::open_postgres(db, dir, clock).unwrap();
    let session = store.system_session();
    let mut times = Vec::new();
    for m in 1..=12 {
        let month = YearMonth::new(2026, m).unwrap();
        let start = Instant::now();
        let view = store.assessment(&session, month).unwrap();
        times.push(start.elapsed());
        assert_eq!(view.live.departments.iter().filter(|d| d.rank.is_some()).count() as i64, departments);
    }
    times.sort();
    println!(
        "postgres: a month of {departments} departments over {cases} cases: median {:.0} ms, slowest {:.0} ms",
        times[6].as_secs_f64() * 1e3,
        times[11].as_secs_f64() * 1e3
    );
    let mut best = Duration::MAX;
    let mut open = 0;
    for _ in 0..5 {
        let start = Instant::now();
        open = store.alerts(&session, &jiancha::store::AlertQuery::default()).unwrap().len();
        best = best.min(start.elapsed());
    }
    println!("postgres: open alerts of {cases} cases: {open} rows in {:.1} ms (best of 5)", best.as_secs_f64() * 1e3);
    let start = Instant::now();
    let changes = store.alerts_changed(&session, 0, 0).unwrap();
    println!(
        "postgres: alerts_changed from 0 (every open alert with the revision): {} rows in {:.1} ms",
        changes.rows.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let nothing = store.alerts_changed(&session, changes.revision, 0).unwrap();
    assert!(nothing.rows.is_empty());
    println!("postgres: alerts_changed with nothing changed in {:.2} ms", start.elapsed().as_secs_f64() * 1e3);
    let start = Instant::now();
    let counts = store.overview(&session).unwrap().open_alerts;
    println!(
        "postgres: overview ({} red, {} orange, {} yellow) in {:.1} ms",
        counts.red,
        counts.orange,
        counts.yellow,
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let refreshed = store.refresh_alerts(&session).unwrap();
    println!(
        "postgres: time-driven refresh: {} cases evaluated in {:.0} ms",
        refreshed.evaluated,
        start.elapsed().as_secs_f64() * 1e3
    );
}
