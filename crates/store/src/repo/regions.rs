use mufakat_core::{AppError, AppResult, RegionLevel};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};

use crate::entity::region;
use crate::DbResultExt;

pub struct NewRegion<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: RegionLevel,
    pub parent_id: Option<i32>,
}

pub async fn create(db: &impl ConnectionTrait, r: NewRegion<'_>) -> AppResult<region::Model> {
    match r.parent_id {
        None if !r.level.may_be_root() => {
            return Err(AppError::validation(
                "parentId",
                "required",
                "Kecamatan dan kelurahan/desa harus berada di bawah wilayah induk.",
                "A kecamatan or kelurahan/desa needs a parent region.",
            ))
        }
        Some(pid) => {
            let parent = get(db, pid).await?;
            let parent_level: RegionLevel = parent
                .level
                .parse()
                .map_err(|e: String| AppError::internal(anyhow::anyhow!(e)))?;
            if parent_level.child() != Some(r.level) {
                return Err(AppError::validation(
                    "level",
                    "hierarchy",
                    "Tingkat wilayah tidak cocok dengan wilayah induknya.",
                    "The region level does not fit under its parent's level.",
                ));
            }
        }
        None => {}
    }
    region::ActiveModel {
        code: Set(r.code.to_owned()),
        name: Set(r.name.to_owned()),
        level: Set(r.level.as_str().to_owned()),
        parent_id: Set(r.parent_id),
        ..Default::default()
    }
    .insert(db)
    .await
    .db_unique(
        "Kode wilayah sudah dipakai.",
        "The region code is already in use.",
    )
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<region::Model> {
    region::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "region" })
}

pub async fn all(db: &impl ConnectionTrait) -> AppResult<Vec<region::Model>> {
    region::Entity::find()
        .order_by_asc(region::Column::Code)
        .all(db)
        .await
        .db()
}
