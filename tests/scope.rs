//! Issue 32, "hall scope": an account belongs to the whole city or to some halls, and the store keeps
//! every call to them — the cases, their alerts (listed and followed), case details and events,
//! notices, closing alerts and issuing notices, imports, and the accounts an administrator of some
//! halls manages. A refused write is answered 403 and audited. On the backend under test.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{AlertQuery, AuditQuery, CaseQuery, NewNotice, NewUser, Session, StoreError, UserChange};

const PASSWORD: &str = "scope-pass-1";

const ITEMS: &str = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
SCJG-004,食品经营许可,市市场监督管理局,20,5,0,accept|review|approve|complete,1|5|2|2\n";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A case accepted without its 受理承诺单 in `hall`: one orange alert.
fn accepted(case_no: &str, hall: &str) -> String {
    format!(
        r#"{{"case_no":"{case_no}","item_code":"SCJG-004","hall":"{hall}","window":"W-{hall}","staff_no":"S-{hall}","step":"accept","occurred_at":"2026-11-02T10:00:00+08:00"}}"#
    )
}

fn import(store: &SqlStore, session: &Session, lines: &[String]) -> Result<(), StoreError> {
    let batch = interchange::parse(ImportKind::Events, "events.jsonl", &lines.join("\n")).unwrap();
    store.import(session, &batch).map(|_| ())
}

fn user(name: &str, role: Role, halls: &[&str]) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        password: PASSWORD.into(),
        halls: halls.iter().map(|h| (*h).to_owned()).collect(),
    }
}

struct City {
    _dir: tempfile::TempDir,
    store: SqlStore,
}

impl City {
    fn login(&self, name: &str) -> Session {
        self.store.login(name, PASSWORD).unwrap()
    }

    fn cases(&self, session: &Session) -> Vec<String> {
        let mut cases: Vec<String> =
            self.store.cases(session, &CaseQuery::default()).unwrap().into_iter().map(|c| c.case_no).collect();
        cases.sort();
        cases
    }

    fn alerts(&self, session: &Session) -> Vec<String> {
        let mut cases: Vec<String> =
            self.store.alerts(session, &AlertQuery::default()).unwrap().into_iter().map(|a| a.case_no).collect();
        cases.sort();
        cases
    }

    fn refusals(&self) -> Vec<String> {
        let query = AuditQuery { limit: 100, action_prefix: Some("scope.refused".into()), ..Default::default() };
        self.store
            .audit_log(&self.store.system_session(), &query)
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.actor, r.detail))
            .collect()
    }
}

/// A city hall (CITY) and two counties (LS, GZL), one case with an open alert in each; a city
/// supervisor, a county administrator of LS, and the accounts it makes.
fn city() -> City {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-11-02T12:00:00+08:00")));
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let system = store.system_session();
    let items = interchange::parse(ImportKind::Items, "items.csv", ITEMS).unwrap();
    store.import(&system, &items).unwrap();
    import(&store, &system, &[accepted("C1", "CITY"), accepted("L1", "LS"), accepted("G1", "GZL")]).unwrap();
    store.create_user(&system, &user("sup.city", Role::Supervisor, &[])).unwrap();
    store.create_user(&system, &user("admin.ls", Role::Admin, &["LS"])).unwrap();
    store.create_user(&system, &user("admin.city", Role::Admin, &[])).unwrap();
    City { _dir: dir, store }
}

