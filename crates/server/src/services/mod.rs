//! Use cases. Each takes the state, the acting user (when any) and parsed input, checks
//! authorization, and does its work in one database transaction. GraphQL resolvers and CLI
//! commands both call these; neither holds business rules of its own.

pub mod accounts;
pub mod allocation;
pub mod cases;
pub mod musrenbang;
pub mod regions;
pub mod reports;
