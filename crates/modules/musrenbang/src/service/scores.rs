//! Staff scores of a proposal on the cycle's criteria, at the proposal's current level.

use std::collections::BTreeMap;

use crate::entity::{proposal as prop, proposal_score as ps};
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_musrenbang::priority::weighted_score;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Map};

use super::{get_cycle, get_proposal, phase_closed};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;

/// Staff score a proposal on the cycle's criteria (1-5 each) at its current level.
pub async fn score(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    values: BTreeMap<String, u8>,
) -> AppResult<prop::Model> {
    let p = get_proposal(&state.db, proposal_id).await?;
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    let needed = match p.level.as_str() {
        "kelurahan" => "kelurahan_deliberation",
        "kecamatan" => "kecamatan_deliberation",
        _ => "kota_forum",
    };
    if cycle.phase != needed {
        return Err(phase_closed(needed, &cycle.phase));
    }
    let s = weighted_score(&cycle.settings.criteria, &values).map_err(|e| {
        use mufakat_musrenbang::priority::ScoreError as E;
        // One language per message: the rule's own text is English.
        let (id, en) = match &e {
            E::UnknownCriterion(k) => (
                format!("Kriteria `{k}` tidak ada pada siklus ini."),
                format!("The cycle has no criterion `{k}`."),
            ),
            E::OutOfRange(k) => (
                format!("Nilai kriteria `{k}` harus 1 sampai 5."),
                format!("Criterion `{k}` must be scored 1 to 5."),
            ),
            E::Missing(k) => (
                format!("Kriteria `{k}` belum dinilai; setiap kriteria wajib dinilai."),
                format!("Criterion `{k}` is not scored; every criterion must be."),
            ),
        };
        AppError::Validation(vec![FieldError::new("scores", "invalid", id, en)])
    })?;
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut input = Map::new();
    input.insert("score".into(), json!(s.to_string()));
    input.insert(
        "criteria".into(),
        json!(serde_json::to_string(&values).map_err(AppError::internal)?),
    );
    cases::fire_in(
        state,
        &txn,
        &mut chain,
        Acting::User(user),
        instance_id,
        "score",
        input,
        None,
        None,
        false,
    )
    .await?;
    let existing = ps::Entity::find()
        .filter(ps::Column::ProposalId.eq(p.id))
        .filter(ps::Column::Level.eq(p.level.as_str()))
        .one(&txn)
        .await
        .db()?;
    let criteria = serde_json::to_string(&values).map_err(AppError::internal)?;
    match existing {
        Some(e) => {
            ps::Entity::update_many()
                .col_expr(ps::Column::Criteria, Expr::value(criteria))
                .col_expr(ps::Column::Score, Expr::value(s.to_string()))
                .col_expr(ps::Column::ScorerId, Expr::value(user.id))
                .filter(ps::Column::Id.eq(e.id))
                .exec(&txn)
                .await
                .db()?;
        }
        None => {
            ps::ActiveModel {
                proposal_id: Set(p.id),
                level: Set(p.level.clone()),
                scorer_id: Set(user.id),
                criteria: Set(criteria),
                score: Set(s.to_string()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .db()?;
        }
    }
    prop::Entity::update_many()
        .col_expr(prop::Column::Score, Expr::value(s.to_string()))
        .filter(prop::Column::Id.eq(p.id))
        .exec(&txn)
        .await
        .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_proposal(&state.db, p.id).await
}
