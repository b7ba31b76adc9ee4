//! Black-box tests: each spawns the real server on port 0 with a fresh database (SQLite, or
//! PostgreSQL when `TEST_DATABASE_URL` is set) and talks to it over HTTP.

mod accounts;
mod allocation;
mod audit_trust;
mod authorization;
mod backup;
mod batch_writer;
mod crash;
mod eaudit;
mod eaudit_authz;
mod errors_and_limits;
mod group_commit;
mod helpers;
mod input_limits;
mod metrics;
mod monev;
mod monev_authz;
mod monev_views;
mod musrenbang;
mod musrenbang_authz;
mod musrenbang_races;
mod musrenbang_votes;
mod policy;
mod procurement;
mod procurement_authz;
mod procurement_buying;
mod public_cache;
mod reports;
mod schema;
mod tender;
mod tender_authz;
mod tender_edges;
mod two_nodes;
mod web;
mod web_backend;
mod workflows;
