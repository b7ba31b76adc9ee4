use sea_orm::entity::prelude::*;

/// One event of the append-only audit chain. No code path updates or deletes these rows.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, exactly as hashed.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub workflow: String,
    pub workflow_version: String,
    pub instance_id: String,
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    /// Canonical JSON text.
    pub input: String,
    pub comment: Option<String>,
    pub prev_hash: String,
    /// Not indexed (migration 8): a receipt names its event by `seq`.
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
