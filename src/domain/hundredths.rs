//! Exact numbers in hundredths, for scores, means and shares (`docs/RULES.md`, "Rounding").
//!
//! A published score is a whole number of hundredths; computing it in binary floating point rounds
//! 75.415 to 75.41 (it is stored as 75.41499…). Here every value is an integer count of hundredths, a
//! quotient is an exact fraction of integers, and a fraction becomes hundredths by rounding half away
//! from zero (四舍五入, GB/T 8170). In JSON and TOML a value is an ordinary number (`75.42`), read back
//! exactly; a number that is not a whole count of hundredths is refused, not rounded.

use serde::{Deserialize, Serialize};

/// A number kept as a whole count of hundredths: `Hundredths(7542)` is 75.42.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hundredths(pub i64);

/// The largest magnitude accepted from outside (a trillion): no score, weight or share comes near it, and
/// products of two such values with the counts of a month stay far inside `i128`.
const LIMIT: i64 = 100_000_000_000_000;

impl Hundredths {
    pub const ZERO: Hundredths = Hundredths(0);

    /// A whole number: `whole(10)` is 10.00.
    pub const fn whole(n: i64) -> Self {
        Self(n * 100)
    }

    /// `numerator / denominator` hundredths, rounded half away from zero; zero for a zero denominator.
    pub fn of_fraction(numerator: i128, denominator: i128) -> Self {
        if denominator == 0 {
            return Self::ZERO;
        }
        let (n, d) = if denominator < 0 { (-numerator, -denominator) } else { (numerator, denominator) };
        let magnitude = (2 * n.abs() + d) / (2 * d);
        let value = if n < 0 { -magnitude } else { magnitude };
        Self(i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX }))
    }

    /// The mean of values, rounded half-up to hundredths; none of none.
    pub fn mean(values: impl IntoIterator<Item = Hundredths>) -> Option<Self> {
        let (sum, n) = values.into_iter().fold((0i128, 0i128), |(s, n), v| (s + i128::from(v.0), n + 1));
        (n > 0).then(|| Self::of_fraction(sum, n))
    }

    /// `self × count`.
    pub fn times(self, count: u32) -> Self {
        Self(self.0.saturating_mul(i64::from(count)))
    }

    pub fn max(self, other: Self) -> Self {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Self) -> Self {
        if self <= other { self } else { other }
    }

    pub fn clamp(self, low: Self, high: Self) -> Self {
        self.max(low).min(high)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The nearest binary floating-point number (for charts only, never for arithmetic).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// The value read from a number written in decimal (`75.42`, `10`, `0.3`); none when it is not a
    /// whole count of hundredths or is out of range.
    pub fn from_decimal(text: &str) -> Option<Self> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() && frac.is_empty() || !plain(int) || !plain(frac) || int.len() > 15 {
            return None;
        }
        // Trailing zeros beyond the hundredths are harmless (`0.300`); any other digit there is not.
        let (kept, rest) = frac.split_at(frac.len().min(2));
        if rest.bytes().any(|b| b != b'0') {
            return None;
        }
        let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let cents: i64 = format!("{kept:0<2}").parse().ok()?;
        let value = whole.checked_mul(100)?.checked_add(cents)?;
        (value <= LIMIT).then_some(Self(if negative { -value } else { value }))
    }

    /// The value of a floating-point number read from JSON or TOML: its shortest decimal form must be a
    /// whole count of hundredths (what `75.42` parses to prints as `75.42`).
    pub fn from_f64(x: f64) -> Option<Self> {
        if !x.is_finite() {
            return None;
        }
        Self::from_decimal(&format!("{x}"))
    }
}

