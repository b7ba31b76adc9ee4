//! What the public reads without an account: a cycle with its phases, priority lists per
//! level, allocation results with the per-project explanations, the adopted plan, a region's
//! page with its figures, and for each funded proposal what became of it (the golden thread:
//! plan line, packages, procedures and contracts, monthly progress).

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use super::home::{phase_title, phases, Cycle, Named, CYCLE_FIELDS};
use super::not_found;
use crate::ctx::Ctx;
use crate::layout::{failure, money, page, select, when};

fn pct(v: &Value) -> String {
    match v
        .as_str()
        .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
    {
        Some(d) => format!("{} %", d.round_dp(1)),
        None => "—".into(),
    }
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

pub async fn index(ctx: Ctx) -> Response {
    let cycles = super::home::cycles(&ctx).await;
    #[derive(Deserialize)]
    struct P {
        procedures: Vec<Value>,
    }
    let procedures = ctx
        .api::<P>("{ procedures { id number title method statusTitle openedAt awardAnnouncedAt sppbjAt } }", json!({}))
        .await
        .map(|p| p.procedures)
        .unwrap_or_default();
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct A {
        monev_activities: Vec<Value>,
    }
    let activities = ctx
        .api::<A>(
            "{ monevActivities(first: 100) { title opd statusTitle sheetUrl proposalId } }",
            json!({}),
        )
        .await
        .map(|a| a.monev_activities)
        .unwrap_or_default();
    let title = ctx.t("Data publik", "Public data");
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("Semua yang tercantum di sini terbuka untuk siapa saja, tanpa akun (UU 14/2008 tentang Keterbukaan Informasi Publik).",
                       "Everything listed here is open to anyone, without an account (Law 14/2008 on public information).")) }
            h2 { (ctx.t("Siklus perencanaan", "Planning cycles")) }
            ul { @for c in &cycles { li { a href={ "/cycles/" (c.id) } { (c.name) } " · " (phase_title(&ctx, &c.phase)) } } }
            h2 { (ctx.t("Dokumen dan data", "Documents and data")) }
            ul {
                li { a href="/priorities" { (ctx.t("Daftar prioritas per tingkat", "Priority lists per level")) } }
                li { a href="/monev/quarterly.pdf" { (ctx.t("Laporan triwulan monev (PDF)", "Quarterly monitoring report (PDF)")) } }
                li { a href="/ocds/releases.json" { (ctx.t("Data pengadaan terbuka (OCDS 1.1.5, JSON)", "Open procurement data (OCDS 1.1.5, JSON)")) } }
                li { a href="/graphql" { (ctx.t("API GraphQL (GraphiQL)", "GraphQL API (GraphiQL)")) } }
            }
            h2 { (ctx.t("Pemilihan penyedia", "Procurement procedures")) }
            @if procedures.is_empty() { p class="muted" { (ctx.t("Belum ada.", "None yet.")) } }
            div class="table-wrap" { table {
                thead { tr { th { (ctx.t("Nomor", "Number")) } th { (ctx.t("Paket", "Package")) } th { (ctx.t("Metode", "Method")) } th { (ctx.t("Status", "Status")) } th { (ctx.t("Dokumen", "Documents")) } } }
                tbody { @for p in &procedures { tr {
                    td { (s(p, "number")) } td { (s(p, "title")) } td { (s(p, "method")) } td { (s(p, "statusTitle")) } td { (procedure_papers(&ctx, p)) }
                } } }
            } }
            h2 { (ctx.t("Pelaksanaan kegiatan", "Activities under way")) }
            @if activities.is_empty() { p class="muted" { (ctx.t("Belum ada.", "None yet.")) } }
            ul {
                @for a in &activities {
                    li {
                        (s(a, "title")) " · " (s(a, "opd")) " · " (s(a, "statusTitle")) " · "
                        a href=(s(a, "sheetUrl")) { (ctx.t("lembar kemajuan (PDF)", "progress sheet (PDF)")) }
                        @if let Some(p) = a["proposalId"].as_str() { " · " a href={ "/proposals/" (p) "#thread" } { (ctx.t("usulan warga asalnya", "the residents' proposal it came from")) } }
                    }
                }
            }
            h2 { (ctx.t("Wilayah", "Regions")) }
            @for c in &cycles { @if let Some(r) = &c.region {
                p { a href={ "/regions/" (r.id) } { (r.name) } " · " a href={ "/situation/" (r.id) } { (ctx.t("ruang situasi", "situation room")) } }
            } }
        },
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    id: String,
    level: String,
    rule: String,
    budget: String,
    total_cost: String,
    leftover: String,
    adopted_at: Option<String>,
    region: Option<Named>,
}

