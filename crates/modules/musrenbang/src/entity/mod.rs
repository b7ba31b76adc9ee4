//! Musrenbang's tables (sea-orm entities, one module per table; their migrations are in the
//! shared `migrations` crate). Money columns are `i64` sen (see `mufakat_core::Money`).

pub mod comment_report;
pub mod forum_record;
pub mod level_result;
pub mod musrenbang_cycle;
pub mod proposal;
pub mod proposal_comment;
pub mod proposal_score;
pub mod proposal_vote;
