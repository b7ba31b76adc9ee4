//! Settings of the red flags: every threshold and default as Cardinal documents it
//! (<https://cardinal.readthedocs.io/en/latest/cli/indicators/>), one table per indicator code
//! as in Cardinal's INI sections, so that a TOML `[flags]` table reads like Cardinal's settings
//! file:
//!
//! ```toml
//! [flags]
//! currency = "IDR"
//! no_price_comparison_procurement_methods = "Pengadaan Langsung"   # or ["…", "…"]
//!
//! [flags.R003]
//! threshold = 10
//!
//! [flags.R003.procurement_method_details]
//! "Mini-kompetisi" = 3
//!
//! [flags.R024]
//! threshold = 0.05
//! ```
//!
//! Every key is optional (`#[serde(default)]`); an unknown key is an error, as in Cardinal.
//! Cardinal runs only the indicators whose section is present; here every indicator runs by
//! default and `enabled = false` turns one off. Pipe-separated lists (`"open|selective"`, as in
//! Cardinal) and TOML arrays are both accepted. Decimal thresholds may be TOML numbers or
//! strings (`"0.05"`); either is read exactly.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// A list given as Cardinal's pipe-separated string or as an array.
fn pipe_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Pipes(String),
        List(Vec<String>),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Pipes(s) => s.split_terminator('|').map(str::to_owned).collect(),
        Raw::List(v) => v,
    })
}

/// All the settings. `Default` is Cardinal's defaults (and Mufakat's for M001).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The main currency. Cardinal: `currency`; when unset, the first currency observed (here:
    /// in input order, bids before awards). Amounts in another currency are left out.
    pub currency: Option<String>,
    /// Cardinal's `no_price_comparison_procurement_methods`: `/tender/procurementMethodDetails`
    /// values whose procedures are left out of price comparisons (R024, R028, R036, R058).
    #[serde(deserialize_with = "pipe_list")]
    pub no_price_comparison_procurement_methods: Vec<String>,
    /// Cardinal's `price_comparison_procurement_methods`: if non-empty, only procedures whose
    /// `/tender/procurementMethodDetails` is listed enter price comparisons (and
    /// `no_price_comparison_procurement_methods` has no effect).
    #[serde(deserialize_with = "pipe_list")]
    pub price_comparison_procurement_methods: Vec<String>,
    /// Cardinal's `[exclusions]`.
    pub exclusions: Exclusions,
    #[serde(rename = "R003")]
    pub r003: R003,
    #[serde(rename = "R018")]
    pub r018: R018,
    #[serde(rename = "R024")]
    pub r024: FenceOverride,
    #[serde(rename = "R025")]
    pub r025: R025,
    #[serde(rename = "R028")]
    pub r028: Toggle,
    #[serde(rename = "R030")]
    pub r030: Toggle,
    #[serde(rename = "R035")]
    pub r035: R035,
    #[serde(rename = "R036")]
    pub r036: Toggle,
    #[serde(rename = "R038")]
    pub r038: R038,
    #[serde(rename = "R058")]
    pub r058: FenceOverride,
    /// Mufakat's own: an award far above the catalogue's median price.
    #[serde(rename = "M001")]
    pub m001: M001,
}

impl Settings {
    /// The `[flags]` table of a TOML file (other tables are ignored); defaults when absent.
    pub fn from_toml(text: &str) -> Result<Settings, String> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            flags: Settings,
        }
        toml::from_str::<File>(text)
            .map(|f| f.flags)
            .map_err(|e| e.to_string())
    }
}

/// Cardinal's `[exclusions]` section: procedures left out of every indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Exclusions {
    /// `/tender/procurementMethodDetails` values (Cardinal: pipe-separated).
    #[serde(deserialize_with = "pipe_list")]
    pub procurement_method_details: Vec<String>,
}

/// An indicator with nothing to configure (Cardinal: "The indicator is not configurable.").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Toggle {
    pub enabled: bool,
}

