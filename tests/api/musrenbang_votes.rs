//! e-Musrenbang voting through the API: concurrent votes counted exactly, one resident's
//! votes and withdrawals at once, a vote that moves its case, live counts for subscribers.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::*;

#[tokio::test]
async fn concurrent_votes_are_counted_exactly() {
    let app = spawn_app().await;
    let (_cycle, siti, p) = proposal_in_voting(&app, "Jalan lingkungan").await;
    let n = 1000;
    let tokens = many_residents(&app, "35.99.01.1001", n).await;
    let mut tasks = vec![];
    for t in tokens.iter().cloned() {
        let (client, url, p) = (app.client.clone(), app.url("/graphql"), p.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(t)
                .json(&json!({ "query": VOTE, "variables": { "id": p } }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }));
    }
    // And one resident voting twice at once.
    let twice: Vec<_> = (0..2)
        .map(|_| {
            let (client, url, p, t) = (
                app.client.clone(),
                app.url("/graphql"),
                p.clone(),
                siti.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(t)
                    .json(&json!({ "query": VOTE, "variables": { "id": p } }))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        assert_ok(&t.await.unwrap());
    }
    let mut ok = 0;
    for t in twice {
        let v = t.await.unwrap();
        match error_code(&v).as_deref() {
            None => ok += 1,
            Some("CONFLICT") => {}
            other => panic!("{other:?}: {v}"),
        }
    }
    assert_eq!(
        ok, 1,
        "the same resident voting twice at once gives one vote"
    );
    let v = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { votes } }",
            json!({ "id": p }),
            None,
        )
        .await;
    assert_eq!(v["data"]["proposal"]["votes"], n as i64 + 1);
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let rows = mufakat_module_musrenbang::entity::proposal_vote::Entity::find()
        .filter(
            mufakat_module_musrenbang::entity::proposal_vote::Column::ProposalId
                .eq(p.parse::<i32>().unwrap()),
        )
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows, n as u64 + 1);
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn one_residents_votes_and_withdrawals_at_once_stay_consistent() {
    // Many requests of one resident at once land in the same vote batch: approvals,
    // withdrawals and the per-cycle limit (2) must be decided in order, as one at a time.
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let mut ps = vec![];
    for title in ["Drainase", "Posyandu", "Lampu jalan"] {
        let p = id_of(
            &propose(&app, &siti, &cycle.id, title, "1", "1000").await,
            "createProposal",
        );
        assert_ok(&act(&app, &siti, &p, "SUBMIT", json!({}), None).await);
        ps.push(p);
    }
    assert_eq!(phase_after(&app, &cycle, 10).await, "voting");
    let mut tasks = vec![];
    for i in 0..60usize {
        let (client, url, t) = (app.client.clone(), app.url("/graphql"), siti.clone());
        let p = ps[i % 3].clone();
        let approve = (i / 3) % 3 != 2;
        tasks.push(tokio::spawn(async move {
            let q = if approve {
                "mutation($id: ID!) { vote(proposalId: $id) { seq } }"
            } else {
                "mutation($id: ID!) { withdrawVote(proposalId: $id) { seq } }"
            };
            let v = client
                .post(url)
                .bearer_auth(t)
                .json(&json!({ "query": q, "variables": { "id": p } }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap();
            (i % 3, approve, v)
        }));
    }
    let mut net = [0i64; 3];
    let mut seqs = std::collections::BTreeSet::new();
    for t in tasks {
        let (k, approve, v) = t.await.unwrap();
        match error_code(&v).as_deref() {
            None => {
                net[k] += if approve { 1 } else { -1 };
                let seq = if approve {
                    &v["data"]["vote"]["seq"]
                } else {
                    &v["data"]["withdrawVote"]["seq"]
                };
                assert!(seqs.insert(seq.to_string()), "receipt seq twice: {v}");
            }
            Some("CONFLICT") => {}
            other => panic!("{other:?}: {v}"),
        }
    }
    let mut total = 0;
    for (k, p) in ps.iter().enumerate() {
        let v = app
            .gql(
                "query($id: ID!) { proposal(id: $id) { votes myVote } }",
                json!({ "id": p }),
                Some(&siti),
            )
            .await;
        let votes = v["data"]["proposal"]["votes"].as_i64().unwrap();
        assert!(votes == 0 || votes == 1, "{v}");
        assert_eq!(votes, net[k], "accepted votes minus withdrawals: {v}");
        assert_eq!(v["data"]["proposal"]["myVote"], votes == 1);
        total += votes;
    }
    assert!(total <= 2, "the limit of 2 votes held: {total}");
    use mufakat_store::sea_orm::{EntityTrait, PaginatorTrait};
    let rows = mufakat_module_musrenbang::entity::proposal_vote::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows as i64, total);
    let report = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(report.ok);
}

/// The shipped workflow's vote is a self-loop; a deployed variant may move the case. Here a
/// vote moves `submitted -> didukung` (arming a timer there), later votes stay: the batched
/// writer must store the new state, when it was entered, and the timer, as a single transition
/// would.
#[tokio::test]
async fn a_vote_that_moves_the_case_stores_its_state_and_timers() {
    let dir = std::env::temp_dir().join("mufakat-wf-moving-vote");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
    for f in std::fs::read_dir(&src).unwrap() {
        let f = f.unwrap().path();
        if f.is_dir() {
            continue;
        }
        let mut text = std::fs::read_to_string(&f).unwrap();
        if f.file_name().unwrap() == "musrenbang-usulan.toml" {
            let vote = "name = \"vote\"\ntitle = \"Dukung (beri suara)\"\ntitle_en = \"Support (vote)\"\nfrom = [\"submitted\"]\nto = \"submitted\"";
            assert!(text.contains(vote));
            text = text.replace(
                vote,
                "name = \"vote\"\ntitle = \"Dukung (beri suara)\"\ntitle_en = \"Support (vote)\"\nfrom = [\"submitted\", \"didukung\"]\nto = \"didukung\"",
            );
            text.push_str(
                "\n[states.didukung]\ntitle = \"Didukung\"\n\n[[transitions]]\nname = \"tinjau\"\ntitle = \"Tinjau\"\nfrom = [\"didukung\"]\nto = \"submitted\"\nroles = [\"system\"]\n\n[[timers]]\nname = \"cek_dukungan\"\nstate = \"didukung\"\nafter = \"P1D\"\ntransition = \"tinjau\"\n",
            );
        }
        std::fs::write(dir.join(f.file_name().unwrap()), text).unwrap();
    }
    let app = spawn_app_with(Options {
        seed: true,
        tweak: |s| s.workflows_dir = std::env::temp_dir().join("mufakat-wf-moving-vote"),
    })
    .await;
    let (_cycle, _siti, p) = proposal_in_voting(&app, "Jalan").await;
    let tokens = many_residents(&app, "35.99.01.1001", 6).await;
    let vote = |t: String| {
        let (client, url, p) = (app.client.clone(), app.url("/graphql"), p.clone());
        async move {
            client
                .post(url)
                .bearer_auth(t)
                .json(&json!({ "query": "mutation($id: ID!) { vote(proposalId: $id) { seq } }", "variables": { "id": p } }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    // The first vote alone (it moves the case), then five at once (they stay).
    assert_ok(&vote(tokens[0].clone()).await);
    let rest: Vec<_> = tokens[1..]
        .iter()
        .cloned()
        .map(|t| tokio::spawn(vote(t)))
        .collect();
    for r in rest {
        assert_ok(&r.await.unwrap());
    }
    use mufakat_module_musrenbang::entity::proposal as prop;
    use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = &app.state.db;
    let pr = prop::Entity::find_by_id(p.parse::<i32>().unwrap())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pr.vote_count, 6);
    let case = wi::Entity::find_by_id(pr.instance_id.unwrap())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.state, "didukung");
    let events =
        mufakat_store::repo::audit::for_instance(db, "musrenbang-usulan", &case.id.to_string())
            .await
            .unwrap();
    let votes: Vec<_> = events.iter().filter(|e| e.transition == "vote").collect();
    assert_eq!(votes.len(), 6);
    assert_eq!(
        (votes[0].from_state.as_str(), votes[0].to_state.as_str()),
        ("submitted", "didukung")
    );
    assert!(votes[1..]
        .iter()
        .all(|e| e.from_state == "didukung" && e.to_state == "didukung"));
    // Entered when the first vote moved it, not when the later ones looped.
    assert_eq!(
        mufakat_audit::format_time(case.state_entered_at),
        votes[0].at
    );
    let timers = wt::Entity::find()
        .filter(wt::Column::InstanceId.eq(case.id))
        .filter(wt::Column::FiredAt.is_null())
        .all(db)
        .await
        .unwrap();
    assert_eq!(timers.len(), 1, "{timers:?}");
    assert_eq!(
        (timers[0].name.as_str(), timers[0].armed_in_state.as_str()),
        ("cek_dukungan", "didukung")
    );
    assert!(
        mufakat_server::notary::verify(db, &app.state.notary)
            .await
            .unwrap()
            .ok
    );
}

#[tokio::test]
async fn live_vote_counts_are_pushed_to_subscribers_of_the_region() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    let (_cycle, siti, p) = proposal_in_voting(&app, "Jalan").await;
    let schema = mufakat_server::graphql::build_schema(Some(app.state.clone()), 12, 1000, 2000);
    let kec = app.region_id("35.99.01").await;
    let other = app.region_id("35.99.02").await;
    let mut mine = schema.execute_stream(async_graphql::Request::new(format!(
        "subscription {{ voteCounts(regionId: \"{kec}\") {{ proposalId votes }} }}"
    )));
    let mut elsewhere = schema.execute_stream(async_graphql::Request::new(format!(
        "subscription {{ voteCounts(regionId: \"{other}\") {{ votes }} }}"
    )));
    // Let the subscriptions start listening before the vote.
    let first = tokio::spawn(async move { mine.next().await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_ok(&app.gql(VOTE, json!({ "id": p }), Some(&siti)).await);
    let got = tokio::time::timeout(std::time::Duration::from_secs(5), first)
        .await
        .expect("an update arrives")
        .unwrap()
        .unwrap();
    let data = got.data.into_json().unwrap();
    assert_eq!(data["voteCounts"], json!({ "proposalId": p, "votes": 1 }));
    let none = tokio::time::timeout(std::time::Duration::from_millis(300), elsewhere.next()).await;
    assert!(none.is_err(), "another kecamatan's subscribers get nothing");
}
