//! e-Audit: the inspectorate's (APIP's) assignments (surat tugas) with their team and scope,
//! the audit trail as auditors browse, verify and export it within an assignment, findings
//! (temuan) with evidence, recommendations for the responsible OPDs with deadlines, their
//! follow-ups rated by the auditors, escalation by timer, the audit report (LHP) and the
//! follow-up monitoring matrix, and public figures per OPD.
//!
//! The module's home: its tables ([`entity`]), use cases ([`service`]), GraphQL types and roots
//! ([`graphql`]), HTTP routes for files and PDFs ([`http`]), permissions ([`perms`], lines in
//! `policy.csv`), settings ([`runtime`], `workflows/config/eaudit.toml`) and what it registers
//! with the kernel ([`register`]). Its workflow files are `workflows/eaudit-*.toml`. It keeps
//! uploaded files in procurement's blob store.

pub mod demo;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod runtime;
pub mod service;

use std::sync::Arc;

use mufakat_kernel::state::{CaseReads, OwnedWorkflow, Registrations};
use mufakat_kernel::AppState;

/// The permissions e-audit checks (rows in this module's `policy.csv`). Who may fire each
/// transition is in the workflow files; these cover what is not a transition.
pub mod perms {
    use mufakat_kernel::authz::Permission;
    const fn p(object: &'static str, action: &'static str) -> Permission {
        Permission { object, action }
    }
    /// Draft an assignment (the inspector).
    pub const ASSIGNMENT_CREATE: Permission = p("eaudit_assignment", "create");
    /// Read every assignment in a region, with its findings.
    pub const ASSIGNMENT_READ: Permission = p("eaudit_assignment", "read");
    /// Answer recommendations for the region's OPDs.
    pub const FOLLOWUP_ANSWER: Permission = p("eaudit_followup", "answer");
    /// Read the follow-up matrix.
    pub const MATRIX_READ: Permission = p("eaudit_matrix", "read");
}

pub const POLICY: &str = include_str!("../policy.csv");

/// e-Audit's workflow files, built into the binary (the same files as in `workflows/`).
pub const WORKFLOWS: [(&str, &str); 3] = [
    (
        "eaudit-penugasan.toml",
        include_str!("../../../../workflows/eaudit-penugasan.toml"),
    ),
    (
        "eaudit-temuan.toml",
        include_str!("../../../../workflows/eaudit-temuan.toml"),
    ),
    (
        "eaudit-rekomendasi.toml",
        include_str!("../../../../workflows/eaudit-rekomendasi.toml"),
    ),
];

/// What e-audit brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.workflows.extend(WORKFLOWS);
    r.policies.push(POLICY);
    let api = "createAuditAssignment, auditAssignmentAction, createFinding, …";
    r.owned_workflows
        .extend(WORKFLOWS.iter().map(|(file, _)| OwnedWorkflow {
            name: file.trim_end_matches(".toml"),
            generic_fire: false,
            api,
            // Who reads a finding or an assignment is the module's decision; other
            // assignments' auditors must not read a draft finding.
            reads: CaseReads::ModuleOnly,
        }));
    r.after_timers
        .push(Arc::new(service::followups::Escalation));
    r.modules = r.modules.with(runtime::Slot::default());
    r
}

/// Reads the settings; the server calls it at start and fails to start when it fails.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    runtime::init(state)
}
