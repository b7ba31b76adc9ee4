//! The demo's e-audit data: the inspector (`inspektur`) and two inspectorate auditors
//! (`auditor.ani`, the lead, and `auditor.budi`), and an active assignment over the demo kota
//! with findings in several states — a draft with evidence, an issued one whose first
//! recommendation was rated "belum sesuai" and whose second is done, one with a
//! recommendation that cannot be followed up and another still open, and one closed. Every
//! step goes through the workflows (and so into the audit trail). Idempotent.

use chrono::{Datelike, Duration, NaiveDate};
use mufakat_core::{AppResult, Role};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::accounts;
use mufakat_kernel::AppState;
use mufakat_store::entity::audit_event;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::entity::assignment;
use crate::service::assignments::{self, Action, NewAssignment};
use crate::service::findings::{self, NewFinding};
use crate::service::followups::{self, Rating};

async fn user(state: &AppState, username: &str) -> AppResult<CurrentUser> {
    accounts::acting_as(state, username).await
}

/// Seeds the demo's e-audit data in the demo kota `kota`; the accounts take `password`.
/// Returns the number of findings made (0 when already there).
pub async fn seed(state: &AppState, kota: i32, password: &str) -> AppResult<usize> {
    if assignment::Entity::find().count(&state.db).await.db()? > 0 {
        return Ok(0);
    }
    for (u, n, role) in [
        (
            "inspektur",
            "Drs. Hendra Wijaya (Inspektur)",
            Role::Inspector,
        ),
        ("auditor.ani", "Ani Rahmawati, Ak.", Role::InspectorateStaff),
        (
            "auditor.budi",
            "Budi Santoso, S.E.",
            Role::InspectorateStaff,
        ),
    ] {
        accounts::create_staff(
            state,
            None,
            accounts::CreateStaff {
                username: u.into(),
                name: n.into(),
                password: password.into(),
                grants: vec![(role, kota, None)],
            },
        )
        .await?;
    }
    let inspector = user(state, "inspektur").await?;
    let ani = user(state, "auditor.ani").await?;
    let budi = user(state, "auditor.budi").await?;
    let opd = user(state, "opd.dinaspu").await?;
    let year = state.now().year();
    let a = assignments::create(
        state,
        &inspector,
        NewAssignment {
            number: format!("700/045/ST/{year}"),
            title: format!("Pemeriksaan pengadaan barang/jasa Dinas PU tahun {year}"),
            region_id: kota,
            opds: vec!["DPUPR".into()],
            modules: vec!["procurement".into(), "musrenbang".into()],
            period_from: NaiveDate::from_ymd_opt(year - 1, 1, 1).expect("date"),
            period_to: NaiveDate::from_ymd_opt(year, 12, 31).expect("date"),
            starts_on: state.now().date_naive(),
            ends_on: state.now().date_naive() + Duration::days(30),
            team: vec![ani.id, budi.id],
            lead: ani.id,
        },
    )
    .await?;
    assignments::act(state, &inspector, a.id, Action::Start, None).await?;
    // The grants hold from the next request: act as the team with fresh grants.
    let ani = user(state, "auditor.ani").await?;
    let budi = user(state, "auditor.budi").await?;
    let opd_name = "DPUPR";
    let finding = |title: &str, code: &str, loss: Option<i64>, severity: &str| {
        NewFinding {
        assignment_id: a.id,
        title: title.into(),
        condition: format!("{title}. Tim memeriksa dokumen pesanan, BAST dan bukti pembayaran serta melakukan uji fisik di lapangan."),
        criteria: "Perpres 16/2018 jo. Perpres 12/2021 tentang Pengadaan Barang/Jasa Pemerintah; ketentuan kontrak.".into(),
        cause: "PPK dan PPHP kurang cermat dalam memeriksa hasil pekerjaan sebelum serah terima.".into(),
        effect: "Pembayaran tidak sesuai dengan prestasi pekerjaan yang diterima.".into(),
        code: code.into(),
        loss: loss.map(Decimal::from),
        severity: severity.into(),
    }
    };
    // 1. Issued: the first recommendation answered and rated "belum sesuai", the second done.
    let f1 = findings::create(
        state,
        &ani,
        finding(
            "Kekurangan volume pengaspalan jalan lingkungan",
            "1.01.03",
            Some(18_750_000),
            "high",
        ),
    )
    .await?;
    let r11 = findings::add_recommendation(state, &ani, f1.id, "Memerintahkan penyedia menyetorkan kelebihan pembayaran sebesar Rp18.750.000 ke kas daerah.", opd_name, None).await?;
    let r12 = findings::add_recommendation(
        state,
        &ani,
        f1.id,
        "Memberikan teguran tertulis kepada PPK dan PPHP agar lebih cermat.",
        opd_name,
        None,
    )
    .await?;
    if let Some(seq) = audit_event::Entity::find()
        .filter(audit_event::Column::Workflow.starts_with("procurement-"))
        .order_by_desc(audit_event::Column::Seq)
        .one(&state.db)
        .await
        .db()?
        .map(|e| e.seq)
    {
        findings::add_evidence(
            state,
            &budi,
            f1.id,
            "event",
            &seq.to_string(),
            Some("Serah terima pekerjaan yang diperiksa.".into()),
        )
        .await?;
    }
    findings::issue(state, &ani, f1.id).await?;
    followups::answer(
        state,
        &opd,
        r11.id,
        "Penyedia telah menyetor Rp10.000.000; sisanya dijadwalkan bulan depan.",
        vec![],
    )
    .await?;
    followups::rate(
        state,
        &budi,
        r11.id,
        Rating::NotYet,
        Some("Baru sebagian disetor; sisa Rp8.750.000.".into()),
        None,
    )
    .await?;
    followups::answer(
        state,
        &opd,
        r12.id,
        "Surat teguran Kepala Dinas kepada PPK dan PPHP telah diterbitkan.",
        vec![],
    )
    .await?;
    followups::rate(state, &ani, r12.id, Rating::Done, None, None).await?;
    // 2. Issued: one recommendation cannot be followed up, the other still open.
    let f2 = findings::create(
        state,
        &ani,
        finding(
            "Denda keterlambatan pekerjaan drainase belum dipungut",
            "1.03.01",
            Some(4_200_000),
            "medium",
        ),
    )
    .await?;
    let r21 = findings::add_recommendation(
        state,
        &ani,
        f2.id,
        "Memungut denda keterlambatan dari CV Bangun Jaya.",
        opd_name,
        None,
    )
    .await?;
    findings::add_recommendation(
        state,
        &ani,
        f2.id,
        "Menyusun SOP pengendalian jadwal kontrak.",
        opd_name,
        None,
    )
    .await?;
    findings::issue(state, &ani, f2.id).await?;
    followups::rate(
        state,
        &ani,
        r21.id,
        Rating::CannotFollowUp,
        Some(
            "Penyedia telah dinyatakan pailit oleh Pengadilan Niaga; piutang diajukan ke kurator."
                .into(),
        ),
        None,
    )
    .await?;
    // 3. Closed: its only recommendation done.
    let f3 = findings::create(
        state,
        &budi,
        finding(
            "Pertanggungjawaban perjalanan dinas tanpa bukti lengkap",
            "1.04.01",
            None,
            "low",
        ),
    )
    .await?;
    let r31 = findings::add_recommendation(
        state,
        &budi,
        f3.id,
        "Melengkapi bukti pertanggungjawaban perjalanan dinas.",
        opd_name,
        None,
    )
    .await?;
    findings::issue(state, &ani, f3.id).await?;
    followups::answer(
        state,
        &opd,
        r31.id,
        "Bukti tiket dan laporan perjalanan telah dilengkapi dan diserahkan.",
        vec![],
    )
    .await?;
    followups::rate(state, &budi, r31.id, Rating::Done, None, None).await?;
    // 4. A draft the team is still writing.
    let f4 = findings::create(
        state,
        &budi,
        finding(
            "Indikasi pemecahan paket pengadaan alat tulis",
            "1.04.02",
            None,
            "medium",
        ),
    )
    .await?;
    findings::add_evidence(
        state,
        &budi,
        f4.id,
        "flag",
        "package_split",
        Some("Tanda pemecahan paket dari daftar tanda bahaya pengadaan.".into()),
    )
    .await?;
    Ok(4)
}
