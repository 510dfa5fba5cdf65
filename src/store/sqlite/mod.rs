//! The embedded SQLite store: the only module with SQL.
//!
//! One connection behind a mutex (WAL journal, foreign keys on). Every public call authenticates the
//! session, checks the permission, and writes its audit record in the same transaction as its change.

mod accountability;
mod alerts;
mod footage;
mod import;
pub mod migrate;
mod people;
mod query;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore as _;
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use sha2::{Digest as _, Sha256};

use crate::clock::Clock;
use crate::domain::access::{Permission, Role};
use crate::domain::alerts::RuleBook;
use crate::domain::audit::{self, AuditFields, AuditRecord, GENESIS_HASH};
use crate::domain::model::Complaint;
use crate::interchange::ImportBatch;

use super::{
    AlertQuery, AlertRow, AttendancePeriod, AttendanceTrend, AuditQuery, AuditVerification, CaseDetail, CaseQuery,
    DailyCheck, DailyCheckData, Evidence, FollowUpStep, HallDirectory, HallSetup, ImportReport, Interview,
    NewComplaint, NewEvidence, NewInterview, NewNotice, NewUser, Notice, Overview, PoorRating, RefreshReport,
    Satisfaction, Session, Store, StoreError, User,
};
use super::{ComplaintStep, DecisionOutcome, DepartmentFlag, NewObservation, NewViolation, Violation};
use super::{
    ExportOutcome, FootageAccess, FootageGrant, LegalHold, NewFootageRequest, NewSegment, RecordingHealth,
    RequestFilter, Segment,
};
use crate::domain::accountability::Measure;
use crate::domain::discipline::{Observation, Slip, Week};
use crate::domain::footage::{FootageRequest, Span, Use};

/// The database file inside a data directory.
pub const DB_FILE: &str = "jiancha.db";

/// A session lasts one shift.
const SESSION_HOURS: i64 = 12;
/// Failed logins in a row that lock an account, and for how long.
const MAX_FAILED_LOGINS: i64 = 5;
const LOCK_MINUTES: i64 = 15;

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

/// The caller of a store method, after authentication.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    /// Where the actor sits: the session's workstation, or this machine for the system actor.
    pub workstation: String,
}

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
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane).
pub(crate) fn hash_password(password: &str, salt: &SaltString) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes(), salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))
}

/// A salt from 16 bytes (random, or seeded for the reproducible demo).
pub(crate) fn salt_from_bytes(bytes: &[u8; 16]) -> Result<SaltString, StoreError> {
    SaltString::encode_b64(bytes).map_err(|e| StoreError::Invalid(format!("cannot encode the salt: {e}")))
}

fn random_salt() -> Result<SaltString, StoreError> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    salt_from_bytes(&bytes)
}

