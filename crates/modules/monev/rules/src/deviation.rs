//! Deviation rules, as configuration (`workflows/config/monev.toml`), and what they find in
//! one verified report.
//!
//! - **Kontrak kritis** (the Public Works rule, Permen PUPR 14/2020): an activity under contract
//!   whose planned progress is 0–70 % and whose actual progress is behind by more than 10
//!   points, or planned 70–100 % and behind by more than 5. The bands are configurable. The
//!   same bands flag an activity without a contract as **behind plan**.
//! - **Spending ahead** of physical progress by more than N points (disbursement as a share of
//!   the contract value, or of the pagu without a contract).
//! - An **indicator below target** (direction-aware, with a tolerance in percent of the target).
//! - A **late report** and an activity **not started** by its planned start (plus a grace) are
//!   found by timers, not here; their severities are configured here too.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::period::Period;

/// The shipped settings (the same file as `workflows/config/monev.toml`).
pub const SHIPPED_TOML: &str = include_str!("../../../../../workflows/config/monev.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagKind {
    CriticalContract,
    BehindPlan,
    SpendingAhead,
    IndicatorBelowTarget,
    LateReport,
    NotStarted,
}

impl FlagKind {
    pub const ALL: [FlagKind; 6] = [
        FlagKind::CriticalContract,
        FlagKind::BehindPlan,
        FlagKind::SpendingAhead,
        FlagKind::IndicatorBelowTarget,
        FlagKind::LateReport,
        FlagKind::NotStarted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FlagKind::CriticalContract => "critical_contract",
            FlagKind::BehindPlan => "behind_plan",
            FlagKind::SpendingAhead => "spending_ahead",
            FlagKind::IndicatorBelowTarget => "indicator_below_target",
            FlagKind::LateReport => "late_report",
            FlagKind::NotStarted => "not_started",
        }
    }

    pub fn parse(s: &str) -> Option<FlagKind> {
        FlagKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The kind's title: (Bahasa Indonesia, English).
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            FlagKind::CriticalContract => ("Kontrak kritis", "Critical contract"),
            FlagKind::BehindPlan => ("Terlambat dari rencana", "Behind plan"),
            FlagKind::SpendingAhead => {
                ("Penyerapan mendahului fisik", "Spending ahead of progress")
            }
            FlagKind::IndicatorBelowTarget => {
                ("Indikator di bawah target", "Indicator below target")
            }
            FlagKind::LateReport => ("Laporan terlambat", "Late report"),
            FlagKind::NotStarted => ("Belum dimulai", "Not started"),
        }
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// A band of planned progress `[from, to)` (the last band includes 100) and how far behind is
/// critical in it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub planned_from: Decimal,
    pub planned_to: Decimal,
    pub behind_more_than: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Days after a month's end that its report is due.
    pub report_due_days: u32,
    /// Days after the planned start before an activity with no progress is flagged.
    pub not_started_grace_days: u32,
    pub critical: Vec<Band>,
    pub spending_ahead_points: Decimal,
    pub indicator_tolerance_percent: Decimal,
    pub severity: BTreeMap<FlagKind, Severity>,
}

impl Rules {
    /// Parses and checks the settings: bands in order covering 0 to 100 without gaps.
    pub fn parse(text: &str) -> Result<Rules, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            report_due_days: u32,
            not_started_grace_days: u32,
            spending_ahead_points: Decimal,
            indicator_tolerance_percent: Decimal,
            critical: Vec<Band>,
            #[serde(default)]
            severity: BTreeMap<String, Severity>,
        }
        let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
        if !(1..=90).contains(&f.report_due_days) {
            return Err(format!(
                "report_due_days = {}: expected 1 to 90",
                f.report_due_days
            ));
        }
        if f.not_started_grace_days > 365 {
            return Err("not_started_grace_days: at most 365".into());
        }
        for (name, v) in [
            ("spending_ahead_points", f.spending_ahead_points),
            ("indicator_tolerance_percent", f.indicator_tolerance_percent),
        ] {
            if !crate::plan::percent(v) {
                return Err(format!("{name} = {v}: expected 0 to 100"));
            }
        }
        let mut at = Decimal::ZERO;
        for b in &f.critical {
            if b.planned_from != at || b.planned_to <= b.planned_from {
                return Err(format!(
                    "the [[critical]] bands must follow each other from 0 to 100; one starts at {} where {at} was expected",
                    b.planned_from
                ));
            }
            if !crate::plan::percent(b.behind_more_than) {
                return Err(format!(
                    "behind_more_than = {}: expected 0 to 100",
                    b.behind_more_than
                ));
            }
            at = b.planned_to;
        }
        if at != Decimal::ONE_HUNDRED {
            return Err("the [[critical]] bands must end at 100".into());
        }
        let mut severity = BTreeMap::new();
        for k in FlagKind::ALL {
            severity.insert(k, default_severity(k));
        }
        for (name, s) in f.severity {
            let k = FlagKind::parse(&name)
                .ok_or_else(|| format!("[severity] {name}: not a kind of flag"))?;
            severity.insert(k, s);
        }
        Ok(Rules {
            report_due_days: f.report_due_days,
            not_started_grace_days: f.not_started_grace_days,
            critical: f.critical,
            spending_ahead_points: f.spending_ahead_points,
            indicator_tolerance_percent: f.indicator_tolerance_percent,
            severity,
        })
    }

    pub fn severity(&self, k: FlagKind) -> Severity {
        self.severity
            .get(&k)
            .copied()
            .unwrap_or(default_severity(k))
    }

    /// How far behind is critical at planned progress `planned`.
    pub fn critical_gap(&self, planned: Decimal) -> Option<Decimal> {
        let last = self.critical.len().saturating_sub(1);
        self.critical
            .iter()
            .enumerate()
            .find(|(i, b)| {
                planned >= b.planned_from
                    && (planned < b.planned_to || (*i == last && planned <= b.planned_to))
            })
            .map(|(_, b)| b.behind_more_than)
    }
}

