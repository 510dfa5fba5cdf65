//! The store's calls on PostgreSQL: a pool of sessions (`r2d2`), each read in one repeatable-read,
//! read-only snapshot, each write in one transaction that first locks the audit chain's head row — so
//! that writers, from however many servers, run one after another as they do on SQLite's one
//! connection, and each sees everything committed before it (read committed, after the lock).

use std::sync::Arc;

use postgres::fallible_iterator::FallibleIterator as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::store::StoreError;
use crate::store::sql::{Backend, Connection, PgSession, Transaction};

use super::{Database, PgError, migrate};

/// At most this many sessions per server (the database's `max_connections` is shared by every server).
const POOL_SIZE: u32 = 16;

/// How long a call waits for a free session before it fails.
const POOL_WAIT: Duration = Duration::from_secs(10);

struct Manager(Database);

impl r2d2::ManageConnection for Manager {
    type Connection = PgSession;
    type Error = PgError;

    fn connect(&self) -> Result<PgSession, PgError> {
        let client = self.0.connect()?;
        Ok(PgSession::new(client))
    }

    fn is_valid(&self, conn: &mut PgSession) -> Result<(), PgError> {
        conn.batch("").map_err(|e| PgError::Database(e.to_string()))
    }

    fn has_broken(&self, conn: &mut PgSession) -> bool {
        conn.is_closed()
    }
}

/// The channel every server of one database announces its committed changes on.
const CHANNEL: &str = "jiancha_changes";

pub(crate) struct Pg {
    /// Always `Some` but while dropping.
    pool: Option<r2d2::Pool<Manager>>,
    describe: String,
    /// This server among those of the database (its own announcements are not news to it).
    id: String,
    db: Database,
    /// Tells the listening thread to stop (when the backend is dropped).
    stop: Arc<AtomicBool>,
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The synchronous client closes its connection on a runtime of its own, which cannot start on a
        // thread that runs one (the server's): the sessions are closed on a thread of their own.
        if let Some(pool) = self.pool.take() {
            let closing = std::thread::Builder::new().name("jiancha-pg-close".into()).spawn(move || drop(pool));
            if let Ok(thread) = closing {
                let _ = thread.join();
            }
        }
    }
}

impl Pg {
    /// Connects, and creates or upgrades the schema (once, even with several servers starting); the
    /// version found (0: the database was empty).
    pub fn open(db: Database) -> Result<(Pg, i64), PgError> {
        let found = migrate::migrate(&mut db.connect()?)?;
        let describe = format!("PostgreSQL {}", db.describe());
        let id = format!("{:016x}", rand::random::<u64>());
        let listen = db.clone();
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            // No extra round trip before every call: a closed session is found by its first statement
            // (`in_transaction` then takes another).
            .test_on_check_out(false)
            .connection_timeout(POOL_WAIT)
            .build(Manager(db))
            .map_err(|e| PgError::Database(e.to_string()))?;
        Ok((Pg { pool: Some(pool), describe, id, db: listen, stop: Arc::new(AtomicBool::new(false)) }, found))
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    fn session(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        let pool = self.pool.as_ref().ok_or_else(|| StoreError::Backend("PostgreSQL: closed".into()))?;
        pool.get().map_err(|e| StoreError::Backend(format!("PostgreSQL: {e}")))
    }

    /// Runs `f` between `begin` and COMMIT (ROLLBACK when it fails, and when it panics).
    fn in_transaction(
        &self,
        begin: &str,
        f: &mut dyn FnMut(&PgSession) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut session = self.session()?;
        if let Err(e) = session.batch(begin) {
            // A session the server closed while it was idle (a restart, a dropped connection) shows at
            // its first statement: it leaves the pool, and the call goes on a new one.
            if !session.is_closed() {
                return Err(e.into());
            }
            drop(session);
            session = self.session()?;
            session.batch(begin)?;
        }
        let open = Open(&session);
        f(open.0)?;
        std::mem::forget(open);
        session.batch("COMMIT")?;
        Ok(())
    }
}

/// A transaction still open: rolled back when dropped (an error or a panic in the call).
struct Open<'a>(&'a PgSession);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.batch("ROLLBACK") {
            tracing::warn!("PostgreSQL: the rollback failed ({e}); the session is dropped");
        }
    }
}

impl Backend for Pg {
    fn run_read(&self, f: &mut dyn FnMut(&Connection) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.in_transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &mut |s| f(s))
    }

    fn run_write(&self, f: &mut dyn FnMut(&Transaction) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.in_transaction("BEGIN", &mut |s| {
            // The writers' queue: every write holds the head row until it commits.
            s.batch("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")?;
            f(s)
        })
    }

    fn changed(&self) {
        let announced = self.session().and_then(|s| Ok(s.batch(&format!("NOTIFY {CHANNEL}, '{}'", self.id))?));
        if let Err(e) = announced {
            tracing::warn!("PostgreSQL: the change was not announced to the other servers: {e}");
        }
    }

    fn follow_changes(&self, on_change: Arc<dyn Fn() + Send + Sync>) {
        let (db, id, stop) = (self.db.clone(), self.id.clone(), self.stop.clone());
        let spawned = std::thread::Builder::new()
            .name("jiancha-pg-listen".into())
            .spawn(move || listen(&db, &id, &stop, &*on_change));
        if let Err(e) = spawned {
            tracing::warn!("PostgreSQL: cannot follow the other servers' changes: {e}");
        }
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        let session = self.session()?;
        let conn: &Connection = &*session;
        Ok(conn.query_row("SELECT version FROM jiancha_schema WHERE id = 1", [], |r| r.get(0))?)
    }
}

/// Follows the other servers' announcements until `stop`: LISTEN on a session of its own (made again,
/// after a pause, when it is lost), `on_change` for each announcement that is not `own`.
fn listen(db: &Database, own: &str, stop: &AtomicBool, on_change: &(dyn Fn() + Send + Sync)) {
    let mut again = false;
    while !stop.load(Ordering::Relaxed) {
        let followed = (|| -> Result<(), PgError> {
            let mut client = db.connect()?;
            client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            // Listening again: the changes made while no session listened are not known, one wake-up
            // covers them.
            if std::mem::replace(&mut again, true) {
                on_change();
            }
            while !stop.load(Ordering::Relaxed) {
                {
                    let mut notifications = client.notifications();
                    let mut iter = notifications.timeout_iter(Duration::from_millis(500));
                    while let Some(n) = iter.next()? {
                        if n.payload() != own {
                            on_change();
                        }
                        if stop.load(Ordering::Relaxed) {
                            return Ok(());
                        }
                    }
                }
                if client.is_closed() {
                    return Err(PgError::Database("the listening session was closed".into()));
                }
            }
            Ok(())
        })();
        if let Err(e) = followed {
            tracing::warn!("PostgreSQL: following the other servers' changes: {e}; again in 5 s");
            crate::clock::real_sleep(Duration::from_secs(5));
        }
    }
}
