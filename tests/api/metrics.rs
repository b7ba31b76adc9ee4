//! `GET /metrics` (#26): Prometheus text with requests by operation and outcome, the batch
//! writer's batches, group commits, timers and the database pool; only for `metrics_allow`.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn metrics_count_operations_batches_and_the_pool_for_allowed_addresses_only() {
    let app = spawn_app().await;
    let warga = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    assert_ok(&app.gql("{ regions { id } }", json!({}), None).await);
    let wrong = app
        .gql(
            "mutation { login(username: \"warga.siti\", password: \"salah-sekali\") { token } }",
            json!({}),
            None,
        )
        .await;
    assert!(wrong["errors"].is_array());
    let started = app
        .gql(
            "mutation($r: ID!, $i: JSON) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: $i) { id } }",
            json!({ "r": kel, "i": { "description": "Lampu jalan mati", "category": "penerangan" } }),
            Some(&warga),
        )
        .await;
    assert_ok(&started);

    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "mufakat_operations_total{kind=\"query\",operation=\"regions\",outcome=\"ok\"} 1",
        "mufakat_operations_total{kind=\"mutation\",operation=\"login\",outcome=\"error\"} 1",
        "mufakat_operations_total{kind=\"mutation\",operation=\"startCase\",outcome=\"ok\"} 1",
        "mufakat_batch_requests_count{kind=\"case_starts\"} 1",
        "mufakat_batches_total 1",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
    for name in [
        "mufakat_operation_seconds_bucket",
        "mufakat_write_wait_seconds_count",
        "mufakat_group_commit_writes_count",
        "mufakat_timers_fired_total",
        "mufakat_timers_due",
        "mufakat_db_pool_connections",
        "mufakat_db_pool_idle",
    ] {
        assert!(text.contains(name), "missing {name} in:\n{text}");
    }
    // Made-up field names never become labels: the request fails validation before resolving.
    app.gql("{ madeUpField }", json!({}), None).await;
    let again = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains("madeUpField"));

    // Another address (not in `metrics_allow`) is told there is nothing there.
    let other = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let r = other.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
