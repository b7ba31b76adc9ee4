//! The one backend: every page reads and writes through the GraphQL API, run in-process by
//! the server (`Api`), so a page checks nothing the API does not check, and the API's coded
//! errors reach people as the same messages, in their language.

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use mufakat_core::Lang;
use mufakat_kernel::auth::CurrentUser;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One GraphQL request on behalf of a page's visitor.
pub struct ApiRequest {
    pub query: String,
    pub variables: Value,
    pub user: Option<CurrentUser>,
    pub lang: Lang,
    pub ip: Option<std::net::IpAddr>,
}

/// The API as the web app sees it: the server's schema, with its request context, limits and
/// error decoration (`finish_response`). Answers are GraphQL responses as JSON
/// (`{"data": …, "errors": […]}`).
pub trait Api: Send + Sync + 'static {
    fn execute(&self, request: ApiRequest) -> BoxFuture<'static, Value>;
    /// A subscription: one response per event.
    fn subscribe(&self, request: ApiRequest) -> BoxStream<'static, Value>;
}

/// A refused or failed request as a page shows it: the API's stable code, its message in the
/// visitor's language, and per-field messages for `VALIDATION`.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_owned(),
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// The data of a response, or its first error.
pub fn decode<T: DeserializeOwned>(resp: Value, lang: Lang) -> Result<T, Failure> {
    if let Some(err) = resp
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        let ext = err.get("extensions");
        let code = ext
            .and_then(|x| x.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("INTERNAL");
        let mut f = Failure::new(
            code,
            err.get("message")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        if let Some(list) = ext.and_then(|x| x.get("fields")).and_then(Value::as_array) {
            for item in list {
                if let (Some(field), Some(message)) = (
                    item.get("field").and_then(Value::as_str),
                    item.get("message").and_then(Value::as_str),
                ) {
                    f.fields
                        .entry(field.to_owned())
                        .or_insert_with(|| message.to_owned());
                }
            }
        }
        return Err(f);
    }
    let data = resp.get("data").cloned().unwrap_or(Value::Null);
    serde_json::from_value(data).map_err(|e| {
        tracing::error!(error = %e, "web: an API answer did not have the expected shape");
        Failure::new(
            "INTERNAL",
            match lang {
                Lang::Id => "Terjadi kesalahan pada server.",
                Lang::En => "Something went wrong on the server.",
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_error_becomes_the_failure_with_its_fields() {
        let resp = json!({"data": null, "errors": [{"message": "Periksa isian.", "extensions": {
            "code": "VALIDATION", "fields": [{"field": "title", "rule": "required", "message": "Judul wajib diisi."}]}}]});
        let f = decode::<Value>(resp, Lang::Id).unwrap_err();
        assert_eq!(f.code, "VALIDATION");
        assert_eq!(f.field("title"), Some("Judul wajib diisi."));
        let ok: Value = decode(json!({"data": {"a": 1}}), Lang::Id).unwrap();
        assert_eq!(ok["a"], 1);
    }
}
