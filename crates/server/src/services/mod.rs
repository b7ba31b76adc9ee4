//! Use cases: the kernel's and each module's (re-exported here for the CLI and the tests), and
//! the reports, which name every module's documents. Each takes the state, the acting user (when
//! any) and parsed input, checks authorization, and does its work in one database transaction.
//! GraphQL resolvers and CLI commands both call these; neither holds business rules of its own.

pub use mufakat_kernel::services::{accounts, cases, opds, regions};

pub use mufakat_module_allocation::service as allocation;
pub use mufakat_module_musrenbang::service as musrenbang;

pub mod musrenbang_reports;
pub mod reports;
