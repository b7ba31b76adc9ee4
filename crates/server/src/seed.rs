//! Demo data: one kota with 2 kecamatan and 4 kelurahan, and one account per role.
//! Idempotent: a second run finds the demo kota and changes nothing.

use mufakat_core::{AppResult, RegionLevel, Role};
use rand::distributions::{Alphanumeric, DistString};

use crate::services::{accounts, regions};
use crate::AppState;

pub const DEMO_KOTA_CODE: &str = "35.99";

pub struct DemoAccount {
    pub username: &'static str,
    pub role: Role,
    pub region: &'static str,
}

pub struct SeedReport {
    /// `None` when the demo data was already there.
    pub password: Option<String>,
    pub accounts: Vec<DemoAccount>,
}

const KECAMATAN: [(&str, &str, [(&str, &str); 2]); 2] = [
    ("35.99.01", "Sukamaju", [("35.99.01.1001", "Mekarsari"), ("35.99.01.1002", "Harapan Jaya")]),
    ("35.99.02", "Sukasari", [("35.99.02.1001", "Cempaka"), ("35.99.02.1002", "Melati")]),
];

pub fn demo_accounts() -> Vec<DemoAccount> {
    vec![
        DemoAccount { username: "admin", role: Role::Admin, region: DEMO_KOTA_CODE },
        DemoAccount { username: "bappeda", role: Role::BappedaPlanner, region: DEMO_KOTA_CODE },
        DemoAccount { username: "opd.dinaspu", role: Role::OpdStaff, region: DEMO_KOTA_CODE },
        DemoAccount { username: "penyedia.maju", role: Role::Vendor, region: DEMO_KOTA_CODE },
        DemoAccount { username: "inspektorat", role: Role::Auditor, region: DEMO_KOTA_CODE },
        DemoAccount { username: "camat.sukamaju", role: Role::KecamatanStaff, region: "35.99.01" },
        DemoAccount { username: "lurah.mekarsari", role: Role::KelurahanStaff, region: "35.99.01.1001" },
        DemoAccount { username: "warga.siti", role: Role::Resident, region: "35.99.01.1001" },
    ]
}

/// Seeds the demo. `password` fixes the accounts' password (tests); otherwise a random one is
/// made and returned once.
pub async fn seed_demo(state: &AppState, password: Option<String>) -> AppResult<SeedReport> {
    let exists = state.regions.read().await.all().any(|r| r.code == DEMO_KOTA_CODE);
    if exists {
        return Ok(SeedReport { password: None, accounts: demo_accounts() });
    }
    let password = password.unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::thread_rng(), 16));
    let kota = regions::create(
        state,
        None,
        regions::CreateRegion { code: DEMO_KOTA_CODE.into(), name: "Kota Mufakat".into(), level: RegionLevel::KabupatenKota, parent_id: None },
    )
    .await?;
    for (code, name, kelurahan) in KECAMATAN {
        let kec = regions::create(
            state,
            None,
            regions::CreateRegion { code: code.into(), name: name.into(), level: RegionLevel::Kecamatan, parent_id: Some(kota.id) },
        )
        .await?;
        for (code, name) in kelurahan {
            regions::create(
                state,
                None,
                regions::CreateRegion { code: code.into(), name: name.into(), level: RegionLevel::KelurahanDesa, parent_id: Some(kec.id) },
            )
            .await?;
        }
    }
    for a in demo_accounts() {
        let region = state.regions.read().await.all().find(|r| r.code == a.region).map(|r| r.id).expect("seeded region");
        if a.role == Role::Resident {
            accounts::register_resident(
                state,
                accounts::RegisterResident {
                    username: a.username.into(),
                    name: "Siti Aminah".into(),
                    nik: "3599014507900001".into(),
                    kelurahan_id: region,
                    password: password.clone(),
                },
            )
            .await?;
        } else {
            accounts::create_staff(
                state,
                None,
                accounts::CreateStaff {
                    username: a.username.into(),
                    name: display_name(a.username),
                    password: password.clone(),
                    grants: vec![(a.role, region)],
                },
            )
            .await?;
        }
    }
    Ok(SeedReport { password: Some(password), accounts: demo_accounts() })
}

fn display_name(username: &str) -> String {
    username
        .split('.')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