impl std::ops::Add for Hundredths {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Hundredths {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl std::ops::Neg for Hundredths {
    type Output = Self;
    fn neg(self) -> Self {
        Self(self.0.saturating_neg())
    }
}

impl std::iter::Sum for Hundredths {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

/// Two decimals always (`75.40`), as published; a precision asked for (`{:.0}`, `{:.1}`) is honoured by
/// rounding half away from zero.
impl std::fmt::Display for Hundredths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let places = f.precision().unwrap_or(2).min(2);
        let step = 10i64.pow(2 - places as u32);
        let rounded = Self::of_fraction(i128::from(self.0), i128::from(step)).0;
        let sign = if rounded < 0 { "-" } else { "" };
        let units = rounded.unsigned_abs();
        let scale = 10u64.pow(places as u32);
        let text = if places == 0 {
            format!("{sign}{units}")
        } else {
            format!("{sign}{}.{:0width$}", units / scale, units % scale, width = places)
        };
        f.pad_integral(true, "", &text)
    }
}

impl Serialize for Hundredths {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // As a float, as scores were always written (`10.0`, `75.42`): a publication's JSON keeps its shape.
        s.serialize_f64(self.to_f64())
    }
}

impl<'de> Deserialize<'de> for Hundredths {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Hundredths;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number with at most two decimals")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Hundredths, E> {
                (v.abs() <= LIMIT / 100)
                    .then(|| Hundredths::whole(v))
                    .ok_or_else(|| E::custom(format!("{v} is too large")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Hundredths, E> {
                i64::try_from(v).map_err(|_| E::custom(format!("{v} is too large"))).and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Hundredths, E> {
                Hundredths::from_f64(v)
                    .ok_or_else(|| E::custom(format!("{v} is not a number with at most two decimals")))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl schemars::JsonSchema for Hundredths {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hundredths".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "multipleOf": 0.01,
            "description": "A number with at most two decimals, kept exactly (as a count of hundredths)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fraction_rounds_half_away_from_zero_exactly() {
        // (80.25 + 70.58) / 2 = 75.415 → 75.42; binary floating point gives 75.41.
        assert_eq!(Hundredths::mean([Hundredths(8025), Hundredths(7058)]), Some(Hundredths(7542)));
        assert_eq!(((80.25f64 + 70.58) / 2.0 * 100.0).round() / 100.0, 75.41, "the defect this type ends");
        assert_eq!(Hundredths::of_fraction(1, 2), Hundredths(1));
        assert_eq!(Hundredths::of_fraction(1, 3), Hundredths(0));
        assert_eq!(Hundredths::of_fraction(-1, 2), Hundredths(-1));
        assert_eq!(Hundredths::of_fraction(5, 0), Hundredths::ZERO);
        assert_eq!(Hundredths::mean([Hundredths(9000), Hundredths(8000), Hundredths(8550)]), Some(Hundredths(8517)));
        assert_eq!(Hundredths::mean([]), None);
    }

    #[test]
    fn it_prints_and_reads_as_an_ordinary_number() {
        assert_eq!(Hundredths(7542).to_string(), "75.42");
        assert_eq!(Hundredths(-5).to_string(), "-0.05");
        assert_eq!(Hundredths(1000).to_string(), "10.00");
        assert_eq!(format!("{:.0}", Hundredths(1450)), "15");
        assert_eq!(format!("{:.1}", Hundredths(1245)), "12.5");
        assert_eq!(format!("{:>7}", Hundredths(750)), "   7.50");
        for (text, value) in [("75.42", 7542), ("10", 1000), ("0.3", 30), ("0.300", 30), ("-2.5", -250), (".5", 50)] {
            assert_eq!(Hundredths::from_decimal(text), Some(Hundredths(value)), "{text}");
        }
        for bad in ["75.425", "", ".", "1e3", "abc", "--1", "1.2.3", "12345678901234567"] {
            assert_eq!(Hundredths::from_decimal(bad), None, "{bad}");
        }
        let json = serde_json::to_string(&[Hundredths(7542), Hundredths(1000), Hundredths(30)]).unwrap();
        assert_eq!(json, "[75.42,10.0,0.3]");
        let back: Vec<Hundredths> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![Hundredths(7542), Hundredths(1000), Hundredths(30)]);
        // An older publication wrote 10.0 and 12.6 as floats: they read back exactly.
        let old: Vec<Hundredths> = serde_json::from_str("[10.0, 12.6, 57.54, 0.1]").unwrap();
        assert_eq!(old, vec![Hundredths(1000), Hundredths(1260), Hundredths(5754), Hundredths(10)]);
        let err = serde_json::from_str::<Hundredths>("75.425").unwrap_err().to_string();
        assert!(err.contains("at most two decimals"), "{err}");
    }
}
