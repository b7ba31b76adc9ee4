use sea_orm::entity::prelude::*;

/// A sealed bid: until the opening only its ciphertext's hash and size (the ciphertext is in the
/// blob store); after it, what it said and how it was evaluated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tender_bids")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub procedure_id: i32,
    pub vendor_id: i32,
    /// `sealed`, `replaced`, `withdrawn`, `opened` or `unreadable` (did not decrypt or parse).
    pub status: String,
    pub storage_key: String,
    /// SHA-256 of the ciphertext (hex): the vendor's receipt.
    pub sha256: String,
    pub size_bytes: i64,
    pub submitted_by: i32,
    pub submitted_at: DateTimeUtc,
    pub price_sen: Option<i64>,
    /// SHA-256 of the decrypted envelope, recorded at the opening.
    pub opened_sha256: Option<String>,
    pub technical: Option<String>,
    /// JSON list of the bid's documents (name, type, size, SHA-256, storage key), after opening.
    pub documents: Option<String>,
    pub admin_ok: Option<bool>,
    pub tech_ok: Option<bool>,
    pub tech_score: Option<i32>,
    /// Why it was disqualified.
    pub reason: Option<String>,
    /// The evaluation score (decimal as text) with `quality_cost`.
    pub score: Option<String>,
    pub rank: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
