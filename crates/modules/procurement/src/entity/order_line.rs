use sea_orm::entity::prelude::*;

/// A line of an order: a catalogue item (price frozen at order time) or a described good or service; `received` is the quantity handed over so far.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub order_id: i32,
    pub item_id: Option<i32>,
    pub description: String,
    pub unit: String,
    pub quantity: String,
    pub unit_price_sen: i64,
    pub total_sen: i64,
    pub received: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
