//! Method of Equal Shares (MES), exact.
//!
//! Every voter starts with `budget / voters`. A project `p` costing `c` is *ρ-affordable* if its
//! supporters, each paying `min(money left, ρ × u_p)`, can together pay exactly `c`, where `u_p` is
//! the satisfaction a supporter gets from `p` (its cost, or 1). Each round buys the project with
//! the smallest ρ (ties: tie-breaking rank) and charges its supporters; projects whose
//! supporters together have less than `c` left are dropped. The rule stops when nothing is
//! affordable. Free projects giving satisfaction (i.e. with a supporter, under cardinality
//! satisfaction) are taken up front; projects giving no satisfaction (no supporter, or free
//! under cost satisfaction) are never taken. Identical to pabutools' `method_of_equal_shares`.
//!
//! Because every supporter of `p` gets the same satisfaction `u_p` (ballots are sets), the
//! payment cap `q = ρ × u_p` is the same for all supporters. Voters with the same remaining
//! money are interchangeable, so we keep *budget classes* (one per distinct remaining amount,
//! with per-project supporter counts, sorted by money) instead of iterating over every voter in
//! every round: finding a project's cap walks the classes poorer than it. Money is held as
//! integer numerators over one common denominator (see [`Classes`]), so none of this reduces a
//! fraction; only the reported ρ, caps and payments are reduced.
//!
//! Add1 completion ([`run_add1`]) follows pabutools' `exhaustion_by_budget_increase`: run MES
//! with total budget `B, B+s, B+2s, …` (while ≤ `B × (voters + 1)`); return the first outcome
//! that is exhaustive for the real budget `B` (no unselected project fits in what is left), or,
//! as soon as an outcome costs more than `B`, the previous outcome. If the bound (or our safety
//! cap on the number of runs, [`super::Options::add1_max_runs`]) is reached first, the last
//! outcome is returned.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{Instance, MesDetails, MesRound, Outcome, PaymentGroup, Reason, Satisfaction, Stage};
use crate::number::Rational;

/// A completed MES run.
pub(crate) struct MesRun {
    /// Budget MES distributed.
    pub budget: BigRational,
    pub per_voter: BigRational,
    /// Purchases in order.
    pub rounds: Vec<Purchase>,
    /// Projects dropped because their supporters ran out of money: (project, money left, round).
    pub dropped: Vec<(usize, BigRational, usize)>,
    /// Supported projects that give no satisfaction (free projects under cost satisfaction).
    pub worthless: Vec<usize>,
}

pub(crate) struct Purchase {
    pub project: usize,
    /// `None` for free projects taken up front.
    pub rho: Option<BigRational>,
    pub cap: BigRational,
    pub tied: Vec<usize>,
    /// (amount, voters) groups, largest amount first.
    pub payments: Vec<(BigRational, Vec<u32>)>,
}

impl MesRun {
    pub fn total_cost(&self, inst: &Instance) -> BigRational {
        self.rounds
            .iter()
            .fold(BigRational::zero(), |acc, r| acc + &inst.costs[r.project])
    }

    /// Writes the purchases into `out` (as the first selections).
    pub fn record(&self, inst: &Instance, out: &mut Outcome) {
        for r in &self.rounds {
            let stage = if r.rho.is_some() {
                Stage::Mes
            } else {
                Stage::MesFree
            };
            out.select(
                inst,
                r.project,
                stage,
                Some(r.rho.clone().unwrap_or_default()),
                &r.tied,
            );
        }
        for &p in &self.worthless {
            if !out.selected[p] {
                out.reasons[p] = Some(Reason::NoSatisfaction);
            }
        }
        for (p, available, round) in &self.dropped {
            if !out.selected[*p] {
                out.reasons[*p] = Some(Reason::SupportersCannotAfford {
                    available: Rational(available.clone()),
                    round: *round,
                });
            }
        }
    }

