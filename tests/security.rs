//! Issue 28, the third security pass, on a hall set up by `init` with a hall file: no secret at rest
//! in remembered answers, one person cannot act as two (dual authorisation, own-password changes,
//! detections only from this machine, replays checked again, the lock-out no oracle), a restore that
//! refuses a schema the program did not make, files private, and inputs anywhere in a call checked.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use crate::support::camera_hall;

use jiancha::store::prelude::*;
use std::sync::Arc;

use camera_hall::{PASSWORD, four_cameras};
use jiancha::clock::{Clock as _, FixedClock};
use jiancha::domain::access::Role;
use jiancha::domain::footage::{RequestKind, Span};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::{NewFootageRequest, NewUser, Store, StoreError, UserChange};

fn t(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
}

fn hall() -> (tempfile::TempDir, Arc<SqlStore>, Arc<FixedClock>, Vec<i64>) {
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let (dir, store, cameras) = four_cameras(clock.clone());
    (dir, Arc::new(store), clock, cameras)
}

fn user(name: &str, role: Role) -> NewUser {
    NewUser { username: name.into(), display_name: name.into(), role, password: PASSWORD.into(), halls: Vec::new() }
}

/// A data directory with a database and its administrator only (`top/hall`), closed.
fn bare_hall() -> (tempfile::TempDir, std::path::PathBuf, Arc<FixedClock>) {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("hall");
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let store = SqlStore::open_dir(&dir, clock.clone()).unwrap();
    store.create_user(&store.system_session(), &user("admin", Role::Admin)).unwrap();
    drop(store);
    (top, dir, clock)
}

/// A request to view the hour before last of `camera`.
fn view_request(camera: i64, clock: &FixedClock) -> NewFootageRequest {
    NewFootageRequest {
        cameras: vec![camera],
        span: Span::new(clock.now() - chrono::Duration::hours(2), clock.now() - chrono::Duration::hours(1)),
        purpose: "投诉核查".into(),
        kind: RequestKind::View,
        second_person: None,
        case_no: None,
        complaint_no: None,
    }
}

fn http() -> reqwest::blocking::Client {
    jiancha::server::tls::install_crypto();
    reqwest::blocking::Client::new()
}

