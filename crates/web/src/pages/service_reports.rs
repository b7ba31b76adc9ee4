//! What public services publish: a service's public register (the PPID's register of requests
//! and outcomes, names withheld) and the service-level report per OPD, with its PDF for staff.
//! Both come from what the workflow files declare; a new service needs no change here.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, FixedOffset, NaiveDate};
use maud::html;
use serde_json::{json, Value};

use crate::ctx::Ctx;
use crate::layout::{page_with, when};

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_owned()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "✓".into(),
        Value::Bool(false) => "—".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `GET /services/{workflow}/register?before=N`: the public register, newest first.
pub async fn register(
    ctx: Ctx,
    Path(workflow): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let before = q.get("before").and_then(|b| b.parse::<i32>().ok());
    let title = ctx.t("Register permohonan", "Register of requests");
    let page = ctx
        .api::<Value>(
            "query($w: String!, $b: Int) { publicRegister(workflow: $w, first: 50, before: $b) { hasMore entries { number receivedAt stateTitle isFinal region fields } } workflowDefinitions { name title isLatest fields: startFields { name title } } }",
            json!({ "w": workflow, "b": before }),
        )
        .await;
    let Ok(page) = page else {
        return super::not_found(&ctx);
    };
    let service = page["workflowDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["name"] == json!(workflow) && d["isLatest"] == json!(true))
        .cloned()
        .unwrap_or_default();
    let entries = page["publicRegister"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // The columns: every field some entry shows, in the order first seen.
    let mut columns: Vec<String> = vec![];
    for e in &entries {
        for k in e["fields"].as_object().into_iter().flat_map(|m| m.keys()) {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let label = |k: &str| -> String {
        service["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["name"] == json!(k))
            .map(|f| s(f, "title"))
            .unwrap_or_else(|| match k {
                "late" => ctx.t("Terlambat", "Late").into(),
                "exemption" => ctx.t("Pengecualian", "Exemption").into(),
                other => other.into(),
            })
    };
    let heading = format!("{title}: {}", s(&service, "title"));
    page_with(
        &ctx,
        StatusCode::OK,
        &heading,
        html! {
            h1 { (heading) }
            p { (ctx.t("Permohonan dan hasilnya, tanpa nama pemohon (UU 14/2008).", "Requests and their outcomes, without the requesters' names (Law 14/2008).")) }
            @if entries.is_empty() { p class="muted" { (ctx.t("Belum ada.", "None yet.")) } }
            @else {
                div class="table-wrap" { table id="register" {
                    thead { tr {
                        th { (ctx.t("Nomor", "Number")) } th { (ctx.t("Diterima", "Received")) } th { (ctx.t("Wilayah", "Region")) }
                        @for c in &columns { th { (label(c)) } }
                        th { (ctx.t("Status", "Status")) }
                    } }
                    tbody { @for e in &entries { tr {
                        td { (text(&e["number"])) }
                        td { (when(ctx.lang, e["receivedAt"].as_str().unwrap_or(""))) }
                        td { (s(e, "region")) }
                        @for c in &columns { td { (text(&e["fields"][c.as_str()])) } }
                        td { (s(e, "stateTitle")) }
                    } } }
                } }
                @if page["publicRegister"]["hasMore"] == json!(true) {
                    @if let Some(last) = entries.last().and_then(|e| e["number"].as_i64()) {
                        p { a href={ "/services/" (workflow) "/register?before=" (last) } { (ctx.t("Lebih lama →", "Older →")) } }
                    }
                }
            }
        },
        "",
    )
}

/// `GET /services/levels?from=&to=`: the service-level report (this year by default).
pub async fn levels(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let wib = FixedOffset::east_opt(7 * 3600).expect("offset");
    let today = chrono::Utc::now().with_timezone(&wib).date_naive();
    let date = |k: &str, default: NaiveDate| {
        q.get(k)
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .unwrap_or(default)
    };
    let from = date("from", today.with_ordinal(1).unwrap_or(today));
    let to = date("to", today);
    let title = ctx.t("Kinerja pelayanan publik", "Public service levels");
    let rows = ctx
        .api::<Value>(
            "query($f: NaiveDate!, $t: NaiveDate!) { serviceLevelReport(from: $f, to: $t) { workflowTitle unit received served onTime late open medianWorkingDays } }",
            json!({ "f": from, "t": to }),
        )
        .await;
    let (status, rows, refused) = match rows {
        Ok(v) => (
            StatusCode::OK,
            v["serviceLevelReport"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            None,
        ),
        Err(f) => (StatusCode::BAD_REQUEST, vec![], Some(f)),
    };
    let n = |v: &Value| v.as_i64().unwrap_or(0).to_string();
    page_with(
        &ctx,
        status,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("Permohonan dan pengaduan yang diterima dalam periode ini, per layanan dan OPD: berapa yang sudah dilayani, tepat waktu, terlambat, dan median hari kerja sampai dilayani.",
                       "Requests and complaints received in the period, per service and OPD: how many were served, on time, late, and the median working days to service.")) }
            form method="get" action="/services/levels" class="inline" {
                label { (ctx.t("Dari", "From")) " " input type="date" name="from" value=(from) required; }
                " "
                label { (ctx.t("Sampai", "To")) " " input type="date" name="to" value=(to) required; }
                " "
                button type="submit" { (ctx.t("Tampilkan", "Show")) }
            }
            @if let Some(f) = &refused { div class="alert" role="alert" data-code=(f.code) { p { (f.message) } } }
            @if rows.is_empty() && refused.is_none() { p class="muted" { (ctx.t("Tidak ada yang diterima dalam periode ini.", "Nothing was received in this period.")) } }
            @if !rows.is_empty() {
                div class="table-wrap" { table id="service-levels" {
                    thead { tr {
                        th { (ctx.t("Layanan", "Service")) } th { (ctx.t("Unit / OPD", "Unit / OPD")) }
                        th { (ctx.t("Diterima", "Received")) } th { (ctx.t("Dilayani", "Served")) } th { (ctx.t("Tepat waktu", "On time")) }
                        th { (ctx.t("Terlambat", "Late")) } th { (ctx.t("Belum selesai", "Open")) } th { (ctx.t("Median hari kerja", "Median working days")) }
                    } }
                    tbody { @for r in &rows { tr {
                        td { (s(r, "workflowTitle")) }
                        td { @if r["unit"].is_null() { span class="muted" { (ctx.t("(belum diteruskan)", "(not yet routed)")) } } @else { (s(r, "unit")) } }
                        td { (n(&r["received"])) } td { (n(&r["served"])) } td { (n(&r["onTime"])) }
                        td { (n(&r["late"])) } td { (n(&r["open"])) }
                        td { @if r["medianWorkingDays"].is_null() { "—" } @else { (s(r, "medianWorkingDays")) } }
                    } } }
                } }
            }
            @if ctx.user.is_some() {
                p { a href={ "/reports/service-levels?from=" (from) "&to=" (to) "&lang=" (if ctx.lang == mufakat_core::Lang::En { "en" } else { "id" }) } { (ctx.t("Unduh laporan (PDF, untuk petugas)", "Download the report (PDF, for staff)")) } }
            }
            p { a href="/services/ppid-permohonan/register" { (ctx.t("Register permohonan informasi (PPID)", "Register of information requests (PPID)")) } }
        },
        "",
    )
}
