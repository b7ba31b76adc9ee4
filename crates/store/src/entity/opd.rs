use sea_orm::entity::prelude::*;

/// An OPD (organisasi perangkat daerah: a dinas, badan or kantor) of a kota or kabupaten
/// (migration 18). Other tables name it by `code`, which never changes; the name may.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    /// Short and stable, e.g. `DPUPR`: what proposals, plan lines, activities, complaints and
    /// recommendations store.
    pub code: String,
    pub name: String,
    /// A retired OPD (merged, renamed away) keeps its rows but takes nothing new.
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
