//! Public services from workflow files alone, on working days: a PPID information request
//! (UU 14/2008) with its answer deadline, extension, refusal, objection and dispute; LAPOR's
//! service levels (first response, resolution by class, the satisfaction rating). Time passes by
//! moving the server's clock through the API (`advanceClock`); `service_levels.rs` has the
//! public register and the service-level report.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::*;

pub const START: &str = "mutation($w: String!, $r: ID!, $i: JSON) { startCase(workflow: $w, regionId: $r, input: $i) { id state trackingCode createdAt deadlines { at transition title } } }";
const FIRE: &str = "mutation($id: ID!, $t: String!, $i: JSON, $c: String) { fireTransition(instanceId: $id, transition: $t, input: $i, comment: $c) { id state fields deadlines { at transition } } }";

pub async fn fire(
    app: &TestApp,
    token: &str,
    id: &str,
    t: &str,
    input: Value,
    comment: Option<&str>,
) -> Value {
    app.gql(
        FIRE,
        json!({ "id": id, "t": t, "i": input, "c": comment }),
        Some(token),
    )
    .await
}

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn region_codes(app: &TestApp, code: &str) -> Vec<String> {
    let id: i32 = app.region_id(code).await.parse().unwrap();
    app.state.region_codes(id).await
}

async fn request(app: &TestApp, warga: &str) -> Value {
    let kel = app.region_id("35.99.01.1001").await;
    let v = app
        .gql(
            START,
            json!({ "w": "ppid-permohonan", "r": kel, "i": { "information": "Dokumen RKPD 2027 dan daftar usulan yang didanai", "purpose": "Penelitian", "form": "salinan_elektronik", "delivery": "email" } }),
            Some(warga),
        )
        .await;
    assert_ok(&v);
    v["data"]["startCase"].clone()
}

#[tokio::test]
async fn a_ppid_request_is_answered_within_ten_working_days_or_extended_once() {
    let app = spawn_app().await;
    let warga = app.login("warga.siti").await;
    let ppid = app.login("ppid").await;
    let region = region_codes(&app, "35.99.01.1001").await;
    let case = request(&app, &warga).await;
    assert_eq!(case["state"], "received");
    // The answer is due at the close of the 10th working day after the day of the request.
    let created = at(&case["createdAt"]);
    let due = app.state.calendar.add_working_days(created, 10, &region);
    assert_eq!(case["deadlines"][0]["transition"], "answer_late");
    assert_eq!(at(&case["deadlines"][0]["at"]), due);
    assert!(due - created >= Duration::days(12), "two weekends at least");
    let id = case["id"].as_str().unwrap().to_owned();

    // A resident is not the PPID; the PPID extends once, with the reason.
    let v = fire(
        &app,
        &warga,
        &id,
        "extend",
        json!({ "reason": "x" }),
        Some("x"),
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    let v = fire(
        &app,
        &ppid,
        &id,
        "extend",
        json!({}),
        Some("Perlu dikumpulkan dari tiga OPD"),
    )
    .await;
    assert_eq!(
        error_code(&v).as_deref(),
        Some("VALIDATION"),
        "the reason is required: {v}"
    );
    let v = fire(
        &app,
        &ppid,
        &id,
        "extend",
        json!({ "reason": "Perlu dikumpulkan dari tiga OPD" }),
        Some("Diperpanjang"),
    )
    .await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "extended");
    assert_eq!(
        v["data"]["fireTransition"]["fields"]["extension_reason"],
        "Perlu dikumpulkan dari tiga OPD"
    );
    let extended_due = at(&v["data"]["fireTransition"]["deadlines"][0]["at"]);
    assert!(extended_due <= app.state.calendar.add_working_days(created, 17, &region));
    let v = fire(
        &app,
        &ppid,
        &id,
        "extend",
        json!({ "reason": "lagi" }),
        Some("lagi"),
    )
    .await;
    assert!(error_code(&v).is_some(), "only once: {v}");

    // Refused with the exempting article; the requester objects within 30 working days; the
    // PPID's superior rejects the objection; the dispute goes to the Komisi Informasi.
    let v = fire(
        &app,
        &ppid,
        &id,
        "refuse",
        json!({ "exemption": "Pasal 17 huruf i: memorandum antarbadan publik yang dirahasiakan" }),
        None,
    )
    .await;
    assert_ok(&v);
    let objection_due = at(&v["data"]["fireTransition"]["fields"]["objection_due"]);
    assert_eq!(
        objection_due,
        app.state.calendar.add_working_days(app.now(), 30, &region)
    );
    let v = fire(
        &app,
        &warga,
        &id,
        "object",
        json!({ "objection": "Informasi perencanaan bukan informasi yang dikecualikan" }),
        None,
    )
    .await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "objected");
    let sekda = app.login("sekda").await;
    assert_eq!(
        error_code(&fire(&app, &ppid, &id, "reject_objection", json!({}), Some("x")).await)
            .as_deref(),
        Some("FORBIDDEN"),
        "the PPID does not decide an objection to its own answer"
    );
    assert_ok(
        &fire(
            &app,
            &sekda,
            &id,
            "reject_objection",
            json!({}),
            Some("Pengecualian sah"),
        )
        .await,
    );
    let v = fire(
        &app,
        &warga,
        &id,
        "dispute",
        json!({}),
        Some("Diajukan ke Komisi Informasi Provinsi, register 12/2026"),
    )
    .await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "disputed");
    // Followed by its code, without an account and without the requester's words.
    let t = app
        .gql("query($c: String!) { trackCase(code: $c) { stateTitle steps { title } deadlines { at } } }", json!({ "c": case["trackingCode"] }), None)
        .await;
    assert_ok(&t);
    assert_eq!(
        t["data"]["trackCase"]["stateTitle"],
        "Sengketa di Komisi Informasi"
    );
    assert!(
        !t.to_string().contains("Penelitian")
            && !t
                .to_string()
                .contains("Komisi Informasi Provinsi, register")
    );
}

