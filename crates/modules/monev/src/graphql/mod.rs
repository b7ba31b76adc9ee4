//! Monev's GraphQL: types, the query, mutation and subscription roots.

pub mod mutation;
pub mod query;
pub mod subscription;
pub mod types;

pub use mutation::MonevMutation;
pub use query::MonevQuery;
pub use subscription::MonevSubscription;
