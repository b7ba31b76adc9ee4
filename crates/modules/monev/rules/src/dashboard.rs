//! The situation room's figures, computed from each activity's facts: pagu, contracted,
//! disbursed, physical progress against plan (weighted by pagu), open flags by kind and the
//! reporting rates (expected, received, on time: the measures DHIS2 uses), grouped by region,
//! OPD, category, funding source or cycle; and the S-curve (plan and actual per month) of any
//! set of activities.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::deviation::FlagKind;
use crate::period::Period;
use crate::plan::{planned_at, PlanPoint};

/// One month's report of an activity, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub period: Period,
    pub due_at: DateTime<Utc>,
    /// When it was (last) submitted, if it was.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The first submission's time, for "on time".
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// Physical progress (percent) and cumulative spending, once verified.
    pub verified: Option<(Decimal, Decimal)>,
}

/// One activity, as the dashboard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFacts {
    pub id: i32,
    pub region_id: i32,
    pub opd: String,
    pub category: String,
    pub funding_source: String,
    pub cycle_id: Option<i32>,
    pub year: i32,
    pub pagu: Decimal,
    pub contracted: Decimal,
    /// The plan, in order of month.
    pub plan: Vec<PlanPoint>,
    /// The reports, in order of month.
    pub reports: Vec<ReportFacts>,
    pub open_flags: BTreeMap<FlagKind, u32>,
}

impl ActivityFacts {
    /// The last verified report at or before `p`: (physical, spent).
    pub fn actual_at(&self, p: Period) -> Option<(Decimal, Decimal)> {
        self.reports
            .iter()
            .rev()
            .filter(|r| r.period <= p)
            .find_map(|r| r.verified)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    All,
    Region,
    Opd,
    Category,
    FundingSource,
    Cycle,
}

/// A group's key: the region or cycle id, the OPD, category or funding source, or `all`.
pub type Group = String;

fn key(a: &ActivityFacts, by: GroupBy) -> Group {
    match by {
        GroupBy::All => "all".into(),
        GroupBy::Region => a.region_id.to_string(),
        GroupBy::Opd => a.opd.clone(),
        GroupBy::Category => a.category.clone(),
        GroupBy::FundingSource => a.funding_source.clone(),
        GroupBy::Cycle => a.cycle_id.map(|c| c.to_string()).unwrap_or_default(),
    }
}

/// A group's figures at the end of a month.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub group: Group,
    pub activities: u32,
    pub pagu: Decimal,
    pub contracted: Decimal,
    pub disbursed: Decimal,
    pub planned_disbursement: Decimal,
    /// Weighted by pagu (a plain mean when every pagu is zero).
    pub planned_physical: Decimal,
    pub actual_physical: Decimal,
    pub flags: BTreeMap<FlagKind, u32>,
    /// Reports due by now (of months up to the one asked for).
    pub expected: u32,
    /// Of those, submitted.
    pub received: u32,
    /// Of those, first submitted by their due time.
    pub on_time: u32,
}

impl Row {
    /// Actual minus planned physical progress, in points.
    pub fn deviation(&self) -> Decimal {
        self.actual_physical - self.planned_physical
    }
}

#[derive(Default)]
struct Acc {
    row: Row,
    w_plan: Decimal,
    w_actual: Decimal,
    plain_plan: Decimal,
    plain_actual: Decimal,
}

/// The figures of each group at the end of month `as_of`, with reports due by `now`; groups in
/// order of key.
pub fn aggregate<'a>(
    facts: impl IntoIterator<Item = &'a ActivityFacts>,
    by: GroupBy,
    as_of: Period,
    now: DateTime<Utc>,
) -> Vec<Row> {
    let mut groups: BTreeMap<Group, Acc> = BTreeMap::new();
    for a in facts {
        let g = groups.entry(key(a, by)).or_default();
        let (plan_phys, plan_money) = planned_at(&a.plan, as_of);
        let (act_phys, spent) = a.actual_at(as_of).unwrap_or_default();
        let r = &mut g.row;
        r.activities += 1;
        r.pagu += a.pagu;
        r.contracted += a.contracted;
        r.disbursed += spent;
        r.planned_disbursement += plan_money;
        g.w_plan += a.pagu * plan_phys;
        g.w_actual += a.pagu * act_phys;
        g.plain_plan += plan_phys;
        g.plain_actual += act_phys;
        for (k, n) in &a.open_flags {
            *r.flags.entry(*k).or_default() += n;
        }
        for rep in a
            .reports
            .iter()
            .filter(|x| x.period <= as_of && x.due_at <= now)
        {
            r.expected += 1;
            if rep.submitted_at.is_some() {
                r.received += 1;
            }
            if rep.first_submitted_at.is_some_and(|t| t <= rep.due_at) {
                r.on_time += 1;
            }
        }
    }
    groups
        .into_iter()
        .map(|(group, g)| {
            let mut row = g.row;
            row.group = group;
            if row.pagu > Decimal::ZERO {
                row.planned_physical = (g.w_plan / row.pagu).round_dp(2);
                row.actual_physical = (g.w_actual / row.pagu).round_dp(2);
            } else if row.activities > 0 {
                let n = Decimal::from(row.activities);
                row.planned_physical = (g.plain_plan / n).round_dp(2);
                row.actual_physical = (g.plain_actual / n).round_dp(2);
            }
            row
        })
        .collect()
}

