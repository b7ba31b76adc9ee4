//! Red flags (indikator risiko) of contracting processes, computed from OCDS 1.1.5 compiled
//! releases as the Open Contracting Partnership's **Cardinal** documents its indicators
//! (<https://cardinal.readthedocs.io/en/latest/cli/indicators/>, read at cardinal-rs 0.0.8).
//! Written afresh from the documentation; where Cardinal's documentation leaves a detail open
//! (the quartile estimator, ties) the behaviour of Cardinal 0.0.8 is matched, and every
//! deliberate difference is noted at the indicator.
//!
//! | Code | Indicator | Scope |
//! |------|-----------|-------|
//! | R003 | Short submission period | contracting process |
//! | R018 | Single bid received | contracting process |
//! | R024 | Price close to winning bid | contracting process (+ winner, second-lowest bidder) |
//! | R025 | Excessive unsuccessful bids | tenderer |
//! | R028 | Identical bid prices | contracting process (+ the tenderers) |
//! | R030 | Late bid won | contracting process (+ the tenderers) |
//! | R035 | All except winning bid disqualified | contracting process (+ winner) |
//! | R036 | Lowest bid disqualified | contracting process |
//! | R038 | Excessive disqualified bids | buyer, procuring entity, tenderer |
//! | R058 | Heavily discounted bid | contracting process (+ winner) |
//! | M001 | Award far above the catalogue's median price (Mufakat's own) | contracting process |
//!
//! Cardinal's R048 (Heterogeneous supplier) is not implemented: it needs awarded items with a
//! hierarchical classification (UNSPSC, CPV), which Mufakat's releases do not carry. Package
//! splitting (pemecahan paket), Mufakat's other own flag, works on packages rather than
//! releases and lives in [`crate::splitting`].
//!
//! A flag is a prompt for a human to look, never a verdict.
//!
//! **Global exclusions** (Cardinal, "Indicators"): a release that is not an object with a
//! string `ocid` is skipped, as is one whose `/tender/status` is `cancelled` or whose
//! `/tender/procurementMethodDetails` is listed in `[exclusions]`; organisation references
//! without an `id` are ignored; amounts in another currency than the main one
//! ([`Settings::currency`], else the first observed) are ignored.
//!
//! **Outliers.** R024, R025, R038 and R058 compare each value with Tukey's fences of the whole
//! set passed to [`compute`]: lower fence Q1 − 1.5·IQR, upper fence Q3 + 1.5·IQR, IQR = Q3 − Q1,
//! the quartiles by Hyndman & Fan's type 8 (what Cardinal uses; see `stats`). Comparisons are
//! inclusive (≤ lower fence, ≥ upper fence), as Cardinal's changelog states. When the fence is
//! degenerate (Cardinal 0.0.6: "If the first quartile, third quartile and interquartile range
//! are 0, skip the indicator to not flag 75% of cases") the indicator flags nothing; the
//! [`Report`] of [`compute_with_meta`] says so (`Fence::applied`).
//!
//! Everything is exact `Decimal` arithmetic; no money is computed in `f64`. Output is
//! deterministic: flags sorted by scope (contracting processes first), subject (ocid or
//! organisation id), then code.

mod catalogue;
mod ocds;
mod outliers;
mod process;
mod settings;
mod stats;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

pub use settings::{
    Exclusions, FenceOverride, Settings, Toggle, M001, R003, R018, R025, R035, R038,
};

/// The indicators, by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Indicator {
    R003,
    R018,
    R024,
    R025,
    R028,
    R030,
    R035,
    R036,
    R038,
    R058,
    M001,
}

