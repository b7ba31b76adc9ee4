//! e-Audit through the API: an audit from the assignment to its findings, the auditor's access
//! bounded by the assignment (before it starts and after it closes: FORBIDDEN), trail browsing
//! with filters, a follow-up rated "belum sesuai" then "sesuai", an escalation by timer, the
//! closing, the PDFs and the public figures (every mutation for every role: eaudit_authz.rs).

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement_authz::staff_in;

const ASSIGNMENT: &str = "id number status team { name lead holdsGrant }";

pub struct Team {
    pub kota: String,
    pub inspector: String,
    pub ani: String,
    pub ani_id: String,
    pub budi: String,
    pub budi_id: String,
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let v = app.gql("{ me { id } }", json!({}), Some(token)).await;
    v["data"]["me"]["id"].as_str().unwrap().to_owned()
}

/// The inspector and two inspectorate staff in the demo kota.
pub async fn team(app: &TestApp) -> Team {
    let kota = app.region_id("35.99").await;
    let inspector = staff_in(app, "inspektur", "INSPECTOR", &kota).await;
    let ani = staff_in(app, "auditor.ani", "INSPECTORATE_STAFF", &kota).await;
    let budi = staff_in(app, "auditor.budi", "INSPECTORATE_STAFF", &kota).await;
    Team {
        ani_id: user_id(app, &ani).await,
        budi_id: user_id(app, &budi).await,
        kota,
        inspector,
        ani,
        budi,
    }
}

pub async fn create_assignment(app: &TestApp, t: &Team, number: &str) -> Value {
    let year = app.now().format("%Y").to_string();
    app.gql(
        &format!("mutation($i: AuditAssignmentInput!) {{ createAuditAssignment(input: $i) {{ {ASSIGNMENT} }} }}"),
        json!({ "i": {
            "number": number, "title": "Pemeriksaan pengadaan Dinas PU", "regionId": t.kota,
            "opds": ["DPUPR"], "modules": [],
            "periodFrom": format!("{year}-01-01"), "periodTo": format!("{year}-12-31"),
            "startsOn": format!("{year}-01-01"), "endsOn": format!("{year}-12-31"),
            "team": [t.budi_id], "lead": t.ani_id,
        } }),
        Some(&t.inspector),
    )
    .await
}

pub async fn act(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    comment: Option<&str>,
) -> Value {
    app.gql(
        &format!("mutation($id: ID!, $c: String) {{ auditAssignmentAction(id: $id, action: {action}, comment: $c) {{ {ASSIGNMENT} }} }}"),
        json!({ "id": id, "c": comment }),
        Some(token),
    )
    .await
}

pub async fn create_finding(app: &TestApp, token: &str, assignment: &str, title: &str) -> Value {
    app.gql(
        "mutation($i: FindingInput!) { createFinding(input: $i) { id number status loss } }",
        json!({ "i": {
            "assignmentId": assignment, "title": title,
            "condition": "Volume aspal terpasang 820 m², kontrak 1.000 m².",
            "criteria": "Kontrak dan Perpres 16/2018.", "cause": "Pemeriksaan PPHP kurang cermat.",
            "effect": "Kelebihan bayar.", "code": "1.01.03", "loss": "18750000.50", "severity": "high",
        } }),
        Some(token),
    )
    .await
}

pub async fn add_rec(app: &TestApp, token: &str, finding: &str, due: Option<String>) -> Value {
    app.gql(
        "mutation($f: ID!, $d: DateTime) { addRecommendation(findingId: $f, text: \"Setor kelebihan bayar ke kas daerah\", opd: \"DPUPR\", dueAt: $d) { id status dueAt } }",
        json!({ "f": finding, "d": due }),
        Some(token),
    )
    .await
}

pub fn id(v: &Value, path: &[&str]) -> String {
    let mut x = &v["data"];
    for p in path {
        x = &x[*p];
    }
    x.as_str()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
        .to_owned()
}

async fn verify(app: &TestApp, token: &str) -> Value {
    app.gql("{ verifyAuditTrail { ok } }", json!({}), Some(token))
        .await
}

async fn trail(app: &TestApp, token: &str, a: &str, filter: Value) -> Value {
    app.gql(
        "query($a: ID!, $f: TrailFilter) { auditTrail(assignmentId: $a, filter: $f, first: 20) { hasMore nextBefore events { seq workflow transition comment role actor { recorded name roles } } } }",
        json!({ "a": a, "f": filter }),
        Some(token),
    )
    .await
}

