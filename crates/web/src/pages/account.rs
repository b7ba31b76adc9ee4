//! Accounts: register as a resident, log in and out, change the password. The session is the
//! API's token in an HttpOnly cookie; the API's limits on logins and registrations apply.

use std::collections::HashMap;

use axum::extract::Query;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{login_first, safe_next, see_other, val, FormData};
use crate::api::Failure;
use crate::ctx::{Ctx, SESSION_COOKIE};
use crate::layout::{csrf_field, field, form_errors, page, page_with, select, Field};

#[derive(Deserialize)]
struct Auth {
    token: String,
    #[serde(rename = "expiresAt")]
    expires_at: String,
}

/// A mutation that answers with a session (`AuthPayload` under `field`).
async fn auth(
    ctx: &Ctx,
    query: &str,
    vars: serde_json::Value,
    field: &str,
) -> Result<Auth, Failure> {
    let mut r = ctx
        .api::<std::collections::HashMap<String, Auth>>(query, vars)
        .await?;
    r.remove(field).ok_or_else(|| {
        Failure::new(
            "INTERNAL",
            ctx.t(
                "Terjadi kesalahan pada server.",
                "Something went wrong on the server.",
            ),
        )
    })
}

fn session_cookie(ctx: &Ctx, resp: &mut Response, auth: &Auth) {
    let secs = chrono::DateTime::parse_from_rfc3339(&auth.expires_at)
        .map(|t| (t.timestamp() - chrono::Utc::now().timestamp()).max(60))
        .unwrap_or(3600);
    ctx.set_cookie(resp, SESSION_COOKIE, &auth.token, secs);
}

pub async fn login_form(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    login_page(&ctx, &q, None)
}

fn login_page(ctx: &Ctx, form: &HashMap<String, String>, failure: Option<&Failure>) -> Response {
    let title = ctx.t("Masuk", "Log in");
    let next = safe_next(form.get("next"));
    let status = match failure.map(|f| f.code.as_str()) {
        Some("RATE_LIMITED") => axum::http::StatusCode::TOO_MANY_REQUESTS,
        Some(_) => axum::http::StatusCode::UNAUTHORIZED,
        None => axum::http::StatusCode::OK,
    };
    page_with(
        ctx,
        status,
        title,
        html! {
            h1 { (title) }
            (form_errors(ctx, failure))
            form method="post" action="/login" {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(next);
                (field(Field::new("username", ctx.t("Nama pengguna", "Username"), val(form, "username")).required().extra("username")))
                (field(Field::new("password", ctx.t("Kata sandi", "Password"), "").kind("password").required().extra("current-password")))
                button type="submit" { (title) }
            }
            @if form.get("reset").is_some() { p class="notice" role="status" { (ctx.t("Kata sandi baru sudah diatur. Silakan masuk.", "Your new password is set. Please log in.")) } }
            p { (ctx.t("Belum punya akun?", "No account yet?")) " " a href="/register" { (ctx.t("Daftar sebagai warga", "Register as a resident")) } }
            p { a href="/reset" { (ctx.t("Lupa kata sandi?", "Forgot your password?")) } }
        },
        "",
    )
}

pub async fn login(ctx: Ctx, axum::Form(form): FormData) -> Response {
    match auth(&ctx, "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt } }", json!({ "u": val(&form, "username"), "p": form.get("password").cloned().unwrap_or_default() }), "login").await {
        Ok(auth) => {
            let mut resp = see_other(&ctx, &safe_next(form.get("next")));
            session_cookie(&ctx, &mut resp, &auth);
            resp
        }
        Err(f) => login_page(&ctx, &form, Some(&f)),
    }
}

#[derive(Deserialize)]
struct Kelurahan {
    id: String,
    name: String,
    parent: Option<Parent>,
}
#[derive(Deserialize)]
struct Parent {
    name: String,
}

