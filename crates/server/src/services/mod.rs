//! Use cases of the modules still in the server. Each takes the state, the acting user (when
//! any) and parsed input, checks authorization, and does its work in one database transaction.
//! GraphQL resolvers and CLI commands both call these; neither holds business rules of its own.

pub use mufakat_kernel::services::{accounts, cases, regions};

pub mod allocation;
pub mod musrenbang;
pub mod reports;
