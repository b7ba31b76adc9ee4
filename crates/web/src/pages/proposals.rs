//! Proposals: browse and search them, read one (its votes, comments, history and what became
//! of it), vote and withdraw a vote with the votes left shown, comment, submit a draft.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use super::home::{phase_title, Named};
use super::{login_first, not_found, see_other, val, FormData};
use crate::api::Failure;
use crate::ctx::Ctx;
use crate::layout::{
    csrf_field, failure, field, money, page, page_with, select, urlencode, when, Field,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub id: String,
    pub title: String,
    pub category: String,
    pub status_title: String,
    pub votes: i64,
    pub estimated_cost: String,
    pub kelurahan: Option<Named>,
}

pub const ROW_FIELDS: &str =
    "id title category statusTitle votes estimatedCost kelurahan { id name }";

pub fn cards(ctx: &Ctx, rows: &[Row]) -> Markup {
    html! {
        ul class="cards" {
            @for p in rows {
                li class="card" {
                    h3 { a href={ "/proposals/" (p.id) } { (p.title) } }
                    p class="muted" { (p.category) @if let Some(k) = &p.kelurahan { " · " (k.name) } }
                    p { span class="badge" { (p.status_title) } " · "
                        strong { (p.votes) } " " (ctx.t("suara", "votes")) " · " (money(&p.estimated_cost)) }
                }
            }
        }
    }
}

