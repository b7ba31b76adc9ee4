//! Procurement I over the real server: vendors with uploaded documents and verification, the
//! catalogue with approved prices and search, packages within their line's budget, and buying
//! by e-purchasing and by direct procurement down to the payment — on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;

pub const VENDOR: &str = "id name status statusReason npwp bankAccount { bank number holder }";

pub fn company(name: &str, npwp: &str, region: &str) -> Value {
    json!({
        "name": name, "form": "cv", "nib": "1234567890123", "npwp": npwp,
        "address": "Jl. Merdeka 1", "regionId": region, "kbli": ["47521", "41011"],
        "contactName": "Ibu Rina", "contactPhone": "0812345678", "contactEmail": "rina@example.id",
        "bankName": "Bank Jatim", "bankAccount": "0011223344", "bankHolder": name,
    })
}

/// Registers a vendor company; returns its administrator's token and the vendor id.
pub async fn register_vendor(app: &TestApp, username: &str, npwp: &str) -> (String, String) {
    let kota = app.region_id("35.99").await;
    let v = app
        .gql(
            "mutation($i: RegisterVendorInput!) { registerVendor(input: $i) { token } }",
            json!({ "i": { "username": username, "name": "Admin Penyedia", "password": "rahasia-penyedia-1", "company": company(&format!("CV {username}"), npwp, &kota) } }),
            None,
        )
        .await;
    assert_ok(&v);
    let token = v["data"]["registerVendor"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app
        .gql("{ myVendor { id } }", json!({}), Some(&token))
        .await;
    (
        token,
        me["data"]["myVendor"]["id"].as_str().unwrap().to_owned(),
    )
}

pub async fn vendor_action(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    comment: Option<&str>,
) -> Value {
    app.gql(
        &format!("mutation($v: ID!, $a: VendorAction!, $c: String) {{ vendorAction(vendorId: $v, action: $a, comment: $c) {{ {VENDOR} }} }}"),
        json!({ "v": id, "a": action, "c": comment }),
        Some(token),
    )
    .await
}

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// Uploads a document through the REST route; returns (HTTP status, JSON body).
pub async fn upload(
    app: &TestApp,
    token: &str,
    vendor: &str,
    kind: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!(
            "/procurement/vendors/{vendor}/documents?kind={kind}&name={kind}.pdf"
        )))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A verified vendor: registered, a document uploaded, submitted and approved by UKPBJ.
pub async fn verified_vendor(app: &TestApp, username: &str, npwp: &str) -> (String, String) {
    let (token, id) = register_vendor(app, username, npwp).await;
    assert_eq!(
        upload(app, &token, &id, "npwp", "application/pdf", PDF.to_vec())
            .await
            .0,
        201
    );
    assert_ok(&vendor_action(app, &token, &id, "SUBMIT", None).await);
    let ukpbj = app.login("ukpbj").await;
    assert_ok(&vendor_action(app, &ukpbj, &id, "APPROVE", None).await);
    (token, id)
}

pub const ITEM: &str = "id name status price validUntil priceHistory { price status reason }";

