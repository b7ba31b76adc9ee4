//! Every Procurement II mutation for every role: UKPBJ staff of the region (the Pokja) and of a
//! kecamatan (not the Pokja), the package's PPK, a KPA, finance staff, the other staff, a
//! resident, and three vendor companies (the winner, the losers). Allowed or FORBIDDEN; a
//! refused attempt changes nothing; then the first allowed account succeeds.

use base64::Engine;
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement::*;
use crate::procurement_authz::{matrix, staff_in, Who};
use crate::tender::*;

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

fn field(v: &Value, path: &[&str]) -> String {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_str()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
        .to_owned()
}

/// A procedure through bids from `bidders` (price per bidder) to the opening; its id.
async fn opened(app: &TestApp, who: &Who, pkg: &str, bidders: &[(&str, &str)]) -> (String, Value) {
    let end = deadline(&app, 8);
    let v = create_procedure(app, who.token("ukpbj"), pkg, "lowest_price", end, &[], None).await;
    assert_ok(&v);
    let pid = field(&v, &["data", "createProcedure", "id"]);
    for (b, price) in bidders {
        assert_ok(&submit(app, who.token(b), &pid, price, "Teknis", None).await);
    }
    time_passes(app, end + Duration::seconds(1)).await;
    let p = procedure(app, Some(who.token("ukpbj")), &pid).await;
    (pid, p)
}

