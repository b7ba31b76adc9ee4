//! Exact numbers: parsing decimals into [`BigRational`], printing them back, and a
//! serde-friendly wrapper ([`Rational`]) that serialises as a string (`"12"`, `"308298.85"`,
//! `"1/3"`). No floating point anywhere.

use std::fmt;
use std::ops::Deref;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact rational number that (de)serialises as a string.
///
/// Integers print as `"42"`, numbers with a terminating decimal expansion as `"308298.85"`,
/// anything else as a fraction `"1/3"`. [`parse_number`] reads all three forms back.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rational(pub BigRational);

impl Rational {
    pub fn zero() -> Self {
        Rational(BigRational::zero())
    }
    pub fn from_integer(n: impl Into<BigInt>) -> Self {
        Rational(BigRational::from_integer(n.into()))
    }
    pub fn into_inner(self) -> BigRational {
        self.0
    }
    /// Rounded decimal with at most `places` digits after the point, for human display only.
    pub fn to_decimal_rounded(&self, places: usize) -> String {
        format_rounded(&self.0, places)
    }
}

impl Deref for Rational {
    type Target = BigRational;
    fn deref(&self) -> &BigRational {
        &self.0
    }
}

impl From<BigRational> for Rational {
    fn from(r: BigRational) -> Self {
        Rational(r)
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Self {
        Rational::from_integer(n)
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_number(&self.0))
    }
}

impl Serialize for Rational {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_number(&self.0))
    }
}

impl<'de> Deserialize<'de> for Rational {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_number(&s)
            .map(Rational)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses an exact number: an integer (`"233863"`), a decimal with `.` or `,` as separator
/// (`"308298.85"`, `"12,5"`), optionally with an exponent (`"1.5e3"`), or a fraction (`"1/3"`).
/// Leading/trailing whitespace is ignored.
pub fn parse_number(s: &str) -> Result<BigRational, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("expected a number, found an empty value".into());
    }
    if let Some((n, d)) = t.split_once('/') {
        let n = parse_decimal(n.trim()).map_err(|e| format!("{e} (in fraction {t:?})"))?;
        let d = parse_decimal(d.trim()).map_err(|e| format!("{e} (in fraction {t:?})"))?;
        if d.is_zero() {
            return Err(format!("fraction {t:?} has a zero denominator"));
        }
        return Ok(n / d);
    }
    parse_decimal(t)
}

fn parse_decimal(t: &str) -> Result<BigRational, String> {
    let bad = || format!("{t:?} is not a number (expected e.g. 1500, 1500.25 or 1/3)");
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => {
            let exp: i64 = t[i + 1..].parse().map_err(|_| bad())?;
            if exp.unsigned_abs() > 1000 {
                return Err(format!("exponent in {t:?} is out of range"));
            }
            (&t[..i], exp)
        }
        None => (t, 0),
    };
    let (negative, digits) = match mantissa.as_bytes().first() {
        Some(b'-') => (true, &mantissa[1..]),
        Some(b'+') => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = match digits.find(['.', ',']) {
        Some(i) => (&digits[..i], &digits[i + 1..]),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return Err(bad());
    }
    let mut numer: BigInt = format!("{int_part}{frac_part}0")
        .parse::<BigInt>()
        .map_err(|_| bad())?
        / BigInt::from(10u8);
    if negative {
        numer = -numer;
    }
    let scale = exponent - frac_part.len() as i64;
    let ten = BigInt::from(10u8);
    let value = if scale >= 0 {
        BigRational::from_integer(numer * num_traits::pow(ten, scale as usize))
    } else {
        BigRational::new(numer, num_traits::pow(ten, (-scale) as usize))
    };
    Ok(value)
}

/// Formats exactly: integer, terminating decimal, or `numer/denom`.
pub fn format_number(r: &BigRational) -> String {
    if r.is_integer() {
        return r.numer().to_string();
    }
    // A reduced fraction has a terminating decimal expansion iff its denominator is 2^a·5^b.
    let mut d = r.denom().clone();
    let (two, five) = (BigInt::from(2u8), BigInt::from(5u8));
    let (mut a, mut b) = (0usize, 0usize);
    while d.is_even() {
        d /= &two;
        a += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        b += 1;
    }
    if !d.is_one() {
        return format!("{}/{}", r.numer(), r.denom());
    }
    let places = a.max(b);
    let scaled = r * BigRational::from_integer(num_traits::pow(BigInt::from(10u8), places));
    debug_assert!(scaled.is_integer());
    insert_point(&scaled.to_integer(), places)
}

/// Rounds half away from zero to `places` decimals (display only; never used in rule logic).
pub fn format_rounded(r: &BigRational, places: usize) -> String {
    let factor = BigRational::from_integer(num_traits::pow(BigInt::from(10u8), places));
    let scaled = (r * factor).round();
    let s = insert_point(&scaled.to_integer(), places);
    if places == 0 {
        return s;
    }
    // Trim trailing zeros of the fraction for readability.
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn insert_point(n: &BigInt, places: usize) -> String {
    let neg = n.is_negative();
    let mut digits = n.abs().to_string();
    if places == 0 {
        return if neg { format!("-{digits}") } else { digits };
    }
    if digits.len() <= places {
        digits = format!("{}{digits}", "0".repeat(places + 1 - digits.len()));
    }
    let (i, f) = digits.split_at(digits.len() - places);
    format!("{}{i}.{f}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn parses_integers_decimals_fractions() {
        assert_eq!(parse_number("233863").unwrap(), q(233863, 1));
        assert_eq!(parse_number(" 308298.85 ").unwrap(), q(30829885, 100));
        assert_eq!(parse_number("12,5").unwrap(), q(25, 2));
        assert_eq!(parse_number("381500.0").unwrap(), q(381500, 1));
        assert_eq!(parse_number("-0.5").unwrap(), q(-1, 2));
        assert_eq!(parse_number(".5").unwrap(), q(1, 2));
        assert_eq!(parse_number("1.5e3").unwrap(), q(1500, 1));
        assert_eq!(parse_number("1/3").unwrap(), q(1, 3));
        assert!(parse_number("").is_err());
        assert!(parse_number("12a").is_err());
        assert!(parse_number(".").is_err());
        assert!(parse_number("1/0").is_err());
        assert!(parse_number("1.2.3").is_err());
    }

    #[test]
    fn formats_exactly() {
        assert_eq!(format_number(&q(233863, 1)), "233863");
        assert_eq!(format_number(&q(30829885, 100)), "308298.85");
        assert_eq!(format_number(&q(-1, 8)), "-0.125");
        assert_eq!(format_number(&q(1, 3)), "1/3");
        for r in [q(7, 40), q(-123456789, 1000), q(2, 3)] {
            assert_eq!(parse_number(&format_number(&r)).unwrap(), r);
        }
    }

    #[test]
    fn rounds_for_display() {
        assert_eq!(format_rounded(&q(1, 3), 2), "0.33");
        assert_eq!(format_rounded(&q(2, 3), 2), "0.67");
        assert_eq!(format_rounded(&q(5, 1), 2), "5");
        assert_eq!(format_rounded(&q(-1, 3), 2), "-0.33");
    }

    #[test]
    fn serde_as_string() {
        let r = Rational(q(1, 3));
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(s, "\"1/3\"");
        let back: Rational = serde_json::from_str(&s).unwrap();
        assert_eq!(back, r);
    }
}
