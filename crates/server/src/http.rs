//! Routes: `POST /graphql` (the API), `GET /graphql` (GraphiQL, from the web app), `GET /healthz`, `GET /metrics`
//! (Prometheus text, for the addresses in `metrics_allow`).

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
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
    pub parsed: std::sync::Arc<crate::graphql::parse_cache::ParseCache>,
    /// Answers to anonymous queries (see [`crate::graphql::response_cache`]).
    pub answers: std::sync::Arc<crate::graphql::response_cache::ResponseCache>,
}

pub fn router(app: AppState) -> Router {
    let schema = build_schema(
        Some(app.clone()),
        app.settings.graphql_max_depth,
        app.settings.graphql_max_complexity,
        app.settings.graphql_max_fields,
    );
    let max_body = app.settings.max_body_bytes;
    let answers = crate::graphql::response_cache::ResponseCache::new(Duration::from_millis(
        app.settings.public_cache_ms,
    ));
    let web = mufakat_web::router(
        app.clone(),
        std::sync::Arc::new(crate::web::InProcess {
            app: app.clone(),
            schema: schema.clone(),
        }),
    );
    Router::new()
        .route("/graphql", axum::routing::post(graphql_post))
        .route_service(
            "/graphql/ws",
            async_graphql_axum::GraphQLSubscription::new(schema.clone()),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/reports/{kind}", get(report_pdf))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(HttpState {
            app: app.clone(),
            schema,
            parsed: Default::default(),
            answers: std::sync::Arc::new(answers),
        })
        // The modules' routes (uploads have their own body limit).
        .merge(crate::modules::routes(&app))
        // The web app (its pages, assets and GraphiQL's page at `GET /graphql`).
        .merge(web)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Liveness and the alarms an operator must see: the database answers, and the audit chain
