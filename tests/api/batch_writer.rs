//! Case starts and users' transitions go through the batch writer (`mufakat_server::writer`)
//! with votes. Many starts at once, mixed with refused starts and with module starts that write
//! cases through the group commit (proposals), each get a case of its own, its timers and one
//! audit event naming it; transitions in one batch are decided in arrival order against each
//! other (versions, states, timers); refusals leave nothing. Runs on both engines.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{create_cycle, propose, resident};

const START: &str = "mutation($w: String!, $r: ID!, $i: JSON) { startCase(workflow: $w, regionId: $r, input: $i) { id state version } }";
const CASE: &str = "query($id: ID!) { instance(id: $id) { id state fields history { seq actor transition fromState toState } } }";

fn permit(n: usize) -> Value {
    json!({ "permit_type": "reklame", "applicant_name": format!("Pemohon {n}"), "address": "Jl. Melati 5", "documents": format!("berkas-{n}") })
}

fn complaint(n: usize) -> Value {
    json!({ "description": format!("Lampu mati {n}"), "category": "penerangan" })
}

/// Starts a case of `workflow` in `region` as `token`; its id.
async fn started(app: &TestApp, token: &str, workflow: &str, region: &str, input: Value) -> String {
    let v = app
        .gql(
            START,
            json!({ "w": workflow, "r": region, "i": input }),
            Some(token),
        )
        .await;
    assert_ok(&v);
    v["data"]["startCase"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn concurrent_case_starts_each_get_their_own_case_timers_and_event() {
    use mufakat_store::entity::workflow_timer as wt;
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = std::sync::Arc::new(spawn_app().await);
    let warga = app.login("warga.siti").await;
    let opd = app.login("opd.dinaspu").await;
    let kel = app.region_id("35.99.01.1001").await;
    let cycle = create_cycle(&app).await;
    let events_before = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap()
        .events;

    // 40 valid starts, 5 with a required field missing, 5 by someone who may not start, and
    // 10 proposals (their cases are written by the module through the group commit).
    let mut tasks = vec![];
    for n in 0..60usize {
        let (app, warga, opd, kel, cycle) = (
            app.clone(),
            warga.clone(),
            opd.clone(),
            kel.clone(),
            cycle.id.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let v = if n >= 50 {
                propose(&app, &warga, &cycle, &format!("Usulan {n}"), "1", "1000").await
            } else {
                let mut i = permit(n);
                if (40..45).contains(&n) {
                    i.as_object_mut().unwrap().remove("applicant_name");
                }
                let who = if (45..50).contains(&n) { &opd } else { &warga };
                app.gql(
                    START,
                    json!({ "w": "perizinan", "r": kel, "i": i }),
                    Some(who),
                )
                .await
            };
            (n, v)
        }));
    }
    let mut cases = vec![];
    for t in tasks {
        let (n, v) = t.await.unwrap();
        match n {
            0..40 => {
                assert_ok(&v);
                let c = &v["data"]["startCase"];
                assert_eq!(c["state"], "submitted", "{v}");
                assert_eq!(c["version"], 1, "{v}");
                cases.push((n, c["id"].as_str().unwrap().to_owned()));
            }
            40..45 => assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}"),
            45..50 => assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}"),
            _ => assert_ok(&v),
        }
    }
    let ids: BTreeSet<&str> = cases.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids.len(), 40, "every start has a case of its own");

    // Each case holds what its own request sent, and one start event naming it.
    for (n, id) in &cases {
        let v = app.gql(CASE, json!({ "id": id }), Some(&warga)).await;
        assert_ok(&v);
        let c = &v["data"]["instance"];
        let h = c["history"].as_array().unwrap();
        assert_eq!(h.len(), 1, "{v}");
        assert_eq!(h[0]["fromState"], "", "{v}");
        assert_eq!(h[0]["toState"], "submitted", "{v}");
        assert_eq!(c["fields"]["applicant_name"], format!("Pemohon {n}"), "{v}");
    }
    // The state they start in arms a timer: one per case.
    let numeric: Vec<i32> = ids.iter().map(|id| id.parse().unwrap()).collect();
    let timers = wt::Entity::find()
        .filter(wt::Column::InstanceId.is_in(numeric))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(timers.len(), 40);
    assert!(timers.iter().all(|t| t.name == "unreviewed"));

    // 40 starts and 10 proposals, one event each; refusals wrote nothing.
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.events, events_before + 50);
}

