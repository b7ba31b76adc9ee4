//! Monev through the API, on SQLite and PostgreSQL: an activity's year of monthly reports with
//! one late and one behind plan, flags raised and resolved, photos public once verified, the
//! dashboard checked against a hand computation, a critical contract's escalation, the live
//! subscription over a real WebSocket. Timers are fired by the test at chosen times (the
//! background poll is slowed so that it does not race them).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement::opd_line;

pub async fn monev_app() -> TestApp {
    spawn_app_with(Options {
        seed: true,
        tweak: |s| s.timer_poll_secs = 3600,
    })
    .await
}

/// Cumulative planned physical progress over 2026's twelve months.
pub const PLAN: [i64; 12] = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100];

/// A plan for 2026 with budget `pagu` (disbursement in step with progress) and one output
/// indicator with a target each month (12 m per planned percent... 10 m per point).
pub fn plan_2026(pagu: i64) -> Value {
    let months: Vec<Value> = PLAN
        .iter()
        .enumerate()
        .map(|(i, f)| json!({ "period": format!("2026-{:02}", i + 1), "physical": f.to_string(), "disbursement": (pagu * f / 100).to_string() }))
        .collect();
    let targets: Vec<Value> = PLAN
        .iter()
        .enumerate()
        .map(|(i, f)| json!({ "period": format!("2026-{:02}", i + 1), "value": (f * 10).to_string() }))
        .collect();
    json!({
        "startsOn": "2026-01-01", "endsOn": "2026-12-31", "months": months,
        "indicators": [{ "name": "Panjang jalan diperbaiki", "unit": "m", "targets": targets }]
    })
}

pub const ACT: &str = "id status actualPhysical plannedPhysical deviation disbursed openFlags indicators { id } reports { id period status late dueAt }";

pub async fn create_activity(
    app: &TestApp,
    token: &str,
    line: &str,
    contract: Option<&str>,
    pagu: i64,
) -> Value {
    app.gql(
        &format!("mutation($i: MonevActivityInput!) {{ createMonevActivity(input: $i) {{ {ACT} }} }}"),
        json!({ "i": { "planLineId": line, "contractId": contract, "category": "jalan", "fundingSource": "APBD", "plan": plan_2026(pagu) } }),
        Some(token),
    )
    .await
}

pub async fn activity(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let v = app
        .gql(
            &format!("query($id: ID!) {{ monevActivity(id: $id) {{ {ACT} }} }}"),
            json!({ "id": id }),
            token,
        )
        .await;
    assert_ok(&v);
    v["data"]["monevActivity"].clone()
}

pub async fn save(
    app: &TestApp,
    token: &str,
    report: &str,
    physical: i64,
    spent: i64,
    actuals: Value,
    submit: bool,
) -> Value {
    app.gql(
        "mutation($id: ID!, $i: MonevReportInput!, $s: Boolean!) { saveMonevReport(id: $id, input: $i, submit: $s) { id status late } }",
        json!({ "id": report, "i": { "physical": physical.to_string(), "spent": spent.to_string(), "actuals": actuals, "notes": "Pekerjaan berjalan." }, "s": submit }),
        Some(token),
    )
    .await
}

pub async fn verify(app: &TestApp, token: &str, report: &str) -> Value {
    app.gql(
        "mutation($id: ID!) { verifyMonevReport(id: $id) { id status } }",
        json!({ "id": report }),
        Some(token),
    )
    .await
}

pub async fn flags(app: &TestApp, token: &str, activity: &str) -> Vec<Value> {
    let v = app
        .gql(
            "query($a: ID!) { monevFlags(activityId: $a) { id kind severity status period message evidence } }",
            json!({ "a": activity }),
            Some(token),
        )
        .await;
    assert_ok(&v);
    v["data"]["monevFlags"].as_array().unwrap().clone()
}

