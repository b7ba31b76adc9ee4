use sea_orm::entity::prelude::*;

/// A contract from a competitive procedure (its SPPBJ, signing and value after amendments), with
/// the status of its `procurement-kontrak` case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub package_id: i32,
    pub procedure_id: Option<i32>,
    pub bid_id: Option<i32>,
    pub vendor_id: i32,
    pub number: String,
    pub sppbj_number: String,
    pub sppbj_at: DateTimeUtc,
    pub value_sen: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub payment_terms: String,
    pub status: String,
    pub paid_sen: Option<i64>,
    pub signed_by: i32,
    pub signed_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
