//! The app's own assets, built into the binary (no CDN, nothing to install): one stylesheet,
//! one small script, an icon; GraphiQL's vendored files under `/assets/graphiql/`. URLs carry
//! a hash of the content, so browsers keep them for a year and a change is fetched at once.

use std::sync::OnceLock;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The stylesheet, inlined in every page (and served for anyone who wants the file).
pub const CSS: &str = include_str!("../assets/app.css");

/// The CSP source that allows the inline stylesheet: `sha256-<base64>`.
pub fn css_hash() -> String {
    use base64::Engine;
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()))
    )
}

const FILES: [(&str, &[u8], &str); 3] = [
    ("app.css", CSS.as_bytes(), "text/css; charset=utf-8"),
    (
        "app.js",
        include_bytes!("../assets/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "icon.svg",
        include_bytes!("../assets/icon.svg"),
        "image/svg+xml",
    ),
];

fn versions() -> &'static Vec<(&'static str, String)> {
    static V: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    V.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, bytes, _)| (*name, hex::encode(&Sha256::digest(bytes)[..6])))
            .collect()
    })
}

/// The URL of one of the app's assets, with its content hash.
pub fn url(name: &str) -> String {
    let v = versions()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("0");
    format!("/assets/{name}?v={v}")
}

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

fn serve(bytes: &'static [u8], mime: &'static str, immutable: bool) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        }),
    );
    r
}

pub async fn asset(Path(name): Path<String>, Query(q): Query<Version>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, bytes, mime)) => {
            let current = versions()
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str());
            serve(bytes, mime, q.v.as_deref() == current)
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub async fn graphiql_asset(Path(name): Path<String>) -> Response {
    match crate::graphiql::asset(&name) {
        Some((bytes, mime)) => serve(bytes, mime, false),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
