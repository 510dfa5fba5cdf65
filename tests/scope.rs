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
    clock: Arc<FixedClock>,
}

impl City {
    fn clock_day(&self) -> chrono::NaiveDate {
        jiancha::domain::time::local_date(jiancha::clock::Clock::now(&*self.clock))
    }

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
    let store = crate::support::backend::open_dir(dir.path(), clock.clone());
    let system = store.system_session();
    let mut items = interchange::parse(ImportKind::Items, "items.csv", ITEMS).unwrap();
    // The catalogue's departments are the city hall's (made here, named by its code, as events make theirs).
    items.hall = Some("CITY".into());
    store.import(&system, &items).unwrap();
    import(&store, &system, &[accepted("C1", "CITY"), accepted("L1", "LS"), accepted("G1", "GZL")]).unwrap();
    store.create_user(&system, &user("sup.city", Role::Supervisor, &[])).unwrap();
    store.create_user(&system, &user("admin.ls", Role::Admin, &["LS"])).unwrap();
    store.create_user(&system, &user("admin.city", Role::Admin, &[])).unwrap();
    City { _dir: dir, store, clock }
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

/// A county's 市场监管局 is not the city's, and staff number 0001 is each hall's own: the county's hall
/// file never changes the city's department; a staff file and punches go to the hall they are for; the
/// attendance ranking keeps the two people and the two departments apart; a write that names the number
/// finds the caller's own person, and asks a city account which hall it means.
#[test]
fn departments_and_staff_numbers_are_each_halls_own() {
    use jiancha::store::NewInterview;
    let c = city();
    let admin_city = c.login("admin.city");
    let admin_ls = c.login("admin.ls");
    c.store.create_user(&admin_ls, &user("sup.ls", Role::Supervisor, &[])).unwrap();
    let hall_file = |code: &str, head: &str| {
        let text = format!(
            "[hall]\ncode = \"{code}\"\nname = \"{code} 政务服务中心\"\n\n\
             [[department]]\nname = \"市场监管局\"\nhead = \"{head}\"\n\n\
             [[window]]\ncode = \"A01\"\ndepartment = \"市场监管局\"\n"
        );
        jiancha::interchange::hall::parse("hall.toml", &text).unwrap()
    };
    c.store.apply_hall(&admin_city, &hall_file("CITY", "王局长")).unwrap();
    // The county's administrator applies its own file with a department of the same name.
    c.store.apply_hall(&admin_ls, &hall_file("LS", "李局长")).unwrap();
    let head = |hall: &str| {
        let config = c.store.hall_config(&admin_city, Some(hall)).unwrap();
        config.departments.iter().find(|d| d.name == "市场监管局").map(|d| d.head.clone())
    };
    assert_eq!(head("CITY").as_deref(), Some("王局长"), "the county's file left the city's department alone");
    assert_eq!(head("LS").as_deref(), Some("李局长"));
    assert_eq!(head("GZL"), None);
    let sup_ls = c.login("sup.ls");
    let named: Vec<String> = c
        .store
        .directory(&sup_ls)
        .unwrap()
        .departments
        .into_iter()
        .filter(|d| d.name == "市场监管局")
        .map(|d| d.head)
        .collect();
    assert_eq!(named, ["李局长"], "the county sees its own department, not the city's");

    // The same staff number in two halls: each file goes to its hall.
    let staff = |file: &str, name: &str, hall: Option<&str>| {
        let csv = format!("staff_no,name,department,window,device_user_id\n0001,{name},市场监管局,A01,7\n");
        let mut batch = interchange::parse(ImportKind::Staff, file, &csv).unwrap();
        batch.hall = hall.map(str::to_owned);
        batch
    };
    let system = c.store.system_session();
    let err = c.store.import(&system, &staff("city.csv", "张三", None)).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("--hall")), "several halls: name one: {err:?}");
    c.store.import(&system, &staff("city.csv", "张三", Some("CITY"))).unwrap();
    // The county's administrator, without naming its hall: its one hall.
    c.store.import(&admin_ls, &staff("ls.csv", "李四", None)).unwrap();
    let err = c.store.import(&admin_ls, &staff("ls.csv", "李四", Some("CITY"))).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");
    let people = |session: &Session| {
        let mut people: Vec<(String, String)> = c
            .store
            .attendance(session, c.clock_day())
            .unwrap()
            .ranking
            .staff
            .into_iter()
            .filter(|s| s.staff_no == "0001")
            .map(|s| (s.hall.unwrap_or_default(), s.name))
            .collect();
        people.sort();
        people
    };
    let sup_city = c.login("sup.city");
    assert_eq!(people(&sup_city), [("CITY".to_owned(), "张三".to_owned()), ("LS".to_owned(), "李四".to_owned())]);
    assert_eq!(people(&sup_ls), [("LS".to_owned(), "李四".to_owned())]);
    // The overview counts each hall's own: LS has its 市场监管局, its S-LS and 0001, and no catalogue item
    // (the item's department is the city's); the city has its two departments and LS's, five people.
    let o = c.store.overview(&sup_ls).unwrap();
    assert_eq!((o.departments, o.staff, o.items), (1, 2, 0));
    let o = c.store.overview(&sup_city).unwrap();
    assert_eq!((o.departments, o.staff, o.items), (3, 5, 1));

    // Punches from the county's machine (user 7) are the county's person's.
    let mut punches =
        interchange::parse(ImportKind::Punches, "ls-punches.csv", "staff_no,time\n0001,2026-11-02 08:20:00\n").unwrap();
    punches.hall = Some("LS".into());
    assert_eq!(c.store.import(&admin_ls, &punches).unwrap().inserted, 1);
    let period = c.store.attendance(&sup_city, c.clock_day()).unwrap();
    let punched = |key: &str| {
        let days = &period.days.iter().find(|(k, _)| k == key).unwrap().1;
        days.iter().map(|d| d.punches.len()).sum::<usize>()
    };
    assert_eq!((punched("LS/0001"), punched("CITY/0001")), (1, 0));
    let departments: Vec<(Option<String>, u32)> = period
        .ranking
        .departments
        .iter()
        .filter(|d| d.department == "市场监管局")
        .map(|d| (d.hall.clone(), d.staff))
        .collect();
    assert_eq!(departments.len(), 2, "one row per hall's department: {departments:?}");

    // A 约谈 naming 0001: the county's supervisor means its own; the city must say which.
    let interview = NewInterview {
        period_start: c.clock_day(),
        staff_no: "0001".into(),
        hall: None,
        held_at: at("2026-11-02T11:00:00+08:00"),
        participants: "监察室".into(),
        note: String::new(),
    };
    let recorded = c.store.record_interview(&sup_ls, &interview).unwrap();
    assert_eq!((recorded.hall.as_deref(), recorded.staff_name.as_str()), (Some("LS"), "李四"));
    let err = c.store.record_interview(&sup_city, &interview).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("CITY") && m.contains("LS")), "{err:?}");
    let city_one = NewInterview { hall: Some("CITY".into()), ..interview };
    assert_eq!(c.store.record_interview(&sup_city, &city_one).unwrap().staff_name, "张三");
    // The county's supervisor naming the city's person is refused.
    let err = c.store.record_interview(&sup_ls, &city_one).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");

    // An observation filed by the county names its own 0001; a number only the city has is refused, even
    // though the observation itself would be the county's.
    let mut only_city =
        interchange::parse(ImportKind::Staff, "city2.csv", "staff_no,name,department\n0002,赵五,市场监管局\n").unwrap();
    only_city.hall = Some("CITY".into());
    c.store.import(&system, &only_city).unwrap();
    let observation = |staff_no: &str| jiancha::store::NewObservation {
        observed_at: at("2026-11-02T10:30:00+08:00"),
        category: "离岗".into(),
        source: jiancha::domain::discipline::ObservationSource::Manual,
        camera_id: None,
        window_code: None,
        staff_no: Some(staff_no.into()),
        department: None,
        evidence_id: None,
        clip: None,
        note: String::new(),
    };
    let filed = c.store.add_observation(&sup_ls, &observation("0001")).unwrap();
    assert_eq!(filed.staff_name.as_deref(), Some("李四"));
    let err = c.store.add_observation(&sup_ls, &observation("0002")).unwrap_err();
    assert!(matches!(err, StoreError::Forbidden { .. }), "{err:?}");
}

