//! The situation room: a read-only wall screen per region for a Bappeda office. Vote counts
//! change live during voting, and monev's figures when a report is verified or a flag raised,
//! through server-sent events fed by the API's own subscriptions (`voteCounts`,
//! `monevChanges`), without reloading the page.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures_util::StreamExt;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use super::home::phase_title;
use super::not_found;
use crate::api::ApiRequest;
use crate::ctx::Ctx;
use crate::layout::{failure, money, wall};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

async fn monev_part(ctx: &Ctx, region: &str) -> Markup {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        all: Vec<Value>,
        by_opd: Vec<Value>,
    }
    let r = ctx
        .api::<R>(
            "query($r: ID!) { all: monevDashboard(groupBy: ALL, filter: {regionId: $r}) { activities pagu contracted disbursed plannedPhysical actualPhysical deviation expected received }
                              byOpd: monevDashboard(groupBy: OPD, filter: {regionId: $r}) { groupTitle activities disbursed pagu plannedPhysical actualPhysical deviation flags { kind count } } }",
            json!({ "r": region }),
        )
        .await;
    let Ok(r) = r else { return html! {} };
    let d = r.all.first().cloned().unwrap_or(Value::Null);
    html! {
        h2 { (ctx.t("Pelaksanaan kegiatan (monev)", "Implementation (monitoring)")) }
        (super::public::figures(ctx, &d))
        div class="table-wrap" { table {
            thead { tr { th { "OPD" } th class="num" { (ctx.t("Kegiatan", "Activities")) } th class="num" { (ctx.t("Fisik rencana", "Planned")) } th class="num" { (ctx.t("Fisik nyata", "Actual")) } th class="num" { (ctx.t("Deviasi", "Deviation")) } th class="num" { (ctx.t("Realisasi", "Spent")) } th class="num" { (ctx.t("Peringatan", "Flags")) } } }
            tbody { @for row in &r.by_opd { tr {
                td { (s(row, "groupTitle")) } td class="num" { (row["activities"]) }
                td class="num" { (s(row, "plannedPhysical")) " %" } td class="num" { (s(row, "actualPhysical")) " %" } td class="num" { (s(row, "deviation")) }
                td class="num" { (money(s(row, "disbursed"))) }
                td class="num" { (row["flags"].as_array().map(|f| f.iter().map(|x| x["count"].as_i64().unwrap_or(0)).sum::<i64>()).unwrap_or(0)) }
            } } }
        } }
    }
}

/// Public packages by stage.
async fn procurement_part(ctx: &Ctx, region: &str) -> Markup {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        procurement_stages: Vec<Value>,
    }
    let Ok(r) = ctx
        .api::<R>("query($r: ID!) { procurementStages(regionId: $r) { status statusTitle packages pagu } }", json!({ "r": region }))
        .await
    else {
        return html! {};
    };
    html! {
        h2 { (ctx.t("Pengadaan", "Procurement")) }
        ul class="figures" {
            @for st in &r.procurement_stages {
                li data-stage=(s(st, "status")) { (s(st, "statusTitle")) strong { (st["packages"]) " " (ctx.t("paket", "packages")) } span class="muted" { (money(s(st, "pagu"))) } }
            }
        }
    }
}

