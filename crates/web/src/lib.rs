//! Mufakat's web app: server-rendered pages for residents, the public and the situation room,
//! served by the `mufakat` binary itself (docs/web.md).
//!
//! Every page reads and writes through the GraphQL API, run in-process ([`Api`], given by the
//! server), so no rule, check or query is written twice and this crate knows no module's Rust
//! types: a page is a query, a template and, for a form, a mutation. Sessions are the API's
//! own tokens in an HttpOnly cookie; every form carries a CSRF token ([`csrf`]); the login
//! limits are the API's.

pub mod api;
mod assets;
mod csrf;
mod ctx;
pub mod graphiql;
mod layout;
mod pages;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use mufakat_kernel::AppState;
use sha2::Sha256;

pub use api::{Api, ApiRequest};
pub use ctx::SESSION_COOKIE;

/// Keys the web app derives from the node's secret (every node of a deployment shares it).
pub struct Keys {
    pub csrf: Vec<u8>,
}

impl Keys {
    fn derive(secret: &[u8]) -> Keys {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
        mac.update(b"mufakat-web-csrf-key");
        Keys {
            csrf: mac.finalize().into_bytes().to_vec(),
        }
    }
}

#[derive(Clone)]
pub struct WebState {
    pub app: AppState,
    pub api: Arc<dyn Api>,
    pub keys: Arc<Keys>,
}

/// The web app's routes (pages, assets, GraphiQL's page), to merge into the server's router.
pub fn router(app: AppState, api: Arc<dyn Api>) -> Router {
    let web = WebState {
        keys: Arc::new(Keys::derive(&app.nik_key)),
        app,
        api,
    };
    pages::routes()
        .route("/assets/graphiql/{name}", get(assets::graphiql_asset))
        .route("/assets/{name}", get(assets::asset))
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            csrf::guard,
        ))
        .with_state(web)
        .layer(tower_http_compression())
}

/// Pages and assets leave gzipped (a first load stays far under 100 KB); the live feed does
/// not, so that each event leaves at once.
fn tower_http_compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    tower_http::compression::CompressionLayer::new()
        .compress_when(DefaultPredicate::new().and(NotForContentType::new("text/event-stream")))
}
