use sea_orm::entity::prelude::*;

/// An uploaded file (bytes in the blob store) owned by a finding (evidence) or a follow-up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub owner_kind: String,
    pub owner_id: i32,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
