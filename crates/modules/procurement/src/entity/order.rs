use sea_orm::entity::prelude::*;

/// An order of a package from one vendor: an e-purchasing order or a direct procurement, with the status of its case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub package_id: i32,
    pub method: String,
    pub vendor_id: i32,
    pub number: String,
    pub delivery_address: String,
    pub total_sen: i64,
    pub paid_sen: Option<i64>,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
