//! The situation room: aggregates per region, OPD, category, funding source or cycle (pagu,
//! contracted, disbursed, weighted physical progress against plan, open flags by kind,
//! reporting rates) and S-curves, computed by the rules crate from a snapshot of every
//! activity's facts. The snapshot is rebuilt when monev changes (a generation this node bumps
//! on every change it hears of, by NOTIFY from other nodes too) and at most every
//! [`MAX_AGE`] otherwise; reading it costs no query.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mufakat_core::AppResult;
use mufakat_kernel::AppState;
use mufakat_monev::dashboard::{aggregate as fold, curve as fold_curve, CurvePoint};
use mufakat_monev::{ActivityFacts, FlagKind, GroupBy, Period, ReportFacts, Row};
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{from_bp, from_sen, points_of};
use crate::entity::{activity, flag, report};
use crate::runtime;

/// The snapshot is rebuilt at least this often, whatever was heard.
pub const MAX_AGE: Duration = Duration::from_secs(30);

pub struct Snapshot {
    pub built: Instant,
    pub facts: Vec<ActivityFacts>,
    /// The answers computed from this snapshot, by question (filter, grouping, month): the
    /// situation room asks the same few again and again; a new snapshot starts empty.
    memo: std::sync::Mutex<std::collections::HashMap<String, Arc<Vec<Row>>>>,
}

/// At most this many answers are kept per snapshot (then they are dropped and computed again).
const MEMO_MAX: usize = 10_000;

/// The current snapshot (rebuilt if monev changed since it was built).
pub async fn snapshot(state: &AppState) -> AppResult<Arc<Snapshot>> {
    let slot = runtime::slot(state);
    let generation = slot.generation.load(Ordering::SeqCst);
    if let Some((g, s)) = slot
        .snapshot
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        if *g == generation && s.built.elapsed() < MAX_AGE {
            return Ok(s.clone());
        }
    }
    let s = Arc::new(build(state).await?);
    let mut cur = slot.snapshot.lock().unwrap_or_else(|e| e.into_inner());
    // Keep the newer of two concurrent rebuilds.
    if cur.as_ref().is_none_or(|(g, _)| *g <= generation) {
        *cur = Some((generation, s.clone()));
    }
    Ok(s)
}

