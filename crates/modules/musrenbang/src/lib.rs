//! e-Musrenbang (musyawarah perencanaan pembangunan): planning cycles whose phases open by
//! timers, proposals (usulan) from draft through the kelurahan, kecamatan and kota forums,
//! approval voting with ballot privacy and receipts, merges, scores and priority lists.
//!
//! The module's home: its pure rules are the `mufakat-musrenbang` crate in `rules/` (no HTTP,
//! no database); here are its tables ([`entity`]), its use cases ([`service`]), its GraphQL
//! types and roots ([`graphql`]), its permissions ([`perms`], lines in `policy.csv`), and what it
//! registers with the kernel ([`register`]). Its workflow files are `workflows/musrenbang-*.toml`.

pub mod entity;
pub mod graphql;
pub mod service;

use mufakat_kernel::state::{CaseReads, OwnedWorkflow, Registrations};
use mufakat_kernel::AppState;

/// The permissions musrenbang checks (rows in this module's `policy.csv`).
pub mod perms {
    use mufakat_kernel::authz::Permission;
    pub const CYCLE_CREATE: Permission = Permission {
        object: "musrenbang_cycle",
        action: "create",
    };
    pub const COMMENT_MODERATE: Permission = Permission {
        object: "comment",
        action: "moderate",
    };
    pub const REPORT_MUSRENBANG: Permission = Permission {
        object: "report",
        action: "musrenbang",
    };
    pub const FORUM_RECORD: Permission = Permission {
        object: "forum",
        action: "record",
    };
}

/// Musrenbang's workflow files, built into the binary (the same files as in `workflows/`).
pub const WORKFLOWS: [(&str, &str); 2] = [
    (
        "musrenbang-siklus.toml",
        include_str!("../../../../workflows/musrenbang-siklus.toml"),
    ),
    (
        "musrenbang-usulan.toml",
        include_str!("../../../../workflows/musrenbang-usulan.toml"),
    ),
];

pub const POLICY: &str = include_str!("../policy.csv");

/// What musrenbang brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.workflows.extend(WORKFLOWS);
    r.policies.push(POLICY);
    r.owned_workflows.extend([
        // A cycle's phase lives in its case alone: Bappeda may still open a phase early with
        // the generic `fireTransition`.
        OwnedWorkflow {
            name: service::CYCLE_WORKFLOW,
            generic_fire: true,
            api: "createProposal, proposalAction, vote",
            reads: CaseReads::ByRole,
        },
        OwnedWorkflow {
            name: service::PROPOSAL_WORKFLOW,
            generic_fire: false,
            api: "createProposal, proposalAction, vote",
            reads: CaseReads::ByRole,
        },
    ]);
    r.after_timers
        .push(std::sync::Arc::new(service::close_out::CloseOut));
    r.batch_kinds = r.batch_kinds.with(service::Votes);
    r.modules = r.modules.with(service::VoteEvents::default());
    r
}

/// Starts the module's background tasks (once per node; the server aborts them at shutdown).
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    vec![tokio::spawn(vote_listener(state.clone()))]
}

/// On PostgreSQL, forwards vote counts NOTIFYed by any node to this node's subscribers (and
/// drops the answers this node keeps for the public, which may hold the old counts).
pub async fn vote_listener(state: AppState) {
    use crate::service::{VoteCountChanged, VoteEvents, VOTE_CHANNEL};
    mufakat_kernel::notifications::listen(
        &state,
        VOTE_CHANNEL,
        || {},
        |payload| match serde_json::from_str::<Vec<VoteCountChanged>>(payload) {
            Ok(changes) => {
                // Answers kept for the public may hold the old counts.
                state.writes.changed();
                for change in changes {
                    let _ = state.modules.get::<VoteEvents>().0.send(change);
                }
            }
            Err(e) => tracing::warn!(error = %e, "bad vote notification"),
        },
    )
    .await
}