pub async fn cycle(ctx: Ctx, Path(id): Path<String>) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        musrenbang_cycle: Cycle,
        allocation_runs: Vec<Run>,
    }
    let r = match ctx
        .api::<R>(
            &format!("query($id: ID!) {{ musrenbangCycle(id: $id) {{ {CYCLE_FIELDS} }} allocationRuns(cycleId: $id) {{ id level rule budget totalCost leftover adoptedAt region {{ id name }} }} }}"),
            json!({ "id": id }),
        )
        .await
    {
        Ok(r) => r,
        Err(f) if f.code == "VALIDATION" => return not_found(&ctx),
        Err(f) => return failure(&ctx, &f),
    };
    let c = r.musrenbang_cycle;
    let adopted: Vec<&Run> = r
        .allocation_runs
        .iter()
        .filter(|r| r.adopted_at.is_some())
        .collect();
    page(
        &ctx,
        &c.name,
        html! {
            h1 { (c.name) }
            p { span class="badge" { (phase_title(&ctx, &c.phase)) } @if let Some(r) = &c.region { " " a href={ "/regions/" (r.id) } { (r.name) } } }
            (phases(&ctx, &c))
            p { (ctx.t("Setiap warga dapat mendukung paling banyak ", "Each resident may support at most ")) strong { (c.max_votes_per_voter) } (ctx.t(" usulan.", " proposals.")) }
            p {
                a class="btn" href={ "/proposals?cycle=" (c.id) "&sort=votes" } { (ctx.t("Usulan siklus ini", "This cycle's proposals")) } " "
                @if c.phase == "submission" && ctx.user.is_some() { a class="btn secondary" href={ "/proposals/new?cycle=" (c.id) } { (ctx.t("Buat usulan", "Write a proposal")) } " " }
                @if let Some(r) = &c.region { a class="btn secondary" href={ "/situation/" (r.id) } { (ctx.t("Ruang situasi", "Situation room")) } }
            }
            h2 { (ctx.t("Rencana yang ditetapkan", "The adopted plan")) }
            @if adopted.is_empty() { p class="muted" { (ctx.t("Belum ada alokasi yang ditetapkan.", "No allocation adopted yet.")) } }
            ul { @for a in &adopted { li { a href={ "/allocations/" (a.id) } { (a.region.as_ref().map(|r| r.name.as_str()).unwrap_or("")) " · " (a.level) } " — " (money(&a.total_cost)) " / " (money(&a.budget)) } } }
            h2 { (ctx.t("Hasil alokasi anggaran", "Budget allocation results")) }
            @if r.allocation_runs.is_empty() { p class="muted" { (ctx.t("Belum ada.", "None yet.")) } }
            div class="table-wrap" { table {
                thead { tr { th { (ctx.t("Wilayah", "Region")) } th { (ctx.t("Tingkat", "Level")) } th { (ctx.t("Aturan", "Rule")) } th class="num" { "Pagu" } th class="num" { (ctx.t("Didanai", "Funded")) } th class="num" { (ctx.t("Sisa", "Left over")) } th { (ctx.t("Status", "Status")) } } }
                tbody { @for a in &r.allocation_runs { tr {
                    td { a href={ "/allocations/" (a.id) } { (a.region.as_ref().map(|r| r.name.as_str()).unwrap_or("—")) } }
                    td { (a.level) } td { (a.rule) } td class="num" { (money(&a.budget)) } td class="num" { (money(&a.total_cost)) } td class="num" { (money(&a.leftover)) }
                    td { @if let Some(t) = &a.adopted_at { (ctx.t("ditetapkan ", "adopted ")) (when(ctx.lang, t)) } @else { (ctx.t("usulan hitungan", "a proposal")) } }
                } } }
            } }
        },
    )
}

