use sea_orm::entity::prelude::*;

/// One run of an allocation rule, stored with its exact inputs (a Pabulib `.pb` text) so that
/// anyone can reproduce it, and its full result.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allocation_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cycle_id: i32,
    pub region_id: i32,
    pub level: String,
    pub rule: String,
    /// JSON: completion, satisfaction, tie-breaking.
    pub options: String,
    pub election_pb: String,
    pub budget_sen: i64,
    /// JSON: the rule's full result with explanations.
    pub result: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub adopted_at: Option<DateTimeUtc>,
    pub adopted_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
