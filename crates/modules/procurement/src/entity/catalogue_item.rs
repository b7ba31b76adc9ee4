use sea_orm::entity::prelude::*;

/// An item of the local e-catalogue, at its current approved price.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub vendor_id: i32,
    pub name: String,
    pub specification: String,
    pub unit: String,
    pub category: String,
    pub regions: String,
    pub delivery_days: i32,
    pub min_order: String,
    pub stock: Option<i64>,
    pub price_sen: i64,
    pub valid_until: Date,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
