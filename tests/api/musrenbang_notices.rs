//! Residents hear what became of a proposal they made or voted for: every status change by
//! staff, with the reason and what changed, in their language; never the one who acted.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, many_residents, phase_after, proposal_in_voting, VOTE};

async fn notices(app: &TestApp, token: &str, lang: Option<&str>) -> Vec<Value> {
    let (_, v) = app
        .post(
            json!({ "query": "{ myNotifications { kind message proposalId } }" }),
            Some(token),
            lang,
        )
        .await;
    v["data"]["myNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{v}"))
}

#[tokio::test]
async fn the_proposer_and_the_voters_are_told_of_every_change_with_its_reason() {
    let app = spawn_app().await;
    let (cycle, siti, a) = proposal_in_voting(&app, "Saluran RT 03").await;
    let voters = many_residents(&app, "35.99.01.1001", 2).await;
    for t in &voters {
        assert_ok(&app.gql(VOTE, json!({ "id": a }), Some(t)).await);
    }
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = app.login("lurah.mekarsari").await;
    assert_ok(&act(&app, &lurah, &a, "VERIFY", json!({}), None).await);
    assert_ok(
        &act(
            &app,
            &lurah,
            &a,
            "ACCEPT_WITH_CHANGES",
            json!({ "volume": "2" }),
            Some("Volume disesuaikan hasil survei"),
        )
        .await,
    );
    // The proposer and both voters, newest first, in Indonesian by default.
    for t in std::iter::once(&siti).chain(&voters) {
        let n = notices(&app, t, None).await;
        let kinds: Vec<&str> = n.iter().map(|x| x["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["proposal_accept_with_changes", "proposal_verify"],
            "{n:?}"
        );
        let m = n[0]["message"].as_str().unwrap();
        assert!(
            m.contains("Saluran RT 03") && m.contains("diterima dengan perubahan"),
            "{m}"
        );
        assert!(
            m.contains("Rp 1.000,00") && m.contains("Rp 2.000,00"),
            "what changed: {m}"
        );
        assert!(m.contains("Alasan: Volume disesuaikan hasil survei"), "{m}");
        assert_eq!(n[0]["proposalId"], json!(a));
    }
    // In English on request.
    let en = notices(&app, &voters[0], Some("en")).await;
    let m = en[0]["message"].as_str().unwrap();
    assert!(
        m.contains("was accepted with changes") && m.contains("Reason: Volume"),
        "{m}"
    );
    // The one who acted is not told of their own act.
    assert!(notices(&app, &lurah, None).await.is_empty());
}

#[tokio::test]
async fn a_rejection_reaches_the_proposer_with_its_reason() {
    let app = spawn_app().await;
    let (cycle, siti, p) = proposal_in_voting(&app, "Gapura kampung").await;
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = app.login("lurah.mekarsari").await;
    assert_ok(
        &act(
            &app,
            &lurah,
            &p,
            "REJECT",
            json!({}),
            Some("Bukan kewenangan kelurahan"),
        )
        .await,
    );
    let n = notices(&app, &siti, None).await;
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["kind"], "proposal_reject");
    let m = n[0]["message"].as_str().unwrap();
    assert!(
        m.contains("ditolak") && m.contains("Alasan: Bukan kewenangan kelurahan"),
        "{m}"
    );
}
