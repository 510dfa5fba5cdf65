//! The demo hall, generated once per seed and clock for the whole run of the suite and copied for each
//! test that wants one of its own: generating takes seconds (the CLI's, with its recorded footage, most
//! of a minute on this machine), a copy a fraction of one. The first test to ask generates it; another
//! asking for the same waits for it. The copies are whole directories (database, keys, import files,
//! footage), made while nothing has the template open.
//!
//! Templates live under `target/tmp/demo-templates/PID/`; those of runs whose process is gone are removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use jiancha::clock::FixedClock;
use jiancha::domain::alerts::RuleBook;

/// Writes into `dir` what `jiancha::demo::write_demo(dir, seed, clock at now, official rules)` writes.
pub fn write_demo(dir: &Path, seed: u64, now: DateTime<Utc>) {
    let template = template(format!("lib-{seed}-{}", now.timestamp_micros()), |t| {
        jiancha::demo::write_demo(t, seed, Arc::new(FixedClock::new(now)), &RuleBook::official()).unwrap();
    });
    copy_dir(&template, dir);
}

/// Writes into `dir` what `jiancha demo --dir DIR --now NOW` writes (the default seed, with footage).
/// The run that generates it checks that the command succeeded and printed the demo password.
pub fn cli_demo(dir: &Path, now: &str) {
    let template = template(format!("cli-{now}"), |t| {
        let out = Command::new(env!("CARGO_BIN_EXE_jiancha"))
            .arg("--data-dir")
            .arg(t)
            .args(["demo", "--dir", t.to_str().unwrap(), "--now", now])
            .env_remove("JIANCHA_DATA_DIR")
            .env_remove("JIANCHA_PASSWORD")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("jiancha-demo"), "the demo prints the demo password");
    });
    copy_dir(&template, dir);
}

fn template(key: String, make: impl FnOnce(&Path)) -> PathBuf {
    static MADE: Mutex<BTreeMap<String, Arc<OnceLock<PathBuf>>>> = Mutex::new(BTreeMap::new());
    let cell = MADE.lock().unwrap_or_else(PoisonError::into_inner).entry(key.clone()).or_default().clone();
    cell.get_or_init(|| {
        let dir = root().join(&key);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        make(&dir);
        dir
    })
    .clone()
}

fn root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-templates");
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let pid = entry.file_name();
            if !Path::new("/proc").join(&pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let root = base.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    })
    .clone()
}

/// Copies the files of `from` into `to` (made when missing), subdirectories included; permissions go
/// with the files (the keys stay 0600).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