pub async fn priorities(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let cycles = super::home::cycles(&ctx).await;
    #[derive(Deserialize)]
    struct Regions {
        regions: Vec<Region>,
    }
    #[derive(Deserialize)]
    struct Region {
        id: String,
        name: String,
        level: String,
    }
    let regions = ctx
        .api::<Regions>("{ regions(level: KELURAHAN_DESA) { id name level } k: regions(level: KECAMATAN) { id name level } }", json!({}))
        .await
        .map(|r| r.regions)
        .unwrap_or_default();
    let regions2 = ctx
        .api::<Regions>("{ regions(level: KECAMATAN) { id name level } }", json!({}))
        .await
        .map(|r| r.regions)
        .unwrap_or_default();
    let kota = ctx
        .api::<Regions>(
            "{ regions(level: KABUPATEN_KOTA) { id name level } }",
            json!({}),
        )
        .await
        .map(|r| r.regions)
        .unwrap_or_default();
    let all: Vec<Region> = kota.into_iter().chain(regions2).chain(regions).collect();
    let cycle = q
        .get("cycle")
        .cloned()
        .or_else(|| cycles.first().map(|c| c.id.clone()))
        .unwrap_or_default();
    let region = q
        .get("region")
        .cloned()
        .or_else(|| {
            all.iter()
                .find(|r| r.level == "KELURAHAN_DESA")
                .map(|r| r.id.clone())
        })
        .unwrap_or_default();
    let level = all
        .iter()
        .find(|r| r.id == region)
        .map(|r| match r.level.as_str() {
            "KELURAHAN_DESA" => "kelurahan",
            "KECAMATAN" => "kecamatan",
            _ => "kota",
        })
        .unwrap_or("kelurahan");
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        priority_list: Vec<Value>,
    }
    let list = if cycle.is_empty() || region.is_empty() {
        Ok(vec![])
    } else {
        ctx.api::<R>(
            "query($c: ID!, $r: ID!, $l: String!) { priorityList(cycleId: $c, regionId: $r, level: $l) { rank priority score votes cost proposal { id title statusTitle } } }",
            json!({ "c": cycle, "r": region, "l": level }),
        )
        .await
        .map(|r| r.priority_list)
    };
    let title = ctx.t("Daftar prioritas", "Priority list");
    let cycle_opts: Vec<(String, String)> = cycles
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let region_opts: Vec<(String, String)> = all
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                format!(
                    "{} ({})",
                    r.name,
                    match r.level.as_str() {
                        "KELURAHAN_DESA" => "kelurahan/desa",
                        "KECAMATAN" => "kecamatan",
                        _ => "kota/kabupaten",
                    }
                ),
            )
        })
        .collect();
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            form method="get" action="/priorities" class="row" {
                (select("cycle", ctx.t("Siklus", "Cycle"), &cycle_opts, &cycle, None))
                (select("region", ctx.t("Wilayah (tingkat)", "Region (level)"), &region_opts, &region, None))
                div class="field" { button type="submit" { (ctx.t("Tampilkan", "Show")) } }
            }
            p class="muted" { (ctx.t("Urutan menurut bobot suara warga dan nilai kriteria yang ditetapkan siklus ini.",
                                      "Ranked by the weights this cycle gives residents' votes and the criteria scores.")) }
            @match list {
                Err(f) => div class="alert" role="alert" data-code=(f.code) { p { (f.message) } },
                Ok(list) if list.is_empty() => p class="muted" { (ctx.t("Belum ada usulan di daftar ini.", "No proposal on this list yet.")) },
                Ok(list) => div class="table-wrap" { table {
                    thead { tr { th class="num" { "#" } th { (ctx.t("Usulan", "Proposal")) } th { (ctx.t("Status", "Status")) } th class="num" { (ctx.t("Suara", "Votes")) } th class="num" { (ctx.t("Nilai", "Score")) } th class="num" { (ctx.t("Biaya", "Cost")) } } }
                    tbody { @for i in &list { tr {
                        td class="num" { (i["rank"]) }
                        td { a href={ "/proposals/" (s(&i["proposal"], "id")) } { (s(&i["proposal"], "title")) } }
                        td { (s(&i["proposal"], "statusTitle")) }
                        td class="num" { (i["votes"]) } td class="num" { (s(i, "score")) } td class="num" { (money(s(i, "cost"))) }
                    } } }
                } },
            }
        },
    )
}

