use sea_orm::entity::prelude::*;

/// One month's progress report of an activity, with the status of its `monev-laporan` case:
/// physical progress (hundredths of a percent), per sub-activity (JSON), cumulative realised
/// spending (sen), indicator actuals (JSON: indicator id → value), notes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monev_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub activity_id: i32,
    pub period: String,
    pub due_at: DateTimeUtc,
    pub status: String,
    pub physical_bp: Option<i32>,
    pub sub_progress: Option<String>,
    pub spent_sen: Option<i64>,
    pub actuals: String,
    pub notes: String,
    pub return_note: Option<String>,
    pub submitted_by: Option<i32>,
    pub submitted_at: Option<DateTimeUtc>,
    pub first_submitted_at: Option<DateTimeUtc>,
    pub verified_by: Option<i32>,
    pub verified_at: Option<DateTimeUtc>,
    pub late_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
