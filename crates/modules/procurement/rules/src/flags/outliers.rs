//! The indicators judged against fences of the whole set: R024 and R058 (the difference
//! between the winning and the second-lowest valid bid), R025 (win ratio of top tenderers),
//! R038 (share of disqualified bids per buyer, procuring entity and tenderer).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::ocds::{Award, Bid, Process};
use super::stats::{lower_fence, percentile, quartiles, upper_fence};
use super::{Context, Evidence, Fence, Flag, Indicator, Scope};

/// One process's winning bid and second-lowest valid bid.
struct Pair<'a> {
    p: &'a Process,
    award: &'a Award,
    winner: &'a str,
    winning: &'a Bid,
    runner_up: &'a str,
    second: &'a Bid,
    difference: Decimal,
}

/// The difference (secondLowestValidBidAmount − winningBidAmount) ÷ winningBidAmount of one
/// process, as Cardinal's R024 and R058 define it, with their exclusions: prices compared
/// (the `price_comparison` settings); every award final (none pending); exactly one active
/// award, to exactly one supplier; no valid bid submitted by several tenderers; the winning
/// bid the lowest. The winning bid is the lowest valid bid of the award's supplier (Cardinal
/// 0.0.6: "Use the lowest bid submitted by the winner as the winning bid"); the second-lowest
/// is the lowest valid bid of any other tenderer. Only amounts in the main currency.
///
/// Deliberate differences: a process with a valid bid by several tenderers is left out, as
/// the documentation says (Cardinal 0.0.8's code only skips that bid); a winning amount of
/// zero or less is left out (the division is undefined; Cardinal would produce ∞ or NaN).
fn pair<'a>(p: &'a Process, cx: &Context) -> Option<Pair<'a>> {
    if !cx.compares_prices(p) {
        return None;
    }
    let (award, winner) = p.single_winner()?;
    let mut win: Option<(&Bid, Decimal)> = None;
    let mut other: Option<(&Bid, &str, Decimal)> = None;
    for b in p.bids().iter().filter(|b| b.has_status("valid")) {
        let [tenderer] = b.tenderers.as_slice() else {
            continue;
        };
        let Some(m) = cx.money(b.value.as_ref()) else {
            continue;
        };
        if tenderer == winner {
            if win.is_none_or(|(_, x)| m.amount < x) {
                win = Some((b, m.amount));
            }
        } else if other.is_none_or(|(_, _, x)| m.amount < x) {
            other = Some((b, tenderer.as_str(), m.amount));
        }
    }
    let (winning, w) = win?;
    let (second, runner_up, s) = other?;
    if s < w || w <= Decimal::ZERO {
        return None;
    }
    let difference = (s - w).checked_div(w)?.normalize();
    Some(Pair {
        p,
        award,
        winner,
        winning,
        runner_up,
        second,
        difference,
    })
}

fn pair_flag(indicator: Indicator, c: &Pair, fence: &Fence, tenderers: &[&str]) -> Flag {
    Flag::new(indicator, Scope::ContractingProcess, &c.p.ocid)
        .value(c.difference)
        .tenderers(tenderers.iter().copied())
        .evidence(Evidence::measure("difference", c.difference))
        .evidence(Evidence::Fence(fence.clone()))
        .evidence(Evidence::bid("winning", c.winning))
        .evidence(Evidence::bid("second_lowest", c.second))
        .evidence(Evidence::award(c.award))
}