/// A keyed call over HTTP: (status, body).
fn keyed(
    http: &reqwest::blocking::Client,
    url: &str,
    token: &str,
    method: &str,
    key: &str,
    args: &str,
) -> (u16, String) {
    let answer = http
        .post(format!("{url}/api/v1/call/{method}"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(args.to_owned())
        .send()
        .unwrap();
    (answer.status().as_u16(), answer.text().unwrap())
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn remembered_answers_hold_no_secret_and_a_replay_is_checked_as_the_account_is_now() {
    let (dir, store, _clock, _) = hall();
    let system = store.system_session();
    store.create_user(&system, &user("admin2", Role::Admin)).unwrap();
    let server = jiancha::server::spawn(store.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let (http, url) = (http(), server.url());
    let admin = store.login("admin", PASSWORD).unwrap();
    let admin2 = store.login("admin2", PASSWORD).unwrap();

    // A camera password set with a key: remembered as a keyed digest, never the password or its SHA-256.
    let secret = "Cam-Secret-Pw-42";
    let args = format!(r#"["MC", "W01 摄像头", "{secret}"]"#);
    let (status, _) = keyed(&http, &url, &admin.token, "set_camera_password", "key-set-camera-password-1", &args);
    assert_eq!(status, 200);
    // The playable URLs asked with a key: answered without the password (a server never hands it to a
    // console), and never remembered.
    let (status, body) = keyed(&http, &url, &admin.token, "camera_streams", "key-camera-streams-0001", "[]");
    assert_eq!(status, 200);
    assert!(body.contains("rtsp://") && !body.contains(secret), "no camera password over the server: {body}");
    drop(server);
    let remembered = |sql: &str| crate::support::backend::query_text(dir.path(), sql);
    let methods = remembered("SELECT coalesce(group_concat(method), '') FROM idempotency");
    assert_eq!(methods, "set_camera_password", "only the write is remembered");
    let digest = remembered("SELECT request_sha256 FROM idempotency");
    let plain =
        jiancha::files::sha256_hex(serde_json::from_str::<serde_json::Value>(&args).unwrap().to_string().as_bytes());
    assert_ne!(digest, plain, "not a plain SHA-256 of the arguments");
    assert_eq!(digest.len(), 64);
    assert!(
        !contains(&crate::support::backend::contents(dir.path()), secret),
        "the camera password is nowhere in the database in clear"
    );

    // A keyed write by an administrator who is then demoted: the same key runs again, and is refused.
    let server = jiancha::server::spawn(store.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let url = server.url();
    let change = r#"["sup", {"display_name": "王监察", "role": null, "active": null, "unlock": false}]"#;
    let (status, _) = keyed(&http, &url, &admin2.token, "update_user", "key-update-user-00001", change);
    assert_eq!(status, 200);
    let (status, _) = keyed(&http, &url, &admin2.token, "users", "key-users-list-000001", "[]");
    assert_eq!(status, 200);
    store.update_user(&admin, "admin2", &UserChange { role: Some(Role::Supervisor), ..Default::default() }).unwrap();
    let demoted = store.login("admin2", PASSWORD).unwrap();
    let (status, body) = keyed(&http, &url, &demoted.token, "update_user", "key-update-user-00001", change);
    assert_eq!(status, 403, "a replay is no way round the demotion: {body}");
    let (status, body) = keyed(&http, &url, &demoted.token, "users", "key-users-list-000001", "[]");
    assert_eq!(status, 403, "{body}");
    // A malformed key is still refused on a read.
    let (status, _) = keyed(&http, &url, &admin.token, "users", "short", "[]");
    assert_eq!(status, 400);
}

#[test]
fn one_person_cannot_act_as_two_dual_authorisation_of_chiefs_and_administrators() {
    let (_dir, store, clock, cameras) = hall();
    let system = store.system_session();
    store.create_user(&system, &user("admin2", Role::Admin)).unwrap();
    let admin = store.login("admin", PASSWORD).unwrap();
    let admin2 = store.login("admin2", PASSWORD).unwrap();
    let chief = store.login("chief", PASSWORD).unwrap();

    // A new chief is a request: no account until a second person confirms it.
    let made = store.create_user(&admin, &user("chief.two", Role::Chief)).unwrap();
    let id = made.pending_change.expect("a request");
    assert!(!made.active);
    assert!(matches!(store.login("chief.two", PASSWORD), Err(StoreError::BadCredentials)));
    assert!(matches!(store.create_user(&admin, &user("chief.two", Role::Chief)), Err(StoreError::Conflict(_))));
    let own = store.decide_account_change(&admin, id, true, "").unwrap_err();
    assert!(matches!(&own, StoreError::Refused(m) if m.contains("第二") || m.contains("second")), "{own:?}");
    assert!(matches!(store.account_changes(&store.login("sup", PASSWORD).unwrap()), Err(StoreError::Forbidden { .. })));
    let confirmed = store.decide_account_change(&chief, id, true, "").unwrap();
    assert_eq!(confirmed.decided_by.as_deref(), Some("chief"));
    let two = store.login("chief.two", PASSWORD).unwrap();
    assert!(two.must_change_password, "the new chief chooses their own password");

    // A promotion to administrator: the same.
    store.update_user(&admin, "sup", &UserChange { role: Some(Role::Admin), ..Default::default() }).unwrap();
    let sup = store.users(&admin).unwrap().into_iter().find(|u| u.username == "sup").unwrap();
    assert_eq!(sup.role, Role::Supervisor, "not yet");
    let promotion = sup.pending_change.unwrap();
    let refused = store.decide_account_change(&admin2, promotion, false, "");
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "a refusal needs its reason");
    store.decide_account_change(&admin2, promotion, false, "没有依据").unwrap();
    assert_eq!(store.users(&admin).unwrap().into_iter().find(|u| u.username == "sup").unwrap().role, Role::Supervisor);

    // The administrator resets the chief's password to log in as the chief: a request; the old
    // password still works until another administrator confirms.
    let supervisor = store.login("sup", PASSWORD).unwrap();
    let new = view_request(cameras[0], &clock);
    let request = store.request_footage(&supervisor, &new).unwrap();
    clock.advance(chrono::Duration::minutes(1));
    let reset = store.reset_password(&admin, "chief", "temporary-1").unwrap().expect("a request");
    assert!(store.login("chief", PASSWORD).is_ok(), "nothing changed yet");
    assert!(store.login("chief", "temporary-1").is_err());
    let self_decided = store.decide_account_change(&chief, reset.id, true, "");
    assert!(matches!(self_decided, Err(StoreError::Refused(_))), "nobody decides a change of their own account");
    store.decide_account_change(&admin2, reset.id, true, "").unwrap();
    let taken = store.login("chief", "temporary-1").unwrap();
    store.set_password(&taken, "chief", Some("temporary-1"), "chosen-again-1").unwrap();
    let chief = store.login("chief", "chosen-again-1").unwrap();
    // A chief whose password was reset after the request was made does not decide it.
    let err = store.decide_footage(&chief, request.id, true, "同意").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("重置")), "{err:?}");
    clock.advance(chrono::Duration::minutes(1));
    let later = store.request_footage(&supervisor, &new).unwrap();
    store.decide_footage(&chief, later.id, true, "同意").unwrap();

    // The audit log shows who asked and who confirmed.
    let records = store
        .audit_log(
            &admin,
            &jiancha::store::AuditQuery {
                action_prefix: Some("user.password_reset".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .unwrap();
    let record = records.iter().find(|r| r.target == "user:chief").unwrap();
    assert_eq!(record.actor, "admin2");
    let detail: serde_json::Value = serde_json::from_str(&record.detail).unwrap();
    assert_eq!(detail["requested_by"], "admin");
}

#[test]
fn a_hall_with_one_administrator_and_one_chief_still_works() {
    let (_dir, store, _clock, _) = hall();
    let admin = store.login("admin", PASSWORD).unwrap();
    // The fixture made its first chief at once: nobody else could have confirmed it.
    assert_eq!(store.login("chief", PASSWORD).unwrap().role, Role::Chief);
    // A second chief: the first confirms it.
    let id = store.create_user(&admin, &user("chief.b", Role::Chief)).unwrap().pending_change.unwrap();
    store.decide_account_change(&store.login("chief", PASSWORD).unwrap(), id, true, "").unwrap();
    // Resetting the only other chief's password with nobody to confirm: refused over a session, done
    // at the server as the local system.
    store.update_user(&admin, "chief.b", &UserChange { active: Some(false), ..Default::default() }).unwrap();
    let err = store.reset_password(&admin, "chief", "temporary-1").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("本机系统")), "{err:?}");
    assert!(store.reset_password(&store.system_session(), "chief", "temporary-1").unwrap().is_none());
    assert!(store.login("chief", "temporary-1").unwrap().must_change_password);
}

#[test]
fn own_password_detections_lock_out_and_footage_decisions_give_nothing_away() {
    let (_dir, store, clock, cameras) = hall();
    let sup = store.login("sup", PASSWORD).unwrap();
    // One's own password needs the current one; five wrong ones end the sessions and lock the account.
    for _ in 0..4 {
        let wrong = store.set_password(&sup, "sup", Some("not-it-at-all"), "a-new-password");
        assert!(matches!(wrong, Err(StoreError::Refused(_))), "{wrong:?}");
    }
    assert!(store.set_password(&sup, "sup", Some("not-it-at-all"), "a-new-password").is_err());
    assert_eq!(store.overview(&sup).unwrap_err(), StoreError::SessionExpired, "the fifth ends the session");
    // While locked, the right password gets the same answer as a wrong one.
    assert_eq!(store.login("sup", PASSWORD).unwrap_err(), StoreError::BadCredentials);
    assert_eq!(store.login("sup", "wrong-password").unwrap_err(), StoreError::BadCredentials);
    clock.advance(chrono::Duration::minutes(16));
    let sup = store.login("sup", PASSWORD).unwrap();

    // Detections come only from this machine's watchers, never from a caller.
    let report = jiancha::store::WatchReport::Ended {
        camera_id: cameras[0],
        kind: jiancha::domain::watch::FindingKind::Blocked,
        at: clock.now(),
        snapshot: None,
    };
    assert!(matches!(store.report_watch(&sup, &report), Err(StoreError::Forbidden { .. })));
    let admin = store.login("admin", PASSWORD).unwrap();
    assert!(matches!(store.report_watch(&admin, &report), Err(StoreError::Forbidden { .. })));
    assert!(store.report_watch(&store.system_session(), &report).is_ok());

    // Whether a footage request exists is nobody's business who cannot decide one.
    let new = view_request(cameras[0], &clock);
    let request = store.request_footage(&sup, &new).unwrap();
    for who in [&sup, &admin] {
        let existing = store.decide_footage(who, request.id, true, "").unwrap_err();
        let missing = store.decide_footage(who, 999_999, true, "").unwrap_err();
        assert_eq!(existing, missing, "{}", who.username);
    }
}

#[test]
fn names_urls_dates_and_publications_are_checked_wherever_they_come() {
    let (_dir, store, _clock, _) = hall();
    let admin = store.login("admin", PASSWORD).unwrap();
    // Display names: no NUL, line breaks, BEL or bidirectional overrides, at most 50 characters.
    for name in ["坏\u{0}名", "two\nlines", "bell\u{7}", "evil\u{202e}txt", &"长".repeat(3000)] {
        let err = store.create_user(&admin, &NewUser { display_name: name.into(), ..user("x.y", Role::Supervisor) });
        assert!(matches!(err, Err(StoreError::Invalid(_))), "{name:?}: {err:?}");
    }
    // Hall, department, window and camera names alike.
    let mut config = store.hall_config(&admin, None).unwrap();
    config.departments[0].name = "县政务\u{202e}服务中心".into();
    assert!(matches!(store.plan_hall(&admin, &config), Err(StoreError::Invalid(_))));
    let mut config = store.hall_config(&admin, None).unwrap();
    config.cameras[0].name = "W01\n摄像头".into();
    assert!(matches!(store.plan_hall(&admin, &config), Err(StoreError::Invalid(_))));
    // A password in a URL — in its user part or its parameters — is refused without being echoed.
    for url in ["rtsp://10.0.0.9/live?user=admin&password=Hunter2-Secret", "rtsp://admin:Hunter2-Secret@10.0.0.9/live"]
    {
        let mut config = store.hall_config(&admin, None).unwrap();
        config.cameras[0].main_url = url.into();
        let err = store.plan_hall(&admin, &config).unwrap_err().to_string();
        assert!(!err.contains("Hunter2-Secret"), "{err}");
        assert!(err.contains("password") || err.contains("credential"), "{err}");
    }
    // A camera moved to another host loses its sealed password: the next playable URL would send it there.
    store.set_camera_password(&admin, "MC", "W01 摄像头", Some("Cam-Pw-1")).unwrap();
    let streams = store.camera_streams(&admin).unwrap();
    assert!(streams.iter().any(|s| s.main_url.contains("Cam-Pw-1")));
    let mut config = store.hall_config(&admin, None).unwrap();
    config.cameras[0].main_url = "rtsp://10.9.9.9:554/cam1".into();
    config.cameras[0].sub_url = Some("rtsp://10.9.9.9:554/cam1/sub".into());
    store.apply_hall(&admin, &config).unwrap();
    let streams = store.camera_streams(&admin).unwrap();
    assert!(!streams.iter().any(|s| s.main_url.contains("Cam-Pw-1")), "{streams:?}");
    // A month with nothing assessed is not published (frozen for ever).
    let chief = store.login("chief", PASSWORD).unwrap();
    let month: jiancha::domain::assessment::YearMonth = "1990-01".parse().unwrap();
    let err = store.publish_assessment(&chief, month, "").unwrap_err();
    assert!(matches!(&err, StoreError::Refused(m) if m.contains("无可发布")), "{err:?}");
}

#[test]
fn every_text_and_date_anywhere_in_a_call_meets_one_rule_over_http() {
    let (_dir, store, _clock, _) = hall();
    let server = jiancha::server::spawn(store.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    let http = http();
    let sup = store.login("sup", PASSWORD).unwrap();
    let call = |method: &str, args: &str| {
        let answer = http
            .post(format!("{}/api/v1/call/{method}", server.url()))
            .bearer_auth(&sup.token)
            .header("content-type", "application/json")
            .body(args.to_owned())
            .send()
            .unwrap();
        (answer.status().as_u16(), answer.text().unwrap())
    };
    // Dates inside query objects: outside 1990–2100 they are refused, naming where — not a panic.
    for args in [
        r#"[{"undecided_only": false, "from": "-262143-01-01", "to": null}]"#,
        r#"[{"undecided_only": false, "from": null, "to": "+262142-12-31"}]"#,
    ] {
        let (status, body) = call("camera_findings", args);
        assert_eq!(status, 422, "{args}: {body}");
        assert!(body.contains("arguments[0]."), "{body}");
    }
    // Control characters and overrides anywhere, nested included.
    let (status, body) = call("close_alert", "[1, \"bad\\u0000reason\"]");
    assert_eq!(status, 422, "{body}");
    let (status, body) = call("cases", r#"[{"text": "x\u202ey"}]"#);
    assert_eq!(status, 422, "{body}");
    // Two Host headers mean different things to different readers: refused.
    use std::io::{Read as _, Write as _};
    let mut socket = std::net::TcpStream::connect(server.addr).unwrap();
    socket.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let request = format!(
        "GET /api/v1/health HTTP/1.1\r\nhost: {}\r\nhost: evil.example\r\nconnection: close\r\n\r\n",
        server.addr
    );
    socket.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 421") || answer.starts_with("HTTP/1.1 400"), "{answer}");
}

#[test]
fn files_the_program_writes_are_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (top, dir, clock) = bare_hall();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("jiancha.db")), 0o600);
    let out = top.path().join("backups").join("copy.db");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    jiancha::store::sqlite::backup::backup(&dir.join("jiancha.db"), &out, clock.now(), "test").unwrap();
    assert_eq!(mode(&out), 0o600);
    assert_eq!(mode(&jiancha::store::sqlite::backup::manifest_path(&out)), 0o600);
    // A database made readable by others before this rule is made private when opened.
    std::fs::set_permissions(dir.join("jiancha.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(SqlStore::open_dir(&dir, clock).unwrap());
    assert_eq!(mode(&dir.join("jiancha.db")), 0o600);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn a_restore_refuses_a_copy_whose_schema_is_not_the_programs_own() {
    let (top, dir, clock) = bare_hall();
    let tampered = [
        // Every login an administrator.
        "CREATE TRIGGER every_login_admin AFTER INSERT ON session BEGIN UPDATE user SET role = 'admin' WHERE id = NEW.user_id; END;",
        // A frozen publication made editable.
        "DROP TRIGGER assessment_publication_frozen;",
        // A view of somebody's own.
        "CREATE VIEW mine AS SELECT * FROM user;",
    ];
    for (i, sql) in tampered.iter().enumerate() {
        let copy = top.path().join(format!("copy{i}.db"));
        jiancha::store::sqlite::backup::backup(&dir.join("jiancha.db"), &copy, clock.now(), "test").unwrap();
        {
            let conn = rusqlite::Connection::open(&copy).unwrap();
            conn.execute_batch(sql).unwrap();
        }
        // The manifest recomputed, as an attacker would.
        let manifest_path = jiancha::store::sqlite::backup::manifest_path(&copy);
        let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
        manifest["sha256"] = jiancha::files::sha256_file(&copy).unwrap().into();
        manifest["bytes"] = std::fs::metadata(&copy).unwrap().len().into();
        std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
        let target = top.path().join(format!("restored{i}"));
        std::fs::create_dir_all(&target).unwrap();
        std::fs::copy(dir.join("audit.key"), target.join("audit.key")).unwrap();
        let err = jiancha::store::sqlite::backup::restore(&copy, &target, false, clock.now()).unwrap_err().to_string();
        // The manifest's MAC (the attacker has no audit key) or, past it, the schema: refused.
        assert!(err.contains("MAC does not match") || err.contains("schema is not this program's"), "{sql}: {err}");
        assert!(!target.join("jiancha.db").exists(), "nothing restored");
    }
    // A manifest whose text would drive the terminal is refused before anything is read.
    let copy = top.path().join("escape.db");
    jiancha::store::sqlite::backup::backup(&dir.join("jiancha.db"), &copy, clock.now(), "test").unwrap();
    let manifest_path = jiancha::store::sqlite::backup::manifest_path(&copy);
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["source"] = "\u{1b}]0;owned\u{7}/srv/jiancha.db".into();
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let err = jiancha::store::sqlite::backup::restore(&copy, &top.path().join("r"), false, clock.now()).unwrap_err();
    assert!(err.to_string().contains("source"), "{err}");
    // An untouched copy restores (beside the hall's audit key).
    let good = top.path().join("good.db");
    jiancha::store::sqlite::backup::backup(&dir.join("jiancha.db"), &good, clock.now(), "test").unwrap();
    let ok = top.path().join("ok");
    std::fs::create_dir_all(&ok).unwrap();
    std::fs::copy(dir.join("audit.key"), ok.join("audit.key")).unwrap();
    jiancha::store::sqlite::backup::restore(&good, &ok, false, clock.now()).unwrap();
    // Schema checks alone, past the MAC (as if the manifest were made by one who holds the key).
    let copy = top.path().join("planted.db");
    jiancha::store::sqlite::backup::backup(&dir.join("jiancha.db"), &copy, clock.now(), "test").unwrap();
    {
        let conn = rusqlite::Connection::open(&copy).unwrap();
        conn.execute_batch(tampered[0]).unwrap();
        let mut stmt = conn.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").unwrap();
        let n: i64 = stmt.query_row([], |r| r.get(0)).unwrap();
        assert!(n > 3);
    }
    let difference = jiancha::store::sqlite::backup::schema_difference(&rusqlite::Connection::open(&copy).unwrap())
        .unwrap()
        .expect("a planted trigger is a difference");
    assert!(difference.contains("every_login_admin"), "{difference}");
}

/// The audit history rewritten in the database itself — an actor changed and every later hash
/// recomputed, as anyone holding the file could — fails the keyed chain; a saved anchor tells the
/// history before it from another.
#[test]
fn a_rewritten_audit_history_fails_the_keyed_chain_and_a_saved_anchor() {
    use jiancha::domain::audit::{AuditFields, chain_hash};
    let (dir, store, _clock, _) = hall();
    let admin = store.login("admin", PASSWORD).unwrap();
    let before = store.verify_audit(&admin).unwrap();
    assert!(before.first_bad.is_none(), "{before:?}");
    let anchor = before.anchor.clone().expect("a keyed head");
    assert!(store.check_audit_anchor(&admin, &anchor).unwrap());
    let fake: jiancha::store::AuditAnchor = format!("{}:{}", anchor.seq, "0".repeat(64)).parse().unwrap();
    assert!(!store.check_audit_anchor(&admin, &fake).unwrap());
    drop(store);
    {
        let conn = rusqlite::Connection::open(dir.path().join("jiancha.db")).unwrap();
        conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'nobody' WHERE seq = 2;")
            .unwrap();
        let rows: Vec<(i64, i64, String, String, String, String, String, (String, String))> = conn
            .prepare(
                "SELECT seq, at, actor, role, action, target, detail, workstation, coalesce(hall_code, '') \
                 FROM audit_log ORDER BY seq",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    (r.get(7)?, r.get(8)?),
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut prev = jiancha::domain::audit::GENESIS_HASH.to_owned();
        for (seq, at, actor, role, action, target, detail, (workstation, hall)) in rows {
            let at = chrono::DateTime::from_timestamp_micros(at).unwrap();
            let fields = AuditFields {
                seq,
                at,
                actor: &actor,
                role: &role,
                action: &action,
                target: &target,
                detail: &detail,
                workstation: &workstation,
                hall: &hall,
            };
            let hash = chain_hash(&prev, &fields);
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
                rusqlite::params![seq, prev, hash],
            )
            .unwrap();
            prev = hash;
        }
        conn.execute("UPDATE audit_head SET hash = ?1", [&prev]).unwrap();
    }
    let clock = Arc::new(FixedClock::new(t("2026-11-27T10:30:00+08:00")));
    let store = SqlStore::open_existing_dir(dir.path(), clock).unwrap();
    let admin = store.login("admin", PASSWORD).unwrap();
    let after = store.verify_audit(&admin).unwrap();
    let broken = after.first_bad.expect("the MACs do not follow the rewritten hashes");
    assert_eq!(broken.seq, 2, "{broken:?}");
    assert!(broken.reason.contains("MAC"), "{broken:?}");
}

/// A picture kept as evidence decodes as its header says: a header claiming 8192×8192 followed by junk,
/// or one larger than 4096 on a side, is refused; a real picture is kept.
#[test]
fn a_reference_view_or_snapshot_must_be_a_whole_png() {
    let (_dir, store, _clock, cameras) = hall();
    let admin = store.login("admin", PASSWORD).unwrap();
    let mut forged = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    forged.extend_from_slice(b"IHDR");
    forged.extend_from_slice(&8192u32.to_be_bytes());
    forged.extend_from_slice(&8192u32.to_be_bytes());
    forged.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    forged.extend(std::iter::repeat_n(0x5a, 4096));
    let err = store.set_camera_reference(&admin, cameras[0], Some(&forged)).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("4096")), "{err:?}");
    forged[16..20].copy_from_slice(&64u32.to_be_bytes());
    forged[20..24].copy_from_slice(&64u32.to_be_bytes());
    let err = store.set_camera_reference(&admin, cameras[0], Some(&forged)).unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.contains("does not decode")), "{err:?}");
    let mut real = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut real, 4, 3);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(&[128; 4 * 3 * 3]).unwrap();
    }
    store.set_camera_reference(&admin, cameras[0], Some(&real)).unwrap();
}

