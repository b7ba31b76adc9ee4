//! Monev as others read it, on SQLite and PostgreSQL: auditors' triage and an activity's
//! history in e-audit, the progress sheet and the quarterly report as PDFs, and a second node
//! on PostgreSQL hearing of a verified report.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::*;
use crate::monev::*;
use crate::procurement::opd_line;

#[tokio::test]
async fn auditors_triage_monev_flags_and_follow_an_activity() {
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let t = crate::eaudit::team(&app).await;
    let a = crate::eaudit::create_assignment(&app, &t, "ST-700/MONEV/2026").await;
    assert_ok(&a);
    let aid = s(&a["data"]["createAuditAssignment"]["id"]).to_owned();
    assert_ok(&crate::eaudit::act(&app, &t.inspector, &aid, "START", None).await);
    let line = opd_line(&app, "100000000").await;
    let act = create_activity(&app, &opd, &line, None, 100_000_000).await["data"]
        ["createMonevActivity"]
        .clone();
    let due: DateTime<Utc> = s(&act["reports"][0]["dueAt"]).parse().unwrap();
    fire_at(&app, due + chrono::Duration::seconds(1)).await;
    let v = app
        .gql("query($a: ID!) { auditMonevFlags(assignmentId: $a, openOnly: true) { kind period activityId caseId } }", json!({ "a": aid }), Some(&t.ani))
        .await;
    assert_ok(&v);
    let fs = v["data"]["auditMonevFlags"].as_array().unwrap();
    // January's report is late, and the activity has not started 14 days after its start.
    let kinds: Vec<&str> = fs.iter().map(|f| s(&f["kind"])).collect();
    assert_eq!(kinds, ["late_report", "not_started"], "{v}");
    assert!(fs.iter().all(|f| f["activityId"] == act["id"]));
    // Outside an assignment: FORBIDDEN.
    let v = app
        .gql(
            "query($a: ID!) { auditMonevFlags(assignmentId: $a) { kind } }",
            json!({ "a": aid }),
            Some(&opd),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"));
    // The activity's history: its case, its reports' and its flag's.
    let h = app
        .gql("query($a: ID!, $id: ID!) { auditObjectHistory(assignmentId: $a, kind: \"activity\", id: $id, first: 200) { events { workflow transition } } }", json!({ "a": aid, "id": act["id"] }), Some(&t.ani))
        .await;
    assert_ok(&h);
    let wfs: std::collections::BTreeSet<&str> = h["data"]["auditObjectHistory"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["workflow"].as_str().unwrap())
        .collect();
    for w in ["monev-kegiatan", "monev-laporan", "monev-deviasi"] {
        assert!(wfs.contains(w), "{w} in {wfs:?}");
    }
}

#[tokio::test]
async fn the_progress_sheet_and_the_quarterly_report_are_pdfs() {
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let line = opd_line(&app, "100000000").await;
    let a = create_activity(&app, &opd, &line, None, 100_000_000).await["data"]
        ["createMonevActivity"]
        .clone();
    for m in 0..3 {
        let r = s(&a["reports"][m]["id"]).to_owned();
        let f = if m == 2 { 5 } else { PLAN[m] };
        assert_ok(&save(&app, &opd, &r, f, 1_000_000 * f, json!([]), true).await);
        assert_ok(&verify(&app, &ppk, &r).await);
    }
    let kota = app.region_id("35.99").await;
    for (path, token) in [
        (format!("/monev/activities/{}/sheet.pdf", s(&a["id"])), None),
        (
            format!("/monev/activities/{}/sheet.pdf", s(&a["id"])),
            Some(&ppk),
        ),
        (
            format!("/monev/quarterly.pdf?region={kota}&opd=Dinas%20PU&year=2026&quarter=1"),
            None,
        ),
        (
            format!("/monev/quarterly.pdf?region={kota}&opd=Dinas%20PU&year=2026&quarter=1"),
            Some(&ppk),
        ),
    ] {
        let mut req = app
            .client
            .get(app.url(&path))
            .header("accept-language", "en");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"), "{path}");
    }
    let r = app
        .client
        .get(app.url(&format!(
            "/monev/quarterly.pdf?region={kota}&opd=Dinas%20PU&year=2026&quarter=5"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .get(app.url("/monev/activities/999999/sheet.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// On PostgreSQL a second node hears a report verified on the first (NOTIFY): its subscribers
/// are told and its dashboard shows the new figures at once.
#[tokio::test]
async fn another_node_hears_of_a_verified_report() {
    let app = monev_app().await;
    if !mufakat_store::db::is_postgres(&app.state.db) {
        eprintln!(
            "SKIPPED another_node_hears_of_a_verified_report: needs TEST_DATABASE_URL (PostgreSQL)"
        );
        return;
    }
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let line = opd_line(&app, "100000000").await;
    let a = create_activity(&app, &opd, &line, None, 100_000_000).await["data"]
        ["createMonevActivity"]
        .clone();
    let aid: i32 = s(&a["id"]).parse().unwrap();
    let dir = TempDir(std::env::temp_dir().join(format!(
        "mufakat-monev-2n-{}",
        uuid::Uuid::new_v4().simple()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let settings = mufakat_server::Settings {
        database_url: app.state.settings.database_url.clone(),
        data_dir: dir.0.clone(),
        ..Default::default()
    };
    let other = mufakat_server::startup::build_state(settings)
        .await
        .unwrap();
    let mut rx = mufakat_module_monev::runtime::slot(&other)
        .events
        .subscribe();
    tokio::spawn(mufakat_module_monev::listener(other.clone()));
    let f = mufakat_module_monev::service::dashboard::Filter {
        activity_id: Some(aid),
        ..Default::default()
    };
    let period = mufakat_monev::Period::new(2026, 1);
    let before = mufakat_module_monev::service::dashboard::aggregate(
        &other,
        &f,
        mufakat_monev::GroupBy::All,
        period,
    )
    .await
    .unwrap();
    assert_eq!(before[0].actual_physical, rust_decimal::Decimal::ZERO);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let r0 = s(&a["reports"][0]["id"]).to_owned();
    assert_ok(&save(&app, &opd, &r0, 5, 5_000_000, json!([]), true).await);
    assert_ok(&verify(&app, &ppk, &r0).await);
    let mut kinds = vec![];
    while !kinds.contains(&"report_verified".to_string()) {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("heard on the other node")
            .unwrap();
        assert_eq!(ev.activity_id, aid);
        kinds.push(ev.kind);
    }
    let after = mufakat_module_monev::service::dashboard::aggregate(
        &other,
        &f,
        mufakat_monev::GroupBy::All,
        period,
    )
    .await
    .unwrap();
    assert_eq!(after[0].actual_physical, rust_decimal::Decimal::from(5));
}
