//! e-Musrenbang (musyawarah perencanaan pembangunan): the annual participatory planning
//! process. Residents propose (usulan) and vote; staff verify, score and forward proposals level
//! by level: kelurahan/desa -> kecamatan -> kota/kabupaten forum.
//!
//! This crate holds the rules only; the workflow file `workflows/musrenbang-usulan.toml` holds
//! the lifecycle, the server persists and serves it.

pub mod cost;
pub mod cycle;
pub mod priority;
pub mod voting;

pub use cost::{Cost, CostError};
pub use cycle::{CycleSchedule, Phase};
pub use priority::{rank, Criterion, PriorityFormula, RankedProposal, ScoreInput};
pub use voting::{voter_pseudonym, VoteScope, VotingPolicy};
