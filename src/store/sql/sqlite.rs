//! [`Db`] on rusqlite's connection (a transaction is one too, through `Deref`).

use super::{Db, Error, Param, Result, Row, ValueRef};

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::ValueRef as V;
        Ok(rusqlite::types::ToSqlOutput::Borrowed(match *self {
            Param::Null(_) => V::Null,
            Param::Int(v) => V::Integer(v),
            Param::Real(v) => V::Real(v),
            Param::Text(v) => V::Text(v.as_bytes()),
            Param::Blob(v) => V::Blob(v),
        }))
    }
}

impl Db for rusqlite::Connection {
    fn execute_params(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        let mut stmt = self.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))?)
    }

    fn query_each(&self, sql: &str, params: &[Param<'_>], each: &mut dyn FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(&Row::Sqlite(row))?;
        }
        Ok(())
    }

    fn last_insert_rowid(&self) -> Result<i64> {
        Ok(rusqlite::Connection::last_insert_rowid(self))
    }
}

pub(super) fn value<'r>(row: &'r rusqlite::Row<'_>, idx: usize) -> Result<ValueRef<'r>> {
    use rusqlite::types::ValueRef as V;
    Ok(match row.get_ref(idx)? {
        V::Null => ValueRef::Null,
        V::Integer(v) => ValueRef::Int(v),
        V::Real(v) => ValueRef::Real(v),
        V::Text(v) => ValueRef::Text(std::str::from_utf8(v).map_err(|e| Error::conversion(idx, e))?),
        V::Blob(v) => ValueRef::Blob(v),
    })
}