pub async fn allocation(ctx: Ctx, Path(id): Path<String>) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        allocation_run: Value,
    }
    let run = match ctx
        .api::<R>(
            "query($id: ID!) { allocationRun(id: $id) { id cycleId level rule budget totalCost leftover exceedsCeiling voters adoptedAt region { id name } projects { cost votes funded fundedByRule order reason override { funded reason } proposal { id title } } } }",
            json!({ "id": id }),
        )
        .await
    {
        Ok(r) => r.allocation_run,
        Err(f) if f.code == "VALIDATION" => return not_found(&ctx),
        Err(f) => return failure(&ctx, &f),
    };
    let title = format!(
        "{} · {}",
        ctx.t("Hasil alokasi", "Allocation result"),
        s(&run["region"], "name")
    );
    let projects = run["projects"].as_array().cloned().unwrap_or_default();
    page(
        &ctx,
        &title,
        html! {
            p class="muted" { a href={ "/cycles/" (s(&run, "cycleId")) } { (ctx.t("← Siklus", "← Cycle")) } }
            h1 { (title) }
            dl class="facts" {
                dt { (ctx.t("Aturan", "Rule")) } dd { (s(&run, "rule")) " · " (s(&run, "level")) }
                dt { "Pagu" } dd { (money(s(&run, "budget"))) }
                dt { (ctx.t("Didanai", "Funded")) } dd { (money(s(&run, "totalCost"))) }
                dt { (ctx.t("Sisa", "Left over")) } dd { (money(s(&run, "leftover"))) }
                dt { (ctx.t("Pemilih", "Voters")) } dd { (run["voters"]) }
                dt { (ctx.t("Status", "Status")) } dd { @if let Some(t) = run["adoptedAt"].as_str() { (ctx.t("Ditetapkan ", "Adopted ")) (when(ctx.lang, t)) } @else { (ctx.t("Belum ditetapkan", "Not adopted yet")) } }
            }
            @if run["exceedsCeiling"] == json!(true) { div class="alert" role="alert" { p { (ctx.t("Keputusan perencana membuat total melebihi pagu.", "The planners' decisions take the total over the ceiling.")) } } }
            h2 { (ctx.t("Setiap usulan dan alasannya", "Each proposal and why")) }
            div class="table-wrap" { table {
                thead { tr { th { (ctx.t("Usulan", "Proposal")) } th class="num" { (ctx.t("Suara", "Votes")) } th class="num" { (ctx.t("Biaya", "Cost")) } th { (ctx.t("Hasil", "Outcome")) } th { (ctx.t("Penjelasan", "Explanation")) } } }
                tbody { @for p in &projects { tr {
                    td { a href={ "/proposals/" (s(&p["proposal"], "id")) } { (s(&p["proposal"], "title")) } }
                    td class="num" { (p["votes"]) } td class="num" { (money(s(p, "cost"))) }
                    td { @if p["funded"] == json!(true) { strong { (ctx.t("Didanai", "Funded")) } } @else { (ctx.t("Tidak didanai", "Not funded")) } }
                    td { (s(p, "reason")) @if let Some(o) = p["override"].as_object() { br; em { (ctx.t("Keputusan perencana: ", "Planners' decision: ")) (o.get("reason").and_then(Value::as_str).unwrap_or("")) } } }
                } } }
            } }
        },
    )
}

