//! Figures for the foundation: calendar arithmetic, demo generation, import, audit verification and
//! case queries. Run with `cargo bench --bench foundation`; prints one line per measurement.
//!
//! These are measurements to report, not pass/fail checks (timings on a shared 2-core machine vary).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly")]

use jiancha::store::prelude::*;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::calendar::{Calendar, Suspension, SuspensionKind};
use jiancha::domain::model::Hall;
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{CaseQuery, HallSetup, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00+08:00").unwrap().with_timezone(&Utc)
}

fn report(what: &str, n: usize, seconds: f64, unit: &str) {
    println!(
        "{what:<48} {n:>9} {unit:<8} {seconds:>8.3} s  {:>12.1} {unit}/s  {:>9.2} µs/{unit}",
        n as f64 / seconds,
        seconds * 1e6 / n as f64
    );
}

fn main() {
    // `cargo bench` passes --bench; the binary run without it (`cargo test --all-targets` only builds it)
    // runs scaled down.
    let full = std::env::args().any(|a| a == "--bench");
    let scale = |n: usize| if full { n } else { (n / 100).max(1) };
    let calendar = Calendar::official();

    // Calendar: deadlines of 1–30 working days from every day of 2010–2026, some with a suspension.
    let start = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    let t = Instant::now();
    let mut n = 0;
    let mut checksum = 0i64;
    for offset in 0..scale(6200) as i64 {
        let accepted = start + chrono::Duration::days(offset);
        for days in [1u32, 5, 15, 30] {
            let suspension = Suspension {
                kind: SuspensionKind::Supplement,
                start: accepted + chrono::Duration::days(2),
                end: Some(accepted + chrono::Duration::days(6)),
            };
            let dl = calendar
                .deadline(accepted, days, if days == 15 { std::slice::from_ref(&suspension) } else { &[] })
                .unwrap();
            checksum += i64::from(dl.extension_days) + dl.counted.len() as i64;
            n += 1;
        }
    }
    report("calendar: deadline with explanation data", n, t.elapsed().as_secs_f64(), "deadline");
    assert!(checksum > 0);

    // Demo generation (pure).
    let t = Instant::now();
    let demo =
        jiancha::demo::generate(jiancha::demo::DEFAULT_SEED, now(), &jiancha::domain::alerts::RuleBook::official());
    report("demo: generate 90 days (events)", demo.events.len(), t.elapsed().as_secs_f64(), "event");

    // Parse and import the demo's events into a fresh database.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let t = Instant::now();
    jiancha::demo::write_demo(
        dir.path(),
        jiancha::demo::DEFAULT_SEED,
        clock.clone(),
        &jiancha::domain::alerts::RuleBook::official(),
    )
    .unwrap();
    report("demo: write_demo whole (events)", demo.events.len(), t.elapsed().as_secs_f64(), "event");

    let events_text = std::fs::read_to_string(dir.path().join("import/events.jsonl")).unwrap();
    let t = Instant::now();
    let batch = interchange::parse(ImportKind::Events, "events.jsonl", &events_text).unwrap();
    report("import: parse events.jsonl", batch.records.len(), t.elapsed().as_secs_f64(), "event");

    let fresh = tempfile::tempdir().unwrap();
    let store = SqlStore::open_dir(fresh.path(), clock.clone()).unwrap();
    let system = store.system_session();
    let mut items = interchange::parse(
        ImportKind::Items,
        "items.csv",
        &std::fs::read_to_string(dir.path().join("import/items.csv")).unwrap(),
    )
    .unwrap();
    items.hall = Some(jiancha::demo::HALL_CODE.into());
    store.import(&system, &items).unwrap();
    let t = Instant::now();
    store.import(&system, &batch).unwrap();
    report("import: events into a fresh database", batch.records.len(), t.elapsed().as_secs_f64(), "event");
    let t = Instant::now();
    let again = store.import(&system, &batch).unwrap();
    assert_eq!(again.inserted, 0);
    report("import: the same events again (no change)", batch.records.len(), t.elapsed().as_secs_f64(), "event");

    // Case queries over the demo.
    let demo_store = SqlStore::open_existing_dir(dir.path(), clock.clone()).unwrap();
    let system = demo_store.system_session();
    let t = Instant::now();
    let all = demo_store.cases(&system, &CaseQuery { limit: 200_000, ..CaseQuery::default() }).unwrap();
    report("query: all cases", all.len(), t.elapsed().as_secs_f64(), "case");
    let t = Instant::now();
    let runs = scale(200);
    for i in 0..runs {
        let text = format!("SP202611{:02}", 1 + i % 27);
        demo_store.cases(&system, &CaseQuery { text: Some(text), limit: 100, ..CaseQuery::default() }).unwrap();
    }
    report("query: case-number search (100 rows)", runs, t.elapsed().as_secs_f64(), "query");
    let t = Instant::now();
    for _ in 0..runs {
        demo_store.overview(&system).unwrap();
    }
    report("query: overview (status bar + landing page)", runs, t.elapsed().as_secs_f64(), "query");

    // Audit: append 20,000 records (each its own transaction), then verify the chain.
    let audit_dir = tempfile::tempdir().unwrap();
    let audit_store = SqlStore::open_dir(audit_dir.path(), clock).unwrap();
    let system = audit_store.system_session();
    let setup = HallSetup {
        hall: Hall { code: "H".into(), name: "大厅".into(), address: String::new(), level: Default::default() },
        departments: vec![],
        windows: vec![],
        cameras: vec![],
    };
    let appends = scale(20_000);
    let t = Instant::now();
    for _ in 0..appends {
        audit_store.configure_hall(&system, &setup).unwrap();
    }
    report("audit: change + audit record, one transaction", appends, t.elapsed().as_secs_f64(), "change");
    let t = Instant::now();
    let v = audit_store.verify_audit(&system).unwrap();
    assert!(v.first_bad.is_none());
    report("audit: verify chain", v.records as usize, t.elapsed().as_secs_f64(), "record");

    // Logins that fail: an unknown name takes as long as a known one with a wrong password.
    let runs = scale(200).max(5);
    let user = jiancha::store::NewUser {
        username: "known".into(),
        display_name: "K".into(),
        role: jiancha::domain::access::Role::Supervisor,
        password: "known-password".into(),
        halls: Vec::new(),
    };
    audit_store.create_user(&audit_store.system_session(), &user).unwrap();
    for (what, name) in [("login: known user, wrong password", "known"), ("login: unknown user", "nobody")] {
        let t = Instant::now();
        for i in 0..runs {
            // Spread over minutes, so that the known account's lock-out does not cut the check short.
            let _ = audit_store.login(name, &format!("wrong-{i}"));
        }
        report(what, runs, t.elapsed().as_secs_f64(), "login");
    }

    // The hall file of a large hall: 60 departments, 400 windows, 400 cameras (Hikvision presets).
    use jiancha::domain::hall::{CameraSpec, HallConfig, Vendor, WindowSpec};
    let windows = scale(400).max(4);
    let config = HallConfig {
        hall: Hall { code: "BIG".into(), name: "大厅".into(), address: String::new(), level: Default::default() },
        departments: (0..60)
            .map(|d| jiancha::domain::model::Department {
                name: format!("部门{d:02}"),
                short_name: format!("部{d:02}"),
                head: String::new(),
                phone: String::new(),
            })
            .collect(),
        windows: (0..windows)
            .map(|w| WindowSpec {
                code: format!("W{w:03}"),
                name: format!("{w} 号窗"),
                department: Some(format!("部门{:02}", w % 60)),
            })
            .collect(),
        cameras: (0..windows)
            .map(|w| {
                let host = format!("10.0.{}.{}", w / 250, 1 + w % 250);
                CameraSpec::preset(
                    &format!("W{w:03} 摄像头"),
                    Some(&format!("W{w:03}")),
                    Vendor::Hikvision,
                    &host,
                    554,
                    1,
                )
            })
            .collect(),
    };
    let text = interchange::hall::export(&config);
    let t = Instant::now();
    let runs = scale(100).max(1);
    for _ in 0..runs {
        interchange::hall::parse("big.toml", &text).unwrap();
    }
    report(
        &format!("hall file: parse ({windows} windows, {windows} cameras)"),
        runs,
        t.elapsed().as_secs_f64(),
        "file",
    );
    let hall_dir = tempfile::tempdir().unwrap();
    let hall_store = SqlStore::open_dir(hall_dir.path(), Arc::new(FixedClock::new(now()))).unwrap();
    let system = hall_store.system_session();
    let t = Instant::now();
    let diff = hall_store.apply_hall(&system, &config).unwrap();
    report("hall file: first apply (everything added)", diff.added.len(), t.elapsed().as_secs_f64(), "part");
    let t = Instant::now();
    for _ in 0..runs {
        assert!(hall_store.apply_hall(&system, &config).unwrap().is_empty());
    }
    report("hall file: apply again (no change)", runs, t.elapsed().as_secs_f64(), "apply");
    let mut one = config.clone();
    one.cameras.pop();
    let t = Instant::now();
    let diff = hall_store.apply_hall(&system, &one).unwrap();
    assert_eq!(diff.retired.len(), 1);
    report("hall file: apply retiring one camera", 1, t.elapsed().as_secs_f64(), "apply");
}
