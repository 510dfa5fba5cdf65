//! Backups of the database while the server, the recorder or a console writes to it, and restoring one.
//!
//! `backup` copies with SQLite's online backup API in one step: the copy is the database as of one
//! read snapshot (in WAL mode writers go on meanwhile), never a file copy that could catch half a write.
//! Beside the copy goes a manifest (`FILE.manifest.json`): the copy's SHA-256 and size, its schema
//! version, its audit head and counts. `restore` checks the manifest, the copy's SHA-256, its schema
//! version and its whole audit chain before it replaces anything, refuses a database that something
//! still has open, and keeps the database it replaces beside the new one.
//!
//! The backup holds the database only: the camera-password key (`camera.key`), the footage directory and
//! the settings files are backed up apart (README, operations), so that a copy of the database that
//! travels does not carry the key to the passwords sealed in it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use serde::{Deserialize, Serialize};

use super::{DB_FILE, migrate};

/// The manifest beside a backup: `FILE` + this.
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
/// The manifest's `format`.
pub const FORMAT: &str = "jiancha-backup-1";

/// What a backup holds, written beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    /// The program that made it (`jiancha --version`).
    pub made_by: String,
    pub made_at: DateTime<Utc>,
    /// The database it was made from.
    pub source: String,
    pub schema_version: i64,
    /// The newest audit record (sequence number and hash) and the number of records.
    pub audit_seq: i64,
    pub audit_head: String,
    pub audit_records: i64,
    /// Whether the audit chain verified when the copy was made.
    pub audit_intact: bool,
    pub cases: i64,
    pub bytes: u64,
    pub sha256: String,
    /// The newest audit record's MAC (the keyed chain's head; none before version 17).
    #[serde(default)]
    pub audit_mac: Option<String>,
    /// HMAC-SHA256 under the hall's audit key of the copy's SHA-256, size, schema and audit head.
    #[serde(default)]
    pub mac: Option<String>,
}

/// What a restore put in place and what it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub manifest: Manifest,
    pub database: PathBuf,
    /// The database that was there before, kept under this name, and what it held.
    pub replaced: Option<(PathBuf, Summary)>,
}

/// The figures of a database that say which one it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub schema_version: i64,
    pub audit_seq: i64,
    pub audit_records: i64,
    pub cases: i64,
    pub newest_audit_at: Option<DateTime<Utc>>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "schema {}, {} cases, {} audit records (head #{})",
            self.schema_version, self.cases, self.audit_records, self.audit_seq
        )?;
        if let Some(at) = self.newest_audit_at {
            write!(f, ", newest audit record {}", crate::domain::time::format_local(at))?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Sqlite { path: PathBuf, message: String },
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_owned(), source }
}

fn sql(path: &Path) -> impl FnOnce(rusqlite::Error) -> BackupError + '_ {
    move |e| BackupError::Sqlite { path: path.to_owned(), message: e.to_string() }
}

/// The manifest's path for a backup file.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(MANIFEST_SUFFIX);
    PathBuf::from(name)
}

