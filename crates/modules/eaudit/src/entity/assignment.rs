use sea_orm::entity::prelude::*;

/// An audit assignment (surat tugas); `opds` and `modules` are JSON arrays of text (empty: all).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub number: String,
    pub title: String,
    pub region_id: i32,
    pub opds: String,
    pub modules: String,
    pub period_from: Date,
    pub period_to: Date,
    pub starts_on: Date,
    pub ends_on: Date,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
