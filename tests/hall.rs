//! Commissioning a real hall without the demo: a data directory set up as `jiancha init` does, the hall
//! file applied (twice: the second changes nothing), retiring that keeps history, camera passwords
//! sealed and never handed out but by `camera_streams`, administrators looking after accounts — each
//! on the embedded store and through a real server.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::access::Role;
use jiancha::domain::hall::{HallConfig, Part};
use jiancha::interchange::{self, ImportKind};
use jiancha::store::remote::RemoteStore;
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{AuditQuery, CaseQuery, NewUser, Session, Store, StoreError, UserChange};

const SAMPLE: &str = include_str!("../data/hall.sample.toml");
const CAMERA_PASSWORD: &str = "Cam-Secret#4711";
const PASSWORD: &str = "correct-horse";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// An empty data directory with its first administrator, as `jiancha init` leaves it.
fn initialised() -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let store = crate::support::backend::open_dir(dir.path(), clock);
    let admin = NewUser {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: Role::Admin,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    store.create_user(&store.system_session(), &admin).unwrap();
    (dir, store)
}

fn sample() -> HallConfig {
    interchange::hall::parse("hall.sample.toml", SAMPLE).unwrap()
}

fn audit_actions(store: &dyn Store, admin: &Session, prefix: &str) -> usize {
    let q = AuditQuery { action_prefix: Some(prefix.into()), limit: 100, ..Default::default() };
    store.audit_log(admin, &q).unwrap().len()
}