const FIRE: &str = "mutation($id: ID!, $t: String!, $i: JSON, $v: Int) { fireTransition(instanceId: $id, transition: $t, input: $i, expectedVersion: $v) { id state version } }";

/// Pending (not fired, not cancelled) timers of `cases`, by name.
async fn pending_timers(app: &TestApp, cases: &[String]) -> Vec<(i32, String)> {
    use mufakat_store::entity::workflow_timer as wt;
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ids: Vec<i32> = cases.iter().map(|id| id.parse().unwrap()).collect();
    wt::Entity::find()
        .filter(wt::Column::InstanceId.is_in(ids))
        .filter(wt::Column::FiredAt.is_null())
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.instance_id, t.name))
        .collect()
}

#[tokio::test]
async fn concurrent_transitions_are_decided_in_order_against_each_other() {
    let app = std::sync::Arc::new(spawn_app().await);
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let tetangga = resident(&app, "tetangga", "35.99.01.1002", "3599010202900003").await;
    let kel = app.region_id("35.99.01.1001").await;
    let mut cases = vec![];
    for n in 0..20 {
        cases.push(started(&app, &siti, "lapor-complaint", &kel, complaint(n)).await);
    }

    // Each case routed twice at version 1 (one wins, the other is told it changed), the owner
    // trying a staff transition, a neighbour who may not see the cases, a case that is not there.
    let mut tasks = vec![];
    let mut send = |who: &'static str, token: &str, id: String, t: &'static str, i: Value| {
        let (app, token) = (app.clone(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let v = app
                .gql(
                    FIRE,
                    json!({ "id": id, "t": t, "i": i, "v": 1 }),
                    Some(&token),
                )
                .await;
            (who, id, v)
        }));
    };
    for id in &cases {
        send(
            "lurah",
            &lurah,
            id.clone(),
            "route",
            json!({ "opd": "DPUPR" }),
        );
        send(
            "lurah",
            &lurah,
            id.clone(),
            "route",
            json!({ "opd": "DPUPR" }),
        );
    }
    for id in &cases[..5] {
        send(
            "owner",
            &siti,
            id.clone(),
            "route",
            json!({ "opd": "DPUPR" }),
        );
        send("neighbour", &tetangga, id.clone(), "withdraw", json!({}));
    }
    send(
        "lurah",
        &lurah,
        "999999".into(),
        "route",
        json!({ "opd": "DPUPR" }),
    );
    let mut routed = std::collections::BTreeMap::<String, usize>::new();
    for t in tasks {
        let (who, id, v) = t.await.unwrap();
        match (who, error_code(&v).as_deref()) {
            ("lurah", None) => {
                assert_eq!(v["data"]["fireTransition"]["state"], "routed", "{v}");
                assert_eq!(v["data"]["fireTransition"]["version"], 2, "{v}");
                *routed.entry(id).or_default() += 1;
            }
            ("lurah", Some("CONFLICT")) if id != "999999" => {}
            ("lurah", Some("NOT_FOUND")) if id == "999999" => {}
            // The owner may lose the race to the kelurahan (CONFLICT) or be refused the
            // transition (FORBIDDEN); the neighbour is never told the case exists.
            ("owner", Some("FORBIDDEN" | "CONFLICT")) => {}
            ("neighbour", Some("NOT_FOUND")) => {}
            other => panic!("unexpected answer {other:?}: {v}"),
        }
    }
    assert_eq!(routed.len(), 20, "{routed:?}");
    assert!(
        routed.values().all(|n| *n == 1),
        "one route per case: {routed:?}"
    );
    // Routing arms the deadline timer, once per case.
    let timers = pending_timers(&app, &cases).await;
    assert_eq!(timers.len(), 20, "{timers:?}");
    assert!(timers.iter().all(|(_, name)| name == "deadline_passed"));

    // The owner withdraws them all at once: every pending timer is cancelled.
    let mut tasks = vec![];
    for id in &cases {
        let (app, siti, id) = (app.clone(), siti.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            app.gql(
                FIRE,
                json!({ "id": id, "t": "withdraw", "v": 2 }),
                Some(&siti),
            )
            .await
        }));
    }
    for t in tasks {
        let v = t.await.unwrap();
        assert_ok(&v);
        assert_eq!(v["data"]["fireTransition"]["state"], "withdrawn", "{v}");
    }
    assert!(pending_timers(&app, &cases).await.is_empty());
    for id in &cases {
        let v = app.gql(CASE, json!({ "id": id }), Some(&siti)).await;
        let h: Vec<&str> = v["data"]["instance"]["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["toState"].as_str().unwrap())
            .collect();
        assert_eq!(h, ["submitted", "routed", "withdrawn"], "{v}");
    }
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{v:?}");
}

