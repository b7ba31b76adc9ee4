use sea_orm::entity::prelude::*;

/// A funded line of the plan: a musrenbang proposal the plan adopted (`proposal_id`), or an OPD's own activity, with its budget.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    pub year: i32,
    pub title: String,
    pub opd: String,
    pub budget_sen: i64,
    pub proposal_id: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
