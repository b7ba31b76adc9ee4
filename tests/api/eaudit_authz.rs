//! Every e-audit mutation for every role: the inspector, the assignment's lead and member, an
//! inspector of another region, inspectorate staff not on the team, a directly granted auditor,
//! OPD staff and the other staff and a resident. Allowed or FORBIDDEN; a refused attempt changes
//! nothing; then the first allowed account succeeds.

use serde_json::json;

use crate::eaudit::*;
use crate::helpers::*;
use crate::procurement_authz::{matrix, staff_in, Who};

#[tokio::test]
async fn every_eaudit_mutation_for_every_role() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let sukasari = app.region_id("35.99.02").await;
    let mut who = vec![];
    for n in [
        "admin",
        "bappeda",
        "opd.dinaspu",
        "ppk.dinaspu",
        "ukpbj",
        "bendahara",
        "inspektorat",
        "camat.sukamaju",
        "warga.siti",
    ] {
        who.push((n.to_owned(), app.login(n).await));
    }
    who.push(("inspektur".into(), t.inspector.clone()));
    who.push(("auditor.ani".into(), t.ani.clone()));
    who.push(("auditor.budi".into(), t.budi.clone()));
    who.push((
        "inspektur.luar".into(),
        staff_in(&app, "inspektur.luar", "INSPECTOR", &sukasari).await,
    ));
    who.push((
        "auditor.luar".into(),
        staff_in(&app, "auditor.luar", "INSPECTORATE_STAFF", &t.kota).await,
    ));
    let who = Who(who);

    let (appr, tr) = (&app, &t);
    let a = matrix(&who, "createAuditAssignment", &["inspektur"], |tok| async move {
        let (app, t) = (appr, tr);
        let year = app.now().format("%Y").to_string();
        app.gql(
            "mutation($i: AuditAssignmentInput!) { createAuditAssignment(input: $i) { id } }",
            json!({ "i": { "number": "700/9/ST", "title": "x", "regionId": t.kota, "periodFrom": format!("{year}-01-01"), "periodTo": format!("{year}-12-31"), "startsOn": format!("{year}-01-01"), "endsOn": format!("{year}-12-31"), "team": [t.budi_id], "lead": t.ani_id } }),
            Some(tok),
        )
        .await
    })
    .await;
    let aid = id(&a, &["createAuditAssignment", "id"]);
    let action = |action: &'static str, comment: Option<&'static str>| {
        let aid = aid.clone();
        move |tok: &str| {
            let tok = tok.to_owned();
            let aid = aid.clone();
            async move { act(appr, &tok, &aid, action, comment).await }
        }
    };
    matrix(
        &who,
        "auditAssignmentAction START",
        &["inspektur"],
        action("START", None),
    )
    .await;
    let f = matrix(
        &who,
        "createFinding",
        &["auditor.budi", "auditor.ani", "inspektur"],
        |tok| {
            let aid = aid.clone();
            let app = &app;
            async move { create_finding(app, tok, &aid, "Temuan").await }
        },
    )
    .await;
    let fid = id(&f, &["createFinding", "id"]);
    matrix(&who, "addFindingEvidence", &["auditor.budi", "auditor.ani", "inspektur"], |tok| {
        let fid = fid.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($f: ID!) { addFindingEvidence(findingId: $f, kind: \"object\", reference: \"package-1\") { id } }",
                json!({ "f": fid }),
                Some(tok),
            )
            .await
        }
    })
    .await;
    let r = matrix(
        &who,
        "addRecommendation",
        &["auditor.budi", "auditor.ani", "inspektur"],
        |tok| {
            let fid = fid.clone();
            let app = &app;
            async move { add_rec(app, tok, &fid, None).await }
        },
    )
    .await;
    let rid = id(&r, &["addRecommendation", "id"]);
    matrix(&who, "issueFinding", &["auditor.ani", "inspektur"], |tok| {
        let fid = fid.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($id: ID!) { issueFinding(id: $id) { id } }",
                json!({ "id": fid }),
                Some(tok),
            )
            .await
        }
    })
    .await;
    matrix(&who, "answerRecommendation", &["opd.dinaspu"], |tok| {
        let rid = rid.clone();
        let app = &app;
        async move {
            app.gql(
                "mutation($id: ID!) { answerRecommendation(id: $id, answer: \"Sudah\") { id } }",
                json!({ "id": rid }),
                Some(tok),
            )
            .await
        }
    })
    .await;
    matrix(&who, "rateFollowUp", &["auditor.budi", "auditor.ani", "inspektur"], |tok| {
        let rid = rid.clone();
        let app = &app;
        async move { app.gql("mutation($id: ID!) { rateFollowUp(recommendationId: $id, rating: DONE) { id } }", json!({ "id": rid }), Some(tok)).await }
    })
    .await;
    let f2 = create_finding(&app, &t.ani, &aid, "Konsep").await;
    let f2id = id(&f2, &["createFinding", "id"]);
    matrix(&who, "withdrawFinding", &["auditor.budi", "auditor.ani", "inspektur"], |tok| {
        let f2id = f2id.clone();
        let app = &app;
        async move { app.gql("mutation($id: ID!) { withdrawFinding(id: $id, reason: \"Bukan temuan\") { id } }", json!({ "id": f2id }), Some(tok)).await }
    })
    .await;
    matrix(
        &who,
        "auditAssignmentAction REPORT",
        &["auditor.ani", "inspektur"],
        action("REPORT", None),
    )
    .await;
    matrix(
        &who,
        "auditAssignmentAction RESUME",
        &["inspektur", "auditor.ani"],
        action("RESUME", Some("Perlu uji petik lagi")),
    )
    .await;
    matrix(
        &who,
        "auditAssignmentAction REPORT again",
        &["auditor.ani", "inspektur"],
        action("REPORT", None),
    )
    .await;
    matrix(
        &who,
        "auditAssignmentAction CLOSE",
        &["inspektur"],
        action("CLOSE", None),
    )
    .await;
    let b = create_assignment(&app, &t, "700/10/ST").await;
    let bid = id(&b, &["createAuditAssignment", "id"]);
    matrix(
        &who,
        "auditAssignmentAction CANCEL",
        &["inspektur"],
        |tok| {
            let bid = bid.clone();
            let app = &app;
            async move { act(app, tok, &bid, "CANCEL", Some("Dibatalkan")).await }
        },
    )
    .await;
}