/// The whole commissioning through any `Store`; returns a summary that must be the same on both.
/// Commissions a hall through `store`: over a server (`over_server`) the cameras come without their
/// credentials, which only the server's relay and recorder hold (issue 32).
fn commissioning(store: &dyn Store, over_server: bool) -> Vec<String> {
    let mut out = Vec::new();
    let admin = store.login("admin", PASSWORD).unwrap();
    // Before the hall file there is no hall.
    assert!(matches!(store.hall_config(&admin, None), Err(StoreError::NotFound(_))));
    // Users: a supervisor and an auditor.
    for (name, role) in [("supervisor1", Role::Supervisor), ("auditor1", Role::Auditor), ("chief1", Role::Chief)] {
        let u = NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            password: PASSWORD.into(),
            halls: Vec::new(),
        };
        store.create_user(&admin, &u).unwrap();
    }
    let sup = store.login("supervisor1", PASSWORD).unwrap();
    let auditor = store.login("auditor1", PASSWORD).unwrap();
    let chief = store.login("chief1", PASSWORD).unwrap();

    // The plan changes nothing; applying adds everything; applying again changes nothing.
    let plan = store.plan_hall(&admin, &sample()).unwrap();
    assert_eq!(plan.added.len(), 1 + 2 + 3 + 4, "{plan:?}");
    assert!(matches!(store.hall_config(&admin, None), Err(StoreError::NotFound(_))), "a plan writes nothing");
    let applied = store.apply_hall(&admin, &sample()).unwrap();
    assert_eq!(applied, plan);
    let again = store.apply_hall(&admin, &sample()).unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(audit_actions(store, &admin, "hall.apply"), 1, "one audit record for the one real change");
    let config = store.hall_config(&admin, None).unwrap();
    assert_eq!(config, sample());
    out.push(format!("hall {} with {} cameras", config.hall.code, config.cameras.len()));

    // Only administrators configure the hall or manage users.
    for s in [&sup, &auditor, &chief] {
        assert!(matches!(store.hall_config(s, None), Err(StoreError::Forbidden { .. })), "{}", s.username);
        assert!(matches!(store.plan_hall(s, &sample()), Err(StoreError::Forbidden { .. })));
        assert!(matches!(store.apply_hall(s, &sample()), Err(StoreError::Forbidden { .. })));
        assert!(matches!(
            store.set_camera_password(s, "SP-CITY", "A01 市场监管", Some("x")),
            Err(StoreError::Forbidden { .. })
        ));
        assert!(matches!(
            store.update_user(s, "supervisor1", &UserChange::default()),
            Err(StoreError::Forbidden { .. })
        ));
        assert!(matches!(store.reset_password(s, "supervisor1", "temporary-1"), Err(StoreError::Forbidden { .. })));
    }
    // Watching: supervisors and chiefs (and administrators) get playable URLs, auditors do not.
    assert!(matches!(store.camera_streams(&auditor), Err(StoreError::Forbidden { .. })));

    // Staff and cases import into the hall set up this way.
    let staff = "staff_no,name,department,window,device_user_id\nS0001,张三,市市场监督管理局,A01,7\n";
    let report = store.import(&admin, &interchange::parse(ImportKind::Staff, "staff.csv", staff).unwrap()).unwrap();
    assert_eq!(report.inserted, 1);
    let items = "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
                 SCJG-001,食品经营许可,市市场监督管理局,20,10,0,accept|review|approve|complete,1|5|2|2\n";
    store.import(&admin, &interchange::parse(ImportKind::Items, "items.csv", items).unwrap()).unwrap();
    let events = r#"{"case_no":"SP20261127001","item_code":"SCJG-001","hall":"SP-CITY","window":"A02","staff_no":"S0001","step":"accept","occurred_at":"2026-11-27T09:15:00+08:00"}"#;
    store.import(&admin, &interchange::parse(ImportKind::Events, "events.jsonl", events).unwrap()).unwrap();

    // The camera password: set, sealed, handed out by camera_streams only.
    store.set_camera_password(&admin, "SP-CITY", "A01 市场监管", Some(CAMERA_PASSWORD)).unwrap();
    assert!(matches!(
        store.set_camera_password(&admin, "SP-CITY", "no such camera", Some(CAMERA_PASSWORD)),
        Err(StoreError::NotFound(_))
    ));
    let streams = store.camera_streams(&sup).unwrap();
    let a01 = streams.iter().find(|s| s.name == "A01 市场监管").unwrap();
    if over_server {
        assert_eq!(a01.main_url, "rtsp://192.168.10.21:554/Streaming/Channels/101");
    } else {
        assert_eq!(a01.main_url, "rtsp://admin:Cam-Secret%234711@192.168.10.21:554/Streaming/Channels/101");
    }
    assert!(!format!("{a01:?}").contains("Cam-Secret"), "Debug hides the password");
    let lobby = streams.iter().find(|s| s.name == "大厅全景").unwrap();
    let lobby_url =
        if over_server { "rtsp://192.168.10.30:554/live/main" } else { "rtsp://viewer@192.168.10.30:554/live/main" };
    assert_eq!(lobby.main_url, lobby_url, "a user without a password");
    for s in [&sup, &auditor, &chief, &admin] {
        let dir = store.directory(s).unwrap();
        let text = serde_json::to_string(&dir).unwrap();
        assert!(!text.contains(CAMERA_PASSWORD) && !text.contains("Cam-Secret"), "{}", s.username);
        assert!(dir.cameras.iter().all(|c| !c.main_url.contains('@')), "no credentials in the directory");
    }
    let exported = interchange::hall::export(&store.hall_config(&admin, None).unwrap());
    assert!(!exported.contains("Cam-Secret"));
    let audit = store.audit_log(&admin, &AuditQuery { limit: 500, ..Default::default() }).unwrap();
    assert!(audit.iter().all(|r| !r.detail.contains("Cam-Secret") && !r.target.contains("Cam-Secret")));
    assert!(audit.iter().any(|r| r.action == "camera.password"));

    // Retiring: a window and its camera leave the file; the directory drops them, the case keeps the name.
    let mut smaller = sample();
    smaller.windows.retain(|w| w.code != "A02");
    smaller.cameras.retain(|c| c.window.as_deref() != Some("A02"));
    smaller.cameras[0].host = "192.168.10.121".into();
    let diff = store.apply_hall(&admin, &smaller).unwrap();
    let retired: Vec<_> = diff.retired.iter().map(|r| (r.part, r.key.as_str())).collect();
    assert_eq!(retired, vec![(Part::Window, "A02"), (Part::Camera, "A02 市场监管")]);
    assert_eq!(diff.changed.len(), 1, "{diff:?}");
    assert!(diff.changed[0].fields.iter().any(|f| f.field == "host" && f.to == "192.168.10.121"));
    let dir = store.directory(&sup).unwrap();
    assert!(!dir.windows.iter().any(|w| w.code == "A02"));
    assert!(!dir.cameras.iter().any(|c| c.name == "A02 市场监管"));
    assert!(!store.camera_streams(&sup).unwrap().iter().any(|c| c.name == "A02 市场监管"), "off the recorder");
    let case = store.cases(&sup, &CaseQuery::default()).unwrap();
    assert_eq!(case[0].window.as_deref(), Some("A02"), "the old case still names the retired window");
    // The changed host loses the password (issue 28): it would otherwise be sent to the new address.
    let a01 = store.camera_streams(&sup).unwrap().into_iter().find(|s| s.name == "A01 市场监管").unwrap();
    assert!(a01.main_url.contains("192.168.10.121:554"));
    assert!(!a01.main_url.contains("Cam-Secret"), "{}", a01.main_url);
    // Back in the file, back in the hall.
    let back = store.apply_hall(&admin, &sample()).unwrap();
    assert_eq!(back.added.len(), 2, "{back:?}");
    assert!(store.directory(&sup).unwrap().windows.iter().any(|w| w.code == "A02"));
    out.push(format!("retired {} then brought back {}", diff.retired.len(), back.added.len()));

    // A configuration that refers to what it does not hold is refused, naming it, and writes nothing.
    let mut bad = sample();
    bad.cameras[0].window = Some("Z99".into());
    let err = store.apply_hall(&admin, &bad).unwrap_err().to_string();
    assert!(err.contains("camera 1") && err.contains("window") && err.contains("Z99"), "{err}");
    assert_eq!(store.hall_config(&admin, None).unwrap(), sample());

    // Accounts.
    let users = store.users(&admin).unwrap();
    assert!(users.iter().find(|u| u.username == "supervisor1").unwrap().last_login_at.is_some());
    let refused = store.update_user(&admin, "admin", &UserChange { active: Some(false), ..Default::default() });
    assert!(matches!(refused, Err(StoreError::Refused(_))), "not oneself: {refused:?}");
    let u = store
        .update_user(&admin, "chief1", &UserChange { display_name: Some("李主任".into()), ..Default::default() })
        .unwrap();
    assert_eq!(u.display_name, "李主任");
    store.reset_password(&admin, "supervisor1", "temporary-1").unwrap();
    let sup = store.login("supervisor1", "temporary-1").unwrap();
    assert!(sup.must_change_password);
    assert!(matches!(store.directory(&sup), Err(StoreError::Refused(_))), "nothing until a new password");
    let same = store.set_password(&sup, "supervisor1", Some("temporary-1"), "temporary-1");
    assert!(matches!(same, Err(StoreError::Invalid(_))), "not the temporary password again: {same:?}");
    store.set_password(&sup, "supervisor1", Some("temporary-1"), "my-own-password").unwrap();
    assert!(store.directory(&sup).is_ok(), "the new password lifts it");
    let sup2 = store.login("supervisor1", "my-own-password").unwrap();
    assert!(!sup2.must_change_password);
    store.update_user(&admin, "supervisor1", &UserChange { active: Some(false), ..Default::default() }).unwrap();
    assert!(matches!(store.directory(&sup2), Err(StoreError::SessionExpired)), "a disabled account's sessions end");
    out.push(format!("audit {}", audit_actions(store, &admin, "user.")));
    out
}

