//! Values in and out of either database: what the program's types become as parameters, and what a
//! column's value may be read as.

/// What a parameter is, also when it is NULL (PostgreSQL is told each parameter's type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// One parameter of a statement, borrowed from the caller's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Param<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Param::Null(kind) => *kind,
            Param::Int(_) => Kind::Int,
            Param::Real(_) => Kind::Real,
            Param::Text(_) => Kind::Text,
            Param::Blob(_) => Kind::Blob,
        }
    }
}

/// One column's value as the database gave it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn describe(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Int(_) => "an integer",
            ValueRef::Real(_) => "a real number",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "bytes",
        }
    }
}

/// An owned parameter (queries built at run time).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

/// A Rust value that can be a parameter.
pub trait ToSql {
    fn to_param(&self) -> Param<'_>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

macro_rules! int_to_sql {
    ($($t:ty)*) => {$(
        impl ToSql for $t {
            fn to_param(&self) -> Param<'_> {
                Param::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_sql!(i64 i32 i16 i8 u32 u16 u8 bool);

impl ToSql for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToSql for f32 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(f64::from(*self))
    }
}

impl ToSql for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToSql for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToSql for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToSql for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToSql for Value {
    fn to_param(&self) -> Param<'_> {
        match self {
            Value::Null(kind) => Param::Null(*kind),
            Value::Int(v) => Param::Int(*v),
            Value::Real(v) => Param::Real(*v),
            Value::Text(v) => Param::Text(v),
            Value::Blob(v) => Param::Blob(v),
        }
    }
}

/// The kind a type's NULL is sent as.
pub trait NullKind {
    const KIND: Kind;
}

macro_rules! null_kind {
    ($kind:ident: $($t:ty)*) => {$(impl NullKind for $t { const KIND: Kind = Kind::$kind; })*};
}
null_kind!(Int: i64 i32 i16 i8 u32 u16 u8 bool);
null_kind!(Real: f64 f32);
null_kind!(Text: str String);
null_kind!(Blob: [u8] Vec<u8>);

impl<T: NullKind + ?Sized> NullKind for &T {
    const KIND: Kind = T::KIND;
}

impl<T: ToSql + NullKind> ToSql for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(v) => v.to_param(),
            None => Param::Null(T::KIND),
        }
    }
}

/// A Rust value a column can be read as.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String>;
}

fn mismatch<T>(value: ValueRef<'_>, wanted: &str) -> Result<T, String> {
    Err(format!("{} where {wanted} was expected", value.describe()))
}

impl FromSql for i64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Int(v) => Ok(v),
            other => mismatch(other, "an integer"),
        }
    }
}

macro_rules! narrow_from_sql {
    ($($t:ty)*) => {$(
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
                let wide = i64::from_sql(value)?;
                <$t>::try_from(wide).map_err(|_| format!("{wide} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
narrow_from_sql!(i32 i16 u64 u32 u16 u8 usize);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        Ok(i64::from_sql(value)? != 0)
    }
}

impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Real(v) => Ok(v),
            #[expect(clippy::cast_precision_loss, reason = "integers a store reads as numbers are far below 2^53")]
            ValueRef::Int(v) => Ok(v as f64),
            other => mismatch(other, "a number"),
        }
    }
}

impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Text(v) => Ok(v.to_owned()),
            other => mismatch(other, "text"),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Blob(v) => Ok(v.to_vec()),
            other => mismatch(other, "bytes"),
        }
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, String> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_parameter_keeps_its_type() {
        assert_eq!(None::<i64>.to_param(), Param::Null(Kind::Int));
        assert_eq!(None::<String>.to_param(), Param::Null(Kind::Text));
        assert_eq!(Some("x").to_param(), Param::Text("x"));
        assert_eq!(true.to_param(), Param::Int(1));
    }

    #[test]
    fn columns_are_read_strictly() {
        assert_eq!(u32::from_sql(ValueRef::Int(7)), Ok(7));
        assert_eq!(u32::from_sql(ValueRef::Int(-1)), Err("-1 is out of range for u32".to_owned()));
        assert_eq!(String::from_sql(ValueRef::Int(1)), Err("an integer where text was expected".to_owned()));
        assert_eq!(Option::<i64>::from_sql(ValueRef::Null), Ok(None));
        assert!(i64::from_sql(ValueRef::Null).is_err());
        assert_eq!(f64::from_sql(ValueRef::Int(3)), Ok(3.0));
    }
}
