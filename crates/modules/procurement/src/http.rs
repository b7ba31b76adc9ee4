//! Procurement's HTTP routes beside GraphQL: uploading a vendor document (the request body is
//! the file) and downloading one. Both take the same `Authorization: Bearer` token as GraphQL;
//! errors are JSON `{ "code", "message" }` in the request's language.
//!
//! - `POST /procurement/vendors/{id}/documents?kind=npwp&name=npwp.pdf` with the file as the
//!   body and its `Content-Type` → the document's metadata.
//! - `GET /procurement/documents/{id}` → the file (`NOT_FOUND` to anyone who may not read it).
//! - `POST /procurement/items/{id}/photos?name=depan.jpg` with the image as the body → the
//!   photo's metadata (the item's vendor only); `GET /procurement/photos/{id}` → the image, for
//!   whoever may see the item (no token needed for items in the catalogue).
//! - `GET /procurement/orders/{id}/order.pdf` → the purchase order (SP) or work order (SPK).
//! - `GET /procurement/orders/{id}/receipts/{n}` → the `n`-th handover record (BAST), as PDF.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mufakat_core::{AppError, Lang};
use mufakat_kernel::services::accounts;
use mufakat_kernel::AppState;
use serde::Deserialize;

use crate::service::documents;

/// The routes, with a body limit of the largest accepted upload (plus room for the request).
pub fn routes(state: AppState) -> Router {
    let max = state.settings.upload_max_bytes + 64 * 1024;
    Router::new()
        .route(
            "/procurement/vendors/{id}/documents",
            post(upload).layer(DefaultBodyLimit::max(max)),
        )
        .route("/procurement/documents/{id}", get(download))
        .route(
            "/procurement/items/{id}/photos",
            post(upload_photo).layer(DefaultBodyLimit::max(max)),
        )
        .route("/procurement/photos/{id}", get(photo))
        .route("/procurement/orders/{id}/order.pdf", get(order_pdf))
        .route("/procurement/orders/{id}/receipts/{n}", get(receipt_pdf))
        .with_state(state)
}

/// The language a request asks for (`Accept-Language`), Bahasa Indonesia unless English.
pub fn lang(h: &HeaderMap) -> Lang {
    let v = h
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if v.trim_start().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// An error as JSON `{ code, message, fields }` with its HTTP status; internal causes are logged.
pub fn error(e: AppError, lang: Lang) -> Response {
    let status = match &e {
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "procurement upload/download");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let fields: Vec<_> = match &e {
        AppError::Validation(f) => f.iter().map(|f| serde_json::json!({"field": f.field, "rule": f.rule, "message": f.message.get(lang)})).collect(),
        _ => vec![],
    };
    (status, Json(serde_json::json!({ "code": e.code(), "message": e.message(lang, "-"), "fields": fields }))).into_response()
}

/// A request's signed-in user and language, as an extractor: a handler that takes it starts
/// with both, and a request without a valid token is answered with the coded error.
pub struct Authed {
    pub user: mufakat_kernel::auth::CurrentUser,
    pub lang: Lang,
}

impl axum::extract::FromRequestParts<AppState> for Authed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let lang = lang(&parts.headers);
        match user(state, &parts.headers).await {
            Ok(user) => Ok(Authed { user, lang }),
            Err(e) => Err(error(e, lang)),
        }
    }
}

/// The user of the request's `Authorization: Bearer` token.
pub async fn user(
    state: &AppState,
    h: &HeaderMap,
) -> Result<mufakat_kernel::auth::CurrentUser, AppError> {
    let token = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthenticated)?;
    accounts::authenticate(state, token.trim()).await
}

#[derive(Deserialize)]
struct UploadParams {
    kind: String,
    name: String,
}

async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<UploadParams>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let l = lang(&h);
    let u = match user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    match documents::upload(
        &state,
        &u,
        documents::Upload {
            vendor_id: id,
            kind: q.kind,
            name: q.name,
            content_type,
            bytes: body,
        },
    )
    .await
    {
        Ok(d) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": d.id.to_string(),
                "kind": d.kind,
                "name": d.name,
                "contentType": d.content_type,
                "sizeBytes": d.size_bytes,
                "sha256": d.sha256,
                "url": format!("/procurement/documents/{}", d.id),
            })),
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}

async fn download(State(state): State<AppState>, Path(id): Path<i32>, h: HeaderMap) -> Response {
    let l = lang(&h);
    let u = match user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match documents::download(&state, &u, id).await {
        Ok((d, bytes)) => (
            [
                (header::CONTENT_TYPE, d.content_type.clone()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        d.name.replace(['"', '\\', '\r', '\n'], "_")
                    ),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
                (
                    header::HeaderName::from_static("x-content-type-options"),
                    "nosniff".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}

fn pdf(bytes: Vec<u8>, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

async fn order_pdf(State(state): State<AppState>, Path(id): Path<i32>, h: HeaderMap) -> Response {
    let l = lang(&h);
    let u = match user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match crate::service::papers::order_pdf(&state, &u, id, l).await {
        Ok(b) => pdf(b, format!("pesanan-{id}.pdf")),
        Err(e) => error(e, l),
    }
}

async fn receipt_pdf(
    State(state): State<AppState>,
    Path((id, n)): Path<(i32, usize)>,
    h: HeaderMap,
) -> Response {
    let l = lang(&h);
    let u = match user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    match crate::service::papers::receipt_pdf(&state, &u, id, n, l).await {
        Ok(b) => pdf(b, format!("bast-{id}-{n}.pdf")),
        Err(e) => error(e, l),
    }
}

#[derive(Deserialize)]
struct PhotoParams {
    name: String,
}

async fn upload_photo(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    Query(q): Query<PhotoParams>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let l = lang(&h);
    let u = match user(&state, &h).await {
        Ok(u) => u,
        Err(e) => return error(e, l),
    };
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    match documents::upload_photo(&state, &u, id, &q.name, &content_type, body).await {
        Ok(d) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": d.id.to_string(),
                "name": d.name,
                "contentType": d.content_type,
                "sizeBytes": d.size_bytes,
                "sha256": d.sha256,
                "url": format!("/procurement/photos/{}", d.id),
            })),
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}

async fn photo(State(state): State<AppState>, Path(id): Path<i32>, h: HeaderMap) -> Response {
    let l = lang(&h);
    let u = if h.contains_key(header::AUTHORIZATION) {
        match user(&state, &h).await {
            Ok(u) => Some(u),
            Err(e) => return error(e, l),
        }
    } else {
        None
    };
    match documents::photo(&state, u.as_ref(), id).await {
        Ok((d, bytes)) => (
            [
                (header::CONTENT_TYPE, d.content_type.clone()),
                (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
                (
                    header::HeaderName::from_static("x-content-type-options"),
                    "nosniff".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(e, l),
    }
}
