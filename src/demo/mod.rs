//! The demo service hall: 四平市政务服务中心 with its departments, windows, staff, catalogue, 90 days of
//! cases, attendance punches, evaluations and complaints.
//!
//! Generation is pure and deterministic for a seed and a `now`; the result is written as the interchange
//! files a real hall would hand over (`DIR/import/`), and those files are imported through the same
//! parser and `Store::import` path as any real data.

mod catalogue;
mod footage;
mod generate;
mod replay;
mod supervision;

#[allow(unused_imports, reason = "shared with the demo's modules through `use super::*`")]
use catalogue::*;
pub use footage::{footage_plan, record_footage, sim_cameras};
pub use generate::generate;
use generate::*;
use replay::*;
use supervision::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _, Utc, Weekday};
use rand::seq::SliceRandom as _;
use rand::{Rng as _, RngCore as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, FixedClock};
use crate::domain::access::Role;
use crate::domain::alerts::Rule;
use crate::domain::alerts::RuleBook;
use crate::domain::calendar::Calendar;
use crate::domain::model::{
    CaseEvent, CatalogueItem, ComplaintChannel, Department, Document, Evaluation, Fen, Hall, HallLevel, Leave,
    LeaveKind, Staff, Step, SuspendReason, Window,
};
use crate::domain::time;
use crate::interchange::{self, ImportKind, PunchRecord, write};
use crate::store::sqlite::{SqlStore, salt_from_bytes};
use crate::store::{HallSetup, ImportReport, NewCamera, NewComplaint, NewNotice, NewUser, Store as _, StoreError};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "jiancha-demo";
pub const DEFAULT_SEED: u64 = 201_237;
pub const HALL_CODE: &str = "SP-CITY";
/// Days of history before today.
pub const HISTORY_DAYS: i64 = 90;
/// Where the simulated cameras are served (`jiancha cameras sim`).
pub const SIM_RTSP_PORT: u16 = 8554;

/// (user name, display name, role)
pub const DEMO_USERS: [(&str, &str, Role); 5] = [
    ("supervisor1", "张明", Role::Supervisor),
    ("supervisor2", "李娜", Role::Supervisor),
    ("chief1", "王建国", Role::Chief),
    ("auditor1", "赵敏", Role::Auditor),
    ("admin1", "刘洋", Role::Admin),
];
/// Anomalies planted in the demo, counted per alert rule (RULES.md "Alerts"), for the closing note and
/// for tests of the alert engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planted {
    pub completed_late: u32,
    pub left_open_overdue: u32,
    pub step_overdue: u32,
    pub repeated_supplement: u32,
    pub missing_document: u32,
    pub fee_mismatch: u32,
    pub late_entry: u32,
    pub extra_step: u32,
    pub out_of_order: u32,
    pub not_evaluated: u32,
    pub special_procedures: u32,
    pub supplements: u32,
    pub evaluator_bursts: u32,
}

/// Everything the demo consists of.
#[derive(Debug, Clone)]
pub struct DemoData {
    pub now: DateTime<Utc>,
    pub setup: HallSetup,
    pub items: Vec<CatalogueItem>,
    pub staff: Vec<Staff>,
    pub events: Vec<CaseEvent>,
    pub punches: Vec<PunchRecord>,
    pub leave: Vec<Leave>,
    pub evaluations: Vec<Evaluation>,
    pub complaints: Vec<NewComplaint>,
    pub planted: Planted,
    pub cases: u32,
    /// Seeded salts for the demo users' password hashes, so that the whole database is reproducible.
    salts: Vec<[u8; 16]>,
}

/// What `write_demo` produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoReport {
    pub database: PathBuf,
    pub import_dir: PathBuf,
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub cases: u32,
    pub events: usize,
    pub punches: usize,
    pub imports: Vec<ImportReport>,
    pub planted: Planted,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Database(#[from] crate::store::sqlite::SqliteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Input(#[from] interchange::InputErrors),
    #[error("recording the demo footage: {0}")]
    Footage(String),
}

fn write_file(path: &Path, content: &str) -> Result<(), DemoError> {
    std::fs::write(path, content).map_err(|source| DemoError::Io { path: path.to_owned(), source })
}

/// Writes the demo into `dir`: `dir/import/*` (the interchange files) and `dir/jiancha.db`, replacing
/// an existing demo database. The database is built under a temporary name and renamed at the end, so
/// an interrupted run leaves no half-built database behind.
pub fn write_demo(dir: &Path, seed: u64, clock: Arc<dyn Clock>, rules: &RuleBook) -> Result<DemoReport, DemoError> {
    let now = clock.now();
    let data = generate(seed, now, rules);
    let import_dir = dir.join("import");
    std::fs::create_dir_all(&import_dir).map_err(|source| DemoError::Io { path: import_dir.clone(), source })?;
    let files: [(ImportKind, &str, String); 6] = [
        (ImportKind::Items, "items.csv", write::items_csv(&data.items)),
        (ImportKind::Staff, "staff.csv", write::staff_csv(&data.staff)),
        (ImportKind::Events, "events.jsonl", write::events_jsonl(&data.events)),
        (ImportKind::Punches, "attlog.dat", write::attlog(&data.punches)),
        (ImportKind::Leave, "leave.csv", write::leave_csv(&data.leave)),
        (ImportKind::Evaluations, "evaluations.csv", write::evaluations_csv(&data.evaluations)),
    ];
    for (_, name, content) in &files {
        write_file(&import_dir.join(name), content)?;
    }

    let final_path = dir.join(crate::store::sqlite::DB_FILE);
    let temp_path = dir.join(format!("{}.building", crate::store::sqlite::DB_FILE));
    remove_database(&temp_path)?;
    // The reports of an earlier demo would not match the new one.
    let reports = dir.join("reports").join("daily");
    if reports.exists() {
        std::fs::remove_dir_all(&reports).map_err(|source| DemoError::Io { path: reports.clone(), source })?;
    }
    let imports = {
        let clock = Arc::new(FixedClock::new(now));
        let store = SqlStore::open(&temp_path, clock.clone())?;
        store.set_rules(rules.clone());
        replay(&store, &clock, dir, &data, rules, now)?
    };
    remove_database(&final_path)?;
    std::fs::rename(&temp_path, &final_path).map_err(|source| DemoError::Io { path: final_path.clone(), source })?;
    Ok(DemoReport {
        database: final_path,
        import_dir,
        seed,
        now,
        cases: data.cases,
        events: data.events.len(),
        punches: data.punches.len(),
        imports,
        planted: data.planted,
    })
}

/// Removes a database file with its WAL and shared-memory files.
fn remove_database(path: &Path) -> Result<(), DemoError> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(DemoError::Io { path: p, source }),
        }
    }
    Ok(())
}
