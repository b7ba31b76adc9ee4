//! Case starts go through the batch writer (`mufakat_server::writer`) with votes: many at once,
//! mixed with refused starts and with module starts that write cases through the group commit
//! (proposals), each get a case of its own, its timers and one audit event naming it; refusals
//! leave nothing. Runs on both engines.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{create_cycle, propose};

const START: &str = "mutation($w: String!, $r: ID!, $i: JSON) { startCase(workflow: $w, regionId: $r, input: $i) { id state version } }";
const CASE: &str = "query($id: ID!) { instance(id: $id) { id state fields history { seq actor transition fromState toState } } }";

fn permit(n: usize) -> Value {
    json!({ "permit_type": "reklame", "applicant_name": format!("Pemohon {n}"), "address": "Jl. Melati 5", "documents": format!("berkas-{n}") })
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
    let events_before = mufakat_server::audit_log::verify(&app.state.db)
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
            let v = match n {
                0..40 => {
                    app.gql(
                        START,
                        json!({ "w": "perizinan", "r": kel, "i": permit(n) }),
                        Some(&warga),
                    )
                    .await
                }
                40..45 => {
                    let mut i = permit(n);
                    i.as_object_mut().unwrap().remove("applicant_name");
                    app.gql(
                        START,
                        json!({ "w": "perizinan", "r": kel, "i": i }),
                        Some(&warga),
                    )
                    .await
                }
                45..50 => {
                    app.gql(
                        START,
                        json!({ "w": "perizinan", "r": kel, "i": permit(n) }),
                        Some(&opd),
                    )
                    .await
                }
                _ => propose(&app, &warga, &cycle, &format!("Usulan {n}"), "1", "1000").await,
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
    let v = mufakat_server::audit_log::verify(&app.state.db)
        .await
        .unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.events, events_before + 50);
}
