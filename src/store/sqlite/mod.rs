//! The embedded SQLite store: the only module with SQL.
//!
//! One connection behind a mutex (WAL journal, foreign keys on). Every call goes through `read` or
//! `write` (below), which authenticate the session and check the permission; a write runs in one
//! transaction with its audit record and tells the change listener after it commits. Each call then
//! says only what is its own. `auth.rs` (passwords, logins, sessions), `audit.rs` (the hash chain),
//! `idempotency.rs` (the server's remembered answers) keep the rest of the ceremony.

mod accountability;
mod accounts;
mod alerts;
mod assessment;
pub(crate) mod audit;
mod auth;
pub mod backup;
mod calendar;
mod devices;
mod footage;
mod hall;
mod idempotency;
mod import;
pub mod init;
pub mod migrate;
mod overview;
mod people;
mod query;
mod secrets;
mod watch;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Transaction, params};

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

pub(crate) use auth::{Actor, salt_from_bytes};
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

/// The figures of [`SqliteStore::health`].
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

pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
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
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
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
    pub tx: Transaction<'a>,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub rules: Arc<RuleBook>,
    changed: Cell<bool>,
    /// The audit chain's key.
    audit_key: [u8; 32],
}

impl Write<'_> {
    /// Appends the audit record of this write (by the caller, now).
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> Result<i64, StoreError> {
        SqliteStore::append_audit(&self.tx, &self.audit_key, self.now, &self.actor, action, target, &detail)
    }

    /// Nothing others need to reload came of this write (a refresh that changed no alert).
    pub fn unchanged(&self) {
        self.changed.set(false);
    }
}

