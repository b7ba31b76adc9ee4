//! The Mufakat server: a thin GraphQL-over-HTTP layer around the domain crates.
//!
//! - [`startup`] builds the application (database, policy, router) and runs it.
//! - [`config`] holds every setting (CLI flags, env vars, config file).
//! - [`services`] are the use cases (register, log in, create a region, ...), called from
//!   GraphQL resolvers and from the CLI alike.
//! - [`graphql`] is the schema; [`http`] the routes and the one place errors become responses.

pub mod audit_log;
pub mod auth;
pub mod authz;
pub mod backup;
pub mod bench;
pub mod config;
pub mod graphql;
pub mod http;
pub mod notary;
pub mod secrets;
pub mod seed;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workflows;
pub mod writer;

pub use config::Settings;
pub use startup::Application;
pub use state::AppState;