pub async fn region(ctx: Ctx, Path(id): Path<String>) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        region: Option<Value>,
        proposals: Value,
        monev_dashboard: Vec<Value>,
    }
    let r = match ctx
        .api::<R>(
            &format!("query($id: ID!) {{ region(id: $id) {{ id name level parent {{ id name }} children {{ id name }} }} proposals(filter: {{regionId: $id}}, sort: VOTES, first: 10) {{ nodes {{ {} }} }} monevDashboard(groupBy: ALL, filter: {{regionId: $id}}) {{ activities pagu contracted disbursed plannedPhysical actualPhysical deviation expected received }} }}", super::proposals::ROW_FIELDS),
            json!({ "id": id }),
        )
        .await
    {
        Ok(r) => r,
        Err(f) if f.code == "VALIDATION" => return not_found(&ctx),
        Err(f) => return failure(&ctx, &f),
    };
    let Some(region) = r.region else {
        return not_found(&ctx);
    };
    let rows: Vec<super::proposals::Row> =
        serde_json::from_value(r.proposals["nodes"].clone()).unwrap_or_default();
    let d = r.monev_dashboard.first().cloned().unwrap_or(Value::Null);
    let name = s(&region, "name").to_owned();
    page(
        &ctx,
        &name,
        html! {
            h1 { (name) }
            @if let Some(p) = region["parent"].as_object() { p class="muted" { (ctx.t("Bagian dari ", "Part of ")) a href={ "/regions/" (p.get("id").and_then(Value::as_str).unwrap_or("")) } { (p.get("name").and_then(Value::as_str).unwrap_or("")) } } }
            p { a class="btn secondary" href={ "/situation/" (id) } { (ctx.t("Ruang situasi", "Situation room")) } " " a class="btn secondary" href={ "/proposals?region=" (id) } { (ctx.t("Usulan di wilayah ini", "Proposals in this region")) } }
            h2 { (ctx.t("Angka pembangunan", "Development figures")) }
            (figures(&ctx, &d))
            h2 { (ctx.t("Usulan dengan suara terbanyak", "Proposals with the most votes")) }
            (super::proposals::cards(&ctx, &rows))
            @if let Some(children) = region["children"].as_array().filter(|c| !c.is_empty()) {
                h2 { (ctx.t("Wilayah di bawahnya", "Regions within")) }
                ul { @for c in children { li { a href={ "/regions/" (s(c, "id")) } { (s(c, "name")) } } } }
            }
        },
    )
}

/// A procedure's public PDFs, each from the stage that makes it.
pub fn procedure_papers(ctx: &Ctx, p: &Value) -> Markup {
    let id = s(p, "id");
    html! {
        a href={ "/procurement/procedures/" (id) "/announcement.pdf" } { (ctx.t("pengumuman", "announcement")) }
        @if p["openedAt"].is_string() { ", " a href={ "/procurement/procedures/" (id) "/opening.pdf" } { (ctx.t("pembukaan", "opening")) } }
        @if p["awardAnnouncedAt"].is_string() { ", " a href={ "/procurement/procedures/" (id) "/award.pdf" } { (ctx.t("pemenang", "award")) } }
        @if p["sppbjAt"].is_string() { ", " a href={ "/procurement/procedures/" (id) "/sppbj.pdf" } { "SPPBJ" } }
        " (PDF)"
    }
}

/// The monev figures of a region (a row of `monevDashboard`).
pub fn figures(ctx: &Ctx, d: &Value) -> Markup {
    html! {
        ul class="figures" {
            li { (ctx.t("Kegiatan", "Activities")) strong { (d["activities"].as_i64().unwrap_or(0)) } }
            li { "Pagu" strong { (money(s(d, "pagu"))) } }
            li { (ctx.t("Realisasi keuangan", "Spent")) strong { (money(s(d, "disbursed"))) } }
            li { (ctx.t("Kemajuan fisik (rencana → nyata)", "Physical progress (plan → actual)")) strong { (pct(&d["plannedPhysical"])) " → " (pct(&d["actualPhysical"])) } }
            li { (ctx.t("Laporan diterima", "Reports received")) strong { (d["received"].as_i64().unwrap_or(0)) " / " (d["expected"].as_i64().unwrap_or(0)) } }
        }
    }
}

