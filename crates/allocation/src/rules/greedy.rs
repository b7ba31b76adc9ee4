//! Greedy utilitarian welfare.
//!
//! Projects not yet selected are ordered by total satisfaction per unit of cost, best first
//! (a free project with supporters counts as infinitely good; a project nobody supports scores
//! 0), ties broken by the tie-breaking rank. Each project is then taken if it still fits the
//! remaining budget and skipped otherwise. This is pabutools'
//! `greedy_utilitarian_welfare` for additive satisfaction; used after MES it completes the
//! MES outcome on the leftover budget.

use std::cmp::Ordering;

use num_rational::BigRational;
use num_traits::Zero;

use super::{Instance, Outcome, Reason, Satisfaction, Stage};
use crate::number::Rational;

/// Satisfaction per cost; `None` = infinite (free project with supporters).
fn density(inst: &Instance, p: usize, sat: Satisfaction) -> Option<BigRational> {
    let total = inst.total_sat(p, sat);
    if total.is_zero() {
        Some(BigRational::zero())
    } else if inst.costs[p].is_zero() {
        None
    } else {
        Some(total / &inst.costs[p])
    }
}

fn better(a: &Option<BigRational>, b: &Option<BigRational>) -> Ordering {
    // Descending: infinite first, then larger densities.
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(x),
    }
}

pub(crate) fn run(inst: &Instance, sat: Satisfaction, out: &mut Outcome) {
    let mut candidates: Vec<(usize, Option<BigRational>)> = (0..inst.num_projects())
        .filter(|&p| !out.selected[p])
        .map(|p| (p, density(inst, p, sat)))
        .collect();
    candidates.sort_by(|(p, dp), (q, dq)| better(dp, dq).then(inst.rank[*p].cmp(&inst.rank[*q])));
    for (i, (p, d)) in candidates.iter().enumerate() {
        let remaining = out.remaining(inst);
        if inst.costs[*p] <= remaining {
            let tied: Vec<usize> = candidates[i..]
                .iter()
                .take_while(|(_, dq)| better(d, dq) == Ordering::Equal)
                .map(|(q, _)| *q)
                .filter(|&q| inst.costs[q] <= remaining)
                .collect();
            out.select(inst, *p, Stage::Greedy, d.clone(), &tied);
        } else {
            out.reasons[*p] = Some(Reason::DidNotFit {
                remaining: Rational(remaining),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::*;

    #[test]
    fn cost_satisfaction_orders_by_supporters_and_skips() {
        // Cost-sat density = number of supporters. a(3 votes, 60), b(2, 50), c(2, 30), d(1, 10).
        let e = election(
            100,
            &[("a", 60), ("b", 50), ("c", 30), ("d", 10)],
            &[&["a", "b"], &["a", "c"], &["a", "b", "c", "d"]],
        );
        let a = allocate(&e, Rule::Greedy, &opts(Satisfaction::Cost)).unwrap();
        // a (60) first; b and c tie at 2 -> "b" first but 50 > 40 left, skipped; c fits; d fits.
        assert_eq!(a.selected, vec!["a", "c", "d"]);
        assert_eq!(a.total_cost.to_string(), "100");
        let b = a.projects.iter().find(|p| p.id == "b").unwrap();
        assert_eq!(
            b.reason,
            Some(Reason::DidNotFit {
                remaining: Rational::from(40)
            })
        );
        assert_eq!(a.steps[1].project, "c");
    }

    #[test]
    fn cardinality_prefers_cheap() {
        let e = election(
            100,
            &[("a", 60), ("b", 50), ("c", 30), ("d", 10)],
            &[&["a", "b"], &["a", "c"], &["a", "b", "c", "d"]],
        );
        let a = allocate(&e, Rule::Greedy, &opts(Satisfaction::Cardinality)).unwrap();
        // densities: a 3/60=1/20, b 2/50, c 2/30, d 1/10 -> d, c, a(60>60? 100-40=60 fits), b no.
        assert_eq!(
            a.steps
                .iter()
                .map(|s| s.project.as_str())
                .collect::<Vec<_>>(),
            vec!["d", "c", "a"]
        );
    }

    #[test]
    fn lexicographic_on_strings_and_unsupported_projects_fill() {
        // "10" < "9" as strings. Unsupported project "z" has density 0 but still fits at the end.
        let e = election(25, &[("9", 10), ("10", 10), ("z", 5)], &[&["9", "10"]]);
        let a = allocate(&e, Rule::Greedy, &opts(Satisfaction::Cardinality)).unwrap();
        assert_eq!(a.steps[0].project, "10");
        assert_eq!(a.steps[0].tied_with, vec!["9"]);
        assert_eq!(a.selected, vec!["10", "9", "z"]);
        let alt = Options {
            tie_breaking: TieBreaking::MaxCost,
            ..opts(Satisfaction::Cardinality)
        };
        assert_eq!(
            allocate(&e, Rule::Greedy, &alt).unwrap().steps[0].project,
            "10"
        );
    }
}
