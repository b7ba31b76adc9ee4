//! The web app's backend: the server's own GraphQL schema, run in-process with the same request
//! context, DataLoaders, limits and error decoration as `POST /graphql` (`mufakat_web::Api`).

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use mufakat_web::{Api, ApiRequest};
use serde_json::Value;

use crate::graphql::errors::finish_response;
use crate::graphql::{MufakatSchema, RequestCtx};
use crate::AppState;

pub struct InProcess {
    pub app: AppState,
    pub schema: MufakatSchema,
}

fn request(app: &AppState, r: ApiRequest, request_id: &str) -> async_graphql::Request {
    let loaders = crate::graphql::musrenbang::Loaders::new(app, r.user.as_ref().map(|u| u.id));
    let ctx = RequestCtx {
        lang: r.lang,
        request_id: request_id.to_owned(),
        user: r.user,
        ip: r.ip,
    };
    async_graphql::Request::new(r.query)
        .variables(async_graphql::Variables::from_json(r.variables))
        .data(ctx)
        .data(loaders)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

impl Api for InProcess {
    fn execute(&self, r: ApiRequest) -> BoxFuture<'static, Value> {
        let app = self.app.clone();
        let schema = self.schema.clone();
        Box::pin(async move {
            let lang = r.lang;
            let mutation = r.query.trim_start().starts_with("mutation");
            let id = request_id();
            let resp = schema.execute(request(&app, r, &id)).await;
            if mutation {
                // As for `POST /graphql`: what the public reads may have changed.
                app.writes.changed();
            }
            let resp = finish_response(resp, lang, &id);
            serde_json::to_value(&resp).unwrap_or(Value::Null)
        })
    }

    fn subscribe(&self, r: ApiRequest) -> BoxStream<'static, Value> {
        let lang = r.lang;
        let id = request_id();
        let req = request(&self.app, r, &id);
        self.schema
            .execute_stream(req)
            .map(move |resp| {
                serde_json::to_value(finish_response(resp, lang, &id)).unwrap_or(Value::Null)
            })
            .boxed()
    }
}
