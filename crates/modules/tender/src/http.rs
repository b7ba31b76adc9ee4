//! Procurement II's HTTP routes: the public OCDS endpoints (all releases in pages, one
//! process's record) and the download of an opened bid's document (its bidder and insiders).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use mufakat_core::AppError;
use mufakat_kernel::AppState;
use mufakat_module_procurement::http::{error, lang, Authed};
use serde::Deserialize;
use serde_json::Value;

use crate::service::{bids, get_procedure, is_insider, publish};

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/ocds/releases.json", get(releases))
        .route("/ocds/records/{ocid}", get(record))
        .route("/procurement/bids/{id}/documents/{n}", get(document))
        .route(
            "/procurement/procedures/{id}/bids",
            axum::routing::post(upload_bid).layer(axum::extract::DefaultBodyLimit::max(
                crate::seal::MAX_SEALED_BYTES,
            )),
        )
        .route("/procurement/procedures/{id}/{doc}", get(procedure_pdf))
        .route(
            "/procurement/objections/{id}/answer.pdf",
            get(objection_pdf),
        )
        .with_state(state)
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    after: i32,
    limit: Option<u64>,
}

fn json(v: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// A release package of at most `limit` (default 100, at most 1,000) releases published after
/// release number `after`; the next page is in the `Link` header.
async fn releases(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<Page>,
) -> Response {
    let l = lang(&headers);
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let run = async {
        let page = publish::releases(&state.db, q.after, limit).await?;
        let next = (page.len() as u64 == limit)
            .then(|| page.last().map(|r| r.id))
            .flatten();
        let list: Vec<Value> = page
            .iter()
            .map(|r| serde_json::from_str(&r.body).map_err(AppError::internal))
            .collect::<Result<_, _>>()?;
        let p = publish::publisher(&state)?;
        let uri = format!(
            "{}/ocds/releases.json?after={}&limit={limit}",
            p.uri, q.after
        );
        Ok::<_, AppError>((
            crate::ocds::release_package(list, &p, state.now(), &uri),
            next,
        ))
    };
    match run.await {
        Ok((pkg, next)) => {
            let mut r = json(pkg);
            if let Some(n) = next {
                if let Ok(v) = HeaderValue::from_str(&format!(
                    "</ocds/releases.json?after={n}&limit={limit}>; rel=\"next\""
                )) {
                    r.headers_mut().insert(header::LINK, v);
                }
            }
            r
        }
        Err(e) => error(e, l),
    }
}

/// One process's record package (its releases and compiled release).
async fn record(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(ocid): Path<String>,
) -> Response {
    let l = lang(&headers);
    let ocid = ocid.trim_end_matches(".json").to_owned();
    let run = async {
        let list = publish::of_ocid(&state.db, &ocid).await?;
        if list.is_empty() {
            return Err(AppError::NotFound { entity: "record" });
        }
        let p = publish::publisher(&state)?;
        let uri = format!("{}/ocds/records/{ocid}.json", p.uri);
        Ok(crate::ocds::record_package(
            vec![crate::ocds::record(&ocid, list)],
            &p,
            state.now(),
            &uri,
        ))
    };
    match run.await {
        Ok(v) => json(v),
        Err(e) => error(e, l),
    }
}

/// Document `n` (from 0) of an opened bid: for the bidder's company and the procedure's
/// insiders (Pokja, the package's PPK, auditors); `FORBIDDEN` otherwise and before the opening.
async fn document(
    State(state): State<AppState>,
    a: Authed,
    Path((id, n)): Path<(i32, usize)>,
) -> Response {
    let run = async {
        let b = bids::get_bid(&state.db, id).await?;
        let p = get_procedure(&state.db, b.procedure_id).await?;
        let own = mufakat_module_procurement::service::membership(&state.db, &a.user)
            .await?
            .is_some_and(|m| m.vendor_id == b.vendor_id);
        if p.opened_at.is_none() || !(own || is_insider(&state, &a.user, &p).await?) {
            return Err(AppError::Forbidden);
        }
        let docs: Vec<Value> = b
            .documents
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default();
        let d = docs
            .get(n)
            .ok_or(AppError::NotFound { entity: "document" })?;
        let key = d["key"].as_str().unwrap_or_default();
        let bytes = mufakat_module_procurement::runtime::get(&state)?
            .blobs
            .get(key)
            .await
            .map_err(AppError::internal)?;
        Ok((
            d["content_type"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_owned(),
            d["name"].as_str().unwrap_or("dokumen").to_owned(),
            bytes,
        ))
    };
    match run.await {
        Ok((ct, name, bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, ct),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", name.replace('"', "")),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(e, a.lang),
    }
}

fn pdf(name: String, bytes: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `/procurement/procedures/{id}/{announcement|opening|evaluation|award|sppbj}.pdf`: public
/// from the stage that makes each (the evaluation earlier for insiders, with a token).
async fn procedure_pdf(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path((id, doc)): Path<(i32, String)>,
) -> Response {
    let l = lang(&headers);
    let reader = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        Some(t) => match mufakat_kernel::services::accounts::authenticate(&state, t).await {
            Ok(u) => Some(u),
            Err(e) => return error(e, l),
        },
        None => None,
    };
    let Some(doc) = doc.strip_suffix(".pdf") else {
        return error(AppError::NotFound { entity: "document" }, l);
    };
    match crate::service::papers::procedure_pdf(&state, reader.as_ref(), id, doc, l).await {
        Ok((name, bytes)) => pdf(name, bytes),
        Err(e) => error(e, l),
    }
}

async fn objection_pdf(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(id): Path<i32>,
) -> Response {
    let l = lang(&headers);
    match crate::service::papers::objection_pdf(&state, id, l).await {
        Ok((name, bytes)) => pdf(name, bytes),
        Err(e) => error(e, l),
    }
}

/// `POST /procurement/procedures/{id}/bids`: a bid sealed on the vendor's side (the bytes of
/// the age file that `mufakat bid seal` wrote, up to 32 MB with its documents), for bids too
/// large for a GraphQL string. Answers 201 with the receipt.
async fn upload_bid(
    State(state): State<AppState>,
    a: Authed,
    Path(id): Path<i32>,
    body: axum::body::Bytes,
) -> Response {
    match bids::submit_sealed(&state, &a.user, id, body).await {
        Ok(r) => (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({
                "bidId": r.bid.id.to_string(),
                "procedureNumber": r.procedure_number,
                "sha256": r.bid.sha256,
                "sizeBytes": r.bid.size_bytes,
                "submittedAt": r.bid.submitted_at.to_rfc3339(),
            })
            .to_string(),
        )
            .into_response(),
        Err(e) => error(e, a.lang),
    }
}
