use sea_orm::entity::prelude::*;

/// An OPD's answer to a recommendation (its actions; `documents` a JSON array of document ids) and the auditor's rating of it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_followups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recommendation_id: i32,
    pub answer: String,
    pub documents: String,
    pub answered_by: i32,
    pub answered_at: DateTimeUtc,
    pub rating: Option<String>,
    pub rating_note: Option<String>,
    pub rated_by: Option<i32>,
    pub rated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
