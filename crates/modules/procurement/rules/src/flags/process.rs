//! The indicators judged on one contracting process alone: R003, R018, R028, R030, R035,
//! R036.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use super::ocds::{Bid, Process};
use super::{Context, Evidence, Flag, Indicator, Scope};

pub(super) fn flags(p: &Process, cx: &Context, out: &mut Vec<Flag>) {
    let s = cx.settings;
    let found = [
        s.r003.enabled.then(|| r003(p, cx)).flatten(),
        s.r018.enabled.then(|| r018(p, cx)).flatten(),
        s.r028.enabled.then(|| r028(p, cx)).flatten(),
        s.r030.enabled.then(|| r030(p)).flatten(),
        s.r035.enabled.then(|| r035(p, cx)).flatten(),
        s.r036.enabled.then(|| r036(p, cx)).flatten(),
    ];
    out.extend(found.into_iter().flatten());
}

fn instant(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s?).ok()
}

fn one() -> Decimal {
    Decimal::ONE
}

/// Cardinal's `procurement_methods` filter: an empty list matches every process; otherwise
/// `/tender/procurementMethod` must be set and listed.
fn method_matches(p: &Process, methods: &[String]) -> bool {
    methods.is_empty()
        || p.procurement_method
            .as_ref()
            .is_some_and(|m| methods.contains(m))
}

/// Follows Cardinal "Short submission period (R003)" (cli/indicators/R/003).
///
/// The submission period is `/tender/tenderPeriod/endDate − /tender/tenderPeriod/startDate`
/// in whole days (the duration truncated toward zero, as Cardinal computes it; both dates
/// RFC 3339). Flagged if it is shorter than the threshold: the one set for the process's
/// `/tender/procurementMethodDetails` in `procurement_method_details`, else `threshold`
/// (default 15). If `procurement_methods` is set, only processes with a listed
/// `/tender/procurementMethod`. Value: 1 (Cardinal: "always 1.0").
///
/// No deliberate difference.
fn r003(p: &Process, cx: &Context) -> Option<Flag> {
    let s = &cx.settings.r003;
    if !method_matches(p, &s.procurement_methods) {
        return None;
    }
    let start = instant(p.period_start.as_deref())?;
    let end = instant(p.period_end.as_deref())?;
    let days = (end - start).num_days();
    let threshold = p
        .procurement_method_details
        .as_ref()
        .and_then(|d| s.procurement_method_details.get(d).copied())
        .unwrap_or(s.threshold);
    if days >= threshold {
        return None;
    }
    Some(
        Flag::new(Indicator::R003, Scope::ContractingProcess, &p.ocid)
            .value(one())
            .evidence(Evidence::TenderPeriod {
                start_date: p.period_start.clone(),
                end_date: p.period_end.clone(),
            })
            .evidence(Evidence::measure("submission_period_days", days))
            .evidence(Evidence::Threshold {
                name: "threshold_days",
                comparison: "<",
                value: Decimal::from(threshold),
            }),
    )
}

/// Follows Cardinal "Single bid received (R018)" (cli/indicators/R/018).
///
/// Flagged if the number of tenderers is 1 and `/tender/procurementMethod` is competitive
/// (`procurement_methods`, default `open|selective`). Value: 1.
///
/// The number of tenderers is `/tender/numberOfTenderers`, as Cardinal reads it. Deliberate
/// addition: when that field is absent, the number of distinct tenderers of submitted bids
/// (Cardinal's glossary: a tenderer is who submitted a bid) is used instead.
fn r018(p: &Process, cx: &Context) -> Option<Flag> {
    let methods = &cx.settings.r018.procurement_methods;
    let method = p.procurement_method.as_ref()?;
    if !methods.contains(method) {
        return None;
    }
    let (count, source) = match p.number_of_tenderers {
        Some(n) => (n, "tender.numberOfTenderers"),
        None => {
            let ids: BTreeSet<&str> = p
                .bids()
                .iter()
                .filter(|b| b.is_submitted())
                .flat_map(|b| b.tenderers.iter().map(String::as_str))
                .collect();
            (ids.len() as u64, "submitted_bid_tenderers")
        }
    };
    if count != 1 {
        return None;
    }
    let mut f = Flag::new(Indicator::R018, Scope::ContractingProcess, &p.ocid)
        .value(one())
        .evidence(Evidence::field("tender.procurementMethod", method))
        .evidence(Evidence::Measure {
            name: source,
            value: Decimal::from(count),
        });
    for b in p.bids().iter().filter(|b| b.is_submitted()) {
        f = f.evidence(Evidence::bid("submitted", b));
    }
    Some(f)
}

