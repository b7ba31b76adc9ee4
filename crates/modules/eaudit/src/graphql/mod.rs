//! e-Audit's GraphQL: output types ([`types`]), the query root ([`query`]) and the mutation
//! root ([`mutation`]). The server merges the roots into the schema.

pub mod mutation;
pub mod query;
pub mod types;

pub use mutation::EauditMutation;
pub use query::EauditQuery;
