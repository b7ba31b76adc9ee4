//! e-Audit's HTTP routes beside GraphQL, with the same `Authorization: Bearer` token; errors
//! are JSON `{ "code", "message" }` in the request's language.
//!
//! - `POST /eaudit/findings/{id}/documents?name=bukti.pdf` (the team) and
//!   `POST /eaudit/recommendations/{id}/documents?name=setoran.pdf` (the OPD's staff), with the
//!   file as the body and its `Content-Type` → the document's metadata.
//! - `GET /eaudit/documents/{id}` → the file (`NOT_FOUND` to anyone who may not read it).
//! - `GET /eaudit/assignments/{id}/lhp.pdf` → the audit report (LHP).
//! - `GET /eaudit/assignments/{id}/trail.jsonl?workflow=…&actor=…&role=…&transition=…&case=…&from=…&to=…&text=…`
//!   → the selected events as JSON Lines (for `crates/audit/verify_export.py`).
//! - `GET /eaudit/assignments/{id}/trail.pdf?…` (the same filters) → the selection as PDF, with
//!   the verification of the range of the chain that holds it.
//! - `GET /eaudit/matrix.pdf?region={id}&opd=…` → the follow-up monitoring matrix.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use mufakat_kernel::AppState;
use mufakat_module_procurement::http::{error, Authed};
use serde::Deserialize;

use crate::service::findings::{OWNER_FINDING, OWNER_RECOMMENDATION};
use crate::service::{followups, reports, trail};

pub fn routes(state: AppState) -> Router {
    let max = state.settings.upload_max_bytes + 64 * 1024;
    Router::new()
        .route(
            "/eaudit/findings/{id}/documents",
            post(upload_to_finding).layer(DefaultBodyLimit::max(max)),
        )
        .route(
            "/eaudit/recommendations/{id}/documents",
            post(upload_to_recommendation).layer(DefaultBodyLimit::max(max)),
        )
        .route("/eaudit/documents/{id}", get(download))
        .route("/eaudit/assignments/{id}/lhp.pdf", get(lhp))
        .route("/eaudit/assignments/{id}/trail.jsonl", get(trail_export))
        .route("/eaudit/assignments/{id}/trail.pdf", get(trail_pdf))
        .route("/eaudit/matrix.pdf", get(matrix))
        .with_state(state)
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

async fn upload_to_finding(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<Name>,
    who: Authed,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    upload(state, who, OWNER_FINDING, id, q.name, h, body).await
}

async fn upload_to_recommendation(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<Name>,
    who: Authed,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    upload(state, who, OWNER_RECOMMENDATION, id, q.name, h, body).await
}

async fn upload(
    state: AppState,
    Authed { user: u, lang: l }: Authed,
    owner: &str,
    id: i32,
    name: String,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let up = followups::Upload {
        owner_kind: owner.into(),
        owner_id: id,
        name,
        content_type,
        bytes: body,
    };
    match followups::upload(&state, &u, up).await {
        Ok(d) => (
            axum::http::StatusCode::CREATED,
            Json(serde_json::json!({
            "id": d.id.to_string(),
            "name": d.name,
            "contentType": d.content_type,
            "sizeBytes": d.size_bytes,
            "sha256": d.sha256,
            "url": format!("/eaudit/documents/{}", d.id),
            })),
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}

fn file(content_type: &str, name: &str, bytes: impl Into<axum::body::Body>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes.into(),
    )
        .into_response()
}

async fn download(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Authed { user: u, lang: l }: Authed,
) -> Response {
    match followups::download(&state, &u, id).await {
        Ok((d, bytes)) => file(&d.content_type, &d.name, bytes),
        Err(e) => error(e, l),
    }
}

async fn lhp(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Authed { user: u, lang: l }: Authed,
) -> Response {
    match reports::audit_report(&state, &u, id, l).await {
        Ok(pdf) => file("application/pdf", &format!("lhp-{id}.pdf"), pdf),
        Err(e) => error(e, l),
    }
}

#[derive(Deserialize, Default)]
struct TrailQuery {
    case: Option<String>,
    workflow: Option<String>,
    actor: Option<String>,
    role: Option<String>,
    transition: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    text: Option<String>,
}

impl From<TrailQuery> for trail::Filter {
    fn from(q: TrailQuery) -> Self {
        trail::Filter {
            case: q.case,
            workflow: q.workflow,
            actor: q.actor,
            role: q.role,
            transition: q.transition,
            from: q.from,
            to: q.to,
            text: q.text,
            cases: vec![],
        }
    }
}

async fn trail_export(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<TrailQuery>,
    Authed { user: u, lang: l }: Authed,
) -> Response {
    match trail::export_jsonl(&state, &u, id, &q.into()).await {
        Ok(bytes) => file("application/x-ndjson", &format!("trail-{id}.jsonl"), bytes),
        Err(e) => error(e, l),
    }
}

async fn trail_pdf(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<TrailQuery>,
    Authed { user: u, lang: l }: Authed,
) -> Response {
    match trail::export_pdf(&state, &u, id, &q.into(), l).await {
        Ok(bytes) => file("application/pdf", &format!("trail-{id}.pdf"), bytes),
        Err(e) => error(e, l),
    }
}

#[derive(Deserialize)]
struct MatrixQuery {
    region: i32,
    opd: Option<String>,
}

async fn matrix(
    State(state): State<AppState>,
    Query(q): Query<MatrixQuery>,
    Authed { user: u, lang: l }: Authed,
) -> Response {
    match reports::matrix_pdf(&state, &u, q.region, q.opd.as_deref(), l).await {
        Ok(pdf) => file("application/pdf", "matriks-tindak-lanjut.pdf", pdf),
        Err(e) => error(e, l),
    }
}