async fn build(state: &AppState) -> AppResult<Snapshot> {
    let db = &state.db;
    let activities = activity::Entity::find()
        .filter(activity::Column::Status.ne("cancelled"))
        .order_by_asc(activity::Column::Id)
        .all(db)
        .await
        .db()?;
    type Rep = (
        i32,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        String,
        Option<i32>,
        Option<i64>,
    );
    let reports: Vec<Rep> = report::Entity::find()
        .select_only()
        .columns([
            report::Column::ActivityId,
            report::Column::Period,
            report::Column::DueAt,
            report::Column::SubmittedAt,
            report::Column::FirstSubmittedAt,
            report::Column::Status,
            report::Column::PhysicalBp,
            report::Column::SpentSen,
        ])
        .order_by_asc(report::Column::ActivityId)
        .order_by_asc(report::Column::Period)
        .into_tuple()
        .all(db)
        .await
        .db()?;
    let flags: Vec<(i32, String)> = flag::Entity::find()
        .select_only()
        .columns([flag::Column::ActivityId, flag::Column::Kind])
        .filter(flag::Column::Status.is_not_in(super::flags::SETTLED))
        .into_tuple()
        .all(db)
        .await
        .db()?;
    let mut by_activity: BTreeMap<i32, Vec<ReportFacts>> = BTreeMap::new();
    for (aid, period, due, submitted, first, status, phys, spent) in reports {
        let Ok(period) = period.parse::<Period>() else {
            continue;
        };
        by_activity.entry(aid).or_default().push(ReportFacts {
            period,
            due_at: due,
            submitted_at: submitted,
            first_submitted_at: first,
            verified: (status == "verified")
                .then(|| (from_bp(phys.unwrap_or(0)), from_sen(spent.unwrap_or(0)))),
        });
    }
    let mut open: BTreeMap<i32, BTreeMap<FlagKind, u32>> = BTreeMap::new();
    for (aid, kind) in flags {
        if let Some(k) = FlagKind::parse(&kind) {
            *open.entry(aid).or_default().entry(k).or_default() += 1;
        }
    }
    let facts = activities
        .into_iter()
        .map(|a| ActivityFacts {
            id: a.id,
            region_id: a.region_id,
            plan: points_of(&a),
            reports: by_activity.remove(&a.id).unwrap_or_default(),
            open_flags: open.remove(&a.id).unwrap_or_default(),
            opd: a.opd,
            category: a.category,
            funding_source: a.funding_source,
            cycle_id: a.cycle_id,
            year: a.year,
            pagu: from_sen(a.pagu_sen),
            contracted: from_sen(a.contracted_sen.unwrap_or(0)),
        })
        .collect();
    Ok(Snapshot {
        built: Instant::now(),
        facts,
        memo: Default::default(),
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region_id: Option<i32>,
    pub year: Option<i32>,
    pub opd: Option<String>,
    pub category: Option<String>,
    pub funding_source: Option<String>,
    pub cycle_id: Option<i32>,
    pub activity_id: Option<i32>,
}

async fn selected<'a>(state: &AppState, s: &'a Snapshot, f: &Filter) -> Vec<&'a ActivityFacts> {
    let regions = match f.region_id {
        Some(r) => Some(
            state
                .regions
                .read()
                .await
                .descendants_inclusive(r)
                .into_iter()
                .collect::<std::collections::HashSet<i32>>(),
        ),
        None => None,
    };
    s.facts
        .iter()
        .filter(|a| regions.as_ref().is_none_or(|r| r.contains(&a.region_id)))
        .filter(|a| f.year.is_none_or(|y| a.year == y))
        .filter(|a| f.opd.as_ref().is_none_or(|o| &a.opd == o))
        .filter(|a| f.category.as_ref().is_none_or(|c| &a.category == c))
        .filter(|a| {
            f.funding_source
                .as_ref()
                .is_none_or(|c| &a.funding_source == c)
        })
        .filter(|a| f.cycle_id.is_none_or(|c| a.cycle_id == Some(c)))
        .filter(|a| f.activity_id.is_none_or(|c| a.id == c))
        .collect()
}

/// The month the figures are at unless asked: the last one that has ended (its reports come
/// in during the next).
pub fn last_ended(now: DateTime<Utc>) -> Period {
    let p = Period::at(now);
    if p.month == 1 {
        Period::new(p.year - 1, 12).unwrap_or(p)
    } else {
        Period::new(p.year, p.month - 1).unwrap_or(p)
    }
}

/// The groups' figures at the end of `as_of` (default: the last month that has ended), with
/// reports due by now.
pub async fn aggregate(
    state: &AppState,
    f: &Filter,
    by: GroupBy,
    as_of: Option<Period>,
) -> AppResult<Vec<Row>> {
    let s = snapshot(state).await?;
    let now = state.now();
    let as_of = as_of.unwrap_or_else(|| last_ended(now));
    let key = format!("{f:?}|{by:?}|{as_of}");
    if let Some(rows) = s.memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(rows.as_ref().clone());
    }
    // Reports "due by now" move with the clock, not only with changes: a snapshot (and its
    // answers) lives at most MAX_AGE.
    let rows = Arc::new(fold(selected(state, &s, f).await, by, as_of, now));
    let mut memo = s.memo.lock().unwrap_or_else(|e| e.into_inner());
    if memo.len() >= MEMO_MAX {
        memo.clear();
    }
    memo.insert(key, rows.clone());
    Ok(rows.as_ref().clone())
}

/// The S-curve of the activities the filter selects.
pub async fn curve(state: &AppState, f: &Filter) -> AppResult<Vec<CurvePoint>> {
    let s = snapshot(state).await?;
    let sel = selected(state, &s, f).await;
    Ok(fold_curve(sel))
}
