//! Procurement II at its edges, over the real server: bids racing the closing timer, a tender
//! whose bids all fail, and red flags computed from the live rows and from the exported
//! releases agreeing — on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use chrono::Duration;
use mufakat_store::sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement::*;
use crate::tender::*;

#[tokio::test]
async fn bids_racing_the_closing_timer_are_sealed_exactly_once_or_refused() {
    let app = spawn_app().await;
    let ukpbj = app.login("ukpbj").await;
    let mut tokens = vec![];
    for i in 0..24 {
        tokens.push(
            verified_vendor(
                &app,
                &format!("cv.rush{i}"),
                &format!("{:02}.234.567.8-901.000", 20 + i),
            )
            .await
            .0,
        );
    }
    let pkg = announced_package(&app, "construction", "900000000", "", None).await;
    let end = deadline(&app, 8);
    let v = create_procedure(&app, &ukpbj, &pkg, "lowest_price", end, &[], None).await;
    let pid = data(&v, "createProcedure")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every vendor bids at once while the timer closes the procedure in their midst.
    let mut tasks = vec![];
    for (i, t) in tokens.iter().enumerate() {
        let (app, t, pid) = (&app, t.clone(), pid.clone());
        tasks.push(async move {
            tokio::time::sleep(std::time::Duration::from_millis(15 * i as u64)).await;
            let r = submit(
                app,
                &t,
                &pid,
                &format!("{}", 800_000_000 + i * 1000),
                "x",
                None,
            )
            .await;
            match error_code(&r) {
                None => Ok(r["data"]["submitBid"]["bidId"].as_str().unwrap().to_owned()),
                Some(c) => Err(c),
            }
        });
    }
    let closer = async {
        // Once a few bids are in, in the midst of the others.
        use mufakat_module_tender::entity::bid;
        use mufakat_store::sea_orm::{EntityTrait, PaginatorTrait};
        for _ in 0..500 {
            if bid::Entity::find().count(&app.state.db).await.unwrap() >= 6 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        time_passes(&app, end + Duration::seconds(1)).await;
    };
    let (results, ()) = tokio::join!(futures_util::future::join_all(tasks), closer);
    let acked: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().err().is_none_or(|c| c == "CONFLICT")),
        "{results:?}"
    );
    eprintln!(
        "race: {} of {} acknowledged before the close",
        acked.len(),
        results.len()
    );
    // What the deadline sealed is exactly what was acknowledged.
    let be = app.state.db.get_database_backend();
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            be,
            "SELECT input AS i FROM audit_events WHERE transition = 'seal_bids'",
        ))
        .await
        .unwrap()
        .unwrap();
    let sealed: Value = serde_json::from_str(&row.try_get::<String>("", "i").unwrap()).unwrap();
    let mut sealed_ids: Vec<String> = sealed["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bid"].as_str().unwrap().to_owned())
        .collect();
    let mut a = acked.clone();
    a.sort();
    sealed_ids.sort();
    assert_eq!(a, sealed_ids);
    let p = procedure(&app, None, &pid).await;
    assert_eq!(p["bids"].as_array().unwrap().len(), acked.len());
    // After the close, a bid is refused.
    assert_eq!(
        error_code(&submit(&app, &tokens[0], &pid, "1000", "x", None).await).as_deref(),
        Some("CONFLICT")
    );
}

#[tokio::test]
async fn a_tender_whose_bids_all_fail_is_declared_unsuccessful_with_its_evaluation() {
    let app = spawn_app().await;
    let ukpbj = app.login("ukpbj").await;
    let mut tokens = vec![];
    for (u, npwp) in [
        ("cv.a", "31.234.567.8-901.000"),
        ("cv.b", "32.234.567.8-901.000"),
        ("cv.c", "33.234.567.8-901.000"),
    ] {
        tokens.push(verified_vendor(&app, u, npwp).await.0);
    }
    let pkg = announced_package(&app, "goods", "500000000", "", None).await;
    let end = deadline(&app, 8);
    let v = create_procedure(&app, &ukpbj, &pkg, "lowest_price", end, &[], None).await;
    let pid = data(&v, "createProcedure")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, t) in tokens.iter().enumerate() {
        assert_ok(&submit(&app, t, &pid, &format!("{}", 400_000_000 + i), "x", None).await);
    }
    time_passes(&app, end + Duration::seconds(1)).await;
    let p = procedure(&app, Some(&ukpbj), &pid).await;
    let all_fail: Vec<Value> = p["bids"].as_array().unwrap().iter().map(|b| json!({ "bidId": b["id"], "administrative": false, "technical": false, "reason": "Dokumen kualifikasi tidak lengkap." })).collect();
    let e = evaluate(&app, &ukpbj, &pid, json!(all_fail)).await;
    assert_eq!(error_code(&e).as_deref(), Some("CONFLICT"), "{e}");
    // Without the evaluation, three bids cannot be declared unsuccessful; with it, they can.
    let f = app.gql("mutation($p: ID!) { failProcedure(procedureId: $p, reason: \"Semua gugur.\") { status } }", json!({ "p": pid }), Some(&ukpbj)).await;
    assert_eq!(error_code(&f).as_deref(), Some("CONFLICT"), "{f}");
    let f = app.gql("mutation($p: ID!, $j: [JudgementInput!]!) { failProcedure(procedureId: $p, reason: \"Semua penawaran gugur.\", judgements: $j) { status bids { reason } } }", json!({ "p": pid, "j": all_fail }), Some(&ukpbj)).await;
    let f = data(&f, "failProcedure");
    assert_eq!(f["status"], "unsuccessful");
    assert_eq!(f["bids"][0]["reason"], "Dokumen kualifikasi tidak lengkap.");
}

#[tokio::test]
async fn red_flags_from_the_live_rows_and_from_the_exported_releases_agree() {
    let app = spawn_app().await;
    mufakat_server::seed::seed_demo_procurement(&app.state, DEMO_PASSWORD)
        .await
        .unwrap();
    mufakat_server::seed::seed_demo_tender(&app.state)
        .await
        .unwrap();
    let ukpbj = app.login("ukpbj").await;
    let q = "query($s: String!) { procurementRedFlags(source: $s) { code title scope subject ocid value tenderers evidence } }";
    let live = app.gql(q, json!({ "s": "live" }), Some(&ukpbj)).await;
    let export = app.gql(q, json!({ "s": "export" }), Some(&ukpbj)).await;
    let live = data(&live, "procurementRedFlags").clone();
    assert_eq!(live, data(&export, "procurementRedFlags").clone());
    // The demo's lamp tender had a single bid.
    assert!(
        live.as_array().unwrap().iter().any(|f| f["code"] == "R018"),
        "{live}"
    );
    // Not for residents or OPD staff.
    for u in ["warga.siti", "opd.dinaspu"] {
        let v = app
            .gql(q, json!({ "s": "live" }), Some(&app.login(u).await))
            .await;
        assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{u}");
    }
    // And the same from the export file an independent tool would read.
    let mut buf: Vec<u8> = vec![];
    mufakat_module_tender::service::publish::export(&app.state, &mut buf, true)
        .await
        .unwrap();
    let pkg: Value = serde_json::from_slice(&buf).unwrap();
    validate_ocds(&pkg).await;
    let compiled: Vec<Value> = pkg["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["compiledRelease"].clone())
        .collect();
    let from_file = mufakat_procurement::compute_flags(
        &compiled,
        &mufakat_procurement::FlagSettings::default(),
        &Default::default(),
    );
    assert_eq!(from_file.len(), live.as_array().unwrap().len());
}