fn all_pass(p: &Value) -> Value {
    Value::Array(
        p["bids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| json!({ "bidId": b["id"], "administrative": true, "technical": true }))
            .collect(),
    )
}

#[tokio::test]
async fn every_tender_mutation_for_every_role() {
    let app = spawn_app().await;
    let mut who = vec![];
    for n in STAFF {
        who.push((n.to_owned(), app.login(n).await));
    }
    for (u, npwp) in [
        ("cv.alpha", "01.234.567.8-901.000"),
        ("cv.beta", "02.234.567.8-901.000"),
        ("cv.gamma", "03.234.567.8-901.000"),
    ] {
        who.push((u.to_owned(), verified_vendor(&app, u, npwp).await.0));
    }
    let kota = app.region_id("35.99").await;
    let sukasari = app.region_id("35.99.02").await;
    who.push((
        "ukpbj.luar".into(),
        staff_in(&app, "ukpbj.luar", "UKPBJ_STAFF", &sukasari).await,
    ));
    who.push((
        "kpa.dinaspu".into(),
        staff_in(&app, "kpa.dinaspu", "KPA", &kota).await,
    ));
    let who = Who(who);
    let pkg = announced_package(&app, "construction", "500000000", "", None).await;
    let appr = &app;
    let end = deadline(&app, 8);

    let v = matrix(&who, "createProcedure", &["ukpbj"], |tok| {
        let pkg = pkg.clone();
        async move { create_procedure(appr, tok, &pkg, "lowest_price", end, &[], None).await }
    })
    .await;
    let pid = field(&v, &["data", "createProcedure", "id"]);
    let public_key = field(&v, &["data", "createProcedure", "publicKey"]);
    let number = field(&v, &["data", "createProcedure", "number"]);
    let pr = &pid;
    matrix(&who, "amendProcedure", &["ukpbj"], |tok| async move {
        appr.gql("mutation($p: ID!) { amendProcedure(id: $p, documents: \"Adendum 1.\", reason: \"Perbaikan jadwal.\") { id } }", json!({ "p": pr }), Some(tok)).await
    })
    .await;
    let q = matrix(&who, "askQuestion", &["cv.alpha", "cv.beta", "cv.gamma"], |tok| async move {
        appr.gql("mutation($p: ID!) { askQuestion(procedureId: $p, question: \"Spesifikasi?\") { id } }", json!({ "p": pr }), Some(tok)).await
    })
    .await;
    let qid = field(&q, &["data", "askQuestion", "id"]);
    let qr = &qid;
    matrix(&who, "answerQuestion", &["ukpbj"], |tok| async move {
        appr.gql("mutation($q: ID!) { answerQuestion(questionId: $q, answer: \"Lihat dokumen.\") { id } }", json!({ "q": qr }), Some(tok)).await
    })
    .await;
    matrix(
        &who,
        "submitBid",
        &["cv.alpha", "cv.beta", "cv.gamma"],
        |tok| async move { submit(appr, tok, pr, "300000000", "Teknis alpha", None).await },
    )
    .await;
    let envelope = mufakat_module_tender::seal::Envelope {
        procedure: number.clone(),
        price: "320000000".parse().unwrap(),
        technical: "Teknis beta".into(),
        documents: vec![],
    };
    let sealed = base64::engine::general_purpose::STANDARD
        .encode(mufakat_module_tender::seal::seal(&public_key, &envelope).unwrap());
    let sr = &sealed;
    matrix(&who, "submitSealedBid", &["cv.beta", "cv.alpha", "cv.gamma"], |tok| async move {
        appr.gql("mutation($p: ID!, $s: String!) { submitSealedBid(procedureId: $p, sealed: $s) { bidId } }", json!({ "p": pr, "s": sr }), Some(tok)).await
    })
    .await;
    let c = submit(
        &app,
        who.token("cv.gamma"),
        &pid,
        "340000000",
        "Teknis gamma",
        None,
    )
    .await;
    let cbid = field(&c, &["data", "submitBid", "bidId"]);
    let cr = &cbid;
    matrix(&who, "withdrawBid", &["cv.gamma"], |tok| async move {
        appr.gql(
            "mutation($b: ID!) { withdrawBid(bidId: $b) { bidId } }",
            json!({ "b": cr }),
            Some(tok),
        )
        .await
    })
    .await;
    assert_ok(
        &submit(
            &app,
            who.token("cv.gamma"),
            &pid,
            "340000000",
            "Teknis gamma",
            None,
        )
        .await,
    );
    time_passes(&app, end + Duration::seconds(1)).await;
    let p = procedure(&app, Some(who.token("ukpbj")), &pid).await;
    assert_eq!(p["status"], "opened");
    let js = all_pass(&p);
    let jr = &js;
    matrix(&who, "evaluateBids", &["ukpbj"], |tok| async move {
        evaluate(appr, tok, pr, jr.clone()).await
    })
    .await;
    matrix(&who, "reevaluateProcedure", &["ukpbj"], |tok| async move {
        appr.gql("mutation($p: ID!) { reevaluateProcedure(procedureId: $p, reason: \"Salah hitung.\") { id } }", json!({ "p": pr }), Some(tok)).await
    })
    .await;
    assert_ok(&evaluate(&app, who.token("ukpbj"), &pid, js.clone()).await);
    let v = matrix(&who, "announceAward", &["ukpbj"], |tok| async move {
        appr.gql("mutation($p: ID!) { announceAward(procedureId: $p) { objectionEnds winner { vendor { name } } } }", json!({ "p": pr }), Some(tok)).await
    })
    .await;
    let ends: DateTime<Utc> = field(&v, &["data", "announceAward", "objectionEnds"])
        .parse()
        .unwrap();
    assert_eq!(
        field(&v, &["data", "announceAward", "winner", "vendor", "name"]),
        "CV cv.alpha"
    );
    let o = matrix(
        &who,
        "fileObjection",
        &["cv.gamma", "cv.beta"],
        |tok| async move {
            appr.gql(
                "mutation($p: ID!) { fileObjection(procedureId: $p, text: \"Keberatan.\") { id } }",
                json!({ "p": pr }),
                Some(tok),
            )
            .await
        },
    )
    .await;
    let oid = field(&o, &["data", "fileObjection", "id"]);
    let or = &oid;
    matrix(&who, "answerObjection (sanggah)", &["ukpbj"], |tok| async move {
        appr.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: false, answer: \"Ditolak.\") { id } }", json!({ "o": or }), Some(tok)).await
    })
    .await;
    let g = matrix(&who, "fileAppeal", &["cv.gamma"], |tok| async move {
        appr.gql("mutation($o: ID!) { fileAppeal(objectionId: $o, text: \"Banding.\", guarantee: \"5000000\") { id } }", json!({ "o": or }), Some(tok)).await
    })
    .await;
    let gid = field(&g, &["data", "fileAppeal", "id"]);
    let gr = &gid;
    matrix(&who, "answerObjection (banding)", &["kpa.dinaspu"], |tok| async move {
        appr.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: false, answer: \"Banding ditolak.\") { id } }", json!({ "o": gr }), Some(tok)).await
    })
    .await;
    time_passes(&app, ends + Duration::seconds(1)).await;
    matrix(&who, "issueSppbj", &["ppk.dinaspu"], |tok| async move {
        appr.gql(
            "mutation($p: ID!) { issueSppbj(procedureId: $p) { sppbjNumber } }",
            json!({ "p": pr }),
            Some(tok),
        )
        .await
    })
    .await;
    let k = matrix(&who, "signContract", &["ppk.dinaspu"], |tok| async move {
        sign(appr, tok, pr).await
    })
    .await;
    let kid = field(&k, &["data", "signContract", "id"]);
    let kr = &kid;
    matrix(&who, "amendContract", &["ppk.dinaspu"], |tok| async move {
        appr.gql("mutation($k: ID!) { amendContract(contractId: $k, value: \"310000000\", endsOn: \"2027-10-31\", reason: \"Tambah.\") { id } }", json!({ "k": kr }), Some(tok)).await
    })
    .await;
    matrix(&who, "terminateContract", &["ppk.dinaspu"], |tok| async move {
        appr.gql("mutation($k: ID!) { terminateContract(contractId: $k, reason: \"Wanprestasi.\") { id status } }", json!({ "k": kr }), Some(tok)).await
    })
    .await;

    // The package is bought again: a procedure with one bid fails, one is cancelled, and the
    // next reaches a contract that finance staff complete.
    let (p2, _) = opened(&app, &who, &pkg, &[("cv.alpha", "300000000")]).await;
    let p2r = &p2;
    matrix(&who, "failProcedure", &["ukpbj"], |tok| async move {
        appr.gql("mutation($p: ID!) { failProcedure(procedureId: $p, reason: \"Kurang dari tiga penawaran.\") { id } }", json!({ "p": p2r }), Some(tok)).await
    })
    .await;
    let v = create_procedure(
        &app,
        who.token("ukpbj"),
        &pkg,
        "lowest_price",
        deadline(&app, 8),
        &[],
        Some(&p2),
    )
    .await;
    let p3 = field(&v, &["data", "createProcedure", "id"]);
    let p3r = &p3;
    matrix(&who, "cancelProcedure", &["ukpbj", "ppk.dinaspu"], |tok| async move {
        appr.gql("mutation($p: ID!) { cancelProcedure(procedureId: $p, reason: \"Anggaran direvisi.\") { id } }", json!({ "p": p3r }), Some(tok)).await
    })
    .await;
    let (p4, p) = opened(
        &app,
        &who,
        &pkg,
        &[
            ("cv.alpha", "300000000"),
            ("cv.beta", "310000000"),
            ("cv.gamma", "320000000"),
        ],
    )
    .await;
    assert_ok(&evaluate(&app, who.token("ukpbj"), &p4, all_pass(&p)).await);
    let v = step(&app, who.token("ukpbj"), "announceAward", &p4).await;
    let ends: DateTime<Utc> = field(&v, &["data", "announceAward", "objectionEnds"])
        .parse()
        .unwrap();
    time_passes(&app, ends + Duration::seconds(1)).await;
    assert_ok(&step(&app, who.token("ppk.dinaspu"), "issueSppbj", &p4).await);
    let k = sign(&app, who.token("ppk.dinaspu"), &p4).await;
    let k2 = field(&k, &["data", "signContract", "id"]);
    let k2r = &k2;
    let v = matrix(&who, "completeContract", &["bendahara"], |tok| async move {
        appr.gql("mutation($k: ID!) { completeContract(contractId: $k, paid: \"300000000\") { status package { status } } }", json!({ "k": k2r }), Some(tok)).await
    })
    .await;
    assert_eq!(
        v["data"]["completeContract"]["package"]["status"],
        "completed"
    );
}
