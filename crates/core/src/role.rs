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
    /// Staff of the UKPBJ (procurement service unit): verifies vendors, approves catalogue
    /// listings and prices, sits on selection committees (Pokja) as procurement official.
    UkpbjStaff,
    /// PPK (pejabat pembuat komitmen): the commitment official who approves orders and signs
    /// for the buyer.
    Ppk,
    /// Finance staff (bendahara/BPKAD): records payments and sees vendors' bank accounts.
    FinanceStaff,
    /// KPA (kuasa pengguna anggaran): the budget holder of an OPD; answers appeals (sanggah
    /// banding) in construction tenders.
    Kpa,
    /// Pengawas: the supervisor of works (konsultan pengawas, or the OPD's own supervisor),
    /// granted in a region and named on an activity; submits its monthly progress reports.
    Supervisor,
    /// PPID (pejabat pengelola informasi dan dokumentasi): answers requests for public
    /// information (UU 14/2008) within the deadlines of the `ppid-permohonan` workflow.
    Ppid,
    /// Atasan PPID (usually the regional secretary): decides objections (keberatan) to the
    /// PPID's answers.
    PpidSuperior,
    /// Inspektur: heads the inspectorate (APIP), issues audit assignments (surat tugas) and
    /// closes them, and is told when a follow-up is late.
    Inspector,
    /// Staff of the inspectorate: may be put on an audit assignment's team. Reads nothing that
    /// is not public by this role alone.
    InspectorateStaff,
    /// Auditor: reads non-public data in a region. Granted by an active audit assignment to its
    /// team for the assignment's regions (and revoked when it ends), or by an administrator.
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 17] = [
        Role::Resident,
        Role::KelurahanStaff,
        Role::KecamatanStaff,
        Role::BappedaPlanner,
        Role::OpdStaff,
        Role::Vendor,
        Role::UkpbjStaff,
        Role::Ppk,
        Role::FinanceStaff,
        Role::Kpa,
        Role::Supervisor,
        Role::Ppid,
        Role::PpidSuperior,
        Role::Inspector,
        Role::InspectorateStaff,
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
            Role::UkpbjStaff => "ukpbj_staff",
            Role::Ppk => "ppk",
            Role::FinanceStaff => "finance_staff",
            Role::Kpa => "kpa",
            Role::Supervisor => "supervisor",
            Role::Ppid => "ppid",
            Role::PpidSuperior => "ppid_superior",
            Role::Inspector => "inspector",
            Role::InspectorateStaff => "inspectorate_staff",
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
