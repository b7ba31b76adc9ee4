//! Rupiah amounts as Indonesian readers write them in running text: `Rp200.000.000`,
//! `Rp1.250.000,50` (dot between thousands, comma before the sen).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Formats `amount` as Rupiah: thousands separated by `.`, rounded half away from zero to
/// whole sen, the sen (after `,`, always two digits) shown only when not zero; a minus sign
/// before `Rp`. Unlike `mufakat_core::Money::to_rupiah` there is no space after `Rp` and no
/// `,00` for whole amounts, as in legal text ("paling banyak Rp200.000.000").
pub fn format_rupiah(amount: Decimal) -> String {
    let d = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = d.is_sign_negative() && !d.is_zero();
    let abs = d.abs();
    let whole = abs.trunc();
    // 0..=99 after rounding to two places.
    let sen = ((abs - whole) * Decimal::ONE_HUNDRED)
        .trunc()
        .to_u8()
        .unwrap_or(0);
    let int_part = whole.normalize().to_string();
    // ASCII digits only, so byte slicing is safe. The first group has 1-3 digits.
    let first = match int_part.len() % 3 {
        0 => 3.min(int_part.len()),
        r => r,
    };
    let mut grouped = String::from(&int_part[..first]);
    for chunk in int_part.as_bytes()[first..].chunks(3) {
        grouped.push('.');
        grouped.extend(chunk.iter().map(|&b| char::from(b)));
    }
    let sign = if negative { "-" } else { "" };
    if sen == 0 {
        format!("{sign}Rp{grouped}")
    } else {
        format!("{sign}Rp{grouped},{sen:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn f(s: &str) -> String {
        format_rupiah(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn groups_thousands_with_dots() {
        assert_eq!(f("0"), "Rp0");
        assert_eq!(f("7"), "Rp7");
        assert_eq!(f("999"), "Rp999");
        assert_eq!(f("1000"), "Rp1.000");
        assert_eq!(f("100000"), "Rp100.000");
        assert_eq!(f("200000000"), "Rp200.000.000");
        assert_eq!(f("1234567890123"), "Rp1.234.567.890.123");
    }

    #[test]
    fn shows_sen_only_when_there_are_some() {
        assert_eq!(f("1250000.50"), "Rp1.250.000,50");
        assert_eq!(f("1250000.5"), "Rp1.250.000,50");
        assert_eq!(f("1250000.05"), "Rp1.250.000,05");
        assert_eq!(f("0.01"), "Rp0,01");
        assert_eq!(f("200000000.00"), "Rp200.000.000");
    }

    #[test]
    fn rounds_half_away_from_zero_to_sen() {
        assert_eq!(f("0.005"), "Rp0,01");
        assert_eq!(f("0.004"), "Rp0");
        assert_eq!(f("999.999"), "Rp1.000");
        assert_eq!(f("-0.004"), "Rp0");
    }

    #[test]
    fn negative_amounts() {
        assert_eq!(f("-1000"), "-Rp1.000");
        assert_eq!(f("-1250000.5"), "-Rp1.250.000,50");
    }

    #[test]
    fn largest_decimal() {
        assert_eq!(
            format_rupiah(Decimal::MAX),
            "Rp79.228.162.514.264.337.593.543.950.335"
        );
    }
}