#[test]
fn a_hall_is_commissioned_the_same_way_locally_and_through_the_server() {
    let (_a, local) = initialised();
    let here = commissioning(&local, false);
    let (_b, behind) = initialised();
    let server = jiancha::server::spawn(Arc::new(behind), "127.0.0.1:0".parse().unwrap()).unwrap();
    let remote = RemoteStore::new(&server.url()).unwrap();
    let there = commissioning(&remote, true);
    assert_eq!(here, there);
}

#[test]
fn the_last_active_administrator_stays() {
    let (_dir, store) = initialised();
    let system = store.system_session();
    let second = NewUser {
        username: "admin2".into(),
        display_name: "二".into(),
        role: Role::Admin,
        password: PASSWORD.into(),
        halls: Vec::new(),
    };
    store.create_user(&system, &second).unwrap();
    let admin2 = store.login("admin2", PASSWORD).unwrap();
    // admin2 may disable admin (another admin remains: admin2 itself).
    store.update_user(&admin2, "admin", &UserChange { active: Some(false), ..Default::default() }).unwrap();
    // Now admin2 is the last one: the system actor may not demote it either.
    let err = store.update_user(&system, "admin2", &UserChange { role: Some(Role::Supervisor), ..Default::default() });
    assert!(matches!(err, Err(StoreError::Refused(ref m)) if m.contains("last active administrator")), "{err:?}");
    let err = store.update_user(&system, "admin2", &UserChange { active: Some(false), ..Default::default() });
    assert!(matches!(err, Err(StoreError::Refused(_))), "{err:?}");
    // Bringing admin back makes admin2 free to go.
    store.update_user(&admin2, "admin", &UserChange { active: Some(true), ..Default::default() }).unwrap();
    store.update_user(&system, "admin2", &UserChange { active: Some(false), ..Default::default() }).unwrap();
}