#[test]
fn a_county_account_sees_and_changes_only_its_hall() {
    let c = city();
    let admin_ls = c.login("admin.ls");
    assert_eq!(admin_ls.halls, ["LS"], "the session says its halls");
    // Made by the county's administrator without halls: the county's.
    let made = c.store.create_user(&admin_ls, &user("sup.ls", Role::Supervisor, &[])).unwrap();
    assert_eq!(made.halls, ["LS"]);
    let sup_ls = c.login("sup.ls");
    let sup_city = c.login("sup.city");
    assert!(sup_city.halls.is_empty());

    // Reading: the county sees its case and alert; the city all three.
    assert_eq!(c.cases(&sup_ls), ["L1"]);
    assert_eq!(c.cases(&sup_city), ["C1", "G1", "L1"]);
    assert_eq!(c.alerts(&sup_ls), ["L1"]);
    assert_eq!(c.alerts(&sup_city), ["C1", "G1", "L1"]);
    let followed = c.store.alerts_changed(&sup_ls, 0, 0).unwrap();
    assert_eq!(followed.rows.iter().map(|a| a.case_no.as_str()).collect::<Vec<_>>(), ["L1"]);
    // Another hall's case is "not found", as one that does not exist.
    assert!(matches!(c.store.case_detail(&sup_ls, "C1"), Err(StoreError::NotFound(_))));
    assert!(matches!(c.store.case_events(&sup_ls, "G1"), Err(StoreError::NotFound(_))));
    assert_eq!(c.store.case_detail(&sup_ls, "L1").unwrap().alerts.len(), 1);

    // Writing: another hall's alert is refused (403), audited, and left as it was.
    let all = c.store.alerts(&sup_city, &AlertQuery::default()).unwrap();
    let alert_of = |case: &str| all.iter().find(|a| a.case_no == case).unwrap().id;
    let err = c.store.close_alert(&sup_ls, alert_of("C1"), "越权关闭").unwrap_err();
    assert!(matches!(&err, StoreError::Forbidden { action, .. } if action.contains("CITY")), "{err:?}");
    let err = c.store.issue_notice(&sup_ls, &NewNotice { alert_id: alert_of("G1"), text: "越权督办".into() });
    assert!(matches!(err, Err(StoreError::Forbidden { .. })));
    assert_eq!(c.alerts(&sup_city), ["C1", "G1", "L1"], "nothing was closed");
    let refusals = c.refusals();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(refusals.iter().all(|r| r.starts_with("sup.ls")), "{refusals:?}");
    assert!(refusals.iter().any(|r| r.contains("close_alert") && r.contains("CITY")), "{refusals:?}");
    // Its own hall's alert: closed, noticed as usual.
    let notice = c.store.issue_notice(&sup_ls, &NewNotice { alert_id: alert_of("L1"), text: "请核查".into() }).unwrap();
    assert_eq!(notice.case_no, "L1");
    assert_eq!(c.store.notices(&sup_ls).unwrap().len(), 1);
    assert_eq!(c.store.notices(&c.login("sup.city")).unwrap().len(), 1);
    c.store.close_alert(&sup_ls, alert_of("L1"), "已整改").unwrap();
    assert_eq!(c.alerts(&sup_ls), Vec::<String>::new());

    // Imports: the county's administrator pushes its own hall's events (a later step naming no hall
    // belongs to its case's hall), never another's — the whole batch is refused.
    import(&c.store, &admin_ls, &[accepted("L2", "LS")]).unwrap();
    let review = r#"{"case_no":"L2","item_code":"SCJG-004","window":"W-LS","staff_no":"S-LS","step":"review","occurred_at":"2026-11-02T11:00:00+08:00"}"#;
    import(&c.store, &admin_ls, &[review.to_owned()]).unwrap();
    let err = import(&c.store, &admin_ls, &[accepted("L3", "LS"), accepted("G2", "GZL")]).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");
    assert_eq!(c.cases(&sup_city), ["C1", "G1", "L1", "L2"], "nothing of the refused batch was written");
    assert_eq!(c.refusals().len(), 3);
}

