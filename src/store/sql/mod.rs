//! The SQL the store's calls speak, on SQLite or on PostgreSQL.
//!
//! Every call of the store is written once, against [`Connection`] (a `dyn Db`): `query_row`,
//! `prepare(…)?.query_map`, `execute`, `last_insert_rowid`, with `?1`-style parameters and rows read by
//! position — the shape of rusqlite's API, which the calls were first written for. Two implementations:
//! rusqlite's connection itself (`sqlite.rs`), and a PostgreSQL session (`pg.rs`) that rewrites the
//! parameters to `$1`, sends them typed, decodes any column into the same [`ValueRef`]s and keeps its
//! prepared statements. What the two databases do differently beyond that is kept out of the calls'
//! SQL (portable SQL only: `ON CONFLICT`, `coalesce`, `CAST`), or is PostgreSQL functions of the same
//! name in its schema (`pg/schema.sql`).

mod pg;
mod sqlite;
mod value;

pub use pg::PgSession;
pub use value::{FromSql, Kind, Param, ToSql, Value, ValueRef};

/// A connection or a transaction in progress, on either database.
pub type Connection = dyn Db;
/// The same handle, named for the calls that write (inside the store's transaction).
pub type Transaction = dyn Db;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What one database does; the calls use the generic methods on `dyn Db` below.
pub trait Db {
    /// Runs a statement that returns no rows; the number of rows it changed.
    fn execute_params(&self, sql: &str, params: &[Param<'_>]) -> Result<usize>;
    /// Runs a query and hands every row to `each`, stopping at its first error.
    fn query_each(&self, sql: &str, params: &[Param<'_>], each: &mut dyn FnMut(&Row<'_>) -> Result<()>) -> Result<()>;
    /// The id the last insert into a table with a generated id was given, in this session.
    fn last_insert_rowid(&self) -> Result<i64>;
}

/// A column's position (a trait, as rusqlite's, so that a literal `0` is taken as a `usize`).
pub trait RowIndex {
    fn index(self) -> usize;
}

impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// Where the calls' SQL runs: one SQLite connection behind a mutex (here), or a pool of PostgreSQL
/// sessions (`store::pg::backend`).
pub trait Backend: Send + Sync {
    /// Runs `f` on a connection that sees one state of the database throughout.
    fn run_read(
        &self,
        f: &mut dyn FnMut(&Connection) -> Result<(), crate::store::StoreError>,
    ) -> Result<(), crate::store::StoreError>;
    /// Runs `f` in one transaction, alone among the writers; commits when `f` succeeds, else rolls back.
    fn run_write(
        &self,
        f: &mut dyn FnMut(&Transaction) -> Result<(), crate::store::StoreError>,
    ) -> Result<(), crate::store::StoreError>;
    /// The schema version of the database.
    fn schema_version(&self) -> Result<i64, crate::store::StoreError>;
    /// A write that changed data was committed here: tell the other servers of the database (PostgreSQL:
    /// NOTIFY). One database per process (SQLite) has nobody to tell.
    fn changed(&self) {}
    /// Calls `on_change` whenever another server of the database committed a change (PostgreSQL: LISTEN,
    /// on a session of its own, for as long as the backend lives).
    fn follow_changes(&self, _on_change: std::sync::Arc<dyn Fn() + Send + Sync>) {}
}

/// One row of a result, read by column position.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    /// The value of column `idx` as `T`.
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let idx = idx.index();
        let value = match self {
            Row::Sqlite(row) => sqlite::value(row, idx)?,
            Row::Pg(row) => pg::value(row, idx)?,
        };
        T::from_sql(value).map_err(|message| Error::Conversion { column: idx, message })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Query returned no rows")]
    NoRows,
    #[error("column {column}: {message}")]
    Conversion { column: usize, message: String },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The server's message and its SQLSTATE (never a password: the server's messages do not hold the
    /// client's).
    #[error("{message} ({code})")]
    Pg { message: String, code: String },
    #[error("PostgreSQL: {0}")]
    PgClient(String),
}

impl Error {
    /// A value read from column `column` is not what the program keeps there.
    pub fn conversion(column: usize, message: impl std::fmt::Display) -> Self {
        Error::Conversion { column, message: message.to_string() }
    }

