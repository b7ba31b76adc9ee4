use sea_orm::entity::prelude::*;

/// A proposal's standing at a level when it moved on from it (migration 17): the score, cost
/// and votes that level's list ranked it by, kept so that the list still shows what the forum
/// agreed after the proposal went up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_level_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub proposal_id: i32,
    pub cycle_id: i32,
    /// The proposal's kelurahan.
    pub region_id: i32,
    /// The level it moved on from: `kelurahan` or `kecamatan`.
    pub level: String,
    pub score: Option<String>,
    pub cost_sen: i64,
    pub votes: i64,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
