//! The checked-in SDL (`graphql/schema.graphql`) must equal the served schema.
//! After an intended change: `UPDATE_SCHEMA=1 cargo test --test api schema` rewrites it.

use crate::helpers::*;

#[test]
fn checked_in_sdl_matches_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphql/schema.graphql");
    let served = mufakat_server::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(&path, &served).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == served,
        "graphql/schema.graphql is out of date; run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it"
    );
}

#[tokio::test]
async fn introspection_over_http_sees_the_same_types() {
    let app = spawn_app_with(Options { seed: false, ..Default::default() }).await;
    let v = app.gql("{ __schema { types { name } } }", serde_json::json!({}), None).await;
    let names: Vec<&str> = v["data"]["__schema"]["types"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let sdl = mufakat_server::graphql::sdl();
    for n in names.iter().filter(|n| !n.starts_with("__")) {
        let declared = [format!("type {n} "), format!("enum {n} "), format!("input {n} "), format!("scalar {n}")];
        let builtin = ["String", "Int", "Float", "Boolean", "ID"].contains(n);
        assert!(builtin || declared.iter().any(|d| sdl.contains(d.as_str())), "type {n} served but not in SDL");
    }
}

/// The introspection query GraphiQL and other tools send (graphql-js `getIntrospectionQuery`)
/// passes the depth and complexity limits.
#[tokio::test]
async fn the_standard_introspection_query_is_allowed() {
    let app = spawn_app_with(Options { seed: false, ..Default::default() }).await;
    let q = include_str!("fixtures/introspection.graphql");
    let v = app.gql(q, serde_json::json!({}), None).await;
    assert!(v.get("errors").is_none(), "{}", &v.to_string()[..v.to_string().len().min(400)]);
    assert!(v["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
}
