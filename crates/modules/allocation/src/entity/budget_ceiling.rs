use sea_orm::entity::prelude::*;

/// A pagu indikatif: the budget ceiling of a cycle in a region; `scope` is empty for the whole
/// region, or `opd:NAME` / `category:NAME`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_ceilings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cycle_id: i32,
    pub region_id: i32,
    pub scope: String,
    pub amount_sen: i64,
    pub set_by: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