async fn kelurahan_options(ctx: &Ctx) -> Vec<(String, String)> {
    #[derive(Deserialize)]
    struct R {
        regions: Vec<Kelurahan>,
    }
    let r: Result<R, _> = ctx
        .api(
            "{ regions(level: KELURAHAN_DESA) { id name parent { name } } }",
            json!({}),
        )
        .await;
    let mut out: Vec<(String, String)> = r
        .map(|r| r.regions)
        .unwrap_or_default()
        .into_iter()
        .map(|k| {
            let label = match k.parent {
                Some(p) => format!("{} — {}", k.name, p.name),
                None => k.name,
            };
            (k.id, label)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.insert(
        0,
        (
            String::new(),
            ctx.t("— pilih kelurahan/desa —", "— choose your kelurahan/desa —")
                .to_owned(),
        ),
    );
    out
}

pub async fn register_form(ctx: Ctx) -> Response {
    register_page(&ctx, &HashMap::new(), None).await
}

async fn register_page(
    ctx: &Ctx,
    form: &HashMap<String, String>,
    failure: Option<&Failure>,
) -> Response {
    let title = ctx.t("Daftar sebagai warga", "Register as a resident");
    let options = kelurahan_options(ctx).await;
    let status = if failure.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    page_with(
        ctx,
        status,
        title,
        html! {
            h1 { (title) }
            p class="muted" { (ctx.t(
                "NIK Anda hanya disimpan sebagai sidik kunci (hash), tidak pernah ditampilkan.",
                "Your NIK is kept only as a keyed hash and is never shown.")) }
            (form_errors(ctx, failure))
            form method="post" action="/register" {
                (csrf_field(ctx))
                (field(Field::new("name", ctx.t("Nama lengkap", "Full name"), val(form, "name")).required().error(failure, "name").extra("name")))
                (field(Field::new("username", ctx.t("Nama pengguna", "Username"), val(form, "username")).required().error(failure, "username").extra("username")
                    .hint(ctx.t("Huruf kecil, angka, titik atau garis bawah.", "Lower-case letters, digits, dots or underscores."))))
                (field(Field::new("nik", "NIK", val(form, "nik")).required().error(failure, "nik").extra("off|numeric")
                    .hint(ctx.t("16 angka, sesuai KTP.", "16 digits, as on your identity card."))))
                (select("kelurahanId", ctx.t("Kelurahan/desa tempat tinggal", "Kelurahan/desa where you live"), &options, val(form, "kelurahanId"),
                    failure.and_then(|f| f.field("kelurahanId"))))
                (field(Field::new("password", ctx.t("Kata sandi", "Password"), "").kind("password").required().error(failure, "password").extra("new-password")
                    .hint(ctx.t("Paling sedikit 10 karakter.", "At least 10 characters."))))
                button type="submit" { (ctx.t("Daftar", "Register")) }
            }
        },
        "",
    )
}

pub async fn register(ctx: Ctx, axum::Form(form): FormData) -> Response {
    match auth(&ctx, "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { token expiresAt } }", json!({ "i": {
                "username": val(&form, "username"), "name": val(&form, "name"), "nik": val(&form, "nik"),
                "kelurahanId": val(&form, "kelurahanId"),
                "password": form.get("password").cloned().unwrap_or_default(),
            }}), "registerResident").await {
        Ok(auth) => {
            let mut resp = see_other(&ctx, "/me?welcome=1");
            session_cookie(&ctx, &mut resp, &auth);
            resp
        }
        Err(f) => register_page(&ctx, &form, Some(&f)).await,
    }
}

pub async fn logout(ctx: Ctx) -> Response {
    if ctx.user.is_some() {
        let _ = ctx
            .api::<serde_json::Value>("mutation { logout }", json!({}))
            .await;
    }
    let mut resp = see_other(&ctx, "/");
    ctx.set_cookie(&mut resp, SESSION_COOKIE, "", 0);
    resp
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    display_name: String,
    username: String,
    email: Option<String>,
    home_region: Option<Parent>,
    roles: Vec<Grant>,
}
#[derive(Deserialize)]
struct Grant {
    role: String,
    region: Option<Parent>,
}

pub async fn me(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    #[derive(Deserialize)]
    struct R {
        me: Me,
    }
    let me = match ctx
        .api::<R>(
            "{ me { displayName username email homeRegion { name } roles { role region { name } } } }",
            json!({}),
        )
        .await
    {
        Ok(r) => r.me,
        Err(f) => return crate::layout::failure(&ctx, &f),
    };
    let cycles = super::home::cycles(&ctx).await;
    let title = ctx.t("Akun saya", "My account");
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            @if q.contains_key("welcome") { div class="notice" role="status" { p { (ctx.t("Akun Anda sudah dibuat. Selamat datang!", "Your account is ready. Welcome!")) } } }
            @if q.contains_key("password") { div class="notice" role="status" { p { (ctx.t("Kata sandi diganti.", "Password changed.")) } } }
            @if q.contains_key("email") { div class="notice" role="status" { p { (ctx.t("Alamat surel disimpan.", "E-mail address saved.")) } } }
            dl class="facts" {
                dt { (ctx.t("Nama", "Name")) } dd { (me.display_name) }
                dt { (ctx.t("Nama pengguna", "Username")) } dd { (me.username) }
                @if let Some(r) = &me.home_region { dt { (ctx.t("Wilayah", "Region")) } dd { (r.name) } }
                dt { (ctx.t("Peran", "Roles")) }
                dd { @for g in &me.roles { span class="badge" { (g.role.to_lowercase()) @if let Some(r) = &g.region { " · " (r.name) } } " " } }
            }
            ul {
                li { a href="/me/proposals" { (ctx.t("Usulan saya dan suara saya", "My proposals and my votes")) } }
                li { a href="/me/notifications" { (ctx.t("Pemberitahuan", "Notifications")) } }
                li { a href="/proposals/new" { (ctx.t("Buat usulan baru", "Write a new proposal")) } }
                li { a href="/services" { (ctx.t("Pengaduan dan layanan", "Complaints and services")) } }
                li { a href="/receipt" { (ctx.t("Periksa tanda terima suara", "Check a vote receipt")) } }
                li { a href="/me/password" { (ctx.t("Ganti kata sandi", "Change password")) } }
                @if me.roles.iter().any(|g| g.role == "KELURAHAN_STAFF" || g.role == "ADMIN") {
                    li { a href="/office/recovery-code" { (ctx.t("Kode pemulihan kata sandi warga", "A resident's password recovery code")) } }
                }
            }
            (email_form(&ctx, me.email.as_deref().unwrap_or(""), None))
            @for c in cycles.iter().filter(|c| c.phase != "closed") {
                section class="card" {
                    h2 { a href={ "/cycles/" (c.id) } { (c.name) } }
                    p { (ctx.t("Tahap sekarang: ", "Phase now: ")) span class="badge" { (super::home::phase_title(&ctx, &c.phase)) } }
                    (super::home::phases(&ctx, c))
                    @if c.phase == "submission" { p { a class="btn" href={ "/proposals/new?cycle=" (c.id) } { (ctx.t("Buat usulan", "Write a proposal")) } } }
                    @if c.phase == "voting" { p { a class="btn" href={ "/proposals?cycle=" (c.id) "&status=submitted" } { (ctx.t("Beri suara", "Vote")) } } }
                }
            }
        },
    )
}

