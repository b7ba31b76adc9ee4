//! Demo data for `serve --demo`: three verified vendors (one of them the demo account
//! `penyedia.maju`), a catalogue of 54 items in six categories with price histories (approved
//! and refused changes, one listing waiting for approval), an OPD activity line and packages in
//! several stages (planned, announced, bought by e-purchasing and half received, bought by
//! direct procurement and paid). Goes through the same use cases as the API, so every step is
//! audited. Does nothing when a vendor exists already.

use chrono::Duration;
use mufakat_core::{AppResult, Role};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::accounts;
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::entity::vendor;
use crate::service::{catalogue, documents, orders, packages, vendors};

const PDF: &[u8] =
    b"%PDF-1.4\n% Mufakat demo document\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// (category KBLI, unit, items: (name, specification, base price in Rupiah)).
const CATALOGUE: [(&str, &str, [(&str, &str, i64); 9]); 6] = [
    (
        "47521",
        "sak",
        [
            (
                "Semen Portland 50 kg",
                "Semen PCC SNI 7064, kantong 50 kg",
                65_000,
            ),
            (
                "Semen Portland 40 kg",
                "Semen PCC SNI 7064, kantong 40 kg",
                54_000,
            ),
            (
                "Semen putih 40 kg",
                "Semen putih untuk nat dan acian",
                98_000,
            ),
            (
                "Mortar instan perekat bata",
                "Mortar siap pakai untuk bata ringan, 40 kg",
                78_000,
            ),
            ("Mortar instan acian", "Acian siap pakai, 40 kg", 82_000),
            ("Kapur bangunan", "Kapur tohor halus, karung 25 kg", 28_000),
            ("Semen instan plester", "Plester siap pakai, 40 kg", 75_000),
            (
                "Grout semen",
                "Grout tanpa susut untuk angkur, 25 kg",
                150_000,
            ),
            (
                "Semen tahan sulfat",
                "Semen tipe V untuk bangunan pantai, 50 kg",
                88_000,
            ),
        ],
    ),
    (
        "47522",
        "m3",
        [
            (
                "Pasir cor",
                "Pasir beton bersih, kadar lumpur < 5%",
                260_000,
            ),
            ("Pasir pasang", "Pasir pasangan bata", 230_000),
            ("Batu split 1-2", "Kerikil pecah ukuran 1-2 cm", 310_000),
            ("Batu split 2-3", "Kerikil pecah ukuran 2-3 cm", 295_000),
            ("Sirtu", "Pasir batu urug", 160_000),
            ("Tanah urug", "Tanah urug padat", 120_000),
            ("Batu kali", "Batu kali belah untuk pondasi", 280_000),
            ("Abu batu", "Abu batu untuk paving", 190_000),
            (
                "Paving block 6 cm",
                "Paving K-300 tebal 6 cm per m2",
                95_000,
            ),
        ],
    ),
    (
        "47523",
        "batang",
        [
            (
                "Besi beton polos 8 mm",
                "Besi SNI polos 8 mm x 12 m",
                52_000,
            ),
            (
                "Besi beton polos 10 mm",
                "Besi SNI polos 10 mm x 12 m",
                82_000,
            ),
            (
                "Besi beton ulir 12 mm",
                "Besi SNI ulir 12 mm x 12 m",
                125_000,
            ),
            (
                "Besi beton ulir 16 mm",
                "Besi SNI ulir 16 mm x 12 m",
                220_000,
            ),
            ("Besi hollow 4x4", "Hollow galvanis 40x40 mm x 6 m", 78_000),
            (
                "Kawat bendrat",
                "Kawat pengikat besi, gulung 25 kg",
                410_000,
            ),
            ("Baja ringan kanal C", "Kanal C 75 x 0,75 mm x 6 m", 98_000),
            ("Reng baja ringan", "Reng 0,45 mm x 6 m", 42_000),
            ("Wiremesh M8", "Wiremesh M8 lembar 2,1 x 5,4 m", 610_000),
        ],
    ),
    (
        "47524",
        "pail",
        [
            (
                "Cat tembok interior 5 kg",
                "Cat akrilik interior, putih",
                120_000,
            ),
            (
                "Cat tembok eksterior 5 kg",
                "Cat akrilik eksterior tahan cuaca",
                185_000,
            ),
            ("Cat kayu dan besi 1 kg", "Cat minyak sintetis", 72_000),
            (
                "Cat dasar tembok 20 kg",
                "Cat alkali resisting primer",
                520_000,
            ),
            ("Pelapis anti bocor 4 kg", "Waterproofing akrilik", 160_000),
            ("Tiner A 1 liter", "Pengencer cat", 28_000),
            ("Plamir tembok 5 kg", "Dempul tembok", 65_000),
            (
                "Cat marka jalan 25 kg",
                "Cat marka thermoplastic putih",
                950_000,
            ),
            ("Kuas 4 inci", "Kuas cat bulu", 25_000),
        ],
    ),
    (
        "47411",
        "unit",
        [
            (
                "Laptop 14 inci",
                "Core i5, RAM 16 GB, SSD 512 GB, garansi 3 tahun",
                11_500_000,
            ),
            (
                "Komputer meja",
                "Core i5, RAM 16 GB, SSD 512 GB, monitor 24 inci",
                12_800_000,
            ),
            ("Printer laser A4", "Monokrom, dupleks, jaringan", 3_400_000),
            ("Printer tinta A3", "Warna, tangki isi ulang", 4_900_000),
            ("Proyektor 3500 lumen", "WXGA, HDMI", 6_200_000),
            ("UPS 1200 VA", "Line interactive", 1_650_000),
            ("Pemindai dokumen", "ADF 50 lembar, dupleks", 5_300_000),
            ("Router kantor", "Wi-Fi 6, 4 port gigabit", 1_900_000),
            ("Hard disk eksternal 2 TB", "USB 3.2", 1_250_000),
        ],
    ),
    (
        "47613",
        "rim",
        [
            (
                "Kertas HVS A4 70 g",
                "Kertas fotokopi A4 70 gram, 500 lembar",
                52_000,
            ),
            (
                "Kertas HVS F4 70 g",
                "Kertas fotokopi F4 70 gram, 500 lembar",
                58_000,
            ),
            (
                "Kertas HVS A4 80 g",
                "Kertas fotokopi A4 80 gram, 500 lembar",
                62_000,
            ),
            ("Amplop cokelat folio", "Amplop kabinet, isi 100", 85_000),
            ("Map ordner", "Ordner folio 7 cm, isi 12", 240_000),
            ("Tinta printer hitam", "Botol 70 ml", 95_000),
            ("Pulpen gel", "Isi 12", 48_000),
            ("Stopmap kertas", "Isi 50", 60_000),
            ("Buku agenda surat", "Folio 200 halaman", 45_000),
        ],
    ),
];