impl Indicator {
    pub const ALL: [Indicator; 11] = [
        Indicator::R003,
        Indicator::R018,
        Indicator::R024,
        Indicator::R025,
        Indicator::R028,
        Indicator::R030,
        Indicator::R035,
        Indicator::R036,
        Indicator::R038,
        Indicator::R058,
        Indicator::M001,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Indicator::R003 => "R003",
            Indicator::R018 => "R018",
            Indicator::R024 => "R024",
            Indicator::R025 => "R025",
            Indicator::R028 => "R028",
            Indicator::R030 => "R030",
            Indicator::R035 => "R035",
            Indicator::R036 => "R036",
            Indicator::R038 => "R038",
            Indicator::R058 => "R058",
            Indicator::M001 => "M001",
        }
    }

    /// The English title (Cardinal's, for the R codes).
    pub fn name(self) -> &'static str {
        match self {
            Indicator::R003 => "Short submission period",
            Indicator::R018 => "Single bid received",
            Indicator::R024 => "Price close to winning bid",
            Indicator::R025 => "Excessive unsuccessful bids",
            Indicator::R028 => "Identical bid prices",
            Indicator::R030 => "Late bid won",
            Indicator::R035 => "All except winning bid disqualified",
            Indicator::R036 => "Lowest bid disqualified",
            Indicator::R038 => "Excessive disqualified bids",
            Indicator::R058 => "Heavily discounted bid",
            Indicator::M001 => "Award far above the catalogue's median price",
        }
    }

    /// The title in Bahasa Indonesia.
    pub fn title_id(self) -> &'static str {
        match self {
            Indicator::R003 => "Masa pemasukan penawaran terlalu singkat",
            Indicator::R018 => "Hanya satu penawaran yang masuk",
            Indicator::R024 => "Harga penawaran terlalu dekat dengan penawaran pemenang",
            Indicator::R025 => "Terlalu banyak penawaran yang kalah",
            Indicator::R028 => "Harga penawaran identik",
            Indicator::R030 => "Penawaran yang terlambat menang",
            Indicator::R035 => "Semua penawaran kecuali pemenang digugurkan",
            Indicator::R036 => "Penawaran terendah digugurkan",
            Indicator::R038 => "Terlalu banyak penawaran yang digugurkan",
            Indicator::R058 => "Penawaran pemenang dengan potongan harga sangat besar",
            Indicator::M001 => "Nilai pemenang jauh di atas harga median katalog",
        }
    }

    /// The Cardinal page the indicator follows (`None` for Mufakat's own).
    pub fn doc(self) -> Option<&'static str> {
        Some(match self {
            Indicator::R003 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/003.html"
            }
            Indicator::R018 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/018.html"
            }
            Indicator::R024 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/024.html"
            }
            Indicator::R025 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/025.html"
            }
            Indicator::R028 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/028.html"
            }
            Indicator::R030 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/030.html"
            }
            Indicator::R035 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/035.html"
            }
            Indicator::R036 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/036.html"
            }
            Indicator::R038 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/038.html"
            }
            Indicator::R058 => {
                "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/058.html"
            }
            Indicator::M001 => return None,
        })
    }
}

/// What a flag is about (Cardinal's groups: OCID, Buyer, ProcuringEntity, Tenderer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `subject` is the `ocid`.
    ContractingProcess,
    /// `subject` is `/buyer/id`.
    Buyer,
    /// `subject` is `/tender/procuringEntity/id`.
    ProcuringEntity,
    /// `subject` is `/bids/details[]/tenderers[]/id`.
    Tenderer,
}

/// A fence (threshold) of an outlier indicator, computed from the set or set in [`Settings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fence {
    pub code: &'static str,
    /// The group whose values the fence is about.
    pub scope: Scope,
    /// What is compared: `difference` (R024, R058), `win_ratio` and `valid_bids` (R025),
    /// `disqualified_ratio` (R038).
    pub measure: &'static str,
    /// Cardinal's Meta key: `lower_fence` or `upper_fence`.
    pub name: &'static str,
    /// How a value is flagged: `<=` (lower fence) or `>=` (upper fence).
    pub comparison: &'static str,
    pub value: Decimal,
    /// The quartiles the fence came from; `None` when set in the settings or a percentile.
    pub q1: Option<Decimal>,
    pub q3: Option<Decimal>,
    /// R025's top-tenderer fence: the percentile it is.
    pub percentile: Option<u32>,
    pub from_settings: bool,
    /// How many values the quartiles were taken over.
    pub population: usize,
    /// `false` when the fence was degenerate and nothing was flagged against it.
    pub applied: bool,
}

