//! Operating a hall's installation (issue 16): backups taken while a writer is busy and restored into
//! a fresh directory, tampered or incomplete copies refused, a database in use never replaced, the
//! server refusing a database newer than itself, its settings file, and `/api/v1/health` — on a hall
//! set up as `jiancha init` and a hall file leave it, through the real `jiancha` binary.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use jiancha::store::prelude::*;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use jiancha::clock::{Clock as _, SystemClock};
use jiancha::interchange::{self, ImportKind};
use jiancha::store::sqlite::SqlStore;
use jiancha::store::sqlite::backup::{self, Manifest};
use jiancha::store::{CaseQuery, Store};

const ADMIN_PASSWORD: &str = "hall-admin-2026";
const SAMPLE: &str = include_str!("../data/hall.sample.toml");

fn jiancha(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiancha"));
    cmd.arg("--data-dir").arg(dir).args(args).env_remove("JIANCHA_DATA_DIR").env_remove("JIANCHA_BACKEND");
    // No installed settings of this machine leak into the test.
    cmd.env("JIANCHA_SYSTEM_CONFIG_DIR", dir.join("no-system-config"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A hall as its staff set it up: `jiancha init`, then the hall file, the staff and the catalogue.
fn commissioned() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let hall = dir.path().join("hall");
    let out = jiancha(&hall, &["init", "--admin", "wang.admin"], &[("JIANCHA_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sample = dir.path().join("hall.toml");
    std::fs::write(&sample, SAMPLE).unwrap();
    let as_admin = [("JIANCHA_PASSWORD", ADMIN_PASSWORD)];
    let out = jiancha(&hall, &["--user", "wang.admin", "hall", "apply", sample.to_str().unwrap()], &as_admin);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let staff = dir.path().join("staff.csv");
    std::fs::write(&staff, "staff_no,name,department,window,device_user_id\nS0001,张三,市市场监督管理局,A01,7\n")
        .unwrap();
    let items = dir.path().join("items.csv");
    std::fs::write(
        &items,
        "item_code,item_name,department,legal_days,promised_days,fee_yuan,workflow,step_limits\n\
         SCJG-001,食品经营许可,市市场监督管理局,20,10,0,accept|review|approve|complete,1|5|2|2\n",
    )
    .unwrap();
    for (kind, file) in [("staff", &staff), ("items", &items)] {
        let out = jiancha(&hall, &["--user", "wang.admin", "import", kind, file.to_str().unwrap()], &as_admin);
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
    }
    dir
}

fn events(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| {
            format!(
                r#"{{"case_no":"SP2026112{:05}","item_code":"SCJG-001","hall":"SP-CITY","window":"A01","staff_no":"S0001","step":"accept","occurred_at":"2026-11-27T09:15:00+08:00"}}"#,
                i
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn manifest_of(file: &Path) -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(backup::manifest_path(file)).unwrap()).unwrap()
}

#[test]
fn a_backup_taken_while_a_writer_is_busy_restores_with_its_audit_chain_and_counts() {
    let dir = commissioned();
    let hall = dir.path().join("hall");
    // The writer: another connection importing batches of cases (each batch audited) until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let batches = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (hall, stop, batches) = (hall.clone(), stop.clone(), batches.clone());
        std::thread::spawn(move || {
            let store = SqlStore::open_existing_dir(&hall, Arc::new(SystemClock)).unwrap();
            let admin = store.login("wang.admin", ADMIN_PASSWORD).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let batch = interchange::parse(ImportKind::Events, "events.jsonl", &events(n, 50)).unwrap();
                store.import(&admin, &batch).unwrap();
                n += 50;
                batches.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while batches.load(Ordering::Relaxed) < 3 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let file = dir.path().join("hall-backup.db");
    let out = jiancha(&hall, &["backup", "--out", file.to_str().unwrap()], &[]);
    let during = batches.load(Ordering::Relaxed);
    // The writer goes on after the backup (a condition with a deadline, not a fixed wait).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while batches.load(Ordering::Relaxed) < during + 2 {
        assert!(std::time::Instant::now() < deadline, "the writer stopped after the backup");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), file.display().to_string());
    let after = batches.load(Ordering::Relaxed);
    assert!(after > during, "the writer went on while and after the copy was made ({during} → {after})");

    let manifest = manifest_of(&file);
    assert_eq!(manifest.format, backup::FORMAT);
    assert!(manifest.audit_intact);
    assert_eq!(manifest.schema_version, jiancha::store::sqlite::migrate::LATEST_VERSION);
    assert_eq!(manifest.sha256, jiancha::files::sha256_file(&file).unwrap());
    assert!(manifest.cases >= 150 && manifest.cases % 50 == 0, "whole batches only: {} cases", manifest.cases);
    assert!(!dir.path().join("hall-backup.db.partial").exists(), "no partial file left");

    // Restored into a fresh directory: refused until the hall's audit key is there (a backup never
    // holds it); then the audit chain and its MACs verify and the counts are the manifest's.
    let fresh = dir.path().join("fresh");
    let out = jiancha(&fresh, &["restore", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("audit.key"), "{}", text(&out.stderr));
    assert!(manifest.mac.is_some() && manifest.audit_mac.is_some(), "{manifest:?}");
    std::fs::copy(hall.join("audit.key"), fresh.join("audit.key")).unwrap();
    let out = jiancha(&fresh, &["restore", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("audit chain verified"), "{}", text(&out.stdout));
    let out = jiancha(&fresh, &["audit", "verify"], &[]);
    assert!(out.status.success(), "audit verify: {}{}", text(&out.stdout), text(&out.stderr));
    let restored = SqlStore::open_existing_dir(&fresh, Arc::new(SystemClock)).unwrap();
    let admin = restored.login("wang.admin", ADMIN_PASSWORD).unwrap();
    let cases = restored.cases(&admin, &CaseQuery { limit: 100_000, ..Default::default() }).unwrap();
    assert_eq!(cases.len() as i64, manifest.cases);
    let verification = restored.verify_audit(&admin).unwrap();
    assert!(verification.first_bad.is_none());
    // The login just now added one record to the restored copy.
    assert_eq!(verification.records, manifest.audit_records + 1);
    // The source went on past the copy.
    let source = SqlStore::open_existing_dir(&hall, Arc::new(SystemClock)).unwrap();
    let admin = source.login("wang.admin", ADMIN_PASSWORD).unwrap();
    let now = source.cases(&admin, &CaseQuery { limit: 100_000, ..Default::default() }).unwrap();
    assert!(now.len() as i64 > manifest.cases);
}

#[test]
fn a_tampered_or_incomplete_backup_is_refused_and_nothing_is_replaced() {
    let dir = commissioned();
    let hall = dir.path().join("hall");
    let file = dir.path().join("b.db");
    let out = jiancha(&hall, &["backup", "--out", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A second backup to the same name is refused; the first stays whole.
    let again = jiancha(&hall, &["backup", "--out", file.to_str().unwrap()], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    let fresh = dir.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::copy(hall.join("audit.key"), fresh.join("audit.key")).unwrap();
    // (1) A byte changed: the SHA-256 no longer fits the manifest.
    let flipped = dir.path().join("flipped.db");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x55;
    std::fs::write(&flipped, &bytes).unwrap();
    std::fs::copy(backup::manifest_path(&file), backup::manifest_path(&flipped)).unwrap();
    let out = jiancha(&fresh, &["restore", flipped.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("SHA-256"), "{}", text(&out.stderr));
    assert!(!fresh.join("jiancha.db").exists(), "nothing restored");

    // (2) The audit log rewritten and the manifest made to fit: the chain does not verify.
    let forged = dir.path().join("forged.db");
    std::fs::copy(&file, &forged).unwrap();
    {
        let conn = rusqlite::Connection::open(&forged).unwrap();
        // Whoever holds the file can drop the trigger; the chain is what shows it.
        conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'nobody' WHERE seq = 2;")
            .unwrap();
    }
    let mut manifest = manifest_of(&file);
    manifest.sha256 = jiancha::files::sha256_file(&forged).unwrap();
    manifest.bytes = std::fs::metadata(&forged).unwrap().len();
    std::fs::write(backup::manifest_path(&forged), serde_json::to_vec(&manifest).unwrap()).unwrap();
    let out = jiancha(&fresh, &["restore", forged.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    // The manifest's MAC (under the hall's audit key) no longer fits what was recomputed.
    assert!(text(&out.stderr).contains("MAC does not match"), "{}", text(&out.stderr));
    assert!(!fresh.join("jiancha.db").exists() && !fresh.join("jiancha.db.restoring").exists());

    // (3) No manifest, or a manifest with an unknown field: refused, naming the file.
    let bare = dir.path().join("bare.db");
    std::fs::copy(&file, &bare).unwrap();
    let out = jiancha(&fresh, &["restore", bare.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bare.db.manifest.json"), "{}", text(&out.stderr));
    std::fs::write(backup::manifest_path(&bare), "{\n  \"format\": \"jiancha-backup-1\",\n  \"extra\": 1\n}").unwrap();
    let out = jiancha(&fresh, &["restore", bare.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("line 3"), "{}", text(&out.stderr));
}

#[test]
fn a_restore_replaces_a_database_only_when_asked_and_never_one_in_use() {
    let dir = commissioned();
    let hall = dir.path().join("hall");
    let file = dir.path().join("b.db");
    assert!(jiancha(&hall, &["backup", "--out", file.to_str().unwrap()], &[]).status.success());
    // Without --replace: refused, saying what is there.
    let out = jiancha(&hall, &["restore", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--replace") && text(&out.stderr).contains("audit records"),
        "{}",
        text(&out.stderr)
    );
    // While a store (a server, a console) has it open: refused.
    {
        let open = SqlStore::open_existing_dir(&hall, Arc::new(SystemClock)).unwrap();
        let _admin = open.login("wang.admin", ADMIN_PASSWORD).unwrap();
        let out = jiancha(&hall, &["restore", "--replace", file.to_str().unwrap()], &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("in use"), "{}", text(&out.stderr));
        assert!(!hall.join("jiancha.db.restoring").exists());
    }
    // Closed: replaced, the old one kept beside it and named.
    let out = jiancha(&hall, &["restore", "--replace", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("it replaces a database with schema"), "{said}");
    let kept: Vec<_> = std::fs::read_dir(&hall)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("jiancha.db.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(said.contains(&kept[0]), "{said}");
    let out = jiancha(&hall, &["audit", "verify"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn the_server_refuses_a_database_newer_than_itself_and_reads_its_settings_file() {
    let dir = commissioned();
    let hall = dir.path().join("hall");
    // A settings file with an unknown key: the file, the line and the key are named.
    let bad = dir.path().join("server.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:0\"\nlisten_on = \"x\"\n").unwrap();
    let out = jiancha(&hall, &["serve", "--config", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("server.toml") && err.contains("line 2") && err.contains("listen_on"), "{err}");
    std::fs::write(&bad, "host_names = [\"bad name\"]\n").unwrap();
    let out = jiancha(&hall, &["serve", "--config", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("host_names"), "{}", text(&out.stderr));

    // A database from a newer program: refused with a clear message, and left as it was.
    let db = hall.join("jiancha.db");
    rusqlite::Connection::open(&db).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    let out = jiancha(&hall, &["serve", "--listen", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("schema version 99, newer than this program"), "{}", text(&out.stderr));
    let version: i64 =
        rusqlite::Connection::open(&db).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99);

    // An empty directory and no terminal: the service does not make up a password for the journal.
    let empty = dir.path().join("empty");
    let out = jiancha(&empty, &["serve", "--listen", "127.0.0.1:0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("init --admin"), "{}", text(&out.stderr));
    assert!(!empty.join("jiancha.db").exists());
}

#[test]
fn health_tells_anonymous_callers_only_ok_and_a_logged_in_one_the_schema_and_the_newest_segment() {
    let dir = commissioned();
    let hall = dir.path().join("hall");
    let clock = Arc::new(jiancha::clock::FixedClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-11-27T10:30:00+08:00").unwrap().with_timezone(&chrono::Utc),
    ));
    let store = Arc::new(SqlStore::open_existing_dir(&hall, clock.clone()).unwrap());
    let server = jiancha::server::spawn(store.clone(), "127.0.0.1:0".parse().unwrap()).unwrap();
    jiancha::server::tls::install_crypto();
    let http = reqwest::blocking::Client::new();
    // Anonymous: ok or failing, nothing more (from the server's own probe, not a database call).
    let anonymous: serde_json::Value =
        http.get(format!("{}/api/v1/health", server.url())).send().unwrap().json().unwrap();
    assert_eq!(anonymous, serde_json::json!({"status": "ok"}));
    let bogus = http.get(format!("{}/api/v1/health", server.url())).bearer_auth("not-a-token").send().unwrap();
    assert_eq!(bogus.json::<serde_json::Value>().unwrap(), serde_json::json!({"status": "ok"}));
    let token = store.login("wang.admin", ADMIN_PASSWORD).unwrap().token;
    let health = || -> serde_json::Value {
        let answer = http.get(format!("{}/api/v1/health", server.url())).bearer_auth(&token).send().unwrap();
        assert_eq!(answer.status(), 200);
        answer.json().unwrap()
    };
    let before = health();
    assert_eq!(before["status"], "ok");
    assert_eq!(before["version"], jiancha::VERSION);
    assert_eq!(before["commit"], jiancha::COMMIT);
    assert_eq!(before["schema_version"], jiancha::store::sqlite::migrate::LATEST_VERSION);
    assert_eq!(before["database"], true);
    assert!(before["newest_segment_age_seconds"].is_null(), "{before}");
    assert_eq!(before["cameras"], 4, "the sample hall's cameras: {before}");
    assert_eq!(before["recording_stale"], true, "cameras and nothing recorded: {before}");

    // The recorder indexes a segment that ended 40 s ago.
    let camera = store.camera_streams(&store.system_session()).unwrap()[0].id;
    let end = clock.now() - chrono::Duration::seconds(40);
    let start = end - chrono::Duration::seconds(60);
    store
        .add_segment(
            &store.system_session(),
            &jiancha::store::NewSegment {
                camera_id: camera,
                span: jiancha::domain::footage::Span::new(start, end),
                path: format!("{camera}/2026-11-27/{camera}-{}.ts", start.timestamp_millis()),
                bytes: 1000,
                sha256: "0".repeat(64),
            },
        )
        .unwrap();
    let after = health();
    assert_eq!(after["newest_segment_age_seconds"], 40, "{after}");
    assert_eq!(after["recording_stale"], false, "{after}");
    // Nothing about the hall's people or cases.
    let body = after.to_string();
    for word in ["wang.admin", "SP-CITY", "市场监管", "password"] {
        assert!(!body.contains(word), "{word} in {body}");
    }
    server.stop();
}

/// The recorder service stops on SIGTERM (`systemctl stop jiancha-recorder`) with every camera's open
/// segment closed, hashed and indexed: with one-minute segments, the few seconds recorded before the
/// signal are in the index.
#[test]
fn the_recorder_closes_and_indexes_its_open_segment_on_sigterm() {
    use jiancha::video::sim::{SimCamera, SimOptions, SimServer};
    let sim = SimServer::start(0, &[SimCamera { index: 1, label: "A01".into() }], &SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hall = dir.path().join("hall");
    let out = jiancha(&hall, &["init", "--admin", "wang.admin"], &[("JIANCHA_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("hall.toml");
    std::fs::write(
        &file,
        format!(
            "[hall]\ncode = \"H\"\nname = \"测试大厅\"\n\n[[window]]\ncode = \"A01\"\n\n[[camera]]\nname = \"A01 摄像头\"\n\
             window = \"A01\"\nvendor = \"rtsp\"\nmain_url = \"{}\"\nsub_url = \"{}\"\n",
            sim.url(1, false),
            sim.url(1, true)
        ),
    )
    .unwrap();
    assert!(jiancha(&hall, &["hall", "apply", file.to_str().unwrap()], &[]).status.success());
    let log = dir.path().join("record.log");
    let child = Command::new(env!("CARGO_BIN_EXE_jiancha"))
        .arg("--data-dir")
        .arg(&hall)
        .args(["record", "--sub", "--poll-seconds", "1"])
        .env_remove("JIANCHA_DATA_DIR")
        .env("JIANCHA_SYSTEM_CONFIG_DIR", dir.path().join("no-system-config"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // A failed assertion must not leave the recorder running.
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Reaped(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("录像中 (recording) 1 cameras") {
        assert!(std::time::Instant::now() < deadline, "{}", std::fs::read_to_string(&log).unwrap_or_default());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    std::thread::sleep(std::time::Duration::from_secs(5));
    let indexed = || {
        let store = SqlStore::open_existing_dir(&hall, Arc::new(SystemClock)).unwrap();
        store.segment_paths(&store.system_session()).unwrap()
    };
    assert!(indexed().is_empty(), "a one-minute segment is still open after five seconds");
    let status = Command::new("kill").arg("-TERM").arg(child.0.id().to_string()).status().unwrap();
    assert!(status.success());
    let exit = child.0.wait().unwrap();
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(exit.success(), "the recorder exits 0 on SIGTERM: {exit:?}\n{said}");
    let paths = indexed();
    assert_eq!(paths.len(), 1, "the open segment was closed and indexed: {paths:?}\n{said}");
    let bytes = std::fs::metadata(hall.join("footage").join(&paths[0])).unwrap().len();
    assert!(bytes > 10_000, "{} holds the seconds recorded ({bytes} bytes)", paths[0]);
    drop(sim);
}
