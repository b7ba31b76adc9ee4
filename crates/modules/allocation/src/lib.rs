//! Budget allocation: budget ceilings (pagu) per region, allocation runs over a
//! musrenbang cycle's priority list with the rules of the `mufakat-allocation` crate (identical
//! to pabutools), overrides with reasons, and adoption into the plan.
//!
//! The module's home: its pure rules are the `mufakat-allocation` crate (`crates/allocation`,
//! no HTTP, no database); here are its tables ([`entity`]), its use cases ([`service`]), its
//! GraphQL types and roots ([`graphql`]), its permissions ([`perms`], lines in `policy.csv`).
//! It builds on musrenbang (it allocates that module's proposals), so it depends on
//! `mufakat-module-musrenbang`; nothing depends on it but the server.

pub mod entity;
pub mod graphql;
pub mod service;

use mufakat_kernel::state::Registrations;

/// The permissions allocation checks (rows in this module's `policy.csv`).
pub mod perms {
    use mufakat_kernel::authz::Permission;
    pub const BUDGET_SET: Permission = Permission {
        object: "budget",
        action: "set",
    };
    pub const ALLOCATION_RUN: Permission = Permission {
        object: "allocation",
        action: "run",
    };
    pub const ALLOCATION_ADOPT: Permission = Permission {
        object: "allocation",
        action: "adopt",
    };
}

pub const POLICY: &str = include_str!("../policy.csv");

/// What allocation brings to the kernel.
pub fn register(r: Registrations) -> Registrations {
    let mut r = r;
    r.policies.push(POLICY);
    r
}
