//! The Mufakat kernel: what every module builds on, knowing none of them.
//!
//! - [`audit_log`]: the audited write path (write queue, group commit, the hash chain);
//!   [`writer`]: the batch writer, which modules give kinds of request ([`writer::BatchKind`]);
//!   [`notary`]: signed checkpoints and the keys a verifier trusts.
//! - [`workflows`]: the registry of deployed workflow versions; [`services::cases`]: generic
//!   cases (start, fire, timers) of any workflow.
//! - [`auth`] (the current user, tokens, sessions), [`rate_limit`] (login and registration
//!   limits, shared by every node on PostgreSQL), [`authz`] (casbin, deny by
//!   default), [`services::accounts`] and [`services::regions`].
//! - [`state`]: [`AppState`], with a place for each module's own runtime state
//!   ([`state::Extensions`]); [`config`]: the settings.
//! - [`graphql`]: what resolvers of every module share (request context, errors, limits, paging)
//!   and the kernel's own GraphQL roots (accounts, regions, cases, the audit trail).
//!
//! A module depends on the kernel; the kernel depends on no module (Cargo enforces it: no
//! module crate is among its dependencies). The server composes them.

pub mod audit_log;
pub mod auth;
pub mod authz;
pub mod config;
pub mod graphql;
pub mod metrics;
pub mod notary;
pub mod notifications;
pub mod rate_limit;
pub mod secrets;
pub mod services;
pub mod state;
pub mod workflows;
pub mod writer;

pub use config::Settings;
pub use state::AppState;
