//! A resident's own pages: their proposals with status and reasons, the proposals they voted
//! for, their notifications, and the check of a vote receipt.

use std::collections::HashMap;

use axum::extract::Query;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Value};

use super::proposals::{cards, Event, Row, ROW_FIELDS};
use super::{login_first, see_other};
use crate::ctx::Ctx;
use crate::layout::{csrf_field, failure, field, page, when, Field};

pub async fn my_proposals(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Mine {
        #[serde(flatten)]
        row: Row,
        status: String,
        history: Vec<Event>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        my_proposals: Vec<Mine>,
        my_votes: Vec<Row>,
    }
    let r = match ctx
        .api::<R>(
            &format!("{{ myProposals {{ {ROW_FIELDS} status history(first: 100) {{ at transition transitionTitle toStateTitle comment }} }} myVotes {{ {ROW_FIELDS} }} }}"),
            json!({}),
        )
        .await
    {
        Ok(r) => r,
        Err(f) => return failure(&ctx, &f),
    };
    let title = ctx.t("Usulan saya", "My proposals");
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            @if r.my_proposals.is_empty() {
                p { (ctx.t("Anda belum membuat usulan.", "You have not written a proposal yet.")) " " a href="/proposals/new" { (ctx.t("Buat usulan", "Write one")) } }
            }
            @for p in &r.my_proposals {
                section class="card" {
                    h2 { a href={ "/proposals/" (p.row.id) } { (p.row.title) } }
                    p { span class="badge" { (p.row.status_title) } " · " (p.row.votes) " " (ctx.t("suara", "votes"))
                        @if p.status == "draft" { " · " a href={ "/proposals/" (p.row.id) "/edit" } { (ctx.t("ubah draf", "edit the draft")) } } }
                    // The latest reason given (a rejection, a change, a merge) is what the proposer asks first.
                    @if let Some(e) = p.history.iter().rev().find(|e| e.comment.is_some()) {
                        p { (ctx.t("Catatan terakhir", "Latest note")) " (" (e.transition_title) ", " (when(ctx.lang, &e.at)) "): " (e.comment.as_deref().unwrap_or("")) }
                    }
                    details {
                        summary { (ctx.t("Riwayat", "History")) }
                        (super::proposals::timeline(&ctx, &p.history))
                    }
                }
            }
            h2 { (ctx.t("Usulan yang saya dukung", "Proposals I voted for")) }
            @if r.my_votes.is_empty() { p class="muted" { (ctx.t("Belum ada.", "None yet.")) } }
            (cards(&ctx, &r.my_votes))
        },
    )
}

pub async fn notifications(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct N {
        message: String,
        proposal_id: Option<String>,
        created_at: String,
        read: bool,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        my_notifications: Vec<N>,
    }
    let r = match ctx
        .api::<R>(
            "{ myNotifications { message proposalId createdAt read } }",
            json!({}),
        )
        .await
    {
        Ok(r) => r.my_notifications,
        Err(f) => return failure(&ctx, &f),
    };
    let title = ctx.t("Pemberitahuan", "Notifications");
    let unread = r.iter().filter(|n| !n.read).count();
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            @if r.is_empty() { p class="muted" { (ctx.t("Belum ada pemberitahuan.", "No notifications yet.")) } }
            @if unread > 0 {
                form method="post" action="/me/notifications" {
                    (csrf_field(&ctx))
                    button type="submit" class="secondary" { (ctx.t("Tandai semua sudah dibaca", "Mark all as read")) " (" (unread) ")" }
                }
            }
            ul {
                @for n in &r {
                    li {
                        @if !n.read { strong { (ctx.t("Baru: ", "New: ")) } }
                        (n.message) " " span class="muted" { (when(ctx.lang, &n.created_at)) }
                        @if let Some(p) = &n.proposal_id { " · " a href={ "/proposals/" (p) } { (ctx.t("lihat usulan", "see the proposal")) } }
                    }
                }
            }
        },
    )
}

pub async fn mark_read(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match ctx
        .api::<Value>("mutation { markNotificationsRead }", json!({}))
        .await
    {
        Ok(_) => see_other(&ctx, "/me/notifications"),
        Err(f) => failure(&ctx, &f),
    }
}

pub async fn receipt(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let title = ctx.t("Periksa tanda terima suara", "Check a vote receipt");
    let receipt = q.get("r").map(|s| s.trim().to_owned()).unwrap_or_default();
    #[derive(Deserialize)]
    struct Check {
        found: bool,
        seq: Option<i64>,
        checkpoint: Option<Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        check_receipt: Check,
    }
    let result = if receipt.is_empty() {
        None
    } else {
        Some(
            ctx.api::<R>("query($r: String!) { checkReceipt(receipt: $r) { found seq checkpoint { seq signedAt } } }", json!({ "r": receipt }))
                .await
                .map(|r| r.check_receipt),
        )
    };
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("Setiap suara adalah satu peristiwa di jejak audit yang berantai dan ditandatangani. Tanda terima Anda adalah sidik peristiwa itu; tidak ada yang dapat mengetahui pilihan Anda darinya.",
                       "Every vote is one event in the chained, signed audit trail. Your receipt is that event's hash; nobody can learn your choice from it.")) }
            form method="get" action="/receipt" {
                (field(Field::new("r", ctx.t("Tanda terima", "Receipt"), &receipt).required().extra("off")))
                button type="submit" { (ctx.t("Periksa", "Check")) }
            }
            @match &result {
                Some(Ok(c)) if c.found => div class="notice" role="status" { p {
                    strong { (ctx.t("Ditemukan.", "Found.")) } " "
                    (ctx.t("Peristiwa nomor ", "Event number ")) (c.seq.unwrap_or_default()) "."
                    @if let Some(cp) = &c.checkpoint { " " (ctx.t("Dicakup titik periksa bertanda tangan nomor ", "Covered by signed checkpoint number ")) (cp["seq"]) "." }
                    @else { " " (ctx.t("Titik periksa bertanda tangan berikutnya akan mencakupnya.", "The next signed checkpoint will cover it.")) }
                } },
                Some(Ok(_)) => div class="alert" role="alert" { p { (ctx.t("Tanda terima ini tidak ada di jejak audit.", "This receipt is not in the audit trail.")) } },
                Some(Err(f)) => div class="alert" role="alert" data-code=(f.code) { p { (f.message) } },
                None => {},
            }
        },
    )
}