pub async fn listed_item(
    app: &TestApp,
    vendor_token: &str,
    vendor: &str,
    name: &str,
    category: &str,
    price: &str,
) -> String {
    let kota = app.region_id("35.99").await;
    let until = (app.now() + Duration::days(180)).date_naive().to_string();
    let v = app
        .gql(
            &format!("mutation($i: NewCatalogueItemInput!) {{ createCatalogueItem(input: $i) {{ {ITEM} }} }}"),
            json!({ "i": { "vendorId": vendor, "name": name, "specification": format!("{name}, standar SNI"), "unit": "sak", "category": category, "regionIds": [kota], "deliveryDays": 7, "minOrder": "1", "price": price, "validUntil": until } }),
            Some(vendor_token),
        )
        .await;
    assert_ok(&v);
    let id = v["data"]["createCatalogueItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ukpbj = app.login("ukpbj").await;
    assert_ok(&item_action(app, &ukpbj, &id, "APPROVE", None, None).await);
    id
}

pub async fn item_action(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    price: Option<&str>,
    comment: Option<&str>,
) -> Value {
    let until = (app.now() + Duration::days(365)).date_naive().to_string();
    app.gql(
        &format!("mutation($i: ID!, $a: CatalogueAction!, $p: Decimal, $u: NaiveDate, $c: String) {{ catalogueItemAction(itemId: $i, action: $a, price: $p, validUntil: $u, comment: $c) {{ {ITEM} }} }}"),
        json!({ "i": id, "a": action, "p": price, "u": price.map(|_| until), "c": comment }),
        Some(token),
    )
    .await
}

/// An OPD activity line of the plan in the kota with `budget`.
pub async fn opd_line(app: &TestApp, budget: &str) -> String {
    let opd = app.login("opd.dinaspu").await;
    let kota = app.region_id("35.99").await;
    let v = app
        .gql(
            "mutation($i: NewPlanLineInput!) { createPlanLine(input: $i) { id budget remaining } }",
            json!({ "i": { "regionId": kota, "year": 2027, "title": "Pemeliharaan jalan lingkungan", "budget": budget, "opd": "DPUPR" } }),
            Some(&opd),
        )
        .await;
    assert_ok(&v);
    v["data"]["createPlanLine"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub const PACKAGE: &str =
    "id name status method proposedMethod methodReason pagu hps line { id remaining }";

pub async fn package(
    app: &TestApp,
    token: &str,
    line: &str,
    pagu: &str,
    hps: &str,
    category: &str,
    method: Option<&str>,
    reason: Option<&str>,
) -> Value {
    let id = |u: &'static str| async move {
        mufakat_server::services::accounts::acting_as(&app.state, u)
            .await
            .unwrap()
            .id
            .to_string()
    };
    let (ppk, official) = (id("ppk.dinaspu").await, id("ukpbj").await);
    app.gql(
        &format!("mutation($i: NewPackageInput!) {{ createPackage(input: $i) {{ {PACKAGE} }} }}"),
        json!({ "i": { "lineId": line, "name": "Pengadaan semen", "kind": "goods", "category": category, "pagu": pagu, "hps": hps, "location": "Kelurahan Mekarsari", "startsOn": "2027-02-01", "endsOn": "2027-06-30", "ppkId": ppk, "officialId": official, "method": method, "methodReason": reason } }),
        Some(token),
    )
    .await
}

pub async fn package_action(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    comment: Option<&str>,
) -> Value {
    app.gql(
        &format!("mutation($p: ID!, $a: PackageAction!, $c: String) {{ packageAction(packageId: $p, action: $a, comment: $c) {{ {PACKAGE} }} }}"),
        json!({ "p": id, "a": action, "c": comment }),
        Some(token),
    )
    .await
}

pub const ORDER: &str = "id number method status total paid lines { id quantity unitPrice total received } offers { byVendor total } receipts { number } payments { amount reference } package { id status }";

pub async fn order_action(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    input: Value,
    comment: Option<&str>,
) -> Value {
    app.gql(
        &format!("mutation($o: ID!, $a: OrderAction!, $i: OrderStepInput, $c: String) {{ orderAction(orderId: $o, action: $a, input: $i, comment: $c) {{ {ORDER} }} }}"),
        json!({ "o": id, "a": action, "i": input, "c": comment }),
        Some(token),
    )
    .await
}

fn data<'a>(v: &'a Value, field: &str) -> &'a Value {
    assert_ok(v);
    &v["data"][field]
}