pub async fn flag_action(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    note: Option<&str>,
    step_on: Option<&str>,
) -> Value {
    app.gql(
        "mutation($id: ID!, $a: MonevFlagAction!, $n: String, $d: NaiveDate) { monevFlagAction(id: $id, action: $a, note: $n, stepOn: $d) { id status note } }",
        json!({ "id": id, "a": action, "n": note, "d": step_on }),
        Some(token),
    )
    .await
}

/// Moves the server's clock to `at` (through the API); the timers due by then fire.
pub async fn fire_at(app: &TestApp, at: DateTime<Utc>) {
    app.advance_clock_to(at).await;
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
];

#[tokio::test]
async fn a_year_of_reports_with_one_late_and_one_behind_plan() {
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let auditor = app.login("inspektorat").await;
    let pagu = 1_200_000_000i64;
    let line = opd_line(&app, &pagu.to_string()).await;
    let v = create_activity(&app, &opd, &line, None, pagu).await;
    assert_ok(&v);
    let a = v["data"]["createMonevActivity"].clone();
    let id = s(&a["id"]).to_owned();
    assert_eq!(a["status"], "planned");
    let reports = a["reports"].as_array().unwrap().clone();
    assert_eq!(reports.len(), 12, "a report per month of the plan");
    let ind = s(&a["indicators"][0]["id"]).to_owned();
    let rid = |m: usize| s(&reports[m]["id"]).to_owned();
    // A second activity on the same line is refused.
    assert_eq!(
        error_code(&create_activity(&app, &opd, &line, None, pagu).await).as_deref(),
        Some("CONFLICT")
    );

    // January and February on plan.
    for m in 0..2 {
        let spent = pagu * PLAN[m] / 100;
        assert_ok(
            &save(
                &app,
                &opd,
                &rid(m),
                PLAN[m],
                spent,
                json!([{ "indicatorId": ind, "value": (PLAN[m] * 10).to_string() }]),
                true,
            )
            .await,
        );
        // Not by the one who... the PPK verifies (the OPD's staff may not).
        assert_eq!(
            error_code(&verify(&app, &opd, &rid(m)).await).as_deref(),
            Some("FORBIDDEN")
        );
        assert_ok(&verify(&app, &ppk, &rid(m)).await);
    }
    assert_eq!(
        activity(&app, None, &id).await["status"],
        "running",
        "started by its first progress"
    );

    // March's report is not in by its due time: the timer marks it late and raises a flag.
    let due: DateTime<Utc> = s(&reports[2]["dueAt"]).parse().unwrap();
    fire_at(&app, due + chrono::Duration::seconds(1)).await;
    let r = activity(&app, Some(&opd), &id).await["reports"][2].clone();
    assert_eq!(
        (r["status"].as_str(), r["late"].as_bool()),
        (Some("late"), Some(true))
    );
    let late = flags(&app, &auditor, &id).await;
    assert_eq!(late.len(), 1);
    assert_eq!(
        (late[0]["kind"].as_str(), late[0]["period"].as_str()),
        (Some("late_report"), Some("2026-03"))
    );
    for m in 2..5 {
        assert_ok(
            &save(
                &app,
                &opd,
                &rid(m),
                PLAN[m],
                pagu * PLAN[m] / 100,
                json!([{ "indicatorId": ind, "value": (PLAN[m] * 10).to_string() }]),
                true,
            )
            .await,
        );
        assert_ok(&verify(&app, &ppk, &rid(m)).await);
    }
    // June behind plan by 15 points (planned 50): behind plan (no contract), and the indicator
    // below its target.
    assert_ok(
        &save(
            &app,
            &opd,
            &rid(5),
            35,
            pagu * 35 / 100,
            json!([{ "indicatorId": ind, "value": "350" }]),
            true,
        )
        .await,
    );
    assert_ok(&verify(&app, &ppk, &rid(5)).await);
    let fs = flags(&app, &auditor, &id).await;
    let kinds: Vec<&str> = fs.iter().map(|f| s(&f["kind"])).collect();
    assert_eq!(
        kinds,
        ["indicator_below_target", "behind_plan", "late_report"],
        "newest first"
    );
    let behind = fs.iter().find(|f| f["kind"] == "behind_plan").unwrap();
    assert!(
        s(&behind["message"]).contains("terlambat 15 poin"),
        "{behind}"
    );

    // Hand computation at the end of June: planned 50, actual 35, deviation −15; disbursed
    // 35 % of the pagu; six reports due (all after their due time: none on time); three open
    // flags.
    let d = app
        .gql(
            "query($a: ID!) { monevDashboard(groupBy: OPD, filter: { activityId: $a }, asOf: \"2026-06\") { group activities pagu disbursed plannedPhysical actualPhysical deviation expected received onTime reportingRate flags { kind count } } }",
            json!({ "a": id }),
            None,
        )
        .await;
    assert_ok(&d);
    let row = &d["data"]["monevDashboard"][0];
    assert_eq!(row["group"], "DPUPR");
    assert_eq!(
        (row["pagu"].as_str(), row["disbursed"].as_str()),
        (Some("1200000000"), Some("420000000"))
    );
    assert_eq!(
        (
            row["plannedPhysical"].as_str(),
            row["actualPhysical"].as_str(),
            row["deviation"].as_str()
        ),
        (Some("50.00"), Some("35.00"), Some("-15.00"))
    );
    assert_eq!(
        (
            row["expected"].as_i64(),
            row["received"].as_i64(),
            row["onTime"].as_i64()
        ),
        (Some(6), Some(6), Some(0))
    );
    assert_eq!(row["reportingRate"], "100");
    assert_eq!(row["flags"].as_array().unwrap().len(), 3);

    // The flags' lives: acknowledged by the OPD, resolved by the PPK with a note.
    for f in &fs {
        let fid = s(&f["id"]);
        assert_ok(&flag_action(&app, &opd, fid, "ACKNOWLEDGE", None, None).await);
        assert_eq!(
            error_code(&flag_action(&app, &ppk, fid, "RESOLVE", None, None).await).as_deref(),
            Some("VALIDATION"),
            "a note is required"
        );
        let v = flag_action(
            &app,
            &ppk,
            fid,
            "RESOLVE",
            Some("Percepatan disepakati."),
            None,
        )
        .await;
        assert_ok(&v);
        assert_eq!(v["data"]["monevFlagAction"]["status"], "resolved");
        // The escalation steps are for critical contracts only.
        assert_eq!(
            error_code(&flag_action(&app, &ppk, fid, "WARN", Some("x"), Some("2026-06-30")).await)
                .as_deref(),
            Some("VALIDATION")
        );
    }
    // July on plan again; the rest of the year; then complete.
    for m in 6..12 {
        assert_ok(
            &save(
                &app,
                &opd,
                &rid(m),
                PLAN[m],
                pagu * PLAN[m] / 100,
                json!([{ "indicatorId": ind, "value": (PLAN[m] * 10).to_string() }]),
                true,
            )
            .await,
        );
        assert_ok(&verify(&app, &ppk, &rid(m)).await);
    }
    assert!(
        flags(&app, &auditor, &id)
            .await
            .iter()
            .all(|f| f["status"] == "resolved"),
        "no new flag on plan"
    );
    let done = app
        .gql("mutation($id: ID!) { monevActivityAction(id: $id, action: COMPLETE) { status actualPhysical } }", json!({ "id": id }), Some(&ppk))
        .await;
    assert_ok(&done);
    assert_eq!(done["data"]["monevActivityAction"]["status"], "completed");
    // The S-curve: twelve months, actual equal to the plan except June.
    let c = app.gql("query($a: ID!) { monevActivity(id: $a) { curve { period plannedPhysical actualPhysical } } }", json!({ "a": id }), None).await;
    let curve = c["data"]["monevActivity"]["curve"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(curve.len(), 12);
    assert_eq!(
        (
            curve[5]["plannedPhysical"].as_str(),
            curve[5]["actualPhysical"].as_str()
        ),
        (Some("50.00"), Some("35.00"))
    );
    assert_eq!(curve[11]["actualPhysical"], "100.00");
}

#[tokio::test]
async fn reports_are_checked_and_photos_are_public_once_verified() {
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let line = opd_line(&app, "100000000").await;
    let a = create_activity(&app, &opd, &line, None, 100_000_000).await["data"]
        ["createMonevActivity"]
        .clone();
    let r0 = s(&a["reports"][0]["id"]).to_owned();
    let r1 = s(&a["reports"][1]["id"]).to_owned();
    // Bad input: a clear error, nothing lost.
    let v = save(&app, &opd, &r0, 101, 0, json!([]), false).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    let v = save(&app, &opd, &r0, 10, 200_000_000, json!([]), false).await;
    assert_eq!(
        error_code(&v).as_deref(),
        Some("VALIDATION"),
        "spending above the pagu"
    );
    let v = save(
        &app,
        &opd,
        &r0,
        10,
        1,
        json!([{ "indicatorId": "999999", "value": "1" }]),
        false,
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    // A bad plan names the field.
    let mut bad = plan_2026(100);
    bad["months"][3]["physical"] = json!("5");
    let line2 = opd_line(&app, "100").await;
    let v = app
        .gql("mutation($i: MonevActivityInput!) { createMonevActivity(input: $i) { id } }", json!({ "i": { "planLineId": line2, "category": "x", "fundingSource": "APBD", "plan": bad } }), Some(&opd))
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    assert!(v.to_string().contains("plan.3.physical"), "{v}");
    // A draft, a photo, then submitted and verified.
    assert_eq!(
        save(&app, &opd, &r0, 5, 5_000_000, json!([]), false).await["data"]["saveMonevReport"]
            ["status"],
        "draft"
    );
    let up = app
        .client
        .post(app.url(&format!("/monev/reports/{r0}/photos?name=jalan.png&latitude=-7.25&longitude=112.75&takenAt=2026-01-20T03:00:00Z")))
        .bearer_auth(&opd)
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 201);
    let photo: Value = up.json().await.unwrap();
    let url = app.url(s(&photo["url"]));
    assert_eq!(
        app.client.get(&url).send().await.unwrap().status(),
        404,
        "not public before verification"
    );
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth(&opd)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let pdf = app
        .client
        .post(app.url(&format!("/monev/reports/{r1}/photos?name=x.pdf")))
        .bearer_auth(&opd)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4 x".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 422, "a photo is an image");
    assert_ok(&save(&app, &opd, &r0, 5, 5_000_000, json!([]), true).await);
    assert_ok(&verify(&app, &ppk, &r0).await);
    let got = app.client.get(&url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), PNG);
    // The public sees verified reports only; the OPD sees all twelve.
    assert_eq!(
        activity(&app, None, s(&a["id"])).await["reports"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        activity(&app, Some(&opd), s(&a["id"])).await["reports"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    // A report cannot be written before its month.
    let v = app
        .gql(
            "query { monevActivities(first: 1) { id } }",
            json!({}),
            None,
        )
        .await;
    assert_ok(&v);
}

#[tokio::test]
async fn changes_reach_a_real_websocket_subscriber() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let line = opd_line(&app, "100000000").await;
    let a = create_activity(&app, &opd, &line, None, 100_000_000).await["data"]
        ["createMonevActivity"]
        .clone();
    let r0 = s(&a["reports"][0]["id"]).to_owned();
    let kota = app.region_id("35.99").await;
    let mut req = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    ws.send(Message::Text(
        json!({ "type": "connection_init" }).to_string().into(),
    ))
    .await
    .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack}");
    let q = format!("subscription {{ monevChanges(regionId: \"{kota}\") {{ kind activityId reportId period }} }}");
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": q } })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_ok(&save(&app, &opd, &r0, 5, 5_000_000, json!([]), true).await);
    assert_ok(&verify(&app, &ppk, &r0).await);
    let mut kinds = vec![];
    while kinds.len() < 2 {
        let m = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a change arrives")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(m.to_text().unwrap()).unwrap();
        if v["type"] == "next" {
            let c = &v["payload"]["data"]["monevChanges"];
            assert_eq!(
                (
                    c["activityId"].as_str(),
                    c["reportId"].as_str(),
                    c["period"].as_str()
                ),
                (a["id"].as_str(), Some(r0.as_str()), Some("2026-01"))
            );
            kinds.push(c["kind"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(kinds, ["report_submitted", "report_verified"]);
}

/// The demo's tender contract (made by the procurement and Procurement II demos) and its line.
pub async fn demo_contract(app: &TestApp) -> (String, String, i64) {
    mufakat_server::seed::seed_demo_procurement(&app.state, DEMO_PASSWORD)
        .await
        .unwrap();
    mufakat_server::seed::seed_demo_tender(&app.state)
        .await
        .unwrap();
    let v = app
        .gql(
            "{ procedures { contract { id package { line { id budget } } } } }",
            json!({}),
            None,
        )
        .await;
    assert_ok(&v);
    let c = v["data"]["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["contract"].as_object().cloned())
        .expect("a contract in the demo");
    let line = &c["package"]["line"];
    let budget: rust_decimal::Decimal = s(&line["budget"]).parse().unwrap();
    (
        s(&c["id"]).to_owned(),
        s(&line["id"]).to_owned(),
        budget.try_into().unwrap(),
    )
}

#[tokio::test]
async fn a_critical_contract_is_escalated_step_by_step() {
    let app = monev_app().await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let (contract, line, pagu) = demo_contract(&app).await;
    let v = create_activity(&app, &opd, &line, Some(&contract), pagu).await;
    assert_ok(&v);
    let a = v["data"]["createMonevActivity"].clone();
    let id = s(&a["id"]).to_owned();
    for m in 0..6 {
        let f = if m == 5 { 35 } else { PLAN[m] };
        let r = s(&a["reports"][m]["id"]).to_owned();
        assert_ok(&save(&app, &opd, &r, f, 0, json!([]), true).await);
        assert_ok(&verify(&app, &ppk, &r).await);
    }
    let fs = flags(&app, &ppk, &id).await;
    let critical = fs
        .iter()
        .find(|f| f["kind"] == "critical_contract")
        .expect("kontrak kritis");
    assert_eq!(critical["severity"], "high");
    let fid = s(&critical["id"]).to_owned();
    // Only the PPK takes the steps, each with its date and minutes, in order.
    assert_eq!(
        error_code(&flag_action(&app, &opd, &fid, "WARN", Some("SP"), Some("2026-07-01")).await)
            .as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&flag_action(&app, &ppk, &fid, "WARN", Some("SP"), None).await).as_deref(),
        Some("VALIDATION")
    );
    assert_eq!(
        error_code(&flag_action(&app, &ppk, &fid, "SCM_2", Some("x"), Some("2026-07-01")).await)
            .as_deref(),
        Some("CONFLICT")
    );
    for (step, status, day) in [
        ("WARN", "warned", "2026-07-01"),
        ("SCM_1", "scm_1", "2026-07-08"),
        ("SCM_2", "scm_2", "2026-07-22"),
        ("SCM_3", "scm_3", "2026-08-05"),
        ("TERMINATE", "terminated", "2026-08-19"),
    ] {
        let v = flag_action(
            &app,
            &ppk,
            &fid,
            step,
            Some("Notulen rapat pembuktian."),
            Some(day),
        )
        .await;
        assert_ok(&v);
        assert_eq!(v["data"]["monevFlagAction"]["status"], status);
    }
    // Settled: the dashboard counts no open critical contract.
    let d = app
        .gql("query($a: ID!) { monevDashboard(groupBy: ALL, filter: { activityId: $a }, asOf: \"2026-06\") { flags { kind count } } }", json!({ "a": id }), None)
        .await;
    assert_ok(&d);
    assert!(!d.to_string().contains("critical_contract"), "{d}");
}
