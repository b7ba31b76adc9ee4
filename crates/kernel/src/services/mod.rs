//! The kernel's use cases. Each takes the state, the acting user (when any) and parsed input,
//! checks authorization, and does its work in one database transaction. GraphQL resolvers and
//! CLI commands both call these; neither holds business rules of its own.

pub mod accounts;
pub mod cases;
pub mod clock;
pub mod mail;
pub mod opds;
pub mod password_reset;
pub mod regions;
pub mod signatories;
