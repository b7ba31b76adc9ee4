//! Generic public services (a LAPOR complaint, a permit): the list of services a resident may
//! start, a form generated from the workflow file's own fields (title, type, required, enum
//! values, length), and following a case by its tracking code. A new service is a workflow
//! file; this page needs no change for it.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{login_first, not_found, val, FormData};
use crate::api::Failure;
use crate::ctx::Ctx;
use crate::layout::{
    csrf_field, failure, field, form_errors, page, page_with, select, when, Field,
};

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Service {
    name: String,
    title: String,
    description: String,
    is_latest: bool,
    start_roles: Vec<String>,
    module_api: Option<String>,
    start_fields: Vec<FieldDef>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct FieldDef {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    required: bool,
    title: String,
    max_length: Option<i64>,
    values: Vec<String>,
}

/// The services residents start: generic workflows (no module owns them) whose start roles
/// name residents.
async fn services(ctx: &Ctx) -> Vec<Service> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        workflow_definitions: Vec<Service>,
    }
    ctx.api::<R>(
        "{ workflowDefinitions { name title description isLatest startRoles moduleApi startFields { name type required title maxLength values } } }",
        json!({}),
    )
    .await
    .map(|r| r.workflow_definitions)
    .unwrap_or_default()
    .into_iter()
    .filter(|d| d.is_latest && d.module_api.is_none() && d.start_roles.iter().any(|r| r == "resident"))
    .collect()
}

pub async fn index(ctx: Ctx) -> Response {
    let list = services(&ctx).await;
    let title = ctx.t("Layanan publik", "Public services");
    page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            ul class="cards" {
                @for s in &list {
                    li class="card" {
                        h2 { a href={ "/services/" (s.name) "/new" } { (s.title) } }
                        p { (s.description) }
                    }
                }
            }
            h2 { (ctx.t("Ikuti pengajuan Anda", "Follow your request")) }
            (track_form(&ctx, ""))
            h2 { (ctx.t("Kinerja dan keterbukaan", "Performance and disclosure")) }
            ul {
                li { a href="/services/levels" { (ctx.t("Kinerja pelayanan per OPD", "Service levels per OPD")) } }
                li { a href="/services/ppid-permohonan/register" { (ctx.t("Register permohonan informasi (PPID)", "Register of information requests (PPID)")) } }
            }
        },
    )
}

fn track_form(ctx: &Ctx, code: &str) -> Markup {
    html! {
        form method="get" action="/track" {
            (field(Field::new("code", ctx.t("Kode pelacakan", "Tracking code"), code).required().extra("off")
                .hint(ctx.t("Contoh: 1234-7KQ2M9XA (tertera saat pengajuan dikirim).", "For example: 1234-7KQ2M9XA (shown when the request was sent)."))))
            button type="submit" { (ctx.t("Lacak", "Track")) }
        }
    }
}

fn input_for(ctx: &Ctx, f: &FieldDef, value: &str, refused: Option<&Failure>) -> Markup {
    let error = refused.and_then(|r| {
        r.field(&f.name)
            .or_else(|| r.field(&format!("input.{}", f.name)))
    });
    let label = if f.title.is_empty() {
        f.name.as_str()
    } else {
        f.title.as_str()
    };
    match f.ty.as_str() {
        "enum" => {
            let mut opts: Vec<(String, String)> = f
                .values
                .iter()
                .map(|v| (v.clone(), v.replace('_', " ")))
                .collect();
            opts.insert(
                0,
                (String::new(), ctx.t("— pilih —", "— choose —").to_owned()),
            );
            select(&f.name, label, &opts, value, error)
        }
        "boolean" => html! {
            div class="field" { label { input type="checkbox" name=(f.name) value="true" checked[value == "true"]; " " (label) } }
        },
        _ => {
            let kind = match f.ty.as_str() {
                "text" if f.max_length.is_none_or(|m| m > 300) => "textarea",
                "date" => "date",
                "datetime" => "datetime-local",
                _ => "text",
            };
            let extra = match f.ty.as_str() {
                "decimal" => "off|decimal",
                "integer" => "off|numeric",
                _ => "",
            };
            let mut fl = Field::new(&f.name, label, value).kind(kind).extra(extra);
            fl.required = f.required;
            fl.error = error;
            field(fl)
        }
    }
}

fn form_page(
    ctx: &Ctx,
    s: &Service,
    form: &HashMap<String, String>,
    refused: Option<&Failure>,
) -> Response {
    page_with(
        ctx,
        if refused.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        &s.title,
        html! {
            h1 { (s.title) }
            p { (s.description) }
            (form_errors(ctx, refused))
            form method="post" action={ "/services/" (s.name) "/new" } {
                (csrf_field(ctx))
                // Uploads are not part of this form (a reference field stays empty).
                @for f in s.start_fields.iter().filter(|f| f.ty != "reference" || f.required) {
                    (input_for(ctx, f, val(form, &f.name), refused))
                }
                button type="submit" { (ctx.t("Kirim", "Send")) }
            }
        },
        "",
    )
}

