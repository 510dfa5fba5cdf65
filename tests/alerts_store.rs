//! Alerts through the store: incremental evaluation on import, time-driven refresh without new events,
//! closing with a reason (audited), supervision notices and their due dates, the daily check.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::domain::alerts::{Level, Rule};
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{AlertQuery, AlertState, AuditQuery, NewNotice, NewUser, NoticeState, Session, Store, StoreError};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const ITEMS: &str = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
SCJG-004,食品经营许可,市市场监督管理局,20,5,0,accept|review|approve|complete,1|5|2|2\n";

fn event(case_no: &str, step: &str, when: &str, extra: &str) -> String {
    format!(
        r#"{{"case_no":"{case_no}","item_code":"SCJG-004","hall":"SP-CITY","window":"A01","staff_no":"S0001","step":"{step}","occurred_at":"{when}"{extra}}}"#
    )
}

struct Fixture {
    _dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    store: SqlStore,
}

fn fixture(now: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at(now)));
    let store = crate::support::backend::open_dir(dir.path(), clock.clone());
    let system = store.system_session();
    let user = NewUser {
        username: "supervisor1".into(),
        display_name: "张明".into(),
        role: Role::Supervisor,
        password: "jiancha-demo".into(),
        halls: Vec::new(),
    };
    store.create_user(&system, &user).unwrap();
    let mut batch = interchange::parse(ImportKind::Items, "items.csv", ITEMS).unwrap();
    // The catalogue's departments are the hall's (made here, named by its code, as events make theirs).
    batch.hall = Some("SP-CITY".into());
    store.import(&system, &batch).unwrap();
    Fixture { _dir: dir, clock, store }
}

impl Fixture {
    fn import_events(&self, lines: &[String]) {
        let batch = interchange::parse(ImportKind::Events, "events.jsonl", &lines.join("\n")).unwrap();
        self.store.import(&self.store.system_session(), &batch).unwrap();
    }

    /// A fresh session: the tests move the clock by days, and sessions last a shift.
    fn sup(&self) -> Session {
        self.store.login("supervisor1", "jiancha-demo").unwrap()
    }

    fn open(&self) -> Vec<jiancha::store::AlertRow> {
        self.store.refresh_alerts(&self.sup()).unwrap();
        self.store.alerts(&self.sup(), &AlertQuery::default()).unwrap()
    }
}

/// Accepted Mon 2 Nov without the acceptance slip: an orange card at once; D = Mon 9 Nov.
fn accepted(f: &Fixture) {
    f.import_events(&[event("SP1", "accept", "2026-11-02T10:00:00+08:00", "")]);
}

#[test]
fn import_evaluates_the_new_cases_at_once() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let open = f.store.alerts(&f.sup(), &AlertQuery::default()).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].rule, open[0].level), (Rule::MissingDocument, Level::Orange));
    assert_eq!(open[0].department, "市市场监督管理局");
    assert_eq!(open[0].window.as_deref(), Some("A01"));
}

#[test]
fn time_alone_brings_the_prompt_and_the_red_light() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    f.clock.set(at("2026-11-05T18:00:00+08:00"));
    let r = f.store.refresh_alerts(&f.sup()).unwrap();
    assert_eq!((r.evaluated, r.changed), (0, 0), "nothing is due yet, nothing is rescanned");
    f.clock.set(at("2026-11-06T00:00:01+08:00"));
    let r = f.store.refresh_alerts(&f.sup()).unwrap();
    assert_eq!(r.evaluated, 1);
    assert!(f.open().iter().any(|a| a.rule == Rule::DeadlinePrompt && a.level == Level::Yellow));
    f.clock.set(at("2026-11-10T00:00:01+08:00"));
    let r = f.store.refresh_alerts(&f.sup()).unwrap();
    assert_eq!(r.new_red.len(), 1, "the overdue light is announced as new");
    let open = f.open();
    assert!(open.iter().any(|a| a.rule == Rule::Overdue && a.state == AlertState::Open));
    assert!(!open.iter().any(|a| a.rule == Rule::DeadlinePrompt), "the prompt resolved when D ended");
    // Completing resolves the red light and raises completed_late.
    f.clock.set(at("2026-11-10T10:00:00+08:00"));
    f.import_events(&[
        event("SP1", "review", "2026-11-03T10:00:00+08:00", ""),
        event("SP1", "approve", "2026-11-04T10:00:00+08:00", ""),
        event("SP1", "complete", "2026-11-10T09:00:00+08:00", r#","documents":[]"#),
    ]);
    let open = f.open();
    assert!(!open.iter().any(|a| a.rule == Rule::Overdue));
    assert!(open.iter().any(|a| a.rule == Rule::CompletedLate));
    let all = f.store.alerts(&f.sup(), &AlertQuery { include_inactive: true, ..AlertQuery::default() }).unwrap();
    let overdue = all.iter().find(|a| a.rule == Rule::Overdue).unwrap();
    assert_eq!(overdue.state, AlertState::Resolved);
    assert_eq!(overdue.resolved_at, Some(at("2026-11-10T09:00:00+08:00")));
}

