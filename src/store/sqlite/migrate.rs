//! Creating and upgrading the schema. The version is SQLite's `user_version`.
//!
//! A fresh database gets `schema.sql` at once; an older one runs each numbered step of `upgrade/` in its
//! own transaction, so an interrupted upgrade leaves a database at some whole version.

use rusqlite::{Connection, Transaction};

use super::SqliteError;

/// The schema version this program writes.
pub const LATEST_VERSION: i64 = 24;

/// The version from which the audit chain is keyed (each record's MAC under `audit.key`).
pub const KEYED_AUDIT_VERSION: i64 = 17;

/// The full current schema.
pub const SCHEMA: &str = include_str!("schema.sql");

/// The frozen first version, for the upgrade test.
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
    include_str!("upgrade/v9.sql"),
    include_str!("upgrade/v10.sql"),
    include_str!("upgrade/v11.sql"),
    include_str!("upgrade/v12.sql"),
    include_str!("upgrade/v13.sql"),
    include_str!("upgrade/v14.sql"),
    include_str!("upgrade/v15.sql"),
    include_str!("upgrade/v16.sql"),
    include_str!("upgrade/v17.sql"),
    include_str!("upgrade/v18.sql"),
    include_str!("upgrade/v19.sql"),
    include_str!("upgrade/v20.sql"),
    include_str!("upgrade/v21.sql"),
    include_str!("upgrade/v22.sql"),
    include_str!("upgrade/v23.sql"),
    include_str!("upgrade/v24.sql"),
];

const _: () = assert!(UPGRADES.len() as i64 == LATEST_VERSION - 1, "one upgrade step per version");

pub fn version(conn: &Connection) -> Result<i64, SqliteError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn set_version(tx: &Transaction<'_>, v: i64) -> Result<(), SqliteError> {
    tx.execute_batch(&format!("PRAGMA user_version = {v}"))?;
    Ok(())
}

fn is_empty(conn: &Connection) -> Result<bool, SqliteError> {
    let n: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", [], |r| r.get(0))?;
    Ok(n == 0)
}

/// Brings the database to [`LATEST_VERSION`]; returns the version it found.
pub fn migrate(conn: &mut Connection) -> Result<i64, SqliteError> {
    let found = version(conn)?;
    if found > LATEST_VERSION {
        return Err(SqliteError::TooNew { found, supported: LATEST_VERSION });
    }
    if found == 0 {
        if !is_empty(conn)? {
            return Err(SqliteError::NotJiancha);
        }
        let tx = conn.transaction()?;
        tx.execute_batch(SCHEMA)?;
        set_version(&tx, LATEST_VERSION)?;
        tx.commit()?;
        return Ok(0);
    }
    upgrade_to(conn, LATEST_VERSION)?;
    Ok(found)
}

/// Runs the upgrade steps from the database's version up to `target` (tests use it to put data into
/// an older schema before the next step).
pub fn upgrade_to(conn: &mut Connection, target: i64) -> Result<(), SqliteError> {
    let found = version(conn)?;
    for from in found.max(1)..target.min(LATEST_VERSION) {
        let step = UPGRADES[(from - 1) as usize];
        // A step may rebuild a table others refer to (SQLite cannot drop a constraint): foreign keys are
        // off while it runs (the pragma is a no-op inside a transaction) and checked before it commits.
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        let result = run_step(conn, step, from + 1);
        conn.execute_batch("PRAGMA foreign_keys = ON")?;
        result?;
        tracing::info!(from, to = from + 1, "upgraded database schema");
    }
    Ok(())
}

fn run_step(conn: &mut Connection, step: &str, to: i64) -> Result<(), SqliteError> {
    let tx = conn.transaction()?;
    tx.execute_batch(step)?;
    let broken: Vec<(String, i64, String)> = tx
        .prepare("SELECT \"table\", coalesce(rowid, 0), parent FROM pragma_foreign_key_check LIMIT 5")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if let Some((table, row, parent)) = broken.first() {
        return Err(SqliteError::Upgrade(format!(
            "upgrading to version {to}: {table} row {row} refers to a missing {parent} ({} such rows shown at most)",
            broken.len()
        )));
    }
    set_version(&tx, to)?;
    tx.commit()?;
    Ok(())
}

/// Creates a database at version 1 (tests only use this, to exercise the upgrade steps).
pub fn create_v1(conn: &mut Connection) -> Result<(), SqliteError> {
    let tx = conn.transaction()?;
    tx.execute_batch(V1_SCHEMA)?;
    set_version(&tx, 1)?;
    tx.commit()?;
    Ok(())
}

/// A normalised description of the schema: every table's columns, indexes, foreign keys and the SQL of
/// each object with comments and whitespace removed. Two databases with equal descriptions have the same
/// schema.
pub fn describe_schema(conn: &Connection) -> Result<Vec<String>, SqliteError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let objects: Vec<(String, String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
    for (kind, name, table, sql) in objects {
        out.push(format!("{kind} {name} on {table}: {}", normalise_sql(&sql)));
        if kind == "table" {
            for pragma in ["table_xinfo", "index_list", "foreign_key_list"] {
                let mut stmt = conn.prepare(&format!("SELECT * FROM pragma_{pragma}(?1)"))?;
                let count = stmt.column_count();
                let rows = stmt.query_map([&name], |r| {
                    let mut cells = Vec::with_capacity(count);
                    for i in 0..count {
                        let v: rusqlite::types::Value = r.get(i)?;
                        cells.push(format!("{v:?}"));
                    }
                    Ok(cells.join("|"))
                })?;
                for row in rows {
                    out.push(format!("  {pragma} {name}: {}", row?));
                }
            }
        }
    }
    Ok(out)
}

fn normalise_sql(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .flat_map(str::chars)
        // A table rebuilt and renamed in an upgrade reads `CREATE TABLE "name"`.
        .filter(|c| !c.is_whitespace() && *c != '"')
        .collect()
}