const HALLS: [&str; 3] = ["CITY", "LS", "GZL"];

/// The hall a name made by [`matrix_city`] belongs to: `W-LS`, `S-LS`, `cam-LS`, `dept-LS`, or a case
/// `L1` (C: CITY, L: LS, G: GZL).
fn hall_of(name: &str) -> Option<String> {
    if let Some(h) = HALLS.iter().find(|h| name.ends_with(&format!("-{h}"))) {
        return Some((*h).to_owned());
    }
    match name.chars().next() {
        Some('C') if name.len() <= 3 => Some("CITY".into()),
        Some('L') if name.len() <= 3 => Some("LS".into()),
        Some('G') if name.len() <= 3 => Some("GZL".into()),
        _ => None,
    }
}

fn hall_file(code: &str) -> String {
    format!(
        "[hall]\ncode = \"{code}\"\nname = \"{code} 政务服务中心\"\nlevel = \"county\"\n\n\
         [[department]]\nname = \"dept-{code}\"\n\n\
         [[window]]\ncode = \"W-{code}\"\ndepartment = \"dept-{code}\"\n\n\
         [[camera]]\nname = \"cam-{code}\"\nwindow = \"W-{code}\"\nvendor = \"rtsp\"\n\
         main_url = \"rtsp://127.0.0.1:1/{code}\"\nsub_url = \"rtsp://127.0.0.1:1/{code}/sub\"\n"
    )
}

