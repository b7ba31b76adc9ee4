//! Money in Rupiah. Always a `Decimal`, never a float.
//!
//! Stored as a 64-bit integer of *sen* (hundredths of a Rupiah) so that it round-trips exactly
//! on SQLite (where sea-orm would map `Decimal` to a float `real`) and on PostgreSQL, and can
//! still be summed and sorted by the database. The range (±92 trillion Rupiah) covers any
//! regional budget (APBD) many times over.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Sen per Rupiah.
const SCALE: u32 = 2;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Money(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("amount out of range")]
    OutOfRange,
    #[error("not a number")]
    NotANumber,
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Result<Self, MoneyError> {
        let normalized = amount.normalize();
        if normalized.scale() > SCALE {
            return Err(MoneyError::TooPrecise);
        }
        let m = Money(normalized);
        m.to_minor_units()?; // range check
        Ok(m)
    }

    /// Parses `1250000`, `1250000.5` or `1250000.50`. Rejects floats' rounding by refusing
    /// more than two decimals instead of silently rounding.
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let d = Decimal::from_str(s.trim()).map_err(|_| MoneyError::NotANumber)?;
        Money::new(d)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The storage form: whole sen.
    pub fn to_minor_units(self) -> Result<i64, MoneyError> {
        let sen = self
            .0
            .checked_mul(Decimal::from(100))
            .ok_or(MoneyError::OutOfRange)?;
        i64::try_from(sen.trunc()).map_err(|_| MoneyError::OutOfRange)
    }

    pub fn from_minor_units(sen: i64) -> Self {
        Money(Decimal::new(sen, SCALE).normalize())
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).and_then(|d| Money::new(d).ok())
    }

    /// `volume × unit price`, rounded half-up to whole sen (the convention of Indonesian
    /// budget documents).
    pub fn times(self, quantity: Decimal) -> Result<Money, MoneyError> {
        let v = self.0.checked_mul(quantity).ok_or(MoneyError::OutOfRange)?;
        Money::new(
            v.round_dp_with_strategy(SCALE, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// Formats as Indonesian Rupiah: `Rp 1.250.000,00` (documents: always the sen).
    pub fn to_rupiah(self) -> String {
        self.rupiah(true)
    }

    /// Formats as people read an amount on a page: `Rp 1.250.000`, with the sen only when there
    /// are any (`Rp 1.250.000,50`).
    pub fn to_rupiah_short(self) -> String {
        self.rupiah(false)
    }

    fn rupiah(self, always_sen: bool) -> String {
        let d = self.0.round_dp(SCALE);
        let negative = d.is_sign_negative() && !d.is_zero();
        let s = format!("{:.2}", d.abs());
        let (int_part, frac) = s.split_once('.').unwrap_or((&s, "00"));
        let mut grouped = String::new();
        for (i, ch) in int_part.chars().enumerate() {
            if i > 0 && (int_part.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(ch);
        }
        let sign = if negative { "-" } else { "" };
        if always_sen || frac != "00" {
            format!("{sign}Rp {grouped},{frac}")
        } else {
            format!("{sign}Rp {grouped}")
        }
    }
}

impl TryFrom<Decimal> for Money {
    type Error = MoneyError;
    fn try_from(d: Decimal) -> Result<Self, Self::Error> {
        Money::new(d)
    }
}

impl From<Money> for Decimal {
    fn from(m: Money) -> Decimal {
        m.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_minor_units_exactly() {
        for s in [
            "0",
            "0.01",
            "1250000",
            "1250000.5",
            "98765432109876.54",
            "-3.10",
        ] {
            let m = Money::parse(s).unwrap();
            let back = Money::from_minor_units(m.to_minor_units().unwrap());
            assert_eq!(m, back, "{s}");
            assert_eq!(back.amount(), Decimal::from_str(s).unwrap().normalize());
        }
    }

    #[test]
    fn refuses_to_round_silently() {
        assert_eq!(Money::parse("1.005"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::OutOfRange)
        );
    }

    #[test]
    fn formats_as_rupiah() {
        assert_eq!(
            Money::parse("1250000").unwrap().to_rupiah(),
            "Rp 1.250.000,00"
        );
        assert_eq!(Money::parse("999.5").unwrap().to_rupiah(), "Rp 999,50");
        assert_eq!(Money::parse("0").unwrap().to_rupiah(), "Rp 0,00");
        assert_eq!(Money::parse("-1000").unwrap().to_rupiah(), "-Rp 1.000,00");
    }

    #[test]
    fn multiplies_volume_by_unit_price_half_up() {
        let price = Money::parse("1500.25").unwrap();
        assert_eq!(
            price.times(Decimal::from_str("2.5").unwrap()).unwrap(),
            Money::parse("3750.63").unwrap()
        );
    }
}
