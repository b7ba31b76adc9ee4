//! Demo data for Procurement II: procedures of the demo's packages in every stage, with bids
//! sealed and opened through the same services as the API. So that the demo needs no waiting
//! of days, its procedures are announced with a submission period (and, for the one that
//! reaches a contract, an objection period) of a few seconds; everything else follows the
//! rules. Idempotent: nothing is made when a procedure exists.

use chrono::Duration;
use mufakat_core::AppResult;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::{accounts, cases};
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::entity::procedure;
use crate::service::{bids, contracts, evaluation, objections, procedures};

async fn user(state: &AppState, u: &str) -> AppResult<CurrentUser> {
    accounts::acting_as(state, u).await
}

fn judge_all(
    ps: &[crate::entity::bid::Model],
    fail_first: bool,
    scores: bool,
) -> Vec<evaluation::Judgement> {
    ps.iter()
        .enumerate()
        .map(|(i, b)| evaluation::Judgement {
            bid_id: b.id,
            administrative: true,
            technical: !(fail_first && i == 0),
            technical_score: scores.then_some(90 - 10 * i as i32),
            reason: (fail_first && i == 0)
                .then(|| "Metode pelaksanaan tidak memenuhi syarat teknis.".into()),
        })
        .collect()
}

async fn fire_timers(state: &AppState) -> AppResult<()> {
    cases::fire_due_timers(state, state.now()).await?;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    cases::fire_due_timers(state, state.now()).await?;
    Ok(())
}

