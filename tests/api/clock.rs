//! Time travel: the server's one clock, moved forward through the API in test mode.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{assert_ok, error_code, spawn_app, spawn_app_with, Options};

const ADVANCE: &str =
    "mutation($by: String, $to: DateTime) { advanceClock(by: $by, to: $to) { from now firedTimers } }";
const CLOCK: &str = "{ serverClock { now testMode offsetSeconds } }";

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_test_server_moves_its_clock_forward_and_the_timers_follow() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let warga = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let v = app.gql(CLOCK, json!({}), None).await;
    assert_eq!(v["data"]["serverClock"]["testMode"], true);
    assert_eq!(v["data"]["serverClock"]["offsetSeconds"], 0);

    // A complaint nobody answers escalates after 3 working days: not before, by the clock.
    let c = app
        .gql(
            "mutation($r: ID!) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: { description: \"Sampah menumpuk\", category: \"sampah\" }) { id deadlines { at } } }",
            json!({ "r": kel }),
            Some(&warga),
        )
        .await;
    assert_ok(&c);
    let id = c["data"]["startCase"]["id"].clone();
    let due = at(&c["data"]["startCase"]["deadlines"][0]["at"]);
    // Residents may not move it; nor may a span that is not one.
    for (token, vars, code) in [
        (&warga, json!({ "by": "P1D" }), "FORBIDDEN"),
        (&admin, json!({ "by": "tomorrow" }), "VALIDATION"),
        (&admin, json!({}), "VALIDATION"),
        (
            &admin,
            json!({ "to": (Utc::now() - Duration::days(1)).to_rfc3339() }),
            "VALIDATION",
        ),
    ] {
        let v = app.gql(ADVANCE, vars, Some(token)).await;
        assert_eq!(error_code(&v).as_deref(), Some(code), "{v}");
    }

    let before = app.now();
    let v = app
        .gql(
            ADVANCE,
            json!({ "to": (due - Duration::minutes(1)).to_rfc3339() }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_eq!(case_state(&app, &id, &warga).await, "submitted");
    let jumped = at(&v["data"]["advanceClock"]["now"]) - at(&v["data"]["advanceClock"]["from"]);
    assert!(jumped >= Duration::days(3) - Duration::minutes(2), "{v}");
    assert!(app.now() - before >= jumped);
    // In working days, from the national calendar: one more takes it past the deadline.
    let v = app
        .gql(ADVANCE, json!({ "by": "P1WD" }), Some(&admin))
        .await;
    assert_ok(&v);
    assert!(
        v["data"]["advanceClock"]["firedTimers"].as_i64().unwrap() >= 1,
        "{v}"
    );
    assert_eq!(case_state(&app, &id, &warga).await, "escalated");
    // The escalation is stamped with the new time, after the deadline.
    let h = app
        .gql(
            "query($id: ID!) { instance(id: $id) { history { transition at } } }",
            json!({ "id": id }),
            Some(&warga),
        )
        .await;
    let last = h["data"]["instance"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["transition"], "first_response_late");
    assert!(at(&last["at"]) > due, "{last}");
    let v = app.gql(CLOCK, json!({}), None).await;
    assert!(v["data"]["serverClock"]["offsetSeconds"].as_i64().unwrap() > 3 * 86_400);

    // Each jump is in the audit trail, and the trail still verifies.
    let jumps = mufakat_store::repo::audit::for_instance(&app.state.db, "system.clock", "clock")
        .await
        .unwrap();
    assert_eq!(jumps.len(), 2, "{jumps:?}");
    assert!(jumps.iter().all(|e| e.transition == "advance"));
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn a_server_outside_test_mode_refuses_to_move_its_clock() {
    let app = spawn_app_with(Options {
        seed: true,
        tweak: |s| s.test_clock = false,
    })
    .await;
    let admin = app.login("admin").await;
    let v = app.gql(ADVANCE, json!({ "by": "P1D" }), Some(&admin)).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let v = app.gql(CLOCK, json!({}), None).await;
    assert_eq!(v["data"]["serverClock"]["testMode"], false);
    assert_eq!(v["data"]["serverClock"]["offsetSeconds"], 0);
}

async fn case_state(app: &crate::helpers::TestApp, id: &Value, token: &str) -> Value {
    app.gql(
        "query($id: ID!) { instance(id: $id) { state } }",
        json!({ "id": id }),
        Some(token),
    )
    .await["data"]["instance"]["state"]
        .clone()
}
