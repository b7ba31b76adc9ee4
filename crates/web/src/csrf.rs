//! CSRF protection for every form: a random seed in an HttpOnly cookie (`SameSite=Lax`), and in
//! each form a hidden field `csrf` holding the seed's HMAC under the node's key. A request that
//! changes something (any method but GET and HEAD) passes only with both, and only from this
//! site (`Origin`, or `Sec-Fetch-Site` where a browser sends no `Origin`). The check is one
//! layer over the whole web app, so that no form can forget it.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use mufakat_core::Lang;
use rand::RngCore;
use sha2::Sha256;

use crate::ctx::{cookie, CSRF_COOKIE, LANG_COOKIE};
use crate::WebState;

/// Forms are small; uploads do not come through here.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub fn new_seed() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token(key: &[u8], seed: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(b"mufakat-web-csrf|");
    mac.update(seed.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// True when the request names another site as its origin.
fn cross_site(req: &Request) -> bool {
    let h = req.headers();
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return origin == "null" || origin_host != host;
    }
    matches!(
        h.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site")
    )
}

pub async fn guard(State(web): State<WebState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let lang = match cookie(req.headers(), LANG_COOKIE) {
        Some("en") => Lang::En,
        Some("id") => Lang::Id,
        _ => Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    };
    let seed = cookie(req.headers(), CSRF_COOKIE).map(str::to_owned);
    if cross_site(&req) {
        return refused(lang);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return crate::layout::bare_error(
            lang,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "Isian formulir terlalu besar.",
            "The form is too large.",
        );
    };
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    let ok = match (seed, sent) {
        (Some(seed), Some(sent)) => same_token(&token(&web.keys.csrf, &seed), &sent),
        _ => false,
    };
    if !ok {
        return refused(lang);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refused(lang: Lang) -> Response {
    crate::layout::bare_error(
        lang,
        StatusCode::FORBIDDEN,
        "CSRF",
        "Formulir ini kedaluwarsa atau tidak berasal dari situs ini. Muat ulang halaman, lalu kirim lagi.",
        "This form has expired or did not come from this site. Reload the page and send it again.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_seed() {
        let s = new_seed();
        assert_eq!(s.len(), 43);
        assert_eq!(token(b"k", &s), token(b"k", &s));
        assert_ne!(token(b"k", &s), token(b"other", &s));
        assert_ne!(token(b"k", &s), token(b"k", &new_seed()));
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("ab", "abc"));
    }
}
