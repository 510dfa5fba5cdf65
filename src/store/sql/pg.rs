//! [`Db`] on a PostgreSQL session: `?1`/`?` parameters become `$1`, each parameter is sent with the
//! type its value has (so that `?1 IS NULL` and `?1 = 0` need no casts), any column is decoded into a
//! [`ValueRef`] (integers of every width, booleans as 0/1, `numeric` — what `sum` of integers gives —
//! as an integer when it has no fraction), and statements stay prepared for the session's life.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::{Db, Error, Kind, Param, Result, Row, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The most statements one session keeps prepared (queries with run-time filters make new texts).
const STATEMENTS_KEPT: usize = 512;

/// One connection to PostgreSQL with its prepared statements.
pub struct PgSession {
    inner: RefCell<Inner>,
}

struct Inner {
    client: postgres::Client,
    statements: HashMap<(String, Vec<Kind>), postgres::Statement>,
}

impl PgSession {
    pub fn new(client: postgres::Client) -> Self {
        Self { inner: RefCell::new(Inner { client, statements: HashMap::new() }) }
    }

    /// Statements without parameters, as one batch (`BEGIN`, `COMMIT`, a schema).
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.inner.borrow_mut().client.batch_execute(sql).map_err(Error::from)
    }

    /// The connection is gone (the pool drops it).
    pub fn is_closed(&self) -> bool {
        self.inner.borrow().client.is_closed()
    }

    fn run<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&mut postgres::Client, &postgres::Statement, &[&(dyn ToSql + Sync)]) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.inner.borrow_mut();
        let Inner { client, statements } = &mut *inner;
        let kinds: Vec<Kind> = params.iter().map(Param::kind).collect();
        let key = (sql.to_owned(), kinds);
        let statement = match statements.get(&key) {
            Some(s) => s.clone(),
            None => {
                let types: Vec<Type> = key.1.iter().map(|k| pg_type(*k)).collect();
                let statement = client.prepare_typed(&dollar_parameters(sql), &types)?;
                if statements.len() >= STATEMENTS_KEPT {
                    statements.clear();
                }
                statements.insert(key, statement.clone());
                statement
            }
        };
        let values: Vec<PgParam<'_>> = params.iter().copied().map(PgParam).collect();
        let args: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        f(client, &statement, &args)
    }
}

fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Int => Type::INT8,
        Kind::Real => Type::FLOAT8,
        Kind::Text => Type::TEXT,
        Kind::Blob => Type::BYTEA,
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => Error::Pg { message: db.message().to_owned(), code: db.code().code().to_owned() },
            None => Error::PgClient(e.to_string()),
        }
    }
}

impl Db for PgSession {
    fn execute_params(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        let n = self.run(sql, params, |client, statement, args| Ok(client.execute(statement, args)?))?;
        usize::try_from(n).map_err(|_| Error::PgClient(format!("{n} rows")))
    }

    fn query_each(&self, sql: &str, params: &[Param<'_>], each: &mut dyn FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        let rows = self.run(sql, params, |client, statement, args| Ok(client.query(statement, args)?))?;
        for row in &rows {
            each(&Row::Pg(row))?;
        }
        Ok(())
    }

    fn last_insert_rowid(&self) -> Result<i64> {
        let row = self.inner.borrow_mut().client.query_one("SELECT lastval()", &[])?;
        Ok(row.try_get(0)?)
    }
}

/// `?NNN` → `$NNN` and each bare `?` → the next `$N`, outside quoted text and names.
pub(crate) fn dollar_parameters(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0u32;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    next += 1;
                    out.push_str(&next.to_string());
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// A parameter, encoded as the type the statement was prepared with.
#[derive(Debug)]
struct PgParam<'a>(Param<'a>);

impl ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            Param::Null(_) => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Param::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                _ => Err(format!("a real number cannot be sent as {ty}").into()),
            },
            Param::Text(v) => v.to_sql(ty, out),
            Param::Blob(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Any column, decoded by its type.
struct Cell<'a>(ValueRef<'a>);