/// The camera password appears nowhere but in `camera_streams`: not in the database file's bytes, the
/// audit log, the hall file, nor any answer a supervisor's or auditor's session gets from the server.
#[test]
fn the_camera_password_is_nowhere_else() {
    let (dir, store) = initialised();
    let admin = store.login("admin", PASSWORD).unwrap();
    store.apply_hall(&admin, &sample()).unwrap();
    for (name, role) in [("supervisor1", Role::Supervisor), ("auditor1", Role::Auditor)] {
        let u = NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            password: PASSWORD.into(),
            halls: Vec::new(),
        };
        store.create_user(&admin, &u).unwrap();
    }
    store.set_camera_password(&admin, "SP-CITY", "A01 市场监管", Some(CAMERA_PASSWORD)).unwrap();
    store.set_camera_password(&admin, "SP-CITY", "大厅全景", Some(CAMERA_PASSWORD)).unwrap();
    let key = std::fs::read_to_string(dir.path().join("camera.key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(dir.path().join("camera.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let server = jiancha::server::spawn(Arc::new(store), "127.0.0.1:0".parse().unwrap()).unwrap();
    let url = server.url();
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    let login = |name: &str| -> String {
        let body = format!(r#"{{"username":"{name}","password":"{PASSWORD}"}}"#);
        let resp = http.post(format!("{url}/api/v1/login")).header("content-type", "application/json").body(body);
        let v: serde_json::Value = resp.send().unwrap().json().unwrap();
        v["token"].as_str().unwrap().to_owned()
    };
    let call = |token: &str, method: &str, args: &str| -> (u16, String) {
        let resp = http
            .post(format!("{url}/api/v1/call/{method}"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(args.to_owned())
            .send()
            .unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };
    let mut answered = 0;
    for who in ["supervisor1", "auditor1"] {
        let token = login(who);
        for (method, args, _) in jiancha::store::api::METHODS {
            if *method == "camera_streams" && who == "supervisor1" {
                // The call that opens the password locally (for the recorder) gives the cameras over
                // the server without it (issue 32: only the relay and the recorder hold it).
                let (status, body) = call(&token, method, "[]");
                assert_eq!(status, 200);
                assert!(body.contains("rtsp://") && !body.contains("Cam-Secret"), "{body}");
                continue;
            }
            let args = match (*method, args.len()) {
                (_, 0) => "[]".to_owned(),
                ("hall_config", _) => "[null]".to_owned(),
                ("cases", _) => "[{}]".to_owned(),
                ("audit_log", _) => r#"[{"limit": 500}]"#.to_owned(),
                ("alerts", _) => "[{}]".to_owned(),
                _ => continue,
            };
            let (status, body) = call(&token, method, &args);
            answered += 1;
            assert!(!body.contains("Cam-Secret"), "{who} {method} ({status}): {body}");
        }
    }
    assert!(answered > 20, "{answered}");
    drop(server);
    // The database file's bytes (the WAL checkpointed into it).
    let conn = rusqlite::Connection::open(dir.path().join("jiancha.db")).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(conn);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(CAMERA_PASSWORD.len()).any(|w| w == CAMERA_PASSWORD.as_bytes()),
                "{}",
                path.display()
            );
        }
    }
}

/// A database from before version 10 kept credentials in its URLs: opening it moves them out, sealed.
#[test]
fn credentials_in_old_urls_move_out_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jiancha.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        jiancha::store::sqlite::migrate::create_v1(&mut conn).unwrap();
        jiancha::store::sqlite::migrate::upgrade_to(&mut conn, 9).unwrap();
        conn.execute_batch(
            "INSERT INTO hall (code, name) VALUES ('SP', '四平');
             INSERT INTO camera (name, hall_code, main_url, sub_url)
               VALUES ('大厅', 'SP', 'rtsp://admin:Old%40Pass@10.0.0.9/main', 'rtsp://admin:Old%40Pass@10.0.0.9/sub');",
        )
        .unwrap();
    }
    let store = SqlStore::open(&path, Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")))).unwrap();
    let system = store.system_session();
    let dir_cameras = store.directory(&system).unwrap().cameras;
    assert_eq!(dir_cameras[0].main_url, "rtsp://10.0.0.9/main");
    assert_eq!(dir_cameras[0].sub_url.as_deref(), Some("rtsp://10.0.0.9/sub"));
    let streams = store.camera_streams(&system).unwrap();
    assert_eq!(streams[0].main_url, "rtsp://admin:Old%40Pass@10.0.0.9/main");
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let urls: String =
        conn.query_row("SELECT main_url || coalesce(sub_url, '') FROM camera", [], |r| r.get(0)).unwrap();
    assert!(!urls.contains("Old"), "{urls}");
}