/// Copies the database at `db` to `out` (which must not exist) while others may write to it, and writes
/// the manifest beside it. Nothing is left at `out` unless the whole copy and its manifest are written.
pub fn backup(db: &Path, out: &Path, now: DateTime<Utc>, made_by: &str) -> Result<Manifest, BackupError> {
    if !db.exists() {
        return Err(BackupError::Refused(format!("{}: no database to back up", db.display())));
    }
    let manifest_file = manifest_path(out);
    for path in [out, manifest_file.as_path()] {
        if path.exists() {
            // The database itself among them: it exists.
            return Err(BackupError::Refused(format!("{}: already exists; choose another name", path.display())));
        }
    }
    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(sql(db))?;
    source.busy_timeout(Duration::from_secs(10)).map_err(sql(db))?;
    let version =
        migrate::version(&source).map_err(|e| BackupError::Sqlite { path: db.to_owned(), message: e.to_string() })?;
    if version < 1 {
        return Err(BackupError::Refused(format!("{}: not a Jiancha database", db.display())));
    }
    if version > migrate::LATEST_VERSION {
        return Err(BackupError::Refused(format!(
            "{}: schema version {version} is newer than this program ({}); back it up with the newer jiancha",
            db.display(),
            migrate::LATEST_VERSION
        )));
    }
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let key = audit_key_beside(db);
    let copied = copy_online(&source, &partial).and_then(|()| {
        let copy = Connection::open(&partial).map_err(sql(&partial))?;
        // A single self-contained file: no write-ahead log beside it.
        copy.execute_batch("PRAGMA journal_mode = DELETE;").map_err(sql(&partial))?;
        let summary = summarize(&copy, &partial)?;
        let intact = verify_chain(&copy, &partial, key.as_ref())?.is_none();
        let head = audit_head(&copy, &partial)?;
        let audit_mac = super::audit::anchor(&copy)
            .map_err(|e| BackupError::Sqlite { path: partial.clone(), message: e.to_string() })?
            .map(|(_, mac)| mac);
        drop(copy);
        let bytes = std::fs::metadata(&partial).map_err(io(&partial))?.len();
        let sha256 = crate::files::sha256_file(&partial).map_err(io(&partial))?;
        Ok(Manifest {
            format: FORMAT.into(),
            made_by: made_by.into(),
            made_at: now,
            source: db.display().to_string(),
            schema_version: summary.schema_version,
            audit_seq: summary.audit_seq,
            audit_head: head,
            audit_records: summary.audit_records,
            audit_intact: intact,
            cases: summary.cases,
            bytes,
            sha256,
            audit_mac,
            mac: None,
        })
    });
    let manifest = match copied {
        Ok(mut m) => {
            m.mac = key.as_ref().map(|k| manifest_mac(k, &m));
            m
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Refused(e.to_string()))?;
    let written = crate::files::write_atomically(&manifest_file, &text)
        .map_err(io(&manifest_file))
        .and_then(|_| std::fs::rename(&partial, out).map_err(io(out)));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(&manifest_file);
        return Err(e);
    }
    Ok(manifest)
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The online backup in one step: all pages as of one read snapshot of the source.
fn copy_online(source: &Connection, to: &Path) -> Result<(), BackupError> {
    // The copy is as private as the database (0600), from its first byte.
    crate::files::private_file(to, true).map_err(io(to))?;
    let mut dest = Connection::open(to).map_err(sql(to))?;
    let backup = rusqlite::backup::Backup::new(source, &mut dest).map_err(sql(to))?;
    // All pages in one step (-1): one read snapshot, however busy the writers are. A step that finds the
    // source locked is tried again for up to a minute.
    for _ in 0..1200 {
        match backup.step(-1).map_err(sql(to))? {
            rusqlite::backup::StepResult::Done => return Ok(()),
            // A real lock held by another process: waited for on the real clock.
            _ => crate::clock::real_sleep(Duration::from_millis(50)),
        }
    }
    Err(BackupError::Refused(format!("{}: the database stayed locked for a minute; try again", to.display())))
}

fn summarize(conn: &Connection, path: &Path) -> Result<Summary, BackupError> {
    let schema_version =
        migrate::version(conn).map_err(|e| BackupError::Sqlite { path: path.to_owned(), message: e.to_string() })?;
    let audit_seq: i64 = conn
        .query_row("SELECT seq FROM audit_head WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(sql(path))?
        .unwrap_or(0);
    let audit_records: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).map_err(sql(path))?;
    let newest: Option<i64> = conn.query_row("SELECT max(at) FROM audit_log", [], |r| r.get(0)).map_err(sql(path))?;
    let cases: i64 = conn.query_row("SELECT count(*) FROM case_file", [], |r| r.get(0)).map_err(sql(path))?;
    Ok(Summary {
        schema_version,
        audit_seq,
        audit_records,
        cases,
        newest_audit_at: newest.and_then(DateTime::from_timestamp_micros),
    })
}

fn audit_head(conn: &Connection, path: &Path) -> Result<String, BackupError> {
    Ok(conn
        .query_row("SELECT hash FROM audit_head WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(sql(path))?
        .unwrap_or_default())
}

/// The audit key kept beside the database `db` (`None` when there is none).
fn audit_key_beside(db: &Path) -> Option<[u8; 32]> {
    super::secrets::CameraKey::beside_named(Some(db), super::secrets::AUDIT_KEY_FILE).bytes(false).ok()
}

/// What the manifest's `mac` covers: the copy's SHA-256 and size and its audit head, under the audit
/// key — a copy edited and its manifest recomputed without the key is refused.
fn manifest_mac(key: &[u8; 32], m: &Manifest) -> String {
    let message = format!(
        "jiancha backup v1|{}|{}|{}|{}|{}",
        m.sha256,
        m.bytes,
        m.schema_version,
        m.audit_seq,
        m.audit_mac.as_deref().unwrap_or("")
    );
    crate::domain::audit::hmac_sha256(key, message.as_bytes())
}

/// The first break in the audit chain (with `key`, its MACs too), if any.
fn verify_chain(conn: &Connection, path: &Path, key: Option<&[u8; 32]>) -> Result<Option<String>, BackupError> {
    let verification = super::audit::verify_conn(conn, key)
        .map_err(|e| BackupError::Sqlite { path: path.to_owned(), message: e.to_string() })?;
    Ok(verification.first_bad.map(|b| format!("record #{}: {}", b.seq, b.reason)))
}

/// Reads and checks the manifest of a backup file; the error names the file and the field.
pub fn read_manifest(file: &Path) -> Result<Manifest, BackupError> {
    let path = manifest_path(file);
    let text = std::fs::read_to_string(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => BackupError::Refused(format!(
            "{}: missing: a backup is restored with the manifest `jiancha backup` wrote beside it",
            path.display()
        )),
        _ => BackupError::Io { path: path.clone(), source },
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| BackupError::Refused(format!("{}: line {}: {e}", path.display(), e.line())))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "{}: format: {:?} is not {FORMAT:?}",
            path.display(),
            manifest.format
        )));
    }
    // What a restore prints of it is plain text: no terminal escapes, nothing a screen could hide.
    for (field, text) in [
        ("made_by", &manifest.made_by),
        ("source", &manifest.source),
        ("audit_head", &manifest.audit_head),
        ("sha256", &manifest.sha256),
    ] {
        if text.chars().count() > 1000 || text.chars().any(|c| c.is_control()) {
            return Err(BackupError::Refused(format!(
                "{}: {field}: holds control characters or is over 1000 characters: not a manifest `jiancha backup` wrote",
                path.display()
            )));
        }
    }
    Ok(manifest)
}