/// A request that makes the database fail does not take the others of its batch down: the
/// batch is kept nothing of and its requests are written again one by one, so each permit
/// (whose timer a trigger refuses) fails alone with an internal error and leaves nothing, and
/// every complaint sent with them is stored.
#[tokio::test]
async fn a_request_that_fails_the_database_fails_alone() {
    use mufakat_store::entity::workflow_instance as wi;
    use mufakat_store::sea_orm::{
        ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    };
    let app = std::sync::Arc::new(spawn_app().await);
    let siti = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let db = &app.state.db;
    let ddl: &[&str] = match db.get_database_backend() {
        DbBackend::Postgres => &[
            "CREATE FUNCTION refuse_timer() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_timer BEFORE INSERT ON workflow_timers FOR EACH ROW WHEN (NEW.name = 'unreviewed') EXECUTE FUNCTION refuse_timer()",
        ],
        _ => &["CREATE TRIGGER refuse_timer BEFORE INSERT ON workflow_timers WHEN NEW.name = 'unreviewed' BEGIN SELECT RAISE(ABORT, 'refused'); END"],
    };
    for sql in ddl {
        db.execute_unprepared(sql).await.unwrap();
    }
    let events_before = mufakat_server::notary::verify(db, &app.state.notary)
        .await
        .unwrap()
        .events;

    let mut tasks = vec![];
    for n in 0..40usize {
        let (app, siti, kel) = (app.clone(), siti.clone(), kel.clone());
        tasks.push(tokio::spawn(async move {
            let is_permit = n % 4 == 0;
            let v = if is_permit {
                app.gql(
                    START,
                    json!({ "w": "perizinan", "r": kel, "i": permit(n) }),
                    Some(&siti),
                )
                .await
            } else {
                app.gql(
                    START,
                    json!({ "w": "lapor-complaint", "r": kel, "i": complaint(n) }),
                    Some(&siti),
                )
                .await
            };
            (is_permit, v)
        }));
    }
    let (mut complaints, mut failed) = (0, 0);
    for t in tasks {
        let (permit, v) = t.await.unwrap();
        match error_code(&v).as_deref() {
            None if !permit => complaints += 1,
            Some("INTERNAL") => {
                failed += 1;
                let msg = v["errors"][0]["message"].as_str().unwrap_or_default();
                assert!(
                    !msg.contains("refused"),
                    "internal causes stay internal: {v}"
                );
            }
            _ => panic!("unexpected answer (permit: {permit}): {v}"),
        }
    }
    assert_eq!(
        (complaints, failed),
        (30, 10),
        "every permit fails, no complaint does"
    );
    let stored = wi::Entity::find()
        .filter(wi::Column::Workflow.is_in(["lapor-complaint", "perizinan"]))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        stored, complaints as u64,
        "only answered successes are stored"
    );
    let v = mufakat_server::notary::verify(db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.events, events_before + complaints as i64);
}

