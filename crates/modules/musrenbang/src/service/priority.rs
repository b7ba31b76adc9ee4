//! Priority lists: which proposals belong on a level's list, and their ranking by the cycle's
//! formula.

use std::collections::BTreeMap;

use crate::entity::{level_result as lr, proposal as prop};
use mufakat_core::{AppResult, Money};
use mufakat_musrenbang::{rank, RankedProposal, ScoreInput};
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::get_cycle;
use mufakat_kernel::AppState;

/// Statuses that belong on each level's priority list.
fn statuses_for_level(level: &str) -> &'static [&'static str] {
    match level {
        "kelurahan" => &["verified", "accepted", "accepted_with_changes"],
        "kecamatan" => &["forwarded_kecamatan", "prioritized"],
        "kota" => &["forwarded_kota", "included", "not_accommodated"],
        _ => &[],
    }
}

/// `VALIDATION` unless `level` is one of the levels that have lists (`kelurahan`, `kecamatan`,
/// `kota`): any other text would otherwise reach a `.pb` file or a report as it came.
pub fn check_level(level: &str) -> mufakat_core::AppResult<()> {
    if statuses_for_level(level).is_empty() {
        return Err(mufakat_core::AppError::validation(
            "level",
            "unknown",
            "Tingkat harus kelurahan, kecamatan atau kota.",
            "The level must be kelurahan, kecamatan or kota.",
        ));
    }
    Ok(())
}

/// The proposals on a level's list (priority list, allocation runs, `.pb` export): those at
/// that level in one of its statuses. A status alone is not enough: `not_accommodated` is
/// where both the kecamatan (leaving a proposal out) and the kota forum end, and only the kota's
/// belong on the kota's list.
pub fn on_level_list(level: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(prop::Column::Level.eq(level))
        .add(prop::Column::Status.is_in(statuses_for_level(level).iter().copied()))
}

/// Statuses in which a level's forum has agreed to a proposal (the berita acara's list).
fn agreed_at_level(level: &str) -> &'static [&'static str] {
    match level {
        "kelurahan" => &["accepted", "accepted_with_changes"],
        "kecamatan" => &["prioritized"],
        "kota" => &["included"],
        _ => &[],
    }
}

/// One line of a level's priority list.
pub struct PriorityEntry {
    pub rank: RankedProposal,
    /// The proposal as it is now (its status shows what became of it). Its `score` and
    /// `cost_sen` are those the level ranked it by.
    pub proposal: prop::Model,
    /// Whether this level's forum agreed to it: accepted (kelurahan), prioritized (kecamatan),
    /// included (kota), or sent on from here to the next level.
    pub agreed: bool,
}

/// The priority list of a region at a level: score and votes combined by the cycle's formula,
/// ties broken deterministically (see `mufakat_musrenbang::priority`). Proposals that have
/// moved on to the next level stay on it with the score and cost they had here, so that the
/// list still shows what this level's forum decided.
pub async fn priority_list(
    state: &AppState,
    cycle_id: i32,
    region_id: i32,
    level: &str,
) -> AppResult<Vec<PriorityEntry>> {
    let cycle = get_cycle(&state.db, cycle_id).await?;
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let mut rows = prop::Entity::find()
        .filter(prop::Column::CycleId.eq(cycle_id))
        .filter(prop::Column::RegionId.is_in(within.clone()))
        .filter(on_level_list(level))
        .all(&state.db)
        .await
        .db()?;
    let moved_on = lr::Entity::find()
        .filter(lr::Column::CycleId.eq(cycle_id))
        .filter(lr::Column::Level.eq(level))
        .filter(lr::Column::RegionId.is_in(within))
        .all(&state.db)
        .await
        .db()?;
    let decided: BTreeMap<i32, lr::Model> =
        moved_on.into_iter().map(|r| (r.proposal_id, r)).collect();
    let earlier = prop::Entity::find()
        .filter(prop::Column::Id.is_in(decided.keys().copied()))
        .all(&state.db)
        .await
        .db()?;
    for mut m in earlier {
        if let Some(d) = decided.get(&m.id) {
            if rows.iter().any(|r| r.id == m.id) {
                continue;
            }
            m.score = d.score.clone();
            m.cost_sen = d.cost_sen;
            rows.push(m);
        }
    }
    let inputs: Vec<ScoreInput> = rows
        .iter()
        .map(|r| ScoreInput {
            id: r.id,
            score: r.score.as_deref().and_then(|s| s.parse().ok()),
            votes: std::cmp::Ord::max(r.vote_count, 0) as u64,
            cost: Money::from_minor_units(r.cost_sen),
        })
        .collect();
    let ranked = rank(&inputs, cycle.settings.formula);
    let mut by_id: BTreeMap<i32, prop::Model> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|r| {
            by_id.remove(&r.id).map(|m| PriorityEntry {
                agreed: decided.contains_key(&m.id)
                    || agreed_at_level(level).contains(&m.status.as_str()),
                rank: r,
                proposal: m,
            })
        })
        .collect())
}