/// R024 and R058 over the set.
///
/// R024 follows Cardinal "Price close to winning bid (R024)" (cli/indicators/R/024): flagged
/// if the difference is ≤ the lower fence Q1 − 1.5·IQR of all differences (or `threshold`);
/// the winner and the second-lowest bidder are flagged too; value: the difference. The fence
/// is not applied unless Q1 > 0 and the fence > 0 (a set `threshold` only needs to be > 0).
///
/// R058 follows Cardinal "Heavily discounted bid (R058)" (cli/indicators/R/058): flagged if
/// the difference is ≥ the upper fence Q3 + 1.5·IQR (or `threshold`); the winner is flagged
/// too; value: the difference. The fence is not applied unless it is > 0.
pub(super) fn second_lowest_bid(
    ps: &[Process],
    cx: &Context,
    flags: &mut Vec<Flag>,
    fences: &mut Vec<Fence>,
) {
    let s = cx.settings;
    if !s.r024.enabled && !s.r058.enabled {
        return;
    }
    let pairs: Vec<Pair> = ps.iter().filter_map(|p| pair(p, cx)).collect();
    let diffs: Vec<Decimal> = pairs.iter().map(|c| c.difference).collect();
    let q = quartiles(&diffs);
    let fence = |code: Indicator,
                 name: &'static str,
                 comparison: &'static str,
                 computed: Option<Decimal>,
                 set: Option<Decimal>| {
        let (value, from_settings) = match (set, computed) {
            (Some(t), _) => (t, true),
            (None, Some(v)) => (v, false),
            (None, None) => return None,
        };
        Some(Fence {
            code: code.code(),
            scope: Scope::ContractingProcess,
            measure: "difference",
            name,
            comparison,
            value,
            q1: q.filter(|_| !from_settings).map(|q| q.0),
            q3: q.filter(|_| !from_settings).map(|q| q.1),
            percentile: None,
            from_settings,
            population: diffs.len(),
            applied: false,
        })
    };
    if s.r024.enabled {
        let computed = q.and_then(|(q1, q3)| lower_fence(q1, q3));
        if let Some(mut f) = fence(
            Indicator::R024,
            "lower_fence",
            "<=",
            computed,
            s.r024.threshold,
        ) {
            let q1_positive = f.from_settings || q.is_some_and(|(q1, _)| q1 > Decimal::ZERO);
            f.applied = q1_positive && f.value > Decimal::ZERO;
            if f.applied {
                for c in pairs.iter().filter(|c| c.difference <= f.value) {
                    flags.push(pair_flag(Indicator::R024, c, &f, &[c.winner, c.runner_up]));
                }
            }
            fences.push(f);
        }
    }
    if s.r058.enabled {
        let computed = q.and_then(|(q1, q3)| upper_fence(q1, q3));
        if let Some(mut f) = fence(
            Indicator::R058,
            "upper_fence",
            ">=",
            computed,
            s.r058.threshold,
        ) {
            f.applied = f.value > Decimal::ZERO;
            if f.applied {
                for c in pairs.iter().filter(|c| c.difference >= f.value) {
                    flags.push(pair_flag(Indicator::R058, c, &f, &[c.winner]));
                }
            }
            fences.push(f);
        }
    }
}

/// Counts of one organisation across processes.
#[derive(Default)]
struct Tally<'a> {
    numerator: usize,
    denominator: usize,
    ocids: BTreeSet<&'a str>,
}

impl Tally<'_> {
    fn ratio(&self) -> Decimal {
        // denominator ≥ 1 wherever a tally exists.
        Decimal::from(self.numerator)
            .checked_div(Decimal::from(self.denominator))
            .unwrap_or_default()
            .normalize()
    }
}

fn processes_evidence(mut f: Flag, ocids: &BTreeSet<&str>) -> Flag {
    for o in ocids {
        f = f.evidence(Evidence::Process {
            ocid: (*o).to_owned(),
        });
    }
    f
}