/// Seeds the procedures; returns how many were made (0 when present).
pub async fn seed(state: &AppState, kota: i32) -> AppResult<usize> {
    if procedure::Entity::find().count(&state.db).await.db()? > 0 {
        return Ok(0);
    }
    let ukpbj = user(state, "ukpbj").await?;
    let opd = user(state, "opd.dinaspu").await?;
    let ppk = user(state, "ppk.dinaspu").await?;
    let maju = user(state, "penyedia.maju").await?;
    let sentosa = user(state, "penyedia.sentosa").await?;
    let rejeki = user(state, "penyedia.rejeki").await?;
    let vendor_id = |u: &CurrentUser| {
        let (db, u) = (state.db.clone(), u.clone());
        async move {
            Ok::<_, mufakat_core::AppError>(
                mufakat_module_procurement::service::membership(&db, &u)
                    .await?
                    .map(|m| m.vendor_id)
                    .unwrap_or_default(),
            )
        }
    };
    let line = packages::create_line(
        state,
        &opd,
        packages::NewLine {
            region_id: Some(kota),
            year: Some(2027),
            title: Some("Rehabilitasi jalan, drainase dan penerangan lingkungan".into()),
            opd: "DPUPR".into(),
            budget: Some(Decimal::from(3_000_000_000i64)),
            proposal_id: None,
        },
    )
    .await?;
    let package = |name: &str, kind: &str, category: &str, hps: i64, method: Option<&str>| {
        packages::NewPackage {
            line_id: line.id,
            name: name.into(),
            kind: kind.into(),
            category: category.into(),
            pagu: Decimal::from(hps),
            hps: Decimal::from(hps),
            location: "Kota Mufakat".into(),
            starts_on: (state.now() + Duration::days(45)).date_naive(),
            ends_on: (state.now() + Duration::days(220)).date_naive(),
            ppk_id: ppk.id,
            official_id: ukpbj.id,
            method: method.map(Into::into),
            method_reason: method
                .map(|_| "Tersedia di katalog elektronik lokal dari beberapa penyedia.".into()),
        }
    };
    let mut made = vec![];
    for (name, kind, category, hps, method) in [
        (
            "Rehabilitasi jalan Kelurahan Mekarsari",
            "construction",
            "",
            450_000_000i64,
            None,
        ),
        (
            "Pembangunan saluran drainase Jl. Veteran",
            "construction",
            "",
            600_000_000,
            None,
        ),
        (
            "Pengadaan besi beton dan semen untuk drainase",
            "goods",
            "47523",
            180_000_000,
            Some("mini_competition"),
        ),
        (
            "Peningkatan jalan lingkungan Sukamaju",
            "construction",
            "",
            800_000_000,
            None,
        ),
        (
            "Pengadaan lampu penerangan jalan",
            "goods",
            "",
            300_000_000,
            None,
        ),
    ] {
        let p = packages::create_package(state, &opd, package(name, kind, category, hps, method))
            .await?;
        packages::act(state, &opd, p.id, "announce", None).await?;
        made.push(p);
    }
    let soon = state.now() + Duration::seconds(3);
    let mut ps = vec![];
    for (i, p) in made.iter().enumerate() {
        let mini = i == 2;
        let invited = if mini {
            vec![vendor_id(&maju).await?, vendor_id(&sentosa).await?]
        } else {
            vec![]
        };
        let n = procedures::NewProcedure {
            package_id: p.id,
            title: String::new(),
            evaluation: if mini { "quality_cost".into() } else { "lowest_price".into() },
            quality_weight: if mini { 30 } else { 0 },
            qualification: "NIB aktif; NPWP dan SPT tahun terakhir; pengalaman pekerjaan sejenis dalam 4 tahun terakhir.".into(),
            documents: "Penjelasan (aanwijzing) daring pada hari ke-2; pemasukan penawaran sampai batas akhir; pembukaan otomatis pada batas akhir; evaluasi 3 hari kerja.".into(),
            bid_deadline: if i == 0 { state.now() + Duration::days(8) } else { soon },
            pokja: vec![],
            invited,
            retender_of: None,
        };
        ps.push(procedures::create_with(state, &ukpbj, n, false).await?);
    }
    // Sealed bids.
    let bid = |u: &CurrentUser, p: &procedure::Model, price: i64, technical: &str| {
        let (u, pid, technical) = (u.clone(), p.id, technical.to_owned());
        async move { bids::submit_plain(state, &u, pid, Decimal::from(price), &technical, vec![]).await }
    };
    bid(
        &maju,
        &ps[0],
        431_500_000,
        "Aspal hotmix AC-WC 4 cm, 2.400 m²",
    )
    .await?;
    bid(
        &sentosa,
        &ps[0],
        428_000_000,
        "Aspal hotmix AC-WC 5 cm, 2.400 m²",
    )
    .await?;
    for (u, price) in [
        (&maju, 574_000_000),
        (&sentosa, 566_500_000),
        (&rejeki, 589_900_000),
    ] {
        bid(
            u,
            &ps[1],
            price,
            "Saluran beton pracetak U-ditch 60×60, 420 m",
        )
        .await?;
    }
    bid(
        &maju,
        &ps[2],
        171_250_000,
        "Besi beton SNI Ø10–Ø16, semen PCC 50 kg",
    )
    .await?;
    bid(
        &sentosa,
        &ps[2],
        168_900_000,
        "Besi beton SNI Ø10–Ø16, semen PCC 50 kg, antar 7 hari",
    )
    .await?;
    for (u, price) in [
        (&maju, 744_800_000),
        (&sentosa, 759_300_000),
        (&rejeki, 782_000_000),
    ] {
        bid(
            u,
            &ps[3],
            price,
            "Perkerasan beton K-300 tebal 20 cm, 1,2 km",
        )
        .await?;
    }
    bid(
        &rejeki,
        &ps[4],
        296_000_000,
        "Lampu LED 90 W, tiang 7 m, 60 titik",
    )
    .await?;
    // The deadline passes: the bids are sealed in the chain and opened.
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    fire_timers(state).await?;
    // The mini-competition: evaluated and announced; a loser objects.
    let opened = procedures::opened_bids(&state.db, ps[2].id).await?;
    evaluation::evaluate(state, &ukpbj, ps[2].id, judge_all(&opened, false, true)).await?;
    evaluation::announce_award(state, &ukpbj, ps[2].id).await?;
    let p2 = crate::service::get_procedure(&state.db, ps[2].id).await?;
    let winner = p2.winner_bid_id.unwrap_or_default();
    let loser = if opened.first().is_some_and(|b| b.id == winner) {
        &sentosa
    } else {
        &maju
    };
    objections::file(
        state,
        loser,
        ps[2].id,
        "Nilai teknis penawaran kami tidak sesuai dengan dokumen yang kami ajukan.",
    )
    .await?;
    // The tender that reaches a contract: the lowest is disqualified, the second wins.
    let opened = procedures::opened_bids(&state.db, ps[3].id).await?;
    evaluation::evaluate(state, &ukpbj, ps[3].id, judge_all(&opened, true, false)).await?;
    evaluation::announce_award_until(
        state,
        &ukpbj,
        ps[3].id,
        Some(state.now() + Duration::seconds(2)),
    )
    .await?;
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    fire_timers(state).await?;
    contracts::issue_sppbj(state, &ppk, ps[3].id).await?;
    let k = contracts::sign(
        state,
        &ppk,
        ps[3].id,
        contracts::Signing {
            starts_on: (state.now() + Duration::days(7)).date_naive(),
            ends_on: (state.now() + Duration::days(187)).date_naive(),
            payment_terms: "Uang muka 20 %; termin sesuai kemajuan fisik 50 % dan 100 %; retensi 5 % selama masa pemeliharaan.".into(),
        },
    )
    .await?;
    contracts::amend(
        state,
        &ppk,
        k.id,
        k.value_sen
            .checked_add(1_850_000_000)
            .map(mufakat_module_procurement::service::from_sen)
            .unwrap_or_default(),
        k.ends_on + Duration::days(21),
        "Pekerjaan tambah: saluran samping 120 m (justifikasi teknis pengawas).",
    )
    .await?;
    // One bid of the minimum three: unsuccessful.
    procedures::fail(
        state,
        &ukpbj,
        ps[4].id,
        "Hanya satu penawaran masuk (minimum tiga): tender gagal, akan ditender ulang.",
        vec![],
    )
    .await?;
    Ok(ps.len())
}
