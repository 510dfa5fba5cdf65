//! The command-line contract: data directory selection, the demo, imports with their errors, the audit
//! check and the exit codes (0 ok, 1 findings, 2 usage or input error).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-27T18:00:00+08:00";

fn jiancha(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("JIANCHA_DATA_DIR")
        .env_remove("JIANCHA_PASSWORD")
        .output()
        .unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn demo(dir: &Path) {
    let out = jiancha(dir, &["demo", "--dir", dir.to_str().unwrap(), "--now", NOW]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("jiancha-demo"), "the demo prints the demo password");
}

#[test]
fn audit_verify_finds_a_row_edited_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let ok = jiancha(dir.path(), &["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("intact"));

    let conn = rusqlite::Connection::open(dir.path().join("jiancha.db")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'chief1' WHERE seq = 3;")
        .unwrap();
    drop(conn);
    let broken = jiancha(dir.path(), &["audit", "verify", "--format", "json"]);
    assert_eq!(broken.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(v["first_bad"]["seq"], 3);
}

#[test]
fn import_errors_name_file_line_and_field_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.csv");
    std::fs::write(
        &file,
        "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\nA,名,部门,20,ten,0,accept|complete,\n",
    )
    .unwrap();
    let out = jiancha(dir.path(), &["import", "items", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("items.csv:2: promised_days:"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(!dir.path().join("jiancha.db").exists(), "a rejected file does not even create the database");
}

#[test]
fn import_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let events = dir.path().join("import/events.jsonl");
    let out = jiancha(dir.path(), &["import", "events", events.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inserted"], 0);
    assert_eq!(report["updated"], 0);
    assert!(report["unchanged"].as_u64().unwrap() > 10_000);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(jiancha(dir.path(), &["import", "spreadsheets", "x.csv"]).status.code(), Some(2));
    assert_eq!(jiancha(dir.path(), &["no-such-command"]).status.code(), Some(2));
    let missing = jiancha(dir.path(), &["audit", "verify"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no Jiancha database"), "{}", text(&missing.stderr));
}

#[test]
fn data_dir_comes_from_the_environment_and_user_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args(["--user", "auditor1", "audit", "log", "--limit", "3", "--format", "json"])
        .env("JIANCHA_DATA_DIR", dir.path())
        .env("JIANCHA_PASSWORD", "jiancha-demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log[0]["action"], "login", "the login of this very command is the newest record");
    assert_eq!(log[0]["actor"], "auditor1");

    let denied = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args(["--user", "supervisor1", "audit", "log"])
        .env("JIANCHA_DATA_DIR", dir.path())
        .env("JIANCHA_PASSWORD", "jiancha-demo")
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(2));

    let wrong = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .args(["--user", "auditor1", "audit", "log"])
        .env("JIANCHA_DATA_DIR", dir.path())
        .env("JIANCHA_PASSWORD", "not-it")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(text(&wrong.stderr).contains("wrong user name or password"));
}

#[test]
fn headless_commands_without_user_are_the_system_actor() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let out = jiancha(dir.path(), &["audit", "log", "--limit", "1", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log[0]["actor"], "system");
    assert_eq!(log[0]["role"], "system");
}

#[test]
fn calendar_command_explains_a_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let out = jiancha(dir.path(), &["calendar", "deadline", "2026-09-29", "3"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("2026-10-09\n"), "{stdout}");
    let out = jiancha(dir.path(), &["calendar", "deadline", "2026-12-28", "10"]);
    assert!(text(&out.stderr).contains("2027"), "the missing-year warning goes to stderr");
}

#[test]
fn alerts_command_prints_open_alerts_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let out = jiancha(dir.path(), &["alerts", "--at", NOW, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = alerts.as_array().unwrap();
    assert!(list.len() > 50, "{} alerts", list.len());
    for a in list {
        for field in ["case_no", "rule", "level", "since", "state"] {
            assert!(a.get(field).is_some(), "{field} missing in {a}");
        }
        assert_eq!(a["state"], "open");
    }
    assert!(list.iter().any(|a| a["level"] == "red"));
    let early = jiancha(dir.path(), &["alerts", "--at", "2026-01-01T00:00:00+08:00", "--format", "json"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&early.stdout).unwrap(), serde_json::json!([]));
    let csv = jiancha(dir.path(), &["alerts", "--format", "csv"]);
    let csv = text(&csv.stdout);
    assert!(csv.starts_with("case_no,rule,level,since,state"), "{csv}");
    let all = jiancha(dir.path(), &["alerts", "--at", NOW, "--all", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert!(all.as_array().unwrap().len() > list.len(), "--all adds resolved alerts");
}

#[test]
fn check_daily_saves_the_report_and_records_it() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let out = jiancha(dir.path(), &["check-daily", "--date", "2026-11-27", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["day"], "2026-11-27");
    assert_eq!(record["checked_by"], "system");
    let report = dir.path().join(record["report_path"].as_str().unwrap());
    let content = std::fs::read_to_string(&report).unwrap();
    assert!(content.contains("规则代码"));
    let log = jiancha(dir.path(), &["audit", "log", "--action", "check", "--format", "json"]);
    let log: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log[0]["action"], "check.daily");
}

#[test]
fn cameras_list_never_shows_credentials() {
    use jiancha::store::{HallSetup, NewCamera, Store as _};
    let dir = tempfile::tempdir().unwrap();
    let store =
        jiancha::store::SqliteStore::open_dir(dir.path(), std::sync::Arc::new(jiancha::clock::SystemClock)).unwrap();
    let setup = HallSetup {
        hall: jiancha::domain::model::Hall {
            code: "SP-CITY".into(),
            name: "四平市政务服务中心".into(),
            address: String::new(),
            level: Default::default(),
        },
        departments: vec![jiancha::domain::model::Department {
            name: "市税务局".into(),
            short_name: "税务".into(),
            head: String::new(),
            phone: String::new(),
        }],
        windows: vec![jiancha::domain::model::Window {
            hall_code: "SP-CITY".into(),
            code: "B07".into(),
            name: "B07".into(),
            department: Some("市税务局".into()),
        }],
        cameras: vec![NewCamera {
            name: "B07 税务".into(),
            window_code: Some("B07".into()),
            main_url: "rtsp://admin:Hik12345@10.20.30.40:554/Streaming/Channels/101".into(),
            sub_url: Some("rtsp://admin:Hik12345@10.20.30.40:554/Streaming/Channels/102".into()),
        }],
    };
    store.configure_hall(&store.system_session(), &setup).unwrap();
    drop(store);
    let out = jiancha(dir.path(), &["cameras", "list", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("Hik12345") && !stdout.contains("admin"), "{stdout}");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["window"], "B07");
    assert_eq!(list[0]["department"], "市税务局");
    assert_eq!(list[0]["main_url"], "rtsp://10.20.30.40:554/Streaming/Channels/101");
    let audit = jiancha(dir.path(), &["audit", "log", "--format", "json"]);
    assert!(!text(&audit.stdout).contains("Hik12345"), "the audit record of the setup has no password either");
}

#[test]
fn attendance_rank_json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let out = jiancha(dir.path(), &["attendance", "rank", "--period", "2026-11-09", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let staff = r["staff"].as_array().unwrap();
    assert_eq!(staff.len(), 48);
    for s in staff {
        for field in ["staff_no", "name", "department", "late", "early", "absent"] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
        let marks = s["late"].as_u64().unwrap() + s["early"].as_u64().unwrap();
        assert_eq!(s["rank"].is_null(), marks == 0, "rank is null exactly for people without marks: {s}");
    }
    assert!(!r["departments"].as_array().unwrap().is_empty());
    let check = jiancha(dir.path(), &["evaluator", "check", "--date", "2026-11-26", "--format", "json"]);
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let bursts =
        check["anomalies"].as_array().unwrap().iter().filter(|a| a["kind"] == "burst" && a["window"] == "A05").count();
    assert_eq!(bursts, 2, "the demo's two suspicious bursts at A05 on the last working day");
}

#[test]
fn init_sets_up_an_empty_hall_with_its_first_administrator_and_refuses_a_used_directory() {
    use jiancha::store::Store as _;
    let dir = tempfile::tempdir().unwrap();
    let hall = dir.path().join("hall");
    let init = |password: &str, admin: &str| {
        Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(&hall)
            .args(["init", "--admin", admin, "--name", "王管理"])
            .env("JIANCHA_ADMIN_PASSWORD", password)
            .env_remove("JIANCHA_DATA_DIR")
            .output()
            .unwrap()
    };
    // A refused password or user name: exit 2, the reason, and nothing left behind.
    let short = init("short", "wang.admin");
    assert_eq!(short.status.code(), Some(2), "{}", text(&short.stderr));
    assert!(text(&short.stderr).contains("8"), "says how long a password must be: {}", text(&short.stderr));
    let bad = init("hall-admin-2026", "Wang Admin");
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("Wang Admin"), "{}", text(&bad.stderr));
    let left: Vec<_> =
        std::fs::read_dir(&hall).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "nothing half-written: {left:?}");

    let ok = init("hall-admin-2026", "wang.admin");
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("wang.admin"));

    // The directory holds its administrator and nothing else: no hall, no demo users, no cases.
    let clock = std::sync::Arc::new(jiancha::clock::SystemClock);
    let store = jiancha::store::sqlite::SqliteStore::open_existing_dir(&hall, clock).unwrap();
    let admin = store.login("wang.admin", "hall-admin-2026").unwrap();
    assert_eq!(admin.role, jiancha::domain::access::Role::Admin);
    assert_eq!(admin.display_name, "王管理");
    let users: Vec<String> = store.users(&admin).unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(users, ["wang.admin"]);
    let d = store.directory(&admin).unwrap();
    assert!(d.halls.is_empty() && d.departments.is_empty() && d.windows.is_empty() && d.cameras.is_empty());
    assert!(d.staff.is_empty() && d.items.is_empty());
    assert!(store.cases(&admin, &jiancha::store::CaseQuery::default()).unwrap().is_empty());
    let files: Vec<String> =
        std::fs::read_dir(&hall).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(files.iter().all(|f| !f.contains("init-partial")), "{files:?}");
    drop(store);

    // A directory that holds a database is refused, and left as it was.
    let again = init("another-password", "second.admin");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already holds a database"), "{}", text(&again.stderr));
    let store =
        jiancha::store::sqlite::SqliteStore::open_existing_dir(&hall, std::sync::Arc::new(jiancha::clock::SystemClock))
            .unwrap();
    assert!(store.login("second.admin", "another-password").is_err());
    assert!(store.verify_audit(&store.system_session()).unwrap().first_bad.is_none());
}
