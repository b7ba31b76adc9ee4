//! Comments on proposals: adding, reporting, hiding by moderators (audited), listing.

use crate::entity::proposal_comment as pc;
use mufakat_core::{AppError, AppResult};
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::{get_proposal, visible};
use crate::perms;
use mufakat_kernel::audit_log::AuditDraft;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;

pub async fn add_comment(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    body: &str,
) -> AppResult<pc::Model> {
    visible(get_proposal(&state.db, proposal_id).await?, Some(user.id))?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::validation(
            "body",
            "required",
            "Komentar wajib diisi (paling banyak 2000 karakter).",
            "A comment (at most 2000 characters) is required.",
        ));
    }
    // Length and characters.
    if let Some(e) = mufakat_core::text::check("body", body, 2000, true) {
        return Err(AppError::Validation(vec![e]));
    }
    pc::ActiveModel {
        proposal_id: Set(proposal_id),
        author_id: Set(user.id),
        body: Set(body.to_owned()),
        hidden: Set(false),
        reports: Set(0),
        created_at: Set(state.now()),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .db()
}

pub async fn report_comment(
    state: &AppState,
    user: &CurrentUser,
    comment_id: i32,
) -> AppResult<pc::Model> {
    use sea_orm::TransactionTrait;
    let c = pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })?;
    // Once per person: the report row is unique, and the count moves with it.
    let txn = state.db.begin().await.db()?;
    crate::entity::comment_report::ActiveModel {
        comment_id: Set(c.id),
        user_id: Set(user.id),
        created_at: Set(state.now()),
    }
    .insert(&txn)
    .await
    .db_unique(
        "Anda sudah melaporkan komentar ini.",
        "You have already reported this comment.",
    )?;
    pc::Entity::update_many()
        .col_expr(pc::Column::Reports, Expr::col(pc::Column::Reports).add(1))
        .filter(pc::Column::Id.eq(c.id))
        .exec(&txn)
        .await
        .db()?;
    txn.commit().await.db()?;
    pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })
}

/// Staff of the proposal's region hide a comment (never delete it), with a reason, audited.
pub async fn hide_comment(
    state: &AppState,
    user: &CurrentUser,
    comment_id: i32,
    reason: &str,
) -> AppResult<pc::Model> {
    let c = pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })?;
    let p = get_proposal(&state.db, c.proposal_id).await?;
    let path = state.region_path(p.region_id).await;
    state.authz.require(user, &path, perms::COMMENT_MODERATE)?;
    if reason.trim().is_empty() {
        return Err(AppError::validation(
            "reason",
            "required",
            "Alasan wajib diisi.",
            "A reason is required.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    pc::Entity::update_many()
        .col_expr(pc::Column::Hidden, Expr::value(true))
        .col_expr(
            pc::Column::HiddenReason,
            Expr::value(reason.trim().to_owned()),
        )
        .col_expr(pc::Column::HiddenBy, Expr::value(user.id))
        .filter(pc::Column::Id.eq(c.id))
        .exec(&txn)
        .await
        .db()?;
    let role = state
        .authz
        .roles_in(user, &path)
        .into_iter()
        .next()
        .unwrap_or_default();
    chain
        .append(
            &txn,
            AuditDraft {
                actor: user.id.to_string(),
                role,
                workflow: "system.moderation".into(),
                workflow_version: "1".into(),
                instance_id: format!("comment-{}", c.id),
                transition: "hide".into(),
                from_state: "visible".into(),
                to_state: "hidden".into(),
                input: json!({ "proposal": p.id.to_string() }),
                comment: Some(reason.trim().to_owned()),
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })
}

pub async fn comments(db: &impl ConnectionTrait, proposal_id: i32) -> AppResult<Vec<pc::Model>> {
    pc::Entity::find()
        .filter(pc::Column::ProposalId.eq(proposal_id))
        .order_by_asc(pc::Column::Id)
        .all(db)
        .await
        .db()
}
