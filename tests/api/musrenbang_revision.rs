//! The kelurahan returns a proposal to its proposer for revision with a note, until it decides;
//! the proposer corrects it and sends it again. At the cycle's end every proposal still
//! undecided is closed out, audited, and its proposer told.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, id_of, phase_after, propose, VOTE};

const EDIT: &str = "mutation($id: ID!, $i: EditProposalInput!) { editProposal(proposalId: $id, input: $i) { status title } }";

/// A proposal's status as its proposer (warga.siti) sees it: drafts are hers alone.
async fn status(app: &TestApp, id: &str) -> String {
    let siti = app.login("warga.siti").await;
    let v = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { status } }",
            json!({ "id": id }),
            Some(&siti),
        )
        .await;
    v["data"]["proposal"]["status"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned()
}

async fn notices(app: &TestApp, token: &str) -> Vec<String> {
    let v = app
        .gql("{ myNotifications { message } }", json!({}), Some(token))
        .await;
    v["data"]["myNotifications"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|n| n["message"].as_str().unwrap().to_owned())
        .collect()
}

fn edit(title: &str) -> Value {
    json!({ "title": title, "description": "Saluran tersumbat sepanjang 40 m", "category": "infrastruktur", "volume": "40", "unit": "m", "unitPrice": "150000" })
}

#[tokio::test]
async fn a_returned_proposal_is_corrected_and_sent_again_until_the_kelurahan_decides() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let p = id_of(
        &propose(&app, &siti, &cycle.id, "Saluran", "1", "1000").await,
        "createProposal",
    );
    assert_ok(&act(&app, &siti, &p, "SUBMIT", json!({}), None).await);

    // Only the kelurahan returns, and with a note.
    let v = act(&app, &siti, &p, "RETURN_FOR_REVISION", json!({}), Some("x")).await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    let v = act(&app, &lurah, &p, "RETURN_FOR_REVISION", json!({}), None).await;
    assert_eq!(error_fields(&v), ["comment"], "{v}");
    let note = "Lengkapi volume dan harga satuan saluran.";
    assert_ok(
        &act(
            &app,
            &lurah,
            &p,
            "RETURN_FOR_REVISION",
            json!({}),
            Some(note),
        )
        .await,
    );
    assert_eq!(status(&app, &p).await, "revision");
    let told = notices(&app, &siti).await;
    assert!(
        told.iter()
            .any(|m| m.contains("dikembalikan") && m.contains(note)),
        "{told:?}"
    );

    // The proposer corrects it in the voting phase and sends it again; votes follow.
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");
    let v = app
        .gql(
            EDIT,
            json!({ "id": p, "i": edit("Saluran RT 03 sepanjang 40 m") }),
            Some(&siti),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["editProposal"]["status"], "revision");
    assert_ok(&act(&app, &siti, &p, "RESUBMIT", json!({}), None).await);
    assert_eq!(status(&app, &p).await, "submitted");
    assert_ok(&app.gql(VOTE, json!({ "id": p }), Some(&siti)).await);

    // Once more after verification, in the kelurahan's phase; then it is decided.
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    assert_ok(&act(&app, &lurah, &p, "VERIFY", json!({}), None).await);
    assert_ok(
        &act(
            &app,
            &lurah,
            &p,
            "RETURN_FOR_REVISION",
            json!({}),
            Some("Foto lokasi belum ada."),
        )
        .await,
    );
    assert_ok(&act(&app, &siti, &p, "RESUBMIT", json!({}), None).await);
    assert_ok(&act(&app, &lurah, &p, "VERIFY", json!({}), None).await);
    assert_ok(&act(&app, &lurah, &p, "ACCEPT", json!({}), None).await);
    let v = act(
        &app,
        &lurah,
        &p,
        "RETURN_FOR_REVISION",
        json!({}),
        Some("terlambat"),
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "decided: {v}");

    // After the kelurahan's phase nothing goes back.
    assert_eq!(
        phase_after(&app, &cycle, 30).await,
        "kecamatan_deliberation"
    );
    let v = act(
        &app,
        &lurah,
        &p,
        "RETURN_FOR_REVISION",
        json!({}),
        Some("x"),
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn undecided_proposals_are_closed_out_when_the_cycle_closes() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let mut ids = vec![];
    for t in ["Jalan", "Drainase", "Posyandu"] {
        let id = id_of(
            &propose(&app, &siti, &cycle.id, t, "1", "1000").await,
            "createProposal",
        );
        assert_ok(&act(&app, &siti, &id, "SUBMIT", json!({}), None).await);
        ids.push(id);
    }
    let draft = id_of(
        &propose(&app, &siti, &cycle.id, "Draf", "1", "1000").await,
        "createProposal",
    );
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    // Jalan is rejected (decided); Drainase accepted but never forwarded; Posyandu never
    // discussed.
    assert_ok(
        &act(
            &app,
            &lurah,
            &ids[0],
            "REJECT",
            json!({}),
            Some("Sudah dibangun tahun lalu"),
        )
        .await,
    );
    assert_ok(&act(&app, &lurah, &ids[1], "VERIFY", json!({}), None).await);
    assert_ok(&act(&app, &lurah, &ids[1], "ACCEPT", json!({}), None).await);
    assert_eq!(phase_after(&app, &cycle, 51).await, "closed");
    assert_eq!(status(&app, &ids[0]).await, "rejected");
    assert_eq!(status(&app, &ids[1]).await, "not_accommodated");
    assert_eq!(status(&app, &ids[2]).await, "not_accommodated");
    assert_eq!(
        status(&app, &draft).await,
        "draft",
        "a draft was never a proposal"
    );
    let v = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { history { transition comment actor } } }",
            json!({ "id": ids[2] }),
            None,
        )
        .await;
    let last = v["data"]["proposal"]["history"]
        .as_array()
        .unwrap()
        .last()
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(last["transition"], "close_out", "{v}");
    assert_eq!(last["comment"], "Tidak dibahas sampai akhir siklus.");
    let told = notices(&app, &siti).await;
    assert!(
        told.iter().filter(|m| m.contains("akhir siklus")).count() >= 2,
        "{told:?}"
    );
    app.assert_trail_verifies().await;
}

