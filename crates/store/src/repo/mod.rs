//! Repositories: the only code that builds queries. Each function takes any connection
//! (pool or transaction) so that callers compose them inside one database transaction.

pub mod audit;
pub mod grants;
pub mod instances;
pub mod notifications;
pub mod regions;
pub mod sessions;
pub mod users;