/// Follows Cardinal "Identical bid prices (R028)" (cli/indicators/R/028).
///
/// Flagged if different tenderers submitted bids with the same price: among submitted bids
/// (pending, valid, disqualified) with an amount, two bids of one amount whose sets of tenderer
/// ids differ. A tenderer may submit several bids at one price. The tenderers of every such
/// price are flagged too. Value: 1. Left out when prices are not compared (the
/// `price_comparison` settings, Cardinal's "prices are predetermined by the buyer").
///
/// Amounts are compared exactly (`Decimal`; 1 = 1.00). Deliberate difference: only amounts in
/// the main currency are compared (Cardinal's global currency exclusion; Cardinal 0.0.8's code
/// compares amount and currency pairs of any currency).
fn r028(p: &Process, cx: &Context) -> Option<Flag> {
    if !cx.compares_prices(p) {
        return None;
    }
    let mut by_price: BTreeMap<Decimal, Vec<(&Bid, BTreeSet<&str>)>> = BTreeMap::new();
    for b in p.bids().iter().filter(|b| b.is_submitted()) {
        let Some(m) = cx.money(b.value.as_ref()) else {
            continue;
        };
        let ids: BTreeSet<&str> = b.tenderers.iter().map(String::as_str).collect();
        if !ids.is_empty() {
            by_price.entry(m.amount).or_default().push((b, ids));
        }
    }
    let mut tenderers = BTreeSet::new();
    let mut bids = vec![];
    for group in by_price.values() {
        let sets: BTreeSet<&BTreeSet<&str>> = group.iter().map(|(_, ids)| ids).collect();
        if sets.len() > 1 {
            tenderers.extend(sets.into_iter().flatten().copied());
            bids.extend(group.iter().map(|(b, _)| *b));
        }
    }
    if bids.is_empty() {
        return None;
    }
    let mut f = Flag::new(Indicator::R028, Scope::ContractingProcess, &p.ocid)
        .value(one())
        .tenderers(tenderers);
    for b in bids {
        f = f.evidence(Evidence::bid("identical_price", b));
    }
    Some(f)
}

/// Follows Cardinal "Late bid won (R030)" (cli/indicators/R/030).
///
/// Flagged if a valid bid's date is after the submission deadline
/// (`/tender/tenderPeriod/endDate`) and at least one of its tenderers is a supplier of an
/// active award; those tenderers are flagged too. Value: 1. Needs `/awards` and
/// `/bids/details`.
///
/// Deliberate difference: the dates are compared as instants (RFC 3339, any offset); Cardinal
/// 0.0.8 compares the date strings, which agrees only when both use one format and offset.
/// A date that is not RFC 3339 is not compared.
fn r030(p: &Process) -> Option<Flag> {
    let deadline = instant(p.period_end.as_deref())?;
    let awards = p.awards.as_ref()?;
    let bids = p.bids.as_ref()?;
    let suppliers: BTreeSet<&str> = awards
        .iter()
        .filter(|a| a.has_status("active"))
        .flat_map(|a| a.suppliers.iter().map(String::as_str))
        .collect();
    let mut tenderers = BTreeSet::new();
    let mut late = vec![];
    for b in bids.iter().filter(|b| b.has_status("valid")) {
        let Some(date) = instant(b.date.as_deref()) else {
            continue;
        };
        if date <= deadline {
            continue;
        }
        let winners: Vec<&str> = b
            .tenderers
            .iter()
            .map(String::as_str)
            .filter(|t| suppliers.contains(t))
            .collect();
        if !winners.is_empty() {
            tenderers.extend(winners);
            late.push(b);
        }
    }
    if late.is_empty() {
        return None;
    }
    let mut f = Flag::new(Indicator::R030, Scope::ContractingProcess, &p.ocid)
        .value(one())
        .tenderers(tenderers)
        .evidence(Evidence::field(
            "tender.tenderPeriod.endDate",
            p.period_end.as_deref().unwrap_or_default(),
        ));
    for b in late {
        f = f.evidence(Evidence::bid("late", b));
    }
    for a in awards.iter().filter(|a| a.has_status("active")) {
        f = f.evidence(Evidence::award(a));
    }
    Some(f)
}

