//! The backend the store-level tests run on, one suite for both: SQLite by default; PostgreSQL when
//! `JIANCHA_TEST_POSTGRES` names a server's superuser (`postgres://postgres@127.0.0.1:PORT`, password in
//! `PGPASSWORD`), as `packaging/test.sh` sets it after starting a throw-away cluster. Each store opened
//! here on PostgreSQL is a new database, filled from the test's SQLite data directory with
//! `jiancha migrate`'s own copy, its keys in that directory — so a test that prepared a hall in SQLite
//! (a demo hall, an `init`) runs the same calls on PostgreSQL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use jiancha::clock::Clock;
use jiancha::store::SqlStore;
use jiancha::store::pg::Database;

/// The variable naming the server; unset: SQLite.
pub const VAR: &str = "JIANCHA_TEST_POSTGRES";

/// The PostgreSQL server the tests use, if any.
pub fn postgres() -> Option<String> {
    std::env::var(VAR).ok().filter(|v| !v.trim().is_empty())
}

/// The store of data directory `dir` (made when missing) on the backend under test.
pub fn open_dir(dir: &Path, clock: Arc<dyn Clock>) -> SqlStore {
    let store = SqlStore::open_dir(dir, clock.clone()).unwrap();
    match postgres() {
        None => store,
        Some(server) => {
            drop(store);
            on_postgres(&server, dir, clock)
        }
    }
}

/// Another store on the database of `dir`'s store under test (another server on it, or the same
/// server started again): the same file on SQLite, the same database on PostgreSQL.
#[allow(dead_code, reason = "not every test binary opens a store twice")]
pub fn reopen(dir: &Path, clock: Arc<dyn Clock>) -> SqlStore {
    let url = DATABASES.lock().unwrap().get(dir).cloned();
    match url {
        None => SqlStore::open_dir(dir, clock).unwrap(),
        Some(url) => {
            let db = Database::from_url(&url, &|k| std::env::var(k).ok()).unwrap();
            SqlStore::open_postgres(db, dir, clock).unwrap()
        }
    }
}

/// The PostgreSQL database made for each data directory's store (the newest).
static DATABASES: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// Runs `sql` on the database of `dir`'s store under test, behind the store's back (as the database's
/// owner would): what the schema itself refuses is refused on both backends.
pub fn execute(dir: &Path, sql: &str) -> Result<usize, String> {
    let url = DATABASES.lock().unwrap().get(dir).cloned();
    match url {
        None => {
            let conn = rusqlite::Connection::open(dir.join(jiancha::store::sqlite::DB_FILE)).unwrap();
            conn.execute(sql, []).map_err(|e| e.to_string())
        }
        Some(url) => {
            let db = Database::from_url(&url, &|k| std::env::var(k).ok()).unwrap();
            let changed = db
                .connect()
                .unwrap()
                .execute(sql, &[])
                .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned()))?;
            Ok(usize::try_from(changed).unwrap())
        }
    }
}

/// Runs `sql` on the database of `dir`'s store with the audit log's append-only triggers out of the
/// way, as someone with the database owner's rights (or the disk) could.
#[allow(dead_code, reason = "not every test binary tampers")]
pub fn tamper(dir: &Path, sql: &str) {
    let url = DATABASES.lock().unwrap().get(dir).cloned();
    match url {
        None => {
            let conn = rusqlite::Connection::open(dir.join(jiancha::store::sqlite::DB_FILE)).unwrap();
            conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
            conn.execute_batch(sql).unwrap();
        }
        Some(url) => {
            let db = Database::from_url(&url, &|k| std::env::var(k).ok()).unwrap();
            db.connect()
                .unwrap()
                .batch_execute(&format!(
                    "ALTER TABLE audit_log DISABLE TRIGGER USER; {sql}; ALTER TABLE audit_log ENABLE TRIGGER USER;"
                ))
                .unwrap();
        }
    }
}

/// The text in the first column of the first row `sql` gives on the database of `dir`'s store.
#[allow(dead_code, reason = "not every test binary reads behind the store")]
pub fn query_text(dir: &Path, sql: &str) -> String {
    let url = DATABASES.lock().unwrap().get(dir).cloned();
    match url {
        None => {
            let conn = rusqlite::Connection::open(dir.join(jiancha::store::sqlite::DB_FILE)).unwrap();
            conn.query_row(sql, [], |r| r.get(0)).unwrap()
        }
        Some(url) => {
            let db = Database::from_url(&url, &|k| std::env::var(k).ok()).unwrap();
            db.connect().unwrap().query_one(sql, &[]).unwrap().get(0)
        }
    }
}

/// Every row of `dir`'s store as text (PostgreSQL: each table's rows; SQLite: the file and its
/// write-ahead log as they lie on the disk), to look for what must never be stored in clear.
#[allow(dead_code, reason = "not every test binary looks for secrets")]
pub fn contents(dir: &Path) -> Vec<u8> {
    let url = DATABASES.lock().unwrap().get(dir).cloned();
    match url {
        None => {
            let db = dir.join(jiancha::store::sqlite::DB_FILE);
            let mut bytes = std::fs::read(&db).unwrap();
            if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
                bytes.extend(wal);
            }
            bytes
        }
        Some(url) => {
            let db = Database::from_url(&url, &|k| std::env::var(k).ok()).unwrap();
            let mut conn = db.connect().unwrap();
            let tables: Vec<String> = conn
                .query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let mut text = String::new();
            for table in tables {
                for row in conn.query(&format!("SELECT t::text FROM \"{table}\" t"), &[]).unwrap() {
                    text.push_str(row.get::<_, &str>(0));
                    text.push('\n');
                }
            }
            text.into_bytes()
        }
    }
}

/// A fresh database on `server` holding a copy of `dir`'s SQLite hall, and its store.
fn on_postgres(server: &str, dir: &Path, clock: Arc<dyn Clock>) -> SqlStore {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let env = |k: &str| std::env::var(k).ok();
    let admin = Database::from_url(&format!("{}/postgres", server.trim_end_matches('/')), &env).unwrap();
    admin.connect().unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let db = Database::from_url(&format!("{}/{name}", server.trim_end_matches('/')), &env).unwrap();
    let sqlite = rusqlite::Connection::open(dir.join(jiancha::store::sqlite::DB_FILE)).unwrap();
    jiancha::store::pg::copy::copy_hall(&sqlite, &db).unwrap();
    DATABASES.lock().unwrap().insert(dir.to_owned(), format!("{}/{name}", server.trim_end_matches('/')));
    SqlStore::open_postgres(db, dir, clock).unwrap()
}