/// Timers follow the state a case is in, whatever the mix of transitions in a batch: leaving a
/// state with timers cancels them (kept, with `fired_at` set), entering one arms its own, and
/// leaving a state without timers touches none.
#[tokio::test]
async fn timers_follow_the_state_through_batched_transitions() {
    use mufakat_store::entity::workflow_timer as wt;
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = std::sync::Arc::new(spawn_app().await);
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let opd = app.login("opd.dinaspu").await;
    let kel = app.region_id("35.99.01.1001").await;
    let mut complaints = vec![];
    for n in 0..4 {
        complaints.push(started(&app, &siti, "lapor-complaint", &kel, complaint(n)).await);
    }
    let permit_case = started(&app, &siti, "perizinan", &kel, permit(0)).await;
    // `submitted` waits 3 working days for a first response; `routed` arms the deadline.
    let pending = pending_timers(&app, &complaints).await;
    assert_eq!(pending.len(), 4, "{pending:?}");
    assert!(pending.iter().all(|(_, n)| n == "first_response"));

    // At once: route every complaint, and the OPD starts checking the permit (which leaves a
    // state with a timer).
    let fire_all = |jobs: Vec<(String, String, &'static str, Value)>| {
        let app = app.clone();
        async move {
            let tasks: Vec<_> = jobs
                .into_iter()
                .map(|(token, id, t, i)| {
                    let app = app.clone();
                    tokio::spawn(async move {
                        app.gql(FIRE, json!({ "id": id, "t": t, "i": i }), Some(&token))
                            .await
                    })
                })
                .collect();
            for t in tasks {
                assert_ok(&t.await.unwrap());
            }
        }
    };
    let mut jobs: Vec<_> = complaints
        .iter()
        .map(|id| {
            (
                lurah.clone(),
                id.clone(),
                "route",
                json!({ "opd": "DPUPR" }),
            )
        })
        .collect();
    jobs.push((opd.clone(), permit_case.clone(), "start_check", json!({})));
    fire_all(jobs).await;
    let mut pending = pending_timers(&app, &complaints).await;
    pending.sort();
    assert_eq!(pending.len(), 4, "{pending:?}");
    assert!(pending.iter().all(|(_, n)| n == "deadline_passed"));
    assert!(pending_timers(&app, std::slice::from_ref(&permit_case))
        .await
        .is_empty());

    // At once: the OPD resolves two (the deadline goes, `no_response` comes), the owner
    // withdraws the other two (nothing stays pending).
    let mut jobs: Vec<_> = complaints[..2]
        .iter()
        .map(|id| {
            (
                opd.clone(),
                id.clone(),
                "resolve",
                json!({ "resolution": "Sudah diperbaiki" }),
            )
        })
        .collect();
    jobs.extend(
        complaints[2..]
            .iter()
            .map(|id| (siti.clone(), id.clone(), "withdraw", json!({}))),
    );
    fire_all(jobs).await;
    let mut pending = pending_timers(&app, &complaints).await;
    pending.sort();
    let resolved: Vec<(i32, String)> = complaints[..2]
        .iter()
        .map(|id| (id.parse().unwrap(), "no_response".to_owned()))
        .collect();
    assert_eq!(pending, resolved);
    // Cancelled timers are kept, marked.
    let all = wt::Entity::find()
        .filter(wt::Column::Name.eq("deadline_passed"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|t| t.fired_at.is_some()));
    app.assert_trail_verifies().await;
}
