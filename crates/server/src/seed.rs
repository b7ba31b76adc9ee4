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
    (
        "35.99.01",
        "Sukamaju",
        [
            ("35.99.01.1001", "Mekarsari"),
            ("35.99.01.1002", "Harapan Jaya"),
        ],
    ),
    (
        "35.99.02",
        "Sukasari",
        [("35.99.02.1001", "Cempaka"), ("35.99.02.1002", "Melati")],
    ),
];

/// The demo kota's OPDs (code, name): what the demo's proposals, plan lines, activities,
/// complaints and audit recommendations name.
pub const DEMO_OPDS: [(&str, &str); 8] = [
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah"),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
];

/// The OPD each demo OPD account works for.
const DEMO_OPD_OF: [(&str, &str); 1] = [("opd.dinaspu", "DPUPR")];

pub fn demo_accounts() -> Vec<DemoAccount> {
    vec![
        DemoAccount {
            username: "admin",
            role: Role::Admin,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "bappeda",
            role: Role::BappedaPlanner,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "opd.dinaspu",
            role: Role::OpdStaff,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "penyedia.maju",
            role: Role::Vendor,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "ukpbj",
            role: Role::UkpbjStaff,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "ppk.dinaspu",
            role: Role::Ppk,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "bendahara",
            role: Role::FinanceStaff,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "inspektorat",
            role: Role::Auditor,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "camat.sukamaju",
            role: Role::KecamatanStaff,
            region: "35.99.01",
        },
        DemoAccount {
            username: "lurah.mekarsari",
            role: Role::KelurahanStaff,
            region: "35.99.01.1001",
        },
        DemoAccount {
            username: "lurah.harapanjaya",
            role: Role::KelurahanStaff,
            region: "35.99.01.1002",
        },
        DemoAccount {
            username: "lurah.cempaka",
            role: Role::KelurahanStaff,
            region: "35.99.02.1001",
        },
        DemoAccount {
            username: "lurah.melati",
            role: Role::KelurahanStaff,
            region: "35.99.02.1002",
        },
        DemoAccount {
            username: "camat.sukasari",
            role: Role::KecamatanStaff,
            region: "35.99.02",
        },
        DemoAccount {
            username: "ppid",
            role: Role::Ppid,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "sekda",
            role: Role::PpidSuperior,
            region: DEMO_KOTA_CODE,
        },
        DemoAccount {
            username: "warga.siti",
            role: Role::Resident,
            region: "35.99.01.1001",
        },
    ]
}

/// Seeds the demo. `password` fixes the accounts' password (tests); otherwise a random one is
/// made and returned once.
pub async fn seed_demo(state: &AppState, password: Option<String>) -> AppResult<SeedReport> {
    let exists = state
        .regions
        .read()
        .await
        .all()
        .any(|r| r.code == DEMO_KOTA_CODE);
    if exists {
        return Ok(SeedReport {
            password: None,
            accounts: demo_accounts(),
        });
    }
    let password =
        password.unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::thread_rng(), 16));
    let kota = regions::create(
        state,
        None,
        regions::CreateRegion {
            code: DEMO_KOTA_CODE.into(),
            name: "Kota Mufakat".into(),
            level: RegionLevel::KabupatenKota,
            parent_id: None,
        },
    )
    .await?;
    let mut opds = vec![];
    for (code, name) in DEMO_OPDS {
        opds.push(crate::services::opds::create(state, None, kota.id, code, name).await?);
    }
    for (code, name, kelurahan) in KECAMATAN {
        let kec = regions::create(
            state,
            None,
            regions::CreateRegion {
                code: code.into(),
                name: name.into(),
                level: RegionLevel::Kecamatan,
                parent_id: Some(kota.id),
            },
        )
        .await?;
        for (code, name) in kelurahan {
            regions::create(
                state,
                None,
                regions::CreateRegion {
                    code: code.into(),
                    name: name.into(),
                    level: RegionLevel::KelurahanDesa,
                    parent_id: Some(kec.id),
                },
            )
            .await?;
        }
    }
    for a in demo_accounts() {
        let region = state
            .regions
            .read()
            .await
            .all()
            .find(|r| r.code == a.region)
            .map(|r| r.id)
            .expect("seeded region");
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
                None,
            )
            .await?;
        } else {
            let opd = DEMO_OPD_OF
                .iter()
                .find(|(u, _)| *u == a.username)
                .and_then(|(_, code)| opds.iter().find(|o| o.code == *code))
                .map(|o| o.id);
            accounts::create_staff(
                state,
                None,
                accounts::CreateStaff {
                    username: a.username.into(),
                    name: display_name(a.username),
                    password: password.clone(),
                    grants: vec![(a.role, region, opd)],
                },
            )
            .await?;
        }
    }
    Ok(SeedReport {
        password: Some(password),
        accounts: demo_accounts(),
    })
}

