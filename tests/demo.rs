//! The demo hall: deterministic for a seed, realistic in size, and with every kind of problem the
//! alert rules look for.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::demo::{self, DEMO_USERS};
use jiancha::domain::alerts::RuleBook;
use jiancha::domain::calendar::Calendar;
use jiancha::domain::model::{Document, Step};
use jiancha::domain::time;
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{CaseQuery, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T18:00:00+08:00").unwrap().with_timezone(&Utc)
}

#[test]
fn same_seed_same_demo_other_seed_other_demo() {
    let rules = RuleBook::official();
    let a = demo::generate(7, now(), &rules);
    let b = demo::generate(7, now(), &rules);
    let c = demo::generate(8, now(), &rules);
    assert_eq!(a.events, b.events);
    assert_eq!(a.punches, b.punches);
    assert_eq!(a.staff, b.staff);
    assert_ne!(a.events, c.events);
}

#[test]
fn the_hall_has_the_expected_shape() {
    let d = demo::generate(demo::DEFAULT_SEED, now(), &RuleBook::official());
    assert_eq!(d.setup.hall.name, "四平市政务服务中心");
    assert!((12..=14).contains(&d.setup.departments.len()));
    assert_eq!(d.setup.windows.len(), 24);
    assert_eq!(d.staff.len(), 48);
    assert!((38..=44).contains(&d.items.len()));
    assert!(d.setup.departments.iter().any(|x| x.name == "市不动产登记中心"));
    assert!(d.cases > 2500, "{} cases over 90 days", d.cases);
    // No event lies in the future, none before the 90 days.
    let first = time::local_date(now()) - chrono::Duration::days(demo::HISTORY_DAYS + 4);
    for e in &d.events {
        assert!(e.occurred_at <= now() && e.recorded_at <= now(), "{e:?}");
        assert!(time::local_date(e.occurred_at) >= first);
    }
    // Every case is accepted on a working day; cases on the National Day make-up Saturday exist.
    let cal = Calendar::official();
    let accept_days: Vec<_> =
        d.events.iter().filter(|e| e.step == Step::Accept).map(|e| time::local_date(e.occurred_at)).collect();
    assert!(accept_days.iter().all(|day| cal.is_working_day(*day)));
    assert!(accept_days.contains(&chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()));
}

#[test]
fn every_alert_rule_has_material() {
    let d = demo::generate(demo::DEFAULT_SEED, now(), &RuleBook::official());
    let p = &d.planted;
    for (rule, count) in [
        ("completed_late", p.completed_late),
        ("overdue (left open)", p.left_open_overdue),
        ("step_overdue", p.step_overdue),
        ("repeated_supplement", p.repeated_supplement),
        ("missing_document", p.missing_document),
        ("fee_mismatch", p.fee_mismatch),
        ("late_entry", p.late_entry),
        ("extra_step", p.extra_step),
        ("out_of_order", p.out_of_order),
        ("not_evaluated", p.not_evaluated),
    ] {
        assert!(count >= 2, "{rule}: only {count} planted");
    }
    // The planted counts are visible in the events themselves.
    let mut by_case: BTreeMap<&str, Vec<&jiancha::domain::model::CaseEvent>> = BTreeMap::new();
    for e in &d.events {
        by_case.entry(&e.case_no).or_default().push(e);
    }
    let late_entries = d.events.iter().filter(|e| e.recorded_at - e.occurred_at > chrono::Duration::hours(24)).count();
    assert_eq!(late_entries as u32, p.late_entry);
    let repeated =
        by_case.values().filter(|ev| ev.iter().filter(|e| e.step == Step::SupplementRequest).count() >= 2).count();
    assert_eq!(repeated as u32, p.repeated_supplement);
    let accepts_without_slip =
        d.events.iter().filter(|e| e.step == Step::Accept && !e.documents.contains(&Document::AcceptanceSlip)).count();
    assert!(accepts_without_slip >= 1);
    let fees: HashMap<&str, i64> = d.items.iter().map(|i| (i.code.as_str(), i.fee_fen)).collect();
    let mismatched =
        d.events.iter().filter(|e| e.step == Step::Fee && e.amount_fen != Some(fees[e.item_code.as_str()])).count();
    assert_eq!(mismatched as u32, p.fee_mismatch);
    assert_eq!(p.evaluator_bursts, 2);
    assert!(d.evaluations.iter().all(|e| e.window == "A05"));
    assert!(d.complaints.iter().any(|c| c.window_code.as_deref() == Some("B07")));
}

#[test]
fn the_demo_database_opens_with_its_users() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let report =
        demo::write_demo(dir.path(), 3, clock.clone(), &jiancha::domain::alerts::RuleBook::official()).unwrap();
    assert!(report.imports.iter().all(|r| r.inserted > 0));
    let store = SqlStore::open_existing_dir(dir.path(), clock).unwrap();
    for (name, _, role) in DEMO_USERS {
        let s = store.login(name, demo::DEMO_PASSWORD).unwrap();
        assert_eq!(s.role, role);
    }
    let cases = store.cases(&store.system_session(), &CaseQuery { limit: 100_000, ..CaseQuery::default() }).unwrap();
    assert_eq!(cases.len() as u32, report.cases);
    assert!(store.verify_audit(&store.system_session()).unwrap().first_bad.is_none());
    // Writing again replaces the demo instead of adding to it.
    let again = demo::write_demo(
        dir.path(),
        3,
        Arc::new(FixedClock::new(now())),
        &jiancha::domain::alerts::RuleBook::official(),
    )
    .unwrap();
    assert_eq!(again.cases, report.cases);
    assert!(!dir.path().join("jiancha.db.building").exists());
}
