//! An activity's plan: per month the cumulative target of physical progress (percent) and of
//! disbursement (rupiah), the planned S-curve; the weights of its sub-activities when it has
//! several; its output and outcome indicators with a target per month. [`Plan::check`] says
//! what is wrong with one, field by field, in both languages.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::period::Period;

/// A percentage as given: 0 to 100, at most two decimals.
pub fn percent(d: Decimal) -> bool {
    d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED && d.normalize().scale() <= 2
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPoint {
    pub period: Period,
    /// Cumulative physical progress planned by the end of the period, percent.
    pub physical: Decimal,
    /// Cumulative disbursement planned by the end of the period, rupiah.
    pub disbursement: Decimal,
}

/// A part of the activity with its weight in its physical progress (the weights sum to 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubActivity {
    pub name: String,
    pub weight: Decimal,
}

/// An output (keluaran) or outcome (hasil) indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub outcome: bool,
    pub name: String,
    pub unit: String,
    pub baseline: Decimal,
    pub higher_is_better: bool,
    /// Targets by month (not every month needs one).
    pub targets: Vec<(Period, Decimal)>,
}

impl Indicator {
    pub fn target(&self, p: Period) -> Option<Decimal> {
        self.targets.iter().find(|(q, _)| *q == p).map(|(_, t)| *t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub points: Vec<PlanPoint>,
    pub subs: Vec<SubActivity>,
    pub indicators: Vec<Indicator>,
}

/// What is wrong with a plan: the field (as the API names it), a stable code, and the message
/// in Bahasa Indonesia and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub field: String,
    pub code: &'static str,
    pub id: String,
    pub en: String,
}

fn err(field: impl Into<String>, code: &'static str, id: String, en: String) -> PlanError {
    PlanError {
        field: field.into(),
        code,
        id,
        en,
    }
}

/// At most this many sub-activities and indicators.
pub const MAX_SUBS: usize = 30;
pub const MAX_INDICATORS: usize = 20;

impl Plan {
    /// The months the activity runs, from its start to its end.
    pub fn periods(&self) -> Vec<Period> {
        Period::range(Period::of(self.starts_on), Period::of(self.ends_on))
    }

