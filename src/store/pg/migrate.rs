//! Creating and upgrading the PostgreSQL schema. The version is the one row of `jiancha_schema`.
//!
//! A fresh database gets `schema.sql` at once; an older one runs each numbered step of `upgrade/` in its
//! own transaction with the version row locked, so that two servers starting together on one database
//! upgrade it once and an interrupted upgrade leaves it at some whole version.

use postgres::Client;

use super::PgError;

/// The PostgreSQL schema version this program writes (its own numbering, not SQLite's).
pub const LATEST_VERSION: i64 = 8;

/// The full current schema.
pub const SCHEMA: &str = include_str!("schema.sql");

/// Version 1, as the first step of an upgrade starts from (tests).
pub const V1_SCHEMA: &str = include_str!("upgrade/v1.sql");

/// `UPGRADES[i]` takes a database from version `i + 1` to `i + 2`.
const UPGRADES: &[&str] = &[
    include_str!("upgrade/v2.sql"),
    include_str!("upgrade/v3.sql"),
    include_str!("upgrade/v4.sql"),
    include_str!("upgrade/v5.sql"),
    include_str!("upgrade/v6.sql"),
    include_str!("upgrade/v7.sql"),
    include_str!("upgrade/v8.sql"),
];

const _: () = assert!(UPGRADES.len() as i64 == LATEST_VERSION - 1, "one upgrade step per version");

const TABLES_HERE: &str = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()";

/// The schema's version: 0 for an empty database (no table in the connection's current schema).
pub fn version(client: &mut Client) -> Result<i64, PgError> {
    let tables: i64 = client.query_one(TABLES_HERE, &[])?.get(0);
    if tables == 0 {
        return Ok(0);
    }
    let ours: i64 = client.query_one(&format!("{TABLES_HERE} AND table_name = 'jiancha_schema'"), &[])?.get(0);
    if ours == 0 {
        return Err(PgError::NotJiancha);
    }
    let version: i32 = client.query_one("SELECT version FROM jiancha_schema WHERE id = 1", &[])?.get(0);
    Ok(i64::from(version))
}

/// Brings the database to [`LATEST_VERSION`]; returns the version it found (0: it was empty).
pub fn migrate(client: &mut Client) -> Result<i64, PgError> {
    let found = version(client)?;
    if found > LATEST_VERSION {
        return Err(PgError::TooNew { found, supported: LATEST_VERSION });
    }
    if found == 0 {
        let created = (|| -> Result<(), PgError> {
            let mut tx = client.transaction()?;
            tx.batch_execute(SCHEMA)?;
            tx.execute("INSERT INTO jiancha_schema (id, version) VALUES (1, $1)", &[&version_i32(LATEST_VERSION)])?;
            tx.commit()?;
            Ok(())
        })();
        return match created {
            Ok(()) => Ok(0),
            // Another server created it in the same moment: its schema is the one wanted.
            Err(e) => match version(client) {
                Ok(LATEST_VERSION) => Ok(0),
                _ => Err(e),
            },
        };
    }
    for step in found..LATEST_VERSION {
        let mut tx = client.transaction()?;
        let now: i32 = tx.query_one("SELECT version FROM jiancha_schema WHERE id = 1 FOR UPDATE", &[])?.get(0);
        if i64::from(now) == step {
            let sql = usize::try_from(step - 1)
                .ok()
                .and_then(|i| UPGRADES.get(i))
                .ok_or(PgError::TooNew { found: step, supported: LATEST_VERSION })?;
            tx.batch_execute(sql)?;
            tx.execute("UPDATE jiancha_schema SET version = $1 WHERE id = 1", &[&version_i32(step + 1)])?;
        }
        tx.commit()?;
    }
    Ok(found)
}

fn version_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}
