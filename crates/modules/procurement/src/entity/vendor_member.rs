use sea_orm::entity::prelude::*;

/// A user account acting for a vendor company; one of them administers it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vendor_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub vendor_id: i32,
    pub user_id: i32,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
