use sea_orm::entity::prelude::*;

/// A competitive procedure (mini-competition or tender) of a package, with the status of its case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_procedures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub instance_id: Option<i32>,
    pub package_id: i32,
    pub region_id: i32,
    /// `mini_competition` or `tender`.
    pub method: String,
    pub number: String,
    pub title: String,
    pub hps_sen: i64,
    /// `lowest_price` or `quality_cost`.
    pub evaluation: String,
    /// With `quality_cost`: the technical score's weight in percent (the price's is the rest).
    pub quality_weight: i32,
    pub qualification: String,
    /// The announced documents and schedule in words (amended by clarification answers).
    pub documents: String,
    pub min_bids: i32,
    pub bid_deadline: DateTimeUtc,
    /// The age X25519 public key bids are sealed to (`age1…`), published.
    pub public_key: String,
    /// The private key, encrypted to the deployment's bid key (base64); never shown.
    pub wrapped_key: String,
    pub opened_at: Option<DateTimeUtc>,
    pub award_at: Option<DateTimeUtc>,
    pub objection_ends: Option<DateTimeUtc>,
    /// When the PPK issued the letter of award (SPPBJ).
    pub sppbj_at: Option<DateTimeUtc>,
    pub winner_bid_id: Option<i32>,
    pub retender_of: Option<i32>,
    pub status: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
