//! Estimated cost = volume × unit price (rounded half-up to whole sen), unless staff override it
//! with a reason.

use mufakat_core::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    pub volume: Decimal,
    pub unit: String,
    pub unit_price: Money,
    pub computed: Money,
    /// An override and its reason; the computed cost is kept beside it.
    pub override_amount: Option<Money>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("volume must be greater than zero")]
    VolumeNotPositive,
    #[error("unit price must not be negative")]
    NegativePrice,
    #[error("an override needs a reason")]
    OverrideWithoutReason,
    #[error("an override must not be negative")]
    NegativeOverride,
    #[error("amount out of range")]
    OutOfRange,
}

impl Cost {
    pub fn new(
        volume: Decimal,
        unit: &str,
        unit_price: Money,
        override_amount: Option<Money>,
        override_reason: Option<&str>,
    ) -> Result<Cost, CostError> {
        if volume <= Decimal::ZERO {
            return Err(CostError::VolumeNotPositive);
        }
        if unit_price.amount().is_sign_negative() {
            return Err(CostError::NegativePrice);
        }
        let computed = unit_price
            .times(volume)
            .map_err(|_| CostError::OutOfRange)?;
        let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(o) = override_amount {
            if o.amount().is_sign_negative() {
                return Err(CostError::NegativeOverride);
            }
            if reason.is_none() {
                return Err(CostError::OverrideWithoutReason);
            }
        }
        Ok(Cost {
            volume: volume.normalize(),
            unit: unit.trim().to_owned(),
            unit_price,
            computed,
            override_amount,
            override_reason: override_amount.and(reason.map(str::to_owned)),
        })
    }

    /// The cost that counts: the override when there is one.
    pub fn estimated(&self) -> Money {
        self.override_amount.unwrap_or(self.computed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn cost_is_volume_times_price() {
        let c = Cost::new(d("120.5"), "m", Money::parse("350000").unwrap(), None, None).unwrap();
        assert_eq!(c.estimated(), Money::parse("42175000").unwrap());
    }

    #[test]
    fn override_needs_a_reason_and_keeps_the_computed_cost() {
        let p = Money::parse("1000").unwrap();
        assert_eq!(
            Cost::new(
                d("2"),
                "unit",
                p,
                Some(Money::parse("5000").unwrap()),
                Some("  ")
            ),
            Err(CostError::OverrideWithoutReason)
        );
        let c = Cost::new(
            d("2"),
            "unit",
            p,
            Some(Money::parse("5000").unwrap()),
            Some("harga survei 2026"),
        )
        .unwrap();
        assert_eq!(c.estimated(), Money::parse("5000").unwrap());
        assert_eq!(c.computed, Money::parse("2000").unwrap());
    }

    #[test]
    fn rejects_nonsense() {
        let p = Money::parse("1000").unwrap();
        assert_eq!(
            Cost::new(d("0"), "m", p, None, None),
            Err(CostError::VolumeNotPositive)
        );
        assert_eq!(
            Cost::new(d("1"), "m", Money::parse("-1").unwrap(), None, None),
            Err(CostError::NegativePrice)
        );
    }
}