    /// A unique, foreign-key or check constraint refused the statement.
    pub fn is_constraint_violation(&self) -> bool {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => f.code == rusqlite::ErrorCode::ConstraintViolation,
            Error::Pg { code, .. } => code.starts_with("23"),
            _ => false,
        }
    }
}

impl From<Error> for crate::store::StoreError {
    fn from(err: Error) -> Self {
        crate::store::StoreError::Backend(err.to_string())
    }
}

/// `query_row(…).optional()`: no row is `None` rather than an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The parameters of a statement: `params![a, b]`, `[a]`, `[]`, a slice, or [`params_from_iter`].
pub trait Params {
    fn to_params(&self) -> Vec<Param<'_>>;
}

impl Params for [&dyn ToSql; 0] {
    fn to_params(&self) -> Vec<Param<'_>> {
        Vec::new()
    }
}

impl<T: ToSql + ?Sized> Params for &[&T] {
    fn to_params(&self) -> Vec<Param<'_>> {
        self.iter().map(|p| p.to_param()).collect()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn to_params(&self) -> Vec<Param<'_>> {
                self.iter().map(ToSql::to_param).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8);

/// Parameters built at run time (a query with optional filters).
pub struct ParamsFromIter(Vec<Value>);

pub fn params_from_iter(values: impl IntoIterator<Item = Value>) -> ParamsFromIter {
    ParamsFromIter(values.into_iter().collect())
}

impl Params for ParamsFromIter {
    fn to_params(&self) -> Vec<Param<'_>> {
        self.0.iter().map(ToSql::to_param).collect()
    }
}

/// `params![a, b, c]`: a statement's parameters of different types.
macro_rules! params {
    () => { [] as [&dyn $crate::store::sql::ToSql; 0] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::store::sql::ToSql),+] as &[&dyn $crate::store::sql::ToSql] };
}
pub(crate) use params;

impl<'a> dyn Db + 'a {
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.execute_params(sql, &params.to_params())
    }

    /// The first row, mapped by `f`; [`Error::NoRows`] when there is none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(&self, sql: &str, params: P, f: F) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.query_each(sql, &params.to_params(), &mut |row| {
            if let Some(f) = f.take() {
                out = Some(f(row)?);
            }
            Ok(())
        })?;
        out.ok_or(Error::NoRows)
    }

    /// A statement to run (prepared when it runs; both databases keep it prepared for the next time).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement { db: self, sql: sql.to_owned() })
    }

    /// The same as [`Self::prepare`] (both implementations cache their prepared statements).
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare(sql)
    }
}

/// The rows of [`Statement::query_map`], each as a `Result` (as rusqlite gives them).
pub type MappedRows<T> = std::iter::Map<std::vec::IntoIter<T>, fn(T) -> Result<T>>;

/// A statement of [`Connection::prepare`].
pub struct Statement<'c> {
    db: &'c (dyn Db + 'c),
    sql: String,
}

impl Statement<'_> {
    /// Every row mapped by `f` (read at once; an error of `f` ends the query).
    pub fn query_map<T, P: Params, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        mut f: F,
    ) -> Result<MappedRows<T>> {
        let mut out = Vec::new();
        self.db.query_each(&self.sql, &params.to_params(), &mut |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out.into_iter().map(Ok as fn(T) -> Result<T>))
    }

    pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> Result<T>>(&mut self, params: P, f: F) -> Result<T> {
        self.db.query_row(&self.sql, params, f)
    }

    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        self.db.execute(&self.sql, params)
    }

    /// Whether the query gives at least one row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        let mut any = false;
        self.db.query_each(&self.sql, &params.to_params(), &mut |_| {
            any = true;
            Ok(())
        })?;
        Ok(any)
    }
}
