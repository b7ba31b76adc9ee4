//! Sequential Phragmén, exact.
//!
//! Every voter carries a *load* (money spent on their behalf), initially 0. Buying project `p`
//! spreads its cost over its supporters so that they all end with the same load
//! `(Σ supporters' loads + cost) / supporters`. Each round picks the project with the smallest
//! such new load (ties: tie-breaking rank); projects nobody supports have infinite load and
//! come last. The rule **stops** (without skipping) as soon as one of the minimal projects does
//! not fit into the remaining budget. Only projects costing at most the budget are considered.
//! Identical to pabutools' `sequential_phragmen` (which accepts approval profiles only; we
//! treat any ballot as the set of projects on it).
//!
//! Loads only take the values set in earlier rounds, so we keep, for every round, how many
//! supporters of each project currently carry that round's load (integer counts), and form
//! the sums from those counts. All loads are integer numerators over one common denominator,
//! so these sums and the comparisons between candidates never reduce a fraction.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

use super::{Instance, Outcome, Reason, Stage};

pub(crate) fn run(inst: &Instance, out: &mut Outcome, progress: &dyn Fn(u64, u64)) {
    let np = inst.num_projects();
    let mut candidates: Vec<usize> = (0..np)
        .filter(|&p| !out.selected[p] && inst.costs[p] <= inst.budget)
        .collect();
    // Every load is `numerator / scale`: `scale` starts as the lcm of the costs' denominators
    // and is multiplied whenever a new load would not be a whole number of units (all
    // numerators are multiplied with it), so sums and comparisons are integer arithmetic.
    let mut scale: BigInt = inst
        .costs
        .iter()
        .fold(BigInt::one(), |acc, c| acc.lcm(c.denom()));
    let mut cost: Vec<BigInt> = inst
        .costs
        .iter()
        .map(|c| c.numer() * (&scale / c.denom()))
        .collect();
    // level_load[t]: numerator of the load set in round t (level 0 = load 0);
    // count[t][p]: supporters of p carrying that load.
    let mut level_load: Vec<BigInt> = vec![BigInt::zero()];
    let mut count: Vec<Vec<u32>> = vec![(0..np).map(|p| inst.support(p) as u32).collect()];
    let mut level_of = vec![0u32; inst.num_voters()];
    let total = candidates.len() as u64;
    let mut done = 0u64;

    while !candidates.is_empty() {
        progress(done, total);
        // New max load of every candidate as (Σ supporters' loads + cost, supporters): the load
        // is the first over the second (over `scale`); None = infinite (no supporters).
        let mut best: Option<Option<(BigInt, u64)>> = None;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &candidates {
            let s = inst.support(p);
            let load = (s > 0).then(|| {
                let mut sum = cost[p].clone();
                for (t, l) in level_load.iter().enumerate().skip(1) {
                    let c = count[t][p];
                    if c > 0 {
                        sum += l * c;
                    }
                }
                (sum, s)
            });
            let cmp = match (&best, &load) {
                (None, _) => Ordering::Less,
                (Some(None), None) => Ordering::Equal,
                (Some(None), Some(_)) => Ordering::Less,
                (Some(Some(_)), None) => Ordering::Greater,
                (Some(Some((bs, bk))), Some((ls, lk))) => (ls * bk).cmp(&(bs * lk)),
            };
            match cmp {
                Ordering::Less => {
                    best = Some(load);
                    tied = vec![p];
                }
                Ordering::Equal => tied.push(p),
                Ordering::Greater => {}
            }
        }
        let load = best.expect("candidates is non-empty");
        let remaining = out.remaining(inst);
        if let Some(&blocker) = tied
            .iter()
            .filter(|&&p| inst.costs[p] > remaining)
            .min_by_key(|&&p| inst.rank[p])
        {
            let blocked_by = inst.ids[blocker].clone();
            for &p in &candidates {
                out.reasons[p] = Some(if p == blocker {
                    Reason::DidNotFit {
                        remaining: remaining.clone().into(),
                    }
                } else {
                    Reason::RuleStopped {
                        blocked_by: blocked_by.clone(),
                    }
                });
            }
            break;
        }
        let chosen = inst.tie_winner(&tied);
        let score = load
            .as_ref()
            .map(|(sum, s)| BigRational::new(sum.clone(), BigInt::from(*s) * &scale));
        if let Some((sum, s)) = load {
            // The new load sum / s must be a whole number of units: multiply the scale by s / gcd.
            let s = BigInt::from(s);
            let g = sum.gcd(&s);
            let factor = (&s / &g).to_u64().expect("divides the support");
            if factor != 1 {
                scale *= factor;
                for l in &mut level_load {
                    *l *= factor;
                }
                for c in &mut cost {
                    *c *= factor;
                }
            }
            let t = level_load.len();
            level_load.push(sum / g);
            count.push(vec![0; np]);
            for &v in inst.supporters(chosen) {
                let old = level_of[v as usize] as usize;
                for &r in inst.ballot(v as usize) {
                    count[old][r as usize] -= 1;
                    count[t][r as usize] += 1;
                }
                level_of[v as usize] = t as u32;
            }
        }
        out.select(inst, chosen, Stage::Phragmen, score, &tied);
        candidates.retain(|&p| p != chosen);
        done += 1;
    }
    progress(total, total);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;

    #[test]
    fn loads_and_stop() {
        // Budget 100. Round 1 loads: a (40, by v1 v2) 20, b (30, by v3) 30, c (30, by v1 v3) 15,
        // d (50, by v2) 50 -> c; v1 and v3 now carry 15. Round 2: a (15 + 0 + 40) / 2 = 27.5,
        // b 15 + 30 = 45, d 50 -> a. Round 3: b 45, d 27.5 + 50 = 77.5 -> b.
        let e = election(
            100,
            &[("a", 40), ("b", 30), ("c", 30), ("d", 50)],
            &[&["a", "c"], &["a", "d"], &["b", "c"]],
        );
        let a = allocate(&e, Rule::Phragmen, &opts(Satisfaction::Cost)).unwrap();
        let order: Vec<_> = a
            .steps
            .iter()
            .map(|s| (s.project.as_str(), s.score.as_ref().unwrap().to_string()))
            .collect();
        assert_eq!(
            order,
            vec![
                ("c", "15".to_string()),
                ("a", "27.5".to_string()),
                ("b", "45".to_string())
            ]
        );
        // d would need 50 but only 0 is left: the rule stops.
        let d = a.projects.iter().find(|p| p.id == "d").unwrap();
        assert!(matches!(d.reason, Some(Reason::DidNotFit { .. })));
    }

    #[test]
    fn stops_instead_of_skipping() {
        // "big" (90) has the lowest load (90/3 = 30) but does not fit once "x" is bought?
        // Budget 100: x (20, by v4) load 20 < 30, bought first; big 90 > 80 left: stop, even
        // though "small" (10) would fit.
        let e = election(
            100,
            &[("big", 90), ("x", 20), ("small", 10)],
            &[&["big"], &["big"], &["big"], &["x"], &[]],
        );
        let a = allocate(&e, Rule::Phragmen, &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.selected, vec!["x"]);
        let s = a.projects.iter().find(|p| p.id == "small").unwrap();
        assert_eq!(
            s.reason,
            Some(Reason::RuleStopped {
                blocked_by: "big".into()
            })
        );
    }

    #[test]
    fn fractional_loads() {
        // a (10) by three voters: load 10/3.
        let e = election(10, &[("a", 10)], &[&["a"], &["a"], &["a"]]);
        let a = allocate(&e, Rule::Phragmen, &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.steps[0].score.as_ref().unwrap().to_string(), "10/3");
    }
}