/// Follows Cardinal "All except winning bid disqualified (R035)" (cli/indicators/R/035).
///
/// Flagged if exactly one tenderer submitted valid bids, that tenderer is exactly the set of
/// suppliers of the active awards, and at least `threshold` (default 1; 0 counts as 1) other
/// tenderers submitted a disqualified bid. Excluded when an award is pending (or has a status
/// outside the codelist); needs `/awards` and `/bids/details`. Value: the number of other
/// tenderers with disqualified bids. The winner is flagged too.
///
/// No deliberate difference.
fn r035(p: &Process, cx: &Context) -> Option<Flag> {
    let active = p.final_awards()?;
    let suppliers: BTreeSet<&str> = active
        .iter()
        .flat_map(|a| a.suppliers.iter().map(String::as_str))
        .collect();
    let with = |status: &str| -> BTreeSet<&str> {
        p.bids()
            .iter()
            .filter(|b| b.has_status(status))
            .flat_map(|b| b.tenderers.iter().map(String::as_str))
            .collect()
    };
    let valid = with("valid");
    let disqualified = with("disqualified");
    if valid.len() != 1 || valid != suppliers {
        return None;
    }
    let others = disqualified.difference(&valid).count();
    let threshold = cx.settings.r035.threshold.max(1);
    if others < threshold {
        return None;
    }
    let mut f = Flag::new(Indicator::R035, Scope::ContractingProcess, &p.ocid)
        .value(Decimal::from(others))
        .tenderers(valid.iter().copied())
        .evidence(Evidence::measure(
            "tenderers_with_disqualified_bids",
            Decimal::from(others),
        ))
        .evidence(Evidence::Threshold {
            name: "threshold",
            comparison: ">=",
            value: Decimal::from(threshold),
        });
    for b in p.bids() {
        if b.has_status("valid") {
            f = f.evidence(Evidence::bid("valid", b));
        } else if b.has_status("disqualified") {
            f = f.evidence(Evidence::bid("disqualified", b));
        }
    }
    for a in active {
        f = f.evidence(Evidence::award(a));
    }
    Some(f)
}

/// The first bid with the lowest amount.
fn lowest_of<'a, 'b>(
    bids: impl Iterator<Item = &'b (&'a Bid, Decimal)>,
) -> Option<(&'a Bid, Decimal)>
where
    'a: 'b,
{
    bids.fold(None, |best, &(b, x)| match best {
        Some((_, y)) if y <= x => best,
        _ => Some((b, x)),
    })
}

/// Follows Cardinal "Lowest bid disqualified (R036)" (cli/indicators/R/036).
///
/// Flagged if there is an active award, at least one valid bid has an amount, and the lowest
/// submitted bid (pending, valid or disqualified, with an amount) is disqualified. Left out
/// when prices are not compared (the `price_comparison` settings). Value: 1.
///
/// Ties for the lowest amount are decided by the first such bid in `/bids/details` order, as
/// Cardinal 0.0.8 does (the documentation does not say). Like Cardinal, `/tender/awardCriteria`
/// is not read: the title's "while the award criterion is price only" is left to the
/// `price_comparison` settings.
fn r036(p: &Process, cx: &Context) -> Option<Flag> {
    if !cx.compares_prices(p) || !p.awards().iter().any(|a| a.has_status("active")) {
        return None;
    }
    let priced: Vec<(&Bid, Decimal)> = p
        .bids()
        .iter()
        .filter(|b| b.is_submitted())
        .filter_map(|b| cx.money(b.value.as_ref()).map(|m| (b, m.amount)))
        .collect();
    let (lowest, _) = lowest_of(priced.iter())?;
    let (lowest_valid, _) = lowest_of(priced.iter().filter(|(b, _)| b.has_status("valid")))?;
    if !lowest.has_status("disqualified") {
        return None;
    }
    let mut f = Flag::new(Indicator::R036, Scope::ContractingProcess, &p.ocid)
        .value(one())
        .evidence(Evidence::bid("lowest", lowest))
        .evidence(Evidence::bid("lowest_valid", lowest_valid));
    for a in p.awards().iter().filter(|a| a.has_status("active")) {
        f = f.evidence(Evidence::award(a));
    }
    Some(f)
}
