use sea_orm::entity::prelude::*;

/// A piece of evidence of a finding: an audit event (`event`, its seq), a document (`document`, its id), a flag (`flag`) or an object (`object`, e.g. `package-12`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub finding_id: i32,
    pub kind: String,
    pub reference: String,
    pub note: Option<String>,
    pub added_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
