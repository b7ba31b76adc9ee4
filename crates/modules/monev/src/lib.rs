//! Monitoring and evaluation (monev) and the situation room: each funded activity (a line of
//! the plan, perhaps under contract) with its plan (the planned S-curve) and indicators;
//! monthly progress reports with photos, verified by the KPA or PPK, late by timer; deviation
//! flags from rules in configuration, with the kontrak kritis escalation; aggregates per region,
//! OPD, category, funding source and cycle, S-curves, a live subscription, and PDFs.
//!
//! The module's home: its tables ([`entity`]), use cases ([`service`]), GraphQL types and roots
//! ([`graphql`]), HTTP routes for photos and PDFs ([`http`]), permissions ([`perms`], lines in
//! `policy.csv`), settings ([`runtime`], `workflows/config/monev.toml`) and what it registers
//! with the kernel ([`register`]). Its workflow files are `workflows/monev-*.toml`; its pure
//! rules are the `mufakat-monev` crate (`rules/`). Photos go to procurement's blob store.

pub mod demo;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod runtime;
pub mod service;

use std::sync::Arc;

use mufakat_kernel::state::{CaseReads, OwnedWorkflow, Registrations};
use mufakat_kernel::AppState;

/// The permissions monev checks (rows in this module's `policy.csv`). Who may fire each
/// transition is in the workflow files; these cover what is not a transition.
pub mod perms {
    use mufakat_kernel::authz::Permission;
    const fn p(object: &'static str, action: &'static str) -> Permission {
        Permission { object, action }
    }
    /// Open an activity from a line of the plan, revise its plan, name its supervisors.
    pub const ACTIVITY_MANAGE: Permission = p("monev_activity", "manage");
    /// Read an activity's internal data (drafts, returned reports, notes).
    pub const ACTIVITY_READ: Permission = p("monev_activity", "read");
    /// Draft and submit progress reports (the OPD's staff; named supervisors besides).
    pub const REPORT_WRITE: Permission = p("monev_report", "write");
    /// Read deviation flags with their evidence.
    pub const FLAG_READ: Permission = p("monev_flag", "read");
}

pub const POLICY: &str = include_str!("../policy.csv");

/// The PostgreSQL NOTIFY channel that carries monev's changes between nodes.
pub const MONEV_CHANNEL: &str = "mufakat_monev";

/// Monev's workflow files, built into the binary (the same files as in `workflows/`).
pub const WORKFLOWS: [(&str, &str); 4] = [
    (
        "monev-kegiatan.toml",
        include_str!("../../../../workflows/monev-kegiatan.toml"),
    ),
    (
        "monev-laporan.toml",
        include_str!("../../../../workflows/monev-laporan.toml"),
    ),
    (
        "monev-deviasi.toml",
        include_str!("../../../../workflows/monev-deviasi.toml"),
    ),
    (
        "monev-kontrak-kritis.toml",
        include_str!("../../../../workflows/monev-kontrak-kritis.toml"),
    ),
];

/// What monev brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.workflows.extend(WORKFLOWS);
    r.policies.push(POLICY);
    let api = "createMonevActivity, saveMonevReport, verifyMonevReport, monevFlagAction, …";
    r.owned_workflows
        .extend(WORKFLOWS.iter().map(|(file, _)| OwnedWorkflow {
            name: file.trim_end_matches(".toml"),
            generic_fire: false,
            api,
            reads: CaseReads::ByRole,
        }));
    r.after_timers.push(Arc::new(service::reports::Late));
    r.modules = r.modules.with(runtime::Slot::default());
    r
}

/// Reads the settings; the server calls it at start and fails to start when it fails.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    runtime::init(state)
}

/// Starts the module's background tasks (once per node; the server aborts them at shutdown).
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    vec![tokio::spawn(listener(state.clone()))]
}

/// On PostgreSQL, hears monev's changes NOTIFYed by any node (this one included): the
/// dashboard's snapshot goes stale and subscribers are told.
pub async fn listener(state: AppState) {
    mufakat_kernel::notifications::listen(
        &state,
        MONEV_CHANNEL,
        // Whatever was missed while not listening.
        || {
            runtime::slot(&state)
                .generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
        |payload| match serde_json::from_str::<runtime::MonevEvent>(payload) {
            Ok(ev) => runtime::changed(&state, ev),
            Err(e) => tracing::warn!(error = %e, "bad monev notification"),
        },
    )
    .await
}
