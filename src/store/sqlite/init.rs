//! Setting up an empty data directory for a real hall (`jiancha init`, the console's 新建本大厅): the
//! database with its first administrator and, when given, the hall itself — built under a temporary
//! name and renamed at the end, so a refused name or password leaves the directory as it was.

use crate::store::prelude::*;
use std::path::Path;
use std::sync::Arc;

use crate::clock::Clock;
use crate::domain::hall::HallConfig;
use crate::store::{NewUser, StoreError, User};

use super::{DB_FILE, SqlStore};

/// Why a directory could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} already holds a database: setting up only works on an empty directory")]
    Exists(std::path::PathBuf),
    #[error("{0}")]
    Refused(StoreError),
    #[error("{path}: {source}")]
    Io { path: std::path::PathBuf, source: std::io::Error },
}

/// Sets up `data_dir` with its first administrator (and `hall`, when given); opens and returns the store.
pub fn initialise(
    data_dir: &Path,
    clock: Arc<dyn Clock>,
    admin: &NewUser,
    hall: Option<&HallConfig>,
) -> Result<(SqlStore, User), InitError> {
    let db = data_dir.join(DB_FILE);
    if db.exists() {
        return Err(InitError::Exists(db));
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| InitError::Io { path, source }
    };
    crate::files::private_dirs(data_dir).map_err(io(data_dir))?;
    crate::files::make_private(data_dir).map_err(io(data_dir))?;
    let partial = data_dir.join(format!("{DB_FILE}.init-partial"));
    let remove_partial = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
    };
    remove_partial();
    let built = (|| -> Result<User, StoreError> {
        let store = SqlStore::open(&partial, clock.clone())?;
        let system = store.system_session();
        let user =
            store.create_user(&system, &NewUser { role: crate::domain::access::Role::Admin, ..admin.clone() })?;
        if let Some(hall) = hall {
            store.apply_hall(&system, hall)?;
        }
        Ok(user)
    })();
    let user = match built {
        Ok(user) => user,
        Err(e) => {
            remove_partial();
            return Err(InitError::Refused(e));
        }
    };
    // The store is closed (its WAL checkpointed); should a WAL file remain, it moves with the database.
    let wal = std::path::PathBuf::from(format!("{}-wal", partial.display()));
    if wal.exists() {
        std::fs::rename(&wal, format!("{}-wal", db.display())).map_err(io(&wal))?;
    }
    let _ = std::fs::remove_file(format!("{}-shm", partial.display()));
    std::fs::rename(&partial, &db).map_err(io(&partial))?;
    let store = SqlStore::open(&db, clock).map_err(|e| InitError::Refused(e.into()))?;
    Ok((store, user))
}
