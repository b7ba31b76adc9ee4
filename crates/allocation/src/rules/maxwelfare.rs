//! Exact maximum utilitarian welfare (0/1 knapsack).
//!
//! Maximises Σ over selected projects of (supporters × satisfaction per supporter) subject to
//! the budget. Free projects that give satisfaction are always selected; projects adding no
//! welfare (nobody supports them, or free under cost satisfaction) are never selected. Among all welfare-maximal sets, the one chosen is the
//! lexicographically first in tie-breaking order: the best-ranked project is included if some
//! optimal set contains it, then the next one if some optimal set contains both decisions so
//! far, and so on. (pabutools' `max_additive_utilitarian_welfare` leaves this choice to its
//! solver, so only the welfare value is comparable with it.)
//!
//! Costs and the budget are scaled by the lcm of their denominators to exact integers; the
//! search is a depth-first branch and bound with the fractional (Dantzig) upper bound, in `i128`
//! when every intermediate provably fits and in `BigInt` otherwise.

use std::ops::{Add, Div, Mul, Sub};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

use super::{Instance, Outcome, Reason, Satisfaction, Stage};

trait Num:
    Clone
    + Ord
    + Zero
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
}
impl Num for i128 {}
impl Num for BigInt {}

/// State of one branch-and-bound search.
struct Search<'a, T> {
    /// Decisions fixed in advance (`None` = free).
    fixed: &'a [Option<bool>],
    /// Decisions on the current path.
    cur: Vec<bool>,
    /// Best value so far (maximising) or the target value (reaching).
    best: T,
    found: Option<Vec<bool>>,
    reach: bool,
}

struct Knapsack<T> {
    w: Vec<T>,
    v: Vec<T>,
    /// Item indices by efficiency v/w, best first.
    order: Vec<usize>,
}

impl<T: Num> Knapsack<T> {
    fn new(w: Vec<T>, v: Vec<T>, rank: &[u32]) -> Self {
        let mut order: Vec<usize> = (0..w.len()).collect();
        order.sort_by(|&a, &b| {
            (v[b].clone() * w[a].clone())
                .cmp(&(v[a].clone() * w[b].clone()))
                .then(rank[a].cmp(&rank[b]))
        });
        Knapsack { w, v, order }
    }

    /// Upper bound on the value reachable from position `pos` of `order` (fractional relaxation).
    fn bound(&self, pos: usize, mut cap: T, mut val: T, fixed: &[Option<bool>]) -> T {
        for &i in &self.order[pos..] {
            if fixed[i].is_some() {
                continue;
            }
            if self.w[i] <= cap {
                cap = cap - self.w[i].clone();
                val = val + self.v[i].clone();
            } else {
                return val + cap * self.v[i].clone() / self.w[i].clone();
            }
        }
        val
    }

    /// Depth-first search from position `pos` of `order`. Maximising: improves `st.best`.
    /// Reaching: stops at the first assignment worth at least `st.best`.
    fn dfs(&self, pos: usize, cap: T, val: T, st: &mut Search<'_, T>) -> bool {
        if st.reach && val >= st.best {
            st.found = Some(st.cur.clone());
            return true;
        }
        if !st.reach && val > st.best {
            st.best = val.clone();
            st.found = Some(st.cur.clone());
        }
        // Next free item.
        let mut p = pos;
        while p < self.order.len() && st.fixed[self.order[p]].is_some() {
            p += 1;
        }
        if p >= self.order.len() {
            return false;
        }
        let ub = self.bound(p, cap.clone(), val.clone(), st.fixed);
        if (st.reach && ub < st.best) || (!st.reach && ub <= st.best) {
            return false;
        }
        let i = self.order[p];
        if self.w[i] <= cap {
            st.cur[i] = true;
            let hit = self.dfs(
                p + 1,
                cap.clone() - self.w[i].clone(),
                val.clone() + self.v[i].clone(),
                st,
            );
            st.cur[i] = false;
            if hit {
                return true;
            }
        }
        self.dfs(p + 1, cap, val, st)
    }

