use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_instances")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The exact definition version this instance runs on, to its end.
    pub definition_id: i32,
    pub workflow: String,
    pub state: String,
    /// The instance's fields as canonical JSON text.
    pub fields: String,
    pub region_id: i32,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub state_entered_at: DateTimeUtc,
    /// Optimistic concurrency: every transition bumps it; an update expecting an older value
    /// changes nothing and the caller reports `CONFLICT`.
    pub version: i32,
    pub is_final: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
