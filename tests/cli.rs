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

/// `jiancha demo --dir DIR --now NOW`, run once for the suite and copied (tests/support/demo_hall.rs).
fn demo(dir: &Path) {
    crate::support::demo_hall::cli_demo(dir, NOW);
}

#[test]
fn audit_verify_finds_a_row_edited_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let ok = jiancha(dir.path(), &["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("intact"));
    // The chain head, kept apart (the daily report prints it), holds; a forged one does not.
    let json = jiancha(dir.path(), &["audit", "verify", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let anchor = format!("{}:{}", v["anchor"]["seq"], v["anchor"]["mac"].as_str().unwrap());
    let held = jiancha(dir.path(), &["audit", "verify", "--anchor", &anchor]);
    assert_eq!(held.status.code(), Some(0), "{}{}", text(&held.stdout), text(&held.stderr));
    assert!(text(&held.stdout).contains("anchor"), "{}", text(&held.stdout));
    let forged = format!("{}:{}", v["anchor"]["seq"], "ab".repeat(32));
    let broken = jiancha(dir.path(), &["audit", "verify", "--anchor", &forged]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken.stdout));

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
    assert!(err.contains("nothing was written"), "{err}");
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
    use jiancha::store::prelude::*;
    use jiancha::store::{HallSetup, NewCamera};
    let dir = tempfile::tempdir().unwrap();
    let store =
        jiancha::store::SqlStore::open_dir(dir.path(), std::sync::Arc::new(jiancha::clock::SystemClock)).unwrap();
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
    use jiancha::store::prelude::*;
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
    let store = jiancha::store::sqlite::SqlStore::open_existing_dir(&hall, clock).unwrap();
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
        jiancha::store::sqlite::SqlStore::open_existing_dir(&hall, std::sync::Arc::new(jiancha::clock::SystemClock))
            .unwrap();
    assert!(store.login("second.admin", "another-password").is_err());
    assert!(store.verify_audit(&store.system_session()).unwrap().first_bad.is_none());
}

/// `jiancha` with environment variables (passwords) and a log level, on `dir`.
fn jiancha_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiancha"));
    c.arg("--data-dir").arg(dir).args(args).env_remove("JIANCHA_DATA_DIR").env_remove("JIANCHA_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn initialised(dir: &Path) {
    let out = jiancha_env(dir, &["init", "--admin", "wang.admin"], &[("JIANCHA_ADMIN_PASSWORD", "hall-admin-2026")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The hall file on a hall set up with `jiancha init`: a dry run changes nothing, applying adds, applying
/// again changes nothing, a bad key names its line and writes nothing, the export applies to itself, and
/// the camera password set with `cameras passwd` is in no output, log, audit record or file of the
/// directory but the key-sealed column.
#[test]
fn the_hall_file_applies_once_names_bad_lines_and_keeps_camera_passwords_out() {
    let dir = tempfile::tempdir().unwrap();
    let hall = dir.path().join("hall");
    initialised(&hall);
    let file = dir.path().join("hall.toml");
    let sample = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/hall.sample.toml")).unwrap();
    std::fs::write(&file, &sample).unwrap();
    let f = file.to_str().unwrap();

    let dry = jiancha(&hall, &["hall", "apply", f, "--dry-run", "--format", "json"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(plan["added"].as_array().unwrap().len(), 1 + 2 + 3 + 4, "{plan}");
    assert!(plan["changed"].as_array().unwrap().is_empty() && plan["retired"].as_array().unwrap().is_empty());
    let none = jiancha(&hall, &["hall", "export"]);
    assert_eq!(none.status.code(), Some(2), "the dry run wrote no hall: {}", text(&none.stdout));

    let applied = jiancha(&hall, &["hall", "apply", f]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let lines = text(&applied.stdout);
    assert!(lines.lines().count() == 10 && lines.lines().all(|l| l.starts_with("added ")), "{lines}");
    let again = jiancha(&hall, &["hall", "apply", f, "--format", "json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again, serde_json::json!({"added": [], "changed": [], "retired": []}));

    // A misspelt vendor: its line and key, exit 2, nothing written.
    let bad = sample.replacen("vendor = \"dahua\"", "vendor = \"dauha\"", 1);
    let bad_line = bad.lines().position(|l| l.contains("dauha")).unwrap() + 1;
    let bad_file = dir.path().join("bad.toml");
    std::fs::write(&bad_file, bad.replace("name = \"市公安局出入境管理支队\"", "name = \"出入境支队\"")).unwrap();
    let out = jiancha(&hall, &["hall", "apply", bad_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("bad.toml:{bad_line}")) && err.contains("camera[2].vendor"), "{err}");

    // Staff with a window column import into the hall set up this way.
    let staff = dir.path().join("staff.csv");
    std::fs::write(&staff, "staff_no,name,department,window,device_user_id\nS0001,张三,市市场监督管理局,A01,7\n")
        .unwrap();
    let out = jiancha(&hall, &["import", "staff", staff.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The camera password.
    const SECRET: &str = "Hik-Secret-8831";
    let env = [("JIANCHA_CAMERA_PASSWORD", SECRET), ("RUST_LOG", "trace")];
    let out = jiancha_env(&hall, &["cameras", "passwd", "A01 市场监管"], &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut seen = text(&out.stdout) + &text(&out.stderr);
    let missing = jiancha_env(&hall, &["cameras", "passwd", "no such camera"], &env);
    assert_eq!(missing.status.code(), Some(2));
    seen += &(text(&missing.stdout) + &text(&missing.stderr));
    let key = hall.join("camera.key");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the key is the owner's only");
    for args in [
        &["hall", "export"][..],
        &["cameras", "list", "--format", "json"],
        &["audit", "log", "--format", "json"],
        &["users", "list"],
    ] {
        let out = jiancha_env(&hall, args, &[("RUST_LOG", "trace")]);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        seen += &(text(&out.stdout) + &text(&out.stderr));
    }
    assert!(!seen.contains(SECRET), "the password leaked into an output or a log");
    assert!(seen.contains("camera.password"), "the change is audited (without the password)");
    // The export is the file again: applying it changes nothing.
    let export = jiancha(&hall, &["hall", "export"]);
    let exported = dir.path().join("export.toml");
    std::fs::write(&exported, &export.stdout).unwrap();
    let out = jiancha(&hall, &["hall", "apply", exported.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("无变化"), "{}", text(&out.stdout));
    // No file of the directory holds the password (the database checkpointed first).
    let conn = rusqlite::Connection::open(hall.join("jiancha.db")).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(conn);
    for entry in std::fs::read_dir(&hall).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()), "{}", entry.path().display());
        }
    }
}

/// `jiancha record` follows the hall: a camera added to the hall file starts recording, a retired one
/// stops with its segment closed and indexed, without a restart.
#[test]
fn the_recorder_follows_cameras_added_and_retired() {
    use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
    let sim = SimServer::start(0, &[SimCamera { index: 1, label: "A01".into() }], &SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hall = dir.path().join("hall");
    initialised(&hall);
    std::fs::write(hall.join("rules.toml"), "[footage]\nsegment_seconds = 4\n").unwrap();
    let base = "[hall]\ncode = \"H\"\nname = \"测试大厅\"\n\n[[window]]\ncode = \"A01\"\n";
    let camera = format!(
        "\n[[camera]]\nname = \"A01 摄像头\"\nwindow = \"A01\"\nvendor = \"rtsp\"\nmain_url = \"{}\"\nsub_url = \"{}\"\n",
        sim.url(1, false),
        sim.url(1, true)
    );
    let file = dir.path().join("hall.toml");
    std::fs::write(&file, base).unwrap();
    let f = file.to_str().unwrap();
    assert!(jiancha(&hall, &["hall", "apply", f]).status.success());
    let log = dir.path().join("record.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .arg("--data-dir")
        .arg(&hall)
        .args(["record", "--sub", "--poll-seconds", "1"])
        .env_remove("JIANCHA_DATA_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
        while !done() {
            assert!(
                std::time::Instant::now() < deadline,
                "{what}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    // No camera yet; then one is added to the file.
    wait_for("the recorder started", &|| std::fs::read_to_string(&log).unwrap_or_default().contains("录像中"));
    std::fs::write(&file, format!("{base}{camera}")).unwrap();
    assert!(jiancha(&hall, &["hall", "apply", f]).status.success());
    let segments = || {
        let clock = std::sync::Arc::new(jiancha::clock::SystemClock);
        let store = jiancha::store::sqlite::SqlStore::open_existing_dir(&hall, clock).unwrap();
        jiancha::store::FootageStore::segment_paths(&store, &store.system_session()).unwrap().len()
    };
    wait_for("the new camera recording", &|| std::fs::read_to_string(&log).unwrap_or_default().contains(": recording"));
    wait_for("a whole segment", &|| segments() >= 1);
    // Retired: the recorder stops it and closes its segment.
    std::fs::write(&file, base).unwrap();
    let out = jiancha(&hall, &["hall", "apply", f]);
    assert!(text(&out.stdout).contains("retired camera A01 摄像头"), "{}", text(&out.stdout));
    wait_for("the camera stopped", &|| std::fs::read_to_string(&log).unwrap_or_default().contains("stopped (retired"));
    let after_stop = segments();
    std::thread::sleep(std::time::Duration::from_secs(6));
    assert_eq!(segments(), after_stop, "nothing more is recorded for a retired camera");
    let _ = Command::new("kill").arg("-INT").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", std::fs::read_to_string(&log).unwrap_or_default());
    drop(sim);
}