    /// The lexicographically first (in `by_rank` order) optimal selection.
    fn solve(&self, capacity: T, by_rank: &[usize], progress: &dyn Fn(u64, u64)) -> Vec<bool> {
        let n = self.w.len();
        let free = vec![None; n];
        let mut st = Search {
            fixed: &free,
            cur: vec![false; n],
            best: T::zero(),
            found: None,
            reach: false,
        };
        self.dfs(0, capacity.clone(), T::zero(), &mut st);
        let mut witness = st.found.unwrap_or_else(|| vec![false; n]);
        let optimum = st.best;
        let mut fixed: Vec<Option<bool>> = vec![None; n];
        let (mut cap, mut val) = (capacity, T::zero());
        for (k, &i) in by_rank.iter().enumerate() {
            progress(k as u64, n as u64);
            // `witness` is an optimal set consistent with every decision in `fixed`.
            let include = if witness[i] {
                true
            } else if self.w[i] > cap {
                false
            } else {
                fixed[i] = Some(true);
                let cur = fixed.iter().map(|f| *f == Some(true)).collect::<Vec<_>>();
                let mut st = Search {
                    fixed: &fixed,
                    cur,
                    best: optimum.clone(),
                    found: None,
                    reach: true,
                };
                let base_cap = cap.clone() - self.w[i].clone();
                let base_val = val.clone() + self.v[i].clone();
                let ok = self.dfs(0, base_cap, base_val, &mut st);
                if let Some(f) = st.found.filter(|_| ok) {
                    witness = f;
                    true
                } else {
                    false
                }
            };
            fixed[i] = Some(include);
            if include {
                cap = cap - self.w[i].clone();
                val = val + self.v[i].clone();
            }
        }
        progress(n as u64, n as u64);
        fixed.into_iter().map(|f| f == Some(true)).collect()
    }
}

