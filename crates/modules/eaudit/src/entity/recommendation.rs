use sea_orm::entity::prelude::*;

/// A recommendation of a finding, for a responsible OPD, with its deadline.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_recommendations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub finding_id: i32,
    pub number: i32,
    pub text: String,
    pub opd: String,
    pub region_id: i32,
    pub due_at: DateTimeUtc,
    /// Whether the auditor set the deadline; otherwise it runs from the finding's issue.
    pub due_given: bool,
    pub status: String,
    pub escalated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
