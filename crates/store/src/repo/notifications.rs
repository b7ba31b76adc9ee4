//! A user's notifications (e.g. "the proposal you voted for was merged").

use chrono::Utc;
use mufakat_core::AppResult;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::notification as n;
use crate::DbResultExt;

/// The user's newest notifications (at most `limit`), optionally only the unread ones.
pub async fn for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    unread_only: bool,
    limit: u64,
) -> AppResult<Vec<n::Model>> {
    let mut q = n::Entity::find().filter(n::Column::UserId.eq(user_id));
    if unread_only {
        q = q.filter(n::Column::ReadAt.is_null());
    }
    q.order_by_desc(n::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .db()
}

/// Marks all of the user's unread notifications read; returns how many.
pub async fn mark_all_read(db: &impl ConnectionTrait, user_id: i32) -> AppResult<u64> {
    let r = n::Entity::update_many()
        .col_expr(n::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(n::Column::UserId.eq(user_id))
        .filter(n::Column::ReadAt.is_null())
        .exec(db)
        .await
        .db()?;
    Ok(r.rows_affected)
}
