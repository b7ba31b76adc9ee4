//! Mistakes are said, not swallowed: unknown filters, a criterion scored twice, a comment
//! reported twice by one person; score messages in one language.

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{act, phase_after, proposal_in_voting};

const SCORE: &str = "mutation($id: ID!, $s: [CriterionScore!]!) { scoreProposal(proposalId: $id, scores: $s) { score } }";

#[tokio::test]
async fn unknown_statuses_and_workflows_are_refused_rather_than_listed_empty() {
    let app = spawn_app().await;
    let v = app
        .gql(
            "{ proposals(filter: { status: \"diterima\" }) { nodes { id } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(error_fields(&v), ["filter.status"]);
    let v = app
        .gql(
            "{ proposals(filter: { status: \"submitted\" }) { nodes { id } } }",
            json!({}),
            None,
        )
        .await;
    assert_ok(&v);
    let admin = app.login("admin").await;
    for (vars, field) in [
        (json!({ "w": "pengaduan" }), "workflow"),
        (json!({ "w": "lapor-complaint", "s": "done" }), "stateName"),
    ] {
        let v = app
            .gql(
                "query($w: String, $s: String) { cases(workflow: $w, stateName: $s) { id } }",
                vars,
                Some(&admin),
            )
            .await;
        assert_eq!(error_fields(&v), [field], "{v}");
    }
    let v = app
        .gql(
            "query($w: String, $s: String) { cases(workflow: $w, stateName: $s) { id } }",
            json!({ "w": "lapor-complaint", "s": "routed" }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
}

#[tokio::test]
async fn a_criterion_scored_twice_is_refused_and_score_errors_speak_one_language() {
    let app = spawn_app().await;
    let (cycle, siti, p) = proposal_in_voting(&app, "Jalan lingkungan").await;
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = app.login("lurah.mekarsari").await;
    assert_ok(&act(&app, &lurah, &p, "VERIFY", json!({}), None).await);
    let all = |u: i64| json!([{ "key": "urgency", "value": u }, { "key": "beneficiaries", "value": 4 }, { "key": "alignment", "value": 4 }, { "key": "feasibility", "value": 3 }]);
    let mut twice = all(5);
    twice
        .as_array_mut()
        .unwrap()
        .push(json!({ "key": "urgency", "value": 1 }));
    let v = app
        .gql(SCORE, json!({ "id": p, "s": twice }), Some(&lurah))
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("dinilai dua kali"),
        "{v}"
    );
    // Missing and unknown criteria, in Indonesian only (and in English only on request).
    let v = app
        .gql(
            SCORE,
            json!({ "id": p, "s": [{ "key": "urgency", "value": 5 }] }),
            Some(&lurah),
        )
        .await;
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("belum dinilai") && !m.contains("missing"), "{m}");
    let (_, v) = app
        .post(
            json!({ "query": SCORE, "variables": { "id": p, "s": [{ "key": "biaya", "value": 5 }] } }),
            Some(&lurah),
            Some("en"),
        )
        .await;
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("has no criterion") && !m.contains("Kriteria"),
        "{m}"
    );
    assert_ok(
        &app.gql(SCORE, json!({ "id": p, "s": all(5) }), Some(&lurah))
            .await,
    );
    let _ = siti;
}

#[tokio::test]
async fn one_person_reports_a_comment_once() {
    let app = spawn_app().await;
    let (_cycle, siti, p) = proposal_in_voting(&app, "Taman bermain").await;
    let c = app
        .gql(
            "mutation($id: ID!) { addComment(proposalId: $id, body: \"Setuju sekali\") { id } }",
            json!({ "id": p }),
            Some(&siti),
        )
        .await;
    let cid = c["data"]["addComment"]["id"].as_str().unwrap().to_owned();
    let report = "mutation($id: ID!) { reportComment(commentId: $id) { reports } }";
    let budi = crate::musrenbang::many_residents(&app, "35.99.01.1001", 2).await;
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[0])).await;
    assert_eq!(v["data"]["reportComment"]["reports"], 1);
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[0])).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[1])).await;
    assert_eq!(
        v["data"]["reportComment"]["reports"], 2,
        "another person's report counts"
    );
}