/// What became of a proposal: the plan line it became, its packages and their procedures and
/// contracts, and its monthly progress. Empty while nothing has happened yet.
pub async fn golden_thread(ctx: &Ctx, proposal_id: &str) -> Markup {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        plan_line_of_proposal: Option<Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct M {
        monev_activity_of_proposal: Option<Value>,
    }
    let line = ctx
        .api::<R>("query($p: ID!) { planLineOfProposal(proposalId: $p) { id title opd year budget packages { id name method statusTitle hps } } }", json!({ "p": proposal_id }))
        .await
        .ok()
        .and_then(|r| r.plan_line_of_proposal);
    let activity = ctx
        .api::<M>("query($p: ID!) { monevActivityOfProposal(proposalId: $p) { id title statusTitle pagu disbursed plannedPhysical actualPhysical openFlags sheetUrl lastPeriod } }", json!({ "p": proposal_id }))
        .await
        .ok()
        .and_then(|m| m.monev_activity_of_proposal);
    let mut procedures: Vec<(String, Vec<Value>, Vec<Value>)> = vec![];
    if let Some(l) = &line {
        for pkg in l["packages"].as_array().into_iter().flatten() {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct P {
                procedures: Vec<Value>,
                package_contracts: Vec<Value>,
            }
            if let Ok(p) = ctx
                .api::<P>("query($k: ID!) { procedures(packageId: $k) { id number method statusTitle openedAt awardAnnouncedAt sppbjAt } packageContracts(packageId: $k) { number value statusTitle signedAt vendor { name } } }", json!({ "k": s(pkg, "id") }))
                .await
            {
                procedures.push((s(pkg, "id").to_owned(), p.procedures, p.package_contracts));
            }
        }
    }
    if line.is_none() && activity.is_none() {
        return html! {};
    }
    html! {
        h2 id="thread" { (ctx.t("Apa yang terjadi dengan usulan ini", "What became of this proposal")) }
        ol class="thread" {
            @if let Some(l) = &line {
                li { strong { (ctx.t("Masuk rencana", "In the plan")) } ": " (s(l, "title")) " · " (s(l, "opd")) " · " (l["year"]) " · " (money(s(l, "budget"))) }
                @for pkg in l["packages"].as_array().into_iter().flatten() {
                    li {
                        strong { (ctx.t("Paket pengadaan", "Procurement package")) } ": " (s(pkg, "name")) " · " (s(pkg, "method")) " · HPS " (money(s(pkg, "hps"))) " · " span class="badge" { (s(pkg, "statusTitle")) }
                        @if let Some((_, procs, contracts)) = procedures.iter().find(|(k, _, _)| k == s(pkg, "id")) {
                            ul {
                                @for p in procs { li { (ctx.t("Pemilihan ", "Procedure ")) (s(p, "number")) " · " (s(p, "method")) " · " (s(p, "statusTitle")) " · " (procedure_papers(ctx, p)) } }
                                @for c in contracts { li { (ctx.t("Kontrak ", "Contract ")) (s(c, "number")) " · " (s(&c["vendor"], "name")) " · " (money(s(c, "value"))) " · " (s(c, "statusTitle")) } }
                            }
                        }
                    }
                }
            }
            @if let Some(a) = &activity {
                li {
                    strong { (ctx.t("Pelaksanaan", "Implementation")) } ": " (s(a, "title")) " · " span class="badge" { (s(a, "statusTitle")) }
                    br;
                    (ctx.t("Kemajuan fisik ", "Physical progress ")) (pct(&a["actualPhysical"])) (ctx.t(" (rencana ", " (plan ")) (pct(&a["plannedPhysical"])) ")"
                    " · " (ctx.t("realisasi ", "spent ")) (money(s(a, "disbursed"))) " / " (money(s(a, "pagu")))
                    @if a["openFlags"].as_i64().unwrap_or(0) > 0 { " · " strong { (a["openFlags"]) " " (ctx.t("peringatan terbuka", "open warnings")) } }
                    " · " a href=(s(a, "sheetUrl")) { (ctx.t("lembar kemajuan (PDF)", "progress sheet (PDF)")) }
                }
            }
        }
    }
}
