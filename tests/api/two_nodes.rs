//! Two server processes on one PostgreSQL database: votes through both are counted exactly,
//! the cycle's timers fire once, and vote counts reach subscribers of any node (LISTEN/NOTIFY).

use std::time::Duration;

use serde_json::json;

use crate::crash::{create_planner, create_staff, free_port, gql, login, start};
use crate::helpers::*;

#[tokio::test]
async fn two_nodes_share_one_postgresql() {
    let db = mufakat_store::testing::TestDb::fresh().await;
    if !db.is_postgres() {
        eprintln!("SKIPPED two_nodes_share_one_postgresql: needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("mufakat-2n-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    // Same data directory: the nodes share the NIK key and the checkpoint signing key.
    let a = start(&dir.0, &db.url, free_port()).await;
    let b = start(&dir.0, &db.url, free_port()).await;
    let nodes = [a.url.clone(), b.url.clone()];
    let client = reqwest::Client::new();

    // A third process listens like a node's subscription would.
    let settings = mufakat_server::Settings {
        database_url: Some(db.url.clone()),
        data_dir: dir.0.clone(),
        ..Default::default()
    };
    let observer = mufakat_server::startup::build_state(settings)
        .await
        .unwrap();
    let mut rx = observer
        .modules
        .get::<mufakat_server::services::musrenbang::VoteEvents>()
        .0
        .subscribe();
    tokio::spawn(mufakat_module_musrenbang::vote_listener(observer.clone()));

    let kel = gql(
        &client,
        &nodes[0],
        "{ regions(level: KELURAHAN_DESA) { id code } }",
        json!({}),
        None,
    )
    .await
    .unwrap()["data"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "35.99.01.1001")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut residents = vec![];
    for i in 0..12 {
        let v = gql(&client, &nodes[i % 2], "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { token } }",
            json!({ "i": { "username": format!("dua{i}"), "name": "Warga", "nik": format!("359901{:02}0185{:04}", 1 + i, i + 1), "kelurahanId": kel, "password": "kata-sandi-warga" } }), None).await.unwrap();
        residents.push(
            v["data"]["registerResident"]["token"]
                .as_str()
                .unwrap_or_else(|| panic!("{v}"))
                .to_owned(),
        );
    }
    create_planner(&dir.0, &db.url);
    let planner = login(&client, &nodes[1], "perencana", "sandi-perencana-123").await;
    let kota = gql(&client, &nodes[0], "{ regions { id } }", json!({}), None)
        .await
        .unwrap()["data"]["regions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now();
    let at = |s: i64| (now + chrono::Duration::seconds(s)).to_rfc3339();
    let v = gql(&client, &nodes[0], "mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id caseId } }",
        json!({ "i": { "name": "Dua node", "year": 2028, "regionId": kota, "maxVotesPerVoter": 10,
            "windows": { "submissionOpens": at(-60), "votingOpens": at(6), "kelurahanOpens": at(3600), "kecamatanOpens": at(7200), "kotaOpens": at(9000), "closesAt": at(10000) } } }),
        Some(&planner)).await.unwrap();
    let cycle = v["data"]["createMusrenbangCycle"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned();
    let case_id = v["data"]["createMusrenbangCycle"]["caseId"]
        .as_str()
        .unwrap()
        .to_owned();
    let phase = |node: usize| {
        let (client, url, c) = (client.clone(), nodes[node].clone(), cycle.clone());
        async move {
            gql(
                &client,
                &url,
                "query($c: ID!) { musrenbangCycle(id: $c) { phase } }",
                json!({ "c": c }),
                None,
            )
            .await
            .unwrap()["data"]["musrenbangCycle"]["phase"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while phase(1).await != "submission" {
        assert!(
            std::time::Instant::now() < deadline,
            "the cycle never reached submission"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut proposals = vec![];
    for i in 0..6 {
        let v = gql(&client, &nodes[1], "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }",
            json!({ "i": { "cycleId": cycle, "title": format!("Usulan {i}"), "description": "d", "category": "infrastruktur", "volume": "1", "unit": "m", "unitPrice": "1000" } }), Some(&residents[i])).await.unwrap();
        let id = v["data"]["createProposal"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned();
        gql(
            &client,
            &nodes[0],
            "mutation($id: ID!) { proposalAction(proposalId: $id, action: SUBMIT) { receipt } }",
            json!({ "id": id }),
            Some(&residents[i]),
        )
        .await
        .unwrap();
        proposals.push(id);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while phase(0).await != "voting" {
        assert!(
            std::time::Instant::now() < deadline,
            "the cycle never reached voting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let both schedulers have a go at the (already fired) timer.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let mut tasks = vec![];
    for (r, tok) in residents.iter().enumerate() {
        for (p, pid) in proposals.iter().enumerate() {
            let (client, url, tok, pid) = (
                client.clone(),
                nodes[(r + p) % 2].clone(),
                tok.clone(),
                pid.clone(),
            );
            tasks.push(tokio::spawn(async move {
                gql(
                    &client,
                    &url,
                    "mutation($id: ID!) { vote(proposalId: $id) { receipt } }",
                    json!({ "id": pid }),
                    Some(&tok),
                )
                .await
                .unwrap()
            }));
        }
    }
    for t in tasks {
        assert_ok(&t.await.unwrap());
    }
    for (i, pid) in proposals.iter().enumerate() {
        let v = gql(
            &client,
            &nodes[i % 2],
            "query($id: ID!) { proposal(id: $id) { votes } }",
            json!({ "id": pid }),
            None,
        )
        .await
        .unwrap();
        assert_eq!(v["data"]["proposal"]["votes"], residents.len() as i64);
    }
    // The observer saw every proposal's final count, whichever node took the votes (a batch
    // of votes publishes each touched proposal's count once).
    let mut latest: std::collections::HashMap<i32, i32> = Default::default();
    let done = |l: &std::collections::HashMap<i32, i32>| {
        l.len() == proposals.len() && l.values().all(|&v| v == residents.len() as i32)
    };
    while !done(&latest) {
        match tokio::time::timeout(Duration::from_secs(3), rx.recv()).await {
            Ok(Ok(c)) => {
                latest.insert(c.proposal_id, c.votes);
            }
            _ => break,
        }
    }
    assert!(
        done(&latest),
        "vote counts across nodes: {latest:?} (want {} votes on each of {} proposals)",
        residents.len(),
        proposals.len()
    );
    // Each phase timer fired exactly once, by one of the two nodes.
    let events =
        mufakat_store::repo::audit::for_instance(&observer.db, "musrenbang-siklus", &case_id)
            .await
            .unwrap();
    let steps: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.transition.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("start", steps[0].1),
            ("open_submission", "system"),
            ("open_voting", "system")
        ]
    );
    assert!(
        mufakat_server::notary::verify(&observer.db, &observer.notary)
            .await
            .unwrap()
            .ok
    );
}

/// Guessing through two nodes gets the tries of one: the login limit's counters are in
/// PostgreSQL (before, each node counted its own, so N nodes gave N× the tries).
#[tokio::test]
async fn the_login_limit_holds_across_two_nodes() {
    let db = mufakat_store::testing::TestDb::fresh().await;
    if !db.is_postgres() {
        eprintln!(
            "SKIPPED the_login_limit_holds_across_two_nodes: needs TEST_DATABASE_URL (PostgreSQL)"
        );
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("mufakat-2l-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let a = start(&dir.0, &db.url, free_port()).await;
    let b = start(&dir.0, &db.url, free_port()).await;
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    for i in 0..12 {
        let node = if i % 2 == 0 { &a.url } else { &b.url };
        let v = gql(
            &client,
            node,
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
            json!({ "u": "admin", "p": format!("wrong-guess-{i}") }),
            None,
        )
        .await
        .unwrap();
        codes.push(
            v["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        );
    }
    let limited = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!(
        limited, 7,
        "5 guesses in all, then refused on both nodes: {codes:?}"
    );
}

/// Each node searches its own snapshot of the catalogue: an item delisted through one node
/// leaves the other's search as soon as PostgreSQL's notification arrives.
#[tokio::test]
async fn a_catalogue_change_through_one_node_reaches_the_others_search() {
    let db = mufakat_store::testing::TestDb::fresh().await;
    if !db.is_postgres() {
        eprintln!("SKIPPED a_catalogue_change_through_one_node_reaches_the_others_search: needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let dir =
        TempDir(std::env::temp_dir().join(format!("mufakat-2n-{}", uuid::Uuid::new_v4().simple())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let a = start(&dir.0, &db.url, free_port()).await;
    let b = start(&dir.0, &db.url, free_port()).await;
    let client = reqwest::Client::new();
    create_staff(
        &dir.0,
        &db.url,
        "katalog",
        "ukpbj_staff",
        "sandi-katalog-123",
    );
    let staff = login(&client, &a.url, "katalog", "sandi-katalog-123").await;
    let search = "query($t: String) { catalogue(filter: { text: $t }, first: 100) { totalCount edges { node { id name } } } }";
    let before = gql(&client, &b.url, search, json!({}), None).await.unwrap();
    let total = before["data"]["catalogue"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{before}"));
    assert!(total > 0, "{before}");
    let item = before["data"]["catalogue"]["edges"][0]["node"].clone();
    let v = gql(
        &client,
        &a.url,
        "mutation($i: ID!) { catalogueItemAction(itemId: $i, action: DELIST, comment: \"Penyedia berhenti memproduksi\") { status } }",
        json!({ "i": item["id"] }),
        Some(&staff),
    )
    .await
    .unwrap();
    assert_eq!(
        v["data"]["catalogueItemAction"]["status"], "delisted",
        "{v}"
    );
    let mut seen = None;
    for _ in 0..50 {
        let after = gql(&client, &b.url, search, json!({}), None).await.unwrap();
        if after["data"]["catalogue"]["totalCount"].as_i64() == Some(total - 1) {
            seen = Some(after);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = seen.expect("node B's search did not lose the delisted item within 5 s");
    let ids: Vec<&str> = after["data"]["catalogue"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&item["id"].as_str().unwrap()), "{after}");
}
