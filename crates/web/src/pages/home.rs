//! The home page (the cycles under way, with their phases and the dates of the next ones),
//! the language switch and GraphiQL's page.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

use super::{safe_next, see_other};
use crate::ctx::{Ctx, LANG_COOKIE};
use crate::layout::{page, when};

pub const PHASES: [&str; 5] = [
    "submission",
    "voting",
    "kelurahan_deliberation",
    "kecamatan_deliberation",
    "kota_forum",
];

pub fn phase_title(ctx: &Ctx, phase: &str) -> String {
    match phase {
        "scheduled" => ctx.t("Terjadwal", "Scheduled"),
        "submission" => ctx.t("Pengajuan usulan", "Proposals open"),
        "voting" => ctx.t("Pemungutan suara", "Voting"),
        "kelurahan_deliberation" => ctx.t("Musrenbang kelurahan", "Kelurahan deliberation"),
        "kecamatan_deliberation" => ctx.t("Musrenbang kecamatan", "Kecamatan deliberation"),
        "kota_forum" => ctx.t("Forum kota", "City forum"),
        "closed" => ctx.t("Ditutup", "Closed"),
        other => other,
    }
    .to_owned()
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub phase: String,
    pub windows: BTreeMap<String, serde_json::Value>,
    pub max_votes_per_voter: i32,
    pub categories: Vec<String>,
    pub region: Option<Named>,
}

#[derive(Deserialize, Clone)]
pub struct Named {
    pub id: String,
    pub name: String,
}

pub const CYCLE_FIELDS: &str =
    "id name year phase windows maxVotesPerVoter categories region { id name }";

pub async fn cycles(ctx: &Ctx) -> Vec<Cycle> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        musrenbang_cycles: Vec<Cycle>,
    }
    ctx.api::<R>(
        &format!("{{ musrenbangCycles {{ {CYCLE_FIELDS} }} }}"),
        json!({}),
    )
    .await
    .map(|r| r.musrenbang_cycles)
    .unwrap_or_default()
}

/// A cycle's phases in order with the time each opens: the current one marked.
pub fn phases(ctx: &Ctx, c: &Cycle) -> Markup {
    let current = PHASES.iter().position(|p| *p == c.phase);
    html! {
        ol class="timeline" aria-label=(ctx.t("Tahapan", "Phases")) {
            @for (i, p) in PHASES.iter().enumerate() {
                li aria-current=[(Some(i) == current).then_some("step")] {
                    @if Some(i) == current { strong { (phase_title(ctx, p)) " — " (ctx.t("sekarang", "now")) } }
                    @else { (phase_title(ctx, p)) }
                    // The dates of the phases still to come (a phase may open early, by
                    // Bappeda's decision, so a past window's date is not when it opened).
                    @if let (Some(at), true) = (c.windows.get(*p).and_then(|v| v.as_str()), current.is_some_and(|cur| i > cur) || (current.is_none() && c.phase == "scheduled")) {
                        span class="muted" { " · " (ctx.t("dibuka ", "opens ")) (when(ctx.lang, at)) }
                    }
                }
            }
        }
    }
}

pub async fn home(ctx: Ctx) -> Response {
    let cycles = cycles(&ctx).await;
    let title = ctx.t(
        "Perencanaan bersama warga",
        "Planning together with residents",
    );
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t(
                "Usulkan pembangunan untuk lingkungan Anda, dukung usulan tetangga, dan ikuti apa yang terjadi dengan setiap usulan: dari suara warga sampai anggaran, pengadaan, dan kemajuan pekerjaan.",
                "Propose development for your neighbourhood, support your neighbours' proposals, and follow what becomes of each one: from residents' votes to the budget, the procurement and the progress of the work.")) }
            p {
                a class="btn" href="/proposals" { (ctx.t("Lihat usulan", "See proposals")) } " "
                @if ctx.user.is_some() { a class="btn secondary" href="/proposals/new" { (ctx.t("Buat usulan", "Write a proposal")) } }
                @else { a class="btn secondary" href="/register" { (ctx.t("Daftar sebagai warga", "Register as a resident")) } }
            }
            h2 { (ctx.t("Siklus perencanaan", "Planning cycles")) }
            @if cycles.is_empty() { p class="muted" { (ctx.t("Belum ada siklus perencanaan.", "No planning cycle yet.")) } }
            ul class="cards" {
                @for c in &cycles {
                    li class="card" {
                        h3 { a href={ "/cycles/" (c.id) } { (c.name) } " (" (c.year) ")" }
                        p { span class="badge" { (phase_title(&ctx, &c.phase)) } " "
                            @if let Some(r) = &c.region { span class="muted" { (r.name) } } }
                        (phases(&ctx, c))
                        @if let Some(r) = &c.region {
                            p { a href={ "/situation/" (r.id) } { (ctx.t("Ruang situasi", "Situation room")) } }
                        }
                    }
                }
            }
        },
    )
}

pub async fn switch_lang(
    ctx: Ctx,
    Path(lang): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = if lang == "en" { "en" } else { "id" };
    let mut resp = see_other(&ctx, &safe_next(q.get("next")));
    ctx.set_cookie(&mut resp, LANG_COOKIE, lang, 60 * 60 * 24 * 365);
    resp
}

/// GraphiQL, with every asset served by this binary (it works without internet).
pub async fn graphiql() -> Response {
    let mut r = Html(crate::graphiql::page(
        "/graphql",
        "/graphql/ws",
        "/assets/graphiql",
    ))
    .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
