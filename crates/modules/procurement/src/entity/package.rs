use sea_orm::entity::prelude::*;

/// A procurement package (paket) of a plan line, with the status of its `procurement-paket` case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub line_id: i32,
    pub region_id: i32,
    pub name: String,
    pub kind: String,
    /// The KBLI code of what is bought (empty when none fits): whether the catalogue holds it.
    pub category: String,
    pub pagu_sen: i64,
    pub hps_sen: i64,
    pub location: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub ppk_id: i32,
    pub official_id: i32,
    pub method: String,
    pub proposed_method: String,
    pub method_reason: Option<String>,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