#[test]
fn alerts_at_a_past_instant() {
    let f = fixture("2026-11-12T12:00:00+08:00");
    accepted(&f);
    let then = f
        .store
        .alerts(&f.sup(), &AlertQuery { at: Some(at("2026-11-06T09:00:00+08:00")), ..AlertQuery::default() })
        .unwrap();
    let rules: Vec<Rule> = then.iter().map(|a| a.rule).collect();
    assert!(rules.contains(&Rule::DeadlinePrompt) && !rules.contains(&Rule::Overdue), "{rules:?}");
    let before = f
        .store
        .alerts(&f.sup(), &AlertQuery { at: Some(at("2026-11-01T09:00:00+08:00")), ..AlertQuery::default() })
        .unwrap();
    assert!(before.is_empty(), "nothing was known before the case existed");
}

#[test]
fn closing_needs_a_reason_and_is_audited() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let card = f.open().into_iter().find(|a| a.rule == Rule::MissingDocument).unwrap();
    assert!(matches!(f.store.close_alert(&f.sup(), card.id, "  "), Err(StoreError::Invalid(_))));
    let closed = f.store.close_alert(&f.sup(), card.id, "已补发受理承诺单").unwrap();
    assert_eq!(closed.state, AlertState::Closed);
    assert_eq!(closed.closed_by.as_deref(), Some("supervisor1"));
    assert!(f.open().is_empty());
    assert!(matches!(f.store.close_alert(&f.sup(), card.id, "again"), Err(StoreError::Conflict(_))));
    let log = f
        .store
        .audit_log(
            &f.store.system_session(),
            &AuditQuery { action_prefix: Some("alert".into()), ..AuditQuery::default() },
        )
        .unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0].detail.contains("已补发受理承诺单"));
    // Re-importing the case does not reopen a closed alert.
    accepted(&f);
    assert!(f.open().is_empty());
    // Time signals are not closed by hand.
    f.clock.set(at("2026-11-10T08:00:00+08:00"));
    let red = f.open().into_iter().find(|a| a.rule == Rule::Overdue).unwrap();
    assert!(matches!(f.store.close_alert(&f.sup(), red.id, "x"), Err(StoreError::Invalid(_))));
}

