//! Moving a hall from SQLite to PostgreSQL (`jiancha migrate --to postgres://…`): every table copied
//! into an empty database in one transaction, ids kept (and the id sequences moved past them), then the
//! row counts compared table by table. The audit chain is checked before and after by the caller
//! (`cli::migrate`), through the stores of both sides.

use crate::store::sql::{Connection, Kind, PgSession, Value};

use super::{Database, PgError, migrate};

/// Rows per INSERT statement (and never more than `MAX_PARAMS` parameters).
const ROWS_PER_INSERT: usize = 500;
const MAX_PARAMS: usize = 30_000;

/// What was copied: each table with its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

/// The tables of the PostgreSQL schema in the order it creates them (an order that satisfies every
/// foreign key but the one deferred), without the schema's own version row.
pub fn tables() -> Vec<String> {
    migrate::SCHEMA
        .lines()
        .filter_map(|l| l.strip_prefix("CREATE TABLE "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|name| name.trim_matches('"').to_owned())
        .filter(|name| name != "jiancha_schema")
        .collect()
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn failed(what: impl std::fmt::Display) -> PgError {
    PgError::Database(what.to_string())
}

/// A table's columns in PostgreSQL, with the kind each holds.
fn columns(target: &Connection, table: &str) -> Result<Vec<(String, Kind)>, PgError> {
    let rows = target
        .prepare(
            "SELECT column_name, data_type FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
        )
        .and_then(|mut s| s.query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))))
        .map_err(failed)?;
    let mut out = Vec::new();
    for row in rows {
        let (name, ty) = row.map_err(failed)?;
        let kind = match ty.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "double precision" | "real" => Kind::Real,
            "bytea" => Kind::Blob,
            _ => Kind::Text,
        };
        out.push((name, kind));
    }
    Ok(out)
}

/// The tables whose one row the schema makes (so that writers can lock or count on it), with the counter
/// that is 0 while nothing was written.
fn single_row_counter(table: &str) -> Option<&'static str> {
    match table {
        "audit_head" => Some("seq"),
        "alert_revision" => Some("rev"),
        _ => None,
    }
}

/// Whether the target holds anything of a hall: any row in any table but the schema's version and the
/// audit chain's empty head.
fn holds_data(target: &Connection) -> Result<Option<String>, PgError> {
    for table in tables() {
        let rows: i64 =
            target.query_row(&format!("SELECT count(*) FROM {}", quoted(&table)), [], |r| r.get(0)).map_err(failed)?;
        let empty_head = match single_row_counter(&table) {
            Some(counter) => {
                target
                    .query_row(&format!("SELECT {counter} FROM {table} WHERE id = 1"), [], |r| r.get::<_, i64>(0))
                    .map_err(failed)?
                    == 0
            }
            None => false,
        };
        if rows > 0 && !empty_head {
            return Ok(Some(table));
        }
    }
    Ok(None)
}

/// One SQLite value as the kind of its PostgreSQL column.
fn value(v: rusqlite::types::Value, kind: Kind, at: &str) -> Result<Value, PgError> {
    use rusqlite::types::Value as V;
    Ok(match (v, kind) {
        (V::Null, kind) => Value::Null(kind),
        (V::Integer(i), Kind::Int) => Value::Int(i),
        (V::Real(f), Kind::Real) => Value::Real(f),
        (V::Text(t), Kind::Text) => Value::Text(t),
        (V::Blob(b), Kind::Blob) => Value::Blob(b),
        (other, kind) => return Err(failed(format!("{at}: {:?} cannot go into a {kind:?} column", other.data_type()))),
    })
}

/// Copies the SQLite database `source` (at the program's schema) into the PostgreSQL database `db`,
/// which must be empty (or hold only an empty Jiancha schema); one transaction: all or nothing.
pub fn copy_hall(source: &rusqlite::Connection, db: &Database) -> Result<CopyReport, PgError> {
    migrate::migrate(&mut db.connect()?)?;
    let target = PgSession::new(db.connect()?);
    let conn: &Connection = &target;
    if let Some(table) = holds_data(conn)? {
        return Err(failed(format!(
            "{} 已有数据（表 {table}），不覆盖 (the target database already holds data, in table {table}: nothing copied)",
            db.describe()
        )));
    }
    target.batch("BEGIN; SET CONSTRAINTS ALL DEFERRED").map_err(failed)?;
    let copied = copy_tables(source, conn);
    match copied {
        Ok(report) => {
            target.batch("COMMIT").map_err(failed)?;
            // The planner's statistics, which a bulk copy leaves empty until autovacuum comes by: without
            // them the first queries on a big hall choose nested loops over a million cases.
            target.batch("ANALYZE").map_err(failed)?;
            Ok(report)
        }
        Err(e) => {
            let _ = target.batch("ROLLBACK");
            Err(e)
        }
    }
}