/// Restores the backup `file` as the database of `data_dir`. An existing database is replaced only with
/// `replace`, only when nothing has it open, and is kept as `jiancha.db.replaced-TIME`.
pub fn restore(file: &Path, data_dir: &Path, replace: bool, now: DateTime<Utc>) -> Result<Restored, BackupError> {
    let manifest = read_manifest(file)?;
    let bytes = std::fs::metadata(file).map_err(io(file))?.len();
    let sha256 = crate::files::sha256_file(file).map_err(io(file))?;
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        return Err(BackupError::Refused(format!(
            "{}: its SHA-256 {sha256} ({bytes} bytes) is not the manifest's {} ({} bytes): the copy was changed or \
             is incomplete",
            file.display(),
            manifest.sha256,
            manifest.bytes
        )));
    }
    if manifest.schema_version > migrate::LATEST_VERSION {
        return Err(BackupError::Refused(format!(
            "{}: schema version {} is newer than this program ({}); restore it with the newer jiancha",
            file.display(),
            manifest.schema_version,
            migrate::LATEST_VERSION
        )));
    }
    crate::files::private_dirs(data_dir).map_err(io(data_dir))?;
    let database = data_dir.join(DB_FILE);
    // The hall's audit key must be there first (a backup never holds it): the copy is checked with it.
    let Some(key) = audit_key_beside(&database) else {
        return Err(BackupError::Refused(format!(
            "{}: no audit key: put the hall's {} (kept apart from the backups, with camera.key) into {} first",
            file.display(),
            super::secrets::AUDIT_KEY_FILE,
            data_dir.display()
        )));
    };
    if manifest.schema_version >= migrate::KEYED_AUDIT_VERSION
        && manifest.mac.as_deref() != Some(&manifest_mac(&key, &manifest))
    {
        return Err(BackupError::Refused(format!(
            "{}: its manifest's MAC does not match under this hall's audit key: the copy or its manifest was \
             changed, or it is another hall's",
            file.display()
        )));
    }
    let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
    let _ = std::fs::remove_file(&incoming);
    let checked = (|| {
        std::fs::copy(file, &incoming).map_err(io(&incoming))?;
        crate::files::make_private(&incoming).map_err(io(&incoming))?;
        let mut conn = Connection::open(&incoming).map_err(sql(&incoming))?;
        if migrate::version(&conn)
            .map_err(|e| BackupError::Sqlite { path: incoming.clone(), message: e.to_string() })?
            != manifest.schema_version
        {
            return Err(BackupError::Refused(format!("{}: schema version differs from its manifest", file.display())));
        }
        let keyed = manifest.schema_version >= migrate::KEYED_AUDIT_VERSION;
        if let Some(bad) = verify_chain(&conn, file, keyed.then_some(&key))? {
            return Err(BackupError::Refused(format!(
                "{}: the audit chain does not verify ({bad}); the copy is not restored",
                file.display()
            )));
        }
        let summary = summarize(&conn, &incoming)?;
        if summary.audit_seq != manifest.audit_seq || audit_head(&conn, &incoming)? != manifest.audit_head {
            return Err(BackupError::Refused(format!("{}: the audit head differs from its manifest", file.display())));
        }
        // Brought to this program's schema now, so the first start has nothing left to do; an older
        // copy's chain is keyed with this hall's key as it is.
        migrate::migrate(&mut conn)
            .map_err(|e| BackupError::Sqlite { path: incoming.clone(), message: e.to_string() })?;
        if !keyed {
            super::audit::key_the_chain(&mut conn, &key)
                .map_err(|e| BackupError::Sqlite { path: incoming.clone(), message: e.to_string() })?;
        }
        // Then it must be exactly the schema this program makes: a trigger dropped (a frozen
        // publication made editable), or a trigger, view or table planted (every login an
        // administrator) is refused.
        if let Some(difference) = schema_difference(&conn)
            .map_err(|e| BackupError::Sqlite { path: incoming.clone(), message: e.to_string() })?
        {
            return Err(BackupError::Refused(format!(
                "{}: its schema is not this program's ({difference}); the copy is not restored",
                file.display()
            )));
        }
        Ok(())
    })();
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&incoming);
        return Err(e);
    }
    let replaced = if database.exists() {
        let kept = match set_aside(&database, replace, now) {
            Ok(kept) => kept,
            Err(e) => {
                let _ = std::fs::remove_file(&incoming);
                return Err(e);
            }
        };
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&incoming, &database).map_err(io(&database))?;
    Ok(Restored { manifest, database, replaced })
}