#[tokio::test]
async fn a_vendor_registers_uploads_documents_and_is_verified() {
    let app = spawn_app().await;
    let kota = app.region_id("35.99").await;
    // A bad NPWP, NIB and KBLI are named, all at once; nothing is created.
    let bad = app
        .gql(
            "mutation($i: RegisterVendorInput!) { registerVendor(input: $i) { token } }",
            json!({ "i": { "username": "cv.salah", "name": "Admin", "password": "rahasia-penyedia-1", "company": { "name": "CV Salah", "form": "cv", "nib": "12", "npwp": "12.345", "address": "Jl. A", "regionId": kota, "kbli": ["4752"], "contactName": "A", "contactPhone": "0812", "contactEmail": "a@b.id", "bankName": "Bank", "bankAccount": "123456", "bankHolder": "CV Salah" } } }),
            None,
        )
        .await;
    assert_eq!(error_code(&bad).as_deref(), Some("VALIDATION"));
    let fields: Vec<&str> = bad["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["nib", "npwp", "kbli[0]"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert!(app
        .try_login("cv.salah", "rahasia-penyedia-1")
        .await
        .is_err());

    // A well-formed KBLI code outside the region's list is refused too.
    let mut unknown = company("CV Asing", "09.876.543.2-109.000", &kota);
    unknown["kbli"] = json!(["99999"]);
    let v = app
        .gql(
            "mutation($i: RegisterVendorInput!) { registerVendor(input: $i) { token } }",
            json!({ "i": { "username": "cv.asing", "name": "Admin", "password": "rahasia-penyedia-1", "company": unknown } }),
            None,
        )
        .await;
    assert_eq!(
        v["errors"][0]["extensions"]["fields"][0]["field"], "kbli[0]",
        "{v}"
    );
    let codes = app
        .gql("{ kbliCodes { code title } }", json!({}), None)
        .await;
    assert!(codes["data"]["kbliCodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "47521"));

    let (maju, id) = register_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    // The same NPWP twice is a conflict.
    let again = app
        .gql(
            "mutation($i: RegisterVendorInput!) { registerVendor(input: $i) { token } }",
            json!({ "i": { "username": "cv.kembar", "name": "Admin", "password": "rahasia-penyedia-1", "company": company("CV Kembar", "012345678901000", &kota) } }),
            None,
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));

    // Uploads: a real PDF is stored; too large, the wrong type or a type that lies are refused.
    let (status, doc) = upload(&app, &maju, &id, "npwp", "application/pdf", PDF.to_vec()).await;
    assert_eq!(status, 201, "{doc}");
    let sha = doc["sha256"].as_str().unwrap().to_owned();
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (s, e) = upload(&app, &maju, &id, "deed", "application/pdf", big).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("VALIDATION")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("10"), "{e}");
    let (s, e) = upload(&app, &maju, &id, "deed", "text/html", b"<html>".to_vec()).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("VALIDATION")), "{e}");
    let (s, _) = upload(
        &app,
        &maju,
        &id,
        "deed",
        "application/pdf",
        b"\x89PNG\r\n\x1a\n....".to_vec(),
    )
    .await;
    assert_eq!(s, 422);
    // Another company cannot upload to it, nor read its documents.
    let (other, other_id) = register_vendor(&app, "cv.lain", "02.345.678.9-012.000").await;
    assert_eq!(
        upload(&app, &other, &id, "npwp", "application/pdf", PDF.to_vec())
            .await
            .0,
        403
    );
    let url = app.url(doc["url"].as_str().unwrap());
    let get = |tok: String| {
        let c = app.client.clone();
        let url = url.clone();
        async move { c.get(url).bearer_auth(tok).send().await.unwrap() }
    };
    for who in [
        other.clone(),
        app.login("warga.siti").await,
        app.login("opd.dinaspu").await,
    ] {
        assert_eq!(get(who).await.status().as_u16(), 404);
    }
    assert_eq!(
        app.client
            .get(url.clone())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    for who in [
        maju.clone(),
        app.login("ukpbj").await,
        app.login("inspektorat").await,
    ] {
        let r = get(who).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    }
    // The upload is an audited transition recording size, type and SHA-256.
    let rows = mufakat_store::repo::audit::page(&app.state.db, 0, 100_000)
        .await
        .unwrap();
    let ev = rows
        .iter()
        .find(|e| e.transition == "attach_document")
        .expect("audited upload");
    let input = ev.input.to_string();
    assert!(
        input.contains(&sha)
            && input.contains("application/pdf")
            && input.contains(&PDF.len().to_string()),
        "{input}"
    );

    // Verification: only UKPBJ staff; a correction round; then approval.
    assert_ok(&vendor_action(&app, &maju, &id, "SUBMIT", None).await);
    for who in ["opd.dinaspu", "inspektorat", "warga.siti", "ppk.dinaspu"] {
        let t = app.login(who).await;
        assert_eq!(
            error_code(&vendor_action(&app, &t, &id, "APPROVE", None).await).as_deref(),
            Some("FORBIDDEN"),
            "{who}"
        );
    }
    assert_eq!(
        error_code(&vendor_action(&app, &other, &id, "APPROVE", None).await).as_deref(),
        Some("FORBIDDEN")
    );
    let ukpbj = app.login("ukpbj").await;
    assert_eq!(
        error_code(&vendor_action(&app, &ukpbj, &id, "REQUEST_CORRECTION", None).await).as_deref(),
        Some("VALIDATION")
    );
    let v = vendor_action(
        &app,
        &ukpbj,
        &id,
        "REQUEST_CORRECTION",
        Some("Akta pendirian belum diunggah"),
    )
    .await;
    assert_eq!(data(&v, "vendorAction")["status"], "needs_correction");
    assert_eq!(
        data(&v, "vendorAction")["statusReason"],
        "Akta pendirian belum diunggah"
    );
    let (s, _) = upload(&app, &maju, &id, "deed", "application/pdf", PDF.to_vec()).await;
    assert_eq!(s, 201);
    assert_ok(&vendor_action(&app, &maju, &id, "SUBMIT", None).await);
    let v = vendor_action(&app, &ukpbj, &id, "APPROVE", None).await;
    assert_eq!(data(&v, "vendorAction")["status"], "verified");
    // The bank account: the company and finance staff only.
    let q = format!(
        "query($v: ID!) {{ vendor(id: $v) {{ {VENDOR} caseId documents {{ kind sha256 }} }} }}"
    );
    let mine = app.gql(&q, json!({ "v": id }), Some(&maju)).await;
    assert_eq!(
        mine["data"]["vendor"]["bankAccount"]["number"],
        "0011223344"
    );
    assert_eq!(
        mine["data"]["vendor"]["documents"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let fin = app
        .gql(
            &format!("query($v: ID!) {{ vendor(id: $v) {{ {VENDOR} }} }}"),
            json!({ "v": id }),
            Some(&app.login("bendahara").await),
        )
        .await;
    assert_eq!(fin["data"]["vendor"]["bankAccount"]["number"], "0011223344");
    for who in [Some(ukpbj.clone()), Some(other.clone()), None] {
        let v = app
            .gql(
                &format!("query($v: ID!) {{ vendor(id: $v) {{ {VENDOR} }} }}"),
                json!({ "v": id }),
                who.as_deref(),
            )
            .await;
        assert!(v["data"]["vendor"]["bankAccount"].is_null(), "{v}");
    }
    // Its case is private to the module: another vendor cannot read it through the generic
    // case API (auditors can); the NPWP is shown in full to the company and reviewing staff.
    let case = mine["data"]["vendor"]["caseId"].as_str().map(str::to_owned);
    let case = case.expect("a case");
    let q = "query($i: ID!) { instance(id: $i) { state } }";
    assert!(error_code(&app.gql(q, json!({ "i": case }), Some(&other)).await).is_some());
    assert_ok(
        &app.gql(
            q,
            json!({ "i": case }),
            Some(&app.login("inspektorat").await),
        )
        .await,
    );
    assert_eq!(mine["data"]["vendor"]["npwp"], "0012345678901000");
    let public = app
        .gql(
            "query($v: ID!) { vendor(id: $v) { npwp } }",
            json!({ "v": id }),
            None,
        )
        .await;
    assert_eq!(public["data"]["vendor"]["npwp"], "************1000");
    // The public sees verified vendors only; an unverified one does not exist for it.
    let pub_list = app.gql("{ vendors { name } }", json!({}), None).await;
    assert_eq!(
        pub_list["data"]["vendors"],
        json!([{ "name": "CV cv.maju" }])
    );
    let hidden = app
        .gql(
            "query($v: ID!) { vendor(id: $v) { name } }",
            json!({ "v": other_id }),
            None,
        )
        .await;
    assert_eq!(error_code(&hidden).as_deref(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn a_blacklisted_vendor_is_refused_until_its_period_ends_by_a_timer() {
    let app = spawn_app().await;
    let (maju, id) = verified_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    let item = listed_item(&app, &maju, &id, "Semen Portland 50 kg", "47521", "65000").await;
    let ukpbj = app.login("ukpbj").await;
    let until = (app.now() + Duration::days(30)).to_rfc3339();
    let bl = "mutation($v: ID!, $u: DateTime) { vendorAction(vendorId: $v, action: BLACKLIST, comment: \"Wanprestasi kontrak 2026\", blacklistUntil: $u) { status blacklistedUntil } }";
    let past = (app.now() - Duration::days(1)).to_rfc3339();
    assert_eq!(
        error_code(
            &app.gql(bl, json!({ "v": id, "u": past }), Some(&ukpbj))
                .await
        )
        .as_deref(),
        Some("VALIDATION")
    );
    let v = app
        .gql(bl, json!({ "v": id, "u": until }), Some(&ukpbj))
        .await;
    assert_eq!(data(&v, "vendorAction")["status"], "blacklisted");
    // Refused: listing items, new prices, taking part in a procurement.
    let kota = app.region_id("35.99").await;
    let new_item = app
        .gql(
            "mutation($i: NewCatalogueItemInput!) { createCatalogueItem(input: $i) { id } }",
            json!({ "i": { "vendorId": id, "name": "Pasir", "specification": "Pasir cor", "unit": "m3", "category": "47521", "regionIds": [kota], "deliveryDays": 3, "minOrder": "1", "price": "250000", "validUntil": (app.now() + Duration::days(30)).date_naive().to_string() } }),
            Some(&maju),
        )
        .await;
    assert_eq!(error_code(&new_item).as_deref(), Some("CONFLICT"));
    assert_eq!(
        error_code(&item_action(&app, &maju, &item, "PROPOSE_PRICE", Some("60000"), None).await)
            .as_deref(),
        Some("CONFLICT")
    );
    let line = opd_line(&app, "50000000").await;
    let opd = app.login("opd.dinaspu").await;
    let p = package(
        &app,
        &opd,
        &line,
        "10000000",
        "10000000",
        "",
        Some("direct"),
        None,
    )
    .await;
    let pid = data(&p, "createPackage")["id"].as_str().unwrap().to_owned();
    assert_ok(&package_action(&app, &opd, &pid, "ANNOUNCE", None).await);
    let invite = "mutation($p: ID!, $v: ID!) { createDirectProcurement(packageId: $p, vendorId: $v, deliveryAddress: \"Kantor DPUPR\", items: [{description: \"Semen\", unit: \"sak\", quantity: \"100\"}]) { id } }";
    assert_eq!(
        error_code(
            &app.gql(invite, json!({ "p": pid, "v": id }), Some(&ukpbj))
                .await
        )
        .as_deref(),
        Some("CONFLICT")
    );
    // The period ends by the timer (31 days later by the server's clock); the row follows.
    let n = app.advance_clock("P31D").await;
    assert!(n >= 1);
    mufakat_module_procurement::service::vendors::sync_after_timers(&app.state)
        .await
        .unwrap();
    let v = app
        .gql(
            "query($v: ID!) { vendor(id: $v) { status blacklistedUntil } }",
            json!({ "v": id }),
            None,
        )
        .await;
    assert_eq!(
        v["data"]["vendor"],
        json!({ "status": "verified", "blacklistedUntil": null })
    );
    assert_ok(
        &app.gql(invite, json!({ "p": pid, "v": id }), Some(&ukpbj))
            .await,
    );
}

#[tokio::test]
async fn catalogue_prices_need_approval_keep_their_history_are_searched_and_expire() {
    let app = spawn_app().await;
    let (maju, id) = verified_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    let (jaya, jid) = verified_vendor(&app, "cv.jaya", "02.345.678.9-012.000").await;
    let semen = listed_item(&app, &maju, &id, "Semen Portland 50 kg", "47521", "65000").await;
    listed_item(&app, &jaya, &jid, "Semen putih 40 kg", "47521", "90000").await;
    listed_item(&app, &jaya, &jid, "Paku beton 5 cm", "47521", "30000").await;
    listed_item(&app, &maju, &id, "Cat tembok 5 kg", "47522", "120000").await;
    // A new item waits for approval and is not in the catalogue meanwhile.
    let kota = app.region_id("35.99").await;
    let pending = app
        .gql(
            "mutation($i: NewCatalogueItemInput!) { createCatalogueItem(input: $i) { id status } }",
            json!({ "i": { "vendorId": id, "name": "Semen instan", "specification": "Semen instan acian", "unit": "sak", "category": "47521", "regionIds": [kota], "deliveryDays": 3, "minOrder": "10", "price": "45000.50", "validUntil": (app.now() + Duration::days(30)).date_naive().to_string() } }),
            Some(&maju),
        )
        .await;
    assert_eq!(data(&pending, "createCatalogueItem")["status"], "proposed");
    let search = "query($f: CatalogueFilter, $s: CatalogueSort, $a: String) { catalogue(filter: $f, sort: $s, first: 2, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { name price } } } }";
    let r = app
        .gql(search, json!({ "f": { "text": "semen" } }), None)
        .await;
    let c = data(&r, "catalogue");
    assert_eq!(c["totalCount"], 2);
    assert_eq!(
        c["edges"][0]["node"],
        json!({ "name": "Semen Portland 50 kg", "price": "65000" })
    );
    // Prefix words, price filter, category, sort and pages.
    let r = app
        .gql(search, json!({ "f": { "text": "sem port" } }), None)
        .await;
    assert_eq!(data(&r, "catalogue")["totalCount"], 1);
    let r = app
        .gql(
            search,
            json!({ "f": { "category": "47521", "maxPrice": "70000" }, "s": "PRICE_DESC" }),
            None,
        )
        .await;
    let names: Vec<&str> = data(&r, "catalogue")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Semen Portland 50 kg", "Paku beton 5 cm"]);
    let r1 = app
        .gql(search, json!({ "f": { "category": "47521" } }), None)
        .await;
    assert_eq!(data(&r1, "catalogue")["pageInfo"]["hasNextPage"], true);
    let after = data(&r1, "catalogue")["pageInfo"]["endCursor"].clone();
    let r2 = app
        .gql(
            search,
            json!({ "f": { "category": "47521" }, "a": after }),
            None,
        )
        .await;
    assert_eq!(
        data(&r2, "catalogue")["edges"][0]["node"]["name"],
        "Semen putih 40 kg"
    );
    assert_eq!(data(&r2, "catalogue")["pageInfo"]["hasNextPage"], false);
    // Photos: the vendor uploads images; anyone reads them while the item is in the catalogue.
    let photo = |tok: String, ct: &'static str, bytes: Vec<u8>| {
        let (c, url) = (
            app.client.clone(),
            app.url(&format!("/procurement/items/{semen}/photos?name=depan.png")),
        );
        async move {
            let r = c
                .post(url)
                .bearer_auth(tok)
                .header("content-type", ct)
                .body(bytes)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let png = b"\x89PNG\r\n\x1a\n0000IHDR".to_vec();
    assert_eq!(photo(jaya.clone(), "image/png", png.clone()).await.0, 403);
    assert_eq!(
        photo(maju.clone(), "application/pdf", PDF.to_vec()).await.0,
        422
    );
    let (s, p) = photo(maju.clone(), "image/png", png.clone()).await;
    assert_eq!(s, 201, "{p}");
    let r = app
        .client
        .get(app.url(p["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());
    let v = app
        .gql(
            "query($i: ID!) { catalogueItem(id: $i) { photos { name contentType url } } }",
            json!({ "i": semen }),
            None,
        )
        .await;
    assert_eq!(
        data(&v, "catalogueItem")["photos"][0]["contentType"],
        "image/png"
    );
    // Category statistics.
    let s = app
        .gql(
            "{ cataloguePriceStats(category: \"47521\") { count median min max } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        data(&s, "cataloguePriceStats"),
        &json!({ "count": 3, "median": "65000", "min": "30000", "max": "90000" })
    );
    // A new price is reviewed; refused and approved prices stay in the history.
    let ukpbj = app.login("ukpbj").await;
    assert_eq!(
        error_code(&item_action(&app, &jaya, &semen, "PROPOSE_PRICE", Some("1"), None).await)
            .as_deref(),
        Some("FORBIDDEN")
    );
    let v = item_action(
        &app,
        &maju,
        &semen,
        "PROPOSE_PRICE",
        Some("70000"),
        Some("Harga bahan naik"),
    )
    .await;
    assert_eq!(data(&v, "catalogueItemAction")["status"], "price_review");
    assert_eq!(data(&v, "catalogueItemAction")["price"], "65000");
    assert_eq!(
        error_code(&item_action(&app, &maju, &semen, "APPROVE_PRICE", None, None).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_ok(
        &item_action(
            &app,
            &ukpbj,
            &semen,
            "REJECT_PRICE",
            None,
            Some("Di atas harga pasar"),
        )
        .await,
    );
    assert_ok(&item_action(&app, &maju, &semen, "PROPOSE_PRICE", Some("67000"), None).await);
    let v = item_action(&app, &ukpbj, &semen, "APPROVE_PRICE", None, None).await;
    let it = data(&v, "catalogueItemAction");
    assert_eq!(
        (it["status"].as_str(), it["price"].as_str()),
        (Some("listed"), Some("67000"))
    );
    let hist: Vec<(String, String)> = it["priceHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["price"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        hist,
        vec![
            ("67000".into(), "approved".into()),
            ("70000".into(), "rejected".into()),
            ("65000".into(), "approved".into())
        ]
    );
    // Prices leave the catalogue when their validity ends (a timer), and the rows follow.
    app.advance_clock("P400D").await;
    mufakat_module_procurement::service::vendors::sync_after_timers(&app.state)
        .await
        .unwrap();
    let r = app.gql(search, json!({}), None).await;
    assert_eq!(data(&r, "catalogue")["totalCount"], 0);
    let gone = app
        .gql(
            "query($i: ID!) { catalogueItem(id: $i) { status } }",
            json!({ "i": semen }),
            None,
        )
        .await;
    assert_eq!(error_code(&gone).as_deref(), Some("NOT_FOUND"));
    let mine = app
        .gql(
            "query($i: ID!) { catalogueItem(id: $i) { status } }",
            json!({ "i": semen }),
            Some(&maju),
        )
        .await;
    assert_eq!(mine["data"]["catalogueItem"]["status"], "expired");
}
