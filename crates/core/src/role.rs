//! Roles. A role is always granted within a region and holds for the regions below it.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Warga: submits proposals and votes.
    Resident,
    KelurahanStaff,
    KecamatanStaff,
    /// Bappeda (regional planning agency) planner.
    BappedaPlanner,
    /// Staff of an OPD (organisasi perangkat daerah, a regional agency).
    OpdStaff,
    /// Penyedia: a supplier on the local e-catalogue.
    Vendor,
    /// Inspektorat (internal auditor).
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Resident,
        Role::KelurahanStaff,
        Role::KecamatanStaff,
        Role::BappedaPlanner,
        Role::OpdStaff,
        Role::Vendor,
        Role::Auditor,
        Role::Admin,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::KelurahanStaff => "kelurahan_staff",
            Role::KecamatanStaff => "kecamatan_staff",
            Role::BappedaPlanner => "bappeda_planner",
            Role::OpdStaff => "opd_staff",
            Role::Vendor => "vendor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}
