use chrono::{DateTime, Utc};
use mufakat_core::AppResult;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::entity::session;
use crate::DbResultExt;

pub async fn create(
    db: &impl ConnectionTrait,
    token_hash: String,
    user_id: i32,
    expires_at: DateTime<Utc>,
) -> AppResult<session::Model> {
    session::ActiveModel {
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .db()
}

/// The session for this token hash if it is neither expired nor revoked.
pub async fn find_active(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<session::Model>> {
    let s = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
        .db()?;
    Ok(s.filter(|s| s.revoked_at.is_none() && s.expires_at > now))
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let res = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::TokenHash.eq(token_hash))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .db()?;
    Ok(res.rows_affected > 0)
}

pub async fn revoke_all_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let res = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .db()?;
    Ok(res.rows_affected)
}
