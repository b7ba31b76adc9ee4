use sea_orm::entity::prelude::*;

/// A penyedia (vendor company): its profile, bank account (shown to its members and finance staff only) and the status of its `procurement-penyedia` case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "vendors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub name: String,
    pub form: String,
    pub nib: String,
    pub npwp: String,
    pub address: String,
    pub region_id: i32,
    pub kbli: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub bank_name: String,
    pub bank_account: String,
    pub bank_holder: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub blacklisted_until: Option<DateTimeUtc>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
