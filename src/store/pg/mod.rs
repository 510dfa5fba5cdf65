//! PostgreSQL, for the city and the province (issue 31) — the first part: the database address and its
//! password (`config`), the schema with numbered upgrades (`migrate`, `schema.sql`), and the audit chain
//! (`audit`: one linear chain under concurrent writers, append-only by trigger). `PgStore`, the whole
//! `Store` on it, builds on these; nothing chooses PostgreSQL yet.
//!
//! Written for the PostgreSQL wire protocol as the 信创 databases speak it: no query reads `pg_catalog`
//! or assumes a database named `postgres` (the schema is found through `information_schema`), and the
//! triggers use `EXECUTE PROCEDURE`, which openGauss also takes.

pub mod audit;
pub(crate) mod backend;
pub mod config;
pub mod copy;
pub mod migrate;
pub mod tls;

pub use config::{ConfigError, Database};

/// What went wrong talking to PostgreSQL. Carries no password: the address is shown without one, and
/// the server's messages never hold the client's.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("PostgreSQL: {0}")]
    Database(String),
    #[error(
        "数据库版本 {found} 比本程序新（本程序支持到 {supported}）(the database's schema {found} is newer than this program's {supported})"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("该数据库已有其他表，不是监察台的数据库 (the database holds other tables: not a Jiancha database)")]
    NotJiancha,
}

impl From<postgres::Error> for PgError {
    fn from(e: postgres::Error) -> Self {
        // The server's own message and its SQLSTATE where there is one; else the client's (connection).
        match e.as_db_error() {
            Some(db) => PgError::Database(format!("{} ({})", db.message(), db.code().code())),
            None => {
                // The client's own error says what failed ("error performing TLS handshake"); its
                // source says why ("invalid peer certificate: UnknownIssuer").
                let mut said = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    said = format!("{said}: {cause}");
                    source = cause.source();
                }
                PgError::Database(said)
            }
        }
    }
}
