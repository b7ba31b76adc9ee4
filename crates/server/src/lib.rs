//! The Mufakat server: the composition root. It reads the configuration, builds the kernel's
//! state with every module registered, and serves GraphQL over HTTP.
//!
//! - [`startup`] builds the application (database, policy, router) and runs it.
//! - [`services`] are the use cases of the modules not yet in crates of their own.
//! - [`graphql`] is the schema (the kernel's roots merged with each module's); [`http`] the
//!   routes and the one place errors become responses.

pub use mufakat_kernel::{
    audit_log, auth, authz, config, notary, secrets, state, workflows, writer,
};

pub mod backup;
pub mod bench;
pub mod graphql;
pub mod http;
pub mod modules;
pub mod seed;
pub mod seed_services;
pub mod seed_thread;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod web;

pub use config::{LetterheadSettings, Settings};
pub use startup::Application;
pub use state::AppState;
