//! Procurement II's GraphQL: types, queries and mutations.

pub mod mutation;
pub mod query;
pub mod types;

pub use mutation::TenderMutation;
pub use query::TenderQuery;