/// Issue 28, "inputs": every call of the API driven with values its own OpenAPI document allows, every
/// text, date and number in them hostile or extreme (NUL, overrides, 20,000 characters, years −262143
/// and +262142, `i64::MIN`), nested objects included, as an administrator, a chief and a supervisor:
/// nothing panics and nothing answers as a failure of the server (5xx). Bounded by count and seeded
/// (`JIANCHA_FUZZ_SEED` tries another seed).
#[test]
fn every_call_with_extreme_and_hostile_values_never_fails_the_server_nor_panics() {
    use rand::{Rng as _, SeedableRng as _};
    use serde_json::{Value, json};
    let (_dir, store, _clock, _cameras) = hall();
    let doc = jiancha::server::openapi();
    let sessions = [
        store.login("admin", PASSWORD).unwrap(),
        store.login("chief", PASSWORD).unwrap(),
        store.login("sup", PASSWORD).unwrap(),
    ];
    let texts = [
        String::new(),
        "\u{0}".into(),
        "a\u{202e}b".into(),
        "bell\u{7}".into(),
        "长".repeat(20_000),
        "../../../etc/passwd".into(),
        "rtsp://admin:pw@10.0.0.1/x?password=pw".into(),
        "SP-CITY".into(),
        "MC".into(),
        "W01".into(),
        "sup".into(),
        "2026-11-27".into(),
        "-262143-01-01".into(),
        "+262142-12-31T23:59:59Z".into(),
        "1990-01".into(),
    ];
    let dates =
        ["-262143-01-01", "+262142-12-31", "1989-12-31", "1990-01-01", "2026-11-27", "2100-12-31", "2101-01-01"];
    let times = ["-262143-01-01T00:00:00Z", "+262142-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-11-27T02:30:00Z"];
    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => resolve(doc, &doc["components"]["schemas"][name]),
            None => schema,
        }
    }
    let seed = std::env::var("JIANCHA_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(28);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut calls = 0;
    let mut deepest = 0usize;
    let mut reached = (0usize, 0usize, 0usize);
    let methods: Vec<(String, Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| {
            let method = path.strip_prefix("/api/v1/call/")?;
            Some((method.to_owned(), item["post"]["requestBody"]["content"]["application/json"]["schema"].clone()))
        })
        .collect();
    assert!(methods.len() > 80, "every public call: {}", methods.len());
    // The rule is in the document, as the server applies it.
    for (path, item) in doc["paths"].as_object().unwrap().iter().filter(|(p, _)| p.starts_with("/api/v1/call/")) {
        let rule = &item["post"]["requestBody"]["x-jiancha-text-rule"];
        assert_eq!(rule["maxLength"], jiancha::store::api::MAX_ARGUMENT_CHARS, "{path}");
        assert_eq!(rule["dateYears"], json!([1990, 2100]), "{path}");
    }
    for (method, arguments) in &methods {
        for case in 0..30 {
            // One value that fits the schema, with hostile leaves.
            fn make(
                doc: &Value,
                schema: &Value,
                rng: &mut rand_chacha::ChaCha8Rng,
                depth: usize,
                leaves: &(&[String], &[&str], &[&str]),
            ) -> Value {
                let schema = resolve(doc, schema);
                if depth > 8 {
                    return Value::Null;
                }
                for key in ["anyOf", "oneOf"] {
                    if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                        let pick = &branches[rng.gen_range(0..branches.len())];
                        return make(doc, pick, rng, depth + 1, leaves);
                    }
                }
                if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
                    return make(doc, &all[0], rng, depth + 1, leaves);
                }
                if let Some(c) = schema.get("const") {
                    return c.clone();
                }
                if let Some(options) = schema.get("enum").and_then(Value::as_array) {
                    return options[rng.gen_range(0..options.len())].clone();
                }
                let kind = match &schema["type"] {
                    Value::String(t) => t.clone(),
                    Value::Array(types) => {
                        let types: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                        types[rng.gen_range(0..types.len())].to_owned()
                    }
                    _ => "object".into(),
                };
                match kind.as_str() {
                    "null" => Value::Null,
                    "boolean" => Value::Bool(rng.r#gen()),
                    "integer" => {
                        let lo = schema.get("minimum").and_then(Value::as_i64).unwrap_or(i64::MIN);
                        let hi = schema.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
                        let pick = [lo, hi, 0, 1, -1, 7, 999_999]
                            .iter()
                            .copied()
                            .filter(|v| (lo..=hi).contains(v))
                            .collect::<Vec<_>>();
                        json!(pick[rng.gen_range(0..pick.len())])
                    }
                    "number" => json!([0.0, -1.5, 1e300, -1e300, 0.1][rng.gen_range(0..5)]),
                    "string" => match schema.get("format").and_then(Value::as_str) {
                        Some("date") => json!(leaves.1[rng.gen_range(0..leaves.1.len())]),
                        Some("date-time") => json!(leaves.2[rng.gen_range(0..leaves.2.len())]),
                        _ => json!(leaves.0[rng.gen_range(0..leaves.0.len())]),
                    },
                    "array" => {
                        if let Some(prefix) = schema.get("prefixItems").and_then(Value::as_array) {
                            Value::Array(prefix.iter().map(|s| make(doc, s, rng, depth + 1, leaves)).collect())
                        } else {
                            let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
                            let n = rng.gen_range(0..3);
                            Value::Array((0..n).map(|_| make(doc, &items, rng, depth + 1, leaves)).collect())
                        }
                    }
                    _ => {
                        let required: Vec<&str> = schema
                            .get("required")
                            .and_then(Value::as_array)
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        let mut map = serde_json::Map::new();
                        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                            for (name, prop) in props {
                                if required.contains(&name.as_str()) || rng.gen_bool(0.6) {
                                    map.insert(name.clone(), make(doc, prop, rng, depth + 1, leaves));
                                }
                            }
                        }
                        Value::Object(map)
                    }
                }
            }
            let leaves = (&texts[..], &dates[..], &times[..]);
            let args = make(&doc, arguments, &mut rng, 0, &leaves);
            deepest = deepest.max(args.to_string().matches('{').count());
            let session = &sessions[case % sessions.len()];
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                jiancha::store::api::dispatch(&*store, session, method, args.clone())
            }));
            calls += 1;
            match outcome {
                Err(_) => panic!("{method} panicked on {:.400}", args.to_string()),
                Ok(Err(jiancha::store::api::DispatchError::Store(StoreError::Backend(m)))) => {
                    panic!("{method} failed as the server ({m}) on {:.400}", args.to_string())
                }
                Ok(Ok(_)) => reached.0 += 1,
                Ok(Err(jiancha::store::api::DispatchError::Store(_))) => reached.1 += 1,
                Ok(Err(_)) => reached.2 += 1,
            }
        }
    }
    println!(
        "{calls} calls: {} answered, {} refused by the store, {} refused before it",
        reached.0, reached.1, reached.2
    );
    assert!(calls >= 80 * 30, "{calls} calls");
    // Deep enough to matter: many calls reached the store and many were answered.
    assert!(reached.0 >= 400 && reached.1 >= 400, "{reached:?}");
    assert!(deepest >= 2, "nested objects were driven too");
}