async fn user(state: &AppState, username: &str) -> AppResult<CurrentUser> {
    accounts::acting_as(state, username).await
}

fn profile(
    name: &str,
    form: &str,
    npwp: &str,
    nib: &str,
    kota: i32,
    kbli: &[&str],
) -> vendors::Profile {
    vendors::Profile {
        name: name.into(),
        form: form.into(),
        nib: nib.into(),
        npwp: npwp.into(),
        address: format!("Jl. Pahlawan {}, Kota Mufakat", nib.len() + npwp.len()),
        region_id: kota,
        kbli: kbli.iter().map(|k| (*k).to_owned()).collect(),
        contact_name: "Bagian Pemasaran".into(),
        contact_phone: "0812-3456-7890".into(),
        contact_email: "pemasaran@example.id".into(),
        bank_name: "Bank Pembangunan Daerah".into(),
        bank_account: format!("00{}", &npwp.replace(['.', '-'], "")[..10]),
        bank_holder: name.into(),
    }
}

/// Seeds the demo's procurement data; `password` is the demo accounts' password (to create the
/// two other vendors' accounts). Returns the number of catalogue items made (0 when present).
pub async fn seed(state: &AppState, kota: i32, password: &str) -> AppResult<usize> {
    if vendor::Entity::find().count(&state.db).await.db()? > 0 {
        return Ok(0);
    }
    let ukpbj = user(state, "ukpbj").await?;
    let opd = user(state, "opd.dinaspu").await?;
    let ppk = user(state, "ppk.dinaspu").await?;
    let fin = user(state, "bendahara").await?;
    for (u, n) in [
        ("penyedia.sentosa", "Admin PT Sentosa"),
        ("penyedia.rejeki", "Admin UD Rejeki"),
    ] {
        accounts::create_staff(
            state,
            None,
            accounts::CreateStaff {
                username: u.into(),
                name: n.into(),
                password: password.into(),
                grants: vec![(Role::Vendor, kota, None)],
            },
        )
        .await?;
    }
    let companies = [
        (
            "penyedia.maju",
            profile(
                "CV Maju Bersama",
                "cv",
                "01.234.567.8-901.000",
                "1234567890123",
                kota,
                &["47521", "47522", "47523"],
            ),
        ),
        (
            "penyedia.sentosa",
            profile(
                "PT Sentosa Bangun Nusantara",
                "pt",
                "02.345.678.9-012.000",
                "2345678901234",
                kota,
                &["47523", "47524", "47521"],
            ),
        ),
        (
            "penyedia.rejeki",
            profile(
                "UD Sumber Rejeki",
                "perorangan",
                "03.456.789.0-123.000",
                "3456789012345",
                kota,
                &["47411", "47613"],
            ),
        ),
    ];
    let mut vs = vec![];
    for (u, p) in companies {
        let member = user(state, u).await?;
        let v = vendors::register_company(state, &member, p).await?;
        documents::upload(
            state,
            &member,
            documents::Upload {
                vendor_id: v.id,
                kind: "npwp".into(),
                name: "npwp.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: PDF.into(),
            },
        )
        .await?;
        documents::upload(
            state,
            &member,
            documents::Upload {
                vendor_id: v.id,
                kind: "nib".into(),
                name: "nib.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: PDF.into(),
            },
        )
        .await?;
        vendors::act(state, &member, v.id, "submit", None, None).await?;
        vendors::act(state, &ukpbj, v.id, "approve", None, None).await?;
        vs.push((member, v));
    }
    let until = (state.now() + Duration::days(180)).date_naive();
    let mut n = 0;
    let mut first_of: Vec<i32> = vec![];
    for (ci, (category, unit, items)) in CATALOGUE.iter().enumerate() {
        for (ii, (name, spec, price)) in items.iter().enumerate() {
            // Building materials from the first two vendors in turn; the rest from the third.
            let (member, v) = if ci < 4 { &vs[(ii + ci) % 2] } else { &vs[2] };
            let it = catalogue::create_item(
                state,
                member,
                catalogue::NewItem {
                    vendor_id: v.id,
                    name: (*name).into(),
                    specification: (*spec).into(),
                    unit: (*unit).into(),
                    category: (*category).into(),
                    region_ids: vec![kota],
                    delivery_days: 3 + (ii as i32 % 5),
                    min_order: Decimal::ONE,
                    stock: Some(100 + 25 * ii as i64),
                    price: Decimal::from(*price),
                    valid_until: until,
                },
            )
            .await?;
            n += 1;
            if ci == 0 && ii == 8 {
                continue; // waits for approval
            }
            catalogue::act(state, &ukpbj, it.id, "approve", None, None, None).await?;
            if ii == 0 {
                first_of.push(it.id);
            }
            // Price histories: every third item had a raise approved, every fourth one refused.
            if ii % 3 == 0 {
                let up = Decimal::from(*price) * Decimal::new(105, 2);
                catalogue::act(
                    state,
                    member,
                    it.id,
                    "propose_price",
                    Some(up.round()),
                    Some(until + Duration::days(30)),
                    Some("Penyesuaian harga bahan".into()),
                )
                .await?;
                catalogue::act(state, &ukpbj, it.id, "approve_price", None, None, None).await?;
            }
            if ii % 4 == 1 {
                let up = Decimal::from(*price) * Decimal::new(130, 2);
                catalogue::act(
                    state,
                    member,
                    it.id,
                    "propose_price",
                    Some(up.round()),
                    Some(until),
                    None,
                )
                .await?;
                catalogue::act(
                    state,
                    &ukpbj,
                    it.id,
                    "reject_price",
                    None,
                    None,
                    Some("Di atas harga pasar wilayah".into()),
                )
                .await?;
            }
        }
    }
    // The plan: an OPD activity line and packages in several stages.
    let line = packages::create_line(
        state,
        &opd,
        packages::NewLine {
            region_id: Some(kota),
            year: Some(2027),
            title: Some("Pemeliharaan gedung kantor dan jalan lingkungan".into()),
            opd: "DPUPR".into(),
            budget: Some(Decimal::from(900_000_000)),
            proposal_id: None,
        },
    )
    .await?;
    let pkg = |name: &str, kind: &str, category: &str, pagu: i64| packages::NewPackage {
        line_id: line.id,
        name: name.into(),
        kind: kind.into(),
        category: category.into(),
        pagu: Decimal::from(pagu),
        hps: Decimal::from(pagu),
        location: "Kota Mufakat".into(),
        starts_on: (state.now() + Duration::days(30)).date_naive(),
        ends_on: (state.now() + Duration::days(150)).date_naive(),
        ppk_id: ppk.id,
        official_id: ukpbj.id,
        method: None,
        method_reason: None,
    };
    packages::create_package(
        state,
        &opd,
        pkg(
            "Pengecatan ulang kantor kelurahan",
            "goods",
            "47524",
            45_000_000,
        ),
    )
    .await?;
    let announced = packages::create_package(
        state,
        &opd,
        pkg(
            "Pengadaan besi beton drainase",
            "goods",
            "47523",
            120_000_000,
        ),
    )
    .await?;
    packages::act(state, &opd, announced.id, "announce", None).await?;
    // Bought from the catalogue, received in part.
    let bought = packages::create_package(
        state,
        &opd,
        pkg(
            "Semen untuk rehabilitasi saluran",
            "goods",
            "47521",
            20_000_000,
        ),
    )
    .await?;
    packages::act(state, &opd, bought.id, "announce", None).await?;
    let o = orders::create_epurchasing(
        state,
        &opd,
        bought.id,
        "Gudang Dinas PU, Jl. Veteran 3",
        vec![orders::ItemQty {
            item_id: first_of[0],
            quantity: Decimal::from(200),
        }],
    )
    .await?;
    orders::act(state, &opd, o.id, "submit", orders::Step::default(), None).await?;
    orders::act(state, &ppk, o.id, "approve", orders::Step::default(), None).await?;
    let seller = vs
        .iter()
        .find(|(_, v)| v.id == o.vendor_id)
        .map(|(m, _)| m.clone())
        .expect("vendor");
    orders::act(
        state,
        &seller,
        o.id,
        "accept",
        orders::Step::default(),
        None,
    )
    .await?;
    let l = orders::lines(&state.db, o.id).await?;
    orders::act(
        state,
        &opd,
        o.id,
        "receive",
        orders::Step {
            received: vec![(l[0].id, Decimal::from(120))],
            ..Default::default()
        },
        Some("Tahap pertama".into()),
    )
    .await?;
    // Bought by direct procurement and paid.
    let direct = packages::create_package(
        state,
        &opd,
        pkg(
            "Perbaikan pagar kantor kecamatan",
            "construction",
            "",
            85_000_000,
        ),
    )
    .await?;
    packages::act(state, &opd, direct.id, "announce", None).await?;
    let (rejeki, rv) = &vs[1];
    let d = orders::create_direct(
        state,
        &ukpbj,
        direct.id,
        rv.id,
        "Kantor Kecamatan Sukamaju",
        vec![orders::Described {
            description: "Perbaikan pagar besi 60 m".into(),
            unit: "paket".into(),
            quantity: Decimal::ONE,
        }],
    )
    .await?;
    orders::act(
        state,
        rejeki,
        d.id,
        "quote",
        orders::Step {
            total: Some(Decimal::from(84_000_000)),
            ..Default::default()
        },
        None,
    )
    .await?;
    orders::act(
        state,
        &ukpbj,
        d.id,
        "negotiate",
        orders::Step::default(),
        Some("Mohon rincian dan penyesuaian harga".into()),
    )
    .await?;
    orders::act(
        state,
        rejeki,
        d.id,
        "quote",
        orders::Step {
            total: Some(Decimal::from(81_500_000)),
            ..Default::default()
        },
        Some("Harga setelah negosiasi".into()),
    )
    .await?;
    orders::act(state, &ppk, d.id, "order", orders::Step::default(), None).await?;
    let dl = orders::lines(&state.db, d.id).await?;
    orders::act(
        state,
        &opd,
        d.id,
        "receive",
        orders::Step {
            received: vec![(dl[0].id, Decimal::ONE)],
            ..Default::default()
        },
        None,
    )
    .await?;
    orders::act(
        state,
        &fin,
        d.id,
        "pay",
        orders::Step {
            amount: Some(Decimal::from(81_500_000)),
            reference: Some("SP2D-00123/2027".into()),
            ..Default::default()
        },
        None,
    )
    .await?;
    Ok(n)
}