pub async fn page(
    ctx: Ctx,
    Path(region): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("part").map(String::as_str) == Some("monev") {
        let mut r = Html(monev_part(&ctx, &region).await.into_string()).into_response();
        crate::layout::headers(&mut r, ctx.user.is_some());
        return r;
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        region: Option<Value>,
        proposals: Value,
        musrenbang_cycles: Vec<Value>,
    }
    let r = match ctx
        .api::<R>(
            "query($r: ID!) { region(id: $r) { id name } proposals(filter: {regionId: $r}, sort: VOTES, first: 15) { nodes { id title votes statusTitle kelurahan { name } } } musrenbangCycles { id name phase windows } }",
            json!({ "r": region }),
        )
        .await
    {
        Ok(r) => r,
        Err(f) if f.code == "VALIDATION" => return not_found(&ctx),
        Err(f) => return failure(&ctx, &f),
    };
    let Some(reg) = r.region else {
        return not_found(&ctx);
    };
    let rows = r.proposals["nodes"].as_array().cloned().unwrap_or_default();
    let total: i64 = rows.iter().map(|p| p["votes"].as_i64().unwrap_or(0)).sum();
    let monev = monev_part(&ctx, &region).await;
    let buying = procurement_part(&ctx, &region).await;
    let mut runs = vec![];
    for c in &r.musrenbang_cycles {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Runs {
            allocation_runs: Vec<Value>,
        }
        if let Ok(x) = ctx
            .api::<Runs>("query($c: ID!) { allocationRuns(cycleId: $c) { id level budget totalCost adoptedAt region { id name } projects { funded } } }", json!({ "c": s(c, "id") }))
            .await
        {
            runs.extend(x.allocation_runs.into_iter().map(|run| (s(c, "name").to_owned(), run)));
        }
    }
    let title = format!(
        "{} · {}",
        ctx.t("Ruang situasi", "Situation room"),
        s(&reg, "name")
    );
    wall(
        &ctx,
        &title,
        html! {
            div data-live={ "/situation/" (region) "/events" } {
                h1 { (title) }
                p class="live" id="live-status" aria-live="polite"
                    data-updated=(ctx.t("Diperbarui", "Updated")) data-offline=(ctx.t("Sambungan terputus; mencoba lagi…", "Connection lost; retrying…")) {
                    (ctx.t("Langsung: angka berubah sendiri.", "Live: figures update by themselves."))
                }
                @for c in &r.musrenbang_cycles {
                    p { strong { (s(c, "name")) } " · " (ctx.t("tahap ", "phase ")) span class="badge" { (phase_title(&ctx, s(c, "phase"))) } }
                }
                h2 { (ctx.t("Suara warga", "Residents' votes")) }
                ul class="figures" { li { (ctx.t("Suara pada usulan teratas", "Votes on the leading proposals")) strong id="total-votes" { (total) } } }
                div class="table-wrap" { table {
                    thead { tr { th { (ctx.t("Usulan", "Proposal")) } th { (ctx.t("Kelurahan", "Kelurahan")) } th { (ctx.t("Status", "Status")) } th class="num" { (ctx.t("Suara", "Votes")) } } }
                    tbody { @for p in &rows { tr {
                        td { a href={ "/proposals/" (s(p, "id")) } { (s(p, "title")) } }
                        td { (s(&p["kelurahan"], "name")) } td { (s(p, "statusTitle")) }
                        td class="num" data-votes-for=(s(p, "id")) { (p["votes"]) }
                    } } }
                } }
                @if !runs.is_empty() {
                    h2 { (ctx.t("Hasil alokasi anggaran", "Budget allocation results")) }
                    div class="table-wrap" { table {
                        thead { tr { th { (ctx.t("Siklus", "Cycle")) } th { (ctx.t("Wilayah", "Region")) } th class="num" { (ctx.t("Usulan didanai", "Proposals funded")) } th class="num" { (ctx.t("Didanai", "Funded")) } th class="num" { "Pagu" } th { (ctx.t("Status", "Status")) } } }
                        tbody { @for (cycle, run) in &runs { tr {
                            td { (cycle) } td { a href={ "/allocations/" (s(run, "id")) } { (s(&run["region"], "name")) " · " (s(run, "level")) } }
                            td class="num" { (run["projects"].as_array().map(|p| p.iter().filter(|x| x["funded"] == json!(true)).count()).unwrap_or(0)) }
                            td class="num" { (money(s(run, "totalCost"))) } td class="num" { (money(s(run, "budget"))) }
                            td { @if run["adoptedAt"].is_string() { (ctx.t("ditetapkan", "adopted")) } @else { (ctx.t("hitungan", "a proposal")) } }
                        } } }
                    } }
                }
                (buying)
                div id="monev" { (monev) }
            }
        },
    )
}

/// The page's live feed: `votes` events (`{"proposalId", "votes"}`) and `monev` events (the
/// page then re-reads its monev part).
pub async fn events(ctx: Ctx, Path(region): Path<String>) -> Response {
    let sub = |query: &str| {
        ctx.web.api.subscribe(ApiRequest {
            query: query.to_owned(),
            variables: json!({ "r": region }),
            user: ctx.user.clone(),
            lang: ctx.lang,
            ip: Some(ctx.ip),
        })
    };
    let votes = sub("subscription($r: ID!) { voteCounts(regionId: $r) { proposalId votes } }")
        .filter_map(|v| async move {
            let d = v.get("data")?.get("voteCounts")?.clone();
            Some(Ok::<_, Infallible>(
                Event::default().event("votes").data(d.to_string()),
            ))
        });
    let monev = sub("subscription($r: ID!) { monevChanges(regionId: $r) { kind activityId } }")
        .filter_map(|v| async move {
            let d = v.get("data")?.get("monevChanges")?.clone();
            Some(Ok::<_, Infallible>(
                Event::default().event("monev").data(d.to_string()),
            ))
        });
    let stream = futures_util::stream::select(votes, monev);
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Through a buffering proxy (nginx) the events must not wait.
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    ctx.finish(r)
}