async fn find(ctx: &Ctx, name: &str) -> Option<Service> {
    services(ctx).await.into_iter().find(|s| s.name == name)
}

pub async fn form(ctx: Ctx, Path(name): Path<String>) -> Response {
    if ctx.user.is_none() {
        return login_first(&ctx);
    }
    match find(&ctx, &name).await {
        Some(s) => form_page(&ctx, &s, &HashMap::new(), None),
        None => not_found(&ctx),
    }
}

/// The form's values as the workflow's input: each field by its type; empty ones left out.
fn input(s: &Service, form: &HashMap<String, String>) -> Map<String, Value> {
    let mut m = Map::new();
    for f in &s.start_fields {
        let v = val(form, &f.name);
        let value = match f.ty.as_str() {
            "boolean" => json!(v == "true"),
            _ if v.is_empty() => continue,
            "integer" => v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| json!(v)),
            // A time from the form is local time in the region (WIB).
            "datetime" if v.len() == 16 => json!(format!("{v}:00+07:00")),
            _ => json!(v),
        };
        m.insert(f.name.clone(), value);
    }
    m
}

pub async fn start(ctx: Ctx, Path(name): Path<String>, axum::Form(form): FormData) -> Response {
    let Some(user) = &ctx.user else {
        return login_first(&ctx);
    };
    let Some(s) = find(&ctx, &name).await else {
        return not_found(&ctx);
    };
    let Some(region) = user.home_region_id else {
        return failure(
            &ctx,
            &Failure::new(
                "FORBIDDEN",
                ctx.t(
                    "Akun ini tidak terdaftar di sebuah kelurahan/desa.",
                    "This account is not registered in a kelurahan/desa.",
                ),
            ),
        );
    };
    let r = ctx
        .api::<Value>(
            "mutation($w: String!, $r: ID!, $i: JSON) { startCase(workflow: $w, regionId: $r, input: $i) { id trackingCode } }",
            json!({ "w": s.name, "r": region.to_string(), "i": input(&s, &form) }),
        )
        .await;
    match r {
        Ok(v) => {
            let code = v["startCase"]["trackingCode"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            page(
                &ctx,
                &s.title,
                html! {
                    h1 { (s.title) }
                    div class="notice" role="status" {
                        p { strong { (ctx.t("Terkirim.", "Sent.")) } " " (ctx.t("Simpan kode pelacakan ini untuk mengikuti penanganannya:", "Keep this tracking code to follow how it is handled:")) }
                        p { code id="tracking-code" class="big" { (code) } }
                        p { a href={ "/track?code=" (code) } { (ctx.t("Lihat status sekarang", "See its status now")) } }
                    }
                },
            )
        }
        Err(f) => form_page(&ctx, &s, &form, Some(&f)),
    }
}

pub async fn track(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = q
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    let title = ctx.t("Lacak pengajuan", "Track a request");
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        track_case: Value,
    }
    let found = if code.is_empty() {
        None
    } else {
        Some(
            ctx.api::<R>("query($c: String!) { trackCase(code: $c) { code workflowTitle stateTitle isFinal createdAt updatedAt steps { at title stateTitle } deadlines { at title } } }", json!({ "c": code }))
                .await
                .map(|r| r.track_case),
        )
    };
    let status = match &found {
        Some(Err(_)) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    page_with(
        &ctx,
        status,
        title,
        html! {
            h1 { (title) }
            (track_form(&ctx, &code))
            @match &found {
                Some(Ok(t)) => {
                    h2 { (t["workflowTitle"].as_str().unwrap_or("")) }
                    p { (ctx.t("Status: ", "Status: ")) span class="badge" id="tracked-state" { (t["stateTitle"].as_str().unwrap_or("")) }
                        @if t["isFinal"] == json!(true) { " " (ctx.t("(selesai)", "(finished)")) } }
                    @for d in t["deadlines"].as_array().into_iter().flatten() {
                        p class="notice" { (ctx.t("Batas waktu: ", "Deadline: ")) strong { (when(ctx.lang, d["at"].as_str().unwrap_or(""))) } " — " (ctx.t("bila belum ditangani: ", "if not handled by then: ")) (d["title"].as_str().unwrap_or("")) }
                    }
                    ol class="timeline" {
                        @for st in t["steps"].as_array().into_iter().flatten() {
                            li { time { (when(ctx.lang, st["at"].as_str().unwrap_or(""))) } " — " strong { (st["title"].as_str().unwrap_or("")) } " → " (st["stateTitle"].as_str().unwrap_or("")) }
                        }
                    }
                },
                Some(Err(_)) => div class="alert" role="alert" data-code="NOT_FOUND" { p { (ctx.t("Kode ini tidak dikenal. Periksa lagi penulisannya.", "This code is not known. Check how it is written.")) } },
                None => {},
            }
        },
        "",
    )
}
