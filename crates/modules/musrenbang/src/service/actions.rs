//! Staff and proposer actions on a proposal (submit, verify, accept with changes, merge,
//! forward, include, …): one workflow transition each, checked against the cycle's phase; a
//! merge carries the votes to the target.

use std::collections::HashSet;

use crate::entity::{proposal as prop, proposal_vote as pv};
use mufakat_audit::Receipt;
use mufakat_core::{AppError, AppResult, Money};
use mufakat_musrenbang::Cost;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{json, Map};

use super::{get_cycle, get_proposal, money_field, phase_closed, sen};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;

/// Until the kelurahan has decided, a proposal may be returned for revision, corrected and sent
/// again: in these phases.
pub(crate) const REVISION_PHASES: &[&str] = &["submission", "voting", "kelurahan_deliberation"];

/// The phases in which each proposal action is possible (the first is named when refused).
fn phase_for(action: &str) -> Option<&'static [&'static str]> {
    Some(match action {
        "submit" => &["submission"],
        "vote" | "unvote" => &["voting"],
        "withdraw" | "return_for_revision" | "resubmit" => REVISION_PHASES,
        "verify" | "accept" | "accept_with_changes" | "merge" | "reject" | "forward_kecamatan" => {
            &["kelurahan_deliberation"]
        }
        "prioritize" | "reject_kecamatan" | "forward_kota" => &["kecamatan_deliberation"],
        "include" | "not_accommodate" => &["kota_forum"],
        _ => return None,
    })
}

/// Input of [`act`] for the actions that carry data.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    pub volume: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub cost_override: Option<Decimal>,
    pub into_proposal: Option<i32>,
}

fn level_after(action: &str) -> Option<&'static str> {
    match action {
        "forward_kecamatan" => Some("kecamatan"),
        "forward_kota" => Some("kota"),
        _ => None,
    }
}

/// A proposal may merge into another active proposal of the same cycle and kelurahan.
fn check_merge_target(p: &prop::Model, target: &prop::Model) -> AppResult<()> {
    if target.id == p.id
        || target.cycle_id != p.cycle_id
        || target.region_id != p.region_id
        || matches!(
            target.status.as_str(),
            "merged" | "rejected" | "withdrawn" | "draft" | "revision"
        )
    {
        return Err(AppError::validation(
            "intoProposalId",
            "invalid",
            "Usulan tujuan harus usulan aktif lain di kelurahan yang sama.",
            "The target must be another active proposal of the same kelurahan.",
        ));
    }
    Ok(())
}

