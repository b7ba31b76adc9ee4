//! M001, Mufakat's own flag (not Cardinal's): an award far above the catalogue's median price.

use rust_decimal::Decimal;

use super::ocds::Process;
use super::{CatalogueKey, CatalogueMedians, Context, Evidence, Flag, Indicator, Scope};

/// M001 Award far above the catalogue's median price (Mufakat's own; no Cardinal page).
///
/// For each award whose status is listed in `award_statuses` (default `active`):
///
/// - each of its items (`/awards[]/items[]`) whose `classification/id` has a
///   [`CatalogueKey::Item`] median and whose `unit/value` is in the main currency: ratio = unit
///   amount ÷ median;
/// - its `value`, in the main currency, against the process's median: the
///   [`CatalogueKey::Process`] (`ocid`) one, else the [`CatalogueKey::Category`]
///   (`/tender/mainProcurementCategory`) one: ratio = amount ÷ median.
///
/// Flagged if a ratio is greater than `ratio` (default 1.5, i.e. more than 50 % above the
/// median). Medians ≤ 0 are ignored. Value: the largest ratio; evidence: every comparison
/// over the ratio, with its award.
pub(super) fn m001(p: &Process, cx: &Context, medians: &CatalogueMedians) -> Option<Flag> {
    let s = &cx.settings.m001;
    if medians.is_empty() {
        return None;
    }
    let median_of = |k: CatalogueKey| medians.get(&k).copied().filter(|m| *m > Decimal::ZERO);
    let process_median = median_of(CatalogueKey::Process(p.ocid.clone()))
        .map(|m| ("process", p.ocid.clone(), m))
        .or_else(|| {
            let c = p.main_procurement_category.clone()?;
            median_of(CatalogueKey::Category(c.clone())).map(|m| ("category", c, m))
        });
    let mut over = vec![];
    for a in p.awards() {
        if !a
            .status
            .as_ref()
            .is_some_and(|st| s.award_statuses.contains(st))
        {
            continue;
        }
        let mut found = vec![];
        for it in &a.items {
            let (Some(class), Some(m)) = (&it.classification, cx.money(it.unit_value.as_ref()))
            else {
                continue;
            };
            if let Some(median) = median_of(CatalogueKey::Item(class.clone())) {
                found.push(("item", class.clone(), it.id.clone(), m, median));
            }
        }
        if let (Some((kind, key, median)), Some(m)) = (&process_median, cx.money(a.value.as_ref()))
        {
            found.push((kind, key.clone(), None, m, *median));
        }
        for (key_kind, key, item_id, m, median) in found {
            let Some(ratio) = m.amount.checked_div(median) else {
                continue;
            };
            if ratio > s.ratio {
                over.push((
                    a,
                    Evidence::Catalogue {
                        key_kind,
                        key,
                        award_id: a.id.clone(),
                        item_id,
                        price: m.amount,
                        currency: m.currency.clone(),
                        median: median.normalize(),
                        ratio: ratio.normalize(),
                    },
                    ratio,
                ));
            }
        }
    }
    let top = over.iter().map(|(_, _, r)| *r).max()?;
    let mut f = Flag::new(Indicator::M001, Scope::ContractingProcess, &p.ocid)
        .value(top)
        .evidence(Evidence::Threshold {
            name: "ratio",
            comparison: ">",
            value: s.ratio.normalize(),
        });
    let mut shown: Vec<Option<&String>> = vec![];
    for (a, e, _) in over {
        if !shown.contains(&a.id.as_ref()) {
            shown.push(a.id.as_ref());
            f = f.evidence(Evidence::award(a));
        }
        f = f.evidence(e);
    }
    Some(f)
}
