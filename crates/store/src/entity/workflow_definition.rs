use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_definitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// 1, 2, 3, ... per name, in the order the contents were first deployed.
    pub version: i32,
    /// SHA-256 of the definition file's bytes.
    pub hash: String,
    pub title: String,
    /// The file as deployed, so that old versions can be loaded for running instances.
    pub source: String,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