impl Default for Toggle {
    fn default() -> Self {
        Toggle { enabled: true }
    }
}

/// R003 Short submission period.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct R003 {
    pub enabled: bool,
    /// Flagged if the submission period is shorter than this many whole days. Default 15.
    pub threshold: i64,
    /// Only these `/tender/procurementMethod` values; empty (the default) = every method.
    #[serde(deserialize_with = "pipe_list")]
    pub procurement_methods: Vec<String>,
    /// The threshold per `/tender/procurementMethodDetails` value, overriding `threshold`.
    pub procurement_method_details: BTreeMap<String, i64>,
}

impl Default for R003 {
    fn default() -> Self {
        R003 {
            enabled: true,
            threshold: 15,
            procurement_methods: vec![],
            procurement_method_details: BTreeMap::new(),
        }
    }
}

/// R018 Single bid received.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct R018 {
    pub enabled: bool,
    /// The competitive `/tender/procurementMethod` values. Default `open|selective`.
    #[serde(deserialize_with = "pipe_list")]
    pub procurement_methods: Vec<String>,
}

impl Default for R018 {
    fn default() -> Self {
        R018 {
            enabled: true,
            procurement_methods: vec!["open".into(), "selective".into()],
        }
    }
}

/// R024 Price close to winning bid (lower fence) and R058 Heavily discounted bid (upper
/// fence): `threshold` replaces the fence computed from the quartiles (default: computed).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FenceOverride {
    pub enabled: bool,
    pub threshold: Option<Decimal>,
}

impl Default for FenceOverride {
    fn default() -> Self {
        FenceOverride {
            enabled: true,
            threshold: None,
        }
    }
}

/// R025 Excessive unsuccessful bids.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct R025 {
    pub enabled: bool,
    /// The upper fence of "top tenderer": this percentile of the numbers of valid bids per
    /// tenderer. Default 75. Above 100 nothing is flagged.
    pub percentile: u32,
    /// Replaces the lower fence Q1 − 1.5·IQR of the win ratios (default: computed).
    pub threshold: Option<Decimal>,
}

impl Default for R025 {
    fn default() -> Self {
        R025 {
            enabled: true,
            percentile: 75,
            threshold: None,
        }
    }
}

/// R035 All except winning bid disqualified.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct R035 {
    pub enabled: bool,
    /// At least this many other tenderers with disqualified bids. Default 1 (0 counts as 1).
    pub threshold: usize,
}

impl Default for R035 {
    fn default() -> Self {
        R035 {
            enabled: true,
            threshold: 1,
        }
    }
}

/// R038 Excessive disqualified bids.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct R038 {
    pub enabled: bool,
    /// Replaces the upper fence Q3 + 1.5·IQR of the ratios (default: computed per group).
    pub threshold: Option<Decimal>,
    /// Tenderers with fewer submitted bids are left out. Default 2.
    pub minimum_submitted_bids: usize,
    /// Buyers and procuring entities with fewer contracting processes are left out. Default 2.
    pub minimum_contracting_processes: usize,
}

impl Default for R038 {
    fn default() -> Self {
        R038 {
            enabled: true,
            threshold: None,
            minimum_submitted_bids: 2,
            minimum_contracting_processes: 2,
        }
    }
}

/// M001 (Mufakat's own) Award far above the catalogue's median price.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct M001 {
    pub enabled: bool,
    /// Flagged when price ÷ median is greater than this. Default 1.5 (50 % above the median).
    pub ratio: Decimal,
    /// The award statuses compared. Default `active` (as Cardinal counts awards); add
    /// `pending` to see the flag during the objection period.
    #[serde(deserialize_with = "pipe_list")]
    pub award_statuses: Vec<String>,
}

impl Default for M001 {
    fn default() -> Self {
        M001 {
            enabled: true,
            ratio: Decimal::new(15, 1),
            award_statuses: vec!["active".into()],
        }
    }
}
