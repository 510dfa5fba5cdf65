//! The embedded SQLite store: the only module with SQL.
//!
//! One connection behind a mutex (WAL journal, foreign keys on). Every call goes through `read` or
//! `write` (below), which authenticate the session and check the permission; a write runs in one
//! transaction with its audit record and tells the change listener after it commits. Each call then
//! says only what is its own. `auth.rs` (passwords, logins, sessions), `audit.rs` (the hash chain),
//! `idempotency.rs` (the server's remembered answers) keep the rest of the ceremony.

mod accountability;
mod accounts;
mod alert_log;
mod alerts;
mod assessment;
mod assessment_records;
pub(crate) mod audit;
mod auth;
pub mod backup;
mod calendar;
mod calls_admin;
mod calls_assessment;
mod calls_cases;
mod calls_evaluation;
mod calls_footage;
mod calls_notify;
mod calls_people;
mod calls_supervision;
mod calls_watch;
mod case_detail;
mod complaints;
mod devices;
mod footage;
mod hall;
mod holders;
mod holds;
mod idempotency;
mod import;
pub mod init;
pub mod migrate;
mod notices;
pub mod notify;
mod overview;
mod people;
mod publications;
mod query;
mod reach;
mod recommendations;
mod secrets;
mod users;
mod watch;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use crate::store::sql::{Backend, Connection, Transaction};
use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::Clock;
use crate::domain::access::{Permission, Role};
use crate::domain::alerts::RuleBook;
use crate::domain::audit::AuditRecord;
use crate::domain::model::Complaint;
use crate::interchange::ImportBatch;

use super::{
    AlertQuery, AlertRow, AttendancePeriod, AttendanceTrend, AuditQuery, AuditVerification, CaseDetail, CaseQuery,
    DailyCheck, DailyCheckData, Evidence, FollowUpStep, HallDirectory, HallSetup, ImportReport, Interview,
    NewComplaint, NewEvidence, NewInterview, NewNotice, NewUser, Notice, Overview, PoorRating, RefreshReport,
    Satisfaction, Session, Store, StoreError, User,
};
use super::{CameraAlert, CameraStream, UserChange};
use super::{ComplaintStep, DecisionOutcome, DepartmentFlag, NewObservation, NewViolation, Violation};
use super::{
    ExportOutcome, FootageAccess, FootageGrant, LegalHold, NewFootageRequest, NewSegment, RecordingHealth,
    RequestFilter, Segment,
};
use crate::domain::accountability::Measure;
use crate::domain::assessment::{AssessmentItem, Publication, Recommendation, YearAssessment, YearMonth};
use crate::domain::discipline::{Observation, Slip, Week};
use crate::domain::footage::{FootageRequest, Span, Use};
use crate::domain::hall::{HallConfig, HallDiff};

pub use auth::SESSION_HOURS;
pub(crate) use auth::{Actor, salt_from_bytes};
pub use calls_notify::SendingChannel;
pub use holders::{PEER_SKEW_SECONDS, PeerRequest, valid_holder};
pub use secrets::KEY_FILE;

/// The database file inside a data directory.
pub const DB_FILE: &str = "jiancha.db";

#[derive(Debug, thiserror::Error)]
pub enum SqliteError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database has schema version {found}, newer than this program supports ({supported}); update Jiancha")]
    TooNew { found: i64, supported: i64 },
    #[error("the file is an SQLite database but not a Jiancha one")]
    NotJiancha,
    #[error("cannot create {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no Jiancha database at {0}")]
    Missing(PathBuf),
    #[error("cannot seal the cameras' passwords: {0}")]
    Credentials(String),
    #[error("cannot key the audit chain: {0}")]
    AuditKey(String),
    #[error("{0}")]
    Upgrade(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Backend(err.to_string())
    }
}

impl From<SqliteError> for StoreError {
    fn from(err: SqliteError) -> Self {
        StoreError::Backend(err.to_string())
    }
}

