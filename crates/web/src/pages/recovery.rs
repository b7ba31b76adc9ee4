//! Forgot password: the resident asks for a one-time code by e-mail (`requestPasswordReset`,
//! for accounts with an address) or gets one from kelurahan staff, who check the person at the
//! office, and sets a new password with it (`resetPassword`). Many residents have no e-mail
//! address; the office is their way back in.

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
    page(&ctx, &HashMap::new(), None, false)
}

/// `POST /reset/email`: sends a code to the account's address, if it has one; the page says the
/// same either way.
pub async fn by_email(ctx: Ctx, axum::Form(form): FormData) -> Response {
    let r = ctx
        .api::<Value>(
            "mutation($u: String!) { requestPasswordReset(username: $u) }",
            json!({ "u": val(&form, "mail_username") }),
        )
        .await;
    match r {
        Ok(_) => {
            let mut form = form;
            let username = val(&form, "mail_username").to_owned();
            form.insert("username".into(), username);
            page(&ctx, &form, None, true)
        }
        Err(f) => page(&ctx, &form, Some(&f), false),
    }
}

fn page(
    ctx: &Ctx,
    form: &HashMap<String, String>,
    failure: Option<&Failure>,
    mailed: bool,
) -> Response {
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
            @if mailed {
                div class="notice" role="status" {
                    p { (ctx.t("Bila akun ini mempunyai alamat e-mail, kode pemulihan sudah dikirim ke sana. Periksa kotak masuk Anda, lalu isi formulir di bawah.",
                               "If this account has an e-mail address, a recovery code has been sent there. Check your inbox, then fill in the form below.")) }
                }
            }
            h2 { (ctx.t("Kode lewat e-mail", "A code by e-mail")) }
            p { (ctx.t("Bila Anda pernah mengisi alamat e-mail di akun Anda, kami kirimkan kode ke sana.",
                       "If you gave an e-mail address in your account, we send the code there.")) }
            form method="post" action="/reset/email" {
                (csrf_field(ctx))
                (field(Field::new("mail_username", ctx.t("Nama pengguna", "Username"), val(form, "mail_username")).required().extra("username")))
                button type="submit" { (ctx.t("Kirim kode ke e-mail saya", "Send a code to my e-mail")) }
            }
            h2 { (ctx.t("Kode dari kantor kelurahan", "A code from the kelurahan office")) }
            p { (ctx.t("Datanglah ke kantor kelurahan dengan KTP. Petugas memeriksa identitas Anda dan memberi kode pemulihan (berlaku 24 jam, sekali pakai). Tulis kode itu di sini bersama kata sandi baru.",
                       "Go to the kelurahan office with your KTP. Staff check who you are and give you a recovery code (valid for 24 hours, once). Enter it here with a new password.")) }
            (form_errors(ctx, failure))
            h2 { (ctx.t("Atur kata sandi baru", "Set a new password")) }
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
        Err(f) => page(&ctx, &form, Some(&f), false),
    }
}

/// `GET /office/recovery-code`: kelurahan staff (and admins) issue a resident's recovery code,
/// after checking the person at the counter.
pub async fn office_form(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return super::login_first(&ctx);
    }
    office_page(&ctx, "", None, None)
}

fn office_page(
    ctx: &Ctx,
    username: &str,
    issued: Option<&Value>,
    failure: Option<&Failure>,
) -> Response {
    let title = ctx.t("Kode pemulihan kata sandi", "Password recovery code");
    let status = match failure.map(|f| f.code.as_str()) {
        None => StatusCode::OK,
        Some("FORBIDDEN") => StatusCode::FORBIDDEN,
        Some("NOT_FOUND") => StatusCode::NOT_FOUND,
        Some(_) => StatusCode::BAD_REQUEST,
    };
    page_with(
        ctx,
        status,
        title,
        html! {
            h1 { (title) }
            p { (ctx.t("Untuk warga yang lupa kata sandinya. Periksa dulu KTP-nya: kode ini membuka akunnya. Pembuatan kode tercatat di jejak audit atas nama Anda.",
                       "For a resident who forgot the password. Check their KTP first: this code opens their account. Issuing it is recorded in the audit trail under your name.")) }
            (form_errors(ctx, failure))
            @if let Some(c) = issued {
                div class="notice" role="status" {
                    p { (ctx.t("Berikan kode ini kepada warga (hanya ditampilkan sekali):", "Give this code to the resident (shown only once):")) }
                    p { strong id="recovery-code" { (c["code"].as_str().unwrap_or("")) } }
                    p { (ctx.t("Berlaku sampai ", "Valid until ")) (crate::layout::when(ctx.lang, c["expiresAt"].as_str().unwrap_or(""))) ". "
                        (ctx.t("Warga membuka halaman Lupa kata sandi (/reset).", "The resident opens the Forgot password page (/reset).")) }
                }
            }
            form method="post" action="/office/recovery-code" {
                (csrf_field(ctx))
                (field(Field::new("username", ctx.t("Nama pengguna warga", "The resident's username"), username).required().extra("off")))
                button type="submit" { (ctx.t("Buat kode", "Issue a code")) }
            }
        },
        "",
    )
}

pub async fn office_issue(ctx: Ctx, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return super::login_first(&ctx);
    }
    let username = val(&form, "username");
    let r = ctx
        .api::<Value>(
            "mutation($u: String!) { issuePasswordResetCode(username: $u) { code expiresAt } }",
            json!({ "u": username }),
        )
        .await;
    match r {
        Ok(v) => office_page(&ctx, "", Some(&v["issuePasswordResetCode"]), None),
        Err(f) => office_page(&ctx, username, None, Some(&f)),
    }
}
