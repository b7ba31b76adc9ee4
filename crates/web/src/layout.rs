//! The page shell (header, navigation, language switch, footer), the security headers every
//! page carries, and the small pieces pages share: form fields with their errors, money and
//! dates as people read them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use mufakat_core::Lang;

use crate::api::Failure;
use crate::ctx::Ctx;

/// Pages may load only what this server serves; no inline script, and no inline style but the
/// stylesheet itself, which every page carries inline (allowed by its hash): on a slow 3G line
/// a separate stylesheet costs a round trip of seconds before anything shows.
fn csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self' '{}'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            crate::assets::css_hash()
        )
    })
}

pub fn headers(resp: &mut Response, private: bool) {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp()),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if private {
            "private, no-store"
        } else {
            "no-cache"
        }),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
}

fn shell(lang: Lang, title: &str, nav: Markup, body: Markup, body_class: &str) -> String {
    html! {
        (DOCTYPE)
        html lang=(if lang == Lang::En { "en" } else { "id" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Mufakat" }
                style { (maud::PreEscaped(crate::assets::CSS)) }
                link rel="icon" href=(crate::assets::url("icon.svg")) type="image/svg+xml";
                script src=(crate::assets::url("app.js")) defer {}
            }
            body class=(body_class) {
                a class="skip" href="#main" { (if lang == Lang::En { "Skip to content" } else { "Langsung ke isi" }) }
                (nav)
                main id="main" tabindex="-1" { (body) }
                footer class="foot" {
                    p {
                        "Mufakat · "
                        a href="/public" { (if lang == Lang::En { "Open data" } else { "Data terbuka" }) }
                        " · "
                        a href="/graphql" { "GraphQL API" }
                    }
                }
            }
        }
    }
    .into_string()
}

fn nav(ctx: &Ctx) -> Markup {
    let next = &ctx.path;
    html! {
        header class="top" {
            nav aria-label=(ctx.t("Navigasi utama", "Main navigation")) {
                a class="brand" href="/" { "Mufakat" }
                ul {
                    li { a href="/proposals" { (ctx.t("Usulan", "Proposals")) } }
                    li { a href="/priorities" { (ctx.t("Prioritas", "Priorities")) } }
                    li { a href="/services" { (ctx.t("Layanan", "Services")) } }
                    li { a href="/public" { (ctx.t("Data publik", "Public data")) } }
                    @if let Some(u) = &ctx.user {
                        li { a href="/me" { (ctx.t("Akun saya", "My account")) " (" (u.username) ")" } }
                        li {
                            form method="post" action="/logout" class="inline" {
                                (csrf_field(ctx))
                                button type="submit" class="link" { (ctx.t("Keluar", "Log out")) }
                            }
                        }
                    } @else {
                        li { a href={ "/login?next=" (urlencode(next)) } { (ctx.t("Masuk", "Log in")) } }
                        li { a href="/register" { (ctx.t("Daftar", "Register")) } }
                    }
                    li class="lang" {
                        @if ctx.is_en() {
                            a href={ "/lang/id?next=" (urlencode(next)) } lang="id" hreflang="id" { "Bahasa Indonesia" }
                        } @else {
                            a href={ "/lang/en?next=" (urlencode(next)) } lang="en" hreflang="en" { "English" }
                        }
                    }
                }
            }
        }
    }
}

/// A page of the app: the shell around `body`, with the security headers and the cookies the
/// request owes.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Response {
    page_with(ctx, StatusCode::OK, title, body, "")
}

pub fn page_with(
    ctx: &Ctx,
    status: StatusCode,
    title: &str,
    body: Markup,
    class: &str,
) -> Response {
    let html = shell(ctx.lang, title, nav(ctx), body, class);
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    headers(&mut resp, ctx.user.is_some());
    ctx.finish(resp)
}

/// A wall screen: no navigation.
pub fn wall(ctx: &Ctx, title: &str, body: Markup) -> Response {
    let html = shell(ctx.lang, title, html! {}, body, "wall");
    let mut resp = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    headers(&mut resp, ctx.user.is_some());
    ctx.finish(resp)
}

/// An API failure as a page: its message, with the status its code means.
pub fn failure(ctx: &Ctx, f: &Failure) -> Response {
    let status = match f.code.as_str() {
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
        "CONFLICT" => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let title = ctx.t("Tidak dapat ditampilkan", "Cannot be shown");
    page_with(
        ctx,
        status,
        title,
        html! {
            h1 { (title) }
            div class="alert" role="alert" data-code=(f.code) { p { (f.message) } }
            @if f.code == "UNAUTHENTICATED" || (f.code == "FORBIDDEN" && ctx.user.is_none()) {
                p { a href={ "/login?next=" (urlencode(&ctx.path)) } { (ctx.t("Masuk untuk melanjutkan", "Log in to continue")) } }
            }
            p { a href="/" { (ctx.t("Kembali ke beranda", "Back to the home page")) } }
        },
        "",
    )
}

/// An error page without a request context (the CSRF layer, before any handler).
pub fn bare_error(lang: Lang, status: StatusCode, code: &str, id: &str, en: &str) -> Response {
    let msg = if lang == Lang::En { en } else { id };
    let title = if lang == Lang::En {
        "Not sent"
    } else {
        "Tidak terkirim"
    };
    let html = shell(
        lang,
        title,
        html! {},
        html! { h1 { (title) } div class="alert" role="alert" data-code=(code) { p { (msg) } } p { a href="/" { "Mufakat" } } },
        "",
    );
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    headers(&mut resp, true);
    resp
}

pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.csrf_token()); }
}