/// The figures of [`SqlStore::health`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreHealth {
    pub schema_version: i64,
    pub newest_segment_end: Option<DateTime<Utc>>,
    pub cameras: u64,
    pub segment_seconds: u32,
    pub now: DateTime<Utc>,
}

/// Called after every write that changed data (the server wakes its waiting consoles with it).
pub type ChangeListener = Arc<dyn Fn() + Send + Sync>;

/// The embedded database: one connection behind a mutex.
struct Sqlite(Mutex<rusqlite::Connection>);

/// Where a store's data is: an SQLite file, or a PostgreSQL database (with its keys in a directory).
#[derive(Debug, Clone)]
enum Place {
    Sqlite(Option<PathBuf>),
    Postgres { describe: String, key_dir: PathBuf },
}

impl Sqlite {
    fn lock(&self) -> MutexGuard<'_, rusqlite::Connection> {
        // A panic while holding the lock cannot leave a transaction open (it rolls back on drop), so
        // the connection is still usable.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Backend for Sqlite {
    fn run_read(&self, f: &mut dyn FnMut(&Connection) -> Result<(), StoreError>) -> Result<(), StoreError> {
        f(&*self.lock())
    }

    fn run_write(&self, f: &mut dyn FnMut(&Transaction) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        f(&*tx)?;
        tx.commit()?;
        Ok(())
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(migrate::version(&self.lock())?)
    }
}

pub struct SqlStore {
    backend: Box<dyn Backend>,
    place: Place,
    clock: Arc<dyn Clock>,
    /// The calendar and alert settings the engine runs with.
    rules: RwLock<Arc<RuleBook>>,
    /// The token of the local system actor; random per process, never stored.
    system_token: String,
    /// This machine, for sessions opened here and for the system actor.
    workstation: String,
    on_change: RwLock<Option<ChangeListener>>,
    /// The key camera passwords are sealed with (a file beside the database).
    camera_key: secrets::CameraKey,
    /// The key of the audit chain's MACs (`audit.key` beside the database).
    audit_key: secrets::CameraKey,
    /// The alerts changed lately, for the consoles that follow them.
    alert_log: alert_log::AlertLog,
    /// This server's name among several on one database (`name` in `server.toml`): the holder of the
    /// segments its recorder indexes. `None`: the one server of its database.
    holder: RwLock<Option<String>>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").field("place", &self.place).finish_non_exhaustive()
    }
}

/// What a read works with: the connection, the authenticated caller, the time and the rules.
pub(crate) struct Read<'a> {
    pub conn: &'a Connection,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub rules: Arc<RuleBook>,
}

/// A write in progress: its transaction, the caller, the time and the rules. Whatever the call does
/// and the audit records it appends commit together, or not at all.
pub(crate) struct Write<'a> {
    pub tx: &'a Transaction,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub rules: Arc<RuleBook>,
    changed: Cell<bool>,
    /// The audit chain's key.
    audit_key: [u8; 32],
    /// A write refused for naming a hall outside the caller's scope: audited after the rollback.
    refused: &'a RefCell<Option<Refusal>>,
    /// The first hall this write was let touch (`keep_to`), for its audit records.
    touched: RefCell<Option<String>>,
}

/// What a write outside the caller's halls asked for, for the audit record of its refusal.
pub(crate) struct Refusal {
    actor: Actor,
    what: String,
    hall: Option<String>,
}

impl Write<'_> {
    /// Appends the audit record of this write (by the caller, now).
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<i64, StoreError> {
        // The hall this write touched, else the actor's one hall.
        let touched = self.touched.borrow();
        let hall = touched.as_deref().or_else(|| self.actor.scope.sole_hall());
        SqlStore::append_audit(self.tx, &self.audit_key, self.now, (&self.actor, hall), action, target, &detail)
    }

    /// Nothing others need to reload came of this write (a refresh that changed no alert).
    pub fn unchanged(&self) {
        self.changed.set(false);
    }

    /// Refuses (403) a write of `what` that touches a record of `hall` (`None`: one that names no hall)
    /// outside the caller's halls; the refusal is audited once the write is rolled back.
    pub fn keep_to(&self, hall: Option<&str>, what: &str) -> Result<(), StoreError> {
        if self.actor.scope.covers(hall) {
            if let Some(hall) = hall
                && self.touched.borrow().is_none()
            {
                *self.touched.borrow_mut() = Some(hall.to_owned());
            }
            return Ok(());
        }
        *self.refused.borrow_mut() =
            Some(Refusal { actor: self.actor.clone(), what: what.to_owned(), hall: hall.map(str::to_owned) });
        Err(out_of_scope(&self.actor, hall))
    }
}