    pub fn details(&self, inst: &Instance, add1_runs: Option<u64>) -> MesDetails {
        let rounds = self
            .rounds
            .iter()
            .enumerate()
            .map(|(i, r)| MesRound {
                round: i + 1,
                project: inst.ids[r.project].clone(),
                affordability: Rational(r.rho.clone().unwrap_or_default()),
                max_payment: Rational(r.cap.clone()),
                tied_with: {
                    let mut t: Vec<String> = r
                        .tied
                        .iter()
                        .filter(|&&q| q != r.project)
                        .map(|&q| inst.ids[q].clone())
                        .collect();
                    t.sort();
                    t
                },
                payments: r
                    .payments
                    .iter()
                    .map(|(amount, voters)| PaymentGroup {
                        amount: Rational(amount.clone()),
                        voters: voters
                            .iter()
                            .map(|&v| inst.voter_id(v as usize).to_string())
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        MesDetails {
            mes_budget: Rational(self.budget.clone()),
            per_voter_budget: Rational(self.per_voter.clone()),
            add1_runs,
            rounds,
        }
    }
}

/// Voters grouped by remaining money (*budget classes*). All amounts are integer numerators
/// over one common denominator (`scale` in [`run`]), so comparing, adding and subtracting
/// money is plain integer arithmetic: no fraction is ever reduced in the inner loops.
///
/// When the scale is multiplied, classes are brought to the new scale lazily: `money[c]` is
/// a numerator at the scale of epoch `epoch[c]` and is multiplied by `lift[epoch[c]]` (the
/// product of the factors since) by [`Classes::money`] just before it is read.
struct Classes {
    money: Vec<BigInt>,
    epoch: Vec<usize>,
    /// `lift[e]`: current scale / scale of epoch `e`; the last entry (current epoch) is 1.
    lift: Vec<BigInt>,
    size: Vec<u64>,
    /// `count[p][c]`: voters of class `c` supporting project `p`.
    count: Vec<Vec<u32>>,
    /// The live classes (some voter, money > 0) by ascending money; their amounts are distinct.
    order: Vec<u32>,
    /// Class slots whose voters all left (every count is 0), ready for reuse.
    free: Vec<u32>,
}

/// `voter_class` of a voter with no money left: such voters pay nothing and are not counted.
const BROKE: u32 = u32::MAX;

impl Classes {
    fn current(&self) -> usize {
        self.lift.len() - 1
    }

    /// Multiplies the scale by `factor`: a new epoch.
    fn rescale(&mut self, factor: u64) {
        for l in &mut self.lift {
            *l *= factor;
        }
        self.lift.push(BigInt::one());
    }

    /// The money of class `c` at the current scale.
    fn money(&mut self, c: u32) -> &BigInt {
        let c = c as usize;
        let now = self.current();
        if self.epoch[c] != now {
            self.money[c] *= &self.lift[self.epoch[c]];
            self.epoch[c] = now;
        }
        &self.money[c]
    }

    fn alloc(&mut self, money: BigInt) -> u32 {
        let now = self.current();
        if self.free.is_empty() {
            // Add slots in batches: one sequential extension of every count column instead of
            // one scattered push per column and slot.
            let old = self.money.len();
            let new = old + (old / 4).max(16);
            self.money.resize(new, BigInt::zero());
            self.epoch.resize(new, 0);
            self.size.resize(new, 0);
            for col in &mut self.count {
                col.resize(new, 0);
            }
            self.free.extend((old as u32..new as u32).rev());
        }
        let c = self.free.pop().expect("a free slot");
        self.money[c as usize] = money;
        self.epoch[c as usize] = now;
        c
    }

    /// Where `amount` is in the order: `Ok(position)` of the class with exactly that money, or
    /// `Err(insertion point)`.
    fn find(&mut self, amount: &BigInt) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.order.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.money(self.order[mid]).cmp(amount) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// The smallest cap `q = rem / k` with Σ over `p`'s supporters of min(money, q) = `cost`,
    /// as `Ok((rem, k))`; `Err(rem)` if the supporters only have `cost - rem` between them.
    /// Walks the supporters' classes from the poorest: those poorer than the cap pay all they
    /// have, the rest pay the cap.
    fn afford(
        &mut self,
        p: usize,
        cost: &BigInt,
        supporters: u64,
    ) -> Result<(BigInt, u64), BigInt> {
        let mut k = supporters;
        let mut rem = cost.clone();
        if k == 0 {
            return Err(rem);
        }
        for i in 0..self.order.len() {
            let c = self.order[i];
            let m = self.count[p][c as usize] as u64;
            if m == 0 {
                continue;
            }
            let money = self.money(c);
            if rem <= money * k {
                return Ok((rem, k));
            }
            rem -= money * m;
            k -= m;
            if k == 0 {
                break;
            }
        }
        Err(rem)
    }
}

/// A positive fraction `num / den`, compared by cross-multiplication and never reduced.
#[derive(Clone)]
struct Frac {
    num: BigInt,
    den: BigInt,
}

impl Frac {
    fn cmp(&self, other: &Frac) -> Ordering {
        (&self.num * &other.den).cmp(&(&other.num * &self.den))
    }
}

fn int(n: u64) -> BigRational {
    BigRational::from_integer(BigInt::from(n))
}

/// Runs MES distributing `budget` (normally the election budget).
#[allow(clippy::needless_range_loop)] // several per-project vectors are indexed together
pub(crate) fn run(
    inst: &Instance,
    sat: Satisfaction,
    budget: &BigRational,
    progress: &dyn Fn(u64, u64),
) -> MesRun {
    let n = inst.num_voters();
    let np = inst.num_projects();
    let mut result = MesRun {
        budget: budget.clone(),
        per_voter: BigRational::zero(),
        rounds: Vec::new(),
        dropped: Vec::new(),
        worthless: Vec::new(),
    };
    if n == 0 {
        return result; // pabutools returns the empty allocation when there are no ballots
    }
    let per_voter = budget / int(n as u64);
    result.per_voter = per_voter.clone();

    // Every amount of money is `numerator / scale`. `scale` starts as the lcm of the
    // denominators of the costs and the per-voter budget and is multiplied whenever a payment
    // cap would not be a whole number of units (all numerators are multiplied with it).
    let mut scale: BigInt = inst
        .costs
        .iter()
        .fold(per_voter.denom().clone(), |acc, c| acc.lcm(c.denom()));
    let scaled = |x: &BigRational, scale: &BigInt| x.numer() * (scale / x.denom());
    let mut cost: Vec<BigInt> = inst.costs.iter().map(|c| scaled(c, &scale)).collect();
    let start = scaled(&per_voter, &scale);

    let mut classes = Classes {
        money: Vec::new(),
        epoch: Vec::new(),
        lift: vec![BigInt::one()],
        size: Vec::new(),
        count: vec![Vec::new(); np],
        order: Vec::new(),
        free: Vec::new(),
    };
    // Supporters of each project that still have money.
    let mut active: Vec<u64> = vec![0; np];
    let mut voter_class = vec![BROKE; n];
    if start.is_positive() {
        let c0 = classes.alloc(start);
        classes.size[c0 as usize] = n as u64;
        for p in 0..np {
            classes.count[p][c0 as usize] = inst.support(p) as u32;
            active[p] = inst.support(p);
        }
        classes.order.push(c0);
        voter_class.fill(c0);
    }
    // ρ = cap / satisfaction = (rem / k) / (weight / scale) with weight = cost (cost
    // satisfaction) or scale (cardinality): ρ = rem / (k × weight).
    let weight = |p: usize, cost: &[BigInt], scale: &BigInt| match sat {
        Satisfaction::Cost => cost[p].clone(),
        Satisfaction::Cardinality => scale.clone(),
    };

    // Candidates and a lower bound on their affordability (it only grows as money is spent).
    let mut candidates: Vec<usize> = Vec::new();
    let mut lower: Vec<Frac> = vec![
        Frac {
            num: BigInt::zero(),
            den: BigInt::one(),
        };
        np
    ];
    for p in 0..np {
        // Projects giving no satisfaction are never bought. Under cost satisfaction this
        // includes free projects (their satisfaction is their cost, 0), as in pabutools.
        if inst.total_sat(p, sat).is_zero() {
            if inst.support(p) > 0 {
                result.worthless.push(p);
            }
            continue;
        }
        if inst.costs[p].is_zero() {
            result.rounds.push(Purchase {
                project: p,
                rho: None,
                cap: BigRational::zero(),
                tied: vec![],
                payments: vec![],
            });
        } else {
            lower[p] = Frac {
                num: cost[p].clone(),
                den: BigInt::from(inst.support(p)) * weight(p, &cost, &scale),
            };
            candidates.push(p);
        }
    }
    let total = candidates.len() as u64;

    // Per-class scratch for charging: the round it was last seen in, where its paying voters
    // go, and which payment group they join.
    let mut seen: Vec<usize> = Vec::new();
    let mut target: Vec<u32> = Vec::new();
    let mut group_of: Vec<usize> = Vec::new();
    let mut evaluated: Vec<Option<(BigInt, u64)>> = vec![None; np];
    let mut is_dropped = vec![false; np];
    loop {
        progress(result.rounds.len() as u64, total);
        let round = result.rounds.len() + 1;
        candidates.sort_by(|&a, &b| {
            lower[a]
                .cmp(&lower[b])
                .then(inst.rank[a].cmp(&inst.rank[b]))
        });

        let mut best: Option<Frac> = None;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &candidates {
            if let Some(b) = &best {
                if lower[p].cmp(b) == Ordering::Greater {
                    break; // sorted by lower bound: nothing further can beat or tie `best`
                }
            }
            match classes.afford(p, &cost[p], active[p]) {
                Err(rem) => {
                    let available = BigRational::new(&cost[p] - rem, scale.clone());
                    result.dropped.push((p, available, round));
                    is_dropped[p] = true;
                }
                Ok((rem, k)) => {
                    let rho = Frac {
                        num: rem.clone(),
                        den: BigInt::from(k) * weight(p, &cost, &scale),
                    };
                    lower[p] = rho.clone();
                    evaluated[p] = Some((rem, k));
                    match best.as_ref().map(|b| rho.cmp(b)) {
                        Some(Ordering::Greater) => {}
                        Some(Ordering::Equal) => tied.push(p),
                        _ => {
                            best = Some(rho);
                            tied = vec![p];
                        }
                    }
                }
            }
        }
        candidates.retain(|&p| !is_dropped[p]);
        let Some(rho) = best else { break };
        let chosen = inst.tie_winner(&tied);
        candidates.retain(|&p| p != chosen);
        let (rem, k) = evaluated[chosen].take().expect("evaluated this round");
        let rho = BigRational::new(rho.num, rho.den);
        let cap = BigRational::new(rem.clone(), BigInt::from(k) * &scale);

        // The cap rem / k must be a whole number of units: multiply the scale by k / gcd.
        let k_big = BigInt::from(k);
        let g = rem.gcd(&k_big);
        let factor = (&k_big / &g).to_u64().expect("divides k");
        let q = rem / &g;
        if factor != 1 {
            scale *= factor;
            classes.rescale(factor);
            for c in &mut cost {
                *c *= factor;
            }
        }

        // Charge the supporters: min(money, cap) each, moving them to their new class.
        let mut payments: Vec<(BigInt, Vec<u32>)> = Vec::new();
        let mut cap_group = None;
        // New classes with their insertion point in the order as it was at the start of the round.
        let mut created: Vec<(usize, u32)> = Vec::new();
        for &v in inst.supporters(chosen) {
            let c = voter_class[v as usize];
            if c == BROKE {
                continue;
            }
            let ci = c as usize;
            if seen.len() < classes.money.len() {
                seen.resize(classes.money.len(), 0);
                target.resize(classes.money.len(), BROKE);
                group_of.resize(classes.money.len(), 0);
            }
            if seen[ci] != round {
                seen[ci] = round;
                let money = classes.money(c);
                let pays_cap = *money >= q;
                target[ci] = if *money <= q {
                    BROKE
                } else {
                    let left = money - &q;
                    match classes.find(&left) {
                        Ok(i) => classes.order[i],
                        Err(pos) => {
                            let t = classes.alloc(left);
                            created.push((pos, t));
                            t
                        }
                    }
                };
                group_of[ci] = if pays_cap {
                    *cap_group.get_or_insert_with(|| {
                        payments.push((q.clone(), Vec::new()));
                        payments.len() - 1
                    })
                } else {
                    payments.push((classes.money[ci].clone(), Vec::new()));
                    payments.len() - 1
                };
            }
            let t = target[ci];
            classes.size[ci] -= 1;
            if t == BROKE {
                for &r in inst.ballot(v as usize) {
                    classes.count[r as usize][ci] -= 1;
                    active[r as usize] -= 1;
                }
            } else {
                classes.size[t as usize] += 1;
                for &r in inst.ballot(v as usize) {
                    let col = &mut classes.count[r as usize];
                    col[ci] -= 1;
                    col[t as usize] += 1;
                }
            }
            voter_class[v as usize] = t;
            payments[group_of[ci]].1.push(v);
        }
        // New classes join the order at their insertion points (several at one point are
        // sorted by money); emptied classes leave it and are freed.
        let Classes {
            money,
            size,
            order,
            free,
            ..
        } = &mut classes;
        created.sort_by(|&(i, a), &(j, b)| {
            i.cmp(&j)
                .then_with(|| money[a as usize].cmp(&money[b as usize]))
        });
        let mut merged = Vec::with_capacity(order.len() + created.len());
        let mut new = created.into_iter().peekable();
        for (j, &c) in order.iter().enumerate() {
            while let Some((_, t)) = new.next_if(|&(i, _)| i == j) {
                merged.push(t);
            }
            if size[c as usize] > 0 {
                merged.push(c);
            } else {
                free.push(c);
            }
        }
        merged.extend(new.map(|(_, t)| t));
        *order = merged;

        payments.sort_by(|a, b| b.0.cmp(&a.0));
        let payments: Vec<(BigRational, Vec<u32>)> = payments
            .into_iter()
            .map(|(amount, voters)| (BigRational::new(amount, scale.clone()), voters))
            .collect();
        debug_assert_eq!(
            payments.iter().fold(BigRational::zero(), |acc, (a, vs)| acc
                + a * int(vs.len() as u64)),
            inst.costs[chosen]
        );
        result.rounds.push(Purchase {
            project: chosen,
            rho: Some(rho),
            cap,
            tied,
            payments,
        });
    }
    progress(total, total);
    result
}

/// MES with Add1 completion: see the module docs. Returns the chosen run and how many MES runs
/// were made.
pub(crate) fn run_add1(
    inst: &Instance,
    sat: Satisfaction,
    step: &BigRational,
    max_runs_cap: u64,
    progress: &dyn Fn(u64, u64),
) -> (MesRun, u64) {
    let real = &inst.budget;
    let bound = real * int(inst.num_voters() as u64 + 1);
    let max_runs = if step.is_zero() {
        1
    } else {
        ((&bound - real) / step)
            .floor()
            .to_integer()
            .to_u64()
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }
    .min(max_runs_cap.max(1));
    let noop = |_: u64, _: u64| {};
    let mut previous = MesRun {
        budget: real.clone(),
        per_voter: BigRational::zero(),
        rounds: Vec::new(),
        dropped: Vec::new(),
        worthless: Vec::new(),
    };
    let mut current = real.clone();
    let mut runs = 0u64;
    while current <= bound && runs < max_runs {
        let run = run(inst, sat, &current, &noop);
        runs += 1;
        progress(runs, max_runs);
        let cost = run.total_cost(inst);
        if cost > *real {
            return (previous, runs);
        }
        let left = real - &cost;
        let mut chosen = vec![false; inst.num_projects()];
        for r in &run.rounds {
            chosen[r.project] = true;
        }
        let exhaustive = (0..inst.num_projects()).all(|p| chosen[p] || inst.costs[p] > left);
        if exhaustive || step.is_zero() {
            return (run, runs);
        }
        current += step;
        previous = run;
    }
    (previous, runs)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;

    #[test]
    fn fractional_shares_with_poor_voter() {
        // Budget 31, three voters with 31/3 each (cardinality satisfaction).
        // Round 1: "a" (12, by v1 v2) and "c" (12, by v2 v3) tie at rho = 6; "a" wins the
        // tie-break and v1, v2 pay 6 each (13/3 left). "b" (20, by all) is now unaffordable:
        // 13/3 + 13/3 + 31/3 = 19 < 20. Round 2: "c": v2 pays all of its 13/3 and v3 pays the
        // cap q with 13/3 + q = 12, so q = 23/3.
        let e = election(
            31,
            &[("a", 12), ("b", 20), ("c", 12)],
            &[&["a", "b"], &["a", "b", "c"], &["b", "c"]],
        );
        let a = allocate(
            &e,
            Rule::Mes(Completion::None),
            &opts(Satisfaction::Cardinality),
        )
        .unwrap();
        assert_eq!(a.selected, vec!["a", "c"]);
        assert_eq!(a.steps[0].tied_with, vec!["c"]);
        assert_eq!(a.voter_share("v1", "a"), Some(&q(6, 1)));
        assert_eq!(a.voter_share("v2", "a"), Some(&q(6, 1)));
        assert_eq!(a.voter_share("v2", "c"), Some(&q(13, 3)));
        assert_eq!(a.voter_share("v3", "c"), Some(&q(23, 3)));
        assert_eq!(a.voter_share("v3", "a"), None);
        let mes = a.mes.as_ref().unwrap();
        assert_eq!(mes.per_voter_budget.to_string(), "31/3");
        assert_eq!(mes.rounds[1].affordability.to_string(), "23/3");
        assert_eq!(mes.rounds[1].payments.len(), 2);
        let b = a.projects.iter().find(|p| p.id == "b").unwrap();
        assert_eq!(
            b.reason,
            Some(Reason::SupportersCannotAfford {
                available: Rational::from(19),
                round: 2
            })
        );
        assert_eq!(a.voter_payments("v2").len(), 2);
    }

    #[test]
    fn shares_can_be_non_decimal() {
        // 3 voters, budget 10 -> 10/3 each; "x" costs 10 and everyone supports it: 10/3 each.
        let e = election(10, &[("x", 10)], &[&["x"], &["x"], &["x"]]);
        let a = allocate(&e, Rule::Mes(Completion::None), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.selected, vec!["x"]);
        assert_eq!(a.voter_share("v1", "x"), Some(&q(10, 3)));
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["mes"]["rounds"][0]["payments"][0]["amount"], "10/3");
    }

    #[test]
    fn cost_vs_cardinality() {
        // 4 voters, budget 100 (25 each). "big" (80) by v1..v4? no: by v1,v2,v3 (75 < 80): unaffordable.
        // Cost sat: rho = cap/cost. "s1"(20) by v1,v2 ; "s2"(30) by v3,v4 ; "m"(50) by v1,v2,v3,v4.
        let e = election(
            100,
            &[("m", 50), ("s1", 20), ("s2", 30)],
            &[&["m", "s1"], &["m", "s1"], &["m", "s2"], &["m", "s2"]],
        );
        // Cost: rho(m)=12.5/50=1/4, rho(s1)=10/20=1/2, rho(s2)=15/30=1/2 -> m; then everyone
        // has 12.5: s1 (20) is affordable, s2 (30 > 25) is not.
        let a = allocate(&e, Rule::Mes(Completion::None), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(
            a.steps
                .iter()
                .map(|s| s.project.as_str())
                .collect::<Vec<_>>(),
            vec!["m", "s1"]
        );
        // Cardinality: rho(m)=12.5, rho(s1)=10, rho(s2)=15 -> s1, then m: v1,v2 have 15, v3,v4 25 -> cap 12.5, then s2: v3,v4 have 12.5 -> 25 < 30 no.
        let a = allocate(
            &e,
            Rule::Mes(Completion::None),
            &opts(Satisfaction::Cardinality),
        )
        .unwrap();
        assert_eq!(
            a.steps
                .iter()
                .map(|s| s.project.as_str())
                .collect::<Vec<_>>(),
            vec!["s1", "m"]
        );
    }

    #[test]
    fn greedy_completion_and_add1() {
        // Two camps: 3 voters like "a" (cost 60), 1 voter likes "b" (cost 40). Budget 100:
        // each voter has 25. "a": 75 >= 60, taken (20 each). "b": 25 < 40 -> MES stops at {a}.
        let e = election(
            100,
            &[("a", 60), ("b", 40)],
            &[&["a"], &["a"], &["a"], &["b"]],
        );
        let plain = allocate(&e, Rule::Mes(Completion::None), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(plain.selected, vec!["a"]);
        let greedy =
            allocate(&e, Rule::Mes(Completion::Greedy), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(greedy.selected, vec!["a", "b"]);
        assert_eq!(greedy.steps[1].stage, Stage::Greedy);
        // Add1: the budget grows 1% (1) per run until the "b" voter has 40: at total 160 (x4 voters).
        let add1 = allocate(&e, Rule::Mes(Completion::Add1), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(add1.selected, vec!["a", "b"]);
        let mes = add1.mes.unwrap();
        assert_eq!(mes.mes_budget.to_string(), "160");
        assert_eq!(mes.add1_runs, Some(61));
        // Per-voter step of 5 reaches 40 per voter after 3 steps.
        let o = Options {
            add1_step: Add1Step::PerVoter(Rational::from(5)),
            ..opts(Satisfaction::Cost)
        };
        let add1 = allocate(&e, Rule::Mes(Completion::Add1), &o).unwrap();
        assert_eq!(add1.mes.unwrap().per_voter_budget.to_string(), "40");
    }

    #[test]
    fn add1_stops_before_overspending() {
        // "a" (60) by 2 voters, "b" (60) by 2 other voters; budget 100: 25 each, neither affordable.
        // Raising to 120 (30 each) makes both affordable at once: 120 > 100, so the previous
        // (empty) outcome is kept.
        let e = election(
            100,
            &[("a", 60), ("b", 60)],
            &[&["a"], &["a"], &["b"], &["b"]],
        );
        let add1 = allocate(&e, Rule::Mes(Completion::Add1), &opts(Satisfaction::Cost)).unwrap();
        assert!(add1.selected.is_empty());
        let add1g = allocate(
            &e,
            Rule::Mes(Completion::Add1Greedy),
            &opts(Satisfaction::Cost),
        )
        .unwrap();
        assert_eq!(add1g.selected, vec!["a"]);
    }

    #[test]
    fn free_projects_and_ties() {
        let e = election(
            10,
            &[("free", 0), ("9", 5), ("10", 5), ("nobody", 0)],
            &[&["free", "9", "10"], &["9", "10"]],
        );
        // Under cost satisfaction a free project is worth 0 to its supporters: never bought.
        let a = allocate(&e, Rule::Mes(Completion::None), &opts(Satisfaction::Cost)).unwrap();
        assert_eq!(a.selected, vec!["10", "9"]);
        let f = a.projects.iter().find(|p| p.id == "free").unwrap();
        assert_eq!(f.reason, Some(Reason::NoSatisfaction));
        let a = allocate(
            &e,
            Rule::Mes(Completion::None),
            &opts(Satisfaction::Cardinality),
        )
        .unwrap();
        assert_eq!(a.steps[0].project, "free");
        assert_eq!(a.steps[0].stage, Stage::MesFree);
        assert_eq!(a.steps[1].project, "10");
        assert_eq!(a.steps[1].tied_with, vec!["9"]);
        assert_eq!(a.selected, vec!["10", "9", "free"]);
        let n = a.projects.iter().find(|p| p.id == "nobody").unwrap();
        assert_eq!(n.reason, Some(Reason::NoSupport));
    }
}
