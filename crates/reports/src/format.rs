//! Formatting of numbers, dates and labels for the two languages.
//!
//! Money is never formatted here: it always goes through [`Money::to_rupiah`], which is the
//! project's one Rupiah format (`Rp 1.250.000,00`) in both languages.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;

/// Picks the Indonesian or English label.
pub fn tr(lang: Lang, id: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// `Rp 1.250.000,00` — the only money format.
pub fn rupiah(m: Money) -> String {
    m.to_rupiah()
}

#[allow(clippy::manual_is_multiple_of)] // is_multiple_of needs Rust 1.87; the workspace allows 1.85
fn group(int_part: &str, sep: char) -> String {
    let mut out = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// An integer with thousands separators: `12.345` (Id) or `12,345` (En).
pub fn int(n: u64, lang: Lang) -> String {
    group(&n.to_string(), if lang == Lang::En { ',' } else { '.' })
}

/// A count and its noun: `3 usulan` (Indonesian does not inflect), `1 proposal` / `3 proposals`.
pub fn count(n: u64, lang: Lang, id: &str, en_one: &str, en_many: &str) -> String {
    let noun = match lang {
        Lang::Id => id,
        Lang::En if n == 1 => en_one,
        Lang::En => en_many,
    };
    format!("{} {noun}", int(n, lang))
}

/// A decimal with thousands separators and the language's decimal mark, rounded half-up
/// (away from zero) to at most `max_dp` places, trailing zeros dropped: `1.234,5` / `1,234.5`.
pub fn decimal(d: Decimal, max_dp: u32, lang: Lang) -> String {
    let d = d
        .round_dp_with_strategy(max_dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let negative = d.is_sign_negative() && !d.is_zero();
    let s = d.abs().to_string();
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let (gsep, dsep) = if lang == Lang::En {
        (',', '.')
    } else {
        ('.', ',')
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group(&int_part, gsep));
    if let Some(f) = frac {
        out.push(dsep);
        out.push_str(&f);
    }
    out
}

/// A percentage of `part` in `whole` with one decimal (`12,5%`), or `-` when `whole` is 0.
pub fn percent(part: Decimal, whole: Decimal, lang: Lang) -> String {
    if whole.is_zero() {
        return "-".into();
    }
    format!("{}%", decimal(part * Decimal::from(100) / whole, 1, lang))
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `12 Maret 2026` / `12 March 2026`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let months = if lang == Lang::En {
        &MONTHS_EN
    } else {
        &MONTHS_ID
    };
    format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
}

/// The day of the week: `Kamis` / `Thursday`.
pub fn weekday(d: NaiveDate, lang: Lang) -> &'static str {
    const ID: [&str; 7] = [
        "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let i = d.weekday().num_days_from_monday() as usize;
    if lang == Lang::En {
        EN[i]
    } else {
        ID[i]
    }
}

/// Sums money exactly; `None` on overflow.
pub fn sum_money<I: IntoIterator<Item = Money>>(items: I) -> Option<Money> {
    items
        .into_iter()
        .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
}

/// `12 Maret 2026 09:15 UTC`.
pub fn datetime(t: DateTime<Utc>, lang: Lang) -> String {
    format!("{} {} UTC", date(t.date_naive(), lang), t.format("%H:%M"))
}

/// `2026-03-12 09:15:02` (UTC), compact for tables.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The first 12 hex digits of a hash (enough to identify, short enough for a table cell).
pub fn short_hash(h: &str) -> String {
    h.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(int(1234567, Lang::Id), "1.234.567");
        assert_eq!(int(1234567, Lang::En), "1,234,567");
        assert_eq!(int(12, Lang::Id), "12");
        let d = Decimal::from_str("12345.675").unwrap();
        assert_eq!(decimal(d, 2, Lang::Id), "12.345,68");
        assert_eq!(decimal(d, 2, Lang::En), "12,345.68");
        assert_eq!(
            decimal(Decimal::from_str("3.50").unwrap(), 2, Lang::Id),
            "3,5"
        );
        assert_eq!(
            decimal(Decimal::from_str("-0.5").unwrap(), 0, Lang::Id),
            "-1"
        );
        assert_eq!(
            percent(Decimal::from(1), Decimal::from(8), Lang::Id),
            "12,5%"
        );
        assert_eq!(percent(Decimal::from(1), Decimal::ZERO, Lang::Id), "-");
    }

    #[test]
    fn dates_follow_the_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        assert_eq!(date(d, Lang::Id), "12 Maret 2026");
        assert_eq!(date(d, Lang::En), "12 March 2026");
        assert_eq!(short_hash("0123456789abcdef"), "0123456789ab");
        assert_eq!(weekday(d, Lang::Id), "Kamis");
        assert_eq!(weekday(d, Lang::En), "Thursday");
    }
}