#[test]
fn notices_are_numbered_due_in_five_working_days_and_go_red_unanswered() {
    // Issued on Fri 25 Sep 2026: the Mid-Autumn and National Day holidays come between.
    let f = fixture("2026-09-24T09:00:00+08:00");
    f.import_events(&[event("SP2", "accept", "2026-09-24T08:40:00+08:00", "")]);
    let alert = f.open().into_iter().next().unwrap();
    f.clock.set(at("2026-09-25T09:00:00+08:00"));
    // 25–27 Sep are the Mid-Autumn holiday; 28, 29, 30 Sep, then 8, 9 Oct after National Day.
    let n1 = f.store.issue_notice(&f.sup(), &NewNotice { alert_id: alert.id, text: "请核查".into() }).unwrap();
    assert_eq!(n1.notice_no, "〔2026〕督第1号");
    assert_eq!(n1.due_date, NaiveDate::from_ymd_opt(2026, 10, 9).unwrap());
    assert_eq!(n1.state, NoticeState::Pending);
    let n2 = f.store.issue_notice(&f.sup(), &NewNotice { alert_id: alert.id, text: "再次督办".into() }).unwrap();
    assert_eq!(n2.notice_no, "〔2026〕督第2号");
    assert!(matches!(
        f.store.issue_notice(&f.sup(), &NewNotice { alert_id: alert.id, text: " ".into() }),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(f.open().iter().find(|a| a.id == alert.id).unwrap().notice_no.as_deref(), Some("〔2026〕督第2号"));

    // The day after the due date, both unanswered notices are red cards.
    f.clock.set(at("2026-10-10T00:00:01+08:00"));
    let open = f.open();
    let unanswered: Vec<_> = open.iter().filter(|a| a.rule == Rule::NoticeUnanswered).collect();
    assert_eq!(unanswered.len(), 2);
    assert!(unanswered.iter().all(|a| a.level == Level::Red));
    // The reply resolves its card.
    let replied = f.store.record_notice_reply(&f.sup(), n1.id, "已整改，补发受理承诺单").unwrap();
    assert_eq!(replied.state, NoticeState::AnsweredLate);
    assert!(matches!(f.store.record_notice_reply(&f.sup(), n1.id, "again"), Err(StoreError::Conflict(_))));
    assert_eq!(f.open().iter().filter(|a| a.rule == Rule::NoticeUnanswered).count(), 1);
    let notices = f.store.notices(&f.sup()).unwrap();
    assert_eq!(notices.len(), 2);
    assert_eq!(notices.iter().find(|n| n.id == n2.id).unwrap().state, NoticeState::Overdue);
    let actions: Vec<String> = f
        .store
        .audit_log(
            &f.store.system_session(),
            &AuditQuery { action_prefix: Some("notice".into()), ..AuditQuery::default() },
        )
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["notice.reply", "notice.issue", "notice.issue"]);
}

#[test]
fn the_daily_check_is_saved_and_recorded() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let dir = tempfile::tempdir().unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let (record, data) = jiancha::report::daily::run(&f.store, &f.sup(), dir.path(), day).unwrap();
    assert_eq!(record.checked_by, "supervisor1");
    assert_eq!((record.open_alerts, record.new_alerts, record.orange), (1, 1, 1));
    let text = std::fs::read_to_string(dir.path().join(&record.report_path)).unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
    assert!(text.contains("未出具文书") && text.contains("SP1"));
    assert_eq!(data.open.len(), 1);
    let sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    };
    assert_eq!(record.report_sha256, sha);
    assert_eq!(f.store.overview(&f.sup()).unwrap().today_checked.unwrap().report_sha256, sha);
    f.clock.advance(Duration::days(1));
    assert!(f.store.overview(&f.sup()).unwrap().today_checked.is_none(), "a new day needs a new check");
    assert_eq!(f.store.daily_checks(&f.sup(), 10).unwrap().len(), 1);
    let auditor_log = f
        .store
        .audit_log(
            &f.store.system_session(),
            &AuditQuery { action_prefix: Some("check".into()), ..AuditQuery::default() },
        )
        .unwrap();
    assert_eq!(auditor_log.len(), 1);
}

#[test]
fn auditors_cannot_act_on_alerts() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let system = f.store.system_session();
    f.store
        .create_user(
            &system,
            &NewUser {
                username: "auditor1".into(),
                display_name: "赵敏".into(),
                role: Role::Auditor,
                password: "jiancha-demo".into(),
                halls: Vec::new(),
            },
        )
        .unwrap();
    let auditor = f.store.login("auditor1", "jiancha-demo").unwrap();
    let card = f.open().into_iter().next().unwrap();
    assert!(f.store.alerts(&auditor, &AlertQuery::default()).is_ok(), "auditors may look");
    assert!(matches!(f.store.close_alert(&auditor, card.id, "x"), Err(StoreError::Forbidden { .. })));
    assert!(matches!(
        f.store.issue_notice(&auditor, &NewNotice { alert_id: card.id, text: "x".into() }),
        Err(StoreError::Forbidden { .. })
    ));
}

/// What a console holds of the open alerts, kept up to date from `alerts_changed`.
struct Follower {
    rows: std::collections::BTreeMap<i64, jiancha::store::AlertRow>,
    revision: i64,
}

impl Follower {
    fn follow(&mut self, f: &Fixture, expect: usize) -> Vec<jiancha::store::AlertRow> {
        let changes = f.store.alerts_changed(&f.sup(), self.revision, 0).unwrap();
        assert!(!changes.reload);
        assert_eq!(changes.rows.len(), expect, "{:?}", changes.rows);
        assert!(changes.revision >= self.revision);
        self.revision = changes.revision;
        for row in &changes.rows {
            self.rows.remove(&row.id);
            if row.state == AlertState::Open {
                self.rows.insert(row.id, row.clone());
            }
        }
        changes.rows
    }
}

