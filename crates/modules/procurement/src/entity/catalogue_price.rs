use sea_orm::entity::prelude::*;

/// One price of an item, as proposed and as decided: the item's full price history.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_prices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub item_id: i32,
    pub price_sen: i64,
    pub valid_until: Date,
    pub status: String,
    pub reason: Option<String>,
    pub proposed_by: i32,
    pub proposed_at: DateTimeUtc,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