/// A staff or proposer action on a proposal: one workflow transition, checked against the
/// cycle's phase, with the proposal row kept in step in the same transaction.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    action: &str,
    input: ActInput,
    comment: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<(prop::Model, String)> {
    let needed = phase_for(action).filter(|_| !matches!(action, "vote" | "unvote"));
    let Some(needed) = needed else {
        return Err(AppError::validation(
            "action",
            "unknown",
            "Tindakan tidak dikenal.",
            "Unknown action.",
        ));
    };
    let p = get_proposal(&state.db, proposal_id).await?;
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    if !needed.contains(&cycle.phase.as_str()) {
        return Err(phase_closed(needed[0], &cycle.phase));
    }
    // A draft may be withdrawn only while proposals are filed; a submitted or returned one
    // until the kelurahan decides.
    if action == "withdraw" && p.status == "draft" && cycle.phase != "submission" {
        return Err(phase_closed("submission", &cycle.phase));
    }
    let mut wf_input = Map::new();
    let mut new_cost: Option<Cost> = None;
    if action == "accept_with_changes" {
        let volume = input
            .volume
            .unwrap_or_else(|| p.volume.parse().unwrap_or_default());
        let unit_price = match input.unit_price {
            Some(d) => money_field("unitPrice", d).map_err(|e| AppError::Validation(vec![e]))?,
            None => Money::from_minor_units(p.unit_price_sen),
        };
        let over = input
            .cost_override
            .map(|d| money_field("costOverride", d))
            .transpose()
            .map_err(|e| AppError::Validation(vec![e]))?;
        let cost = Cost::new(volume, &p.unit, unit_price, over, comment.as_deref())
            .map_err(|e| AppError::Validation(vec![super::cost_error(e, "comment")]))?;
        wf_input.insert("cost".into(), json!(cost.estimated().to_string()));
        new_cost = Some(cost);
    }
    let mut merge_target: Option<prop::Model> = None;
    if action == "merge" {
        let into = input.into_proposal.ok_or_else(|| {
            AppError::validation(
                "intoProposalId",
                "required",
                "Pilih usulan tujuan penggabungan.",
                "Choose the proposal to merge into.",
            )
        })?;
        let target = get_proposal(&state.db, into).await?;
        check_merge_target(&p, &target)?;
        wf_input.insert("merged_into".into(), json!(target.id.to_string()));
        merge_target = Some(target);
    }
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;

    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    if let Some(t) = &merge_target {
        // Read again under the chain's lock, which every status change takes: a merge of the
        // target into this proposal, or the target's rejection, may have committed since.
        let target = get_proposal(&txn, t.id).await?;
        check_merge_target(&p, &target)?;
        merge_target = Some(target);
    }
    let fired = cases::fire_in(
        state,
        &txn,
        &mut chain,
        Acting::User(user),
        instance_id,
        action,
        wf_input,
        comment,
        expected_version,
        false,
    )
    .await?;
    let mut upd = prop::Entity::update_many()
        .col_expr(prop::Column::Status, Expr::value(fired.case.state.clone()))
        .col_expr(prop::Column::UpdatedAt, Expr::value(now))
        .filter(prop::Column::Id.eq(p.id));
    if let Some(level) = level_after(action) {
        upd = upd
            .col_expr(prop::Column::Level, Expr::value(level))
            .col_expr(prop::Column::Score, Expr::value(Option::<String>::None));
    }
    if let Some(c) = &new_cost {
        upd = upd
            .col_expr(
                prop::Column::OriginalCostSen,
                Expr::value(p.original_cost_sen.unwrap_or(p.cost_sen)),
            )
            .col_expr(prop::Column::Volume, Expr::value(c.volume.to_string()))
            .col_expr(prop::Column::UnitPriceSen, Expr::value(sen(c.unit_price)?))
            .col_expr(prop::Column::ComputedCostSen, Expr::value(sen(c.computed)?))
            .col_expr(prop::Column::CostSen, Expr::value(sen(c.estimated())?))
            .col_expr(
                prop::Column::CostOverrideReason,
                Expr::value(c.override_reason.clone()),
            );
    }
    if let Some(t) = &merge_target {
        upd = upd.col_expr(prop::Column::ParentId, Expr::value(t.id));
    }
    upd.exec(&txn).await.db()?;
    if level_after(action).is_some() {
        // What this level's forum agreed, kept as it stood: the next level scores afresh.
        crate::entity::level_result::ActiveModel {
            proposal_id: Set(p.id),
            cycle_id: Set(p.cycle_id),
            region_id: Set(p.region_id),
            level: Set(p.level.clone()),
            score: Set(p.score.clone()),
            cost_sen: Set(p.cost_sen),
            votes: Set(i64::from(p.vote_count)),
            decided_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    if let Some(t) = &merge_target {
        carry_votes(&txn, &p, t, now).await?;
    }
    if fired.event.from_state != fired.event.to_state {
        let cost = match &new_cost {
            Some(c) => Some((
                Money::from_minor_units(p.cost_sen),
                Money::from_minor_units(sen(c.estimated())?),
            )),
            None => None,
        };
        super::notices::tell(
            &txn,
            &p,
            super::notices::Change {
                action,
                reason: fired.event.comment.as_deref(),
                cost,
                merged_into: merge_target.as_ref().map(|t| t.title.as_str()),
                actor_id: user.id,
                at: now,
            },
        )
        .await?;
    }
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok((
        get_proposal(&state.db, p.id).await?,
        Receipt::new(fired.event.seq, fired.event.hash).to_string(),
    ))
}

/// Rows per statement when a merge moves votes (far below both engines' bind limits).
const MERGE_CHUNK: usize = 1000;

/// Moves the votes of a merged proposal to its parent: a voter who already voted for the parent
/// keeps one vote. Counts are recomputed from the vote rows.
async fn carry_votes(
    txn: &impl ConnectionTrait,
    from: &prop::Model,
    to: &prop::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let (from_id, to_id) = (from.id, to.id);
    // Both are of one cycle (merges stay within a cycle); votes are indexed by cycle and voter.
    let cycle_id = from.cycle_id;
    let votes = pv::Entity::find()
        .filter(pv::Column::CycleId.eq(cycle_id))
        .filter(pv::Column::ProposalId.eq(from_id))
        .all(txn)
        .await
        .db()?;
    // The voters are told where their votes went.
    let voters: Vec<i32> = votes.iter().map(|v| v.voter_id).collect();
    super::notices::send(
        txn,
        &voters,
        super::notices::Notice {
            kind: "proposal_merged",
            message_id: &format!("Usulan \"{}\" yang Anda dukung digabung ke usulan \"{}\". Suara Anda kini untuk usulan tersebut.", from.title, to.title),
            message_en: &format!("The proposal \"{}\" you supported was merged into \"{}\". Your vote now counts for that proposal.", from.title, to.title),
            proposal_id: to_id,
            about: &from.title,
        },
        now,
    )
    .await?;
    // A voter who voted for both keeps the vote for the target; the others' votes move.
    let (from, to) = (from_id, to_id);
    for chunk in votes.chunks(MERGE_CHUNK) {
        let also_for_target: HashSet<i32> = pv::Entity::find()
            .filter(pv::Column::CycleId.eq(cycle_id))
            .filter(pv::Column::ProposalId.eq(to))
            .filter(pv::Column::VoterId.is_in(chunk.iter().map(|v| v.voter_id)))
            .all(txn)
            .await
            .db()?
            .into_iter()
            .map(|v| v.voter_id)
            .collect();
        let (dropped, moved): (Vec<&pv::Model>, Vec<&pv::Model>) = chunk
            .iter()
            .partition(|v| also_for_target.contains(&v.voter_id));
        if !dropped.is_empty() {
            pv::Entity::delete_many()
                .filter(pv::Column::Id.is_in(dropped.iter().map(|v| v.id)))
                .exec(txn)
                .await
                .db()?;
        }
        if !moved.is_empty() {
            pv::Entity::update_many()
                .col_expr(pv::Column::ProposalId, Expr::value(to))
                .filter(pv::Column::Id.is_in(moved.iter().map(|v| v.id)))
                .exec(txn)
                .await
                .db()?;
        }
    }
    for id in [from, to] {
        let n = pv::Entity::find()
            .filter(pv::Column::CycleId.eq(cycle_id))
            .filter(pv::Column::ProposalId.eq(id))
            .count(txn)
            .await
            .db()? as i32;
        prop::Entity::update_many()
            .col_expr(prop::Column::VoteCount, Expr::value(n))
            .filter(prop::Column::Id.eq(id))
            .exec(txn)
            .await
            .db()?;
    }
    Ok(())
}
