//! Procurement II: competition among vendors. Mini-competitions (among invited catalogue
//! vendors) and tenders (open to every verified vendor in the package's business field), each
//! a workflow with its periods as configuration: announcement with its own key pair,
//! clarification, **sealed bids** (age X25519; no one reads a price before the opening, not
//! the Pokja, an administrator, nor whoever reads the database or a backup), closing and
//! opening by timers at the deadline, evaluation, award, objections (sanggah) and appeals, the
//! letter of award (SPPBJ), the contract and its amendments.
//!
//! The module's home: its tables ([`entity`]), its use cases ([`service`]), the sealing
//! ([`seal`], pure), its GraphQL types and roots ([`graphql`]), its permissions ([`perms`],
//! lines in `policy.csv`), its runtime (settings and the bid key, [`runtime`]) and what it
//! registers with the kernel ([`register`]). Its workflow files are
//! `workflows/procurement-{tender,minikompetisi,sanggah,kontrak}.toml`; its settings
//! `workflows/config/procurement-procedures.toml`. It builds on procurement I (packages,
//! vendors, the catalogue, the blob store).

pub mod demo;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod ocds;
pub mod runtime;
pub mod seal;
pub mod service;

use std::sync::Arc;

use mufakat_kernel::state::{CaseReads, OwnedWorkflow, Registrations};
use mufakat_kernel::AppState;

/// The permissions Procurement II checks (rows in this module's `policy.csv`).
pub mod perms {
    use mufakat_kernel::authz::Permission;
    const fn p(object: &'static str, action: &'static str) -> Permission {
        Permission { object, action }
    }
    /// Announce a procedure.
    pub const PROCEDURE_CREATE: Permission = p("procedure", "create");
    /// Read what is not public of a procedure (besides its Pokja and PPK).
    pub const INSIDE_READ: Permission = p("procedure_inside", "read");
}

pub const POLICY: &str = include_str!("../policy.csv");

/// Procurement II's workflow files, built into the binary (the same files as in `workflows/`).
pub const WORKFLOWS: [(&str, &str); 4] = [
    (
        "procurement-tender.toml",
        include_str!("../../../../workflows/procurement-tender.toml"),
    ),
    (
        "procurement-minikompetisi.toml",
        include_str!("../../../../workflows/procurement-minikompetisi.toml"),
    ),
    (
        "procurement-sanggah.toml",
        include_str!("../../../../workflows/procurement-sanggah.toml"),
    ),
    (
        "procurement-kontrak.toml",
        include_str!("../../../../workflows/procurement-kontrak.toml"),
    ),
];

/// What Procurement II brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.workflows.extend(WORKFLOWS);
    r.policies.push(POLICY);
    let api = "createProcedure, submitBid, evaluateBids, fileObjection, signContract, …";
    r.owned_workflows
        .extend(WORKFLOWS.iter().map(|(file, _)| OwnedWorkflow {
            name: file.trim_end_matches(".toml"),
            generic_fire: false,
            api,
            // Who reads a procedure's bids and objections is this module's decision: the
            // generic case API must not show a sealed bid's hash list to anyone else.
            reads: CaseReads::ModuleOnly,
        }));
    r.after_timers
        .push(Arc::new(service::opening::ProcedureTimers));
    r.after_timers
        .push(Arc::new(service::opening::ObjectionTimers));
    r.modules = r.modules.with(runtime::Slot::default());
    r
}

/// Reads the settings and the bid key; the server calls it at start and fails to start when
/// it fails.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    runtime::init(state)
}
