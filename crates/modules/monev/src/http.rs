//! Monev's HTTP routes beside GraphQL, with the same `Authorization: Bearer` token; errors are
//! JSON `{ "code", "message" }` in the request's language.
//!
//! - `POST /monev/reports/{id}/photos?name=foto.jpg&takenAt=2027-03-30T02:00:00Z&latitude=-6.2&longitude=106.8`
//!   (OPD staff or a named supervisor; the image as the body with its `Content-Type`) → the
//!   photo's metadata.
//! - `GET /monev/photos/{id}` → the image (public once its report is verified).
//! - `GET /monev/activities/{id}/sheet.pdf` → the activity's progress sheet (public: verified
//!   reports; flags for those who read them).
//! - `GET /monev/quarterly.pdf?region={id}&opd=…&year=2027&quarter=1` → the OPD's quarterly
//!   monev report (public; flags for those who read them).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use mufakat_kernel::AppState;
use mufakat_module_procurement::http::{error, lang, user, Authed};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::service::{papers, reports};

pub fn routes(state: AppState) -> Router {
    let max = state.settings.upload_max_bytes + 64 * 1024;
    Router::new()
        .route(
            "/monev/reports/{id}/photos",
            post(upload).layer(DefaultBodyLimit::max(max)),
        )
        .route("/monev/photos/{id}", get(download))
        .route("/monev/activities/{id}/sheet.pdf", get(sheet))
        .route("/monev/quarterly.pdf", get(quarterly))
        .with_state(state)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhotoParams {
    name: String,
    taken_at: Option<DateTime<Utc>>,
    latitude: Option<Decimal>,
    longitude: Option<Decimal>,
}

async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<PhotoParams>,
    Authed { user: u, lang: l }: Authed,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let up = reports::PhotoUpload {
        report_id: id,
        name: q.name,
        content_type,
        bytes: body,
        taken_at: q.taken_at,
        latitude: q.latitude,
        longitude: q.longitude,
    };
    match reports::upload_photo(&state, &u, up).await {
        Ok(p) => (
            axum::http::StatusCode::CREATED,
            Json(serde_json::json!({
                "id": p.id.to_string(),
                "name": p.name,
                "contentType": p.content_type,
                "sizeBytes": p.size_bytes,
                "sha256": p.sha256,
                "url": format!("/monev/photos/{}", p.id),
            })),
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}

fn file(
    content_type: &str,
    name: &str,
    public: bool,
    bytes: impl Into<axum::body::Body>,
) -> Response {
    let disposition = if content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\""),
            ),
            (
                header::CACHE_CONTROL,
                if public {
                    "public, max-age=300"
                } else {
                    "private, no-store"
                }
                .to_owned(),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes.into(),
    )
        .into_response()
}

/// The request's user, if it carries a token (a bad token is an error, no token is the public).
async fn maybe_user(
    state: &AppState,
    h: &HeaderMap,
) -> Result<Option<mufakat_kernel::auth::CurrentUser>, mufakat_core::AppError> {
    if h.get(header::AUTHORIZATION).is_none() {
        return Ok(None);
    }
    user(state, h).await.map(Some)
}

async fn download(State(state): State<AppState>, Path(id): Path<i32>, h: HeaderMap) -> Response {
    let l = lang(&h);
    let u = match maybe_user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match reports::download_photo(&state, u.as_ref(), id).await {
        Ok((p, bytes)) => {
            let ext = p.content_type.trim_start_matches("image/");
            file(
                &p.content_type,
                &format!("foto-{}.{ext}", p.id),
                u.is_none(),
                bytes,
            )
        }
        Err(e) => error(e, l),
    }
}

async fn sheet(State(state): State<AppState>, Path(id): Path<i32>, h: HeaderMap) -> Response {
    let l = lang(&h);
    let u = match maybe_user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match papers::sheet(&state, u.as_ref(), id, l).await {
        Ok(pdf) => file("application/pdf", &format!("kemajuan-{id}.pdf"), false, pdf),
        Err(e) => error(e, l),
    }
}

#[derive(Deserialize)]
struct QuarterQuery {
    region: i32,
    opd: String,
    year: i32,
    quarter: u8,
}

async fn quarterly(
    State(state): State<AppState>,
    Query(q): Query<QuarterQuery>,
    h: HeaderMap,
) -> Response {
    let l = lang(&h);
    let u = match maybe_user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match papers::quarterly(&state, u.as_ref(), q.region, &q.opd, q.year, q.quarter, l).await {
        Ok(pdf) => file(
            "application/pdf",
            &format!("monev-triwulan-{}-{}.pdf", q.year, q.quarter),
            false,
            pdf,
        ),
        Err(e) => error(e, l),
    }
}
