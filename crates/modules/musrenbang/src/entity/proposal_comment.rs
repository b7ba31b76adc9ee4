use sea_orm::entity::prelude::*;

/// A comment; moderation hides, never deletes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub proposal_id: i32,
    pub author_id: i32,
    pub body: String,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<i32>,
    pub reports: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