fn copy_tables(source: &rusqlite::Connection, target: &Connection) -> Result<CopyReport, PgError> {
    let mut report = CopyReport { tables: Vec::new() };
    let source_tables: Vec<String> = source
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(failed)?;
    let ours = tables();
    if let Some(extra) = source_tables.iter().find(|t| !ours.contains(t)) {
        return Err(failed(format!("the SQLite table {extra} has no place in PostgreSQL's schema")));
    }
    for table in &ours {
        let columns = columns(target, table)?;
        let names = columns.iter().map(|(n, _)| quoted(n)).collect::<Vec<_>>().join(", ");
        let mut select = source.prepare(&format!("SELECT {names} FROM {}", quoted(table))).map_err(failed)?;
        let mut rows = select.query([]).map_err(failed)?;
        let mut batch: Vec<Value> = Vec::new();
        let per_insert = ROWS_PER_INSERT.min(MAX_PARAMS / columns.len().max(1));
        let mut count = 0u64;
        if let Some(counter) = single_row_counter(table) {
            // Its one row exists already: it takes the source's (the alerts' revision never moves back:
            // the notices copied may have counted already).
            if let Some(row) = rows.next().map_err(failed)? {
                let values = (0..columns.len())
                    .map(|i| value(row.get(i).map_err(failed)?, columns[i].1, &format!("{table} row 1")))
                    .collect::<Result<Vec<_>, _>>()?;
                let sets = columns.iter().enumerate().map(|(i, (n, _))| {
                    if n == counter && table == "alert_revision" {
                        format!("{n} = GREATEST({n}, ?{})", i + 1)
                    } else {
                        format!("{} = ?{}", quoted(n), i + 1)
                    }
                });
                let sql = format!("UPDATE {table} SET {} WHERE id = 1", sets.collect::<Vec<_>>().join(", "));
                target.execute(&sql, crate::store::sql::params_from_iter(values)).map_err(failed)?;
                count = 1;
            }
            report.tables.push((table.clone(), count));
            continue;
        }
        while let Some(row) = rows.next().map_err(failed)? {
            count += 1;
            for (i, (name, kind)) in columns.iter().enumerate() {
                batch.push(value(row.get(i).map_err(failed)?, *kind, &format!("{table}.{name}, row {count}"))?);
            }
            if batch.len() / columns.len() >= per_insert {
                insert(target, table, &names, columns.len(), std::mem::take(&mut batch))?;
            }
        }
        if !batch.is_empty() {
            insert(target, table, &names, columns.len(), batch)?;
        }
        if columns.first().is_some_and(|(n, _)| n == "id") && count > 0 {
            // The ids were copied as they were: the next new row continues after the highest.
            target
                .query_row(
                    &format!("SELECT setval('{table}_id_seq', (SELECT max(id) FROM {}))", quoted(table)),
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map_err(failed)?;
        }
        report.tables.push((table.clone(), count));
    }
    Ok(report)
}

fn insert(target: &Connection, table: &str, names: &str, width: usize, values: Vec<Value>) -> Result<(), PgError> {
    let rows = values.len() / width;
    let mut sql = format!("INSERT INTO {} ({names}) VALUES ", quoted(table));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", r * width + c + 1));
        }
        sql.push(')');
    }
    target.execute(&sql, crate::store::sql::params_from_iter(values)).map_err(|e| failed(format!("{table}: {e}")))?;
    Ok(())
}

/// The rows of every table on both sides, for the comparison after a copy: (table, SQLite, PostgreSQL).
pub fn compare_counts(source: &rusqlite::Connection, db: &Database) -> Result<Vec<(String, u64, u64)>, PgError> {
    let target = PgSession::new(db.connect()?);
    let conn: &Connection = &target;
    let mut out = Vec::new();
    for table in tables() {
        let sql = format!("SELECT count(*) FROM {}", quoted(&table));
        let here: i64 = source.query_row(&sql, [], |r| r.get(0)).map_err(failed)?;
        let there: i64 = conn.query_row(&sql, [], |r| r.get(0)).map_err(failed)?;
        // The audit head's and the alerts' revision's rows are there from the start in PostgreSQL.
        let there = if single_row_counter(&table).is_some() && here == 0 { 0 } else { there };
        out.push((table, here.cast_unsigned(), there.cast_unsigned()));
    }
    Ok(out)
}
