//! Demo cases of each public service in several states, made through the workflows as their
//! users would: LAPOR complaints (new, routed, resolved, closed with a rating), permits (new,
//! being checked) and PPID requests (new, extended, answered, refused and objected). Idempotent:
//! nothing is made when a case of these services exists.

use mufakat_core::AppResult;
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Map, Value};

use crate::auth::CurrentUser;
use crate::services::{accounts, cases};
use crate::AppState;

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

async fn step(
    state: &AppState,
    who: &CurrentUser,
    id: i32,
    t: &str,
    input: Value,
    comment: Option<&str>,
) -> AppResult<()> {
    cases::fire(
        state,
        cases::Acting::User(who),
        id,
        t,
        map(input),
        comment.map(str::to_owned),
        None,
    )
    .await?;
    Ok(())
}

pub async fn seed(state: &AppState, kelurahan: i32) -> AppResult<usize> {
    let services = ["lapor-complaint", "perizinan", "ppid-permohonan"];
    let existing = wi::Entity::find()
        .filter(wi::Column::Workflow.is_in(services))
        .count(&state.db)
        .await
        .db()?;
    if existing > 0 {
        return Ok(0);
    }
    let warga = accounts::acting_as(state, "warga.siti").await?;
    let lurah = accounts::acting_as(state, "lurah.mekarsari").await?;
    let opd = accounts::acting_as(state, "opd.dinaspu").await?;
    let ppid = accounts::acting_as(state, "ppid").await?;
    let start = |workflow: &'static str, input: Value| {
        let warga = warga.clone();
        async move {
            cases::start(state, &warga, workflow, kelurahan, map(input))
                .await
                .map(|c| c.id)
        }
    };
    let complaint = |d: &'static str, c: &'static str| {
        start(
            "lapor-complaint",
            json!({ "description": d, "category": c, "location": "RT 03/RW 05" }),
        )
    };
    let mut made = 0;

    complaint(
        "Sampah menumpuk di tepi Jl. Kenanga sejak seminggu",
        "sampah",
    )
    .await?;
    let a = complaint("Lampu jalan mati di Gang Mawar", "penerangan").await?;
    step(
        state,
        &lurah,
        a,
        "route_simple",
        json!({ "opd": "DISHUB" }),
        None,
    )
    .await?;
    let b = complaint("Saluran air tersumbat di RT 02", "drainase").await?;
    step(state, &lurah, b, "route", json!({ "opd": "DPUPR" }), None).await?;
    step(
        state,
        &opd,
        b,
        "resolve",
        json!({ "resolution": "Saluran dibersihkan dan ditutup kisi baru" }),
        None,
    )
    .await?;
    let c = complaint("Jalan berlubang depan SD Negeri 3", "jalan").await?;
    step(
        state,
        &lurah,
        c,
        "route_field_check",
        json!({ "opd": "DPUPR" }),
        None,
    )
    .await?;
    step(
        state,
        &opd,
        c,
        "resolve",
        json!({ "resolution": "Ditambal setelah pemeriksaan lapangan" }),
        None,
    )
    .await?;
    step(state, &warga, c, "confirm", json!({ "rating": "4" }), None).await?;
    made += 4;

    let permit = |kind: &'static str, address: &'static str| {
        start(
            "perizinan",
            json!({ "permit_type": kind, "applicant_name": "Siti (demo)", "address": address, "documents": "berkas-demo.pdf" }),
        )
    };
    permit("usaha_mikro", "Jl. Melati 12, Mekarsari").await?;
    let p = permit("reklame", "Jl. Veteran 3, Mekarsari").await?;
    step(state, &opd, p, "start_check", json!({}), None).await?;
    made += 2;

    let request = |info: &'static str| {
        start(
            "ppid-permohonan",
            json!({ "information": info, "purpose": "Mengawasi pembangunan di lingkungan", "form": "salinan_elektronik", "delivery": "email" }),
        )
    };
    request("Rencana anggaran perbaikan jalan Kelurahan Mekarsari 2027").await?;
    let e = request("Daftar penerima bantuan UMKM 2026").await?;
    step(
        state,
        &ppid,
        e,
        "extend",
        json!({ "reason": "Data dikumpulkan dari dua OPD" }),
        Some("Diperpanjang 7 hari kerja"),
    )
    .await?;
    let g = request("Laporan kemajuan pembangunan saluran drainase Jl. Veteran").await?;
    step(
        state,
        &ppid,
        g,
        "give",
        json!({ "answer": "Salinan laporan bulanan dikirim ke surel pemohon" }),
        None,
    )
    .await?;
    let r = request("Hasil evaluasi penawaran tender TD-2026-00002 sebelum pengumuman").await?;
    step(state, &ppid, r, "refuse", json!({ "exemption": "Pasal 17 huruf b: dapat mengganggu persaingan usaha yang sehat sebelum pengumuman pemenang" }), None).await?;
    step(
        state,
        &warga,
        r,
        "object",
        json!({ "objection": "Evaluasi sudah selesai; informasi ini menyangkut uang publik" }),
        None,
    )
    .await?;
    made += 4;
    Ok(made)
}