impl<'a> FromSql<'a> for Cell<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(Cell(match *ty {
            Type::INT8 => ValueRef::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => ValueRef::Int(i16::from_sql(ty, raw)?.into()),
            Type::OID => ValueRef::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => ValueRef::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(raw),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
                ValueRef::Text(<&str>::from_sql(ty, raw)?)
            }
            _ => return Err(format!("a column of type {ty} cannot be read").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Cell(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric`: digit count, weight, sign, scale, then base-10000 digits.
fn numeric(raw: &[u8]) -> std::result::Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        raw.get(2 * i..2 * i + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "a short numeric".into())
    };
    let (ndigits, weight, sign) = (i32::from(word(0)?), i32::from(word(1)?), word(2)?.cast_unsigned());
    if sign == 0xC000 {
        return Err("NaN is not a number Jiancha keeps".into());
    }
    let negative = sign == 0x4000;
    let digits = (0..usize::try_from(ndigits)?).map(|i| word(4 + i)).collect::<std::result::Result<Vec<_>, _>>()?;
    if ndigits <= weight + 1 {
        let mut v: i128 = 0;
        for d in &digits {
            v = v.checked_mul(10_000).and_then(|v| v.checked_add(i128::from(*d))).ok_or("numeric out of range")?;
        }
        for _ in ndigits..=weight {
            v = v.checked_mul(10_000).ok_or("numeric out of range")?;
        }
        let v = i64::try_from(if negative { -v } else { v })?;
        return Ok(ValueRef::Int(v));
    }
    let mut v = 0f64;
    for (i, d) in (0i32..).zip(&digits) {
        v += f64::from(*d) * 10_000f64.powi(weight - i);
    }
    Ok(ValueRef::Real(if negative { -v } else { v }))
}

pub(super) fn value<'r>(row: &'r postgres::Row, idx: usize) -> Result<ValueRef<'r>> {
    row.try_get::<_, Cell<'r>>(idx).map(|c| c.0).map_err(|e| Error::conversion(idx, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollar_numbers_outside_quotes() {
        assert_eq!(dollar_parameters("SELECT ?1, ?12 WHERE a = ?1"), "SELECT $1, $12 WHERE a = $1");
        assert_eq!(
            dollar_parameters("a = ? AND b = ? OR c LIKE '?' OR \"?\" = ?"),
            "a = $1 AND b = $2 OR c LIKE '?' OR \"?\" = $3"
        );
        assert_eq!(dollar_parameters("x = 'it''s ?' AND y = ?"), "x = 'it''s ?' AND y = $1");
    }

    fn numeric_bytes(ndigits: i16, weight: i16, sign: u16, scale: i16, digits: &[i16]) -> Vec<u8> {
        let mut raw = Vec::new();
        for w in [ndigits, weight, sign.cast_signed(), scale].into_iter().chain(digits.iter().copied()) {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        raw
    }

    #[test]
    fn numerics_decode_as_integers_when_whole() {
        // 123456789 = 1·10000² + 2345·10000 + 6789
        assert_eq!(numeric(&numeric_bytes(3, 2, 0, 0, &[1, 2345, 6789])).unwrap(), ValueRef::Int(123_456_789));
        // 20000 = 2·10000¹, one digit, weight 1
        assert_eq!(numeric(&numeric_bytes(1, 1, 0, 0, &[2])).unwrap(), ValueRef::Int(20_000));
        assert_eq!(numeric(&numeric_bytes(1, 0, 0x4000, 0, &[42])).unwrap(), ValueRef::Int(-42));
        assert_eq!(numeric(&numeric_bytes(0, 0, 0, 0, &[])).unwrap(), ValueRef::Int(0));
        // 2.5 = 2·10000⁰ + 5000·10000⁻¹
        assert_eq!(numeric(&numeric_bytes(2, 0, 0, 1, &[2, 5000])).unwrap(), ValueRef::Real(2.5));
        assert!(numeric(&numeric_bytes(0, 0, 0xC000, 0, &[])).is_err());
        assert!(numeric(&[0, 1]).is_err());
    }
}
