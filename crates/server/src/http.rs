//! Routes: `POST /graphql` (the API), `GET /graphql` (GraphiQL), `GET /healthz`.

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mufakat_core::{AppError, Lang};
use sea_orm::ConnectionTrait;

use crate::graphql::errors::{finish_response, request_error, AppErrorOrCode};
use crate::graphql::{build_schema, MufakatSchema, RequestCtx};
use crate::services::accounts;
use crate::AppState;

#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub schema: MufakatSchema,
}

pub fn router(app: AppState) -> Router {
    let schema = build_schema(Some(app.clone()), app.settings.graphql_max_depth, app.settings.graphql_max_complexity);
    let max_body = app.settings.max_body_bytes;
    Router::new()
        .route("/graphql", get(graphiql).post(graphql_post))
        .route_service("/graphql/ws", async_graphql_axum::GraphQLSubscription::new(schema.clone()))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(HttpState { app, schema })
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").title("Mufakat GraphQL").finish())
}

async fn healthz(State(s): State<HttpState>) -> Response {
    match s.app.db.execute_unprepared("SELECT 1").await {
        Ok(_) => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })))
                .into_response()
        }
    }
}

async fn graphql_post(
    State(s): State<HttpState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let lang = Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let request_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();

    let body = match body {
        Ok(b) => b,
        Err(rej) => {
            let status = rej.status();
            let err = if status == StatusCode::PAYLOAD_TOO_LARGE {
                AppErrorOrCode::Code {
                    code: "PAYLOAD_TOO_LARGE",
                    id: "Permintaan terlalu besar.",
                    en: "The request is too large.",
                }
            } else {
                AppErrorOrCode::Code { code: "BAD_REQUEST", id: "Isi permintaan tidak dapat dibaca.", en: "The request body could not be read." }
            };
            return reply(status, request_error(err, lang, &request_id), &request_id);
        }
    };
    let gql_request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            let err = AppErrorOrCode::Code {
                code: "BAD_REQUEST",
                id: "Permintaan harus berupa JSON GraphQL: {\"query\": \"...\", \"variables\": {...}}.",
                en: "The request must be GraphQL JSON: {\"query\": \"...\", \"variables\": {...}}.",
            };
            return reply(StatusCode::BAD_REQUEST, request_error(err, lang, &request_id), &request_id);
        }
    };

    let user = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
            let result = match token {
                Some(t) => accounts::authenticate(&s.app, t).await,
                None => Err(AppError::Unauthenticated),
            };
            match result {
                Ok(u) => Some(u),
                Err(e) => {
                    let status = if matches!(e, AppError::Internal(_)) { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::UNAUTHORIZED };
                    return reply(status, request_error(AppErrorOrCode::App(e), lang, &request_id), &request_id);
                }
            }
        }
    };

    let loaders = crate::graphql::musrenbang::Loaders::new(&s.app, user.as_ref().map(|u| u.id));
    let ctx = RequestCtx { lang, request_id: request_id.clone(), user, ip: Some(addr.ip()) };
    let resp = s.schema.execute(gql_request.data(ctx).data(loaders)).await;
    let resp = finish_response(resp, lang, &request_id);
    reply(StatusCode::OK, resp, &request_id)
}

fn reply(status: StatusCode, resp: async_graphql::Response, request_id: &str) -> Response {
    let mut r = (status, Json(resp)).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}
