use sea_orm::entity::prelude::*;

/// A finding (temuan): kondisi, kriteria, sebab, akibat; loss in whole sen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eaudit_findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub assignment_id: i32,
    pub number: i32,
    pub title: String,
    pub condition: String,
    pub criteria: String,
    pub cause: String,
    pub effect: String,
    pub code: String,
    pub loss_sen: Option<i64>,
    pub severity: String,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