fn display_name(username: &str) -> String {
    username
        .split('.')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const PROPOSALS: [(&str, &str, &str, &str, &str); 10] = [
    (
        "Perbaikan jalan lingkungan",
        "infrastruktur",
        "150",
        "m",
        "425000",
    ),
    (
        "Saluran drainase tersumbat",
        "lingkungan",
        "80",
        "m",
        "610000",
    ),
    (
        "Lampu penerangan jalan umum",
        "infrastruktur",
        "12",
        "titik",
        "3750000",
    ),
    (
        "Pelatihan UMKM ibu rumah tangga",
        "ekonomi",
        "2",
        "angkatan",
        "18500000",
    ),
    (
        "Posyandu balita: alat timbang dan PMT",
        "kesehatan",
        "1",
        "paket",
        "12750000",
    ),
    (
        "Rehabilitasi gedung PAUD",
        "pendidikan",
        "1",
        "unit",
        "96000000",
    ),
    ("Bank sampah RW", "lingkungan", "1", "unit", "27500000"),
    ("Sumur resapan", "lingkungan", "10", "unit", "4850000"),
    ("Taman bermain anak", "sosial", "1", "unit", "65000000.50"),
    ("Paving gang sempit", "infrastruktur", "220", "m2", "185000"),
];

/// The demo kota's id (the demo accounts exist).
async fn demo_kota(state: &AppState) -> i32 {
    state
        .regions
        .read()
        .await
        .all()
        .find(|r| r.code == DEMO_KOTA_CODE)
        .map(|r| r.id)
        .expect("demo kota")
}

/// The demo's procurement data (vendors, a catalogue, packages in several stages); see
/// `mufakat_module_procurement::demo`.
pub async fn seed_demo_procurement(state: &AppState, password: &str) -> AppResult<usize> {
    let kota = demo_kota(state).await;
    mufakat_module_procurement::demo::seed(state, kota, password).await
}

/// The demo's Procurement II data (procedures in every stage); see
/// `mufakat_module_tender::demo`.
pub async fn seed_demo_tender(state: &AppState) -> AppResult<usize> {
    let kota = demo_kota(state).await;
    mufakat_module_tender::demo::seed(state, kota).await
}

/// The demo's monev data (a year of reports for several activities, flags, a critical contract
/// escalated); see `mufakat_module_monev::demo`.
pub async fn seed_demo_monev(state: &AppState) -> AppResult<usize> {
    let kota = demo_kota(state).await;
    mufakat_module_monev::demo::seed(state, kota).await
}

/// The demo's e-audit data (the inspectorate's accounts, an active assignment with findings in
/// several states); see `mufakat_module_eaudit::demo`.
pub async fn seed_demo_eaudit(state: &AppState, password: &str) -> AppResult<usize> {
    let kota = demo_kota(state).await;
    mufakat_module_eaudit::demo::seed(state, kota, password).await
}

/// A living e-Musrenbang cycle for the demo: residents in every kelurahan, dozens of proposals,
/// votes, and the kelurahan deliberation under way with verifications and scores. Every step
/// goes through the workflows (and so into the audit trail). Idempotent.
pub async fn seed_demo_musrenbang(state: &AppState) -> AppResult<usize> {
    use crate::services::musrenbang as m;
    use std::collections::BTreeMap;
    if !m::list_cycles(&state.db).await?.is_empty() {
        return Ok(0);
    }
    let now = state.now();
    let day = chrono::Duration::days(1);
    let kota = demo_kota(state).await;
    let bappeda = accounts::acting_as(state, "bappeda").await?;
    let windows = BTreeMap::from([
        (
            mufakat_musrenbang::Phase::Submission,
            now - chrono::Duration::minutes(1),
        ),
        (mufakat_musrenbang::Phase::Voting, now + day * 7),
        (
            mufakat_musrenbang::Phase::KelurahanDeliberation,
            now + day * 14,
        ),
        (
            mufakat_musrenbang::Phase::KecamatanDeliberation,
            now + day * 28,
        ),
        (mufakat_musrenbang::Phase::KotaForum, now + day * 42),
    ]);
    let cycle = m::create_cycle(
        state,
        &bappeda,
        m::NewCycle {
            name: "RKPD 2027".into(),
            year: 2027,
            region_id: kota,
            windows,
            closes_at: now + day * 56,
            settings: m::CycleSettings::default(),
        },
    )
    .await?;
    let advance = |t: &'static str| {
        let bappeda = bappeda.clone();
        async move {
            crate::services::cases::fire(
                state,
                crate::services::cases::Acting::User(&bappeda),
                cycle.instance_id,
                t,
                Default::default(),
                Some("Demo: tahap dibuka lebih awal".into()),
                None,
            )
            .await
        }
    };
    // The submission window opens by its timer; wait for it here rather than for the scheduler.
    crate::services::cases::fire_due_timers(state, state.now()).await?;

    let kelurahan: Vec<(i32, String)> = {
        let tree = state.regions.read().await;
        let mut k: Vec<(i32, String)> = tree
            .all()
            .filter(|r| {
                r.level == mufakat_core::RegionLevel::KelurahanDesa
                    && r.code.starts_with(DEMO_KOTA_CODE)
            })
            .map(|r| (r.id, r.code.clone()))
            .collect();
        k.sort_by(|a, b| a.1.cmp(&b.1));
        k
    };
    let names = [
        "Ahmad", "Dewi", "Rudi", "Lestari", "Bambang", "Wulan", "Agus", "Ratna", "Joko", "Sri",
        "Hendra", "Fitri",
    ];
    let mut residents: Vec<(crate::auth::CurrentUser, i32)> = vec![];
    for (i, (kel, code)) in kelurahan.iter().enumerate() {
        for j in 0..3 {
            let n = i * 3 + j;
            let username = format!("warga.{}", names[n].to_lowercase());
            let kec = &code[6..8];
            let nik = format!(
                "3599{kec}{:02}0{}8{}{:04}",
                10 + n,
                1 + (n % 9),
                n % 10,
                n + 1
            );
            crate::services::accounts::register_resident(
                state,
                crate::services::accounts::RegisterResident {
                    username: username.clone(),
                    name: format!("{} (demo)", names[n]),
                    nik,
                    kelurahan_id: *kel,
                    password: rand_password(),
                },
                None,
            )
            .await?;
            residents.push((accounts::acting_as(state, &username).await?, *kel));
        }
    }
    let mut proposals: Vec<(i32, i32)> = vec![];
    for (k, (kel, _)) in kelurahan.iter().enumerate() {
        for p in 0..8 {
            let (title, category, volume, unit, price) = PROPOSALS[(k * 3 + p) % PROPOSALS.len()];
            let (proposer, _) = &residents[k * 3 + p % 3];
            let row = m::create_proposal(
                state,
                proposer,
                m::NewProposal {
                    cycle_id: cycle.id,
                    title: format!("{title} RT 0{}", p + 1),
                    description: format!(
                        "Warga RT 0{} mengusulkan {}. Kondisi saat ini memprihatinkan.",
                        p + 1,
                        title.to_lowercase()
                    ),
                    category: category.into(),
                    region_id: *kel,
                    rt_rw: Some(format!("0{}/0{}", p + 1, p / 3 + 1)),
                    volume: volume.parse().unwrap_or_default(),
                    unit: unit.into(),
                    unit_price: price.parse().unwrap_or_default(),
                    target_opd: Some(
                        if category == "infrastruktur" {
                            "DPUPR"
                        } else if category == "kesehatan" {
                            "DINKES"
                        } else {
                            "BAPPEDA"
                        }
                        .into(),
                    ),
                    source: "resident".into(),
                    ..Default::default()
                },
            )
            .await?;
            if p < 7 {
                m::act(
                    state,
                    proposer,
                    row.id,
                    "submit",
                    Default::default(),
                    None,
                    None,
                )
                .await?;
                proposals.push((row.id, *kel));
            }
        }
    }
    advance("open_voting").await?;
    for (voter, kel) in &residents {
        let mine: Vec<i32> = proposals
            .iter()
            .filter(|(_, k)| k == kel)
            .map(|(id, _)| *id)
            .collect();
        for (i, pid) in mine.iter().enumerate() {
            if (i + voter.id as usize) % 3 != 0 {
                let _ = m::vote(state, voter, *pid).await;
            }
        }
    }
    advance("open_kelurahan").await?;
    let lurah = accounts::acting_as(state, "lurah.mekarsari").await?;
    let mekarsari = kelurahan[0].0;
    for (i, (pid, _)) in proposals
        .iter()
        .filter(|(_, k)| *k == mekarsari)
        .enumerate()
    {
        m::act(
            state,
            &lurah,
            *pid,
            "verify",
            Default::default(),
            None,
            None,
        )
        .await?;
        let values: BTreeMap<String, u8> = [
            ("urgency", 5 - (i % 3) as u8),
            ("beneficiaries", 3 + (i % 2) as u8),
            ("alignment", 4),
            ("feasibility", 3),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        m::score(state, &lurah, *pid, values).await?;
        if i < 3 {
            m::act(
                state,
                &lurah,
                *pid,
                "accept",
                Default::default(),
                None,
                None,
            )
            .await?;
        }
    }
    let theirs: Vec<crate::auth::CurrentUser> = residents
        .iter()
        .filter(|(_, k)| *k == mekarsari)
        .map(|(u, _)| u.clone())
        .collect();
    crate::seed_thread::past_cycle(state, kota, mekarsari, &theirs).await?;
    crate::seed_services::seed(state, mekarsari).await?;
    Ok(proposals.len())
}

fn rand_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
}
