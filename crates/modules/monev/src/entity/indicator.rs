use sea_orm::entity::prelude::*;

/// An output (keluaran) or outcome (hasil) indicator of an activity; values are exact decimals
/// as text, targets a JSON object month → value.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monev_indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub activity_id: i32,
    pub outcome: bool,
    pub name: String,
    pub unit: String,
    pub baseline: String,
    pub higher_is_better: bool,
    pub targets: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