pub(crate) fn run(
    inst: &Instance,
    sat: Satisfaction,
    out: &mut Outcome,
    progress: &dyn Fn(u64, u64),
) {
    let np = inst.num_projects();
    // Free projects that give satisfaction always add welfare (under cost satisfaction a free
    // project is worth 0 and is left out, like projects nobody supports).
    let mut free: Vec<usize> = (0..np)
        .filter(|&p| {
            !out.selected[p] && inst.costs[p].is_zero() && !inst.total_sat(p, sat).is_zero()
        })
        .collect();
    free.sort_by_key(|&p| inst.rank[p]);
    for p in free {
        out.select(
            inst,
            p,
            Stage::MaxWelfare,
            Some(inst.total_sat(p, sat)),
            &[],
        );
    }
    let remaining = out.remaining(inst);
    let items: Vec<usize> = (0..np)
        .filter(|&p| {
            !out.selected[p]
                && inst.support(p) > 0
                && !inst.costs[p].is_zero()
                && inst.costs[p] <= remaining
        })
        .collect();
    // Scale to integers.
    let scale = items.iter().fold(remaining.denom().clone(), |acc, &p| {
        acc.lcm(inst.costs[p].denom())
    });
    let scale_q = BigRational::from_integer(scale.clone());
    let to_int = |r: &BigRational| -> BigInt { (r * &scale_q).to_integer() };
    let w: Vec<BigInt> = items.iter().map(|&p| to_int(&inst.costs[p])).collect();
    let v: Vec<BigInt> = items
        .iter()
        .map(|&p| match sat {
            Satisfaction::Cost => {
                &w[items.iter().position(|&x| x == p).unwrap()] * BigInt::from(inst.support(p))
            }
            Satisfaction::Cardinality => BigInt::from(inst.support(p)),
        })
        .collect();
    let capacity = to_int(&remaining);
    let rank: Vec<u32> = items.iter().map(|&p| inst.rank[p]).collect();
    let mut by_rank: Vec<usize> = (0..items.len()).collect();
    by_rank.sort_by_key(|&i| rank[i]);

    // i128 is safe if every product/sum stays below 2^126.
    let sum_all: BigInt = w
        .iter()
        .chain(v.iter())
        .fold(capacity.clone(), |a, x| a + x);
    let max_one = w
        .iter()
        .chain(v.iter())
        .max()
        .cloned()
        .unwrap_or_else(BigInt::one);
    let fits_i128 = (&sum_all * &max_one).bits() < 126;
    let chosen = if fits_i128 {
        let conv = |xs: &[BigInt]| {
            xs.iter()
                .map(|x| x.to_i128().expect("checked"))
                .collect::<Vec<i128>>()
        };
        Knapsack::new(conv(&w), conv(&v), &rank).solve(
            capacity.to_i128().expect("checked"),
            &by_rank,
            progress,
        )
    } else {
        Knapsack::new(w, v, &rank).solve(capacity, &by_rank, progress)
    };
    let mut picked: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen[*i])
        .map(|(_, &p)| p)
        .collect();
    picked.sort_by_key(|&p| inst.rank[p]);
    for p in picked {
        out.select(
            inst,
            p,
            Stage::MaxWelfare,
            Some(inst.total_sat(p, sat)),
            &[],
        );
    }
    for p in items {
        if !out.selected[p] {
            out.reasons[p] = Some(Reason::NotInOptimum);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;

    fn brute_force(e: &crate::pb::Election, sat: Satisfaction) -> BigRational {
        let inst = Instance::new(e, TieBreaking::Lexicographic).unwrap();
        let n = inst.num_projects();
        let mut best = BigRational::zero();
        for mask in 0u32..(1 << n) {
            let mut cost = BigRational::zero();
            let mut val = BigRational::zero();
            for p in 0..n {
                if mask & (1 << p) != 0 {
                    cost += &inst.costs[p];
                    val += inst.total_sat(p, sat);
                }
            }
            if cost <= inst.budget && val > best {
                best = val;
            }
        }
        best
    }

    #[test]
    fn beats_greedy_and_matches_brute_force() {
        // Greedy (cost sat) takes "a" (3 votes, 60) then nothing else fits; b + c is better.
        let e = election(
            100,
            &[("a", 60), ("b", 50), ("c", 50)],
            &[&["a", "b", "c"], &["a", "b", "c"], &["a"], &["b"], &["c"]],
        );
        for sat in [Satisfaction::Cost, Satisfaction::Cardinality] {
            let a = allocate(&e, Rule::MaxWelfare, &opts(sat)).unwrap();
            assert_eq!(a.welfare.0, brute_force(&e, sat), "{sat:?}");
        }
        let a = allocate(&e, Rule::MaxWelfare, &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.selected, vec!["b", "c"]);
        assert_eq!(a.welfare.to_string(), "300");
    }

    #[test]
    fn ties_prefer_tie_breaking_order() {
        // Two equally good single projects: "10" < "9" as strings.
        let e = election(10, &[("9", 10), ("10", 10)], &[&["9"], &["10"]]);
        let a = allocate(&e, Rule::MaxWelfare, &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.selected, vec!["10"]);
        let o = Options {
            tie_breaking: TieBreaking::MaxCost,
            ..opts(Satisfaction::Cost)
        };
        assert_eq!(
            allocate(&e, Rule::MaxWelfare, &o).unwrap().selected,
            vec!["10"]
        );
        // Cardinality: {x, y} and {z} both worth 2; x < y < z lexicographically, so {x, y}.
        let e = election(
            10,
            &[("z", 10), ("x", 5), ("y", 5)],
            &[&["z", "x"], &["z", "y"]],
        );
        let a = allocate(&e, Rule::MaxWelfare, &opts(Satisfaction::Cardinality)).unwrap();
        assert_eq!(a.selected, vec!["x", "y"]);
    }

    #[test]
    fn pseudo_random_instances_match_brute_force() {
        let mut seed: u64 = 42;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..40 {
            let np = 1 + next(9) as usize;
            let ids: Vec<String> = (0..np).map(|i| i.to_string()).collect();
            let projects: Vec<(&str, i64)> = ids
                .iter()
                .map(|id| (id.as_str(), 1 + next(20) as i64))
                .collect();
            let ballots: Vec<Vec<&str>> = (0..1 + next(8))
                .map(|_| {
                    ids.iter()
                        .filter(|_| next(3) == 0)
                        .map(|s| s.as_str())
                        .collect()
                })
                .collect();
            let refs: Vec<&[&str]> = ballots.iter().map(|b| b.as_slice()).collect();
            let e = election(1 + next(60) as i64, &projects, &refs);
            for sat in [Satisfaction::Cost, Satisfaction::Cardinality] {
                let a = allocate(&e, Rule::MaxWelfare, &opts(sat)).unwrap();
                assert_eq!(a.welfare.0, brute_force(&e, sat));
                assert!(a.total_cost.0 <= e.budget.0);
            }
        }
    }
}