/// One month of an S-curve: cumulative plan and actual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurvePoint {
    pub period: Period,
    pub planned_physical: Decimal,
    /// None for months after the last verified report of any of the activities.
    pub actual_physical: Option<Decimal>,
    pub planned_disbursement: Decimal,
    pub actual_disbursement: Option<Decimal>,
}

/// The S-curve of a set of activities over the months from their first to their last planned
/// month: physical progress weighted by pagu, money summed.
pub fn curve<'a>(facts: impl IntoIterator<Item = &'a ActivityFacts> + Clone) -> Vec<CurvePoint> {
    let all: Vec<&ActivityFacts> = facts.into_iter().collect();
    let first = all
        .iter()
        .filter_map(|a| a.plan.first().map(|p| p.period))
        .min();
    let last = all
        .iter()
        .filter_map(|a| a.plan.last().map(|p| p.period))
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return vec![];
    };
    let reported = all
        .iter()
        .flat_map(|a| {
            a.reports
                .iter()
                .filter(|r| r.verified.is_some())
                .map(|r| r.period)
        })
        .max();
    let now = DateTime::<Utc>::MAX_UTC;
    Period::range(first, last)
        .into_iter()
        .map(|p| {
            let row = aggregate(all.iter().copied(), GroupBy::All, p, now)
                .pop()
                .unwrap_or_default();
            let known = reported.is_some_and(|r| p <= r);
            CurvePoint {
                period: p,
                planned_physical: row.planned_physical,
                actual_physical: known.then_some(row.actual_physical),
                planned_disbursement: row.planned_disbursement,
                actual_disbursement: known.then_some(row.disbursed),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    fn activity(
        id: i32,
        opd: &str,
        pagu: &str,
        plan: &[(&str, &str, &str)],
        verified: &[(&str, &str, &str)],
    ) -> ActivityFacts {
        let plan: Vec<PlanPoint> = plan
            .iter()
            .map(|(m, f, s)| PlanPoint {
                period: p(m),
                physical: d(f),
                disbursement: d(s),
            })
            .collect();
        let reports = plan
            .iter()
            .map(|pp| {
                let v = verified.iter().find(|(m, _, _)| p(m) == pp.period);
                let due = pp.period.due(10);
                ReportFacts {
                    period: pp.period,
                    due_at: due,
                    submitted_at: v.map(|_| due),
                    first_submitted_at: v.map(|(m, _, _)| {
                        if *m == "2027-02" {
                            due + chrono::Duration::days(1)
                        } else {
                            due
                        }
                    }),
                    verified: v.map(|(_, f, s)| (d(f), d(s))),
                }
            })
            .collect();
        ActivityFacts {
            id,
            region_id: 1,
            opd: opd.into(),
            category: "jalan".into(),
            funding_source: "APBD".into(),
            cycle_id: None,
            year: 2027,
            pagu: d(pagu),
            contracted: d("0"),
            plan,
            reports,
            open_flags: BTreeMap::from([(FlagKind::LateReport, 1)]),
        }
    }

    /// Checked by hand: A (pagu 300) planned 50 % and has 40 %; B (pagu 100) planned 20 % and
    /// has 20 %: planned (300·50 + 100·20)/400 = 42.5, actual (300·40 + 100·20)/400 = 35.
    #[test]
    fn groups_weigh_progress_by_pagu_and_count_reports() {
        let a = activity(
            1,
            "PUPR",
            "300",
            &[
                ("2027-01", "20", "50"),
                ("2027-02", "50", "100"),
                ("2027-03", "100", "300"),
            ],
            &[("2027-01", "15", "40"), ("2027-02", "40", "90")],
        );
        let b = activity(
            2,
            "PUPR",
            "100",
            &[("2027-02", "20", "10"), ("2027-03", "100", "100")],
            &[("2027-02", "20", "10")],
        );
        let now = p("2027-03").due(10);
        let rows = aggregate([&a, &b], GroupBy::Opd, p("2027-02"), now);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.activities, r.pagu, r.disbursed, r.planned_disbursement),
            (2, d("400"), d("100"), d("110"))
        );
        assert_eq!(
            (r.planned_physical, r.actual_physical, r.deviation()),
            (d("42.5"), d("35"), d("-7.5"))
        );
        // Due by now: A's January and February, B's February (March's are due after now? no:
        // only months up to February are asked for).
        assert_eq!((r.expected, r.received, r.on_time), (3, 3, 1));
        assert_eq!(r.flags[&FlagKind::LateReport], 2);
    }

    #[test]
    fn the_curve_runs_over_every_planned_month_and_stops_where_reports_stop() {
        let a = activity(
            1,
            "PUPR",
            "300",
            &[
                ("2027-01", "20", "50"),
                ("2027-02", "50", "100"),
                ("2027-03", "100", "300"),
            ],
            &[("2027-01", "15", "40")],
        );
        let b = activity(
            2,
            "PUPR",
            "100",
            &[("2027-02", "20", "10"), ("2027-03", "100", "100")],
            &[],
        );
        let c = curve([&a, &b]);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].planned_physical, d("15"));
        assert_eq!(c[0].actual_physical, Some(d("11.25")));
        assert_eq!(c[1].actual_physical, None);
        assert_eq!(c[2].planned_physical, d("100"));
        assert_eq!(c[2].planned_disbursement, d("400"));
    }
}