fn check_password_rules(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < 8 {
        return Err(StoreError::Invalid("密码至少 8 个字符 (the password needs at least 8 characters)".into()));
    }
    Ok(())
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
        std::fs::create_dir_all(data_dir).map_err(|source| SqliteError::Io { path: data_dir.to_owned(), source })?;
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
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate::migrate(&mut conn)?;
        Ok(Self::wrap(conn, Some(path.to_owned()), clock))
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
            path,
            clock,
            rules: RwLock::new(Arc::new(RuleBook::official())),
            system_token: format!("system:{}", random_hex(32)),
            workstation: super::local_workstation(),
        }
    }

    /// Sets the calendar and alert settings (from the data directory's settings). Cases are
    /// re-evaluated with them as they next come up; `reevaluate_all` does it at once.
    pub fn set_rules(&self, rules: RuleBook) {
        *self.rules.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(rules);
    }

    fn rules(&self) -> Arc<RuleBook> {
        self.rules.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The server's remembered answer to a call made with idempotency key `key`: (method, HTTP status,
    /// body). Answers older than 30 days are forgotten.
    pub fn remembered_answer(&self, key: &str) -> Result<Option<(String, u16, String)>, StoreError> {
        let conn = self.lock();
        let cutoff = ts(self.now() - Duration::days(30));
        conn.execute("DELETE FROM idempotency WHERE at < ?1", [cutoff])?;
        Ok(conn
            .query_row("SELECT method, status, answer FROM idempotency WHERE key = ?1", [key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// Remembers the answer to a keyed call (see `remembered_answer`).
    pub fn remember_answer(
        &self,
        key: &str,
        method: &str,
        workstation: &str,
        status: u16,
        answer: &str,
    ) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "INSERT OR IGNORE INTO idempotency (key, method, workstation, status, answer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![key, method, workstation, status, answer, ts(self.now())],
        )?;
        Ok(())
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
        }
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open (it rolls back on drop), so
        // the connection is still usable.
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Authenticates `session` and checks `permission`.
    fn actor(&self, conn: &Connection, session: &Session, permission: Permission) -> Result<Actor, StoreError> {
        let actor = if session.token == self.system_token {
            Actor {
                user_id: None,
                username: "system".into(),
                role: Role::System,
                workstation: self.workstation.clone(),
            }
        } else {
            let row: Option<(i64, String, String, i64, i64, String)> = conn
                .query_row(
                    "SELECT u.id, u.username, u.role, u.active, s.expires_at, s.workstation
                     FROM session s JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?1",
                    [sha256_hex(&session.token)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?;
            let Some((user_id, username, role, active, expires_at, workstation)) = row else {
                return Err(StoreError::SessionExpired);
            };
            if active == 0 || expires_at <= ts(self.now()) {
                return Err(StoreError::SessionExpired);
            }
            let role = role.parse::<Role>().map_err(StoreError::Backend)?;
            Actor { user_id: Some(user_id), username, role, workstation }
        };
        if !actor.role.allows(permission) {
            return Err(StoreError::Forbidden {
                role: actor.role.label_zh().into(),
                action: permission.as_str().into(),
            });
        }
        Ok(actor)
    }

    /// One complaint as `actor` may see it.
    fn complaint(&self, conn: &Connection, actor: &Actor, complaint_no: &str) -> Result<Complaint, StoreError> {
        let rules = self.rules();
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

    /// Appends one audit record in `tx`.
    pub(crate) fn append_audit(
        tx: &Transaction<'_>,
        at: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let head: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (prev_seq, prev_hash) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
        let seq = prev_seq + 1;
        // Truncated to microseconds, as stored, so the hash can be recomputed from the row.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let detail = detail.to_string();
        let role = actor.role.as_str();
        let workstation = actor.workstation.as_str();
        let fields =
            AuditFields { seq, at, actor: &actor.username, role, action, target, detail: &detail, workstation };
        let hash = audit::chain_hash(&prev_hash, &fields);
        tx.execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, detail, prev_hash, hash, workstation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                seq,
                at.timestamp_micros(),
                actor.username,
                role,
                action,
                target,
                detail,
                prev_hash,
                hash,
                workstation
            ],
        )?;
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            params![seq, hash],
        )?;
        Ok(seq)
    }

    fn anonymous(username: &str, workstation: &str) -> Actor {
        Actor { user_id: None, username: username.to_owned(), role: Role::System, workstation: workstation.to_owned() }
    }

    fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
        let role: String = r.get(2)?;
        Ok(User {
            username: r.get(0)?,
            display_name: r.get(1)?,
            role: role.parse().unwrap_or(Role::Supervisor),
            active: r.get::<_, i64>(3)? != 0,
            created_at: from_ts(r.get(4)?),
        })
    }

    /// Creates a user with a given salt (the demo uses seeded salts so that it is reproducible).
    pub(crate) fn create_user_with_salt(
        &self,
        session: &Session,
        user: &NewUser,
        salt: &SaltString,
    ) -> Result<User, StoreError> {
        if user.role == Role::System {
            return Err(StoreError::Invalid("the system actor is not a login".into()));
        }
        check_password_rules(&user.password)?;
        let username = user.username.trim().to_owned();
        if username.is_empty()
            || username.len() > 64
            || !username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            return Err(StoreError::Invalid(format!(
                "用户名 {username:?} 只能包含小写字母、数字和 . _ - (user names use a–z, 0–9, '.', '_', '-')"
            )));
        }
        let hash = hash_password(&user.password, salt)?;
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ManageUsers)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let exists: bool =
            tx.query_row("SELECT count(*) FROM user WHERE username = ?1", [&username], |r| r.get::<_, i64>(0))? > 0;
        if exists {
            return Err(StoreError::Conflict(format!("用户 {username} 已存在 (user {username} exists)")));
        }
        tx.execute(
            "INSERT INTO user (username, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![username, user.display_name, user.role.as_str(), hash, ts(now)],
        )?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "user.create",
            &format!("user:{username}"),
            &serde_json::json!({"display_name": user.display_name, "role": user.role.as_str()}),
        )?;
        tx.commit()?;
        Ok(User {
            username,
            display_name: user.display_name.clone(),
            role: user.role,
            active: true,
            created_at: from_ts(ts(now)),
        })
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("SQLite {}", p.display()),
            None => "SQLite (in memory)".into(),
        }
    }

    fn login(&self, username: &str, password: &str) -> Result<Session, StoreError> {
        self.login_from(username, password, &self.workstation)
    }

    fn login_from(&self, username: &str, password: &str, workstation: &str) -> Result<Session, StoreError> {
        let username = username.trim();
        let workstation: String = workstation.trim().chars().take(100).collect();
        let mut conn = self.lock();
        let now = self.now();
        let row: Option<(i64, String, String, String, i64, i64, Option<i64>)> = conn
            .query_row(
                "SELECT id, display_name, role, password_hash, active, failed_logins, locked_until FROM user WHERE username = ?1",
                [username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let tx = conn.transaction()?;
        let fail = |tx: Transaction<'_>, reason: &str| -> Result<Session, StoreError> {
            Self::append_audit(
                &tx,
                now,
                &Self::anonymous(username, &workstation),
                "login.failed",
                &format!("user:{username}"),
                &serde_json::json!({"reason": reason}),
            )?;
            tx.commit()?;
            Err(StoreError::BadCredentials)
        };
        let Some((user_id, display_name, role, hash, active, failed, locked_until)) = row else {
            return fail(tx, "unknown user");
        };
        if let Some(until) = locked_until.filter(|u| *u > ts(now)) {
            Self::append_audit(
                &tx,
                now,
                &Self::anonymous(username, &workstation),
                "login.failed",
                &format!("user:{username}"),
                &serde_json::json!({"reason": "locked"}),
            )?;
            tx.commit()?;
            return Err(StoreError::Locked {
                username: username.to_owned(),
                until: crate::domain::time::format_local_minutes(from_ts(until)),
            });
        }
        let verified = PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        if !verified || active == 0 {
            let failed = failed + 1;
            let lock = (failed >= MAX_FAILED_LOGINS).then(|| ts(now + Duration::minutes(LOCK_MINUTES)));
            tx.execute(
                "UPDATE user SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1",
                params![user_id, if lock.is_some() { 0 } else { failed }, lock],
            )?;
            return fail(tx, if active == 0 { "inactive" } else { "wrong password" });
        }
        let role: Role = role.parse().map_err(StoreError::Backend)?;
        let token = random_hex(32);
        tx.execute("UPDATE user SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [user_id])?;
        tx.execute("DELETE FROM session WHERE expires_at <= ?1", [ts(now)])?;
        tx.execute(
            "INSERT INTO session (token_hash, user_id, created_at, expires_at, workstation) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256_hex(&token), user_id, ts(now), ts(now + Duration::hours(SESSION_HOURS)), workstation],
        )?;
        let actor = Actor { user_id: Some(user_id), username: username.to_owned(), role, workstation };
        Self::append_audit(&tx, now, &actor, "login", &format!("user:{username}"), &serde_json::json!({}))?;
        tx.commit()?;
        Ok(Session { token, username: username.to_owned(), display_name, role })
    }

    fn logout(&self, session: &Session) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ReadHall)?;
        if actor.user_id.is_none() {
            return Ok(());
        }
        let now = self.now();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM session WHERE token_hash = ?1", [sha256_hex(&session.token)])?;
        Self::append_audit(&tx, now, &actor, "logout", &format!("user:{}", actor.username), &serde_json::json!({}))?;
        tx.commit()?;
        Ok(())
    }

    fn users(&self, session: &Session) -> Result<Vec<User>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ManageUsers)?;
        let mut stmt =
            conn.prepare("SELECT username, display_name, role, active, created_at FROM user ORDER BY username")?;
        let users = stmt.query_map([], Self::user_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(users)
    }

    fn create_user(&self, session: &Session, user: &NewUser) -> Result<User, StoreError> {
        self.create_user_with_salt(session, user, &random_salt()?)
    }

    fn set_password(&self, session: &Session, username: &str, password: &str) -> Result<(), StoreError> {
        check_password_rules(password)?;
        let hash = hash_password(password, &random_salt()?)?;
        let mut conn = self.lock();
        // Everyone may change their own password; only admins change others'.
        let own = session.username == username && session.role != Role::System;
        let actor = self.actor(&conn, session, if own { Permission::ReadHall } else { Permission::ManageUsers })?;
        let now = self.now();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE user SET password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE username = ?1",
            params![username, hash],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("user {username}")));
        }
        // Other sessions of that user end: a reset password must lock out whoever had the old one.
        tx.execute(
            "DELETE FROM session WHERE user_id = (SELECT id FROM user WHERE username = ?1) AND token_hash <> ?2",
            params![username, sha256_hex(&session.token)],
        )?;
        Self::append_audit(&tx, now, &actor, "user.password", &format!("user:{username}"), &serde_json::json!({}))?;
        tx.commit()?;
        Ok(())
    }

    fn directory(&self, session: &Session) -> Result<HallDirectory, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadHall)?;
        query::directory(&conn)
    }

    fn configure_hall(&self, session: &Session, setup: &HallSetup) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ConfigureHall)?;
        let now = self.now();
        let tx = conn.transaction()?;
        query::configure_hall(&tx, setup)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "hall.configure",
            &format!("hall:{}", setup.hall.code),
            &serde_json::json!({
                "name": setup.hall.name,
                "departments": setup.departments.len(),
                "windows": setup.windows.len(),
                "cameras": setup.cameras.len(),
            }),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn import(&self, session: &Session, batch: &ImportBatch) -> Result<ImportReport, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Import)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let rules = self.rules();
        let report = import::apply(&tx, batch, &rules, now)?;
        if report.inserted + report.updated > 0 {
            tx.execute(
                "INSERT INTO import_log (at, actor, kind, source, records, inserted, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![ts(now), actor.username, batch.records.kind().as_str(), batch.source, report.records as i64, report.inserted as i64, report.updated as i64],
            )?;
            Self::append_audit(
                &tx,
                now,
                &actor,
                &format!("import.{}", batch.records.kind().as_str()),
                &batch.source,
                &serde_json::to_value(&report).unwrap_or_default(),
            )?;
            tx.commit()?;
        }
        // With nothing inserted or updated the transaction rolls back: importing the same file twice
        // changes nothing, not even the audit log.
        Ok(report)
    }

    fn cases(&self, session: &Session, q: &CaseQuery) -> Result<Vec<crate::domain::model::CaseSummary>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        query::cases(&conn, q)
    }

    fn case_events(
        &self,
        session: &Session,
        case_no: &str,
    ) -> Result<Vec<crate::domain::model::CaseEvent>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        query::case_events(&conn, case_no)
    }

    fn overview(&self, session: &Session) -> Result<Overview, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadHall)?;
        query::overview(&conn, self.now())
    }

    fn register_complaint(&self, session: &Session, complaint: &NewComplaint) -> Result<Complaint, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let id = accountability::insert_complaint(&tx, complaint, &actor.username)?;
        let no: String = tx.query_row("SELECT complaint_no FROM complaint WHERE id = ?1", [id], |r| r.get(0))?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "complaint.register",
            &format!("complaint:{no}"),
            &serde_json::json!({"channel": complaint.channel.as_str(), "case_no": complaint.case_no, "window": complaint.window_code}),
        )?;
        tx.commit()?;
        self.complaint(&conn, &actor, &no)
    }

    fn complaints(&self, session: &Session) -> Result<Vec<Complaint>, StoreError> {
        let conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ReadCases)?;
        let rules = self.rules();
        accountability::complaints(
            &conn,
            None,
            &rules.calendar,
            &rules.complaints,
            actor.role.allows(Permission::ReadComplainantContact),
        )
    }

    fn advance_complaint(
        &self,
        session: &Session,
        complaint_no: &str,
        step: &ComplaintStep,
    ) -> Result<Complaint, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let status = accountability::advance_complaint(&tx, complaint_no, step, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            &format!("complaint.{}", status.as_str()),
            &format!("complaint:{complaint_no}"),
            &serde_json::to_value(step).unwrap_or_default(),
        )?;
        tx.commit()?;
        self.complaint(&conn, &actor, complaint_no)
    }

    fn add_observation(&self, session: &Session, observation: &NewObservation) -> Result<Observation, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let stored = accountability::insert_observation(&tx, observation, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "observation.add",
            &format!("observation:{}", stored.id),
            &serde_json::json!({
                "category": stored.category, "window": stored.window_code, "staff_no": stored.staff_no,
                "observed_at": stored.observed_at, "evidence_id": stored.evidence_id, "source": stored.source,
            }),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn observations(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<Observation>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        accountability::observations(&conn, from, to)
    }

    fn issue_slips(&self, session: &Session, week: Week) -> Result<Vec<Slip>, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let rules = self.rules();
        let tx = conn.transaction()?;
        let issued = accountability::issue_slips(
            &tx,
            week,
            &rules.calendar,
            rules.settings.notice_due_working_days,
            &actor.username,
            now,
        )?;
        for id in &issued {
            let slip = accountability::slip(&tx, *id)?;
            Self::append_audit(
                &tx,
                now,
                &actor,
                "slip.issue",
                &format!("slip:{}", slip.number_text()),
                &serde_json::json!({
                    "department": slip.department_name, "week": week.to_string(),
                    "findings": slip.findings.iter().map(|f| f.id).collect::<Vec<_>>(),
                }),
            )?;
        }
        tx.commit()?;
        accountability::slips(&conn, Some(week))
    }

    fn slips(&self, session: &Session, week: Option<Week>) -> Result<Vec<Slip>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        accountability::slips(&conn, week)
    }

    fn cancel_slip(&self, session: &Session, slip_id: i64, reason: &str) -> Result<Slip, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        accountability::cancel_slip(&tx, slip_id, reason)?;
        let slip = accountability::slip(&tx, slip_id)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "slip.cancel",
            &format!("slip:{}", slip.number_text()),
            &serde_json::json!({"reason": reason}),
        )?;
        tx.commit()?;
        Ok(slip)
    }

    fn record_slip_receipt(&self, session: &Session, slip_id: i64, signed_by: &str) -> Result<Slip, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        accountability::record_receipt(&tx, slip_id, signed_by, now)?;
        let slip = accountability::slip(&tx, slip_id)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "slip.receipt",
            &format!("slip:{}", slip.number_text()),
            &serde_json::json!({"signed_by": signed_by}),
        )?;
        tx.commit()?;
        Ok(slip)
    }

    fn record_violation(&self, session: &Session, violation: &NewViolation) -> Result<Violation, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let id = accountability::insert_violation(&tx, violation, &actor.username, now)?;
        let stored = accountability::violation(&tx, id)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "violation.record",
            &format!("violation:{id}"),
            &serde_json::json!({
                "item": stored.item, "department": stored.department, "staff_no": stored.staff_no,
                "source": stored.source, "complaint_no": stored.complaint_no, "case_no": stored.case_no,
            }),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn violations(&self, session: &Session) -> Result<Vec<Violation>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        accountability::violations(&conn)
    }

    fn decide_violation(
        &self,
        session: &Session,
        violation_id: i64,
        measures: &[Measure],
        note: &str,
    ) -> Result<DecisionOutcome, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::DecideAccountability)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let flag = accountability::decide_violation(&tx, violation_id, measures, note, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "violation.decide",
            &format!("violation:{violation_id}"),
            &serde_json::json!({"measures": measures.iter().map(|m| m.as_str()).collect::<Vec<_>>(), "note": note}),
        )?;
        if let Some(id) = flag {
            Self::append_audit(
                &tx,
                now,
                &actor,
                "violation.flag_12_6",
                &format!("violation:{id}"),
                &serde_json::json!({"after": violation_id}),
            )?;
        }
        let outcome = DecisionOutcome {
            violation: accountability::violation(&tx, violation_id)?,
            flag: flag.map(|id| accountability::violation(&tx, id)).transpose()?,
        };
        tx.commit()?;
        Ok(outcome)
    }

    fn department_flags(&self, session: &Session) -> Result<Vec<DepartmentFlag>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        accountability::department_flags(&conn, self.now())
    }

    fn refresh_alerts(&self, session: &Session) -> Result<RefreshReport, StoreError> {
        let mut conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let (evaluated, outcome) = alerts::refresh_due(&tx, &self.rules(), now)?;
        tx.commit()?;
        Ok(RefreshReport { evaluated, changed: outcome.changed, new_red: outcome.new_red })
    }

    fn alerts(&self, session: &Session, q: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        match q.at {
            Some(at) => {
                let mut rows = alerts::at_instant(&conn, &self.rules(), at, q.include_inactive)?;
                if let Some(no) = &q.case_no {
                    rows.retain(|r| &r.case_no == no);
                }
                if q.limit > 0 {
                    rows.truncate(q.limit as usize);
                }
                Ok(rows)
            }
            None => alerts::list(&conn, q.include_inactive, q.case_no.as_deref(), q.limit),
        }
    }

    fn case_detail(&self, session: &Session, case_no: &str) -> Result<CaseDetail, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        alerts::case_detail(&conn, case_no, &self.rules(), self.now())
    }

    fn close_alert(&self, session: &Session, alert_id: i64, reason: &str) -> Result<AlertRow, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let row = alerts::close(&tx, alert_id, &actor.username, reason, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "alert.close",
            &format!("case:{}", row.case_no),
            &serde_json::json!({"alert_id": alert_id, "rule": row.rule.as_str(), "key": row.key, "reason": reason.trim()}),
        )?;
        tx.commit()?;
        Ok(row)
    }

    fn issue_notice(&self, session: &Session, notice: &NewNotice) -> Result<Notice, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let rules = self.rules();
        let tx = conn.transaction()?;
        let (issued, case_id) = alerts::issue_notice(&tx, notice.alert_id, &notice.text, &actor.username, &rules, now)?;
        alerts::refresh_case(&tx, case_id, &rules, now, false)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "notice.issue",
            &format!("case:{}", issued.case_no),
            &serde_json::json!({"notice_no": issued.notice_no, "alert_id": notice.alert_id, "due_date": issued.due_date, "department": issued.department}),
        )?;
        tx.commit()?;
        Ok(issued)
    }

    fn record_notice_reply(&self, session: &Session, notice_id: i64, reply: &str) -> Result<Notice, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let rules = self.rules();
        let tx = conn.transaction()?;
        let (notice, case_id) = alerts::record_reply(&tx, notice_id, reply, &actor.username, now)?;
        alerts::refresh_case(&tx, case_id, &rules, now, false)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "notice.reply",
            &format!("case:{}", notice.case_no),
            &serde_json::json!({"notice_no": notice.notice_no, "state": notice.state}),
        )?;
        tx.commit()?;
        Ok(notice)
    }

    fn notices(&self, session: &Session) -> Result<Vec<Notice>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        alerts::notices(&conn, None, self.now())
    }

    fn daily_check_data(&self, session: &Session, day: NaiveDate) -> Result<DailyCheckData, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        alerts::daily_data(&conn, day, self.now(), &self.rules())
    }

    fn record_daily_check(&self, session: &Session, check: &DailyCheck) -> Result<DailyCheck, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let record = DailyCheck { checked_at: from_ts(ts(now)), checked_by: actor.username.clone(), ..check.clone() };
        let tx = conn.transaction()?;
        alerts::insert_daily(&tx, &record)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "check.daily",
            &format!("day:{}", record.day),
            &serde_json::json!({
                "report": record.report_path, "sha256": record.report_sha256, "open_alerts": record.open_alerts,
                "new_alerts": record.new_alerts, "red": record.red, "orange": record.orange, "yellow": record.yellow,
            }),
        )?;
        tx.commit()?;
        Ok(record)
    }

    fn daily_checks(&self, session: &Session, limit: u32) -> Result<Vec<DailyCheck>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        alerts::daily_checks(&conn, limit)
    }

    fn attendance(&self, session: &Session, period_start: NaiveDate) -> Result<AttendancePeriod, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        people::period(&conn, &self.rules(), period_start)
    }

    fn attendance_trend(
        &self,
        session: &Session,
        last_period_start: NaiveDate,
        count: u32,
    ) -> Result<AttendanceTrend, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        people::trend(&conn, &self.rules(), last_period_start, count)
    }

    fn record_interview(&self, session: &Session, interview: &NewInterview) -> Result<Interview, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let recorded = people::insert_interview(&tx, &self.rules(), interview, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "attendance.interview",
            &format!("staff:{}", recorded.staff_no),
            &serde_json::json!({"period_start": recorded.period_start, "held_at": recorded.held_at, "participants": recorded.participants}),
        )?;
        tx.commit()?;
        Ok(recorded)
    }

    fn evaluator_check(
        &self,
        session: &Session,
        date: NaiveDate,
    ) -> Result<crate::domain::evaluator::EvaluatorCheck, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        people::evaluator_check(&conn, &self.rules(), date)
    }

    fn poor_ratings(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Vec<PoorRating>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        people::poor_ratings(&conn, &self.rules(), from, to)
    }

    fn record_follow_up(
        &self,
        session: &Session,
        key: &str,
        step: FollowUpStep,
        note: &str,
    ) -> Result<PoorRating, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let done = people::record_follow_up(&tx, &self.rules(), key, step, note, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            match step {
                FollowUpStep::ReturnVisit => "rating.return_visit",
                FollowUpStep::Rectification => "rating.rectification",
            },
            &format!("rating:{key}"),
            &serde_json::json!({"window": done.rating.window, "rating": done.rating.rating, "note": note.trim()}),
        )?;
        tx.commit()?;
        Ok(done)
    }

    fn satisfaction(&self, session: &Session, from: NaiveDate, to: NaiveDate) -> Result<Satisfaction, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        people::satisfaction(&conn, from, to)
    }

    fn add_segment(&self, session: &Session, segment: &NewSegment) -> Result<Segment, StoreError> {
        let mut conn = self.lock();
        self.actor(&conn, session, Permission::RecordFootage)?;
        let tx = conn.transaction()?;
        // Derived from the recorder's files like alert rows from events: not audited one by one.
        let stored = footage::insert_segment(&tx, segment, self.now())?;
        tx.commit()?;
        Ok(stored)
    }

    fn segments(&self, session: &Session, camera_id: i64, span: Span) -> Result<Vec<Segment>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadHall)?;
        footage::segments(&conn, camera_id, span)
    }

    fn segment_paths(&self, session: &Session) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::RecordFootage)?;
        footage::segment_paths(&conn)
    }

    fn expire_segments(&self, session: &Session) -> Result<Vec<Segment>, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::RecordFootage)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let gone = footage::expire_segments(&tx, &self.rules().footage, now)?;
        if !gone.is_empty() {
            let first = gone.iter().map(|s| s.span.from).min().unwrap_or_default();
            let last = gone.iter().map(|s| s.span.to).max().unwrap_or_default();
            let bytes: u64 = gone.iter().map(|s| s.bytes).sum();
            Self::append_audit(
                &tx,
                now,
                &actor,
                "footage.retention",
                "segments",
                &serde_json::json!({"segments": gone.len(), "bytes": bytes, "from_ms": first, "to_ms": last}),
            )?;
        }
        tx.commit()?;
        Ok(gone)
    }

    fn window_events(
        &self,
        session: &Session,
        window_code: &str,
        span: Span,
    ) -> Result<Vec<super::WindowEvent>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        footage::window_events(&conn, window_code, span)
    }

    fn recording_health(&self, session: &Session, span: Span) -> Result<RecordingHealth, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadHall)?;
        footage::recording_health(&conn, span)
    }

    fn request_footage(&self, session: &Session, request: &NewFootageRequest) -> Result<FootageRequest, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let stored = footage::insert_request(&tx, request, &actor.username, &self.rules().footage, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "footage.request",
            &format!("footage_request:{}", stored.request_no),
            &serde_json::json!({
                "kind": stored.kind, "cameras": stored.cameras, "from_ms": stored.span.from, "to_ms": stored.span.to,
                "purpose": stored.purpose, "second_person": stored.second_person,
                "case_no": stored.case_no, "complaint_no": stored.complaint_no,
            }),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn footage_requests(&self, session: &Session, filter: RequestFilter) -> Result<Vec<FootageRequest>, StoreError> {
        let conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ReadHall)?;
        let filter =
            if actor.role.allows(Permission::ReadFootageRegister) || actor.role.allows(Permission::ApproveFootage) {
                filter
            } else {
                RequestFilter::Mine
            };
        footage::requests(&conn, filter, &actor.username)
    }

    fn decide_footage(
        &self,
        session: &Session,
        request_id: i64,
        approve: bool,
        note: &str,
    ) -> Result<FootageRequest, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ReadHall)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let decided = footage::decide(&tx, request_id, approve, note, &actor, &self.rules().footage, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            if approve { "footage.approve" } else { "footage.refuse" },
            &format!("footage_request:{}", decided.request_no),
            &serde_json::json!({"requester": decided.requester, "note": decided.decision_note, "expires_at": decided.expires_at}),
        )?;
        tx.commit()?;
        Ok(decided)
    }

    fn cancel_footage_request(&self, session: &Session, request_id: i64) -> Result<FootageRequest, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let cancelled = footage::cancel(&tx, request_id, &actor.username)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "footage.cancel",
            &format!("footage_request:{}", cancelled.request_no),
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        Ok(cancelled)
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
        let mut conn = self.lock();
        let permission = match use_ {
            Use::View => Permission::Supervise,
            Use::Export => Permission::Supervise,
        };
        let actor = self.actor(&conn, session, permission)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let (access_id, request) =
            footage::open(&tx, request_id, camera_id, span, use_, destination, &actor.username, now)?;
        let segments = footage::segments(&tx, camera_id, span)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            match use_ {
                Use::View => "footage.view",
                Use::Export => "footage.export",
            },
            &format!("footage_request:{}", request.request_no),
            &serde_json::json!({
                "camera_id": camera_id, "from_ms": span.from, "to_ms": span.to, "destination": destination,
                "register_id": access_id, "segments": segments.len(),
            }),
        )?;
        tx.commit()?;
        Ok(FootageGrant { access_id, request, camera_id, span, segments })
    }

    fn footage_segment(&self, session: &Session, access_id: i64, segment_id: i64) -> Result<Segment, StoreError> {
        let conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        footage::granted_segment(&conn, access_id, segment_id, &actor.username, self.now())
    }

    fn finish_export(
        &self,
        session: &Session,
        access_id: i64,
        outcome: &ExportOutcome,
    ) -> Result<FootageAccess, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let line = footage::finish_export(&tx, access_id, outcome, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "footage.export_finished",
            &format!("footage_request:{}", line.request_no),
            &serde_json::json!({"register_id": access_id, "outcome": outcome, "destination": line.destination}),
        )?;
        tx.commit()?;
        Ok(line)
    }

    fn footage_register(&self, session: &Session, limit: u32) -> Result<Vec<FootageAccess>, StoreError> {
        let conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ReadHall)?;
        let everyone = actor.role.allows(Permission::ReadFootageRegister);
        footage::register(&conn, (!everyone).then_some(actor.username.as_str()), limit.clamp(1, 10_000))
    }

    fn place_hold(&self, session: &Session, camera_id: i64, span: Span, reason: &str) -> Result<LegalHold, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let hold = footage::place_hold(&tx, camera_id, span, reason, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "footage.hold",
            &format!("legal_hold:{}", hold.id),
            &serde_json::json!({"camera_id": camera_id, "from_ms": span.from, "to_ms": span.to, "reason": hold.reason}),
        )?;
        tx.commit()?;
        Ok(hold)
    }

    fn lift_hold(&self, session: &Session, hold_id: i64, reason: &str) -> Result<LegalHold, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::ApproveFootage)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let hold = footage::lift_hold(&tx, hold_id, reason, &actor.username, now)?;
        Self::append_audit(
            &tx,
            now,
            &actor,
            "footage.lift_hold",
            &format!("legal_hold:{hold_id}"),
            &serde_json::json!({"reason": reason.trim()}),
        )?;
        tx.commit()?;
        Ok(hold)
    }

    fn holds(&self, session: &Session) -> Result<Vec<LegalHold>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadHall)?;
        footage::holds(&conn)
    }

    fn record_evidence(&self, session: &Session, evidence: &NewEvidence) -> Result<Evidence, StoreError> {
        let mut conn = self.lock();
        let actor = self.actor(&conn, session, Permission::Supervise)?;
        let now = self.now();
        let tx = conn.transaction()?;
        let stored = query::insert_evidence(&tx, evidence, &actor.username)?;
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
            accountability::insert_observation(&tx, &observation, &actor.username, now)?;
        }
        Self::append_audit(
            &tx,
            now,
            &actor,
            if evidence.for_discipline { "evidence.discipline" } else { "evidence.snapshot" },
            &format!("camera:{}", stored.camera_name),
            &serde_json::json!({
                "path": evidence.path, "sha256": evidence.sha256, "taken_at": evidence.taken_at,
                "window": evidence.window_code, "staff_no": evidence.staff_no, "category": evidence.category,
            }),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn evidence(&self, session: &Session, limit: u32) -> Result<Vec<Evidence>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadCases)?;
        query::evidence(&conn, limit)
    }

    fn audit_log(&self, session: &Session, q: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::ReadAudit)?;
        query::audit_log(&conn, q)
    }

    fn verify_audit(&self, session: &Session) -> Result<AuditVerification, StoreError> {
        let conn = self.lock();
        self.actor(&conn, session, Permission::VerifyAudit)?;
        let head: Option<(i64, String)> = conn
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, role, action, target, detail, prev_hash, hash, workstation FROM audit_log ORDER BY rowid",
        )?;
        let records = stmt.query_map([], query::audit_row)?.collect::<Result<Vec<_>, _>>()?;
        let head = head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())).or(Some((0, "")));
        match audit::verify_chain(&records, head) {
            Ok(count) => Ok(AuditVerification { records: count, first_bad: None }),
            Err(br) => Ok(AuditVerification { records: records.len() as i64, first_bad: Some(br) }),
        }
    }
}