async fn rec_status(app: &TestApp, token: &str, finding: &str) -> Vec<String> {
    let v = app
        .gql(
            "query($id: ID!) { auditFinding(id: $id) { recommendations { status } } }",
            json!({ "id": finding }),
            Some(token),
        )
        .await;
    v["data"]["auditFinding"]["recommendations"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The `eaudit.report` events of the assignment's case, as text (read from the store: the
/// assignment no longer works, so its trail is closed to the API).
async fn trail_after_close(app: &TestApp, _token: &str, _aid: &str) -> String {
    use mufakat_store::entity::audit_event;
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    audit_event::Entity::find()
        .filter(audit_event::Column::Workflow.eq("eaudit.report"))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.input)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn an_audit_from_the_assignment_to_closed_findings() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let opd = app.login("opd.dinaspu").await;

    // Before any assignment the inspectorate's staff read nothing that is not public.
    assert_eq!(
        error_code(&verify(&app, &t.ani).await).as_deref(),
        Some("FORBIDDEN")
    );
    let a = create_assignment(&app, &t, "700/1/ST/2026").await;
    assert_ok(&a);
    let aid = id(&a, &["createAuditAssignment", "id"]);
    assert_eq!(
        error_code(&trail(&app, &t.ani, &aid, json!({})).await).as_deref(),
        Some("FORBIDDEN"),
        "a draft assignment gives no access"
    );
    // The same number twice is refused.
    let again = create_assignment(&app, &t, "700/1/ST/2026").await;
    assert_eq!(error_code(&again).as_deref(), Some("VALIDATION"), "{again}");

    // Started: the team holds the auditor role in the kota.
    let started = act(&app, &t.inspector, &aid, "START", None).await;
    assert_ok(&started);
    assert!(started["data"]["auditAssignmentAction"]["team"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["holdsGrant"] == true));
    assert_ok(&verify(&app, &t.ani).await);

    // The trail with filters, actors resolved to names and roles.
    let v = trail(
        &app,
        &t.ani,
        &aid,
        json!({ "workflow": "eaudit-penugasan" }),
    )
    .await;
    assert_ok(&v);
    let events = v["data"]["auditTrail"]["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        events
            .iter()
            .map(|e| e["transition"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["start", "start"],
        "newest first: the start of the assignment, then its case's start: {v}"
    );
    assert_eq!(events[0]["actor"]["name"], "inspektur");
    assert!(events[0]["actor"]["roles"][0]
        .as_str()
        .unwrap()
        .starts_with("inspector@"));
    let by_actor = trail(
        &app,
        &t.ani,
        &aid,
        json!({ "actor": events[0]["actor"]["recorded"], "transition": "grant_role" }),
    )
    .await;
    assert_eq!(
        by_actor["data"]["auditTrail"]["events"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{by_actor}"
    );
    let paged = app
        .gql(
            "query($a: ID!) { auditTrail(assignmentId: $a, first: 1) { hasMore nextBefore events { seq } } }",
            json!({ "a": aid }),
            Some(&t.budi),
        )
        .await;
    let before = paged["data"]["auditTrail"]["nextBefore"].as_i64().unwrap();
    let next = app
        .gql(
            "query($a: ID!, $b: Int) { auditTrail(assignmentId: $a, first: 1, before: $b) { events { seq } } }",
            json!({ "a": aid, "b": before }),
            Some(&t.budi),
        )
        .await;
    assert!(
        next["data"]["auditTrail"]["events"][0]["seq"]
            .as_i64()
            .unwrap()
            < before,
        "{next}"
    );
    let range = app
        .gql(
            "query($a: ID!) { verifyAuditRange(assignmentId: $a, fromSeq: 1, toSeq: 5) { ok events } }",
            json!({ "a": aid }),
            Some(&t.ani),
        )
        .await;
    assert_eq!(
        range["data"]["verifyAuditRange"],
        json!({ "ok": true, "events": 5 }),
        "{range}"
    );

    // A finding with evidence and a recommendation; only the lead issues it.
    let f = create_finding(&app, &t.budi, &aid, "Kekurangan volume pengaspalan").await;
    assert_ok(&f);
    assert_eq!(f["data"]["createFinding"]["loss"], "18750000.5");
    let fid = id(&f, &["createFinding", "id"]);
    let ev = app
        .gql(
            "mutation($f: ID!) { addFindingEvidence(findingId: $f, kind: \"event\", reference: \"3\", note: \"Serah terima\") { id } }",
            json!({ "f": fid }),
            Some(&t.budi),
        )
        .await;
    assert_ok(&ev);
    let no_issue = app
        .gql(
            "mutation($id: ID!) { issueFinding(id: $id) { status } }",
            json!({ "id": fid }),
            Some(&t.ani),
        )
        .await;
    assert_eq!(
        error_code(&no_issue).as_deref(),
        Some("CONFLICT"),
        "no recommendation yet: {no_issue}"
    );
    let r = add_rec(&app, &t.budi, &fid, None).await;
    assert_ok(&r);
    let rid = id(&r, &["addRecommendation", "id"]);
    let by_member = app
        .gql(
            "mutation($id: ID!) { issueFinding(id: $id) { status } }",
            json!({ "id": fid }),
            Some(&t.budi),
        )
        .await;
    assert_eq!(error_code(&by_member).as_deref(), Some("FORBIDDEN"));
    let issued = app
        .gql(
            "mutation($id: ID!) { issueFinding(id: $id) { status } }",
            json!({ "id": fid }),
            Some(&t.ani),
        )
        .await;
    assert_eq!(
        issued["data"]["issueFinding"]["status"], "issued",
        "{issued}"
    );

    // The OPD is told, answers; the team rates "belum sesuai" with a new deadline.
    let n = app
        .gql("{ myNotifications { kind } }", json!({}), Some(&opd))
        .await;
    assert!(
        n["data"]["myNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "recommendation_issued"),
        "{n}"
    );
    let todo = app
        .gql(
            "query($r: ID!) { recommendationsToFollowUp(regionId: $r) { recommendation { id } } }",
            json!({ "r": t.kota }),
            Some(&opd),
        )
        .await;
    assert_eq!(
        todo["data"]["recommendationsToFollowUp"][0]["recommendation"]["id"],
        rid.as_str(),
        "{todo}"
    );
    let answer = |text: &'static str| {
        app.gql(
            "mutation($id: ID!, $a: String!) { answerRecommendation(id: $id, answer: $a) { id } }",
            json!({ "id": rid, "a": text }),
            Some(&opd),
        )
    };
    assert_ok(&answer("Disetor Rp10.000.000.").await);
    let new_due = (app.now() + Duration::days(30)).to_rfc3339();
    let rate = |rating: &'static str, note: Option<&'static str>, due: Option<String>| {
        let q = format!("mutation($id: ID!, $n: String, $d: DateTime) {{ rateFollowUp(recommendationId: $id, rating: {rating}, note: $n, dueAt: $d) {{ status dueAt followUps {{ rating }} }} }}");
        let (app, rid, tok) = (&app, rid.clone(), t.budi.clone());
        async move {
            app.gql(&q, json!({ "id": rid, "n": note, "d": due }), Some(&tok))
                .await
        }
    };
    let no_reason = rate("NOT_YET", None, None).await;
    assert_eq!(
        error_code(&no_reason).as_deref(),
        Some("VALIDATION"),
        "a reason is required: {no_reason}"
    );
    let v = rate("NOT_YET", Some("Baru sebagian."), Some(new_due.clone())).await;
    assert_eq!(v["data"]["rateFollowUp"]["status"], "open", "{v}");
    assert_eq!(
        v["data"]["rateFollowUp"]["followUps"][0]["rating"],
        "not_yet"
    );
    assert_ok(&answer("Sisa Rp8.750.000,50 disetor.").await);
    let v = rate("DONE", None, None).await;
    assert_eq!(v["data"]["rateFollowUp"]["status"], "done", "{v}");
    let closed = app
        .gql(
            "query($id: ID!) { auditFinding(id: $id) { status statusTitle } }",
            json!({ "id": fid }),
            Some(&opd),
        )
        .await;
    assert_eq!(
        closed["data"]["auditFinding"]["status"], "closed",
        "the last settled recommendation closes the finding: {closed}"
    );

    // A second finding whose deadline passes: the timer escalates and tells people.
    let f2 = create_finding(&app, &t.ani, &aid, "Denda keterlambatan belum dipungut").await;
    let f2id = id(&f2, &["createFinding", "id"]);
    let soon = (app.now() + Duration::days(1)).to_rfc3339();
    assert_ok(&add_rec(&app, &t.ani, &f2id, Some(soon)).await);
    assert_ok(
        &app.gql(
            "mutation($id: ID!) { issueFinding(id: $id) { status } }",
            json!({ "id": f2id }),
            Some(&t.ani),
        )
        .await,
    );
    app.advance_clock("P2D").await;
    assert_eq!(rec_status(&app, &t.ani, &f2id).await, ["overdue"]);
    for who in [&opd, &t.inspector] {
        let n = app
            .gql("{ myNotifications { kind message } }", json!({}), Some(who))
            .await;
        assert!(
            n["data"]["myNotifications"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "recommendation_overdue"),
            "{n}"
        );
    }

    // Reporting, then closing: the team's auditor role ends, but it still rates follow-ups.
    assert_ok(&act(&app, &t.ani, &aid, "REPORT", None).await);
    assert_ok(&trail(&app, &t.budi, &aid, json!({})).await);
    let c = act(&app, &t.inspector, &aid, "CLOSE", None).await;
    assert_eq!(
        c["data"]["auditAssignmentAction"]["status"], "closed",
        "{c}"
    );
    assert_eq!(
        error_code(&verify(&app, &t.ani).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&trail(&app, &t.ani, &aid, json!({})).await).as_deref(),
        Some("FORBIDDEN")
    );
    let r2 = app
        .gql(
            "query($id: ID!) { auditFinding(id: $id) { recommendations { id } } }",
            json!({ "id": f2id }),
            Some(&t.ani),
        )
        .await;
    let r2id = r2["data"]["auditFinding"]["recommendations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = app
        .gql(
            "mutation($id: ID!) { rateFollowUp(recommendationId: $id, rating: CANNOT_FOLLOW_UP, note: \"Penyedia pailit.\") { status } }",
            json!({ "id": r2id }),
            Some(&t.budi),
        )
        .await;
    assert_eq!(v["data"]["rateFollowUp"]["status"], "not_followable", "{v}");

    // The LHP for the team, not for others; the matrix for the inspectorate; public figures.
    let pdf = |path: String, token: String| {
        let req = app.client.get(app.url(&path)).bearer_auth(token);
        async move { req.send().await.unwrap() }
    };
    let lhp = pdf(format!("/eaudit/assignments/{aid}/lhp.pdf"), t.ani.clone()).await;
    assert_eq!(lhp.status(), 200);
    let bytes = lhp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    // The LHP issued at the close is the one served, and the trail holds its hash.
    let issued = trail_after_close(&app, &t.inspector, &aid).await;
    let sha = hex_sha256(&bytes);
    assert!(
        issued.contains(&sha),
        "the close's issue_lhp event names {sha}: {issued}"
    );
    assert_eq!(
        pdf(format!("/eaudit/assignments/{aid}/lhp.pdf"), opd.clone())
            .await
            .status(),
        404
    );
    let m = pdf(
        format!("/eaudit/matrix.pdf?region={}", t.kota),
        t.inspector.clone(),
    )
    .await;
    assert_eq!(m.status(), 200);
    assert_eq!(
        pdf(format!("/eaudit/matrix.pdf?region={}", t.kota), opd.clone())
            .await
            .status(),
        403
    );
    let figures = app
        .gql("query($r: ID!) { auditFigures(regionId: $r) { opd findings recommendations done overdue followUpRate } }", json!({ "r": t.kota }), None)
        .await;
    assert_eq!(
        figures["data"]["auditFigures"],
        json!([{ "opd": "DPUPR", "findings": 2, "recommendations": 2, "done": 1, "overdue": 0, "followUpRate": "50" }]),
        "{figures}"
    );
}

#[tokio::test]
async fn documents_and_the_trail_export_stay_with_those_who_may_read_them() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let opd = app.login("opd.dinaspu").await;
    let a = create_assignment(&app, &t, "700/2/ST/2026").await;
    let aid = id(&a, &["createAuditAssignment", "id"]);
    assert_ok(&act(&app, &t.inspector, &aid, "START", None).await);
    let f = create_finding(&app, &t.ani, &aid, "Bukti").await;
    let fid = id(&f, &["createFinding", "id"]);
    // A draft recommendation is not the OPD's yet: not found, for an answer or an upload.
    let r = add_rec(&app, &t.ani, &fid, None).await;
    let rid = id(&r, &["addRecommendation", "id"]);
    let v = app
        .gql(
            "mutation($id: ID!) { answerRecommendation(id: $id, answer: \"Sudah\") { id } }",
            json!({ "id": rid }),
            Some(&opd),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
    // Another auditor (granted directly, not on this team) does not read the draft through
    // the generic case reads either.
    let case = app
        .gql(
            "query($id: ID!) { auditFinding(id: $id) { caseId } }",
            json!({ "id": fid }),
            Some(&t.ani),
        )
        .await;
    let case_id = case["data"]["auditFinding"]["caseId"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.login("inspektorat").await;
    let v = app
        .gql(
            "query($id: ID!) { instance(id: $id) { id } }",
            json!({ "id": case_id }),
            Some(&other),
        )
        .await;
    assert!(error_code(&v).is_some(), "{v}");
    let v = app
        .gql(
            "query($id: ID!) { auditFinding(id: $id) { id } }",
            json!({ "id": fid }),
            Some(&other),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
    let pdf_bytes = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let up = |path: String, token: String| {
        let req = app
            .client
            .post(app.url(&path))
            .bearer_auth(token)
            .header("content-type", "application/pdf")
            .body(pdf_bytes.clone());
        async move { req.send().await.unwrap() }
    };
    let refused = up(
        format!("/eaudit/findings/{fid}/documents?name=bukti.pdf"),
        opd.clone(),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let ok = up(
        format!("/eaudit/findings/{fid}/documents?name=bukti.pdf"),
        t.budi.clone(),
    )
    .await;
    assert_eq!(ok.status(), 201);
    let doc: Value = ok.json().await.unwrap();
    let url = doc["url"].as_str().unwrap().to_owned();
    let get = |token: String| {
        let req = app.client.get(app.url(&url)).bearer_auth(token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(t.ani.clone()).await, 200);
    assert_eq!(
        get(opd.clone()).await,
        404,
        "a draft finding's document is not the OPD's to read"
    );
    let export = app
        .client
        .get(app.url(&format!(
            "/eaudit/assignments/{aid}/trail.jsonl?workflow=eaudit-temuan"
        )))
        .bearer_auth(&t.ani)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let text = export.text().await.unwrap();
    assert_eq!(text.lines().count(), 1, "the finding's start: {text}");
    let pdf = app
        .client
        .get(app.url(&format!(
            "/eaudit/assignments/{aid}/trail.pdf?workflow=eaudit-temuan"
        )))
        .bearer_auth(&t.ani)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let flags = app
        .gql(
            "query($a: ID!) { auditRedFlags(assignmentId: $a) { lineId packageIds message } }",
            json!({ "a": aid }),
            Some(&t.ani),
        )
        .await;
    assert_ok(&flags);
    let flags = app
        .gql(
            "query($a: ID!) { auditRedFlags(assignmentId: $a) { lineId } }",
            json!({ "a": aid }),
            Some(&opd),
        )
        .await;
    assert_eq!(error_code(&flags).as_deref(), Some("FORBIDDEN"));
    // An object's history: for the team; to others FORBIDDEN, whether the object exists or not.
    let history = |token: String, id: &'static str| {
        let (app, aid) = (&app, aid.clone());
        async move {
            app.gql(
                "query($a: ID!, $id: ID!) { auditObjectHistory(assignmentId: $a, kind: \"package\", id: $id) { events { seq workflow } } }",
                json!({ "a": aid, "id": id }),
                Some(&token),
            )
            .await
        }
    };
    assert_eq!(
        error_code(&history(opd.clone(), "1").await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&history(opd.clone(), "999999").await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&history(t.ani.clone(), "999999").await).as_deref(),
        Some("NOT_FOUND")
    );
    let outsider = app
        .client
        .get(app.url(&format!("/eaudit/assignments/{aid}/trail.jsonl")))
        .bearer_auth(&opd)
        .send()
        .await
        .unwrap();
    assert_eq!(outsider.status(), 403);
}
