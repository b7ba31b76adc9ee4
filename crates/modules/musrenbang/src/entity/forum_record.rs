use sea_orm::entity::prelude::*;

/// The record of one forum (migration 17): a kelurahan's or kecamatan's musrenbang, or the kota
/// forum, in a cycle. Agenda and notes are JSON arrays of text; attendance a JSON array of
/// `{ name, role, signs }`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cycle_id: i32,
    pub region_id: i32,
    /// The berita acara's number: given by staff, or from `document_number_pattern`.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// Free text, e.g. `09.00 – 12.30 WIB`.
    pub time_text: Option<String>,
    pub place: String,
    pub agenda: String,
    pub notes: String,
    pub attendance: String,
    pub recorded_by: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
