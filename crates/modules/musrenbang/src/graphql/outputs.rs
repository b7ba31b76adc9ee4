//! Output types besides cycles and proposals: priority list items, vote and action results with
//! their receipts, receipt checks, live vote counts and notifications.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::Proposal;
use mufakat_kernel::graphql::cases::CheckpointGql;
use mufakat_kernel::graphql::req;

#[derive(SimpleObject)]
pub struct PriorityItem {
    pub rank: i32,
    pub priority: Decimal,
    pub score: Decimal,
    pub votes: i32,
    /// The score and cost this level ranked it by (a proposal that moved on keeps them here).
    pub cost: Decimal,
    /// Whether this level's forum agreed to it: accepted (kelurahan), prioritized (kecamatan),
    /// included (kota), or sent on from here. Proposals that moved on stay on the list.
    pub agreed: bool,
    pub proposal: Proposal,
}

#[derive(SimpleObject)]
pub struct VoteResult {
    pub proposal: Proposal,
    /// The receipt, `<seq>-<hash>` (the audit event's number and hash): keep it to check later
    /// (`checkReceipt`) that your vote is in the signed trail.
    pub receipt: String,
    pub seq: i64,
}

#[derive(SimpleObject)]
pub struct ReceiptCheck {
    /// Whether the trail's event of that number has that hash.
    pub found: bool,
    pub seq: Option<i64>,
    /// The first signed checkpoint that covers it, if one has been made since.
    pub checkpoint: Option<CheckpointGql>,
}

#[derive(SimpleObject)]
pub struct VoteCount {
    pub proposal_id: ID,
    pub region_id: ID,
    pub cycle_id: ID,
    pub votes: i32,
}

#[derive(SimpleObject)]
pub struct ProposalActionResult {
    pub proposal: Proposal,
    /// The receipt, `<seq>-<hash>`: the audit event's number and hash (see `checkReceipt`).
    pub receipt: String,
}

pub struct Notification(pub mufakat_store::entity::notification::Model);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// e.g. `proposal_merged`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn message(&self, ctx: &Context<'_>) -> &str {
        match req(ctx).lang {
            mufakat_core::Lang::Id => &self.0.message_id,
            mufakat_core::Lang::En => &self.0.message_en,
        }
    }
    async fn proposal_id(&self) -> Option<ID> {
        self.0.proposal_id.map(|p| ID(p.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
}
