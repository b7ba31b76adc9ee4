//! Randomised cross-checks of the optimised MES and Phragmén against direct per-voter
//! implementations written from the rule definitions (docs/allocation.md): every selection,
//! every ρ / load and every voter's payment must be identical. pabutools itself is checked by
//! `oracle/check_pabutools.py`; these tests need nothing outside the crate.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

use super::*;
use crate::pb::{Project, Vote, VoteType};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn ratio(n: u64, d: u64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// A small random election: ties in costs, decimal and fractional amounts, tiny and large
/// budgets, empty ballots, and (in "crowded" mode) many voters sharing a few ballots so that
/// their money stays equal for a while and splits later.
fn random_election(rng: &mut Rng) -> Election {
    const IDS: [&str; 8] = ["1", "2", "9", "10", "a", "b", "c", "11"];
    let np = 1 + rng.below(7) as usize;
    let costs: Vec<BigRational> = (0..np)
        .map(|_| {
            let base = [1, 2, 3, 5, 6, 10, 12, 15, 30][rng.below(9) as usize];
            match rng.below(4) {
                0 => ratio(base * 7, 4),
                1 => ratio(base * 100 + rng.below(100), 100),
                _ => ratio(base, 1),
            }
        })
        .collect();
    let crowded = rng.below(3) == 0;
    let nv = if crowded {
        10 + rng.below(60)
    } else {
        rng.below(13)
    } as usize;
    let pool: Vec<Vec<usize>> = (0..4)
        .map(|_| (0..np).filter(|_| rng.below(2) == 0).collect())
        .collect();
    let votes = (0..nv)
        .map(|v| {
            let ballot: Vec<usize> = if crowded && rng.below(4) != 0 {
                pool[rng.below(4) as usize].clone()
            } else {
                (0..np).filter(|_| rng.below(3) == 0).collect()
            };
            Vote {
                voter_id: format!("v{v}"),
                projects: ballot.iter().map(|&p| IDS[p].to_string()).collect(),
                points: vec![],
                extra: vec![],
            }
        })
        .collect();
    let total = costs.iter().fold(BigRational::zero(), |a, c| a + c);
    let budget = match rng.below(5) {
        0 => BigRational::from_integer(BigInt::from(rng.below(8))),
        1 => total.clone() * ratio(1 + rng.below(5), 1),
        _ => total * ratio(1 + rng.below(9), 10),
    };
    Election {
        meta: vec![],
        budget: Rational(budget),
        vote_type: VoteType::Approval,
        project_columns: vec![],
        projects: (0..np)
            .map(|p| Project {
                id: IDS[p].to_string(),
                cost: Rational(costs[p].clone()),
                extra: vec![],
            })
            .collect(),
        vote_columns: vec![],
        votes,
    }
}

/// Projects in lexicographic id order with their supporters (voter indices).
fn projects_by_id(e: &Election) -> Vec<(String, BigRational, Vec<usize>)> {
    let mut ps: Vec<_> = e
        .projects
        .iter()
        .map(|p| {
            let sup = (0..e.votes.len())
                .filter(|&v| e.votes[v].projects.contains(&p.id))
                .collect();
            (p.id.clone(), p.cost.0.clone(), sup)
        })
        .collect();
    ps.sort_by(|a, b| a.0.cmp(&b.0));
    ps
}

/// Plain MES, one voter at a time: (project, ρ, payment of every voter) per purchase, for
/// projects with a positive cost (free ones do not change anybody's money).
fn reference_mes(e: &Election, sat: Satisfaction) -> Vec<(String, BigRational, Vec<BigRational>)> {
    let n = e.votes.len();
    if n == 0 {
        return vec![];
    }
    let mut money = vec![&e.budget.0 / BigRational::from_integer(BigInt::from(n)); n];
    let mut left: Vec<_> = projects_by_id(e)
        .into_iter()
        .filter(|(_, c, s)| !c.is_zero() && !s.is_empty())
        .collect();
    let mut out = vec![];
    loop {
        let mut best: Option<(BigRational, usize, BigRational)> = None;
        let mut drop = vec![];
        for (i, (_, cost, sup)) in left.iter().enumerate() {
            let mut have: Vec<BigRational> = sup
                .iter()
                .map(|&v| money[v].clone())
                .filter(|m| !m.is_zero())
                .collect();
            have.sort();
            let (mut rem, mut k) = (cost.clone(), have.len());
            let mut cap = None;
            for m in &have {
                if rem <= m * BigRational::from_integer(BigInt::from(k)) {
                    cap = Some(&rem / BigRational::from_integer(BigInt::from(k)));
                    break;
                }
                rem -= m;
                k -= 1;
            }
            let Some(cap) = cap else {
                drop.push(i);
                continue;
            };
            let rho = match sat {
                Satisfaction::Cost => &cap / cost,
                Satisfaction::Cardinality => cap.clone(),
            };
            if best.as_ref().is_none_or(|(b, _, _)| rho < *b) {
                best = Some((rho, i, cap));
            }
        }
        let Some((rho, i, cap)) = best else {
            return out;
        };
        let mut paid = vec![BigRational::zero(); n];
        for &v in &left[i].2 {
            paid[v] = money[v].clone().min(cap.clone());
            money[v] -= &paid[v];
        }
        out.push((left[i].0.clone(), rho, paid));
        drop.push(i);
        drop.sort_unstable();
        for &d in drop.iter().rev() {
            left.remove(d);
        }
    }
}

/// Plain sequential Phragmén, one voter at a time: (project, load) per selection.
fn reference_phragmen(e: &Election) -> Vec<(String, Option<BigRational>)> {
    let mut load = vec![BigRational::zero(); e.votes.len()];
    let mut remaining = e.budget.0.clone();
    let mut left: Vec<_> = projects_by_id(e)
        .into_iter()
        .filter(|(_, c, _)| *c <= e.budget.0)
        .collect();
    let mut out = vec![];
    while !left.is_empty() {
        // None = infinite; the first minimum in id order wins, the rule stops if any tie misfits.
        let new_load = |(_, cost, sup): &(String, BigRational, Vec<usize>)| {
            (!sup.is_empty()).then(|| {
                let sum = sup.iter().fold(cost.clone(), |a, &v| a + &load[v]);
                sum / BigRational::from_integer(BigInt::from(sup.len()))
            })
        };
        let loads: Vec<_> = left.iter().map(new_load).collect();
        let key =
            |l: &Option<BigRational>| (l.is_none(), l.clone().unwrap_or_else(BigRational::one));
        let min = loads.iter().map(key).min().expect("non-empty");
        let tied: Vec<usize> = (0..left.len()).filter(|&i| key(&loads[i]) == min).collect();
        if tied.iter().any(|&i| left[i].1 > remaining) {
            return out;
        }
        let i = tied[0];
        if let Some(l) = &loads[i] {
            for &v in &left[i].2 {
                load[v] = l.clone();
            }
        }
        remaining -= &left[i].1;
        out.push((left[i].0.clone(), loads[i].clone()));
        left.remove(i);
    }
    out
}

#[test]
fn mes_matches_per_voter_reference() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..600 {
        let e = random_election(&mut rng);
        for sat in [Satisfaction::Cost, Satisfaction::Cardinality] {
            let opts = Options {
                satisfaction: sat,
                ..Options::default()
            };
            let a = allocate(&e, Rule::Mes(Completion::None), &opts).unwrap();
            let want = reference_mes(&e, sat);
            let mes = a.mes.as_ref().unwrap();
            let got: Vec<_> = mes
                .rounds
                .iter()
                .zip(&a.steps)
                .filter(|(_, s)| s.stage == Stage::Mes)
                .map(|(r, _)| r)
                .collect();
            let ctx = || format!("case {case} {sat:?}: {}", crate::pb::write(&e));
            assert_eq!(got.len(), want.len(), "{}", ctx());
            for (r, (project, rho, paid)) in got.iter().zip(&want) {
                assert_eq!(&r.project, project, "{}", ctx());
                assert_eq!(&r.affordability.0, rho, "{}", ctx());
                for (v, pay) in paid.iter().enumerate() {
                    let id = &e.votes[v].voter_id;
                    let share = a.voter_share(id, project);
                    assert_eq!(share, (!pay.is_zero()).then_some(pay), "{}", ctx());
                }
                let mut amounts: Vec<_> = r.payments.iter().map(|g| g.amount.0.clone()).collect();
                let sorted = amounts.clone();
                amounts.dedup();
                assert_eq!(
                    amounts, sorted,
                    "payment groups are distinct, largest first"
                );
            }
        }
    }
}

#[test]
fn phragmen_matches_per_voter_reference() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for case in 0..600 {
        let e = random_election(&mut rng);
        let a = allocate(&e, Rule::Phragmen, &Options::default()).unwrap();
        let got: Vec<_> = a
            .steps
            .iter()
            .map(|s| (s.project.clone(), s.score.as_ref().map(|r| r.0.clone())))
            .collect();
        assert_eq!(
            got,
            reference_phragmen(&e),
            "case {case}: {}",
            crate::pb::write(&e)
        );
    }
}
