//! What services publish, as their workflow files declare it: the PPID register of requests and
//! outcomes (names withheld) and the service-level report per OPD, after time has passed on
//! the server's clock.

use chrono::{Duration, FixedOffset};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::public_services::{fire, START};

const REGISTER: &str = "query($w: String!, $r: ID, $f: Int! = 50, $b: Int) { publicRegister(workflow: $w, regionId: $r, first: $f, before: $b) { hasMore entries { number receivedAt state stateTitle isFinal region fields } } }";
const REPORT: &str = "query($f: NaiveDate!, $t: NaiveDate!, $r: ID) { serviceLevelReport(from: $f, to: $t, regionId: $r) { workflow unit received served onTime late open medianWorkingDays } }";

async fn start(app: &TestApp, token: &str, region: &str, workflow: &str, input: Value) -> String {
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

fn ppid_request(what: &str) -> Value {
    json!({ "information": what, "purpose": "Penelitian pribadi saya di rumah", "form": "salinan_elektronik", "delivery": "email" })
}

#[tokio::test]
async fn the_ppid_register_and_the_service_level_report_follow_the_cases() {
    let app = spawn_app().await;
    // Cases of one kelurahan without demo cases, by a resident who lives there.
    let cempaka = app.region_id("35.99.02.1001").await;
    let warga = crate::musrenbang::many_residents(&app, "35.99.02.1001", 1)
        .await
        .remove(0);
    let lurah = app.login("lurah.cempaka").await;
    let opd = app.login("opd.dinaspu").await;
    let ppid = app.login("ppid").await;
    let wib = FixedOffset::east_opt(7 * 3600).unwrap();
    let today = app.now().with_timezone(&wib).date_naive();

    // LAPOR: one routed and resolved at once, one routed and left, one never routed.
    let complaint = json!({ "description": "Saluran air tersumbat", "category": "drainase" });
    let quick = start(&app, &warga, &cempaka, "lapor-complaint", complaint.clone()).await;
    let slow = start(&app, &warga, &cempaka, "lapor-complaint", complaint.clone()).await;
    let _ignored = start(&app, &warga, &cempaka, "lapor-complaint", complaint).await;
    for (id, t) in [(&quick, "route_simple"), (&slow, "route")] {
        assert_ok(&fire(&app, &lurah, id, t, json!({ "opd": "DPUPR" }), None).await);
    }
    assert_ok(
        &fire(
            &app,
            &opd,
            &quick,
            "resolve",
            json!({ "resolution": "Saluran dibersihkan" }),
            None,
        )
        .await,
    );
    // PPID: one given, one refused, one left unanswered.
    let given = start(
        &app,
        &warga,
        &cempaka,
        "ppid-permohonan",
        ppid_request("Daftar paket pengadaan 2026"),
    )
    .await;
    let refused = start(
        &app,
        &warga,
        &cempaka,
        "ppid-permohonan",
        ppid_request("Data pribadi pegawai"),
    )
    .await;
    let _unanswered = start(
        &app,
        &warga,
        &cempaka,
        "ppid-permohonan",
        ppid_request("Anggaran kelurahan"),
    )
    .await;
    assert_ok(
        &fire(
            &app,
            &ppid,
            &given,
            "give",
            json!({ "answer": "Dikirim lewat surel" }),
            None,
        )
        .await,
    );
    assert_ok(
        &fire(
            &app,
            &ppid,
            &refused,
            "refuse",
            json!({ "exemption": "Pasal 17 huruf h: data pribadi" }),
            None,
        )
        .await,
    );

    // Fifteen working days pass: the slow complaint, the unrouted one and the unanswered
    // request are late.
    assert!(app.advance_clock("P15WD").await >= 3);
    let until = app.now().with_timezone(&wib).date_naive();
    let v = app
        .gql(
            REPORT,
            json!({ "f": today, "t": until, "r": cempaka }),
            None,
        )
        .await;
    assert_ok(&v);
    let rows = v["data"]["serviceLevelReport"].as_array().unwrap();
    let row = |w: &str, unit: Value| {
        rows.iter()
            .find(|r| r["workflow"] == w && r["unit"] == unit)
            .unwrap_or_else(|| panic!("no row {w} {unit}: {rows:?}"))
            .clone()
    };
    let counts = |r: Value| {
        (
            r["received"].as_i64().unwrap(),
            r["served"].as_i64().unwrap(),
            r["onTime"].as_i64().unwrap(),
            r["late"].as_i64().unwrap(),
            r["open"].as_i64().unwrap(),
            r["medianWorkingDays"].clone(),
        )
    };
    assert_eq!(
        counts(row("lapor-complaint", json!("DPUPR"))),
        (2, 1, 1, 1, 1, json!("0"))
    );
    assert_eq!(
        counts(row("lapor-complaint", Value::Null)),
        (1, 0, 0, 1, 1, Value::Null),
        "not yet given to an OPD"
    );
    assert_eq!(
        counts(row("ppid-permohonan", json!("PPID"))),
        (3, 2, 2, 1, 1, json!("0"))
    );
    assert_eq!(rows.len(), 3, "no permits in Cempaka: {rows:?}");
    // A period before the cases has none; a bad period is refused.
    let before = today - Duration::days(30);
    let v = app
        .gql(
            REPORT,
            json!({ "f": before, "t": before, "r": cempaka }),
            None,
        )
        .await;
    assert_eq!(v["data"]["serviceLevelReport"], json!([]));
    let v = app
        .gql(
            REPORT,
            json!({ "f": until, "t": today - Duration::days(1), "r": cempaka }),
            None,
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));

    // The register, for anyone: what was asked and its outcome, never who asked or why.
    let v = app
        .gql(
            REGISTER,
            json!({ "w": "ppid-permohonan", "r": cempaka }),
            None,
        )
        .await;
    assert_ok(&v);
    let page = &v["data"]["publicRegister"];
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(page["hasMore"], false);
    let states: Vec<&str> = entries
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["late", "refused", "given"], "newest first");
    assert_eq!(entries[0]["fields"]["late"], true);
    assert_eq!(
        entries[1]["fields"]["exemption"],
        "Pasal 17 huruf h: data pribadi"
    );
    assert_eq!(
        entries[2]["fields"]["information"],
        "Daftar paket pengadaan 2026"
    );
    assert_eq!(entries[2]["region"], "Cempaka");
    let text = v.to_string();
    for secret in [
        "Penelitian pribadi",
        "warga0",
        "Dikirim lewat surel",
        "email",
    ] {
        assert!(!text.contains(secret), "{secret} leaks: {text}");
    }
    // Paged by number.
    let v = app
        .gql(
            REGISTER,
            json!({ "w": "ppid-permohonan", "r": cempaka, "f": 2 }),
            None,
        )
        .await;
    assert_eq!(v["data"]["publicRegister"]["hasMore"], true);
    let last = v["data"]["publicRegister"]["entries"][1]["number"].clone();
    let v = app
        .gql(
            REGISTER,
            json!({ "w": "ppid-permohonan", "r": cempaka, "b": last }),
            None,
        )
        .await;
    assert_eq!(
        v["data"]["publicRegister"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Only a workflow whose file declares a register has one.
    let v = app
        .gql(REGISTER, json!({ "w": "lapor-complaint" }), None)
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn the_service_level_pdf_is_for_staff_and_recorded() {
    let app = spawn_app().await;
    let today = app.now().date_naive();
    let url = app.url(&format!(
        "/reports/service-levels?from={}&to={today}&lang=en",
        today - Duration::days(7)
    ));
    let get = |token: Option<String>, url: String| {
        let client = app.client.clone();
        async move {
            let mut req = client.get(url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.unwrap()
        }
    };
    assert_eq!(get(None, url.clone()).await.status(), 401);
    let warga = app.login("warga.siti").await;
    assert_eq!(get(Some(warga), url.clone()).await.status(), 403);
    for who in ["bappeda", "ppid", "inspektorat"] {
        let r = get(Some(app.login(who).await), url.clone()).await;
        assert_eq!(r.status(), 200, "{who}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    }
    // The demo's cases are in it; each generation is in the trail.
    let events =
        mufakat_store::repo::audit::for_instance(&app.state.db, "system.reports", "service-levels")
            .await
            .unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    let bappeda = app.login("bappeda").await;
    let r = get(
        Some(bappeda),
        app.url(&format!("/reports/service-levels?to={today}")),
    )
    .await;
    assert_eq!(r.status(), 400, "the period is required");
}
