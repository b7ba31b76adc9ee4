use sea_orm::entity::prelude::*;

/// A planning cycle (e.g. "RKPD 2027") of a kota/kabupaten. Its phases are the states of a
/// `musrenbang-siklus` workflow instance whose timers open and close the windows.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "musrenbang_cycles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub year: i32,
    pub region_id: i32,
    pub instance_id: Option<i32>,
    /// JSON: voting policy, scoring criteria, priority formula, categories.
    pub settings: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