/// The refusal of something outside the caller's halls.
pub(crate) fn out_of_scope(actor: &Actor, hall: Option<&str>) -> StoreError {
    StoreError::Forbidden {
        role: actor.role.label_zh().into(),
        action: match hall {
            Some(h) => format!("大厅 {h} 不在本账户的管辖范围内 (hall {h} is outside this account's halls)"),
            None => "未注明大厅的记录只由全市账户处理 (records of no hall are for city-wide accounts)".into(),
        },
    }
}

pub(crate) fn ts(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

pub(crate) fn from_ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn configure(conn: &rusqlite::Connection) -> Result<(), SqliteError> {
    conn.execute_batch(
        // Memory-mapped reads and a 64 MiB page cache: listing tens of thousands of alerts over a
        // million cases touches pages all over the file, and system calls per page cost more than the
        // query itself.
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
         PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;",
    )?;
    Ok(())
}

impl SqlStore {
    /// Opens (creating when missing, with its directory) the database in `data_dir` and upgrades it.
    pub fn open_dir(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, SqliteError> {
        let io = |source| SqliteError::Io { path: data_dir.to_owned(), source };
        crate::files::private_dirs(data_dir).map_err(io)?;
        crate::files::make_private(data_dir).map_err(io)?;
        Self::open(&data_dir.join(DB_FILE), clock)
    }

    /// Opens the database in `data_dir` only if it exists (read-only commands do not create one).
    pub fn open_existing_dir(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, SqliteError> {
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            return Err(SqliteError::Missing(path));
        }
        Self::open(&path, clock)
    }

    /// Opens (creating when missing) the database file at `path` and upgrades it.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, SqliteError> {
        // The database is its owner's alone (SQLite gives its journal the same mode).
        let private = |source| SqliteError::Io { path: path.to_owned(), source };
        crate::files::private_file(path, false).map_err(private)?;
        let mut conn = rusqlite::Connection::open(path)?;
        configure(&conn)?;
        let found = migrate::migrate(&mut conn)?;
        // A database brought to the keyed chain now: its records so far get their MACs.
        if (1..migrate::KEYED_AUDIT_VERSION).contains(&found) {
            let key = secrets::CameraKey::beside_named(Some(path), secrets::AUDIT_KEY_FILE)
                .bytes(true)
                .map_err(|e| SqliteError::AuditKey(e.to_string()))?;
            let keyed = audit::key_the_chain(&mut conn, &key).map_err(|e| SqliteError::AuditKey(e.to_string()))?;
            tracing::info!(records = keyed, "keyed the audit chain (audit.key)");
        }
        let store = Self::wrap(conn, Some(path.to_owned()), clock);
        store.set_rules(RuleBook::official());
        // URLs from before version 10 may hold credentials: they move out of the URLs, sealed.
        let moved = store
            .with_conn(|conn| hall::seal_embedded_credentials(conn, &store.camera_key))
            .map_err(|e| SqliteError::Credentials(e.to_string()))?;
        if moved > 0 {
            tracing::info!(cameras = moved, "moved camera credentials out of the stream URLs");
        }
        Ok(store)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self, SqliteError> {
        let mut conn = rusqlite::Connection::open_in_memory()?;
        configure(&conn)?;
        migrate::migrate(&mut conn)?;
        Ok(Self::wrap(conn, None, clock))
    }

    fn wrap(conn: rusqlite::Connection, path: Option<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        Self::with_backend(Box::new(Sqlite(Mutex::new(conn))), Place::Sqlite(path), clock)
    }

    /// Opens the PostgreSQL database `db` (creating or upgrading its schema), with the camera-password
    /// and audit keys in `key_dir` (`camera.key`, `audit.key`: every server on one database needs the
    /// same two files).
    pub fn open_postgres(
        db: super::pg::Database,
        key_dir: &Path,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, super::pg::PgError> {
        let (backend, _found) = super::pg::backend::Pg::open(db)?;
        let place = Place::Postgres { describe: backend.describe().to_owned(), key_dir: key_dir.to_owned() };
        let store = Self::with_backend(Box::new(backend), place, clock);
        store.set_rules(RuleBook::official());
        Ok(store)
    }

    fn with_backend(backend: Box<dyn Backend>, place: Place, clock: Arc<dyn Clock>) -> Self {
        // The keys' files are found beside this path (the database file; for PostgreSQL, in key_dir).
        let key_path = match &place {
            Place::Sqlite(path) => path.clone(),
            Place::Postgres { key_dir, .. } => Some(key_dir.join(DB_FILE)),
        };
        Self {
            backend,
            clock,
            rules: RwLock::new(Arc::new(RuleBook::official())),
            system_token: format!("system:{}", auth::random_hex(32)),
            workstation: super::local_workstation(),
            on_change: RwLock::new(None),
            camera_key: secrets::CameraKey::beside(key_path.as_deref()),
            audit_key: secrets::CameraKey::beside_named(key_path.as_deref(), secrets::AUDIT_KEY_FILE),
            alert_log: alert_log::AlertLog::default(),
            holder: RwLock::new(None),
            place,
        }
    }

    /// Sets the calendar and alert settings (from the data directory's settings). Cases are
    /// re-evaluated with them as they next come up; `reevaluate_all` does it at once.
    ///
    /// The years an administrator entered in the database (系统管理 → 工作日历) are laid over the
    /// calendar given: the database is the hall's record of them, whichever program opened it.
    pub fn set_rules(&self, mut rules: RuleBook) {
        if let Err(e) = self.with_conn(|conn| calendar::apply_entered(conn, &mut rules.calendar)) {
            tracing::warn!(error = %e, "the working-day calendar entered in the database cannot be read");
        }
        *self.rules.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(rules);
    }

    /// The rules in force (with the calendar years entered in the database).
    pub fn rule_book(&self) -> Arc<RuleBook> {
        self.rules()
    }

    fn rules(&self) -> Arc<RuleBook> {
        self.rules.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Calls `listener` after every write that changed data.
    pub fn set_change_listener(&self, listener: ChangeListener) {
        self.backend.follow_changes(listener.clone());
        *self.on_change.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(listener);
    }

    /// Re-evaluates every case now (after the rules changed). Derived data: not audited.
    pub fn reevaluate_all(&self) -> Result<u32, StoreError> {
        self.with_tx(|tx| {
            tx.execute("UPDATE case_file SET next_check_at = 0", [])?;
            Ok(alerts::refresh_due(tx, &self.rules(), self.now())?.0)
        })
    }

    /// Brings the time-driven alerts up to the store's clock (the cases whose next instant has come), as
    /// the local system: derived data, not audited; the change listener hears of a change.
    pub fn bring_alerts_up_to_date(&self) -> Result<RefreshReport, StoreError> {
        let report = self.with_tx(|tx| {
            let (evaluated, outcome) = alerts::refresh_due(tx, &self.rules(), self.now())?;
            Ok(RefreshReport { evaluated, changed: outcome.changed, new_red: outcome.new_red })
        })?;
        if report.changed > 0 {
            self.backend.changed();
            let listener = self.on_change.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(listener) = listener {
                listener();
            }
        }
        Ok(report)
    }

    /// This database's chain head and the codes of its halls: what a county's server forwards to the city.
    pub fn anchor_to_forward(&self) -> Result<Option<(String, super::AuditAnchor)>, StoreError> {
        let Some(((seq, mac), halls)) = self.with_conn(|conn| {
            let Some(anchor) = audit::anchor(conn)? else { return Ok(None) };
            let halls: Vec<String> = conn
                .prepare("SELECT code FROM hall ORDER BY code")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(Some((anchor, halls)))
        })?
        else {
            return Ok(None);
        };
        let source = if halls.is_empty() { self.workstation.clone() } else { halls.join(",") };
        Ok(Some((source.chars().take(200).collect(), super::AuditAnchor { seq, mac })))
    }

    /// The clock this store runs on (the server's forwarding outbox keeps its times by it too).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// The SQLite database file (`None` in memory and on PostgreSQL).
    pub fn path(&self) -> Option<&Path> {
        match &self.place {
            Place::Sqlite(path) => path.as_deref(),
            Place::Postgres { .. } => None,
        }
    }

    /// The data directory: the SQLite file's, or the PostgreSQL store's key directory.
    pub fn data_dir(&self) -> Option<&Path> {
        match &self.place {
            Place::Sqlite(path) => path.as_deref().and_then(Path::parent),
            Place::Postgres { key_dir, .. } => Some(key_dir),
        }
    }

    /// The local system actor, for headless commands run without `--user`. Recorded as `system` in the
    /// audit log. Only code holding this store (in this process) can obtain it.
    pub fn system_session(&self) -> Session {
        Session {
            token: self.system_token.clone(),
            username: "system".into(),
            display_name: "本机系统".into(),
            role: Role::System,
            must_change_password: false,
            halls: Vec::new(),
            view: Vec::new(),
        }
    }

    /// What `GET /api/v1/health` tells a hall's monitoring, without a session: the schema version, the
    /// end of the newest recorded segment and the recording length in the rules. Nothing about people.
    pub fn health(&self) -> Result<StoreHealth, StoreError> {
        let schema_version = self.backend.schema_version()?;
        let (newest, cameras) = self.with_conn(|conn| {
            let newest: Option<i64> = conn.query_row("SELECT max(end_ms) FROM segment", [], |r| r.get(0))?;
            let cameras: i64 =
                conn.query_row("SELECT count(*) FROM camera WHERE retired_at IS NULL", [], |r| r.get(0))?;
            Ok((newest, cameras))
        })?;
        Ok(StoreHealth {
            schema_version,
            newest_segment_end: newest.and_then(DateTime::from_timestamp_millis),
            cameras: cameras.max(0).cast_unsigned(),
            segment_seconds: self.rules().footage.segment_seconds,
            now: self.now(),
        })
    }

    /// Runs `f` on a connection of the backend (see [`Backend::run_read`]).
    fn with_conn<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut f = Some(f);
        let mut out = None;
        self.backend.run_read(&mut |conn| {
            if let Some(f) = f.take() {
                out = Some(f(conn)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| StoreError::Backend("the read did not run".into()))
    }

    /// Runs `f` in a transaction of the backend (see [`Backend::run_write`]).
    fn with_tx<T>(&self, f: impl FnOnce(&Transaction) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut f = Some(f);
        let mut out = None;
        self.backend.run_write(&mut |tx| {
            if let Some(f) = f.take() {
                out = Some(f(tx)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| StoreError::Backend("the write did not run".into()))
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A read: authenticates `session` for `permission`, then runs `f`.
    fn read<T>(
        &self,
        session: &Session,
        permission: Permission,
        f: impl FnOnce(&Read<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.with_conn(|conn| {
            let mut actor = self.actor(conn, session, permission)?;
            if !session.view.is_empty() {
                // The console's hall filter: within the account's halls, among the halls there are.
                let known: Vec<String> =
                    conn.prepare("SELECT code FROM hall")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                actor.scope = actor.scope.narrowed(&session.view, &known);
            }
            f(&Read { conn, actor, now: self.now(), rules: self.rules() })
        })
    }

    /// A write like [`Self::write`] whose refusal names the call (`publish_assessment`) rather than the
    /// permission it needs, so that the refused user is told what was refused.
    fn write_named<T>(
        &self,
        session: &Session,
        permission: Permission,
        call: &str,
        f: impl FnOnce(&Write<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(session, permission, f).map_err(|e| match e {
            StoreError::Forbidden { role, .. } => StoreError::Forbidden { role, action: call.to_owned() },
            other => other,
        })
    }

    /// A write: authenticates `session` for `permission`, runs `f` in one transaction (its changes and
    /// its audit records), commits, and tells the change listener. Any error rolls everything back.
    fn write<T>(
        &self,
        session: &Session,
        permission: Permission,
        f: impl FnOnce(&Write<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let audit_key = self.audit_key.bytes(true)?;
        let refused = RefCell::new(None);
        let done = self.with_tx(|tx| {
            let actor = self.actor(tx, session, permission)?;
            let write = Write {
                tx,
                actor,
                now: self.now(),
                rules: self.rules(),
                changed: Cell::new(true),
                audit_key,
                refused: &refused,
                touched: RefCell::new(None),
            };
            let result = f(&write)?;
            Ok((result, write.changed.get()))
        });
        if let Some(refusal) = refused.into_inner() {
            let detail = serde_json::json!({"call": refusal.what, "hall": refusal.hall});
            self.with_tx(|tx| {
                // Shown to the auditors of the refused account's hall, else of the hall it reached for.
                let hall = refusal.actor.scope.sole_hall().or(refusal.hall.as_deref());
                Self::append_audit(
                    tx,
                    &audit_key,
                    self.now(),
                    (&refusal.actor, hall),
                    "scope.refused",
                    "scope",
                    &detail,
                )
            })?;
        }
        let (result, changed) = done?;
        if changed {
            self.backend.changed();
            let listener = self.on_change.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(listener) = listener {
                listener();
            }
        }
        Ok(result)
    }
}

/// One complaint as the caller may see it.
fn complaint_as(
    conn: &Connection,
    actor: &Actor,
    rules: &RuleBook,
    complaint_no: &str,
) -> Result<Complaint, StoreError> {
    complaints::complaints(
        conn,
        Some(complaint_no),
        &rules.calendar,
        &rules.complaints,
        actor.role.allows(Permission::ReadComplainantContact),
    )?
    .pop()
    .ok_or_else(|| StoreError::NotFound(format!("complaint {complaint_no}")))
}

impl Store for SqlStore {
    fn describe(&self) -> String {
        match &self.place {
            Place::Sqlite(Some(p)) => format!("SQLite {}", p.display()),
            Place::Sqlite(None) => "SQLite (in memory)".into(),
            Place::Postgres { describe, .. } => describe.clone(),
        }
    }

    fn login(&self, username: &str, password: &str) -> Result<Session, StoreError> {
        self.login_at(username, password, &self.workstation)
    }

    fn login_from(&self, username: &str, password: &str, workstation: &str) -> Result<Session, StoreError> {
        self.login_at(username, password, workstation)
    }

    fn logout(&self, session: &Session) -> Result<(), StoreError> {
        self.end_session(session)
    }
}

/// Time-driven alerts on the store's own clock: a thread (`jiancha-alert-clock`) that brings them up to
/// date every `every` (30 s in service), whether or not anyone looks — `jiancha serve`, `jiancha record`
/// and a console holding the database run one. Stops when dropped.
pub struct AlertClock {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl AlertClock {
    /// How often in service: a red card is raised within half a minute of its instant.
    pub const EVERY: std::time::Duration = std::time::Duration::from_secs(30);

    pub fn start(store: Arc<SqlStore>, every: std::time::Duration) -> std::io::Result<AlertClock> {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("jiancha-alert-clock".into()).spawn(move || {
            loop {
                match store.bring_alerts_up_to_date() {
                    Ok(r) if r.changed > 0 => {
                        tracing::info!(
                            changed = r.changed,
                            new_red = r.new_red.len(),
                            "time-driven alerts brought up to date"
                        );
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("time-driven alerts: {e}"),
                }
                match stopped.recv_timeout(every) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        })?;
        Ok(AlertClock { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for AlertClock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