/// One piece of evidence of a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A bid (`/bids/details[]`), with its part in the flag: `winning`, `second_lowest`,
    /// `lowest`, `lowest_valid`, `late`, `identical_price`, `valid`, `disqualified`.
    Bid {
        role: &'static str,
        id: Option<String>,
        status: Option<String>,
        date: Option<String>,
        amount: Option<Decimal>,
        currency: Option<String>,
        tenderers: Vec<String>,
    },
    /// An award (`/awards[]`).
    Award {
        id: Option<String>,
        status: Option<String>,
        date: Option<String>,
        amount: Option<Decimal>,
        currency: Option<String>,
        suppliers: Vec<String>,
    },
    /// A price compared with a catalogue median (M001): an awarded item's unit price
    /// (`key_kind` `item`) or an award's value (`process`, `category`).
    Catalogue {
        key_kind: &'static str,
        key: String,
        award_id: Option<String>,
        item_id: Option<String>,
        price: Decimal,
        currency: String,
        median: Decimal,
        ratio: Decimal,
    },
    /// `/tender/tenderPeriod` as read.
    TenderPeriod {
        start_date: Option<String>,
        end_date: Option<String>,
    },
    /// A field of the release as read, e.g. `tender.procurementMethod` = `open`.
    Field { path: &'static str, value: String },
    /// A number computed for the flag (the flag's value is one of them).
    Measure { name: &'static str, value: Decimal },
    /// A fixed threshold the measure was compared with.
    Threshold {
        name: &'static str,
        comparison: &'static str,
        value: Decimal,
    },
    /// The fence an outlier was compared with.
    Fence(Fence),
    /// A contracting process counted in an organisation's flag.
    Process { ocid: String },
}

/// A red flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// E.g. `R024`.
    pub code: &'static str,
    /// English title.
    pub name: &'static str,
    /// Title in Bahasa Indonesia.
    pub title_id: &'static str,
    pub scope: Scope,
    /// The ocid or the organisation id (see [`Scope`]).
    pub subject: String,
    /// `Some(subject)` for a contracting process, `None` for an organisation.
    pub ocid: Option<String>,
    /// Cardinal's output value of the indicator (always 1 where Cardinal says "always 1.0";
    /// the difference, ratio or count where Cardinal reports it; the largest price ÷ median
    /// for M001).
    pub value: Option<Decimal>,
    /// The tenderers Cardinal flags with a contracting process (its `Tenderer` results and
    /// `ocid_tenderer_r0xx` maps), sorted.
    pub tenderers: Vec<String>,
    pub evidence: Vec<Evidence>,
}

impl Flag {
    pub(crate) fn new(indicator: Indicator, scope: Scope, subject: &str) -> Flag {
        Flag {
            code: indicator.code(),
            name: indicator.name(),
            title_id: indicator.title_id(),
            scope,
            subject: subject.to_owned(),
            ocid: (scope == Scope::ContractingProcess).then(|| subject.to_owned()),
            value: None,
            tenderers: vec![],
            evidence: vec![],
        }
    }

    pub(crate) fn value(mut self, v: Decimal) -> Flag {
        self.value = Some(v.normalize());
        self
    }

    pub(crate) fn tenderers<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Flag {
        let mut v: Vec<String> = ids.into_iter().map(str::to_owned).collect();
        v.sort();
        v.dedup();
        self.tenderers = v;
        self
    }

    pub(crate) fn evidence(mut self, e: Evidence) -> Flag {
        self.evidence.push(e);
        self
    }
}

impl Evidence {
    pub(crate) fn bid(role: &'static str, b: &ocds::Bid) -> Evidence {
        Evidence::Bid {
            role,
            id: b.id.clone(),
            status: b.status.clone(),
            date: b.date.clone(),
            amount: b.value.as_ref().map(|m| m.amount),
            currency: b.value.as_ref().map(|m| m.currency.clone()),
            tenderers: b.tenderers.clone(),
        }
    }

    pub(crate) fn award(a: &ocds::Award) -> Evidence {
        Evidence::Award {
            id: a.id.clone(),
            status: a.status.clone(),
            date: a.date.clone(),
            amount: a.value.as_ref().map(|m| m.amount),
            currency: a.value.as_ref().map(|m| m.currency.clone()),
            suppliers: a.suppliers.clone(),
        }
    }

    pub(crate) fn measure(name: &'static str, value: impl Into<Decimal>) -> Evidence {
        Evidence::Measure {
            name,
            value: value.into().normalize(),
        }
    }

    pub(crate) fn field(path: &'static str, value: impl ToString) -> Evidence {
        Evidence::Field {
            path,
            value: value.to_string(),
        }
    }
}