/// The summary at the top of a refused form: what went wrong, and a link to each field.
pub fn form_errors(ctx: &Ctx, f: Option<&Failure>) -> Markup {
    html! {
        @if let Some(f) = f {
            div class="alert" role="alert" tabindex="-1" id="form-errors" data-code=(f.code) {
                p { strong { (f.message) } }
                @if !f.fields.is_empty() {
                    ul {
                        @for (field, msg) in &f.fields {
                            li { a href={ "#f-" (field) } { (msg) } }
                        }
                    }
                }
                p class="hint" { (ctx.t("Isian Anda tetap tersimpan di formulir ini.", "What you entered is still in this form.")) }
            }
        }
    }
}

pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub extra: &'a str,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str) -> Field<'a> {
        Field {
            name,
            label,
            value,
            kind: "text",
            required: false,
            hint: None,
            error: None,
            extra: "",
        }
    }
    pub fn kind(mut self, k: &'a str) -> Self {
        self.kind = k;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: &'a str) -> Self {
        self.hint = Some(h);
        self
    }
    pub fn error(mut self, f: Option<&'a Failure>, api_name: &str) -> Self {
        self.error = f.and_then(|f| f.field(api_name));
        self
    }
    /// `inputmode` / `autocomplete` and the like.
    pub fn extra(mut self, e: &'a str) -> Self {
        self.extra = e;
        self
    }
}

pub fn field(f: Field) -> Markup {
    let id = format!("f-{}", f.name);
    let described = match (f.hint.is_some(), f.error.is_some()) {
        (_, true) => format!("{id}-err"),
        (true, false) => format!("{id}-hint"),
        _ => String::new(),
    };
    let (autocomplete, inputmode) = f.extra.split_once('|').unwrap_or((f.extra, ""));
    html! {
        div class={ "field" @if f.error.is_some() { " invalid" } } {
            label for=(id) { (f.label) @if f.required { " " span class="req" aria-hidden="true" { "*" } } }
            @if let Some(h) = f.hint { p class="hint" id={ (id) "-hint" } { (h) } }
            @if let Some(e) = f.error { p class="err" id={ (id) "-err" } { (e) } }
            @if f.kind == "textarea" {
                textarea id=(id) name=(f.name) rows="5" required[f.required]
                    aria-invalid=[f.error.map(|_| "true")]
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())] { (f.value) }
            } @else {
                input id=(id) name=(f.name) type=(f.kind) value=(f.value) required[f.required]
                    autocomplete=[(!autocomplete.is_empty()).then_some(autocomplete)]
                    inputmode=[(!inputmode.is_empty()).then_some(inputmode)]
                    aria-invalid=[f.error.map(|_| "true")]
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
            }
        }
    }
}

pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    error: Option<&str>,
) -> Markup {
    let id = format!("f-{name}");
    html! {
        div class={ "field" @if error.is_some() { " invalid" } } {
            label for=(id) { (label) }
            @if let Some(e) = error { p class="err" id={ (id) "-err" } { (e) } }
            select id=(id) name=(name) aria-describedby=[error.map(|_| format!("{id}-err"))] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Rupiah as people write it: `Rp 1.250.000` (sen only when there are any); an amount the
/// API sent that is not one is shown as it came.
pub fn money(amount: &str) -> String {
    match mufakat_core::Money::parse(amount) {
        Ok(m) => m.to_rupiah_short(),
        Err(_) => amount.to_owned(),
    }
}

const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A time as people in the region read it: `7 Des 2026 14.05 WIB` (Western Indonesia Time).
pub fn when(lang: Lang, rfc3339: &str) -> String {
    use chrono::{Datelike, Timelike};
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_owned();
    };
    let wib = t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"));
    let months = if lang == Lang::En {
        MONTHS_EN
    } else {
        MONTHS_ID
    };
    let sep = if lang == Lang::En { ':' } else { '.' };
    format!(
        "{} {} {} {:02}{sep}{:02} WIB",
        wib.day(),
        months[wib.month0() as usize],
        wib.year(),
        wib.hour(),
        wib.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_dates_read_as_people_write_them() {
        assert_eq!(money("1250000"), "Rp 1.250.000");
        assert_eq!(money("1250000.50"), "Rp 1.250.000,50");
        assert_eq!(money("999"), "Rp 999");
        assert_eq!(money("-1000"), "-Rp 1.000");
        assert_eq!(money("bukan angka"), "bukan angka");
        assert_eq!(
            when(Lang::Id, "2026-12-07T07:05:00Z"),
            "7 Des 2026 14.05 WIB"
        );
        assert_eq!(
            when(Lang::En, "2026-12-31T20:00:00+00:00"),
            "1 Jan 2027 03:00 WIB"
        );
        assert_eq!(
            urlencode("/proposals?x=1&y=2"),
            "%2Fproposals%3Fx%3D1%26y%3D2"
        );
    }
}