/// Follows Cardinal "Excessive unsuccessful bids (R025)" (cli/indicators/R/025).
///
/// Per tenderer across all processes: ratio = winning bids ÷ valid bids, each tenderer counted
/// once per process whatever its number of valid bids, a win being the process's award made to
/// it. Only processes with every award final, exactly one active award to exactly one
/// supplier, and no valid bid by several tenderers. Flagged if its number of valid bids is ≥
/// the `percentile` (default 75th) of the numbers of valid bids of all tenderers (a "top
/// tenderer") and its ratio is ≤ the lower fence Q1 − 1.5·IQR of all ratios (or `threshold`).
/// The lower fence is not applied unless Q1 > 0 and the fence > 0 (a set `threshold` only
/// needs to be > 0). Value: the ratio.
///
/// Deliberate difference: a process with a valid bid by several tenderers is left out, as the
/// documentation says (Cardinal 0.0.8's code only skips that bid).
pub(super) fn r025(ps: &[Process], cx: &Context, flags: &mut Vec<Flag>, fences: &mut Vec<Fence>) {
    let s = &cx.settings.r025;
    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    for p in ps {
        let Some((_, winner)) = p.single_winner() else {
            continue;
        };
        let valid: BTreeSet<&str> = p
            .bids()
            .iter()
            .filter(|b| b.has_status("valid") && b.tenderer_refs == 1)
            .filter_map(|b| b.tenderers.first().map(String::as_str))
            .collect();
        for t in valid {
            let e = tally.entry(t).or_default();
            e.denominator += 1;
            e.numerator += usize::from(t == winner);
            e.ocids.insert(&p.ocid);
        }
    }
    if tally.is_empty() {
        return;
    }
    let counts: Vec<Decimal> = tally
        .values()
        .map(|t| Decimal::from(t.denominator))
        .collect();
    let ratios: Vec<Decimal> = tally.values().map(Tally::ratio).collect();
    let Some(top) = percentile(&counts, s.percentile) else {
        return;
    };
    let top = Fence {
        code: Indicator::R025.code(),
        scope: Scope::Tenderer,
        measure: "valid_bids",
        name: "upper_fence",
        comparison: ">=",
        value: top,
        q1: None,
        q3: None,
        percentile: Some(s.percentile),
        from_settings: false,
        population: counts.len(),
        applied: true,
    };
    let q = quartiles(&ratios);
    let (value, from_settings) = match (s.threshold, q.and_then(|(a, b)| lower_fence(a, b))) {
        (Some(t), _) => (t, true),
        (None, Some(v)) => (v, false),
        (None, None) => return,
    };
    let q1_positive = from_settings || q.is_some_and(|(q1, _)| q1 > Decimal::ZERO);
    let low = Fence {
        code: Indicator::R025.code(),
        scope: Scope::Tenderer,
        measure: "win_ratio",
        name: "lower_fence",
        comparison: "<=",
        value,
        q1: q.filter(|_| !from_settings).map(|q| q.0),
        q3: q.filter(|_| !from_settings).map(|q| q.1),
        percentile: None,
        from_settings,
        population: ratios.len(),
        applied: q1_positive && value > Decimal::ZERO,
    };
    if low.applied {
        for (id, t) in &tally {
            let ratio = t.ratio();
            if Decimal::from(t.denominator) >= top.value && ratio <= low.value {
                let f = Flag::new(Indicator::R025, Scope::Tenderer, id)
                    .value(ratio)
                    .evidence(Evidence::measure("win_ratio", ratio))
                    .evidence(Evidence::measure(
                        "valid_bids",
                        Decimal::from(t.denominator),
                    ))
                    .evidence(Evidence::measure(
                        "winning_bids",
                        Decimal::from(t.numerator),
                    ))
                    .evidence(Evidence::Fence(top.clone()))
                    .evidence(Evidence::Fence(low.clone()));
                flags.push(processes_evidence(f, &t.ocids));
            }
        }
    }
    fences.push(top);
    fences.push(low);
}

