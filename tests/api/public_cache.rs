//! Answers to anonymous queries kept by the node (`public_cache_ms`): served again only while
//! nothing was written through the node and for no longer than the setting; never for a
//! request that carries a token.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, phase_after, propose, resident};

const LIST: &str = "{ proposals(first: 20, sort: VOTES) { edges { node { id title votes } } } }";

fn quiet(s: &mut mufakat_server::Settings) {
    // Keep background reads out of the query counter.
    s.timer_poll_secs = 3600;
    s.session_cache_secs = 3600;
    s.public_cache_ms = 60_000;
}

/// Statements the node ran while answering `query` (anonymous unless `token`), and the answer.
async fn counted(app: &TestApp, query: &str, token: Option<&str>) -> (u64, serde_json::Value) {
    let before = app.state.queries.load(Ordering::SeqCst);
    let v = app.gql(query, json!({}), token).await;
    assert_ok(&v);
    (app.state.queries.load(Ordering::SeqCst) - before, v)
}

fn votes_of(v: &serde_json::Value, id: &str) -> i64 {
    v["data"]["proposals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == id)
        .unwrap_or_else(|| panic!("proposal {id} not listed: {v}"))["node"]["votes"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_public_reads_a_kept_answer_until_a_write_and_then_the_write() {
    let app = spawn_app_with(Options {
        seed: true,
        tweak: quiet,
    })
    .await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let p = propose(&app, &siti, &cycle.id, "Drainase", "1", "1000").await["data"]
        ["createProposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(&act(&app, &siti, &p, "SUBMIT", json!({}), None).await);
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");

    let (first, v) = counted(&app, LIST, None).await;
    assert!(first > 0, "the first answer is computed");
    assert_eq!(votes_of(&v, &p), 0);
    // Changed past the node (as another process would): the node's kept answer still says
    // what it said — the same anonymous request is not run again ...
    use mufakat_store::sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE proposals SET title = 'Drainase (diubah)'")
        .await
        .unwrap();
    let (_, v2) = counted(&app, LIST, None).await;
    assert_eq!(v, v2, "the same anonymous request gets the kept answer");
    let title = |v: &serde_json::Value| v["data"]["proposals"]["edges"][0]["node"]["title"].clone();
    assert_eq!(title(&v2), "Drainase");

    // ... while a request with a token is always answered afresh (its answer may be the user's
    // own).
    let budi = resident(&app, "budi.cache", "35.99.01.1001", "3599010101900001").await;
    let (mine, v3) = counted(&app, LIST, Some(&budi)).await;
    assert!(mine > 0);
    assert_eq!(title(&v3), "Drainase (diubah)");

    // A vote through the node: the next anonymous read shows it (and the change before it).
    let voted = app
        .gql(
            "mutation($id: ID!) { vote(proposalId: $id) { seq } }",
            json!({ "id": p }),
            Some(&budi),
        )
        .await;
    assert_ok(&voted);
    let (after, v) = counted(&app, LIST, None).await;
    assert!(after > 0, "a write since: computed again");
    assert_eq!(votes_of(&v, &p), 1);
    assert_eq!(title(&v), "Drainase (diubah)");

    // Another language is another answer; errors are never kept.
    let en = app.post(json!({ "query": LIST }), None, Some("en")).await;
    assert_eq!(en.0, 200);
    let bad = "{ proposal(id: \"999999\") { id } }";
    let (_, e1) = app.post(json!({ "query": bad }), None, None).await;
    assert!(error_code(&e1).is_some(), "{e1}");
    let before = app.state.queries.load(Ordering::SeqCst);
    let (_, e2) = app.post(json!({ "query": bad }), None, None).await;
    assert!(error_code(&e2).is_some(), "{e2}");
    assert!(app.state.queries.load(Ordering::SeqCst) > before);
}

#[tokio::test]
async fn a_change_made_by_another_process_shows_within_the_setting() {
    let app = spawn_app_with(Options {
        seed: true,
        tweak: |s| {
            quiet(s);
            s.public_cache_ms = 2000;
        },
    })
    .await;
    let _ = create_cycle(&app).await;
    let q = "{ musrenbangCycles { name } }";
    let (_, before) = counted(&app, q, None).await;
    assert!(
        before["data"]["musrenbangCycles"][0]["name"].is_string(),
        "{before}"
    );
    // Written past the node, as the CLI or another node would ...
    use mufakat_store::sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE musrenbang_cycles SET name = 'RKPD 2027 (perubahan)'")
        .await
        .unwrap();
    // ... the node does not know of it yet: it answers as before ...
    let (_, kept) = counted(&app, q, None).await;
    assert_eq!(kept, before);
    // ... until its answer is older than the setting.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (_, after) = counted(&app, q, None).await;
    assert_eq!(
        after["data"]["musrenbangCycles"][0]["name"],
        "RKPD 2027 (perubahan)"
    );
}

#[tokio::test]
async fn with_the_setting_at_zero_nothing_is_kept() {
    let app = spawn_app_with(Options {
        seed: true,
        tweak: |s| {
            quiet(s);
            s.public_cache_ms = 0;
        },
    })
    .await;
    let _ = create_cycle(&app).await;
    counted(&app, LIST, None).await;
    let (n, _) = counted(&app, LIST, None).await;
    assert!(n > 0, "answered from the database every time");
}