/// A console follows the hall by asking what changed since the revision it holds: each answer carries
/// exactly the alerts inserted or changed (a close, a notice issued on one), nothing when nothing
/// changed, and the list a follower builds from the answers is the list a full reload gives.
#[test]
fn a_console_following_changes_gets_exactly_what_changed() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let s = f.sup();
    let first = f.store.alerts_changed(&s, 0, 0).unwrap();
    assert!(!first.reload && first.revision > 0);
    assert_eq!(first.rows.len(), 1);
    let mut console = Follower { rows: first.rows.into_iter().map(|r| (r.id, r)).collect(), revision: first.revision };
    // Nothing changed (a refresh with nothing due changes nothing either).
    f.store.refresh_alerts(&s).unwrap();
    console.follow(&f, 0);
    // A new case: its alert alone.
    f.import_events(&[event("SP2", "accept", "2026-11-02T11:00:00+08:00", "")]);
    let new = console.follow(&f, 1);
    assert_eq!(new[0].case_no, "SP2");
    // A close: the closed alert, closed.
    let sp1 = console.rows.values().find(|a| a.case_no == "SP1").unwrap().id;
    f.store.close_alert(&s, sp1, "已补发受理承诺单").unwrap();
    let closed = console.follow(&f, 1);
    assert_eq!((closed[0].id, closed[0].state), (sp1, AlertState::Closed));
    // A notice on an alert changes what the list shows of it.
    let sp2 = new[0].id;
    f.store.issue_notice(&s, &NewNotice { alert_id: sp2, text: "请核查".into() }).unwrap();
    let noticed = console.follow(&f, 1);
    assert_eq!(noticed[0].notice_no.as_deref(), Some("〔2026〕督第1号"));
    // Time: a week on, the cards that change by time alone come with the refresh that changed them.
    f.clock.set(at("2026-11-10T00:00:01+08:00"));
    let refreshed = f.store.refresh_alerts(&f.sup()).unwrap();
    assert!(refreshed.changed > 0);
    let changed = f.store.alerts_changed(&f.sup(), console.revision, 0).unwrap().rows.len();
    assert!(changed > 0);
    let before = console.revision;
    console.follow(&f, changed);
    // The followed list is the list a full reload gives.
    let full = f.store.alerts(&f.sup(), &AlertQuery::default()).unwrap();
    let mut full_ids: Vec<i64> = full.iter().map(|a| a.id).collect();
    full_ids.sort_unstable();
    assert_eq!(console.rows.keys().copied().collect::<Vec<_>>(), full_ids);
    for row in &full {
        assert_eq!(&console.rows[&row.id], row);
    }
    // More changes than asked for, or a revision this database never had: reload.
    let few = f.store.alerts_changed(&f.sup(), before - 1, 1).unwrap();
    assert!(few.reload && few.rows.is_empty());
    let ahead = f.store.alerts_changed(&f.sup(), console.revision + 1000, 0).unwrap();
    assert!(ahead.reload);
}

/// Two servers on one database: what one answers a follower from the changes it keeps in memory is
/// what the database itself gives (a store that has just started and so reads every change from the
/// database), while the writes go through the other server.
#[test]
fn a_server_answers_followers_from_memory_exactly_as_the_database() {
    let f = fixture("2026-11-02T12:00:00+08:00");
    accepted(&f);
    let dir = f._dir.path();
    let writer = crate::support::backend::reopen(dir, f.clock.clone());
    let sup = |store: &SqlStore| store.login("supervisor1", "jiancha-demo").unwrap();
    let first = f.store.alerts_changed(&sup(&f.store), 0, 0).unwrap();
    let mut since = first.revision;
    let events = |lines: &[String]| {
        let batch = interchange::parse(ImportKind::Events, "events.jsonl", &lines.join("\n")).unwrap();
        writer.import(&writer.system_session(), &batch).unwrap();
    };
    let compare = |since: i64, expect: usize| {
        let warm = f.store.alerts_changed(&sup(&f.store), since, 0).unwrap();
        let cold = crate::support::backend::reopen(dir, f.clock.clone());
        let truth = cold.alerts_changed(&sup(&cold), since, 0).unwrap();
        assert_eq!(warm, truth, "from revision {since}");
        assert_eq!(warm.rows.len(), expect, "{:?}", warm.rows);
        warm.revision
    };
    events(&[event("SP2", "accept", "2026-11-02T11:00:00+08:00", "")]);
    since = compare(since, 1);
    let sp1 = first.rows[0].id;
    writer.close_alert(&sup(&writer), sp1, "已补发受理承诺单").unwrap();
    events(&[
        event("SP3", "accept", "2026-11-02T11:10:00+08:00", ""),
        event("SP4", "accept", "2026-11-02T11:20:00+08:00", ""),
    ]);
    let from_sp1 = since;
    since = compare(since, 3);
    // From further back: the close and the new cases, each alert once in its newest state.
    assert_eq!(compare(first.revision, 4), since);
    assert_eq!(compare(from_sp1, 3), since);
    let sp2 = f
        .store
        .alerts(&sup(&f.store), &AlertQuery::default())
        .unwrap()
        .into_iter()
        .find(|a| a.case_no == "SP2")
        .unwrap();
    writer.issue_notice(&sup(&writer), &NewNotice { alert_id: sp2.id, text: "请核查".into() }).unwrap();
    compare(since, 1);
    compare(first.revision, 4);
}