/// Follows Cardinal "Excessive disqualified bids (R038)" (cli/indicators/R/038).
///
/// Ratio = disqualified bids ÷ submitted bids (pending, valid, disqualified) across all
/// processes: per buyer (`/buyer/id`) and per procuring entity (`/tender/procuringEntity/id`)
/// the bids of their processes, per tenderer the bids it is a tenderer of. Processes without a
/// submitted bid are not counted. Left out: tenderers with fewer than `minimum_submitted_bids`
/// (default 2) submitted bids; buyers and procuring entities with fewer than
/// `minimum_contracting_processes` (default 2) contracting processes. Per group, flagged if
/// the ratio is ≥ the upper fence Q3 + 1.5·IQR of that group's ratios (or `threshold`), the
/// fence applied only if > 0. Value: the ratio.
///
/// Deliberate difference: `minimum_contracting_processes` counts contracting processes, as the
/// documentation says; Cardinal 0.0.8's code (and so its documented demonstration, which
/// flags a buyer with one process of two bids) compares the number of submitted bids instead.
pub(super) fn r038(ps: &[Process], cx: &Context, flags: &mut Vec<Flag>, fences: &mut Vec<Fence>) {
    let s = &cx.settings.r038;
    let mut buyers: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut entities: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut tenderers: BTreeMap<&str, Tally> = BTreeMap::new();
    // Processes per buyer / procuring entity.
    let mut processes: BTreeMap<(Scope, &str), usize> = BTreeMap::new();
    for p in ps {
        let submitted: Vec<&Bid> = p.bids().iter().filter(|b| b.is_submitted()).collect();
        if submitted.is_empty() {
            continue;
        }
        let disqualified = submitted
            .iter()
            .filter(|b| b.has_status("disqualified"))
            .count();
        for b in &submitted {
            for t in &b.tenderers {
                let e = tenderers.entry(t).or_default();
                e.denominator += 1;
                e.numerator += usize::from(b.has_status("disqualified"));
                e.ocids.insert(&p.ocid);
            }
        }
        for (scope, id, map) in [
            (Scope::Buyer, p.buyer.as_deref(), &mut buyers),
            (
                Scope::ProcuringEntity,
                p.procuring_entity.as_deref(),
                &mut entities,
            ),
        ] {
            if let Some(id) = id {
                let e = map.entry(id).or_default();
                e.denominator += submitted.len();
                e.numerator += disqualified;
                e.ocids.insert(&p.ocid);
                *processes.entry((scope, id)).or_default() += 1;
            }
        }
    }
    for (scope, map) in [
        (Scope::Buyer, buyers),
        (Scope::ProcuringEntity, entities),
        (Scope::Tenderer, tenderers),
    ] {
        let kept: Vec<(&str, Tally)> = map
            .into_iter()
            .filter(|(id, t)| match scope {
                Scope::Tenderer => t.denominator >= s.minimum_submitted_bids,
                _ => {
                    processes.get(&(scope, *id)).copied().unwrap_or(0)
                        >= s.minimum_contracting_processes
                }
            })
            .collect();
        if kept.is_empty() {
            continue;
        }
        let ratios: Vec<Decimal> = kept.iter().map(|(_, t)| t.ratio()).collect();
        let q = quartiles(&ratios);
        let (value, from_settings) = match (s.threshold, q.and_then(|(a, b)| upper_fence(a, b))) {
            (Some(t), _) => (t, true),
            (None, Some(v)) => (v, false),
            (None, None) => continue,
        };
        let fence = Fence {
            code: Indicator::R038.code(),
            scope,
            measure: "disqualified_ratio",
            name: "upper_fence",
            comparison: ">=",
            value,
            q1: q.filter(|_| !from_settings).map(|q| q.0),
            q3: q.filter(|_| !from_settings).map(|q| q.1),
            percentile: None,
            from_settings,
            population: ratios.len(),
            applied: value > Decimal::ZERO,
        };
        if fence.applied {
            for (id, t) in &kept {
                let ratio = t.ratio();
                if ratio < fence.value {
                    continue;
                }
                let mut f = Flag::new(Indicator::R038, scope, id)
                    .value(ratio)
                    .evidence(Evidence::measure("disqualified_ratio", ratio))
                    .evidence(Evidence::measure(
                        "disqualified_bids",
                        Decimal::from(t.numerator),
                    ))
                    .evidence(Evidence::measure(
                        "submitted_bids",
                        Decimal::from(t.denominator),
                    ));
                if scope != Scope::Tenderer {
                    f = f.evidence(Evidence::measure(
                        "contracting_processes",
                        Decimal::from(processes.get(&(scope, *id)).copied().unwrap_or(0)),
                    ));
                }
                f = f.evidence(Evidence::Fence(fence.clone()));
                flags.push(processes_evidence(f, &t.ocids));
            }
        }
        fences.push(fence);
    }
}