#[test]
fn a_county_administrator_manages_only_its_halls_accounts() {
    let c = city();
    let admin_ls = c.login("admin.ls");
    let admin_city = c.login("admin.city");
    c.store.create_user(&admin_ls, &user("sup.ls", Role::Supervisor, &["LS"])).unwrap();
    // Another hall, or the whole city: refused and audited.
    let err = c.store.create_user(&admin_ls, &user("sup.gzl", Role::Supervisor, &["GZL"])).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");
    let err = c.store.update_user(
        &admin_ls,
        "sup.city",
        &UserChange { display_name: Some("改名".into()), ..Default::default() },
    );
    assert!(matches!(err, Err(StoreError::Forbidden { .. })), "{err:?}");
    let err =
        c.store.update_user(&admin_ls, "sup.ls", &UserChange { halls: Some(vec!["GZL".into()]), ..Default::default() });
    assert!(matches!(err, Err(StoreError::Forbidden { .. })), "{err:?}");
    assert_eq!(c.refusals().len(), 3, "{:?}", c.refusals());
    let err = c.store.create_user(&admin_city, &user("sup.x", Role::Supervisor, &["NOWHERE"])).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.starts_with("halls[0]") && m.contains("NOWHERE")), "{err:?}");
    // Its list holds its hall's accounts only; the city's administrator sees every account.
    let theirs: Vec<String> = c.store.users(&admin_ls).unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(theirs, ["admin.ls", "sup.ls"]);
    assert_eq!(c.store.users(&admin_city).unwrap().len(), 4);

    // The city moves an account to two halls: its sessions end, and it sees both from its next login.
    let before = c.login("sup.ls");
    assert_eq!(c.cases(&before), ["L1"]);
    let moved = c
        .store
        .update_user(
            &admin_city,
            "sup.ls",
            &UserChange { halls: Some(vec!["GZL".into(), "LS".into()]), ..Default::default() },
        )
        .unwrap();
    assert_eq!(moved.halls, ["GZL", "LS"]);
    assert_eq!(c.store.cases(&before, &CaseQuery::default()).unwrap_err(), StoreError::SessionExpired);
    let after = c.login("sup.ls");
    assert_eq!(after.halls, ["GZL", "LS"]);
    assert_eq!(c.cases(&after), ["G1", "L1"]);
    // Out of the county administrator's reach now (GZL is not its hall), and the change is audited.
    let err = c.store.update_user(
        &admin_ls,
        "sup.ls",
        &UserChange { display_name: Some("改名".into()), ..Default::default() },
    );
    assert!(matches!(err, Err(StoreError::Forbidden { .. })));
    let query = AuditQuery { limit: 50, action_prefix: Some("user.update".into()), ..Default::default() };
    let log = c.store.audit_log(&c.store.system_session(), &query).unwrap();
    assert!(log.iter().any(|r| r.detail.contains("halls") && r.detail.contains("GZL")), "{log:?}");
    // Back to the whole city.
    let city_wide = c
        .store
        .update_user(&admin_city, "sup.ls", &UserChange { halls: Some(Vec::new()), ..Default::default() })
        .unwrap();
    assert!(city_wide.halls.is_empty());
    assert_eq!(c.cases(&c.login("sup.ls")), ["C1", "G1", "L1"]);
}

/// The cameras — and their passwords, in the playable addresses — and the directory of a hall go to the
/// accounts of that hall and the city's, never to another county's.
#[test]
fn another_halls_cameras_and_windows_are_not_given() {
    let c = city();
    let file = "[hall]\ncode = \"LS\"\nname = \"梨树县政务服务中心\"\nlevel = \"county\"\n\n\
                [[department]]\nname = \"县市场监督管理局\"\n\n\
                [[window]]\ncode = \"W-LS\"\ndepartment = \"县市场监督管理局\"\n\n\
                [[camera]]\nname = \"梨树 W-LS\"\nwindow = \"W-LS\"\nvendor = \"rtsp\"\n\
                main_url = \"rtsp://127.0.0.1:1/ls\"\nsub_url = \"rtsp://127.0.0.1:1/ls/sub\"\n";
    let config = jiancha::interchange::hall::parse("ls.toml", file).unwrap();
    let admin_city = c.login("admin.city");
    c.store.apply_hall(&admin_city, &config).unwrap();
    c.store.set_camera_password(&admin_city, "LS", "梨树 W-LS", Some("Ls-Camera-Secret")).unwrap();
    c.store.create_user(&admin_city, &user("sup.ls", Role::Supervisor, &["LS"])).unwrap();
    c.store.create_user(&admin_city, &user("sup.gzl", Role::Supervisor, &["GZL"])).unwrap();
    let streams = |name: &str| c.store.camera_streams(&c.login(name)).unwrap();
    let ls = streams("sup.ls");
    assert_eq!(ls.len(), 1);
    assert!(ls[0].main_url.contains("Ls-Camera-Secret"));
    assert_eq!(streams("sup.city").len(), 1);
    assert!(streams("sup.gzl").is_empty(), "another county's camera passwords are never opened for it");
    let directory = |name: &str| c.store.directory(&c.login(name)).unwrap();
    let gzl = directory("sup.gzl");
    assert_eq!(gzl.halls.iter().map(|h| h.code.as_str()).collect::<Vec<_>>(), ["GZL"]);
    assert!(gzl.windows.iter().all(|w| w.hall_code == "GZL"), "{:?}", gzl.windows);
    assert!(gzl.cameras.is_empty());
    assert!(gzl.staff.iter().all(|s| s.staff_no == "S-GZL"), "{:?}", gzl.staff);
    let ls = directory("sup.ls");
    assert_eq!(ls.cameras.len(), 1);
    assert!(ls.windows.iter().any(|w| w.code == "W-LS"));
    assert_eq!(directory("sup.city").halls.len(), 3);
}
