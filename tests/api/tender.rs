//! Procurement II over the real server: a tender won by the second-lowest price after the
//! lowest is disqualified, with clarification, an amendment, replaced bids, an objection
//! rejected, the SPPBJ, a contract and its amendment; a mini-competition among three invited
//! catalogue vendors with an objection upheld; an unsuccessful tender tendered again; and what
//! the sealing keeps from everyone (GraphQL, the database, the blob folder) until the opening —
//! on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL. Timers are fired with a later clock
//! instead of waiting for the deadline.

use chrono::{DateTime, Duration, Utc};
use mufakat_store::sea_orm::{self, ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement::*;

pub const PROC: &str = "id number status method publicKey bidDeadline objectionEnds sealedBidCount sppbjNumber documents questions { id question answer amends } bids { id status sha256 price technical rank reason administrative vendor { id name } documents { name sha256 } } winner { id price vendor { name } } objections { id kind status } contract { id number value status }";

pub async fn uid(app: &TestApp, u: &str) -> String {
    mufakat_server::services::accounts::acting_as(&app.state, u)
        .await
        .unwrap()
        .id
        .to_string()
}

/// An announced package of `kind` with `hps` in a fresh plan line; `method` when not the one
/// the thresholds propose.
pub async fn announced_package(
    app: &TestApp,
    kind: &str,
    hps: &str,
    category: &str,
    method: Option<&str>,
) -> String {
    let opd = app.login("opd.dinaspu").await;
    let line = opd_line(app, "5000000000").await;
    let v = app
        .gql(
            &format!("mutation($i: NewPackageInput!) {{ createPackage(input: $i) {{ {PACKAGE} }} }}"),
            json!({ "i": { "lineId": line, "name": "Rehabilitasi jalan lingkungan", "kind": kind, "category": category, "pagu": hps, "hps": hps, "location": "Kelurahan Mekarsari", "startsOn": "2027-02-01", "endsOn": "2027-10-31", "ppkId": uid(app, "ppk.dinaspu").await, "officialId": uid(app, "ukpbj").await, "method": method, "methodReason": method.map(|_| "Sesuai kebutuhan dan ketersediaan katalog.") } }),
            Some(&opd),
        )
        .await;
    assert_ok(&v);
    let id = v["data"]["createPackage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(&package_action(app, &opd, &id, "ANNOUNCE", None).await);
    id
}

/// `days` from now by the server's clock (which tests move), and five minutes.
pub fn deadline(app: &TestApp, days: i64) -> DateTime<Utc> {
    app.now() + Duration::days(days) + Duration::minutes(5)
}

pub async fn create_procedure(
    app: &TestApp,
    token: &str,
    package: &str,
    evaluation: &str,
    deadline: DateTime<Utc>,
    invited: &[&str],
    retender_of: Option<&str>,
) -> Value {
    app.gql(
        &format!("mutation($i: ProcedureInput!) {{ createProcedure(input: $i) {{ {PROC} }} }}"),
        json!({ "i": { "packageId": package, "evaluation": evaluation, "qualityWeight": if evaluation == "quality_cost" { 70 } else { 0 }, "qualification": "NIB dan NPWP aktif; pengalaman sejenis 3 tahun terakhir.", "documents": "Penjelasan 3 hari setelah pengumuman; pemasukan sampai batas akhir; pembukaan otomatis.", "bidDeadline": deadline.to_rfc3339(), "invited": invited, "retenderOf": retender_of } }),
        Some(token),
    )
    .await
}

pub async fn submit(
    app: &TestApp,
    token: &str,
    procedure: &str,
    price: &str,
    technical: &str,
    doc: Option<&[u8]>,
) -> Value {
    use base64::Engine;
    let docs: Vec<Value> = doc
        .map(|d| vec![json!({ "name": "rab.pdf", "contentType": "application/pdf", "data": base64::engine::general_purpose::STANDARD.encode(d) })])
        .unwrap_or_default();
    app.gql(
        "mutation($p: ID!, $x: Decimal!, $t: String!, $d: [BidDocumentInput!]!) { submitBid(procedureId: $p, price: $x, technical: $t, documents: $d) { bidId sha256 sizeBytes submittedAt procedureNumber } }",
        json!({ "p": procedure, "x": price, "t": technical, "d": docs }),
        Some(token),
    )
    .await
}

pub async fn procedure(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let v = app
        .gql(
            &format!("query($i: ID!) {{ procedure(id: $i) {{ {PROC} }} }}"),
            json!({ "i": id }),
            token,
        )
        .await;
    assert_ok(&v);
    v["data"]["procedure"].clone()
}

/// Moves the server's clock to `at` (the deadline, the end of the objection period), then one
/// second later, through the API; the timers due fire each time.
pub async fn time_passes(app: &TestApp, at: DateTime<Utc>) {
    // The opening follows the closing a second later.
    for t in [at, at + Duration::seconds(1)] {
        app.advance_clock_to(t).await;
    }
}

pub async fn evaluate(app: &TestApp, token: &str, procedure: &str, judgements: Value) -> Value {
    app.gql(
        &format!("mutation($p: ID!, $j: [JudgementInput!]!) {{ evaluateBids(procedureId: $p, judgements: $j) {{ {PROC} }} }}"),
        json!({ "p": procedure, "j": judgements }),
        Some(token),
    )
    .await
}

pub async fn step(app: &TestApp, token: &str, mutation: &str, procedure: &str) -> Value {
    app.gql(
        &format!("mutation($p: ID!) {{ {mutation}(procedureId: $p) {{ {PROC} }} }}"),
        json!({ "p": procedure }),
        Some(token),
    )
    .await
}

pub async fn sign(app: &TestApp, token: &str, procedure: &str) -> Value {
    app.gql(
        "mutation($p: ID!) { signContract(procedureId: $p, input: { startsOn: \"2027-02-01\", endsOn: \"2027-09-30\", paymentTerms: \"Termin 30/70 sesuai kemajuan fisik.\" }) { id number value status sppbjNumber package { id status line { id } } procedure { number status } vendor { name } } }",
        json!({ "p": procedure }),
        Some(token),
    )
    .await
}

/// Every row of every table as text (a raw dump of the database).
pub async fn dump(app: &TestApp) -> String {
    let db = &app.state.db;
    let be = db.get_database_backend();
    let mut out = String::new();
    let tables: Vec<String> = if be == sea_orm::DbBackend::Sqlite {
        db.query_all_raw(Statement::from_string(be, "SELECT name AS r FROM sqlite_master WHERE type = 'table'")).await.unwrap()
    } else {
        db.query_all_raw(Statement::from_string(be, "SELECT table_name::text AS r FROM information_schema.tables WHERE table_schema = 'public'")).await.unwrap()
    }
    .into_iter()
    .map(|r| r.try_get::<String>("", "r").unwrap())
    .collect();
    for t in tables {
        let sql = if be == sea_orm::DbBackend::Sqlite {
            let cols: Vec<String> = db
                .query_all_raw(Statement::from_string(
                    be,
                    format!("SELECT name AS r FROM pragma_table_info('{t}')"),
                ))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.try_get::<String>("", "r").unwrap())
                .collect();
            let parts: Vec<String> = cols
                .iter()
                .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                .collect();
            format!("SELECT {} AS r FROM \"{t}\"", parts.join(" || '|' || "))
        } else {
            format!("SELECT CAST(row_to_json(x) AS TEXT) AS r FROM \"{t}\" x")
        };
        for r in db
            .query_all_raw(Statement::from_string(be, sql))
            .await
            .unwrap()
        {
            out.push_str(&r.try_get::<String>("", "r").unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// Every file under the data directory (the blob folder, keys), as lossy text.
pub fn files(app: &TestApp) -> String {
    fn walk(p: &std::path::Path, out: &mut String) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(b) = std::fs::read(&path) {
                    out.push_str(&String::from_utf8_lossy(&b));
                }
            }
        }
    }
    let mut out = String::new();
    walk(&app.state.settings.data_dir, &mut out);
    out
}

/// The HTTP status of downloading an opened bid's first document.
pub async fn bid_document(app: &TestApp, token: &str, bid: &str) -> u16 {
    app.client
        .get(app.url(&format!("/procurement/bids/{bid}/documents/0")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The HTTP status of a procedure's PDF `doc` (and that a 200 is a PDF).
pub async fn pdf(app: &TestApp, token: Option<&str>, procedure: &str, doc: &str) -> u16 {
    let mut req = app
        .client
        .get(app.url(&format!("/procurement/procedures/{procedure}/{doc}.pdf")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"), "{doc}");
    }
    status
}

pub fn data<'a>(v: &'a Value, f: &str) -> &'a Value {
    assert_ok(v);
    &v["data"][f]
}

#[tokio::test]
async fn a_tender_is_won_by_the_second_lowest_price_after_the_lowest_is_disqualified() {
    let app = spawn_app().await;
    let (a, _) = verified_vendor(&app, "cv.alpha", "01.234.567.8-901.000").await;
    let (b, _) = verified_vendor(&app, "cv.beta", "02.234.567.8-901.000").await;
    let (c, _) = verified_vendor(&app, "cv.gamma", "03.234.567.8-901.000").await;
    let ukpbj = app.login("ukpbj").await;
    let ppk = app.login("ppk.dinaspu").await;
    let pkg = announced_package(&app, "construction", "500000000", "", None).await;

    // A deadline sooner than the method's minimum period is refused.
    let v = create_procedure(
        &app,
        &ukpbj,
        &pkg,
        "lowest_price",
        deadline(&app, 2),
        &[],
        None,
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    let end = deadline(&app, 8);
    let v = create_procedure(&app, &ukpbj, &pkg, "lowest_price", end, &[], None).await;
    let p = data(&v, "createProcedure").clone();
    let pid = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["status"], "announced");
    assert!(p["publicKey"].as_str().unwrap().starts_with("age1"));
    assert!(p["number"].as_str().unwrap().starts_with("TD-"));
    let pk = app
        .gql(
            "query($i: ID!) { package(id: $i) { status } }",
            json!({ "i": pkg }),
            Some(&ukpbj),
        )
        .await;
    assert_eq!(pk["data"]["package"]["status"], "in_selection");
    // A second procedure for the same package is refused.
    let v = create_procedure(&app, &ukpbj, &pkg, "lowest_price", end, &[], None).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");

    // Clarification: a question, answered with an amendment.
    let q = app.gql("mutation($p: ID!) { askQuestion(procedureId: $p, question: \"Apakah boleh aspal hotmix?\") { id } }", json!({ "p": pid }), Some(&a)).await;
    let qid = data(&q, "askQuestion")["id"].as_str().unwrap().to_owned();
    let v = app.gql("mutation($q: ID!) { answerQuestion(questionId: $q, answer: \"Boleh, spesifikasi diperbarui.\", amendment: \"Dokumen adendum 1: aspal hotmix diperbolehkan.\") { amends answer } }", json!({ "q": qid }), Some(&ukpbj)).await;
    assert_eq!(data(&v, "answerQuestion")["amends"], true);

    // Sealed bids: A bids, then replaces its bid; B and C bid.
    let secret_doc = b"%PDF-1.4\nRAHASIA-DOKUMEN-ALPHA rincian harga\n%%EOF\n";
    let r1 = submit(
        &app,
        &a,
        &pid,
        "377777777.11",
        "RAHASIA-TEKNIS-ALPHA",
        Some(secret_doc),
    )
    .await;
    let first = data(&r1, "submitBid").clone();
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    let r2 = submit(
        &app,
        &a,
        &pid,
        "366666666.22",
        "RAHASIA-TEKNIS-ALPHA",
        Some(secret_doc),
    )
    .await;
    assert_ne!(data(&r2, "submitBid")["sha256"], first["sha256"]);
    assert_ok(&submit(&app, &b, &pid, "411111111.33", "Teknis beta", None).await);
    assert_ok(&submit(&app, &c, &pid, "455555555.44", "Teknis gamma", None).await);
    // A non-vendor cannot bid.
    assert_eq!(
        error_code(&submit(&app, &ukpbj, &pid, "1", "", None).await).as_deref(),
        Some("FORBIDDEN")
    );

    // Before the opening no one sees a price, a technical offer or a document: not the Pokja,
    // not an administrator, not an auditor, not the public; the vendor sees its receipts.
    for tok in [
        Some(ukpbj.as_str()),
        Some(&ppk),
        Some(&app.login("admin").await),
        Some(&app.login("inspektorat").await),
        None,
    ] {
        let p = procedure(&app, tok, &pid).await;
        assert_eq!(p["bids"], json!([]), "{p}");
        assert!(p["winner"].is_null());
    }
    assert_eq!(
        procedure(&app, Some(&ukpbj), &pid).await["sealedBidCount"],
        3
    );
    assert!(procedure(&app, None, &pid).await["sealedBidCount"].is_null());
    let own = procedure(&app, Some(&a), &pid).await;
    let own_bids = own["bids"].as_array().unwrap();
    assert_eq!(own_bids.len(), 2);
    assert!(own_bids
        .iter()
        .all(|b| b["price"].is_null() && b["technical"].is_null()));
    assert_eq!(own_bids[0]["status"], "replaced");
    // Nor any document: before the opening only the announcement is made.
    assert_eq!(pdf(&app, None, &pid, "announcement").await, 200);
    for doc in ["opening", "evaluation", "award", "sppbj"] {
        assert_eq!(
            pdf(&app, Some(&ukpbj), &pid, doc).await,
            403,
            "{doc} before the opening"
        );
    }
    // Nor a bid's document, not even to its bidder.
    let own_bid = data(&r2, "submitBid")["bidId"].as_str().unwrap().to_owned();
    assert_eq!(bid_document(&app, &a, &own_bid).await, 403);
    assert_eq!(bid_document(&app, &ukpbj, &own_bid).await, 403);
    // Nor the OCDS releases published so far.
    let early = app
        .client
        .get(app.url("/ocds/releases.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        early.contains("\"planning\"")
            && !early.contains("366666666")
            && !early.contains("RAHASIA"),
        "{early}"
    );
    // Nor does a raw dump of the database or the blob folder.
    let (db, fs) = (dump(&app).await, files(&app));
    for secret in [
        "366666666",
        "36666666622",
        "377777777",
        "411111111",
        "RAHASIA-TEKNIS",
        "RAHASIA-DOKUMEN",
    ] {
        assert!(!db.contains(secret), "the database shows {secret}");
        assert!(!fs.contains(secret), "a file shows {secret}");
    }

    // The deadline: the set of bids is sealed in the chain, then every bid is opened.
    time_passes(&app, end + Duration::seconds(1)).await;
    let late = submit(&app, &c, &pid, "400000000", "", None).await;
    assert_eq!(error_code(&late).as_deref(), Some("CONFLICT"), "{late}");
    let p = procedure(&app, None, &pid).await;
    assert_eq!(p["status"], "opened");
    assert_eq!(p["sealedBidCount"], 3);
    let prices: Vec<&str> = p["bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["price"].as_str().unwrap())
        .collect();
    assert_eq!(prices, ["366666666.22", "411111111.33", "455555555.44"]);
    // The public sees prices, not the technical offers or documents; the Pokja sees them.
    assert!(p["bids"][0]["technical"].is_null());
    // After it, the bidder and the Pokja download the document; another bidder does not.
    assert_eq!(bid_document(&app, &a, &own_bid).await, 200);
    assert_eq!(bid_document(&app, &ukpbj, &own_bid).await, 200);
    assert_eq!(bid_document(&app, &b, &own_bid).await, 403);
    let inside = procedure(&app, Some(&ukpbj), &pid).await;
    assert_eq!(inside["bids"][0]["technical"], "RAHASIA-TEKNIS-ALPHA");
    assert_eq!(inside["bids"][0]["documents"][0]["name"], "rab.pdf");
    let events = app.state.db.query_all_raw(Statement::from_string(app.state.db.get_database_backend(), "SELECT transition AS t, input AS i FROM audit_events WHERE workflow = 'procurement.bids' ORDER BY seq")).await.unwrap();
    let ev: Vec<(String, String)> = events
        .iter()
        .map(|r| (r.try_get("", "t").unwrap(), r.try_get("", "i").unwrap()))
        .collect();
    assert_eq!(
        ev.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["seal_bids", "open_bids"]
    );
    assert!(
        ev[0].1.contains("\"count\":3") && !ev[0].1.contains("366666666"),
        "{}",
        ev[0].1
    );
    assert!(ev[1].1.contains("366666666.22") && ev[1].1.contains("opened_sha256"));

    // Evaluation: the lowest (A) fails technically; B wins.
    let bids = p["bids"].as_array().unwrap().clone();
    let bid = |i: usize| bids[i]["id"].as_str().unwrap().to_owned();
    let missing = evaluate(&app, &ukpbj, &pid, json!([{ "bidId": bid(0), "administrative": true, "technical": false, "reason": "Metode pelaksanaan tidak memenuhi." }])).await;
    assert_eq!(error_code(&missing).as_deref(), Some("VALIDATION"));
    let v = evaluate(&app, &ukpbj, &pid, json!([
        { "bidId": bid(0), "administrative": true, "technical": false, "reason": "Metode pelaksanaan tidak memenuhi." },
        { "bidId": bid(1), "administrative": true, "technical": true },
        { "bidId": bid(2), "administrative": true, "technical": true },
    ])).await;
    assert_eq!(data(&v, "evaluateBids")["status"], "evaluated");
    // The proposal is not public until announced (the opening record is).
    assert_eq!(pdf(&app, None, &pid, "opening").await, 200);
    assert_eq!(pdf(&app, None, &pid, "evaluation").await, 403);
    assert_eq!(pdf(&app, Some(&ukpbj), &pid, "evaluation").await, 200);
    // The proposal is not public until announced.
    assert!(procedure(&app, None, &pid).await["winner"].is_null());
    assert_eq!(
        procedure(&app, Some(&ukpbj), &pid).await["winner"]["vendor"]["name"],
        "CV cv.beta"
    );
    let v = step(&app, &ukpbj, "announceAward", &pid).await;
    let p = data(&v, "announceAward").clone();
    assert_eq!(p["status"], "award_announced");
    assert_eq!(p["winner"]["price"], "411111111.33");
    assert_eq!(p["bids"][0]["rank"], Value::Null);
    assert_eq!(p["bids"][1]["rank"], 1);
    assert_eq!(p["bids"][2]["rank"], 2);

    // An objection by C, rejected; the winner may not object.
    let o = app.gql("mutation($p: ID!) { fileObjection(procedureId: $p, text: \"Harga pemenang tidak wajar.\") { id status kind } }", json!({ "p": pid }), Some(&c)).await;
    let oid = data(&o, "fileObjection")["id"].as_str().unwrap().to_owned();
    let w = app
        .gql(
            "mutation($p: ID!) { fileObjection(procedureId: $p, text: \"x\") { id } }",
            json!({ "p": pid }),
            Some(&b),
        )
        .await;
    assert_eq!(error_code(&w).as_deref(), Some("FORBIDDEN"));
    // The SPPBJ waits for the objection period.
    assert_eq!(
        error_code(&step(&app, &ppk, "issueSppbj", &pid).await).as_deref(),
        Some("CONFLICT")
    );
    // The Pokja answers late in the period (the clock moves to two hours before its end).
    let ends: DateTime<Utc> = p["objectionEnds"].as_str().unwrap().parse().unwrap();
    time_passes(&app, ends - Duration::hours(2)).await;
    let v = app.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: false, answer: \"Harga telah diklarifikasi dan wajar.\") { status } }", json!({ "o": oid }), Some(&ukpbj)).await;
    assert_eq!(data(&v, "answerObjection")["status"], "rejected");
    time_passes(&app, ends + Duration::seconds(1)).await;
    assert_eq!(
        procedure(&app, None, &pid).await["status"],
        "objection_closed"
    );
    // Construction: an appeal may still come for five days after the answer.
    assert_eq!(
        error_code(&step(&app, &ppk, "issueSppbj", &pid).await).as_deref(),
        Some("CONFLICT")
    );
    let g = app.gql("mutation($o: ID!) { fileAppeal(objectionId: $o, text: \"Banding.\", guarantee: \"4000000\") { id } }", json!({ "o": oid }), Some(&c)).await;
    assert_eq!(
        error_code(&g).as_deref(),
        Some("VALIDATION"),
        "a guarantee under 1 % of the HPS: {g}"
    );
    let g = app.gql("mutation($o: ID!) { fileAppeal(objectionId: $o, text: \"Banding atas jawaban sanggah.\", guarantee: \"5000000\") { id kind status } }", json!({ "o": oid }), Some(&c)).await;
    let gid = data(&g, "fileAppeal")["id"].as_str().unwrap().to_owned();
    let kpa = crate::procurement_authz::staff_in(
        &app,
        "kpa.dinaspu",
        "KPA",
        &app.region_id("35.99").await,
    )
    .await;
    let wrong = app.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: false, answer: \"x\") { status } }", json!({ "o": gid }), Some(&ukpbj)).await;
    assert_eq!(
        error_code(&wrong).as_deref(),
        Some("FORBIDDEN"),
        "the Pokja does not answer an appeal"
    );
    let v = app.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: false, answer: \"Banding ditolak.\") { status } }", json!({ "o": gid }), Some(&kpa)).await;
    assert_eq!(data(&v, "answerObjection")["status"], "rejected");

    // SPPBJ and contract, at the winning price, linked to the package and its plan line.
    let v = step(&app, &ukpbj, "issueSppbj", &pid).await;
    assert_eq!(
        error_code(&v).as_deref(),
        Some("FORBIDDEN"),
        "only the package's PPK"
    );
    let v = step(&app, &ppk, "issueSppbj", &pid).await;
    assert!(data(&v, "issueSppbj")["sppbjNumber"]
        .as_str()
        .unwrap()
        .starts_with("SPPBJ-"));
    for doc in ["evaluation", "award", "sppbj"] {
        assert_eq!(pdf(&app, None, &pid, doc).await, 200, "{doc}");
    }
    let r = app
        .client
        .get(app.url(&format!("/procurement/objections/{oid}/answer.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    let k = sign(&app, &ppk, &pid).await;
    let k = data(&k, "signContract").clone();
    assert_eq!(k["value"], "411111111.33");
    assert_eq!(k["package"]["status"], "contracted");
    assert_eq!(k["procedure"]["status"], "contracted");
    let kid = k["id"].as_str().unwrap().to_owned();
    // Amendments: within 110 % of the original value.
    let amend = |value: &'static str| {
        let (app, ppk, kid) = (&app, ppk.clone(), kid.clone());
        async move {
            app.gql("mutation($k: ID!, $v: Decimal!) { amendContract(contractId: $k, value: $v, endsOn: \"2027-10-31\", reason: \"Pekerjaan tambah drainase.\") { value endsOn amendments { number value reason } } }", json!({ "k": kid, "v": value }), Some(&ppk)).await
        }
    };
    assert_eq!(
        error_code(&amend("460000000").await).as_deref(),
        Some("VALIDATION")
    );
    let v = amend("450000000").await;
    let a1 = data(&v, "amendContract");
    assert_eq!(a1["value"], "450000000");
    assert_eq!(a1["amendments"][0]["number"], 1);
    // Finance records the final payment: contract and package complete.
    let bendahara = app.login("bendahara").await;
    let v = app.gql("mutation($k: ID!) { completeContract(contractId: $k, paid: \"450000000\") { status paid package { status } } }", json!({ "k": kid }), Some(&bendahara)).await;
    assert_eq!(
        data(&v, "completeContract")["package"]["status"],
        "completed"
    );

    // OCDS: every stage published once, valid against the 1.1.5 schemas, compiled by the
    // merge rules.
    let rel: Value = app
        .client
        .get(app.url("/ocds/releases.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tags: Vec<String> = rel["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["tag"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    assert_eq!(
        tags,
        [
            "planning+tender",
            "tenderAmendment",
            "tenderUpdate",
            "award",
            "awardUpdate",
            "contract",
            "contractAmendment",
            "implementation"
        ]
    );
    validate_ocds(&rel).await;
    let ocid = rel["releases"][0]["ocid"].as_str().unwrap().to_owned();
    let recs: Value = app
        .client
        .get(app.url(&format!("/ocds/records/{ocid}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    validate_ocds(&recs).await;
    let c = &recs["records"][0]["compiledRelease"];
    assert_eq!(c["tender"]["status"], "complete");
    assert_eq!(c["awards"][0]["status"], "active");
    assert_eq!(c["awards"][0]["value"]["amount"], json!(411111111.33));
    assert_eq!(c["contracts"][0]["value"]["amount"], json!(450000000));
    assert_eq!(c["contracts"][0]["status"], "terminated");
    assert_eq!(c["bids"]["details"].as_array().unwrap().len(), 3);
    assert_eq!(c["bids"]["details"][0]["status"], "disqualified");
    assert_eq!(
        c["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"],
        json!(450000000)
    );
}

/// Runs the offline OCDS 1.1.5 validator (`../shared/ocds-1.1.5/validate.py`) on a package;
/// skipped, with a message, where the validator or Python's `jsonschema` is absent (CI has
/// both).
pub async fn validate_ocds(package: &Value) {
    // `../shared` beside the checkout, or where MUFAKAT_SHARED_DIR says (CI's clone elsewhere).
    let shared = std::env::var("MUFAKAT_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let validator = shared.join("ocds-1.1.5/validate.py");
    let python = std::env::var("MUFAKAT_PYTHON").unwrap_or_else(|_| "python3".into());
    let has = std::process::Command::new(&python)
        .args(["-c", "import jsonschema, referencing"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !validator.exists() || !has {
        eprintln!(
            "skipping OCDS schema validation: {} or Python's jsonschema is absent",
            validator.display()
        );
        return;
    }
    let file = std::env::temp_dir().join(format!("ocds-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, package.to_string()).unwrap();
    let out = std::process::Command::new(&python)
        .arg(&validator)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "OCDS validation failed:\n{text}");
    assert!(text.contains("0 errors"), "{text}");
}

#[tokio::test]
async fn a_mini_competition_among_three_invited_vendors_with_an_objection_upheld() {
    let app = spawn_app().await;
    let ukpbj = app.login("ukpbj").await;
    let mut vendors = vec![];
    for (u, npwp) in [
        ("cv.satu", "11.234.567.8-901.000"),
        ("cv.dua", "12.234.567.8-901.000"),
        ("cv.tiga", "13.234.567.8-901.000"),
    ] {
        let (tok, id) = verified_vendor(&app, u, npwp).await;
        listed_item(&app, &tok, &id, &format!("Semen {u}"), "47521", "65000").await;
        vendors.push((tok, id));
    }
    let (outsider, _) = verified_vendor(&app, "cv.luar", "14.234.567.8-901.000").await;
    let pkg = announced_package(
        &app,
        "goods",
        "150000000",
        "47521",
        Some("mini_competition"),
    )
    .await;
    let ids: Vec<&str> = vendors.iter().map(|v| v.1.as_str()).collect();
    let v = create_procedure(
        &app,
        &ukpbj,
        &pkg,
        "quality_cost",
        deadline(&app, 4),
        &ids[..1],
        None,
    )
    .await;
    assert_eq!(
        error_code(&v).as_deref(),
        Some("VALIDATION"),
        "at least two invited: {v}"
    );
    let end = deadline(&app, 4);
    let v = create_procedure(&app, &ukpbj, &pkg, "quality_cost", end, &ids, None).await;
    let pid = data(&v, "createProcedure")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        error_code(&submit(&app, &outsider, &pid, "100000000", "", None).await).as_deref(),
        Some("FORBIDDEN"),
        "not invited"
    );
    for (i, (tok, _)) in vendors.iter().enumerate() {
        assert_ok(
            &submit(
                &app,
                tok,
                &pid,
                &format!("{}", 120_000_000 + i * 10_000_000),
                "Teknis",
                None,
            )
            .await,
        );
    }
    time_passes(&app, end + Duration::seconds(1)).await;
    let p = procedure(&app, Some(&ukpbj), &pid).await;
    let bid = |i: usize| p["bids"][i]["id"].as_str().unwrap().to_owned();
    // Quality and cost (70 % technical): the dearest bid with the best technical score wins.
    let v = evaluate(
        &app,
        &ukpbj,
        &pid,
        json!([
            { "bidId": bid(0), "administrative": true, "technical": true, "technicalScore": 60 },
            { "bidId": bid(1), "administrative": true, "technical": true, "technicalScore": 70 },
            { "bidId": bid(2), "administrative": true, "technical": true, "technicalScore": 95 },
        ]),
    )
    .await;
    assert_eq!(
        data(&v, "evaluateBids")["winner"]["vendor"]["name"],
        "CV cv.tiga"
    );
    assert_ok(&step(&app, &ukpbj, "announceAward", &pid).await);
    let o = app.gql("mutation($p: ID!) { fileObjection(procedureId: $p, text: \"Nilai teknis kami keliru dihitung.\") { id } }", json!({ "p": pid }), Some(&vendors[0].0)).await;
    let oid = data(&o, "fileObjection")["id"].as_str().unwrap().to_owned();
    let again = app
        .gql(
            "mutation($p: ID!) { fileObjection(procedureId: $p, text: \"Lagi.\") { id } }",
            json!({ "p": pid }),
            Some(&vendors[0].0),
        )
        .await;
    assert_eq!(
        error_code(&again).as_deref(),
        Some("CONFLICT"),
        "one objection per vendor"
    );
    let v = app.gql("mutation($o: ID!) { answerObjection(objectionId: $o, uphold: true, answer: \"Benar, evaluasi diulang.\") { status } }", json!({ "o": oid }), Some(&ukpbj)).await;
    assert_eq!(data(&v, "answerObjection")["status"], "upheld");
    let p = procedure(&app, Some(&ukpbj), &pid).await;
    assert_eq!(p["status"], "opened");
    assert!(p["winner"].is_null());
    assert!(p["bids"][0]["rank"].is_null());
    // Goods: no appeal; after the new evaluation and announcement the SPPBJ follows the period.
    let v = evaluate(
        &app,
        &ukpbj,
        &pid,
        json!([
            { "bidId": bid(0), "administrative": true, "technical": true, "technicalScore": 99 },
            { "bidId": bid(1), "administrative": true, "technical": true, "technicalScore": 70 },
            { "bidId": bid(2), "administrative": true, "technical": true, "technicalScore": 95 },
        ]),
    )
    .await;
    assert_eq!(
        data(&v, "evaluateBids")["winner"]["vendor"]["name"],
        "CV cv.satu"
    );
    let v = step(&app, &ukpbj, "announceAward", &pid).await;
    let ends: DateTime<Utc> = data(&v, "announceAward")["objectionEnds"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    time_passes(&app, ends + Duration::seconds(1)).await;
    let ppk = app.login("ppk.dinaspu").await;
    assert_ok(&step(&app, &ppk, "issueSppbj", &pid).await);
    let k = sign(&app, &ppk, &pid).await;
    assert_eq!(data(&k, "signContract")["value"], "120000000");
}

#[tokio::test]
async fn an_unsuccessful_tender_is_tendered_again_and_client_sealed_bids_open() {
    let app = spawn_app().await;
    let (a, _) = verified_vendor(&app, "cv.alpha", "01.234.567.8-901.000").await;
    let ukpbj = app.login("ukpbj").await;
    let pkg = announced_package(&app, "goods", "500000000", "", None).await;
    let end = deadline(&app, 8);
    let v = create_procedure(&app, &ukpbj, &pkg, "lowest_price", end, &[], None).await;
    let p = data(&v, "createProcedure").clone();
    let pid = p["id"].as_str().unwrap().to_owned();
    // A bid sealed on the vendor's side, with the published key; garbage is refused.
    let envelope = mufakat_module_tender::seal::Envelope {
        procedure: p["number"].as_str().unwrap().to_owned(),
        price: "480000000".parse().unwrap(),
        technical: "Disegel oleh penyedia".into(),
        documents: vec![],
    };
    let sealed =
        mufakat_module_tender::seal::seal(p["publicKey"].as_str().unwrap(), &envelope).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&sealed);
    let bad = app.gql("mutation($p: ID!, $s: String!) { submitSealedBid(procedureId: $p, sealed: $s) { sha256 } }", json!({ "p": pid, "s": "bm90IGFnZQ==" }), Some(&a)).await;
    assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
    let r = app.gql("mutation($p: ID!, $s: String!) { submitSealedBid(procedureId: $p, sealed: $s) { bidId sha256 } }", json!({ "p": pid, "s": b64 }), Some(&a)).await;
    assert_eq!(
        data(&r, "submitSealedBid")["sha256"].as_str().unwrap(),
        mufakat_module_tender::seal::receipt_hash(&sealed)
    );
    // Withdrawn and sent again (only the company's own bid can be withdrawn).
    let bid = data(&r, "submitSealedBid")["bidId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (other, _) = verified_vendor(&app, "cv.beta", "02.234.567.8-901.000").await;
    let w = app
        .gql(
            "mutation($b: ID!) { withdrawBid(bidId: $b) { bidId } }",
            json!({ "b": bid }),
            Some(&other),
        )
        .await;
    assert_eq!(error_code(&w).as_deref(), Some("FORBIDDEN"));
    assert_ok(
        &app.gql(
            "mutation($b: ID!) { withdrawBid(bidId: $b) { bidId } }",
            json!({ "b": bid }),
            Some(&a),
        )
        .await,
    );
    assert_ok(&app.gql("mutation($p: ID!, $s: String!) { submitSealedBid(procedureId: $p, sealed: $s) { sha256 } }", json!({ "p": pid, "s": b64 }), Some(&a)).await);
    // A bid too large for a GraphQL string (a 200 KB document) goes over HTTP as the file.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(200_000, b'x');
    let large = mufakat_module_tender::seal::Envelope {
        procedure: envelope.procedure.clone(),
        price: "470000000".parse().unwrap(),
        technical: String::new(),
        documents: vec![mufakat_module_tender::seal::EnvelopeDocument {
            name: "gambar.pdf".into(),
            content_type: "application/pdf".into(),
            data: base64::engine::general_purpose::STANDARD.encode(&big),
        }],
    };
    let bytes =
        mufakat_module_tender::seal::seal(p["publicKey"].as_str().unwrap(), &large).unwrap();
    let r = app
        .client
        .post(app.url(&format!("/procurement/procedures/{pid}/bids")))
        .bearer_auth(&other)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let receipt: Value = r.json().await.unwrap();
    assert_eq!(
        receipt["sha256"].as_str().unwrap(),
        mufakat_module_tender::seal::receipt_hash(&bytes)
    );
    time_passes(&app, end + Duration::seconds(1)).await;
    let p = procedure(&app, None, &pid).await;
    assert_eq!(p["bids"][0]["price"], "480000000");
    assert_eq!(p["bids"][1]["price"], "470000000");
    // Two bids of the minimum three: evaluation is refused, the tender fails, and is repeated.
    let e = evaluate(
        &app,
        &ukpbj,
        &pid,
        json!([{ "bidId": p["bids"][0]["id"], "administrative": true, "technical": true }, { "bidId": p["bids"][1]["id"], "administrative": true, "technical": true }]),
    )
    .await;
    assert_eq!(error_code(&e).as_deref(), Some("CONFLICT"), "{e}");
    let f = app.gql("mutation($p: ID!) { failProcedure(procedureId: $p, reason: \"Penawaran kurang dari tiga.\") { status } }", json!({ "p": pid }), Some(&ukpbj)).await;
    assert_eq!(data(&f, "failProcedure")["status"], "unsuccessful");
    let pk = app
        .gql(
            "query($i: ID!) { package(id: $i) { status } }",
            json!({ "i": pkg }),
            Some(&ukpbj),
        )
        .await;
    assert_eq!(pk["data"]["package"]["status"], "announced");
    let v = create_procedure(
        &app,
        &ukpbj,
        &pkg,
        "lowest_price",
        deadline(&app, 8),
        &[],
        Some(&pid),
    )
    .await;
    assert_eq!(data(&v, "createProcedure")["status"], "announced");
    let list = app
        .gql(
            "query($p: ID!) { procedures(packageId: $p) { status retenderOf } }",
            json!({ "p": pkg }),
            None,
        )
        .await;
    assert_eq!(data(&list, "procedures")[0]["retenderOf"], json!(pid));
}
