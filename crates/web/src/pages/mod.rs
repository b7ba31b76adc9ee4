//! Every page of the app, by who reads it. One file per area; each handler asks the API for
//! what its page shows (crate::api) and renders it (crate::layout).

mod account;
mod home;
mod mine;
mod proposal_form;
mod proposals;
mod public;
mod recovery;
mod service_reports;
mod services;
mod situation;

use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::ctx::Ctx;
use crate::WebState;

/// A submitted form: its fields by name (the CSRF layer has checked it already).
pub type FormData = axum::Form<HashMap<String, String>>;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home::home))
        .route("/lang/{lang}", get(home::switch_lang))
        .route("/graphql", get(home::graphiql))
        .route("/login", get(account::login_form).post(account::login))
        .route(
            "/register",
            get(account::register_form).post(account::register),
        )
        .route("/reset", get(recovery::form).post(recovery::reset))
        .route("/reset/email", post(recovery::by_email))
        .route(
            "/office/recovery-code",
            get(recovery::office_form).post(recovery::office_issue),
        )
        .route("/logout", post(account::logout))
        .route("/me", get(account::me))
        .route("/me/email", post(account::set_email))
        .route(
            "/me/password",
            get(account::password_form).post(account::change_password),
        )
        .route("/me/proposals", get(mine::my_proposals))
        .route(
            "/me/notifications",
            get(mine::notifications).post(mine::mark_read),
        )
        .route("/receipt", get(mine::receipt))
        .route("/proposals", get(proposals::list))
        .route(
            "/proposals/new",
            get(proposals::new_form).post(proposals::create),
        )
        .route("/proposals/{id}", get(proposals::show))
        .route(
            "/proposals/{id}/edit",
            get(proposals::edit_form).post(proposals::update),
        )
        .route("/proposals/{id}/submit", post(proposals::submit))
        .route("/proposals/{id}/resubmit", post(proposals::resubmit))
        .route("/proposals/{id}/vote", post(proposals::vote))
        .route("/proposals/{id}/unvote", post(proposals::unvote))
        .route("/proposals/{id}/comments", post(proposals::comment))
        .route(
            "/proposals/{id}/comments/{comment}/report",
            post(proposals::report_comment),
        )
        .route("/cycles/{id}", get(public::cycle))
        .route("/priorities", get(public::priorities))
        .route("/allocations/{id}", get(public::allocation))
        .route("/public", get(public::index))
        .route("/regions/{id}", get(public::region))
        .route("/situation/{region}", get(situation::page))
        .route("/situation/{region}/events", get(situation::events))
        .route("/services", get(services::index))
        .route(
            "/services/{workflow}/new",
            get(services::form).post(services::start),
        )
        .route("/services/levels", get(service_reports::levels))
        .route(
            "/services/{workflow}/register",
            get(service_reports::register),
        )
        .route("/track", get(services::track))
}

/// Only a path of this site, never another host.
pub fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.clone(),
        _ => "/".into(),
    }
}

/// After a form: go on with a GET (303), keeping the request's cookies.
pub fn see_other(ctx: &Ctx, to: &str) -> Response {
    ctx.finish(Redirect::to(to).into_response())
}

/// A form field's value, trimmed; empty when absent.
pub fn val<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|s| s.trim()).unwrap_or("")
}

/// A value for the API: `null` when the field was left empty.
pub fn opt(form: &HashMap<String, String>, name: &str) -> serde_json::Value {
    match val(form, name) {
        "" => serde_json::Value::Null,
        v => serde_json::Value::String(v.to_owned()),
    }
}

pub fn not_found(ctx: &Ctx) -> Response {
    crate::layout::failure(
        ctx,
        &crate::api::Failure::new(
            "NOT_FOUND",
            ctx.t("Halaman tidak ditemukan.", "Page not found."),
        ),
    )
}

/// Pages that need a logged-in visitor send others to the login page, and back afterwards.
pub fn login_first(ctx: &Ctx) -> Response {
    let to = format!("/login?next={}", crate::layout::urlencode(&ctx.path));
    let mut r = Redirect::to(&to).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    ctx.finish(r)
}
