use sea_orm::entity::prelude::*;

/// Who signs documents for a region in an office (migration 17): the lurah of a kelurahan, the
/// camat of a kecamatan, the kepala Bappeda of a kota. The name comes from the account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signatories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    /// `lurah`, `kepala_desa`, `camat`, `kepala_bappeda`, `kepala_daerah`.
    pub office: String,
    pub user_id: i32,
    /// Nomor Induk Pegawai: 18 digits.
    pub nip: String,
    /// The position as printed, e.g. `Lurah Mekarsari`.
    pub position: String,
    pub appointed_by: i32,
    pub appointed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
