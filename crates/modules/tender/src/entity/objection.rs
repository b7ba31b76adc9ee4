use sea_orm::entity::prelude::*;

/// An objection (sanggah) of a bidder to the award, or an appeal (sanggah banding) against the
/// answer to one, with the status of its `procurement-sanggah` case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_objections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub procedure_id: i32,
    pub vendor_id: i32,
    /// `objection` or `appeal`.
    pub kind: String,
    /// An appeal's objection.
    pub parent_id: Option<i32>,
    pub text: String,
    pub guarantee_sen: Option<i64>,
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<i32>,
    pub filed_by: i32,
    pub filed_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