#[tokio::test]
async fn an_unanswered_request_is_late_then_objected_and_an_unobjected_answer_closes() {
    let app = spawn_app().await;
    let warga = app.login("warga.siti").await;
    let ppid = app.login("ppid").await;
    let late = request(&app, &warga).await;
    let answered = request(&app, &warga).await;
    let due = at(&late["deadlines"][0]["at"]);
    // Time travel through the API: a minute before the deadline nothing happens; a minute
    // after, the request is late.
    assert_eq!(app.advance_clock_to(due - Duration::minutes(1)).await, 0);
    let id = answered["id"].as_str().unwrap().to_owned();
    assert_ok(
        &fire(
            &app,
            &ppid,
            &id,
            "give",
            json!({ "answer": "Dikirim ke surel pemohon" }),
            None,
        )
        .await,
    );
    let given_at = app.now();
    assert_eq!(
        app.advance_clock_to(due + Duration::minutes(1)).await,
        1,
        "only the unanswered one"
    );
    let lid = late["id"].as_str().unwrap().to_owned();
    let v = app
        .gql(
            "query($id: ID!) { instance(id: $id) { state fields } }",
            json!({ "id": lid }),
            Some(&warga),
        )
        .await;
    assert_eq!(v["data"]["instance"]["state"], "late");
    assert_eq!(v["data"]["instance"]["fields"]["late"], true);
    assert_ok(
        &fire(
            &app,
            &warga,
            &lid,
            "object",
            json!({ "objection": "Tidak dijawab" }),
            None,
        )
        .await,
    );
    // The answered one closes by itself 30 working days after the answer.
    let closes = app.state.calendar.add_working_days(
        given_at,
        30,
        &region_codes(&app, "35.99.01.1001").await,
    );
    assert_eq!(app.advance_clock_to(closes - Duration::minutes(1)).await, 0);
    assert_eq!(app.advance_clock_to(closes + Duration::minutes(1)).await, 1);
    let v = app
        .gql(
            "query($id: ID!) { instance(id: $id) { state } }",
            json!({ "id": id }),
            Some(&warga),
        )
        .await;
    assert_eq!(v["data"]["instance"]["state"], "closed");
}

#[tokio::test]
async fn lapor_service_levels_count_working_days_and_the_close_asks_for_a_rating() {
    let app = spawn_app().await;
    let warga = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let opd = app.login("opd.dinaspu").await;
    let kel = app.region_id("35.99.01.1001").await;
    let region = region_codes(&app, "35.99.01.1001").await;
    let complaint = |d: &'static str| {
        let (app, warga, kel) = (&app, &warga, &kel);
        async move {
            let v = app.gql(START, json!({ "w": "lapor-complaint", "r": kel, "i": { "description": d, "category": "jalan" } }), Some(warga)).await;
            assert_ok(&v);
            v["data"]["startCase"].clone()
        }
    };
    // First response within 3 working days, or it escalates.
    let slow = complaint("Jalan berlubang di depan pasar").await;
    let first = at(&slow["deadlines"][0]["at"]);
    assert_eq!(slow["deadlines"][0]["transition"], "first_response_late");
    assert_eq!(
        first,
        app.state
            .calendar
            .add_working_days(at(&slow["createdAt"]), 3, &region)
    );
    // Resolution by class: 5, 14 or 60 working days from routing.
    let mut routed = vec![];
    for (t, days) in [
        ("route_simple", 5u32),
        ("route", 14),
        ("route_field_check", 60),
    ] {
        let c = complaint("Lampu jalan mati").await;
        let id = c["id"].as_str().unwrap().to_owned();
        let v = fire(&app, &lurah, &id, t, json!({ "opd": "DPUPR" }), None).await;
        assert_ok(&v);
        let f = &v["data"]["fireTransition"]["fields"];
        assert_eq!(
            at(&f["deadline"]),
            app.state
                .calendar
                .add_working_days(app.now(), days, &region),
            "{t}"
        );
        assert_eq!(f["service_level"], format!("{days} hari kerja"));
        routed.push(id);
    }
    let n = app.advance_clock_to(first + Duration::minutes(1)).await;
    assert_eq!(n, 1, "only the unanswered complaint escalates");
    let v = app
        .gql(
            "query($id: ID!) { instance(id: $id) { state } }",
            json!({ "id": slow["id"] }),
            Some(&warga),
        )
        .await;
    assert_eq!(v["data"]["instance"]["state"], "escalated");
    // The close carries the resident's rating.
    let id = &routed[0];
    assert_ok(
        &fire(
            &app,
            &opd,
            id,
            "resolve",
            json!({ "resolution": "Lampu diganti" }),
            None,
        )
        .await,
    );
    let v = fire(&app, &warga, id, "confirm", json!({}), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    let v = fire(&app, &warga, id, "confirm", json!({ "rating": "6" }), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    let v = fire(&app, &warga, id, "confirm", json!({ "rating": "5" }), None).await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["fields"]["rating"], "5");
}
