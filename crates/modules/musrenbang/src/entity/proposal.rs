use sea_orm::entity::prelude::*;

/// An usulan (development proposal). Its `status` mirrors the state of its workflow instance
/// and changes only in the transaction of a transition.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cycle_id: i32,
    pub instance_id: Option<i32>,
    pub title: String,
    /// Uraian kondisi: the problem as the proposer describes it.
    pub description: String,
    pub category: String,
    /// The kelurahan/desa where the work is.
    pub region_id: i32,
    pub rt_rw: Option<String>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Exact decimal text.
    pub volume: String,
    pub unit: String,
    pub unit_price_sen: i64,
    /// The estimated cost that counts (override when present).
    pub cost_sen: i64,
    /// volume × unit price.
    pub computed_cost_sen: i64,
    /// The cost before staff changed it (accepted with changes).
    pub original_cost_sen: Option<i64>,
    pub cost_override_reason: Option<String>,
    pub target_opd: Option<String>,
    pub source: String,
    pub proposer_id: Option<i32>,
    /// Set when merged into another proposal.
    pub parent_id: Option<i32>,
    pub status: String,
    pub level: String,
    pub vote_count: i32,
    /// Exact decimal text of the current level's weighted score.
    pub score: Option<String>,
    /// JSON list of attachment metadata.
    pub attachments: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