fn default_severity(k: FlagKind) -> Severity {
    match k {
        FlagKind::CriticalContract => Severity::High,
        FlagKind::IndicatorBelowTarget | FlagKind::LateReport => Severity::Low,
        _ => Severity::Medium,
    }
}

/// One indicator's target and actual in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorFacts {
    pub name: String,
    pub unit: String,
    pub target: Option<Decimal>,
    pub actual: Option<Decimal>,
    pub higher_is_better: bool,
}

/// What a verified report says about its period, beside the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFacts {
    pub period: Period,
    pub under_contract: bool,
    pub planned_physical: Decimal,
    pub actual_physical: Decimal,
    /// Cumulative realised spending.
    pub spent: Decimal,
    /// What the spending is a share of: the contract value, or the pagu.
    pub budget: Decimal,
    pub indicators: Vec<IndicatorFacts>,
}

/// A deviation found: its kind, severity, evidence (name → value, as stored) and a sentence in
/// both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub kind: FlagKind,
    pub severity: Severity,
    pub evidence: BTreeMap<String, String>,
    pub id: String,
    pub en: String,
}

fn pct(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

/// Every deviation the report's facts show, in the order of [`FlagKind::ALL`].
pub fn detect(rules: &Rules, f: &PeriodFacts) -> Vec<Detected> {
    let mut out = vec![];
    let behind = f.planned_physical - f.actual_physical;
    if let Some(gap) = rules.critical_gap(f.planned_physical) {
        if behind > gap {
            let kind = if f.under_contract {
                FlagKind::CriticalContract
            } else {
                FlagKind::BehindPlan
            };
            out.push(Detected {
                kind,
                severity: rules.severity(kind),
                evidence: BTreeMap::from([
                    ("period".into(), f.period.to_string()),
                    ("planned_physical".into(), pct(f.planned_physical)),
                    ("actual_physical".into(), pct(f.actual_physical)),
                    ("behind".into(), pct(behind)),
                    ("threshold".into(), pct(gap)),
                ]),
                id: format!(
                    "{}: rencana fisik {}%, realisasi {}%, terlambat {} poin (batas {}).",
                    f.period, pct(f.planned_physical), pct(f.actual_physical), pct(behind), pct(gap)
                ),
                en: format!(
                    "{}: planned physical progress {}%, actual {}%, behind by {} points (limit {}).",
                    f.period, pct(f.planned_physical), pct(f.actual_physical), pct(behind), pct(gap)
                ),
            });
        }
    }
    if f.budget > Decimal::ZERO {
        // Compared exactly, printed to two decimals.
        let spent_pct = f.spent * Decimal::ONE_HUNDRED / f.budget;
        let ahead = spent_pct - f.actual_physical;
        if ahead > rules.spending_ahead_points {
            let kind = FlagKind::SpendingAhead;
            out.push(Detected {
                kind,
                severity: rules.severity(kind),
                evidence: BTreeMap::from([
                    ("period".into(), f.period.to_string()),
                    ("spent_percent".into(), pct(spent_pct)),
                    ("actual_physical".into(), pct(f.actual_physical)),
                    ("ahead".into(), pct(ahead)),
                    ("threshold".into(), pct(rules.spending_ahead_points)),
                ]),
                id: format!(
                    "{}: penyerapan {}% dari nilai, fisik {}%, selisih {} poin (batas {}).",
                    f.period, pct(spent_pct), pct(f.actual_physical), pct(ahead), pct(rules.spending_ahead_points)
                ),
                en: format!(
                    "{}: {}% of the value spent against {}% physical progress, {} points ahead (limit {}).",
                    f.period, pct(spent_pct), pct(f.actual_physical), pct(ahead), pct(rules.spending_ahead_points)
                ),
            });
        }
    }
    for i in &f.indicators {
        let (Some(t), Some(a)) = (i.target, i.actual) else {
            continue;
        };
        let tol = t * rules.indicator_tolerance_percent / Decimal::ONE_HUNDRED;
        let below = if i.higher_is_better {
            a < t - tol
        } else {
            a > t + tol
        };
        if below {
            let kind = FlagKind::IndicatorBelowTarget;
            out.push(Detected {
                kind,
                severity: rules.severity(kind),
                evidence: BTreeMap::from([
                    ("period".into(), f.period.to_string()),
                    ("indicator".into(), i.name.clone()),
                    ("target".into(), t.normalize().to_string()),
                    ("actual".into(), a.normalize().to_string()),
                    ("unit".into(), i.unit.clone()),
                ]),
                id: format!(
                    "{}: indikator \"{}\" {} {} (target {} {}).",
                    f.period,
                    i.name,
                    a.normalize(),
                    i.unit,
                    t.normalize(),
                    i.unit
                ),
                en: format!(
                    "{}: indicator \"{}\" at {} {} (target {} {}).",
                    f.period,
                    i.name,
                    a.normalize(),
                    i.unit,
                    t.normalize(),
                    i.unit
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn facts(planned: &str, actual: &str, contract: bool) -> PeriodFacts {
        PeriodFacts {
            period: "2027-05".parse().unwrap(),
            under_contract: contract,
            planned_physical: d(planned),
            actual_physical: d(actual),
            spent: d("0"),
            budget: d("1000"),
            indicators: vec![],
        }
    }

    fn kinds(v: &[Detected]) -> Vec<FlagKind> {
        v.iter().map(|x| x.kind).collect()
    }

    #[test]
    fn the_shipped_rules_parse() {
        let r = Rules::parse(SHIPPED_TOML).unwrap();
        assert_eq!(r.critical.len(), 2);
        assert_eq!(r.severity(FlagKind::CriticalContract), Severity::High);
    }

    #[test]
    fn kontrak_kritis_follows_the_public_works_bands() {
        let r = Rules::parse(SHIPPED_TOML).unwrap();
        // 0–70 %: behind by more than 10.
        assert!(detect(&r, &facts("50", "40", true)).is_empty());
        assert_eq!(
            kinds(&detect(&r, &facts("50", "39.99", true))),
            [FlagKind::CriticalContract]
        );
        // 70–100 %: behind by more than 5; 70 itself is in the upper band.
        assert_eq!(
            kinds(&detect(&r, &facts("70", "64", true))),
            [FlagKind::CriticalContract]
        );
        assert!(detect(&r, &facts("70", "65", true)).is_empty());
        assert!(detect(&r, &facts("69.99", "64", true)).is_empty());
        assert_eq!(
            kinds(&detect(&r, &facts("100", "94.99", false))),
            [FlagKind::BehindPlan]
        );
    }

    #[test]
    fn spending_ahead_and_indicators() {
        let r = Rules::parse(SHIPPED_TOML).unwrap();
        let mut f = facts("30", "30", true);
        f.spent = d("400.01");
        assert_eq!(kinds(&detect(&r, &f)), [FlagKind::SpendingAhead]);
        f.spent = d("400");
        assert!(detect(&r, &f).is_empty());
        f.indicators = vec![
            IndicatorFacts {
                name: "Jalan".into(),
                unit: "m".into(),
                target: Some(d("100")),
                actual: Some(d("99")),
                higher_is_better: true,
            },
            IndicatorFacts {
                name: "Keluhan".into(),
                unit: "kasus".into(),
                target: Some(d("5")),
                actual: Some(d("5")),
                higher_is_better: false,
            },
            IndicatorFacts {
                name: "Tanpa target".into(),
                unit: "x".into(),
                target: None,
                actual: Some(d("1")),
                higher_is_better: true,
            },
        ];
        let found = detect(&r, &f);
        assert_eq!(kinds(&found), [FlagKind::IndicatorBelowTarget]);
        assert_eq!(found[0].evidence["indicator"], "Jalan");
        f.indicators[1].actual = Some(d("6"));
        assert_eq!(detect(&r, &f).len(), 2);
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let base = |bands: &str| {
            format!("report_due_days = 10\nnot_started_grace_days = 14\nspending_ahead_points = 10\nindicator_tolerance_percent = 0\n{bands}")
        };
        let band = |a: u32, b: u32| {
            format!("[[critical]]\nplanned_from = {a}\nplanned_to = {b}\nbehind_more_than = 5\n")
        };
        assert!(Rules::parse(&base(&(band(0, 70) + &band(70, 100)))).is_ok());
        assert!(Rules::parse(&base(&(band(0, 60) + &band(70, 100))))
            .unwrap_err()
            .contains("follow"));
        assert!(Rules::parse(&base(&band(0, 70)))
            .unwrap_err()
            .contains("end at 100"));
        let sev = base(&band(0, 100)) + "[severity]\nnonsense = \"high\"\n";
        assert!(Rules::parse(&sev).unwrap_err().contains("not a kind"));
    }
}
