//! Editing a draft proposal: its proposer changes what they wrote before submitting it, in the
//! submission phase. The change is the `edit` transition of its case (draft → draft), with the
//! new title, category and cost in its audit event; the fields pass the same checks as when the
//! proposal was filed.

use mufakat_core::{AppError, AppResult};
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Map};

use super::proposals::{check, get_proposal, NewProposal};
use super::{get_cycle, phase_closed, sen};
use crate::entity::proposal as prop;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;

/// `p` carries the new fields; its cycle, region, source and attachments are the draft's own.
pub async fn edit_draft(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    mut p: NewProposal,
    expected_version: Option<i32>,
) -> AppResult<prop::Model> {
    let old = get_proposal(&state.db, proposal_id).await?;
    if old.proposer_id != Some(user.id) {
        // A draft is its proposer's alone: others do not learn that it exists.
        return Err(AppError::NotFound { entity: "proposal" });
    }
    if old.status != "draft" && old.status != "revision" {
        return Err(AppError::conflict(
            "Usulan yang sudah diajukan tidak dapat diubah lagi.",
            "A proposal that has been submitted can no longer be edited.",
        ));
    }
    let cycle = get_cycle(&state.db, old.cycle_id).await?;
    // A draft while proposals are filed; a proposal returned for revision until the kelurahan
    // decides.
    let open = if old.status == "revision" {
        super::actions::REVISION_PHASES.contains(&cycle.phase.as_str())
    } else {
        cycle.phase == "submission"
    };
    if !open {
        return Err(phase_closed("submission", &cycle.phase));
    }
    p.cycle_id = old.cycle_id;
    p.region_id = old.region_id;
    p.source = old.source.clone();
    p.attachments = serde_json::from_str(&old.attachments).unwrap_or_default();
    let cost = check(state, &cycle, &mut p).await?;
    let instance_id = old
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", old.id)))?;
    let title = p.title.trim().to_owned();
    let mut input = Map::new();
    input.insert("title".into(), json!(title));
    input.insert("category".into(), json!(p.category));
    input.insert("cost".into(), json!(cost.estimated().to_string()));

    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    cases::fire_in(
        state,
        &txn,
        &mut chain,
        Acting::User(user),
        instance_id,
        "edit",
        input,
        None,
        expected_version,
        false,
    )
    .await?;
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    prop::Entity::update_many()
        .col_expr(prop::Column::Title, Expr::value(title))
        .col_expr(
            prop::Column::Description,
            Expr::value(p.description.trim().to_owned()),
        )
        .col_expr(prop::Column::Category, Expr::value(p.category.clone()))
        .col_expr(prop::Column::RtRw, Expr::value(trimmed(p.rt_rw.clone())))
        .col_expr(
            prop::Column::Latitude,
            Expr::value(p.latitude.map(|d| d.normalize().to_string())),
        )
        .col_expr(
            prop::Column::Longitude,
            Expr::value(p.longitude.map(|d| d.normalize().to_string())),
        )
        .col_expr(prop::Column::Volume, Expr::value(cost.volume.to_string()))
        .col_expr(prop::Column::Unit, Expr::value(cost.unit.clone()))
        .col_expr(
            prop::Column::UnitPriceSen,
            Expr::value(sen(cost.unit_price)?),
        )
        .col_expr(prop::Column::CostSen, Expr::value(sen(cost.estimated())?))
        .col_expr(
            prop::Column::ComputedCostSen,
            Expr::value(sen(cost.computed)?),
        )
        .col_expr(
            prop::Column::CostOverrideReason,
            Expr::value(cost.override_reason.clone()),
        )
        .col_expr(
            prop::Column::TargetOpd,
            Expr::value(trimmed(p.target_opd.clone())),
        )
        .col_expr(prop::Column::UpdatedAt, Expr::value(now))
        .filter(prop::Column::Id.eq(old.id))
        .exec(&txn)
        .await
        .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_proposal(&state.db, old.id).await
}