pub async fn password_form(ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    password_page(&ctx, None)
}

fn password_page(ctx: &Ctx, failure: Option<&Failure>) -> Response {
    let title = ctx.t("Ganti kata sandi", "Change password");
    page_with(
        ctx,
        if failure.is_some() {
            axum::http::StatusCode::BAD_REQUEST
        } else {
            axum::http::StatusCode::OK
        },
        title,
        html! {
            h1 { (title) }
            (form_errors(ctx, failure))
            form method="post" action="/me/password" {
                (csrf_field(ctx))
                (field(Field::new("current", ctx.t("Kata sandi sekarang", "Current password"), "").kind("password").required().error(failure, "currentPassword").extra("current-password")))
                (field(Field::new("new", ctx.t("Kata sandi baru", "New password"), "").kind("password").required().error(failure, "newPassword").extra("new-password")
                    .hint(ctx.t("Paling sedikit 10 karakter. Sesi lain akan dikeluarkan.", "At least 10 characters. Your other sessions are logged out."))))
                button type="submit" { (title) }
            }
        },
        "",
    )
}

pub async fn change_password(ctx: Ctx, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match auth(&ctx, "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token expiresAt } }", json!({ "c": form.get("current").cloned().unwrap_or_default(), "n": form.get("new").cloned().unwrap_or_default() }), "changePassword").await {
        Ok(auth) => {
            let mut resp = see_other(&ctx, "/me?password=1");
            session_cookie(&ctx, &mut resp, &auth);
            resp
        }
        Err(f) => password_page(&ctx, Some(&f)),
    }
}

/// The optional e-mail address on `/me`: notifications are then also sent there.
fn email_form(ctx: &Ctx, value: &str, failure: Option<&Failure>) -> maud::Markup {
    html! {
        section class="card" {
            h2 { (ctx.t("Pemberitahuan lewat surel", "Notifications by e-mail")) }
            (form_errors(ctx, failure))
            form method="post" action="/me/email" {
                (csrf_field(ctx))
                (field(Field::new("email", ctx.t("Alamat surel (boleh kosong)", "E-mail address (may be empty)"), value).kind("email").error(failure, "email").extra("email")
                    .hint(ctx.t("Kabar tentang usulan Anda dan yang Anda dukung juga dikirim ke sini. Kosongkan untuk berhenti.", "News of your proposals and those you supported is also sent here. Leave empty to stop."))))
                button type="submit" { (ctx.t("Simpan", "Save")) }
            }
        }
    }
}

pub async fn set_email(ctx: Ctx, axum::Form(form): FormData) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    let email = val(&form, "email");
    let v = if email.is_empty() {
        Value::Null
    } else {
        json!(email)
    };
    match ctx
        .api::<Value>(
            "mutation($e: String) { setEmail(email: $e) { email } }",
            json!({ "e": v }),
        )
        .await
    {
        Ok(_) => see_other(&ctx, "/me?email=1"),
        Err(f) => {
            let title = ctx.t("Akun saya", "My account");
            page_with(
                &ctx,
                axum::http::StatusCode::BAD_REQUEST,
                title,
                html! { h1 { (title) } (email_form(&ctx, email, Some(&f))) },
                "",
            )
        }
    }
}
