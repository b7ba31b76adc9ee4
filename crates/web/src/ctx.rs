//! What every page knows about its request: the visitor's language, who is logged in (the
//! session cookie holds the same token the API's `login` returns), the CSRF seed, and the
//! cookies to set on the way out.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use mufakat_core::Lang;
use mufakat_kernel::auth::CurrentUser;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{decode, ApiRequest, Failure};
use crate::WebState;

pub const SESSION_COOKIE: &str = "mufakat_session";
pub const CSRF_COOKIE: &str = "mufakat_csrf";
pub const LANG_COOKIE: &str = "mufakat_lang";

pub struct Ctx {
    pub web: WebState,
    pub lang: Lang,
    pub user: Option<CurrentUser>,
    pub path: String,
    pub ip: IpAddr,
    /// Cookies get `Secure` (the request came over TLS through a trusted proxy, or
    /// `MUFAKAT_SECURE_COOKIES` says every request does).
    pub secure: bool,
    pub(crate) csrf_seed: String,
    new_seed: bool,
    /// The session cookie names a session that is over: clear it.
    stale_session: bool,
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

pub(crate) fn client_ip(parts: &Parts, state: &WebState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    mufakat_kernel::auth::client_ip(
        peer,
        parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok()),
        &state.app.settings.trusted_proxies,
    )
}

impl FromRequestParts<WebState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Ctx, Self::Rejection> {
        let headers = &parts.headers;
        let lang = match cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            Some("id") => Lang::Id,
            _ => Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            ),
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let behind_tls = peer.is_some_and(|p| state.app.settings.trusted_proxies.contains(&p))
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https");
        let (user, stale_session) = match cookie(headers, SESSION_COOKIE) {
            None => (None, false),
            Some(token) => {
                match mufakat_kernel::services::accounts::authenticate(&state.app, token).await {
                    Ok(u) => (Some(u), false),
                    Err(_) => (None, true),
                }
            }
        };
        let (csrf_seed, new_seed) = match cookie(headers, CSRF_COOKIE) {
            Some(s) if s.len() == 43 => (s.to_owned(), false),
            _ => (crate::csrf::new_seed(), true),
        };
        Ok(Ctx {
            web: state.clone(),
            lang,
            user,
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            ip: client_ip(parts, state),
            secure: behind_tls || state.app.settings.secure_cookies,
            csrf_seed,
            new_seed,
            stale_session,
        })
    }
}

impl Ctx {
    /// The text in the visitor's language.
    pub fn t<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Runs a query or mutation of the API as this visitor.
    pub async fn api<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Value,
    ) -> Result<T, Failure> {
        let resp = self
            .web
            .api
            .execute(ApiRequest {
                query: query.to_owned(),
                variables,
                user: self.user.clone(),
                lang: self.lang,
                ip: Some(self.ip),
            })
            .await;
        decode(resp, self.lang)
    }

    /// The hidden field every form carries.
    pub fn csrf_token(&self) -> String {
        crate::csrf::token(&self.web.keys.csrf, &self.csrf_seed)
    }

    fn cookie_attrs(&self) -> &'static str {
        if self.secure {
            "; Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "; Path=/; HttpOnly; SameSite=Lax"
        }
    }

    pub fn set_cookie(&self, resp: &mut Response, name: &str, value: &str, max_age_secs: i64) {
        let v = format!(
            "{name}={value}{}; Max-Age={max_age_secs}",
            self.cookie_attrs()
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    /// Adds the cookies this request owes: a CSRF seed when the visitor had none, and the
    /// removal of a session cookie that no longer authenticates.
    pub fn finish(&self, mut resp: Response) -> Response {
        if self.new_seed {
            self.set_cookie(&mut resp, CSRF_COOKIE, &self.csrf_seed, 60 * 60 * 24 * 365);
        }
        if self.stale_session {
            self.set_cookie(&mut resp, SESSION_COOKIE, "", 0);
        }
        resp
    }
}