pub(crate) fn ts(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

pub(crate) fn from_ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn configure(conn: &Connection) -> Result<(), SqliteError> {
    conn.execute_batch(
        // Memory-mapped reads and a 64 MiB page cache: listing tens of thousands of alerts over a
        // million cases touches pages all over the file, and system calls per page cost more than the
        // query itself.
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
         PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;",
    )?;
    Ok(())
}

impl SqliteStore {
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
        let mut conn = Connection::open(path)?;
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
        let moved = hall::seal_embedded_credentials(&store.lock(), &store.camera_key)
            .map_err(|e| SqliteError::Credentials(e.to_string()))?;
        if moved > 0 {
            tracing::info!(cameras = moved, "moved camera credentials out of the stream URLs");
        }
        Ok(store)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Self, SqliteError> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate::migrate(&mut conn)?;
        Ok(Self::wrap(conn, None, clock))
    }

    fn wrap(conn: Connection, path: Option<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        Self {
            conn: Mutex::new(conn),
            clock,
            rules: RwLock::new(Arc::new(RuleBook::official())),
            system_token: format!("system:{}", auth::random_hex(32)),
            workstation: super::local_workstation(),
            on_change: RwLock::new(None),
            camera_key: secrets::CameraKey::beside(path.as_deref()),
            audit_key: secrets::CameraKey::beside_named(path.as_deref(), secrets::AUDIT_KEY_FILE),
            path,
        }
    }

    /// Sets the calendar and alert settings (from the data directory's settings). Cases are
    /// re-evaluated with them as they next come up; `reevaluate_all` does it at once.
    ///
    /// The years an administrator entered in the database (系统管理 → 工作日历) are laid over the
    /// calendar given: the database is the hall's record of them, whichever program opened it.
    pub fn set_rules(&self, mut rules: RuleBook) {
        if let Err(e) = calendar::apply_entered(&self.lock(), &mut rules.calendar) {
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
        *self.on_change.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(listener);
    }

    /// Re-evaluates every case now (after the rules changed). Derived data: not audited.
    pub fn reevaluate_all(&self) -> Result<u32, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute("UPDATE case_file SET next_check_at = 0", [])?;
        let (n, _) = alerts::refresh_due(&tx, &self.rules(), self.now())?;
        tx.commit()?;
        Ok(n)
    }

    /// Brings the time-driven alerts up to the store's clock (the cases whose next instant has come), as
    /// the local system: derived data, not audited; the change listener hears of a change.
    pub fn bring_alerts_up_to_date(&self) -> Result<RefreshReport, StoreError> {
        let report = {
            let mut conn = self.lock();
            let tx = conn.transaction()?;
            let (evaluated, outcome) = alerts::refresh_due(&tx, &self.rules(), self.now())?;
            tx.commit()?;
            RefreshReport { evaluated, changed: outcome.changed, new_red: outcome.new_red }
        };
        if report.changed > 0 {
            let listener = self.on_change.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(listener) = listener {
                listener();
            }
        }
        Ok(report)
    }

    /// This database's chain head and the codes of its halls: what a county's server forwards to the city.
    pub fn anchor_to_forward(&self) -> Result<Option<(String, super::AuditAnchor)>, StoreError> {
        let conn = self.lock();
        let Some((seq, mac)) = audit::anchor(&conn)? else { return Ok(None) };
        let halls: Vec<String> = conn
            .prepare("SELECT code FROM hall ORDER BY code")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let source = if halls.is_empty() { self.workstation.clone() } else { halls.join(",") };
        Ok(Some((source.chars().take(200).collect(), super::AuditAnchor { seq, mac })))
    }

    /// The clock this store runs on (the server's forwarding outbox keeps its times by it too).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
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
        }
    }

    /// What `GET /api/v1/health` tells a hall's monitoring, without a session: the schema version, the
    /// end of the newest recorded segment and the recording length in the rules. Nothing about people.
    pub fn health(&self) -> Result<StoreHealth, StoreError> {
        let conn = self.lock();
        let schema_version = migrate::version(&conn)?;
        let newest: Option<i64> = conn.query_row("SELECT max(end_ms) FROM segment", [], |r| r.get(0))?;
        let cameras: i64 = conn.query_row("SELECT count(*) FROM camera WHERE retired_at IS NULL", [], |r| r.get(0))?;
        Ok(StoreHealth {
            schema_version,
            newest_segment_end: newest.and_then(DateTime::from_timestamp_millis),
            cameras: cameras.max(0).cast_unsigned(),
            segment_seconds: self.rules().footage.segment_seconds,
            now: self.now(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (it rolls back on drop), so
        // the connection is still usable.
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let conn = self.lock();
        let actor = self.actor(&conn, session, permission)?;
        f(&Read { conn: &conn, actor, now: self.now(), rules: self.rules() })
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
        let (result, changed) = {
            let audit_key = self.audit_key.bytes(true)?;
            let mut conn = self.lock();
            let actor = self.actor(&conn, session, permission)?;
            let write = Write {
                tx: conn.transaction()?,
                actor,
                now: self.now(),
                rules: self.rules(),
                changed: Cell::new(true),
                audit_key,
            };
            let result = f(&write)?;
            let changed = write.changed.get();
            write.tx.commit()?;
            (result, changed)
        };
        if changed {
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
    accountability::complaints(
        conn,
        Some(complaint_no),
        &rules.calendar,
        &rules.complaints,
        actor.role.allows(Permission::ReadComplainantContact),
    )?
    .pop()
    .ok_or_else(|| StoreError::NotFound(format!("complaint {complaint_no}")))
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("SQLite {}", p.display()),
            None => "SQLite (in memory)".into(),
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

    fn users(&self, session: &Session) -> Result<Vec<User>, StoreError> {
        self.read(session, Permission::ManageUsers, |r| {
            let mut stmt = r.conn.prepare(&format!("SELECT {} FROM user ORDER BY username", auth::USER_COLUMNS))?;
            Ok(stmt.query_map([], auth::user_row)?.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn create_user(&self, session: &Session, user: &NewUser) -> Result<User, StoreError> {
        self.create_user_with_salt(session, user, &auth::random_salt()?)
    }

    fn set_password(
        &self,
        session: &Session,
        username: &str,
        current: Option<&str>,
        password: &str,
    ) -> Result<(), StoreError> {
        self.change_password(session, username, current, password)
    }

    fn update_user(&self, session: &Session, username: &str, change: &UserChange) -> Result<User, StoreError> {
        self.change_user(session, username, change)
    }

    fn reset_password(
        &self,
        session: &Session,
        username: &str,
        temporary: &str,
    ) -> Result<Option<super::AccountChange>, StoreError> {
        self.reset_user_password(session, username, temporary)
    }

    fn account_changes(&self, session: &Session) -> Result<Vec<super::AccountChange>, StoreError> {
        self.read(session, Permission::ConfirmAccountChange, |r| accounts::list(r.conn))
    }

    fn decide_account_change(
        &self,
        session: &Session,
        change_id: i64,
        confirm: bool,
        note: &str,
    ) -> Result<super::AccountChange, StoreError> {
        self.write(session, Permission::ConfirmAccountChange, |w| accounts::decide(w, change_id, confirm, note))
    }

    fn directory(&self, session: &Session) -> Result<HallDirectory, StoreError> {
        self.read(session, Permission::ReadHall, |r| query::directory(r.conn))
    }

    fn configure_hall(&self, session: &Session, setup: &HallSetup) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            query::configure_hall(&w.tx, setup)?;
            for c in &setup.cameras {
                hall::upsert_plain_camera(
                    &w.tx,
                    &self.camera_key,
                    &setup.hall.code,
                    &c.name,
                    c.window_code.as_deref(),
                    &c.main_url,
                    c.sub_url.as_deref(),
                )?;
            }
            w.audit(
                "hall.configure",
                &format!("hall:{}", setup.hall.code),
                serde_json::json!({
                    "name": setup.hall.name,
                    "departments": setup.departments.len(),
                    "windows": setup.windows.len(),
                    "cameras": setup.cameras.len(),
                }),
            )?;
            Ok(())
        })
    }

    fn hall_config(&self, session: &Session, hall: Option<&str>) -> Result<HallConfig, StoreError> {
        self.read(session, Permission::ConfigureHall, |r| hall::config(r.conn, hall))
    }

    fn plan_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError> {
        self.read(session, Permission::ConfigureHall, |r| Ok(hall::plan(r.conn, config)?.1))
    }

    fn apply_hall(&self, session: &Session, config: &HallConfig) -> Result<HallDiff, StoreError> {
        self.write(session, Permission::ConfigureHall, |w| hall::apply(w, config))
    }

    fn set_camera_password(
        &self,
        session: &Session,
        hall_code: &str,
        camera: &str,
        password: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            // Looked at only once the caller is known to be an administrator.
            if let Some(p) = password
                && (p.is_empty() || p.chars().count() > 128 || p.chars().any(char::is_control))
            {
                return Err(StoreError::Invalid(
                    "摄像头密码须为 1–128 个可见字符 (a camera password is 1 to 128 visible characters)".into(),
                ));
            }
            if !hall::seal_password(&w.tx, &self.camera_key, hall_code, camera, password)? {
                return Err(StoreError::NotFound(format!("camera {camera} in hall {hall_code}")));
            }
            w.audit(
                "camera.password",
                &format!("camera:{hall_code}/{camera}"),
                serde_json::json!({"set": password.is_some()}),
            )?;
            Ok(())
        })
    }

    fn camera_streams(&self, session: &Session) -> Result<Vec<CameraStream>, StoreError> {
        self.read(session, Permission::WatchLive, |r| hall::streams(r.conn, &self.camera_key))
    }

    fn import(&self, session: &Session, batch: &ImportBatch) -> Result<ImportReport, StoreError> {
        let permission = match batch.records.kind() {
            crate::interchange::ImportKind::Items | crate::interchange::ImportKind::Staff => {
                Permission::ImportMasterData
            }
            _ => Permission::Import,
        };
        self.write(session, permission, |w| {
            let report = import::apply(&w.tx, batch, &w.rules, w.now)?;
            if report.inserted + report.updated == 0 {
                // Importing the same file twice changes nothing, not even the audit log.
                w.unchanged();
                return Ok(report);
            }
            let kind = batch.records.kind().as_str();
            w.tx.execute(
                "INSERT INTO import_log (at, actor, kind, source, records, inserted, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![ts(w.now), w.actor.username, kind, batch.source, report.records as i64, report.inserted as i64, report.updated as i64],
            )?;
            w.audit(&format!("import.{kind}"), &batch.source, serde_json::to_value(&report).unwrap_or_default())?;
            Ok(report)
        })
    }

    fn cases(&self, session: &Session, q: &CaseQuery) -> Result<Vec<crate::domain::model::CaseSummary>, StoreError> {
        self.read(session, Permission::ReadCases, |r| query::cases(r.conn, q))
    }

    fn case_events(
        &self,
        session: &Session,
        case_no: &str,
    ) -> Result<Vec<crate::domain::model::CaseEvent>, StoreError> {
        self.read(session, Permission::ReadCases, |r| query::case_events(r.conn, case_no))
    }

    fn overview(&self, session: &Session) -> Result<Overview, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let mut o = overview::overview(r.conn, r.now)?;
            o.calendar_missing_years = calendar::missing_around(&r.rules.calendar, r.now);
            Ok(o)
        })
    }

    fn register_complaint(&self, session: &Session, complaint: &NewComplaint) -> Result<Complaint, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let id = accountability::insert_complaint(&w.tx, complaint, &w.actor.username)?;
            let no: String = w.tx.query_row("SELECT complaint_no FROM complaint WHERE id = ?1", [id], |r| r.get(0))?;
            w.audit(
                "complaint.register",
                &format!("complaint:{no}"),
                serde_json::json!({"channel": complaint.channel.as_str(), "case_no": complaint.case_no, "window": complaint.window_code}),
            )?;
            complaint_as(&w.tx, &w.actor, &w.rules, &no)
        })
    }

    fn complaints(&self, session: &Session) -> Result<Vec<Complaint>, StoreError> {
        self.read(session, Permission::ReadCases, |r| {
            accountability::complaints(
                r.conn,
                None,
                &r.rules.calendar,
                &r.rules.complaints,
                r.actor.role.allows(Permission::ReadComplainantContact),
            )
        })
    }

    fn advance_complaint(
        &self,
        session: &Session,
        complaint_no: &str,
        step: &ComplaintStep,
    ) -> Result<Complaint, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let status = accountability::advance_complaint(&w.tx, complaint_no, step, &w.actor.username, w.now)?;
            w.audit(
                &format!("complaint.{}", status.as_str()),
                &format!("complaint:{complaint_no}"),
                serde_json::to_value(step).unwrap_or_default(),
            )?;
            complaint_as(&w.tx, &w.actor, &w.rules, complaint_no)
        })
    }

    fn add_observation(&self, session: &Session, observation: &NewObservation) -> Result<Observation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let stored = accountability::insert_observation(&w.tx, observation, &w.actor.username, w.now)?;
            w.audit(
                "observation.add",
                &format!("observation:{}", stored.id),
                serde_json::json!({
                    "category": stored.category, "window": stored.window_code, "staff_no": stored.staff_no,
                    "observed_at": stored.observed_at, "evidence_id": stored.evidence_id, "source": stored.source,
                }),
            )?;
            Ok(stored)
        })
    }

    fn observations(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<Observation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::observations(r.conn, from, to))
    }

    fn issue_slips(&self, session: &Session, week: Week) -> Result<Vec<Slip>, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let issued = accountability::issue_slips(
                &w.tx,
                week,
                &w.rules.calendar,
                w.rules.settings.notice_due_working_days,
                &w.actor.username,
                w.now,
            )?;
            for id in &issued {
                let slip = accountability::slip(&w.tx, *id)?;
                w.audit(
                    "slip.issue",
                    &format!("slip:{}", slip.number_text()),
                    serde_json::json!({
                        "department": slip.department_name, "week": week.to_string(),
                        "findings": slip.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
                    }),
                )?;
            }
            accountability::slips(&w.tx, Some(week))
        })
    }

    fn slips(&self, session: &Session, week: Option<Week>) -> Result<Vec<Slip>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::slips(r.conn, week))
    }

    fn cancel_slip(&self, session: &Session, slip_id: i64, reason: &str) -> Result<Slip, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            accountability::cancel_slip(&w.tx, slip_id, reason)?;
            let slip = accountability::slip(&w.tx, slip_id)?;
            w.audit("slip.cancel", &format!("slip:{}", slip.number_text()), serde_json::json!({"reason": reason}))?;
            Ok(slip)
        })
    }

    fn record_slip_receipt(&self, session: &Session, slip_id: i64, signed_by: &str) -> Result<Slip, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            accountability::record_receipt(&w.tx, slip_id, signed_by, w.now)?;
            let slip = accountability::slip(&w.tx, slip_id)?;
            w.audit(
                "slip.receipt",
                &format!("slip:{}", slip.number_text()),
                serde_json::json!({"signed_by": signed_by}),
            )?;
            Ok(slip)
        })
    }

    fn record_violation(&self, session: &Session, violation: &NewViolation) -> Result<Violation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let id = accountability::insert_violation(&w.tx, violation, &w.actor.username, w.now)?;
            let stored = accountability::violation(&w.tx, id)?;
            w.audit(
                "violation.record",
                &format!("violation:{id}"),
                serde_json::json!({
                    "item": stored.item, "department": stored.department, "staff_no": stored.staff_no,
                    "source": stored.source, "complaint_no": stored.complaint_no, "case_no": stored.case_no,
                }),
            )?;
            Ok(stored)
        })
    }

    fn violations(&self, session: &Session) -> Result<Vec<Violation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::violations(r.conn))
    }

    fn decide_violation(
        &self,
        session: &Session,
        violation_id: i64,
        measures: &[Measure],
        note: &str,
    ) -> Result<DecisionOutcome, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "decide_violation", |w| {
            let flag = accountability::decide_violation(&w.tx, violation_id, measures, note, &w.actor.username, w.now)?;
            w.audit(
                "violation.decide",
                &format!("violation:{violation_id}"),
                serde_json::json!({"measures": measures.iter().map(|m| m.as_str()).collect::<Vec<_>>(), "note": note}),
            )?;
            if let Some(id) = flag {
                w.audit("violation.flag_12_6", &format!("violation:{id}"), serde_json::json!({"after": violation_id}))?;
            }
            Ok(DecisionOutcome {
                violation: accountability::violation(&w.tx, violation_id)?,
                flag: flag.map(|id| accountability::violation(&w.tx, id)).transpose()?,
            })
        })
    }

    fn department_flags(&self, session: &Session) -> Result<Vec<DepartmentFlag>, StoreError> {
        self.read(session, Permission::ReadCases, |r| accountability::department_flags(r.conn, r.now))
    }

    fn refresh_alerts(&self, session: &Session) -> Result<RefreshReport, StoreError> {
        // Derived from the events by time alone: not audited.
        self.write(session, Permission::RefreshAlerts, |w| {
            let (evaluated, outcome) = alerts::refresh_due(&w.tx, &w.rules, w.now)?;
            if outcome.changed == 0 {
                w.unchanged();
            }
            Ok(RefreshReport { evaluated, changed: outcome.changed, new_red: outcome.new_red })
        })
    }

    fn alerts(&self, session: &Session, q: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
        self.read(session, Permission::ReadCases, |r| match q.at {
            Some(at) => {
                let mut rows = alerts::at_instant(r.conn, &r.rules, at, q.include_inactive)?;
                if let Some(no) = &q.case_no {
                    rows.retain(|row| &row.case_no == no);
                }
                if q.limit > 0 {
                    rows.truncate(q.limit as usize);
                }
                Ok(rows)
            }
            None => alerts::list(r.conn, q.include_inactive, q.case_no.as_deref(), q.limit),
        })
    }

    fn case_detail(&self, session: &Session, case_no: &str) -> Result<CaseDetail, StoreError> {
        self.read(session, Permission::ReadCases, |r| alerts::case_detail(r.conn, case_no, &r.rules, r.now))
    }

    fn close_alert(&self, session: &Session, alert_id: i64, reason: &str) -> Result<AlertRow, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let row = alerts::close(&w.tx, alert_id, &w.actor.username, reason, w.now)?;
            w.audit(
                "alert.close",
                &format!("case:{}", row.case_no),
                serde_json::json!({"alert_id": alert_id, "rule": row.rule.as_str(), "key": row.key, "reason": reason.trim()}),
            )?;
            Ok(row)
        })
    }

    fn issue_notice(&self, session: &Session, notice: &NewNotice) -> Result<Notice, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let (issued, case_id) =
                alerts::issue_notice(&w.tx, notice.alert_id, &notice.text, &w.actor.username, &w.rules, w.now)?;
            alerts::refresh_case(&w.tx, case_id, &w.rules, w.now, false)?;
            w.audit(
                "notice.issue",
                &format!("case:{}", issued.case_no),
                serde_json::json!({"notice_no": issued.notice_no, "alert_id": notice.alert_id, "due_date": issued.due_date, "department": issued.department}),
            )?;
            Ok(issued)
        })
    }

    fn record_notice_reply(&self, session: &Session, notice_id: i64, reply: &str) -> Result<Notice, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let (notice, case_id) = alerts::record_reply(&w.tx, notice_id, reply, &w.actor.username, w.now)?;
            alerts::refresh_case(&w.tx, case_id, &w.rules, w.now, false)?;
            w.audit(
                "notice.reply",
                &format!("case:{}", notice.case_no),
                serde_json::json!({"notice_no": notice.notice_no, "state": notice.state}),
            )?;
            Ok(notice)
        })
    }

    fn notices(&self, session: &Session) -> Result<Vec<Notice>, StoreError> {
        self.read(session, Permission::ReadCases, |r| alerts::notices(r.conn, None, r.now))
    }

    fn daily_check_data(&self, session: &Session, day: NaiveDate) -> Result<DailyCheckData, StoreError> {
        self.read(session, Permission::ReadCases, |r| alerts::daily_data(r.conn, day, r.now, &r.rules))
    }

    fn record_daily_check(&self, session: &Session, check: &DailyCheck) -> Result<DailyCheck, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let record =
                DailyCheck { checked_at: from_ts(ts(w.now)), checked_by: w.actor.username.clone(), ..check.clone() };
            alerts::insert_daily(&w.tx, &record)?;
            w.audit(
                "check.daily",
                &format!("day:{}", record.day),
                serde_json::json!({
                    "report": record.report_path, "sha256": record.report_sha256, "open_alerts": record.open_alerts,
                    "new_alerts": record.new_alerts, "red": record.red, "orange": record.orange, "yellow": record.yellow,
                }),
            )?;
            Ok(record)
        })
    }

    fn daily_checks(&self, session: &Session, limit: u32) -> Result<Vec<DailyCheck>, StoreError> {
        self.read(session, Permission::ReadCases, |r| alerts::daily_checks(r.conn, limit))
    }

    fn attendance(&self, session: &Session, period_start: NaiveDate) -> Result<AttendancePeriod, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::period(r.conn, &r.rules, period_start))
    }

    fn attendance_trend(
        &self,
        session: &Session,
        last_period_start: NaiveDate,
        count: u32,
    ) -> Result<AttendanceTrend, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::trend(r.conn, &r.rules, last_period_start, count))
    }

    fn record_interview(&self, session: &Session, interview: &NewInterview) -> Result<Interview, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let recorded = people::insert_interview(&w.tx, &w.rules, interview, &w.actor.username, w.now)?;
            w.audit(
                "attendance.interview",
                &format!("staff:{}", recorded.staff_no),
                serde_json::json!({"period_start": recorded.period_start, "held_at": recorded.held_at, "participants": recorded.participants}),
            )?;
            Ok(recorded)
        })
    }

    fn evaluator_check(
        &self,
        session: &Session,
        date: NaiveDate,
    ) -> Result<crate::domain::evaluator::EvaluatorCheck, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::evaluator_check(r.conn, &r.rules, date))
    }

    fn poor_ratings(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<PoorRating>, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::poor_ratings(r.conn, &r.rules, from, to))
    }

    fn record_follow_up(
        &self,
        session: &Session,
        key: &str,
        step: FollowUpStep,
        note: &str,
    ) -> Result<PoorRating, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let done = people::record_follow_up(&w.tx, &w.rules, key, step, note, &w.actor.username, w.now)?;
            w.audit(
                match step {
                    FollowUpStep::ReturnVisit => "rating.return_visit",
                    FollowUpStep::Rectification => "rating.rectification",
                },
                &format!("rating:{key}"),
                serde_json::json!({"window": done.rating.window, "rating": done.rating.rating, "note": note.trim()}),
            )?;
            Ok(done)
        })
    }

    fn satisfaction(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Satisfaction, StoreError> {
        self.read(session, Permission::ReadCases, |r| people::satisfaction(r.conn, from, to))
    }

    fn report_camera_link(
        &self,
        session: &Session,
        camera_id: i64,
        online: bool,
        reason: &str,
    ) -> Result<Option<CameraAlert>, StoreError> {
        // Derived from what the recorder sees, like alert rows from events: not audited.
        self.write(session, Permission::RecordFootage, |w| {
            let change = devices::report_link(&w.tx, &w.rules, camera_id, online, reason, w.now)?;
            if change.is_none() {
                w.unchanged();
            }
            Ok(change)
        })
    }

    fn camera_alerts(&self, session: &Session, open_only: bool) -> Result<Vec<CameraAlert>, StoreError> {
        self.read(session, Permission::ReadHall, |r| devices::camera_alerts(r.conn, open_only, r.now))
    }

    fn watch_config(&self, session: &Session) -> Result<super::WatchConfig, StoreError> {
        self.read(session, Permission::WatchLive, |r| watch::config(r.conn, &r.rules, r.now))
    }

    fn set_camera_reference(&self, session: &Session, camera_id: i64, png: Option<&[u8]>) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            let sha = watch::set_reference(&w.tx, camera_id, png, &w.actor.username, w.now)?;
            w.audit("camera.reference", &format!("camera:{camera_id}"), serde_json::json!({ "sha256": sha }))?;
            Ok(())
        })
    }

    fn set_camera_seat(
        &self,
        session: &Session,
        camera_id: i64,
        seat: Option<crate::domain::watch::Region>,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::ConfigureHall, |w| {
            watch::set_seat(&w.tx, camera_id, seat)?;
            w.audit("camera.seat", &format!("camera:{camera_id}"), serde_json::json!({ "seat": seat }))?;
            Ok(())
        })
    }

    fn report_watch(
        &self,
        session: &Session,
        report: &super::WatchReport,
    ) -> Result<Option<super::CameraFinding>, StoreError> {
        // Detections come only from this machine's own watchers (the recorder, the server, a standalone
        // console): no caller invents one to confirm it afterwards.
        self.write(session, Permission::RecordFootage, |w| {
            let change = watch::report(&w.tx, report, &w.actor.username, w.now)?;
            match &change {
                None => w.unchanged(),
                Some(f) => {
                    let action = if f.resolved_at.is_some() { "watch.ended" } else { "watch.raised" };
                    w.audit(
                        action,
                        &format!("camera_finding:{}", f.id),
                        serde_json::json!({
                            "camera": f.camera_name, "kind": f.kind, "since": f.since, "resolved_at": f.resolved_at,
                            "first_sha256": f.first_snapshot.as_ref().map(|s| &s.sha256),
                            "second_sha256": f.second_snapshot.as_ref().map(|s| &s.sha256),
                        }),
                    )?;
                }
            }
            Ok(change)
        })
    }

    fn camera_findings(
        &self,
        session: &Session,
        query: &super::FindingQuery,
    ) -> Result<Vec<super::CameraFinding>, StoreError> {
        self.read(session, Permission::ReadCases, |r| watch::findings(r.conn, query, r.now))
    }

    fn watch_snapshot(&self, session: &Session, snapshot_id: i64) -> Result<Vec<u8>, StoreError> {
        self.read(session, Permission::ReadCases, |r| watch::snapshot(r.conn, snapshot_id))
    }

    fn decide_finding(
        &self,
        session: &Session,
        finding_id: i64,
        decision: crate::domain::watch::FindingDecision,
        note: &str,
    ) -> Result<super::CameraFinding, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let decided = watch::decide(&w.tx, finding_id, decision, note, &w.actor.username, w.now)?;
            w.audit(
                if decision == crate::domain::watch::FindingDecision::Confirmed {
                    "watch.confirm"
                } else {
                    "watch.dismiss"
                },
                &format!("camera_finding:{finding_id}"),
                serde_json::json!({
                    "camera": decided.camera_name, "kind": decided.kind, "since": decided.since,
                    "reason": decided.reason, "observation_id": decided.observation_id, "staff_no": decided.staff_no,
                }),
            )?;
            Ok(decided)
        })
    }

    fn add_segment(&self, session: &Session, segment: &NewSegment) -> Result<Segment, StoreError> {
        // Derived from the recorder's files like alert rows from events: not audited one by one.
        self.write(session, Permission::RecordFootage, |w| footage::insert_segment(&w.tx, segment, w.now))
    }

    fn segments(&self, session: &Session, camera_id: i64, span: Span) -> Result<Vec<Segment>, StoreError> {
        self.read(session, Permission::ReadHall, |r| footage::segments(r.conn, camera_id, span))
    }

    fn segment_paths(&self, session: &Session) -> Result<Vec<String>, StoreError> {
        self.read(session, Permission::RecordFootage, |r| footage::segment_paths(r.conn))
    }

    fn expire_segments(&self, session: &Session) -> Result<Vec<Segment>, StoreError> {
        self.write(session, Permission::RecordFootage, |w| {
            let abandoned = footage::abandon_stale_exports(&w.tx, w.now)?;
            if !abandoned.is_empty() {
                w.audit("footage.export_abandoned", "footage_access", serde_json::json!({"lines": abandoned}))?;
            }
            let gone = footage::expire_segments(&w.tx, &w.rules.footage, w.now)?;
            if gone.is_empty() {
                if abandoned.is_empty() {
                    w.unchanged();
                }
            } else {
                let first = gone.iter().map(|s| s.span.from).min().unwrap_or_default();
                let last = gone.iter().map(|s| s.span.to).max().unwrap_or_default();
                let bytes: u64 = gone.iter().map(|s| s.bytes).sum();
                w.audit(
                    "footage.retention",
                    "segments",
                    serde_json::json!({"segments": gone.len(), "bytes": bytes, "from_ms": first, "to_ms": last}),
                )?;
            }
            Ok(gone)
        })
    }

    fn window_events(
        &self,
        session: &Session,
        window_code: &str,
        span: Span,
    ) -> Result<Vec<super::WindowEvent>, StoreError> {
        self.read(session, Permission::ReadCases, |r| footage::window_events(r.conn, window_code, span))
    }

    fn recording_health(&self, session: &Session, span: Span) -> Result<RecordingHealth, StoreError> {
        self.read(session, Permission::ReadHall, |r| footage::recording_health(r.conn, span))
    }

    fn request_footage(&self, session: &Session, request: &NewFootageRequest) -> Result<FootageRequest, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let stored = footage::insert_request(&w.tx, request, &w.actor.username, &w.rules.footage, w.now)?;
            w.audit(
                "footage.request",
                &format!("footage_request:{}", stored.request_no),
                serde_json::json!({
                    "kind": stored.kind, "cameras": stored.cameras, "from_ms": stored.span.from, "to_ms": stored.span.to,
                    "purpose": stored.purpose, "second_person": stored.second_person,
                    "case_no": stored.case_no, "complaint_no": stored.complaint_no,
                }),
            )?;
            Ok(stored)
        })
    }

    fn footage_requests(&self, session: &Session, filter: RequestFilter) -> Result<Vec<FootageRequest>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let role = r.actor.role;
            let filter = if role.allows(Permission::ReadFootageRegister) || role.allows(Permission::ApproveFootage) {
                filter
            } else {
                RequestFilter::Mine
            };
            footage::requests(r.conn, filter, &r.actor.username)
        })
    }

    fn decide_footage(
        &self,
        session: &Session,
        request_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<FootageRequest, StoreError> {
        // Who may decide which request is the footage rules' question (`footage::decide`).
        self.write(session, Permission::ReadHall, |w| {
            let decided = footage::decide(&w.tx, request_id, approve, note, &w.actor, &w.rules.footage, w.now)?;
            w.audit(
                if approve { "footage.approve" } else { "footage.refuse" },
                &format!("footage_request:{}", decided.request_no),
                serde_json::json!({"requester": decided.requester, "note": decided.decision_note, "expires_at": decided.expires_at}),
            )?;
            Ok(decided)
        })
    }

    fn cancel_footage_request(&self, session: &Session, request_id: i64) -> Result<FootageRequest, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let cancelled = footage::cancel(&w.tx, request_id, &w.actor.username)?;
            w.audit("footage.cancel", &format!("footage_request:{}", cancelled.request_no), serde_json::json!({}))?;
            Ok(cancelled)
        })
    }

    fn open_footage(
        &self,
        session: &Session,
        request_id: i64,
        camera_id: i64,
        span: Span,
        use_: Use,
        destination: Option<&str>,
    ) -> Result<FootageGrant, StoreError> {
        let mut grants = self.open_footage_cameras(session, request_id, &[camera_id], span, use_, destination)?;
        let segments = grants.tracks.pop().map(|t| t.segments).unwrap_or_default();
        Ok(FootageGrant { access_id: grants.access_id, request: grants.request, camera_id, span, segments })
    }

    fn open_footage_cameras(
        &self,
        session: &Session,
        request_id: i64,
        camera_ids: &[i64],
        span: Span,
        use_: Use,
        destination: Option<&str>,
    ) -> Result<super::FootageGrants, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let (access_id, request) =
                footage::open(&w.tx, request_id, camera_ids, span, use_, destination, &w.actor.username, w.now)?;
            let tracks = camera_ids
                .iter()
                .map(|&camera_id| {
                    Ok(super::GrantTrack { camera_id, segments: footage::segments(&w.tx, camera_id, span)? })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut detail = serde_json::json!({
                "camera_id": camera_ids[0], "from_ms": span.from, "to_ms": span.to, "destination": destination,
                "register_id": access_id, "segments": tracks.iter().map(|t| t.segments.len()).sum::<usize>(),
            });
            if camera_ids.len() > 1 {
                detail["cameras"] = serde_json::json!(camera_ids);
            }
            w.audit(
                match use_ {
                    Use::View => "footage.view",
                    Use::Export => "footage.export",
                },
                &format!("footage_request:{}", request.request_no),
                detail,
            )?;
            Ok(super::FootageGrants { access_id, request, span, tracks })
        })
    }

    fn footage_segment(
        &self,
        session: &Session,
        access_id: i64,
        segment_id: i64,
    ) -> Result<super::GrantedSegment, StoreError> {
        self.read(session, Permission::Supervise, |r| {
            footage::granted_segment(r.conn, access_id, segment_id, &r.actor.username, r.now)
        })
    }

    fn finish_export(
        &self,
        session: &Session,
        access_id: i64,
        outcome: &ExportOutcome,
    ) -> Result<FootageAccess, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let line = footage::finish_export(&w.tx, access_id, outcome, &w.actor.username, w.now)?;
            w.audit(
                "footage.export_finished",
                &format!("footage_request:{}", line.request_no),
                serde_json::json!({"register_id": access_id, "outcome": outcome, "destination": line.destination}),
            )?;
            Ok(line)
        })
    }

    fn footage_register(&self, session: &Session, limit: u32) -> Result<Vec<FootageAccess>, StoreError> {
        self.read(session, Permission::ReadHall, |r| {
            let everyone = r.actor.role.allows(Permission::ReadFootageRegister);
            footage::register(r.conn, (!everyone).then_some(r.actor.username.as_str()), limit.clamp(1, 10_000))
        })
    }

    fn place_hold(&self, session: &Session, camera_id: i64, span: Span, reason: &str) -> Result<LegalHold, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let hold = footage::place_hold(&w.tx, camera_id, span, reason, &w.actor.username, w.now)?;
            w.audit(
                "footage.hold",
                &format!("legal_hold:{}", hold.id),
                serde_json::json!({"camera_id": camera_id, "from_ms": span.from, "to_ms": span.to, "reason": hold.reason}),
            )?;
            Ok(hold)
        })
    }

    fn lift_hold(&self, session: &Session, hold_id: i64, reason: &str) -> Result<LegalHold, StoreError> {
        self.write(session, Permission::ApproveFootage, |w| {
            let hold = footage::lift_hold(&w.tx, hold_id, reason, &w.actor.username, w.now)?;
            w.audit(
                "footage.lift_hold",
                &format!("legal_hold:{hold_id}"),
                serde_json::json!({"reason": reason.trim()}),
            )?;
            Ok(hold)
        })
    }

    fn holds(&self, session: &Session) -> Result<Vec<LegalHold>, StoreError> {
        self.read(session, Permission::ReadHall, |r| footage::holds(r.conn))
    }

    fn record_evidence(&self, session: &Session, evidence: &NewEvidence) -> Result<Evidence, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            let stored = query::insert_evidence(&w.tx, evidence, &w.actor.username)?;
            // A snapshot kept for the discipline log is an observation too, in the same transaction.
            if evidence.for_discipline {
                let observation = NewObservation {
                    observed_at: evidence.taken_at,
                    category: evidence.category.clone().unwrap_or_else(|| "其他".into()),
                    source: crate::domain::discipline::ObservationSource::Wall,
                    camera_id: Some(evidence.camera_id),
                    window_code: evidence.window_code.clone(),
                    staff_no: evidence.staff_no.clone(),
                    department: None,
                    evidence_id: Some(stored.id),
                    clip: None,
                    note: evidence.note.clone(),
                };
                accountability::insert_observation(&w.tx, &observation, &w.actor.username, w.now)?;
            }
            w.audit(
                if evidence.for_discipline { "evidence.discipline" } else { "evidence.snapshot" },
                &format!("camera:{}", stored.camera_name),
                serde_json::json!({
                    "path": evidence.path, "sha256": evidence.sha256, "taken_at": evidence.taken_at,
                    "window": evidence.window_code, "staff_no": evidence.staff_no, "category": evidence.category,
                }),
            )?;
            Ok(stored)
        })
    }

    fn evidence(&self, session: &Session, limit: u32) -> Result<Vec<Evidence>, StoreError> {
        self.read(session, Permission::ReadCases, |r| query::evidence(r.conn, limit))
    }

    fn audit_log(&self, session: &Session, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(session, Permission::ReadAudit, |r| query::audit_log(r.conn, q))
    }

    fn verify_audit(&self, session: &Session) -> Result<AuditVerification, StoreError> {
        let key = self.audit_key.bytes(true)?;
        self.read(session, Permission::VerifyAudit, |r| audit::verify(r, &key))
    }

    fn check_audit_anchor(&self, session: &Session, anchor: &super::AuditAnchor) -> Result<bool, StoreError> {
        self.read(session, Permission::VerifyAudit, |r| audit::matches_anchor(r.conn, anchor.seq, &anchor.mac))
    }

    fn record_audit_anchor(
        &self,
        session: &Session,
        source: &str,
        anchor: &super::AuditAnchor,
    ) -> Result<(), StoreError> {
        self.write(session, Permission::Import, |w| audit::record_received(w, source, anchor))
    }

    fn audit_anchors(&self, session: &Session, limit: u32) -> Result<Vec<super::ReceivedAnchor>, StoreError> {
        self.read(session, Permission::ReadAudit, |r| audit::received(r.conn, limit))
    }

    fn assessment(&self, session: &Session, month: YearMonth) -> Result<super::AssessmentView, StoreError> {
        // The month as the alerts stand now, whether or not anyone opened the alert list.
        self.identify(session)?;
        self.bring_alerts_up_to_date()?;
        self.read(session, Permission::ReadCases, |r| {
            Ok(super::AssessmentView {
                live: assessment::month(r.conn, &r.rules, month, r.now)?,
                published: assessment::publications(r.conn, month)?,
            })
        })
    }

    fn assessment_items(
        &self,
        session: &Session,
        month: YearMonth,
        department_id: i64,
    ) -> Result<Vec<AssessmentItem>, StoreError> {
        self.identify(session)?;
        self.bring_alerts_up_to_date()?;
        self.read(session, Permission::ReadCases, |r| assessment::items(r.conn, &r.rules, month, department_id, r.now))
    }

    fn assessment_year(&self, session: &Session, year: i32) -> Result<YearAssessment, StoreError> {
        self.read(session, Permission::ReadCases, |r| assessment::year(r.conn, &r.rules, year, r.now))
    }

    fn publish_assessment(&self, session: &Session, month: YearMonth, reason: &str) -> Result<Publication, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "publish_assessment", |w| {
            // The alerts time alone raised are brought up to now in this very transaction: a published
            // month is the same whether or not anyone looked at the alert list before.
            alerts::refresh_due(&w.tx, &w.rules, w.now)?;
            let computed = assessment::month(&w.tx, &w.rules, month, w.now)?;
            let published = assessment::publish(&w.tx, &computed, reason, &w.actor.username, w.now)?;
            w.audit(
                "assessment.publish",
                &format!("assessment:{month}"),
                serde_json::json!({
                    "version": published.version, "reason": published.reason, "sha256": published.sha256,
                    "ranked": published.assessment.departments.iter().filter(|d| d.rank.is_some()).count(),
                }),
            )?;
            Ok(published)
        })
    }

    fn calendar_year(&self, session: &Session, year: i32) -> Result<super::CalendarYearView, StoreError> {
        self.read(session, Permission::ReadHall, |r| calendar::view(r.conn, &r.rules, year, r.now))
    }

    fn set_calendar_year(
        &self,
        session: &Session,
        schedule: &crate::domain::calendar::YearSchedule,
    ) -> Result<super::CalendarYearView, StoreError> {
        let view = self.write_named(session, Permission::ConfigureHall, "set_calendar_year", |w| {
            schedule.check().map_err(|(field, message)| StoreError::Invalid(format!("{field}: {message}")))?;
            let replaced = calendar::store(&w.tx, schedule, &w.actor.username, w.now)?;
            // The open cases are evaluated again at once with the new days: their deadlines, prompts
            // and overdue alerts move with the holidays.
            let mut rules = (*w.rules).clone();
            rules.calendar.set_year(schedule);
            let marked = calendar::mark_open_cases(&w.tx, w.now)?;
            let (evaluated, outcome) = alerts::refresh_due(&w.tx, &rules, w.now)?;
            let holidays: Vec<String> = schedule.holidays().into_iter().map(|h| h.name).collect();
            w.audit(
                "calendar.set_year",
                &format!("calendar:{}", schedule.year),
                serde_json::json!({
                    "notice": schedule.notice.trim(), "days": schedule.days.len(), "holidays": holidays,
                    "replaced": replaced, "open_cases": marked, "alerts_changed": outcome.changed,
                }),
            )?;
            let mut view = calendar::view(&w.tx, &rules, schedule.year, w.now)?;
            view.recomputed = evaluated;
            Ok(view)
        })?;
        // Every later call counts with the year (the database's entries laid over the rules in force).
        self.set_rules((*self.rules()).clone());
        Ok(view)
    }

    fn issue_recommendation(
        &self,
        session: &Session,
        recommendation: &super::NewRecommendation,
    ) -> Result<Recommendation, StoreError> {
        self.write_named(session, Permission::DecideAccountability, "issue_recommendation", |w| {
            let id = assessment::issue_recommendation(&w.tx, &w.rules, recommendation, &w.actor.username, w.now)?;
            let issued = assessment::recommendation(&w.tx, id, w.now)?;
            w.audit(
                "recommendation.issue",
                &format!("recommendation:{}", issued.number_text()),
                serde_json::json!({
                    "department": issued.department, "month": issued.month, "reply_due": issued.reply_due,
                }),
            )?;
            Ok(issued)
        })
    }

    fn recommendations(&self, session: &Session) -> Result<Vec<Recommendation>, StoreError> {
        self.read(session, Permission::ReadCases, |r| assessment::recommendations(r.conn, r.now))
    }

    fn record_recommendation_receipt(
        &self,
        session: &Session,
        recommendation_id: i64,
        signed_by: &str,
    ) -> Result<Recommendation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            assessment::record_recommendation_receipt(&w.tx, recommendation_id, signed_by, w.now)?;
            let r = assessment::recommendation(&w.tx, recommendation_id, w.now)?;
            w.audit(
                "recommendation.receipt",
                &format!("recommendation:{}", r.number_text()),
                serde_json::json!({"signed_by": r.receipt_by}),
            )?;
            Ok(r)
        })
    }

    fn record_recommendation_reply(
        &self,
        session: &Session,
        recommendation_id: i64,
        reply: &str,
    ) -> Result<Recommendation, StoreError> {
        self.write(session, Permission::Supervise, |w| {
            assessment::record_recommendation_reply(&w.tx, recommendation_id, reply, &w.actor.username, w.now)?;
            let r = assessment::recommendation(&w.tx, recommendation_id, w.now)?;
            w.audit(
                "recommendation.reply",
                &format!("recommendation:{}", r.number_text()),
                serde_json::json!({"late": r.reply_at.is_some_and(|at| crate::domain::time::local_date(at) > r.reply_due)}),
            )?;
            Ok(r)
        })
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

    pub fn start(store: Arc<SqliteStore>, every: std::time::Duration) -> std::io::Result<AlertClock> {
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