/// Bappeda closes the cycle before its date, by hand: the same close-out, in that transition.
#[tokio::test]
async fn a_cycle_closed_early_by_hand_closes_out_its_undecided_proposals() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let bappeda = app.login("bappeda").await;
    let id = id_of(
        &propose(&app, &siti, &cycle.id, "Jalan", "1", "1000").await,
        "createProposal",
    );
    assert_ok(&act(&app, &siti, &id, "SUBMIT", json!({}), None).await);
    assert_eq!(phase_after(&app, &cycle, 41).await, "kota_forum");
    let v = app
        .gql(
            "query($id: ID!) { musrenbangCycle(id: $id) { caseId } }",
            json!({ "id": cycle.id }),
            None,
        )
        .await;
    let case = v["data"]["musrenbangCycle"]["caseId"].clone();
    let v = app
        .gql(
            "mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"close\") { state } }",
            json!({ "id": case }),
            Some(&bappeda),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "closed");
    assert_eq!(status(&app, &id).await, "not_accommodated");
    assert!(notices(&app, &siti)
        .await
        .iter()
        .any(|m| m.contains("akhir siklus")));
    app.assert_trail_verifies().await;
}

/// On the web app: the proposer reads the kelurahan's note, corrects the proposal and sends it
/// again.
#[tokio::test]
async fn the_web_app_shows_the_note_and_sends_a_returned_proposal_again() {
    use crate::web::Visitor;
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let p = id_of(
        &propose(&app, &siti, &cycle.id, "Saluran", "1", "1000").await,
        "createProposal",
    );
    assert_ok(&act(&app, &siti, &p, "SUBMIT", json!({}), None).await);
    assert_ok(
        &act(
            &app,
            &lurah,
            &p,
            "RETURN_FOR_REVISION",
            json!({}),
            Some("Tambahkan foto lokasi."),
        )
        .await,
    );
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");
    let mut v = Visitor::new(&app);
    v.log_in("warga.siti").await;
    let page = v.get(&format!("/proposals/{p}")).await;
    assert!(
        page.has("Tambahkan foto lokasi.") && page.has(&format!("/proposals/{p}/resubmit")),
        "{}",
        page.body
    );
    assert_eq!(
        v.get(&format!("/proposals/{p}/edit")).await.status,
        200,
        "editable in the voting phase"
    );
    let sent = v
        .submit(
            &format!("/proposals/{p}"),
            &format!("/proposals/{p}/resubmit"),
            &[],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(status(&app, &p).await, "submitted");
    // Others see the proposal, not the proposer's buttons.
    let mut other = Visitor::new(&app);
    assert!(!other.get(&format!("/proposals/{p}")).await.has("/resubmit"));
}
