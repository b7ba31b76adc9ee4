use sea_orm::entity::prelude::*;

/// An OCDS release as published at a stage of a contracting process (never changed).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ocds_releases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ocid: String,
    pub release_id: String,
    pub date: DateTimeUtc,
    /// The release's tags, comma-separated (`planning,tender`).
    pub tags: String,
    pub package_id: i32,
    /// The release, JSON.
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