/// Per hall: its cases and alerts, a department, window, camera, a complaint, an observation and its
/// slip, a violation, a poor rating, an interview, a camera alarm, a hold, a footage request, a 监察建议书;
/// and an account of every role for the city and for each county.
struct Matrix {
    c: City,
    cameras: std::collections::BTreeMap<String, i64>,
    complaints: std::collections::BTreeMap<String, String>,
}

fn matrix_city() -> Matrix {
    use jiancha::domain::accountability::{Subject, ViolationSource};
    use jiancha::domain::footage::{RequestKind, Span};
    use jiancha::domain::model::ComplaintChannel;
    use jiancha::store::{
        NewComplaint, NewFootageRequest, NewInterview, NewObservation, NewRecommendation, NewViolation,
    };
    let c = city();
    let system = c.store.system_session();
    let mut cameras = std::collections::BTreeMap::new();
    let mut complaints = std::collections::BTreeMap::new();
    for role in [Role::Supervisor, Role::Chief, Role::Auditor, Role::Admin] {
        // city() made admin.city and admin.ls already.
        if role != Role::Admin {
            c.store.create_user(&system, &user(&format!("{}.city", role.as_str()), role, &[])).unwrap();
        }
        for h in ["LS", "GZL"] {
            let name = format!("{}.{}", role.as_str(), h.to_lowercase());
            if name != "admin.ls" {
                c.store.create_user(&system, &user(&name, role, &[h])).unwrap();
            }
        }
    }
    // Monday 2 November 2026, 14:00: the afternoon is open, so a lost camera counts.
    c.clock.set(at("2026-11-02T14:00:00+08:00"));
    let rated: Vec<String> = HALLS
        .iter()
        .map(|h| {
            format!(
                r#"{{"case_no":"{}R","item_code":"SCJG-004","hall":"{h}","window":"W-{h}","staff_no":"S-{h}","step":"evaluate","rating":1,"occurred_at":"2026-11-02T11:00:00+08:00"}}"#,
                &h[..1]
            )
        })
        .collect();
    import(&c.store, &system, &rated).unwrap();
    for h in HALLS {
        let config = jiancha::interchange::hall::parse("hall.toml", &hall_file(h)).unwrap();
        c.store.apply_hall(&system, &config).unwrap();
        let camera = c.store.directory(&system).unwrap().cameras.into_iter().find(|x| x.name == format!("cam-{h}"));
        let camera = camera.unwrap().id;
        cameras.insert(h.to_owned(), camera);
        let complaint = c
            .store
            .register_complaint(
                &system,
                &NewComplaint {
                    received_at: at("2026-11-02T10:00:00+08:00"),
                    channel: ComplaintChannel::Phone,
                    complainant: "张三".into(),
                    contact: "13800000000".into(),
                    content: "窗口态度差".into(),
                    case_no: None,
                    hall_code: Some(h.into()),
                    window_code: Some(format!("W-{h}")),
                    staff_no: None,
                    department: None,
                },
            )
            .unwrap();
        complaints.insert(h.to_owned(), complaint.complaint_no);
        c.store
            .add_observation(
                &system,
                &NewObservation {
                    observed_at: at("2026-11-02T09:30:00+08:00"),
                    category: "其他".into(),
                    source: jiancha::domain::discipline::ObservationSource::Wall,
                    camera_id: None,
                    window_code: Some(format!("W-{h}")),
                    staff_no: None,
                    department: None,
                    evidence_id: None,
                    clip: None,
                    note: String::new(),
                },
            )
            .unwrap();
        c.store
            .record_violation(
                &system,
                &NewViolation {
                    item: "11(1)".into(),
                    subject: Subject::Staff,
                    staff_no: Some(format!("S-{h}")),
                    department: None,
                    source: ViolationSource::Video,
                    occurred_at: at("2026-11-02T09:00:00+08:00"),
                    description: "擅自离岗".into(),
                    case_no: None,
                    alert_id: None,
                    observation_id: None,
                    complaint_no: None,
                    evidence_id: None,
                },
            )
            .unwrap();
        let interview = NewInterview {
            period_start: jiancha::domain::time::local_date(at("2026-11-02T10:00:00+08:00")),
            staff_no: format!("S-{h}"),
            hall: None,
            held_at: at("2026-11-02T13:30:00+08:00"),
            participants: "监察室".into(),
            note: String::new(),
        };
        c.store.record_interview(&system, &interview).unwrap();
        c.store.report_camera_link(&system, camera, false, "无法连接摄像头").unwrap();
        c.store.place_hold(&system, camera, Span { from: 1_000, to: 2_000 }, "保全").unwrap();
        let request = NewFootageRequest {
            cameras: vec![camera],
            span: Span {
                from: at("2026-11-02T09:00:00+08:00").timestamp_millis(),
                to: at("2026-11-02T09:10:00+08:00").timestamp_millis(),
            },
            purpose: format!("核查 {h}"),
            kind: RequestKind::View,
            second_person: None,
            case_no: None,
            complaint_no: None,
        };
        c.store.request_footage(&c.login("supervisor.city"), &request).unwrap();
        let department = department_id(&c.store, &format!("dept-{h}"));
        c.store
            .issue_recommendation(
                &system,
                &NewRecommendation {
                    department_id: department,
                    month: None,
                    facts: "超期".into(),
                    recommendation: "整改".into(),
                    hall: Some(h.into()),
                },
            )
            .unwrap();
    }
    c.store
        .issue_slips(
            &system,
            jiancha::domain::discipline::Week::of(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
        )
        .unwrap();
    c.clock.set(at("2026-11-02T14:10:00+08:00"));
    for camera in cameras.values() {
        c.store.report_camera_link(&system, *camera, false, "无法连接摄像头").unwrap();
    }
    Matrix { c, cameras, complaints }
}

/// The id of department `name`, as the assessment gives it.
fn department_id(store: &SqlStore, name: &str) -> i64 {
    let month = jiancha::domain::assessment::YearMonth::new(2026, 11).unwrap();
    let view = store.assessment(&store.system_session(), month).unwrap();
    view.live.departments.into_iter().find(|d| d.department == name).unwrap().department_id
}

type Seen = Result<std::collections::BTreeSet<String>, StoreError>;

/// Every read family, with the halls of what it gives.
fn read_families(m: &Matrix) -> Vec<(&'static str, Box<dyn Fn(&Session) -> Seen + '_>)> {
    use jiancha::store::RequestFilter;
    let s = &m.c.store;
    let day = || jiancha::domain::time::local_date(at("2026-11-02T10:00:00+08:00"));
    let halls = |names: Vec<String>| -> std::collections::BTreeSet<String> {
        names.iter().filter_map(|n| hall_of(n)).collect()
    };
    let camera_hall = |id: &i64| m.cameras.iter().find(|(_, c)| *c == id).map(|(h, _)| h.clone());
    vec![
        (
            "cases",
            Box::new(move |x: &Session| {
                Ok(halls(s.cases(x, &CaseQuery::default())?.into_iter().map(|c| c.case_no).collect()))
            }),
        ),
        (
            "alerts",
            Box::new(move |x: &Session| {
                Ok(halls(s.alerts(x, &AlertQuery::default())?.into_iter().map(|a| a.case_no).collect()))
            }),
        ),
        (
            "overview",
            Box::new(move |x: &Session| Ok(s.overview(x)?.window_load.into_iter().map(|w| w.hall_code).collect())),
        ),
        (
            "attendance",
            Box::new(move |x: &Session| {
                Ok(halls(s.attendance(x, day())?.days.into_iter().map(|(no, _)| no).collect()))
            }),
        ),
        (
            "interviews",
            Box::new(move |x: &Session| {
                Ok(halls(s.attendance(x, day())?.interviews.into_iter().map(|i| i.staff_no).collect()))
            }),
        ),
        (
            "evaluator",
            Box::new(move |x: &Session| {
                Ok(halls(s.poor_ratings(x, day(), day())?.into_iter().map(|r| r.rating.window).collect()))
            }),
        ),
        (
            "satisfaction",
            Box::new(move |x: &Session| {
                Ok(halls(s.satisfaction(x, day(), day())?.windows.into_iter().map(|r| r.key).collect()))
            }),
        ),
        (
            "complaints",
            Box::new(move |x: &Session| Ok(s.complaints(x)?.into_iter().filter_map(|c| c.hall_code).collect())),
        ),
        (
            "observations",
            Box::new(move |x: &Session| {
                Ok(halls(s.observations(x, day(), day())?.into_iter().filter_map(|o| o.window_code).collect()))
            }),
        ),
        ("slips", Box::new(move |x: &Session| Ok(s.slips(x, None)?.into_iter().map(|o| o.hall_code).collect()))),
        (
            "violations",
            Box::new(move |x: &Session| Ok(halls(s.violations(x)?.into_iter().filter_map(|v| v.staff_no).collect()))),
        ),
        (
            "assessment",
            Box::new(move |x: &Session| {
                let month = jiancha::domain::assessment::YearMonth::new(2026, 11).unwrap();
                Ok(halls(s.assessment(x, month)?.live.departments.into_iter().map(|d| d.department).collect()))
            }),
        ),
        (
            "recommendations",
            Box::new(move |x: &Session| Ok(s.recommendations(x)?.into_iter().map(|r| r.hall_code).collect())),
        ),
        ("cameras", Box::new(move |x: &Session| Ok(halls(s.camera_streams(x)?.into_iter().map(|c| c.name).collect())))),
        (
            "camera alarms",
            Box::new(move |x: &Session| {
                Ok(halls(s.camera_alerts(x, false)?.into_iter().map(|a| a.camera_name).collect()))
            }),
        ),
        (
            "footage requests",
            Box::new(move |x: &Session| {
                Ok(s.footage_requests(x, RequestFilter::All)?
                    .iter()
                    .flat_map(|r| r.cameras.iter().filter_map(camera_hall))
                    .collect())
            }),
        ),
        (
            "holds",
            Box::new(move |x: &Session| Ok(s.holds(x)?.iter().filter_map(|h| camera_hall(&h.camera_id)).collect())),
        ),
        (
            "audit log",
            Box::new(move |x: &Session| {
                Ok(s.audit_log(x, &AuditQuery { limit: 10_000, ..Default::default() })?
                    .into_iter()
                    .filter_map(|r| r.hall)
                    .collect())
            }),
        ),
        ("accounts", Box::new(move |x: &Session| Ok(s.users(x)?.into_iter().flat_map(|u| u.halls).collect()))),
    ]
}

/// Every role of the city and of each county reads each family: what it is given lies in its halls and
/// is all of its halls' (a role the family is not for is refused). Printed as the issue's table.
#[test]
fn every_role_of_every_scope_reads_only_its_halls_in_every_family() {
    let m = matrix_city();
    let system = m.c.store.system_session();
    let families = read_families(&m);
    let mut table = String::from("| family | truth |");
    let accounts: Vec<String> = [Role::Supervisor, Role::Chief, Role::Auditor, Role::Admin]
        .iter()
        .flat_map(|r| ["city", "ls", "gzl"].map(|s| format!("{}.{s}", r.as_str())))
        .collect();
    for a in &accounts {
        table.push_str(&format!(" {a} |"));
    }
    let sessions: Vec<Session> = accounts.iter().map(|a| m.c.login(a)).collect();
    for (family, read) in &families {
        let truth = read(&system).unwrap();
        assert!(
            truth.contains("LS") && truth.contains("GZL"),
            "{family}: the set-up gives both counties some: {truth:?}"
        );
        table.push_str(&format!("\n| {family} | {} |", truth.iter().cloned().collect::<Vec<_>>().join(" ")));
        for (name, session) in accounts.iter().zip(&sessions) {
            let cell = match read(session) {
                Ok(seen) => {
                    let expected: std::collections::BTreeSet<String> = if session.halls.is_empty() {
                        truth.clone()
                    } else {
                        truth.iter().filter(|h| session.halls.contains(h)).cloned().collect()
                    };
                    if *family == "footage requests" && name.starts_with("supervisor.") {
                        // A supervisor is given its own requests (its role), of its halls.
                        assert!(seen.is_subset(&expected), "{family} read by {name}: {seen:?}");
                    } else {
                        assert_eq!(seen, expected, "{family} read by {name}");
                    }
                    if seen.is_empty() { "∅".to_owned() } else { seen.into_iter().collect::<Vec<_>>().join(" ") }
                }
                Err(StoreError::Forbidden { .. }) => "—".to_owned(),
                Err(e) => panic!("{family} read by {name}: {e:?}"),
            };
            table.push_str(&format!(" {cell} |"));
        }
    }
    eprintln!("{table}");
    // The city's supervisor reads every family but the audit log and the accounts.
    let city = &sessions[0];
    assert!(families.iter().filter(|(_, read)| read(city).is_ok()).count() >= families.len() - 2);
}

/// A county's accounts change their own hall's records and are refused (403, audited) on the other
/// county's, family by family; a county's chief decides only its hall's footage requests, and only a
/// city-wide chief publishes the city's assessment.
#[test]
fn every_write_family_keeps_a_county_to_its_hall() {
    use jiancha::domain::accountability::{Subject, ViolationSource};
    use jiancha::domain::footage::Span;
    use jiancha::store::{ComplaintStep, FollowUpStep, NewRecommendation, NewViolation, RequestFilter};
    let m = matrix_city();
    let s = &m.c.store;
    let system = s.system_session();
    let sup = m.c.login("supervisor.ls");
    let chief = m.c.login("chief.ls");
    let forbidden = |what: &str, r: Result<(), StoreError>| {
        assert!(matches!(r, Err(StoreError::Forbidden { .. })), "{what}: {r:?}");
    };
    let fine = |what: &str, r: Result<(), StoreError>| {
        assert!(r.is_ok(), "{what}: {r:?}");
    };
    let step = ComplaintStep::Accept { note: "受理".into() };
    forbidden("advance_complaint GZL", s.advance_complaint(&sup, &m.complaints["GZL"], &step).map(drop));
    fine("advance_complaint LS", s.advance_complaint(&sup, &m.complaints["LS"], &step).map(drop));
    let slips = s.slips(&system, None).unwrap();
    let slip_of = |h: &str| slips.iter().find(|x| x.hall_code == h).unwrap().id;
    forbidden("record_slip_receipt GZL", s.record_slip_receipt(&sup, slip_of("GZL"), "王五").map(drop));
    fine("record_slip_receipt LS", s.record_slip_receipt(&sup, slip_of("LS"), "王五").map(drop));
    let violation = |staff: &str| NewViolation {
        item: "11(2)".into(),
        subject: Subject::Staff,
        staff_no: Some(staff.into()),
        department: None,
        source: ViolationSource::Video,
        occurred_at: at("2026-11-02T09:00:00+08:00"),
        description: "迟到".into(),
        case_no: None,
        alert_id: None,
        observation_id: None,
        complaint_no: None,
        evidence_id: None,
    };
    forbidden("record_violation S-GZL", s.record_violation(&sup, &violation("S-GZL")).map(drop));
    fine("record_violation S-LS", s.record_violation(&sup, &violation("S-LS")).map(drop));
    let violations = s.violations(&system).unwrap();
    let violation_of = |no: &str| violations.iter().find(|v| v.staff_no.as_deref() == Some(no)).unwrap().id;
    forbidden("decide_violation GZL", s.decide_violation(&chief, violation_of("S-GZL"), &[], "不予处理").map(drop));
    forbidden(
        "place_hold cam-GZL",
        s.place_hold(&sup, m.cameras["GZL"], Span { from: 5_000, to: 6_000 }, "保全").map(drop),
    );
    fine("place_hold cam-LS", s.place_hold(&sup, m.cameras["LS"], Span { from: 5_000, to: 6_000 }, "保全").map(drop));
    let poor = s.poor_ratings(&system, m.c.clock_day(), m.c.clock_day()).unwrap();
    // With several halls the windows are named with their hall (codes are each hall's own).
    let rating_of = |w: &str| poor.iter().find(|r| r.rating.window.ends_with(&format!("/{w}"))).unwrap().key.clone();
    forbidden(
        "record_follow_up W-GZL",
        s.record_follow_up(&sup, &rating_of("W-GZL"), FollowUpStep::ReturnVisit, "已回访").map(drop),
    );
    fine(
        "record_follow_up W-LS",
        s.record_follow_up(&sup, &rating_of("W-LS"), FollowUpStep::ReturnVisit, "已回访").map(drop),
    );
    // Footage: the county's chief decides its hall's request and not the other county's.
    let requests = s.footage_requests(&system, RequestFilter::All).unwrap();
    let request_of = |h: &str| requests.iter().find(|r| r.cameras == [m.cameras[h]]).unwrap().id;
    forbidden("decide_footage GZL", s.decide_footage(&chief, request_of("GZL"), true, "").map(drop));
    fine("decide_footage LS", s.decide_footage(&chief, request_of("LS"), true, "").map(drop));
    assert_eq!(s.footage_requests(&m.c.login("chief.gzl"), RequestFilter::Pending).unwrap().len(), 1, "GZL's own");
    let department = department_id(s, "dept-GZL");
    let recommendation = NewRecommendation {
        department_id: department,
        month: None,
        facts: "超期".into(),
        recommendation: "整改".into(),
        hall: Some("GZL".into()),
    };
    forbidden("issue_recommendation GZL", s.issue_recommendation(&chief, &recommendation).map(drop));
    let month = jiancha::domain::assessment::YearMonth::new(2026, 11).unwrap();
    m.c.clock.set(at("2026-12-01T10:00:00+08:00"));
    let chief = m.c.login("chief.ls");
    let admin = m.c.login("admin.ls");
    forbidden("publish_assessment", s.publish_assessment(&chief, month, "").map(drop));
    fine("publish_assessment by the city", s.publish_assessment(&m.c.login("chief.city"), month, "").map(drop));
    // Configuration: the county's administrator configures only its hall.
    forbidden("set_camera_password GZL", s.set_camera_password(&admin, "GZL", "cam-GZL", Some("x-Secret-1")));
    fine("set_camera_password LS", s.set_camera_password(&admin, "LS", "cam-LS", Some("x-Secret-1")));
    let gzl = jiancha::interchange::hall::parse("hall.toml", &hall_file("GZL")).unwrap();
    forbidden("apply_hall GZL", s.apply_hall(&admin, &gzl).map(drop));
    assert!(matches!(s.hall_config(&admin, Some("GZL")), Err(StoreError::Forbidden { .. })));
    assert_eq!(s.hall_config(&admin, None).unwrap().hall.code, "LS", "its own hall by default");

    // Every refusal is in the audit log, under the county's hall, which its auditor reads.
    let refused = m.c.refusals();
    assert_eq!(refused.len(), 11, "{refused:#?}");
    let auditor = m.c.login("auditor.ls");
    let query = AuditQuery { limit: 100, action_prefix: Some("scope.refused".into()), ..Default::default() };
    assert_eq!(s.audit_log(&auditor, &query).unwrap().len(), 11);
    assert!(s.audit_log(&m.c.login("auditor.gzl"), &query).unwrap().is_empty());
    // What the county did in its hall is in its auditor's log too, not in the other county's.
    let query = AuditQuery { limit: 100, action_prefix: Some("footage.approve".into()), ..Default::default() };
    assert_eq!(s.audit_log(&auditor, &query).unwrap().len(), 1);
    assert!(s.audit_log(&m.c.login("auditor.gzl"), &query).unwrap().is_empty());
    // The audit chain, halls and all, still verifies.
    assert!(s.verify_audit(&system).unwrap().first_bad.is_none());
}

/// The city's 大厅概况 puts every hall side by side; a county's has only its own figures.
#[test]
fn the_citys_overview_compares_the_halls() {
    let m = matrix_city();
    let city = m.c.store.overview(&m.c.login("supervisor.city")).unwrap();
    let codes: Vec<&str> = city.halls_side.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(codes, ["CITY", "GZL", "LS"]);
    let alerts = m.c.store.alerts(&m.c.login("supervisor.city"), &AlertQuery::default()).unwrap();
    for h in &city.halls_side {
        let of_hall: Vec<_> =
            alerts.iter().filter(|a| hall_of(&a.case_no).as_deref() == Some(h.code.as_str())).collect();
        let orange = of_hall.iter().filter(|a| a.level == jiancha::domain::alerts::Level::Orange).count();
        assert!(orange >= 1, "{}: the case accepted without its 受理承诺单", h.code);
        assert_eq!(h.open_alerts.orange as usize, orange, "{}", h.code);
        assert_eq!(h.open_alerts.red + h.open_alerts.orange + h.open_alerts.yellow, of_hall.len() as u32, "{}", h.code);
        // Each hall's one camera was reported lost at 14:00 and 14:10.
        assert_eq!((h.cameras_online, h.cameras_offline), (0, 1), "{}", h.code);
        assert_eq!(h.findings_to_decide, 0);
        assert_eq!(h.attendance_marks, 0, "no punches imported");
        assert_eq!(h.assessment_month, "2026-10");
        assert_eq!(h.assessment_grade, None, "no cases in October");
    }
    assert_eq!(city.open_alerts.orange, city.halls_side.iter().map(|h| h.open_alerts.orange).sum::<u32>());
    let county = m.c.store.overview(&m.c.login("supervisor.ls")).unwrap();
    assert!(county.halls_side.is_empty(), "one hall: nothing to compare");
    assert_eq!(county.open_alerts, city.halls_side.iter().find(|h| h.code == "LS").unwrap().open_alerts);
    assert_eq!(county.cameras, 1);
    assert!(county.window_load.iter().all(|w| w.hall_code == "LS"));
}

/// The console's hall filter (`Session::view`, a city user's click into a hall): every read keeps to
/// it, locally and over HTTP, and it never widens an account's scope nor takes a caller's text into SQL.
#[test]
fn the_hall_filter_narrows_every_read_and_never_widens_a_scope() {
    let m = matrix_city();
    let viewing =
        |name: &str, view: &[&str]| Session { view: view.iter().map(|v| (*v).to_owned()).collect(), ..m.c.login(name) };
    let city_ls = viewing("supervisor.city", &["LS"]);
    assert_eq!(m.c.cases(&city_ls), m.c.cases(&m.c.login("supervisor.ls")), "the city looking at LS sees what LS sees");
    assert!(m.c.alerts(&city_ls).iter().all(|c| hall_of(c).as_deref() == Some("LS")));
    let overview = m.c.store.overview(&city_ls).unwrap();
    assert!(overview.halls_side.is_empty(), "one hall in view");
    assert_eq!(overview.cameras, 1);
    let directory = m.c.store.directory(&city_ls).unwrap();
    assert!(directory.cameras.iter().all(|c| c.hall_code == "LS") && !directory.cameras.is_empty());
    let two = viewing("supervisor.city", &["LS", "GZL"]);
    assert_eq!(m.c.store.overview(&two).unwrap().halls_side.len(), 2);
    // A county's account looking at another county sees nothing; at its own and another, its own.
    assert!(m.c.cases(&viewing("supervisor.ls", &["GZL"])).is_empty());
    assert_eq!(m.c.cases(&viewing("supervisor.ls", &["GZL", "LS"])), m.c.cases(&m.c.login("supervisor.ls")));
    // What is not a hall's code is nothing, never SQL.
    assert!(m.c.cases(&viewing("supervisor.city", &["LS') OR ('1' = '1"])).is_empty());
    // Over HTTP, as the header the console sends.
    let server = jiancha::server::spawn(
        Arc::new(crate::support::backend::reopen(m.c._dir.path(), m.c.clock.clone())),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    let remote = jiancha::store::remote::RemoteStore::new(&server.url()).unwrap();
    let session = remote.login("supervisor.city", PASSWORD).unwrap();
    let all = remote.cases(&session, &CaseQuery::default()).unwrap().len();
    let gzl = remote.cases(&Session { view: vec!["GZL".into()], ..session.clone() }, &CaseQuery::default()).unwrap();
    assert!(!gzl.is_empty() && gzl.len() < all);
    assert!(gzl.iter().all(|c| c.hall.as_deref() == Some("GZL")), "{gzl:?}");
}
