use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// Keyed hash (HMAC-SHA256) of the NIK; the NIK itself is never stored.
    pub nik_hash: Option<String>,
    pub home_region_id: Option<i32>,
    pub password_hash: String,
    pub is_active: bool,
    /// Where the user is also told by e-mail (optional; migration 16).
    pub email: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
