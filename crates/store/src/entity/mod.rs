//! sea-orm entities: one module per table. Money columns are `i64` sen (see `mufakat_core::Money`).

pub mod allocation_override;
pub mod allocation_run;
pub mod audit_checkpoint;
pub mod audit_event;
pub mod audit_head;
pub mod budget_ceiling;
pub mod musrenbang_cycle;
pub mod notification;
pub mod proposal;
pub mod proposal_comment;
pub mod proposal_score;
pub mod proposal_vote;
pub mod region;
pub mod role_grant;
pub mod session;
pub mod user;
pub mod workflow_definition;
pub mod workflow_instance;
pub mod workflow_timer;