/// extended the last trusted checkpoint when the node last tried to sign (`"audit": "alarm"`
/// with the problem otherwise; the node keeps serving, and refuses to sign, until it does).
async fn healthz(State(s): State<HttpState>) -> Response {
    let audit = match s.app.notary.alarm() {
        None => serde_json::json!({ "audit": "ok" }),
        Some(problem) => serde_json::json!({ "audit": "alarm", "auditProblem": problem }),
    };
    match s.app.db.execute_unprepared("SELECT 1").await {
        Ok(_) => {
            let mut body = serde_json::json!({ "status": "ok", "database": "ok" });
            body.as_object_mut()
                .expect("object")
                .extend(audit.as_object().cloned().unwrap_or_default());
            Json(body).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
            )
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
    let lang = request_lang(&headers);
    let request_id = new_request_id();

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
                AppErrorOrCode::Code {
                    code: "BAD_REQUEST",
                    id: "Isi permintaan tidak dapat dibaca.",
                    en: "The request body could not be read.",
                }
            };
            return reply(status, request_error(err, lang, &request_id), &request_id);
        }
    };
    // An anonymous request the node answered a moment ago with nothing written since, or is
    // answering now for another reader.
    let anonymous = !headers.contains_key(header::AUTHORIZATION);
    let generation = s.app.writes.generation();
    let mut flight = None;
    if anonymous {
        use crate::graphql::response_cache::Lookup;
        match s.answers.lookup(lang, &body, generation).await {
            Lookup::Answer(answer) => return reply_json(StatusCode::OK, answer, &request_id),
            Lookup::Lead(f) => flight = Some(f),
            Lookup::Alone => {}
        }
    }
    let mut gql_request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            let err = AppErrorOrCode::Code {
                code: "BAD_REQUEST",
                id: "Permintaan harus berupa JSON GraphQL: {\"query\": \"...\", \"variables\": {...}}.",
                en: "The request must be GraphQL JSON: {\"query\": \"...\", \"variables\": {...}}.",
            };
            return reply(
                StatusCode::BAD_REQUEST,
                request_error(err, lang, &request_id),
                &request_id,
            );
        }
    };

    // No Authorization header: anonymous. A header that does not authenticate fails the whole
    // request rather than running it as anonymous.
    let user = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(_) => match authenticated(&s.app, &headers, false).await {
            Ok(u) => Some(u),
            Err((status, e)) => {
                return reply(
                    status,
                    request_error(AppErrorOrCode::App(e), lang, &request_id),
                    &request_id,
                );
            }
        },
    };

    let loaders = crate::graphql::musrenbang::Loaders::new(&s.app, user.as_ref().map(|u| u.id));
    let ctx = RequestCtx {
        lang,
        request_id: request_id.clone(),
        user,
        ip: Some(crate::auth::client_ip(
            addr.ip(),
            headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
            &s.app.settings.trusted_proxies,
        )),
    };
    s.parsed.prepare(&mut gql_request);
    let is_query = crate::graphql::response_cache::is_query(&mut gql_request);
    let resp = s.schema.execute(gql_request.data(ctx).data(loaders)).await;
    if is_query != Some(true) {
        // A mutation (or something that might have been one) may have changed what the public
        // reads; mark it before answering, so that its client reads its own change.
        s.app.writes.changed();
    }
    let keep = anonymous && is_query == Some(true) && resp.errors.is_empty();
    let resp = finish_response(resp, lang, &request_id);
    // Our own faults are 500s, so that monitoring and fuzzers see them; every other error is a
    // normal GraphQL response.
    let internal = resp.errors.iter().any(|e| {
        e.extensions.as_ref().and_then(|x| x.get("code"))
            == Some(&async_graphql::Value::from("INTERNAL"))
    });
    let status = if internal {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let json = match serde_json::to_vec(&resp) {
        Ok(json) => Bytes::from(json),
        Err(_) => return reply(status, resp, &request_id),
    };
    // Complexity bounds the work a query asks for by estimates; this bounds what it gets.
    if json.len() > s.app.settings.max_response_bytes {
        tracing::warn!(
            request_id,
            bytes = json.len(),
            "response too large; refused"
        );
        let err = AppErrorOrCode::Code {
            code: "RESPONSE_TOO_LARGE",
            id: "Jawaban terlalu besar; minta lebih sedikit data sekaligus (halaman lebih kecil, lebih sedikit kolom).",
            en: "The response is too large; ask for less at once (smaller pages, fewer fields).",
        };
        return reply(
            StatusCode::OK,
            request_error(err, lang, &request_id),
            &request_id,
        );
    }
    if let Some(flight) = flight.filter(|_| keep) {
        flight.land(json.clone());
    }
    reply_json(status, json, &request_id)
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportQuery {
    pub cycle_id: Option<i32>,
    pub region_id: Option<i32>,
    pub run_id: Option<i32>,
    pub level: Option<String>,
    pub workflow: Option<String>,
    pub instance_id: Option<String>,
    pub place: Option<String>,
    pub participants: Option<u64>,
    pub date: Option<chrono::NaiveDate>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub lang: Option<String>,
}

/// `GET /reports/{berita-acara|priority-list|audit-trail}?cycleId=&regionId=&...` with the
/// bearer token: the PDF, generated now and recorded in the audit trail.
async fn report_pdf(
    State(s): State<HttpState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    axum::extract::Path(kind): axum::extract::Path<String>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    use crate::services::reports::{generate, ReportKind, ReportParams, Requester};
    let mut lang = request_lang(&headers);
    let request_id = new_request_id();
    let fail = |status: StatusCode, e: AppError, lang: Lang| {
        reply(
            status,
            request_error(AppErrorOrCode::App(e), lang, &request_id),
            &request_id,
        )
    };
    let Ok(axum::extract::Query(q)) = query else {
        return fail(
            StatusCode::BAD_REQUEST,
            AppError::validation(
                "query",
                "format",
                "Parameter laporan tidak valid.",
                "Invalid report parameters.",
            ),
            lang,
        );
    };
    match q.lang.as_deref() {
        Some("en") => lang = Lang::En,
        Some("id") => lang = Lang::Id,
        _ => {}
    }
    let Ok(kind) = kind.parse::<ReportKind>() else {
        return fail(
            StatusCode::NOT_FOUND,
            AppError::NotFound { entity: "report" },
            lang,
        );
    };
    // Public reports need no account: without a bearer token (or with a browser's stale
    // session cookie) the request is anonymous; a bearer token that fails is an error.
    let bearer = headers.contains_key(header::AUTHORIZATION);
    let user = match authenticated(&s.app, &headers, true).await {
        Ok(u) => Some(u),
        Err((_, AppError::Unauthenticated)) if !bearer => None,
        Err((status, e)) => return fail(status, e, lang),
    };
    let params = ReportParams {
        cycle_id: q.cycle_id,
        region_id: q.region_id,
        run_id: q.run_id,
        level: q.level,
        workflow: q.workflow,
        instance_id: q.instance_id,
        place: q.place,
        participants: q.participants,
        date: q.date,
        from: q.from,
        to: q.to,
    };
    let who = match &user {
        Some(u) => Requester::User(u),
        None => Requester::Public,
    };
    // Anonymous downloads are not in the trail; their number per address is limited instead.
    if user.is_none() {
        let ip = crate::auth::client_ip(
            addr.ip(),
            headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
            &s.app.settings.trusted_proxies,
        );
        if let Err(e) = s.app.public_report_limiter.attempt(Some(ip)).await {
            return fail(StatusCode::TOO_MANY_REQUESTS, e, lang);
        }
    }
    match generate(&s.app, who, kind, params, lang).await {
        Ok(g) => {
            let mut r = (StatusCode::OK, g.pdf).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", g.file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&g.sha256) {
                h.insert("x-content-sha256", v);
            }
            r
        }
        Err(e) => {
            let status = match e.code() {
                "FORBIDDEN" => StatusCode::FORBIDDEN,
                "NOT_FOUND" => StatusCode::NOT_FOUND,
                "VALIDATION" => StatusCode::BAD_REQUEST,
                "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            fail(status, e, lang)
        }
    }
}

/// The language a request asks for (`Accept-Language`; Indonesian unless English is preferred).
fn request_lang(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A short id that ties a response to the server's log lines.
fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// The user of the request's `Authorization: Bearer …` token; otherwise `UNAUTHENTICATED`
/// with 401 (or our own fault with 500).
/// The user of a bearer token, or with `cookie` (read-only GETs only: never GraphQL, where a
/// cookie would let other sites act for the user) of the web app's session cookie.
async fn authenticated(
    app: &AppState,
    headers: &HeaderMap,
    allow_cookie: bool,
) -> Result<crate::auth::CurrentUser, (StatusCode, AppError)> {
    let cookie = || {
        if !allow_cookie {
            return None;
        }
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == mufakat_web::SESSION_COOKIE)
            .map(|(_, v)| v.trim())
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .or_else(cookie);
    let result = match token {
        Some(t) => accounts::authenticate(app, t).await,
        None => Err(AppError::Unauthenticated),
    };
    result.map_err(|e| {
        let status = if matches!(e, AppError::Internal(_)) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::UNAUTHORIZED
        };
        (status, e)
    })
}

/// A JSON body already encoded (an answer from the cache).
fn reply_json(status: StatusCode, json: Bytes, request_id: &str) -> Response {
    let mut r = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}

fn reply(status: StatusCode, resp: async_graphql::Response, request_id: &str) -> Response {
    let mut r = (status, Json(resp)).into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-request-id", v);
    }
    r
}

/// The node's metrics in the Prometheus text format, for the addresses in `metrics_allow`
/// (the client address as the rate limits see it); 404 for everyone else.
async fn metrics(
    State(s): State<HttpState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let client = crate::auth::client_ip(
        addr.ip(),
        headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
        &s.app.settings.trusted_proxies,
    );
    if !s.app.settings.metrics_allow.contains(&client) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        mufakat_kernel::metrics::scrape(&s.app).await,
    )
        .into_response()
}
