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
    let app = spawn_app_with(Options {
        seed: false,
        ..Default::default()
    })
    .await;
    let v = app
        .gql(
            "{ __schema { types { name } } }",
            serde_json::json!({}),
            None,
        )
        .await;
    let names: Vec<&str> = v["data"]["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let sdl = mufakat_server::graphql::sdl();
    for n in names.iter().filter(|n| !n.starts_with("__")) {
        let declared = [
            format!("type {n} "),
            format!("enum {n} "),
            format!("input {n} "),
            format!("scalar {n}"),
        ];
        let builtin = ["String", "Int", "Float", "Boolean", "ID"].contains(n);
        assert!(
            builtin || declared.iter().any(|d| sdl.contains(d.as_str())),
            "type {n} served but not in SDL"
        );
    }
}

/// The introspection query GraphiQL and other tools send (graphql-js `getIntrospectionQuery`)
/// passes the depth and complexity limits.
#[tokio::test]
async fn the_standard_introspection_query_is_allowed() {
    let app = spawn_app_with(Options {
        seed: false,
        ..Default::default()
    })
    .await;
    let q = include_str!("fixtures/introspection.graphql");
    let v = app.gql(q, serde_json::json!({}), None).await;
    assert!(
        v.get("errors").is_none(),
        "{}",
        &v.to_string()[..v.to_string().len().min(400)]
    );
    assert!(v["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
}

/// Every mutation in the served schema is exercised by an authorization test (a role matrix, or
/// the anonymous/public checks). Adding a mutation without one fails here.
#[test]
fn every_mutation_has_an_authorization_test() {
    let sdl = mufakat_server::graphql::sdl();
    let start = sdl.find("type MutationRoot {").expect("mutation root");
    let body = &sdl[start..sdl[start..].find("\n}").map(|e| start + e).unwrap()];
    let mutations: Vec<&str> = body
        .lines()
        .skip(1)
        .map(str::trim)
        .filter_map(|l| {
            let name = l.split(['(', ':']).next()?;
            (name.starts_with(|c: char| c.is_ascii_lowercase())
                && name.len() < l.len()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(name)
        })
        .collect();
    assert!(mutations.len() > 20, "{mutations:?}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let sources: String = [
        "authorization.rs",
        "musrenbang_authz.rs",
        "allocation.rs",
        "workflows.rs",
        "accounts.rs",
        "musrenbang.rs",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    .collect();
    let missing: Vec<&&str> = mutations
        .iter()
        .filter(|m| {
            !(sources.contains(&format!("{m}("))
                || sources.contains(&format!("{{ {m} "))
                || sources.contains(&format!("{{ {m} }}")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without an authorization test: {missing:?}"
    );
}
