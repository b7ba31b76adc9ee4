use chrono::Utc;
use mufakat_core::{AppResult, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::role_grant;
use crate::DbResultExt;

pub async fn grant(
    db: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
    region_id: i32,
    opd_id: Option<i32>,
    granted_by: Option<i32>,
) -> AppResult<role_grant::Model> {
    role_grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        region_id: Set(region_id),
        opd_id: Set(opd_id),
        granted_by: Set(granted_by),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .db_unique(
        "Peran ini sudah diberikan di wilayah tersebut.",
        "This role is already granted in that region.",
    )
}

pub async fn for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> AppResult<Vec<role_grant::Model>> {
    role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .order_by_asc(role_grant::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn all(db: &impl ConnectionTrait) -> AppResult<Vec<role_grant::Model>> {
    role_grant::Entity::find()
        .order_by_asc(role_grant::Column::Id)
        .all(db)
        .await
        .db()
}
