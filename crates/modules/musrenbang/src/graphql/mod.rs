//! GraphQL for e-Musrenbang: cycles, proposals (Relay connections with filters and sorting),
//! votes with receipts, scores, priority lists, comments, and live vote counts.
//!
//! One file a concern: the types (`cycle`, `proposal`, `outputs`, `inputs`), the
//! per-request `loaders`, and the roots (`query`, `mutation`, `subscription`).

mod cycle;
mod forum;
mod inputs;
mod loaders;
mod mutation;
mod outputs;
mod proposal;
mod query;
mod subscription;

pub use cycle::{CriterionGql, Cycle};
pub use forum::{AttendeeGql, ForumRecord, ForumRecordInput};
pub use inputs::{
    AttachmentInput, CreateCycleInput, CreateProposalInput, CriterionInput, CriterionScore,
    EditProposalInput, PhaseWindowsInput, ProposalAction, ProposalActionInput, ProposalFilter,
    ProposalSort,
};
pub use loaders::{
    err, loaders, CycleLoader, Loaders, MyVoteLoader, ProposalLoader, UserNameLoader,
};
pub use mutation::MusrenbangMutation;
pub use outputs::{
    Notification, PriorityItem, ProposalActionResult, ReceiptCheck, VoteCount, VoteResult,
};
pub use proposal::{Attachment, Comment, Proposal};
pub use query::MusrenbangQuery;
pub use subscription::MusrenbangSubscription;
