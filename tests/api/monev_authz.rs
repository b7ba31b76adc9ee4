//! Every monev mutation for every role: the demo's staff (admin, Bappeda, the OPD, its PPK,
//! UKPBJ, finance, an auditor, a camat), a resident, a KPA, a supervisor named on the activity
//! and one who is not, and OPD staff of a kecamatan (outside the activity's region). Allowed
//! or FORBIDDEN; a refused attempt changes nothing; then the first allowed account succeeds.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::monev::*;
use crate::procurement::opd_line;
use crate::procurement_authz::{matrix, staff_in, Who};

const STAFF: [&str; 9] = [
    "admin",
    "bappeda",
    "opd.dinaspu",
    "ppk.dinaspu",
    "ukpbj",
    "bendahara",
    "inspektorat",
    "camat.sukamaju",
    "warga.siti",
];

fn id(v: &Value, path: &[&str]) -> String {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_str()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
        .to_owned()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let v = app.gql("{ me { id } }", json!({}), Some(token)).await;
    id(&v, &["data", "me", "id"])
}

#[tokio::test]
async fn every_monev_mutation_for_every_role() {
    let app = monev_app().await;
    let mut who = vec![];
    for n in STAFF {
        who.push((n.to_owned(), app.login(n).await));
    }
    let kota = app.region_id("35.99").await;
    let sukasari = app.region_id("35.99.02").await;
    who.push((
        "kpa".into(),
        staff_in(&app, "kpa.dinaspu", "KPA", &kota).await,
    ));
    who.push((
        "pengawas".into(),
        staff_in(&app, "pengawas.a", "SUPERVISOR", &kota).await,
    ));
    who.push((
        "pengawas.lain".into(),
        staff_in(&app, "pengawas.b", "SUPERVISOR", &kota).await,
    ));
    who.push((
        "opd.luar".into(),
        staff_in(&app, "opd.luar", "OPD_STAFF", &sukasari).await,
    ));
    let who = Who(who);
    let pagu = 100_000_000i64;

    let line = opd_line(&app, &pagu.to_string()).await;
    let a = matrix(&who, "createMonevActivity", &["opd.dinaspu", "kpa"], |t| {
        let line = line.clone();
        let app = &app;
        async move { create_activity(app, t, &line, None, pagu).await }
    })
    .await;
    let act = id(&a, &["data", "createMonevActivity", "id"]);
    let reports: Vec<String> = a["data"]["createMonevActivity"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();

    matrix(&who, "reviseMonevPlan", &["opd.dinaspu", "kpa"], |t| {
        let act = act.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($id: ID!, $p: MonevPlanInput!) { reviseMonevPlan(id: $id, plan: $p, reason: \"Jadwal\") { id } }",
                json!({ "id": act, "p": plan_2026(pagu) }),
                Some(t),
            )
            .await
        }
    })
    .await;

    let sup = user_id(&app, who.token("pengawas")).await;
    matrix(&who, "nameMonevSupervisor", &["opd.dinaspu", "kpa"], |t| {
        let (act, sup) = (act.clone(), sup.clone());
        let app = &app;
        async move {
            app.gql(
                "mutation($a: ID!, $u: ID!) { nameMonevSupervisor(activityId: $a, userId: $u) { id supervisors } }",
                json!({ "a": act, "u": sup }),
                Some(t),
            )
            .await
        }
    })
    .await;

    // The named supervisor (and the OPD's staff) write reports; the other supervisor not.
    matrix(&who, "saveMonevReport", &["pengawas", "opd.dinaspu"], |t| {
        let r = reports[0].clone();
        let app = &app;
        async move { save(app, t, &r, 5, 1_000_000, json!([]), true).await }
    })
    .await;
    matrix(&who, "verifyMonevReport", &["ppk.dinaspu", "kpa"], |t| {
        let r = reports[0].clone();
        let app = &app;
        async move { verify(app, t, &r).await }
    })
    .await;
    assert_ok(
        &save(
            &app,
            who.token("opd.dinaspu"),
            &reports[1],
            10,
            2_000_000,
            json!([]),
            true,
        )
        .await,
    );
    matrix(&who, "returnMonevReport", &["kpa", "ppk.dinaspu"], |t| {
        let r = reports[1].clone();
        let app = &app;
        async move {
            app.gql("mutation($id: ID!) { returnMonevReport(id: $id, note: \"Foto kurang\") { status } }", json!({ "id": r }), Some(t)).await
        }
    })
    .await;
    // The verifier is never the submitter.
    assert_ok(
        &save(
            &app,
            who.token("opd.dinaspu"),
            &reports[1],
            10,
            2_000_000,
            json!([]),
            true,
        )
        .await,
    );

    // A flag: March's report late by its timer.
    let due: chrono::DateTime<chrono::Utc> = a["data"]["createMonevActivity"]["reports"][2]
        ["dueAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.advance_clock_to(due + chrono::Duration::seconds(1))
        .await;
    let fs = flags(&app, who.token("inspektorat"), &act).await;
    let fid = fs
        .iter()
        .find(|f| f["kind"] == "late_report")
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .expect("late flag");
    matrix(
        &who,
        "monevFlagAction",
        &["opd.dinaspu", "kpa", "ppk.dinaspu"],
        |t| {
            let fid = fid.clone();
            let app = &app;
            async move { flag_action(app, t, &fid, "ACKNOWLEDGE", None, None).await }
        },
    )
    .await;

    // Cancelling an activity that has not started: the KPA.
    let line2 = opd_line(&app, &pagu.to_string()).await;
    let b = create_activity(&app, who.token("opd.dinaspu"), &line2, None, pagu).await;
    let b = id(&b, &["data", "createMonevActivity", "id"]);
    matrix(&who, "monevActivityAction", &["kpa"], |t| {
        let b = b.clone();
        let app = &app;
        async move {
            app.gql("mutation($id: ID!) { monevActivityAction(id: $id, action: CANCEL, note: \"Anggaran dialihkan\") { status } }", json!({ "id": b }), Some(t)).await
        }
    })
    .await;
}
