//! Forgot password: the resident sets a new password with the one-time code that kelurahan
//! staff issued after checking the person at the office (`resetPassword`). Many residents have
//! no e-mail address; the office is the way back in.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde_json::{json, Value};

use super::{see_other, val, FormData};
use crate::api::Failure;
use crate::ctx::Ctx;
use crate::layout::{csrf_field, field, form_errors, page_with, Field};

pub async fn form(ctx: Ctx) -> Response {
    page(&ctx, &HashMap::new(), None)
}

fn page(ctx: &Ctx, form: &HashMap<String, String>, failure: Option<&Failure>) -> Response {
    let title = ctx.t("Lupa kata sandi", "Forgot password");
    let status = match failure.map(|f| f.code.as_str()) {
        None => StatusCode::OK,
        Some("RATE_LIMITED") => StatusCode::TOO_MANY_REQUESTS,
        Some(_) => StatusCode::BAD_REQUEST,
    };
    page_with(
        ctx,
        status,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("Datanglah ke kantor kelurahan dengan KTP. Petugas memeriksa identitas Anda dan memberi kode pemulihan (berlaku 24 jam, sekali pakai). Tulis kode itu di sini bersama kata sandi baru.",
                       "Go to the kelurahan office with your KTP. Staff check who you are and give you a recovery code (valid for 24 hours, once). Enter it here with a new password.")) }
            (form_errors(ctx, failure))
            form method="post" action="/reset" {
                (csrf_field(ctx))
                (field(Field::new("username", ctx.t("Nama pengguna", "Username"), val(form, "username")).required().extra("username")))
                (field(Field::new("code", ctx.t("Kode pemulihan", "Recovery code"), val(form, "code")).required().error(failure, "code").extra("off")
                    .hint(ctx.t("Contoh: ABCDE-23456.", "For example: ABCDE-23456."))))
                (field(Field::new("new", ctx.t("Kata sandi baru", "New password"), "").kind("password").required().error(failure, "newPassword").extra("new-password")
                    .hint(ctx.t("Paling sedikit 10 karakter.", "At least 10 characters."))))
                button type="submit" { (ctx.t("Atur kata sandi baru", "Set the new password")) }
            }
        },
        "",
    )
}

pub async fn reset(ctx: Ctx, axum::Form(form): FormData) -> Response {
    let r = ctx
        .api::<Value>(
            "mutation($u: String!, $c: String!, $n: String!) { resetPassword(username: $u, code: $c, newPassword: $n) }",
            json!({ "u": val(&form, "username"), "c": val(&form, "code"), "n": form.get("new").cloned().unwrap_or_default() }),
        )
        .await;
    match r {
        Ok(_) => see_other(&ctx, "/login?reset=1"),
        Err(f) => page(&ctx, &form, Some(&f)),
    }
}