pub async fn list(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Conn {
        nodes: Vec<Row>,
        page_info: PageInfo,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct PageInfo {
        has_next_page: bool,
        end_cursor: Option<String>,
    }
    #[derive(Deserialize)]
    struct R {
        proposals: Conn,
    }
    let mut filter = serde_json::Map::new();
    for (param, key) in [
        ("q", "search"),
        ("cycle", "cycleId"),
        ("category", "category"),
        ("region", "regionId"),
        ("status", "status"),
    ] {
        if let Some(v) = q.get(param).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            filter.insert(key.into(), json!(v));
        }
    }
    let sort = match q.get("sort").map(String::as_str) {
        Some("votes") => "VOTES",
        Some("cost") => "COST",
        _ => "NEWEST",
    };
    let r = ctx
        .api::<R>(
            &format!("query($f: ProposalFilter, $s: ProposalSort, $a: String) {{ proposals(filter: $f, sort: $s, after: $a, first: 20) {{ nodes {{ {ROW_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"),
            json!({ "f": filter, "s": sort, "a": q.get("after") }),
        )
        .await;
    let title = ctx.t("Usulan warga", "Residents' proposals");
    let (rows, more) = match r {
        Ok(r) => (
            r.proposals.nodes,
            r.proposals
                .page_info
                .end_cursor
                .filter(|_| r.proposals.page_info.has_next_page),
        ),
        Err(f) => return failure(&ctx, &f),
    };
    let keep: Vec<(&str, &str)> = ["q", "cycle", "category", "region", "status", "sort"]
        .iter()
        .filter_map(|k| q.get(*k).map(|v| (*k, v.as_str())))
        .collect();
    let sorts = [
        ("newest".to_owned(), ctx.t("Terbaru", "Newest").to_owned()),
        (
            "votes".to_owned(),
            ctx.t("Suara terbanyak", "Most votes").to_owned(),
        ),
        (
            "cost".to_owned(),
            ctx.t("Biaya terbesar", "Highest cost").to_owned(),
        ),
    ];
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            form method="get" action="/proposals" role="search" class="row" {
                (field(Field::new("q", ctx.t("Cari judul atau uraian", "Search titles and descriptions"), q.get("q").map(String::as_str).unwrap_or("")).kind("search")))
                (select("sort", ctx.t("Urutkan", "Sort by"), &sorts, q.get("sort").map(String::as_str).unwrap_or("newest"), None))
                @for (k, v) in keep.iter().filter(|(k, _)| !matches!(*k, "q" | "sort")) { input type="hidden" name=(k) value=(v); }
                div class="field" { button type="submit" { (ctx.t("Cari", "Search")) } }
            }
            @if ctx.user.is_some() { p { a class="btn" href="/proposals/new" { (ctx.t("Buat usulan", "Write a proposal")) } } }
            @if rows.is_empty() { p class="muted" { (ctx.t("Tidak ada usulan yang cocok.", "No proposal matches.")) } }
            (cards(&ctx, &rows))
            @if let Some(after) = more {
                p { a href={ "/proposals?" (serde_urlencoded::to_string(&keep).unwrap_or_default()) "&after=" (urlencode(&after)) } { (ctx.t("Berikutnya →", "Next →")) } }
            }
        },
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Proposal {
    id: String,
    title: String,
    description: String,
    category: String,
    status: String,
    status_title: String,
    level: String,
    votes: i64,
    my_vote: bool,
    mine: bool,
    rt_rw: Option<String>,
    latitude: Option<String>,
    longitude: Option<String>,
    volume: String,
    unit: String,
    unit_price: String,
    estimated_cost: String,
    target_opd: Option<String>,
    proposer_name: Option<String>,
    merged_into: Option<String>,
    created_at: String,
    cycle: Option<CycleRef>,
    kelurahan: Option<Named>,
    comments: Vec<Comment>,
    history: Vec<Event>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CycleRef {
    id: String,
    name: String,
    phase: String,
    max_votes_per_voter: i64,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    id: String,
    body: Option<String>,
    hidden: bool,
    hidden_reason: Option<String>,
    created_at: String,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub at: String,
    pub transition: String,
    pub transition_title: String,
    pub to_state_title: String,
    pub comment: Option<String>,
}

const PROPOSAL_QUERY: &str = "query($id: ID!) { proposal(id: $id) { id title description category status statusTitle level votes myVote mine rtRw latitude longitude volume unit unitPrice estimatedCost targetOpd proposerName mergedInto createdAt cycle { id name phase maxVotesPerVoter } kelurahan { id name } comments { id body hidden hiddenReason createdAt } history(first: 100) { at transition transitionTitle toStateTitle comment } } }";

pub fn timeline(ctx: &Ctx, events: &[Event]) -> Markup {
    html! {
        ol class="timeline" {
            @for e in events.iter().filter(|e| e.transition != "vote" && e.transition != "unvote") {
                li {
                    time { (when(ctx.lang, &e.at)) } " — " strong { (e.transition_title) } " → " (e.to_state_title)
                    @if let Some(c) = &e.comment { br; span class="muted" { (ctx.t("Alasan/catatan: ", "Reason/note: ")) (c) } }
                }
            }
        }
    }
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
    show_with(&ctx, &id, None, None).await
}

/// The proposal's page; `notice` after an action that succeeded, `refused` after one that did not.
async fn show_with(
    ctx: &Ctx,
    id: &str,
    notice: Option<Markup>,
    refused: Option<&Failure>,
) -> Response {
    #[derive(Deserialize)]
    struct R {
        proposal: Proposal,
    }
    let p = match ctx.api::<R>(PROPOSAL_QUERY, json!({ "id": id })).await {
        Ok(r) => r.proposal,
        Err(f) if f.code == "VALIDATION" => return not_found(ctx),
        Err(f) => return failure(ctx, &f),
    };
    let voting = p.cycle.as_ref().is_some_and(|c| c.phase == "voting") && p.status == "submitted";
    let votes_left = match (&ctx.user, &p.cycle) {
        (Some(_), Some(c)) if voting => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct V {
                my_votes: Vec<Value>,
            }
            ctx.api::<V>(
                "query($c: ID) { myVotes(cycleId: $c) { id } }",
                json!({ "c": c.id }),
            )
            .await
            .ok()
            .map(|v| c.max_votes_per_voter - v.my_votes.len() as i64)
        }
        _ => None,
    };
    let thread = super::public::golden_thread(ctx, &p.id).await;
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page_with(
        ctx,
        status,
        &p.title,
        html! {
            p class="muted" { a href="/proposals" { (ctx.t("← Semua usulan", "← All proposals")) } }
            h1 { (p.title) }
            @if let Some(n) = notice { div class="notice" role="status" { (n) } }
            @if let Some(f) = refused { div class="alert" role="alert" data-code=(f.code) { p { (f.message) } } }
            p { span class="badge" { (p.status_title) } " " span class="muted" { (ctx.t("tingkat ", "level ")) (p.level) } }
            dl class="facts" {
                dt { (ctx.t("Suara", "Votes")) } dd { strong id="votes" { (p.votes) } }
                dt { (ctx.t("Bidang", "Category")) } dd { (p.category) }
                @if let Some(k) = &p.kelurahan { dt { (ctx.t("Kelurahan/desa", "Kelurahan/desa")) } dd { a href={ "/regions/" (k.id) } { (k.name) } @if let Some(r) = &p.rt_rw { " · RT/RW " (r) } } }
                @if let (Some(la), Some(lo)) = (&p.latitude, &p.longitude) { dt { (ctx.t("Koordinat", "Coordinates")) } dd { (la) ", " (lo) } }
                dt { (ctx.t("Volume", "Volume")) } dd { (p.volume) " " (p.unit) " × " (money(&p.unit_price)) }
                dt { (ctx.t("Perkiraan biaya", "Estimated cost")) } dd { (money(&p.estimated_cost)) }
                @if let Some(o) = &p.target_opd { dt { "OPD" } dd { (o) } }
                @if let Some(n) = &p.proposer_name { dt { (ctx.t("Pengusul", "Proposed by")) } dd { (n) } }
                @if let Some(c) = &p.cycle { dt { (ctx.t("Siklus", "Cycle")) } dd { a href={ "/cycles/" (c.id) } { (c.name) } " · " (phase_title(ctx, &c.phase)) } }
                dt { (ctx.t("Diusulkan", "Proposed")) } dd { (when(ctx.lang, &p.created_at)) }
                @if let Some(m) = &p.merged_into { dt { (ctx.t("Digabung ke", "Merged into")) } dd { a href={ "/proposals/" (m) } { (ctx.t("usulan ", "proposal ")) (m) } } }
            }
            h2 { (ctx.t("Uraian", "Description")) }
            p class="prose" { (p.description) }

            @if p.status == "draft" {
                h2 { (ctx.t("Draf Anda", "Your draft")) }
                p { (ctx.t("Draf hanya terlihat oleh Anda. Ajukan bila sudah siap; setelah diajukan, usulan tidak dapat diubah.",
                           "Only you can see a draft. Submit it when it is ready; once submitted, it can no longer be edited.")) }
                p class="row" {
                    a class="btn secondary" href={ "/proposals/" (p.id) "/edit" } { (ctx.t("Ubah draf", "Edit the draft")) }
                    form method="post" action={ "/proposals/" (p.id) "/submit" } class="inline" {
                        (csrf_field(ctx))
                        button type="submit" { (ctx.t("Ajukan usulan", "Submit the proposal")) }
                    }
                }
            }
            @if p.status == "revision" && p.mine {
                h2 { (ctx.t("Dikembalikan untuk diperbaiki", "Returned for revision")) }
                @if let Some(note) = p.history.iter().rev().find(|e| e.transition == "return_for_revision").and_then(|e| e.comment.as_deref()) {
                    p class="notice" { (ctx.t("Catatan kelurahan: ", "The kelurahan's note: ")) (note) }
                }
                p { (ctx.t("Perbaiki usulan Anda lalu ajukan kembali sebelum musrenbang kelurahan memutuskan.",
                           "Correct your proposal, then send it again before the kelurahan forum decides.")) }
                p class="row" {
                    a class="btn secondary" href={ "/proposals/" (p.id) "/edit" } { (ctx.t("Perbaiki usulan", "Correct the proposal")) }
                    form method="post" action={ "/proposals/" (p.id) "/resubmit" } class="inline" {
                        (csrf_field(ctx))
                        button type="submit" { (ctx.t("Ajukan kembali", "Send it again")) }
                    }
                }
            }
            @if voting {
                h2 { (ctx.t("Dukung usulan ini", "Support this proposal")) }
                @if ctx.user.is_none() {
                    p { a href={ "/login?next=" (urlencode(&format!("/proposals/{}", p.id))) } { (ctx.t("Masuk untuk memberi suara", "Log in to vote")) } }
                } @else {
                    @if let Some(left) = votes_left { p id="votes-left" { (ctx.t("Sisa suara Anda di siklus ini: ", "Votes you have left in this cycle: ")) strong { (left) } } }
                    @if p.my_vote {
                        p { (ctx.t("Anda mendukung usulan ini.", "You support this proposal.")) }
                        form method="post" action={ "/proposals/" (p.id) "/unvote" } {
                            (csrf_field(ctx))
                            button type="submit" class="secondary" { (ctx.t("Tarik suara", "Withdraw my vote")) }
                        }
                    } @else {
                        form method="post" action={ "/proposals/" (p.id) "/vote" } {
                            (csrf_field(ctx))
                            button type="submit" { (ctx.t("Beri suara", "Vote")) }
                        }
                    }
                }
            }
            (thread)
            h2 { (ctx.t("Riwayat", "History")) }
            (timeline(ctx, &p.history))
            h2 id="comments" { (ctx.t("Komentar", "Comments")) }
            @if p.comments.is_empty() { p class="muted" { (ctx.t("Belum ada komentar.", "No comments yet.")) } }
            ul {
                @for c in &p.comments {
                    li {
                        span class="muted" { (when(ctx.lang, &c.created_at)) } " — "
                        @if c.hidden { em { (ctx.t("Disembunyikan moderator", "Hidden by a moderator")) @if let Some(r) = &c.hidden_reason { ": " (r) } } }
                        @else {
                            (c.body.as_deref().unwrap_or(""))
                            @if ctx.user.is_some() {
                                " "
                                form method="post" action={ "/proposals/" (p.id) "/comments/" (c.id) "/report" } class="inline" {
                                    (csrf_field(ctx))
                                    button type="submit" class="link" { (ctx.t("laporkan", "report")) }
                                }
                            }
                        }
                    }
                }
            }
            @if ctx.user.is_some() && p.status != "draft" {
                form method="post" action={ "/proposals/" (p.id) "/comments" } {
                    (csrf_field(ctx))
                    (field(Field::new("body", ctx.t("Tulis komentar", "Write a comment"), "").kind("textarea").required()))
                    button type="submit" { (ctx.t("Kirim komentar", "Post the comment")) }
                }
            }
        },
        "",
    )
}

