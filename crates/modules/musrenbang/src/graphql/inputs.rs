//! Input types of the queries and mutations: proposal filters, sorting and actions, and the
//! inputs that create cycles and proposals.

use async_graphql::{Enum, InputObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

#[derive(InputObject, Default)]
pub struct ProposalFilter {
    pub cycle_id: Option<ID>,
    /// A region: proposals in it or below it.
    pub region_id: Option<ID>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub target_opd: Option<String>,
    /// Words that the title or the description contains (case-insensitive, at most 100
    /// characters).
    pub search: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ProposalSort {
    #[default]
    Newest,
    Votes,
    Score,
    Cost,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ProposalAction {
    Submit,
    Withdraw,
    /// Kelurahan staff: back to the proposer with a note (the comment), until the kelurahan
    /// decides.
    ReturnForRevision,
    /// The proposer sends a returned proposal again.
    Resubmit,
    Verify,
    Accept,
    AcceptWithChanges,
    Merge,
    Reject,
    ForwardKecamatan,
    Prioritize,
    RejectKecamatan,
    ForwardKota,
    Include,
    NotAccommodate,
}

impl ProposalAction {
    pub(super) fn name(self) -> &'static str {
        match self {
            ProposalAction::Submit => "submit",
            ProposalAction::Withdraw => "withdraw",
            ProposalAction::ReturnForRevision => "return_for_revision",
            ProposalAction::Resubmit => "resubmit",
            ProposalAction::Verify => "verify",
            ProposalAction::Accept => "accept",
            ProposalAction::AcceptWithChanges => "accept_with_changes",
            ProposalAction::Merge => "merge",
            ProposalAction::Reject => "reject",
            ProposalAction::ForwardKecamatan => "forward_kecamatan",
            ProposalAction::Prioritize => "prioritize",
            ProposalAction::RejectKecamatan => "reject_kecamatan",
            ProposalAction::ForwardKota => "forward_kota",
            ProposalAction::Include => "include",
            ProposalAction::NotAccommodate => "not_accommodate",
        }
    }
}

#[derive(InputObject)]
pub struct PhaseWindowsInput {
    pub submission_opens: DateTime<Utc>,
    pub voting_opens: DateTime<Utc>,
    pub kelurahan_opens: DateTime<Utc>,
    pub kecamatan_opens: DateTime<Utc>,
    pub kota_opens: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct CreateCycleInput {
    /// e.g. "RKPD 2027".
    pub name: String,
    pub year: i32,
    /// The kota/kabupaten.
    pub region_id: ID,
    pub windows: PhaseWindowsInput,
    #[graphql(default = 3)]
    pub max_votes_per_voter: i32,
    /// `kelurahan` (default) or `kecamatan`.
    pub vote_scope: Option<String>,
    pub categories: Option<Vec<String>>,
    /// Scoring criteria (each scored 1-5) with weights; default: urgency ×3, beneficiaries ×2,
    /// alignment ×2, feasibility ×1.
    pub criteria: Option<Vec<CriterionInput>>,
    pub score_weight: Option<Decimal>,
    pub votes_weight: Option<Decimal>,
}

#[derive(InputObject)]
pub struct CriterionInput {
    pub key: String,
    pub name: String,
    pub weight: Decimal,
}

#[derive(InputObject)]
pub struct CreateProposalInput {
    pub cycle_id: ID,
    pub title: String,
    /// Uraian kondisi.
    pub description: String,
    pub category: String,
    /// Default: the resident's own kelurahan.
    pub kelurahan_id: Option<ID>,
    pub rt_rw: Option<String>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
    pub volume: Decimal,
    pub unit: String,
    pub unit_price: Decimal,
    /// Replaces volume × unit price; needs `costOverrideReason`.
    pub cost_override: Option<Decimal>,
    pub cost_override_reason: Option<String>,
    pub target_opd: Option<String>,
    /// Staff only: `kelurahan`, `pokir_dprd`, `opd_renja`. Residents always propose as `resident`.
    pub source: Option<String>,
    /// Metadata of attached files (photos, drawings); at most 10.
    #[graphql(default)]
    pub attachments: Vec<AttachmentInput>,
}

/// A draft's new fields (its cycle, kelurahan, source and attachments stay).
#[derive(InputObject)]
pub struct EditProposalInput {
    pub title: String,
    pub description: String,
    pub category: String,
    pub rt_rw: Option<String>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
    pub volume: Decimal,
    pub unit: String,
    pub unit_price: Decimal,
    pub cost_override: Option<Decimal>,
    pub cost_override_reason: Option<String>,
    pub target_opd: Option<String>,
}

#[derive(InputObject)]
pub struct AttachmentInput {
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

#[derive(InputObject, Default)]
pub struct ProposalActionInput {
    /// accept_with_changes: new volume.
    pub volume: Option<Decimal>,
    /// accept_with_changes: new unit price.
    pub unit_price: Option<Decimal>,
    /// accept_with_changes: a cost replacing volume × unit price (the comment is the reason).
    pub cost_override: Option<Decimal>,
    /// merge: the proposal this one is merged into.
    pub into_proposal_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CriterionScore {
    pub key: String,
    pub value: i32,
}
