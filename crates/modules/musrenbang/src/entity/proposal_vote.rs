use sea_orm::entity::prelude::*;

/// A resident's approval of a proposal. Visible only to the voter; the audit trail records a
/// pseudonym instead. Unique per (proposal, voter).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_votes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cycle_id: i32,
    pub proposal_id: i32,
    pub voter_id: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