    /// Everything wrong with the plan for an activity with budget `pagu` (empty when none).
    pub fn check(&self, pagu: Decimal) -> Vec<PlanError> {
        let mut e = vec![];
        if self.ends_on < self.starts_on {
            e.push(err(
                "endsOn",
                "range",
                "Tanggal selesai tidak boleh sebelum tanggal mulai.".into(),
                "The end date cannot be before the start date.".into(),
            ));
            return e;
        }
        let want = self.periods();
        if want.len() > 60 {
            e.push(err(
                "endsOn",
                "range",
                "Kegiatan paling lama 60 bulan.".into(),
                "An activity lasts at most 60 months.".into(),
            ));
            return e;
        }
        let got: Vec<Period> = self.points.iter().map(|p| p.period).collect();
        if got != want {
            e.push(err(
                "plan",
                "periods",
                format!(
                    "Rencana harus berisi satu baris untuk setiap bulan dari {} sampai {}, berurutan.",
                    want[0],
                    want[want.len() - 1]
                ),
                format!(
                    "The plan needs one row for each month from {} to {}, in order.",
                    want[0],
                    want[want.len() - 1]
                ),
            ));
        }
        let (mut phys, mut money) = (Decimal::ZERO, Decimal::ZERO);
        for (i, p) in self.points.iter().enumerate() {
            let f = format!("plan.{i}");
            if !percent(p.physical) {
                e.push(err(
                    format!("{f}.physical"),
                    "percent",
                    "Persentase antara 0 dan 100, paling banyak dua angka desimal.".into(),
                    "A percentage is between 0 and 100, with at most two decimals.".into(),
                ));
            } else if p.physical < phys {
                e.push(err(
                    format!("{f}.physical"),
                    "cumulative",
                    format!("Rencana fisik {} tidak boleh turun (kumulatif).", p.period),
                    format!(
                        "The planned physical progress of {} cannot go down (it is cumulative).",
                        p.period
                    ),
                ));
            }
            if p.disbursement.is_sign_negative() || p.disbursement.normalize().scale() > 2 {
                e.push(err(
                    format!("{f}.disbursement"),
                    "money",
                    "Jumlah tidak negatif, paling banyak dua angka desimal.".into(),
                    "An amount is not negative, with at most two decimals.".into(),
                ));
            } else if p.disbursement < money {
                e.push(err(
                    format!("{f}.disbursement"),
                    "cumulative",
                    format!(
                        "Rencana penyerapan {} tidak boleh turun (kumulatif).",
                        p.period
                    ),
                    format!(
                        "The planned disbursement of {} cannot go down (it is cumulative).",
                        p.period
                    ),
                ));
            } else if p.disbursement > pagu {
                e.push(err(
                    format!("{f}.disbursement"),
                    "pagu",
                    format!("Rencana penyerapan {} melebihi pagu.", p.period),
                    format!(
                        "The planned disbursement of {} exceeds the budget ceiling.",
                        p.period
                    ),
                ));
            }
            phys = phys.max(p.physical);
            money = money.max(p.disbursement);
        }
        if let Some(last) = self.points.last() {
            if last.physical != Decimal::ONE_HUNDRED {
                e.push(err(
                    format!("plan.{}.physical", self.points.len() - 1),
                    "complete",
                    "Rencana fisik bulan terakhir harus 100%.".into(),
                    "The last month's planned physical progress must be 100%.".into(),
                ));
            }
        }
        if self.subs.len() > MAX_SUBS {
            e.push(err(
                "subActivities",
                "too_many",
                format!("Paling banyak {MAX_SUBS} sub-kegiatan."),
                format!("At most {MAX_SUBS} sub-activities."),
            ));
        }
        if !self.subs.is_empty() {
            let mut names = BTreeSet::new();
            for (i, s) in self.subs.iter().enumerate() {
                if s.name.trim().is_empty() || !names.insert(s.name.trim().to_lowercase()) {
                    e.push(err(
                        format!("subActivities.{i}.name"),
                        "name",
                        "Setiap sub-kegiatan punya nama sendiri.".into(),
                        "Each sub-activity has a name of its own.".into(),
                    ));
                }
                if !percent(s.weight) || s.weight.is_zero() {
                    e.push(err(
                        format!("subActivities.{i}.weight"),
                        "percent",
                        "Bobot lebih dari 0 dan paling banyak 100, dua angka desimal.".into(),
                        "A weight is above 0 and at most 100, with two decimals.".into(),
                    ));
                }
            }
            let sum: Decimal = self.subs.iter().map(|s| s.weight).sum();
            if sum != Decimal::ONE_HUNDRED {
                e.push(err(
                    "subActivities",
                    "weights",
                    format!("Jumlah bobot sub-kegiatan harus 100, bukan {sum}."),
                    format!("The sub-activities' weights must add up to 100, not {sum}."),
                ));
            }
        }
        if self.indicators.len() > MAX_INDICATORS {
            e.push(err(
                "indicators",
                "too_many",
                format!("Paling banyak {MAX_INDICATORS} indikator."),
                format!("At most {MAX_INDICATORS} indicators."),
            ));
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            let f = format!("indicators.{i}");
            if ind.name.trim().is_empty() || ind.unit.trim().is_empty() {
                e.push(err(
                    format!("{f}.name"),
                    "required",
                    "Indikator perlu nama dan satuan.".into(),
                    "An indicator needs a name and a unit.".into(),
                ));
            }
            let mut seen = BTreeSet::new();
            for (p, t) in &ind.targets {
                if !want.contains(p) || !seen.insert(*p) {
                    e.push(err(
                        format!("{f}.targets"),
                        "periods",
                        format!("Target {p}: satu target per bulan, di dalam masa kegiatan."),
                        format!("Target {p}: one target per month, within the activity's months."),
                    ));
                }
                if t.is_sign_negative() {
                    e.push(err(
                        format!("{f}.targets"),
                        "range",
                        "Target tidak boleh negatif.".into(),
                        "A target cannot be negative.".into(),
                    ));
                }
            }
        }
        e
    }

