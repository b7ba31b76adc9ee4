use sea_orm::entity::prelude::*;

/// A deviation flag of an activity, with the status of its case (`monev-deviasi`, or
/// `monev-kontrak-kritis` for a critical contract): kind, severity, the month, evidence (JSON)
/// and its sentence in both languages.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monev_flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub activity_id: i32,
    pub report_id: Option<i32>,
    pub kind: String,
    pub severity: String,
    pub period: String,
    pub evidence: String,
    pub message_id: String,
    pub message_en: String,
    pub status: String,
    pub note: Option<String>,
    pub raised_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
