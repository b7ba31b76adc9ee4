//! Quantiles and Tukey fences, in exact `Decimal`s.
//!
//! Cardinal's documentation speaks of "the first quartile", "the third quartile" and a
//! percentile without naming an estimator; Cardinal computes them with the `statrs` crate,
//! whose `quantile` is Hyndman & Fan's type 8 ("approximately median-unbiased"; R's
//! `quantile(type = 8)`). The same estimator is written here, in `Decimal`, so that results
//! agree with Cardinal's on the same data:
//!
//! with the values sorted x₁ ≤ … ≤ xₙ and p the wanted fraction, h = (n + ⅓)·p + ⅓; with
//! j = ⌊h⌋, the quantile is x₁ if j = 0 (or p = 0), xₙ if j ≥ n (or p = 1), and otherwise
//! xⱼ + (h − j)·(xⱼ₊₁ − xⱼ).
//!
//! For p = P/100 that is h = (3nP + P + 100) / 300, computed in integers; the fraction h − j
//! is an exact multiple of 1/300, so the one rounding is the final division by 300 (at the
//! 28th significant digit of `Decimal`).

use rust_decimal::Decimal;

/// The `percent`-th percentile of `values` (any order), Hyndman & Fan type 8. `None` when
/// `values` is empty or `percent` > 100.
pub(crate) fn percentile(values: &[Decimal], percent: u32) -> Option<Decimal> {
    if values.is_empty() || percent > 100 {
        return None;
    }
    let mut v = values.to_vec();
    v.sort();
    let n = v.len() as u128;
    let p = u128::from(percent);
    let h300 = 3 * n * p + p + 100;
    let j = h300 / 300;
    let rest = h300 % 300;
    if percent == 0 || j == 0 {
        return Some(v[0]);
    }
    if percent == 100 || j >= n {
        return Some(v[v.len() - 1]);
    }
    // j < n ≤ usize::MAX.
    let lo = v[(j - 1) as usize];
    let hi = v[j as usize];
    let gap = hi.checked_sub(lo)?;
    let rest = Decimal::from(rest as u64);
    let step = gap
        .checked_mul(rest)
        .and_then(|x| x.checked_div(Decimal::from(300)))
        .or_else(|| {
            gap.checked_div(Decimal::from(300))
                .and_then(|x| x.checked_mul(rest))
        })?;
    lo.checked_add(step).map(|d| d.normalize())
}

/// Q1 and Q3 of `values` (type 8), `None` when empty.
pub(crate) fn quartiles(values: &[Decimal]) -> Option<(Decimal, Decimal)> {
    Some((percentile(values, 25)?, percentile(values, 75)?))
}

/// 1.5 · (Q3 − Q1).
fn reach(q1: Decimal, q3: Decimal) -> Option<Decimal> {
    q3.checked_sub(q1)?.checked_mul(Decimal::new(15, 1))
}

/// Q1 − 1.5 · IQR.
pub(crate) fn lower_fence(q1: Decimal, q3: Decimal) -> Option<Decimal> {
    q1.checked_sub(reach(q1, q3)?).map(|d| d.normalize())
}

/// Q3 + 1.5 · IQR.
pub(crate) fn upper_fence(q1: Decimal, q3: Decimal) -> Option<Decimal> {
    q3.checked_add(reach(q1, q3)?).map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ds(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn type_8_by_hand() {
        // n = 5, p = 0.25: h = (5 + 1/3)/4 + 1/3 = 5/3; j = 1, h − j = 2/3:
        // 1 + 2/3 · (99 − 1) = 66.333…; p = 0.75: h = 13/3, j = 4: 99 + 1/3 · 0 = 99.
        let v = ds(&["99", "1", "99", "99", "99"]);
        let (q1, q3) = quartiles(&v).unwrap();
        assert_eq!(q1.round_dp(6), d("66.333333"));
        assert_eq!(q3, d("99"));
        // n = 4 (1, 2, 3, 4): Q1 at h = 425/300 = 1.4166… → 1.4166…; Q3 at h = 1075/300.
        let v = ds(&["4", "3", "2", "1"]);
        let (q1, q3) = quartiles(&v).unwrap();
        assert_eq!(q1.round_dp(6), d("1.416667"));
        assert_eq!(q3.round_dp(6), d("3.583333"));
        // One value: every quantile is that value.
        assert_eq!(quartiles(&ds(&["7"])), Some((d("7"), d("7"))));
        assert_eq!(percentile(&ds(&["1", "2"]), 0), Some(d("1")));
        assert_eq!(percentile(&ds(&["1", "2"]), 100), Some(d("2")));
        assert_eq!(percentile(&ds(&["1", "2"]), 101), None);
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn fences() {
        assert_eq!(lower_fence(d("0.05"), d("0.07")), Some(d("0.02")));
        assert_eq!(upper_fence(d("0.05"), d("0.07")), Some(d("0.1")));
    }
}
