//! Statistics of the prices offered for one catalogue item, to spot a price out of line with
//! the others (a hint for the price check behind an HPS, not a verdict).

use rust_decimal::Decimal;

/// Five-number summary of a price list. All values exact `Decimal`s (normalised).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceStats {
    pub count: usize,
    pub min: Decimal,
    pub max: Decimal,
    pub median: Decimal,
    /// First quartile.
    pub q1: Decimal,
    /// Third quartile.
    pub q3: Decimal,
}

/// The mean of `a ≤ b` without overflowing: when `a + b` overflows both have the same sign,
/// so `b − a` cannot.
fn mid(a: Decimal, b: Decimal) -> Decimal {
    match a.checked_add(b) {
        Some(sum) => sum / Decimal::TWO,
        None => a + (b - a) / Decimal::TWO,
    }
}

/// The median of a sorted, non-empty slice.
fn median(sorted: &[Decimal]) -> Decimal {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        mid(sorted[n / 2 - 1], sorted[n / 2])
    }
}

/// Summarises `prices` (in any order); `None` when empty.
///
/// The median of an even count is the mean of the two middle values. Quartiles use the
/// "median of halves" method (Moore & McCabe; as taught in Indonesian schools): sort, split
/// into a lower and an upper half, leaving out the middle value when the count is odd; Q1 is
/// the median of the lower half and Q3 of the upper half. With a single price both halves
/// are empty and Q1 = Q3 = the price.
pub fn stats(prices: &[Decimal]) -> Option<PriceStats> {
    if prices.is_empty() {
        return None;
    }
    let mut v = prices.to_vec();
    v.sort();
    let n = v.len();
    let (q1, q3) = if n == 1 {
        (v[0], v[0])
    } else {
        let half = n / 2;
        (median(&v[..half]), median(&v[n - half..]))
    };
    Some(PriceStats {
        count: n,
        min: v[0].normalize(),
        max: v[n - 1].normalize(),
        median: median(&v).normalize(),
        q1: q1.normalize(),
        q3: q3.normalize(),
    })
}

impl PriceStats {
    /// The interquartile range, Q3 − Q1.
    pub fn spread(&self) -> Decimal {
        self.q3
            .checked_sub(self.q1)
            .unwrap_or(Decimal::MAX)
            .normalize()
    }

    /// Outside Tukey's fences [Q1 − 1.5·IQR, Q3 + 1.5·IQR]. Always `false` with fewer than
    /// four prices (too few to judge). A fence beyond the `Decimal` range is no fence.
    pub fn is_out_of_line(&self, price: Decimal) -> bool {
        if self.count < 4 {
            return false;
        }
        let reach = self.spread().checked_mul(Decimal::new(15, 1));
        let low = reach.and_then(|r| self.q1.checked_sub(r));
        let high = reach.and_then(|r| self.q3.checked_add(r));
        low.is_some_and(|l| price < l) || high.is_some_and(|h| price > h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn ds(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }

    fn five(s: &PriceStats) -> [String; 5] {
        [s.min, s.q1, s.median, s.q3, s.max].map(|x| x.to_string())
    }

    #[test]
    fn empty_has_no_stats() {
        assert_eq!(stats(&[]), None);
    }

    #[test]
    fn one_and_two_prices() {
        let s = stats(&ds(&["5000"])).unwrap();
        assert_eq!(s.count, 1);
        assert_eq!(five(&s), ["5000"; 5].map(String::from));
        assert_eq!(s.spread(), Decimal::ZERO);
        let s = stats(&ds(&["3000", "1000"])).unwrap();
        assert_eq!(
            five(&s),
            ["1000", "1000", "2000", "3000", "3000"].map(String::from)
        );
    }

    #[test]
    fn odd_count_leaves_the_median_out_of_the_halves() {
        // 1 3 | 5 | 7 9
        let s = stats(&ds(&["9", "1", "7", "3", "5"])).unwrap();
        assert_eq!(five(&s), ["1", "2", "5", "8", "9"].map(String::from));
        assert_eq!(s.spread(), d("6"));
        // 1 2 3 | 4 | 5 6 7
        let s = stats(&ds(&["1", "2", "3", "4", "5", "6", "7"])).unwrap();
        assert_eq!(five(&s), ["1", "2", "4", "6", "7"].map(String::from));
        // 3 prices: halves of one value each.
        let s = stats(&ds(&["10", "20", "40"])).unwrap();
        assert_eq!(five(&s), ["10", "10", "20", "40", "40"].map(String::from));
    }

    #[test]
    fn even_count_uses_exact_means() {
        // 1 2 | 3 4
        let s = stats(&ds(&["4", "3", "2", "1"])).unwrap();
        assert_eq!(five(&s), ["1", "1.5", "2.5", "3.5", "4"].map(String::from));
        // 10 20 30 | 40 50 61
        let s = stats(&ds(&["10", "20", "30", "40", "50", "61"])).unwrap();
        assert_eq!(five(&s), ["10", "20", "35", "50", "61"].map(String::from));
        // Sen stay exact.
        let s = stats(&ds(&["1000.01", "1000.02"])).unwrap();
        assert_eq!(s.median, d("1000.015"));
    }

    #[test]
    fn duplicates_and_trailing_zeros() {
        let s = stats(&ds(&["1500.00", "1500", "1500.0", "1500"])).unwrap();
        assert_eq!(five(&s), ["1500"; 5].map(String::from));
        assert_eq!(s.spread(), Decimal::ZERO);
        // No spread: anything different is out of line.
        assert!(s.is_out_of_line(d("1500.01")));
        assert!(!s.is_out_of_line(d("1500")));
    }

    #[test]
    fn fences_at_one_and_a_half_iqr() {
        // q1 = 2, q3 = 8, IQR 6, fences -7 and 17.
        let s = stats(&ds(&["1", "3", "5", "7", "9"])).unwrap();
        assert!(!s.is_out_of_line(d("17")));
        assert!(s.is_out_of_line(d("17.01")));
        assert!(!s.is_out_of_line(d("-7")));
        assert!(s.is_out_of_line(d("-7.01")));
        assert!(!s.is_out_of_line(d("5")));
    }

    #[test]
    fn catalogue_example() {
        let s = stats(&ds(&[
            "52000", "50000", "51000", "49500", "53000", "50500", "120000",
        ]))
        .unwrap();
        // 49500 50000 50500 | 51000 | 52000 53000 120000
        assert_eq!(s.median, d("51000"));
        assert_eq!((s.q1, s.q3), (d("50000"), d("53000")));
        assert!(s.is_out_of_line(d("120000")));
        assert!(!s.is_out_of_line(d("57500")));
        assert!(s.is_out_of_line(d("57500.01")));
        assert!(s.is_out_of_line(d("45499")));
    }

    #[test]
    fn fewer_than_four_prices_never_out_of_line() {
        let s = stats(&ds(&["1", "2", "1000000"])).unwrap();
        assert!(!s.is_out_of_line(d("999999999")));
        assert!(!s.is_out_of_line(d("-999999999")));
    }

    #[test]
    fn extremes_do_not_panic() {
        let s = stats(&[Decimal::MIN, Decimal::MAX, Decimal::MIN, Decimal::MAX]).unwrap();
        assert_eq!(s.median, Decimal::ZERO);
        assert_eq!(s.spread(), Decimal::MAX);
        assert!(!s.is_out_of_line(Decimal::MAX));
        let s = stats(&[Decimal::MAX, Decimal::MAX]).unwrap();
        assert_eq!(s.median, Decimal::MAX);
    }
}
