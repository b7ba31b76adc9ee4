//! Procurement I: vendors (penyedia) with their documents and verification, the local
//! e-catalogue (items, approved prices with their history, search, price statistics),
//! procurement packages (paket) on the funded lines of the plan with the method proposed by
//! value thresholds, and buying: e-purchasing from the catalogue and direct procurement
//! (pengadaan langsung), to the handover (BAST) and the payment.
//!
//! The module's home: its pure rules are the `mufakat-procurement` crate in `rules/`; here are
//! its tables ([`entity`]), its use cases ([`service`]), its GraphQL types and roots
//! ([`graphql`]), its HTTP routes for uploads and downloads ([`http`]), its permissions
//! ([`perms`], lines in `policy.csv`), its runtime (blob store and thresholds, [`runtime`]) and
//! what it registers with the kernel ([`register`]). Its workflow files are
//! `workflows/procurement-*.toml`; its thresholds `workflows/config/procurement-thresholds.toml`.
//! It builds on musrenbang (a package's line may be a proposal the plan adopted).

pub mod demo;
pub mod entity;
pub mod graphql;
pub mod http;
pub mod runtime;
pub mod service;

use mufakat_kernel::state::{CaseReads, OwnedWorkflow, Registrations};
use mufakat_kernel::AppState;

/// The permissions procurement checks (rows in this module's `policy.csv`). Who may fire each
/// transition is in the workflow files; these cover what is not a transition.
pub mod perms {
    use mufakat_kernel::authz::Permission;
    const fn p(object: &'static str, action: &'static str) -> Permission {
        Permission { object, action }
    }
    /// Verify, suspend and blacklist vendors.
    pub const VENDOR_VERIFY: Permission = p("vendor", "verify");
    /// See every vendor, verified or not.
    pub const VENDOR_READ: Permission = p("vendor", "read");
    /// See vendors' bank accounts.
    pub const VENDOR_BANK_READ: Permission = p("vendor_bank", "read");
    /// Read vendors' documents.
    pub const VENDOR_DOCUMENT_READ: Permission = p("vendor_document", "read");
    /// Approve catalogue listings and prices.
    pub const CATALOGUE_APPROVE: Permission = p("catalogue", "approve");
    /// Enter a line of the plan (an adopted proposal or an OPD activity).
    pub const PLAN_LINE_CREATE: Permission = p("plan_line", "create");
    /// Create packages.
    pub const PACKAGE_CREATE: Permission = p("package", "create");
    /// Order from the catalogue (e-purchasing).
    pub const ORDER_CREATE: Permission = p("order", "create");
    /// Invite a vendor to a direct procurement.
    pub const DIRECT_INVITE: Permission = p("direct_procurement", "invite");
    /// Read the red flags for auditors (package splitting).
    pub const FLAGS_READ: Permission = p("procurement_flag", "read");
}

pub const POLICY: &str = include_str!("../policy.csv");

/// Procurement's workflow files, built into the binary (the same files as in `workflows/`).
pub const WORKFLOWS: [(&str, &str); 5] = [
    (
        "procurement-penyedia.toml",
        include_str!("../../../../workflows/procurement-penyedia.toml"),
    ),
    (
        "procurement-katalog.toml",
        include_str!("../../../../workflows/procurement-katalog.toml"),
    ),
    (
        "procurement-paket.toml",
        include_str!("../../../../workflows/procurement-paket.toml"),
    ),
    (
        "procurement-epurchasing.toml",
        include_str!("../../../../workflows/procurement-epurchasing.toml"),
    ),
    (
        "procurement-langsung.toml",
        include_str!("../../../../workflows/procurement-langsung.toml"),
    ),
];

/// What procurement brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.workflows.extend(WORKFLOWS);
    r.policies.push(POLICY);
    let api = "registerVendor, vendorAction, catalogue…, createPackage, packageAction, order…";
    r.owned_workflows
        .extend(WORKFLOWS.iter().map(|(file, _)| OwnedWorkflow {
            name: file.trim_end_matches(".toml"),
            generic_fire: false,
            api,
            // Who sees a vendor's profile, orders and offers is the module's decision.
            reads: CaseReads::Private,
        }));
    r.modules = r.modules.with(runtime::Slot::default());
    r
}

/// Builds the runtime (thresholds, blob store); the server calls it at start and fails to
/// start when it fails.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    runtime::init(state)
}

/// Starts the module's background task: copying states that timers changed to its rows.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let listening = tokio::spawn(listener(state.clone()));
    let state = state.clone();
    vec![
        listening,
        tokio::spawn(async move {
            let every = std::time::Duration::from_secs(state.settings.timer_poll_secs.max(1));
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = service::vendors::sync_after_timers(&state).await {
                    tracing::warn!(error = %e, "procurement: syncing states after timers");
                }
            }
        }),
    ]
}

/// On PostgreSQL, hears that some node changed the catalogue
/// ([`service::catalogue_index::notify`]): this node's snapshot goes stale.
pub async fn listener(state: AppState) {
    let Ok(rt) = runtime::get(&state) else {
        return;
    };
    // On (re)connecting too: whatever was sent while not listening.
    mufakat_kernel::notifications::listen(
        &state,
        service::catalogue_index::CHANNEL,
        || rt.catalogue.changed(),
        |_| rt.catalogue.changed(),
    )
    .await
}
