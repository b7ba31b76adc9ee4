//! The kernel's sea-orm entities: one module per table (each module keeps its own tables
//! in its crate). Money columns are `i64` sen (see `mufakat_core::Money`).

pub mod audit_checkpoint;
pub mod audit_event;
pub mod audit_head;
pub mod mail_outbox;
pub mod notification;
pub mod opd;
pub mod password_reset_code;
pub mod region;
pub mod role_grant;
pub mod session;
pub mod signatory;
pub mod user;
pub mod workflow_definition;
pub mod workflow_instance;
pub mod workflow_timer;
