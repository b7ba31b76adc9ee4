use sea_orm::entity::prelude::*;

/// A funded activity followed by monev: a line of the plan (and its musrenbang proposal, if it
/// came from one), perhaps under a contract, with its plan (JSON: months with cumulative
/// physical progress in hundredths of a percent and disbursement in sen), its sub-activities
/// (JSON: name and weight) and the last verified figures.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monev_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub plan_line_id: i32,
    pub contract_id: Option<i32>,
    pub proposal_id: Option<i32>,
    pub cycle_id: Option<i32>,
    pub region_id: i32,
    pub year: i32,
    pub title: String,
    pub opd: String,
    pub category: String,
    pub funding_source: String,
    pub pagu_sen: i64,
    pub contracted_sen: Option<i64>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub plan: String,
    pub sub_activities: String,
    pub status: String,
    pub actual_bp: Option<i32>,
    pub disbursed_sen: i64,
    pub last_period: Option<String>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
