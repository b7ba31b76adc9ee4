//! The one place errors become responses: every GraphQL error leaves with a stable
//! `extensions.code`, a message in the request's language, field details for validation,
//! and internal causes only in the log (with the request id).

use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};
use mufakat_core::{AppError, Lang};

pub fn finish_response(mut resp: Response, lang: Lang, request_id: &str) -> Response {
    for err in resp.errors.iter_mut() {
        decorate(err, lang, request_id);
    }
    resp
}

fn decorate(err: &mut ServerError, lang: Lang, request_id: &str) {
    let mut ext = err.extensions.take().unwrap_or_default();
    if let Some(app) = err.source::<AppError>() {
        if let AppError::Internal(cause) = app {
            tracing::error!(request_id, error = %format!("{cause:#}"), path = ?err.path, "internal error");
        }
        let code = app.code();
        let message = app.message(lang, request_id);
        if let AppError::Validation(fields) = app {
            let list: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(
                        async_graphql::Name::new("field"),
                        Value::from(f.field.clone()),
                    );
                    m.insert(async_graphql::Name::new("rule"), Value::from(f.rule));
                    m.insert(
                        async_graphql::Name::new("message"),
                        Value::from(f.message.get(lang).to_owned()),
                    );
                    Value::Object(m)
                })
                .collect();
            ext.set("fields", Value::List(list));
        }
        if let AppError::RateLimited { retry_after_secs } = app {
            ext.set("retryAfterSeconds", *retry_after_secs as i64);
        }
        ext.set("code", code);
        err.message = message;
    } else if ext.get("code").is_none() {
        // Errors raised by async-graphql itself: syntax, unknown fields, wrong types, limits.
        let (code, id, en) = classify(&err.message);
        ext.set("detail", err.message.clone());
        ext.set("code", code);
        err.message = match lang {
            Lang::Id => format!("{id} ({})", err.message),
            Lang::En => format!("{en} ({})", err.message),
        };
    }
    ext.set("requestId", request_id);
    err.extensions = Some(ext);
}

fn classify(message: &str) -> (&'static str, &'static str, &'static str) {
    if message.contains("nested too deep") {
        (
            "QUERY_TOO_DEEP",
            "Kueri terlalu dalam",
            "The query is nested too deep",
        )
    } else if message.contains(super::limits::TOO_MANY_FIELDS) {
        (
            "QUERY_TOO_LARGE",
            "Kueri memilih terlalu banyak kolom",
            "The query selects too many fields",
        )
    } else if message.contains("too complex") {
        (
            "QUERY_TOO_COMPLEX",
            "Kueri terlalu rumit",
            "The query is too complex",
        )
    } else {
        (
            "BAD_REQUEST",
            "Permintaan GraphQL tidak valid",
            "The GraphQL request is not valid",
        )
    }
}

/// A whole-request error (before GraphQL runs), e.g. a bad token or an oversized body.
pub fn request_error(err: AppErrorOrCode, lang: Lang, request_id: &str) -> Response {
    let (code, message) = match err {
        AppErrorOrCode::App(e) => {
            if let AppError::Internal(cause) = &e {
                tracing::error!(request_id, error = %format!("{cause:#}"), "internal error");
            }
            (e.code(), e.message(lang, request_id))
        }
        AppErrorOrCode::Code { code, id, en } => (
            code,
            if lang == Lang::Id {
                id.to_owned()
            } else {
                en.to_owned()
            },
        ),
    };
    let mut ext = ErrorExtensionValues::default();
    ext.set("code", code);
    ext.set("requestId", request_id);
    let mut e = ServerError::new(message, None);
    e.extensions = Some(ext);
    Response::from_errors(vec![e])
}

pub enum AppErrorOrCode {
    App(AppError),
    Code {
        code: &'static str,
        id: &'static str,
        en: &'static str,
    },
}
