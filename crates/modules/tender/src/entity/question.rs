use sea_orm::entity::prelude::*;

/// A vendor's question in the clarification (aanwijzing) and the Pokja's answer, published to all.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub procedure_id: i32,
    pub vendor_id: i32,
    pub question: String,
    pub answer: Option<String>,
    /// The answer amended the documents.
    pub amends: bool,
    pub asked_by: i32,
    pub asked_at: DateTimeUtc,
    pub answered_by: Option<i32>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