/// The key of a median catalogue price.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CatalogueKey {
    /// A catalogue item, matched with `/awards[]/items[]/classification/id`; its median is a
    /// unit price, compared with the item's `unit/value/amount`.
    Item(String),
    /// A contracting process (`ocid`) whose comparable catalogue price the caller resolved
    /// (e.g. median unit price × quantity); compared with each award's `value/amount`.
    Process(String),
    /// A `/tender/mainProcurementCategory` (`goods`, `works`, `services`); compared with each
    /// award's `value/amount` when there is no [`CatalogueKey::Process`] median.
    Category(String),
}

/// Median catalogue prices (in the main currency), passed by the caller.
pub type CatalogueMedians = BTreeMap<CatalogueKey, Decimal>;

/// Flags and the fences they were judged by (Cardinal's `Meta`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub flags: Vec<Flag>,
    pub fences: Vec<Fence>,
    /// The main currency used (`None` when no amount was seen and none was set).
    pub currency: Option<String>,
}

/// What every indicator needs besides the process.
pub(crate) struct Context<'a> {
    pub settings: &'a Settings,
    pub currency: Option<String>,
}

impl Context<'_> {
    /// In the main currency.
    pub fn money<'m>(&self, m: Option<&'m ocds::Money>) -> Option<&'m ocds::Money> {
        m.filter(|m| Some(&m.currency) == self.currency.as_ref())
    }

    /// Cardinal's `price_comparison_procurement_methods` / `no_price_comparison_…` filter on
    /// `/tender/procurementMethodDetails`.
    pub fn compares_prices(&self, p: &ocds::Process) -> bool {
        let include = &self.settings.price_comparison_procurement_methods;
        let exclude = &self.settings.no_price_comparison_procurement_methods;
        match &p.procurement_method_details {
            Some(d) if include.is_empty() => !exclude.contains(d),
            Some(d) => include.contains(d),
            None => include.is_empty(),
        }
    }
}

/// The processes every indicator looks at: an object with a string `ocid`, its tender not
/// cancelled, its `procurementMethodDetails` not excluded.
fn processes(releases: &[serde_json::Value], settings: &Settings) -> Vec<ocds::Process> {
    let excluded = &settings.exclusions.procurement_method_details;
    releases
        .iter()
        .filter_map(ocds::read)
        .filter(|p| p.tender_status.as_deref() != Some("cancelled"))
        .filter(|p| {
            p.procurement_method_details
                .as_ref()
                .is_none_or(|d| !excluded.contains(d))
        })
        .collect()
}

/// The main currency: the setting, else the first currency observed (bids, then awards, in
/// input order).
fn main_currency(ps: &[ocds::Process], settings: &Settings) -> Option<String> {
    if let Some(c) = &settings.currency {
        return Some(c.clone());
    }
    ps.iter().find_map(|p| {
        p.bids()
            .iter()
            .find_map(|b| b.value.as_ref())
            .or_else(|| p.awards().iter().find_map(|a| a.value.as_ref()))
            .map(|m| m.currency.clone())
    })
}

/// Every flag raised on `releases` (OCDS compiled releases, one per contracting process),
/// with the quartile-based fences computed over the whole set. Sorted by scope, subject
/// (ocid or organisation id), then code.
pub fn compute(
    releases: &[serde_json::Value],
    settings: &Settings,
    catalogue_medians: &CatalogueMedians,
) -> Vec<Flag> {
    compute_with_meta(releases, settings, catalogue_medians).flags
}

/// [`compute`], with the fences used (also when they flagged nothing).
pub fn compute_with_meta(
    releases: &[serde_json::Value],
    settings: &Settings,
    catalogue_medians: &CatalogueMedians,
) -> Report {
    let ps = processes(releases, settings);
    let cx = Context {
        settings,
        currency: main_currency(&ps, settings),
    };
    let mut flags = vec![];
    let mut fences = vec![];
    for p in &ps {
        process::flags(p, &cx, &mut flags);
        if settings.m001.enabled {
            flags.extend(catalogue::m001(p, &cx, catalogue_medians));
        }
    }
    outliers::second_lowest_bid(&ps, &cx, &mut flags, &mut fences);
    if settings.r025.enabled {
        outliers::r025(&ps, &cx, &mut flags, &mut fences);
    }
    if settings.r038.enabled {
        outliers::r038(&ps, &cx, &mut flags, &mut fences);
    }
    flags.sort_by(|a, b| (a.scope, &a.subject, a.code).cmp(&(b.scope, &b.subject, b.code)));
    Report {
        flags,
        fences,
        currency: cx.currency,
    }
}
