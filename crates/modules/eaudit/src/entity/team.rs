use sea_orm::entity::prelude::*;

/// A member of an assignment's team; `grant_id` is the `auditor` role grant the assignment made for them (revoked when it ends).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_team")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub assignment_id: i32,
    pub user_id: i32,
    pub is_lead: bool,
    pub grant_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