    /// The plan at the end of `p`: before the first month nothing, after the last all.
    pub fn at(&self, p: Period) -> (Decimal, Decimal) {
        planned_at(&self.points, p)
    }

    /// The physical progress of the whole from its sub-activities' progress (in their order):
    /// the weighted mean; without sub-activities, the one value given.
    pub fn weighted(&self, progress: &[Decimal]) -> Option<Decimal> {
        if self.subs.is_empty() {
            return (progress.len() == 1).then(|| progress[0]);
        }
        if progress.len() != self.subs.len() {
            return None;
        }
        let sum: Decimal = self
            .subs
            .iter()
            .zip(progress)
            .map(|(s, p)| s.weight * p)
            .sum();
        Some((sum / Decimal::ONE_HUNDRED).round_dp(2))
    }
}

/// The plan's cumulative values at the end of `p`, for points in order of period.
pub fn planned_at(points: &[PlanPoint], p: Period) -> (Decimal, Decimal) {
    points
        .iter()
        .take_while(|x| x.period <= p)
        .last()
        .map(|x| (x.physical, x.disbursement))
        .unwrap_or((Decimal::ZERO, Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn plan(rows: &[(&str, &str, &str)]) -> Plan {
        let points: Vec<PlanPoint> = rows
            .iter()
            .map(|(p, f, m)| PlanPoint {
                period: p.parse().unwrap(),
                physical: d(f),
                disbursement: d(m),
            })
            .collect();
        Plan {
            starts_on: points[0].period.first_day(),
            ends_on: points[points.len() - 1].period.last_day(),
            points,
            subs: vec![],
            indicators: vec![],
        }
    }

    #[test]
    fn a_good_plan_passes_and_answers_between_months() {
        let p = plan(&[
            ("2027-01", "10", "100"),
            ("2027-02", "55.5", "400"),
            ("2027-03", "100", "1000"),
        ]);
        assert!(p.check(d("1000")).is_empty());
        assert_eq!(p.at("2026-12".parse().unwrap()), (d("0"), d("0")));
        assert_eq!(p.at("2027-02".parse().unwrap()), (d("55.5"), d("400")));
        assert_eq!(p.at("2027-09".parse().unwrap()), (d("100"), d("1000")));
    }

    #[test]
    fn what_is_wrong_is_said_field_by_field() {
        let p = plan(&[
            ("2027-01", "50", "600"),
            ("2027-02", "40", "500"),
            ("2027-03", "99", "2000"),
        ]);
        let codes: Vec<(String, &str)> = p
            .check(d("1000"))
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert!(codes.contains(&("plan.1.physical".into(), "cumulative")));
        assert!(codes.contains(&("plan.1.disbursement".into(), "cumulative")));
        assert!(codes.contains(&("plan.2.disbursement".into(), "pagu")));
        assert!(codes.contains(&("plan.2.physical".into(), "complete")));
        let mut gap = plan(&[("2027-01", "50", "1"), ("2027-03", "100", "2")]);
        assert_eq!(gap.check(d("10"))[0].code, "periods");
        gap.points[0].physical = d("10.123");
        assert!(gap.check(d("10")).iter().any(|e| e.code == "percent"));
    }

    #[test]
    fn sub_activities_weigh_the_progress() {
        let mut p = plan(&[("2027-01", "100", "0")]);
        p.subs = vec![
            SubActivity {
                name: "Tanah".into(),
                weight: d("25"),
            },
            SubActivity {
                name: "Aspal".into(),
                weight: d("75"),
            },
        ];
        assert!(p.check(d("0")).is_empty());
        assert_eq!(p.weighted(&[d("100"), d("20")]), Some(d("40")));
        assert_eq!(p.weighted(&[d("100")]), None);
        p.subs[1].weight = d("70");
        assert_eq!(p.check(d("0"))[0].code, "weights");
    }
}