/// How the schema of `conn` differs from the one this program makes (its first difference), if at all.
pub fn schema_difference(conn: &Connection) -> Result<Option<String>, super::SqliteError> {
    let mut fresh = Connection::open_in_memory()?;
    migrate::migrate(&mut fresh)?;
    let (theirs, ours) = (migrate::describe_schema(conn)?, migrate::describe_schema(&fresh)?);
    let shown = |line: &str| line.chars().take(160).collect::<String>();
    if let Some(extra) = theirs.iter().find(|l| !ours.contains(l)) {
        return Ok(Some(format!("not ours: {}", shown(extra))));
    }
    if let Some(missing) = ours.iter().find(|l| !theirs.contains(l)) {
        return Ok(Some(format!("missing: {}", shown(missing))));
    }
    Ok(None)
}

/// Moves the current database aside after checking that nothing has it open; says what it held.
fn set_aside(database: &Path, replace: bool, now: DateTime<Utc>) -> Result<(PathBuf, Summary), BackupError> {
    let conn = Connection::open(database).map_err(sql(database))?;
    let summary = summarize(&conn, database)?;
    if !replace {
        return Err(BackupError::Refused(format!(
            "{} holds a database ({summary}); give --replace to replace it (it is kept beside the new one)",
            database.display()
        )));
    }
    // In WAL mode an exclusive lock is refused while any other connection has the database open.
    conn.busy_timeout(Duration::ZERO).map_err(sql(database))?;
    let in_use = conn
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .and_then(|()| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0)));
    match in_use {
        Ok(0) => {}
        _ => {
            return Err(BackupError::Refused(format!(
                "{} is in use (the server, the recorder or a console has it open): stop them first",
                database.display()
            )));
        }
    }
    conn.execute_batch("PRAGMA journal_mode = DELETE;").map_err(sql(database))?;
    drop(conn);
    let kept = database.with_file_name(format!("{DB_FILE}.replaced-{}", now.format("%Y%m%dT%H%M%SZ")));
    std::fs::rename(database, &kept).map_err(io(&kept))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok((kept, summary))
}
