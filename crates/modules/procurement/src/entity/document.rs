use sea_orm::entity::prelude::*;

/// An uploaded file (its bytes are in the blob store under `storage_key`), owned by a vendor, an item or an order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procurement_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub owner_kind: String,
    pub owner_id: i32,
    pub kind: String,
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