async fn action(ctx: &Ctx, id: &str, mutation: &str, vars: Value) -> Result<Value, Failure> {
    let mut vars = vars;
    vars["id"] = json!(id);
    ctx.api::<Value>(mutation, vars).await
}

pub async fn submit(ctx: Ctx, Path(id): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match action(&ctx, &id, "mutation($id: ID!) { proposalAction(proposalId: $id, action: SUBMIT) { proposal { id } } }", json!({})).await {
        Ok(_) => see_other(&ctx, &format!("/proposals/{id}")),
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

pub async fn resubmit(ctx: Ctx, Path(id): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match action(&ctx, &id, "mutation($id: ID!) { proposalAction(proposalId: $id, action: RESUBMIT) { proposal { id } } }", json!({})).await {
        Ok(_) => see_other(&ctx, &format!("/proposals/{id}")),
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

pub async fn vote(ctx: Ctx, Path(id): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match action(
        &ctx,
        &id,
        "mutation($id: ID!) { vote(proposalId: $id) { receipt seq } }",
        json!({}),
    )
    .await
    {
        Ok(v) => {
            let receipt = v["vote"]["receipt"].as_str().unwrap_or_default().to_owned();
            let notice = html! {
                p { strong { (ctx.t("Suara Anda tercatat.", "Your vote is recorded.")) } }
                p { (ctx.t("Tanda terima (simpan untuk memeriksa bahwa suara Anda ada di jejak audit): ",
                           "Receipt (keep it to check that your vote is in the audit trail): ")) code id="receipt" { (receipt) } }
                p { a href={ "/receipt?r=" (urlencode(&receipt)) } { (ctx.t("Periksa tanda terima", "Check the receipt")) } }
            };
            show_with(&ctx, &id, Some(notice), None).await
        }
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

pub async fn unvote(ctx: Ctx, Path(id): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match action(
        &ctx,
        &id,
        "mutation($id: ID!) { withdrawVote(proposalId: $id) { seq } }",
        json!({}),
    )
    .await
    {
        Ok(_) => {
            show_with(
                &ctx,
                &id,
                Some(html! { p { (ctx.t("Suara Anda ditarik.", "Your vote is withdrawn.")) } }),
                None,
            )
            .await
        }
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

pub async fn comment(ctx: Ctx, Path(id): Path<String>, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match action(
        &ctx,
        &id,
        "mutation($id: ID!, $b: String!) { addComment(proposalId: $id, body: $b) { id } }",
        json!({ "b": val(&form, "body") }),
    )
    .await
    {
        Ok(_) => see_other(&ctx, &format!("/proposals/{id}#comments")),
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

/// A resident reports a comment to the moderators.
pub async fn report_comment(ctx: Ctx, Path((id, comment)): Path<(String, String)>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match ctx
        .api::<Value>("mutation($c: ID!) { reportComment(commentId: $c) { id } }", json!({ "c": comment }))
        .await
    {
        Ok(_) => show_with(&ctx, &id, Some(html! { p { (ctx.t("Terima kasih; moderator akan memeriksa komentar itu.", "Thank you; a moderator will look at that comment.")) } }), None).await,
        Err(f) => show_with(&ctx, &id, None, Some(&f)).await,
    }
}

pub use super::proposal_form::{create, edit_form, new_form, update};
