//! Staff actions on two proposals sent at the same moment must not both succeed when together
//! they make no sense (#26: "merge A into B" and "merge B into A" at once both succeeded, on
//! both engines).

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, phase_after, propose};

/// Two verified proposals of one kelurahan in its deliberation: (lurah's token, a, b).
async fn two_verified(app: &TestApp) -> (String, String, String) {
    let cycle = create_cycle(app).await;
    let siti = app.login("warga.siti").await;
    let mut ids = vec![];
    for t in ["Jalan Gang Mawar", "Jalan Gang Melati"] {
        let v = propose(app, &siti, &cycle.id, t, "1", "1000").await;
        let id = v["data"]["createProposal"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ok(&act(app, &siti, &id, "SUBMIT", json!({}), None).await);
        ids.push(id);
    }
    assert_eq!(phase_after(app, &cycle, 20).await, "kelurahan_deliberation");
    let lurah = app.login("lurah.mekarsari").await;
    for id in &ids {
        assert_ok(&act(app, &lurah, id, "VERIFY", json!({}), None).await);
    }
    let b = ids.pop().unwrap();
    (lurah, ids.pop().unwrap(), b)
}

async fn merge(app: &TestApp, token: &str, from: &str, into: &str) -> serde_json::Value {
    act(
        app,
        token,
        from,
        "MERGE",
        json!({ "intoProposalId": into }),
        Some("Lokasi sama"),
    )
    .await
}

async fn status(app: &TestApp, id: &str) -> String {
    let v = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { status } }",
            json!({ "id": id }),
            None,
        )
        .await;
    v["data"]["proposal"]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn merging_two_proposals_into_each_other_at_once_lets_only_one_through() {
    for round in 0..4 {
        let app = spawn_app().await;
        let (lurah, a, b) = two_verified(&app).await;
        let (x, y) = tokio::join!(merge(&app, &lurah, &a, &b), merge(&app, &lurah, &b, &a));
        let ok = [&x, &y].iter().filter(|v| v["errors"].is_null()).count();
        assert_eq!(ok, 1, "round {round}: {x} / {y}");
        let refused = if x["errors"].is_null() { &y } else { &x };
        assert_eq!(
            error_code(refused).as_deref(),
            Some("VALIDATION"),
            "{refused}"
        );
        let mut statuses = vec![status(&app, &a).await, status(&app, &b).await];
        statuses.sort();
        assert_eq!(statuses, vec!["merged", "verified"], "round {round}");
    }
}

#[tokio::test]
async fn a_merge_racing_the_targets_rejection_never_lands_on_a_rejected_target() {
    for round in 0..4 {
        let app = spawn_app().await;
        let (lurah, a, b) = two_verified(&app).await;
        let (m, r) = tokio::join!(
            merge(&app, &lurah, &a, &b),
            act(
                &app,
                &lurah,
                &b,
                "REJECT",
                json!({}),
                Some("Bukan kewenangan")
            )
        );
        assert_ok(&r);
        if m["errors"].is_null() {
            // Both went through: then the merge came first, onto a proposal still active, and
            // the rejection is a later decision in the trail.
            let rows = mufakat_store::repo::audit::page(&app.state.db, 0, 100_000)
                .await
                .unwrap();
            let at = |t: &str| rows.iter().position(|e| e.transition == t).unwrap();
            assert!(at("merge") < at("reject"), "round {round}");
        } else {
            assert_eq!(error_code(&m).as_deref(), Some("VALIDATION"), "{m}");
            assert_eq!(status(&app, &a).await, "verified");
        }
        assert_eq!(status(&app, &b).await, "rejected");
    }
}
