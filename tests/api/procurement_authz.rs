//! Every procurement mutation for every role: allowed or FORBIDDEN, including staff granted in
//! another region (a kecamatan, for kota packages and vendors) and the members of another
//! vendor company. A refused attempt changes nothing; then the first allowed account succeeds.
//! (`registerVendor` is open to anyone and limited per address, like resident registration.)

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::procurement::*;

const STAFF: [&str; 10] = [
    "admin",
    "bappeda",
    "opd.dinaspu",
    "ppk.dinaspu",
    "ukpbj",
    "bendahara",
    "inspektorat",
    "camat.sukamaju",
    "lurah.mekarsari",
    "warga.siti",
];

pub struct Who(pub Vec<(String, String)>);

impl Who {
    pub fn token(&self, name: &str) -> &str {
        &self
            .0
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name}"))
            .1
    }
}

/// Runs `op` as every account outside `allowed` (each must be FORBIDDEN), then as `allowed[0]`
/// (must succeed); returns that answer.
pub async fn matrix<'a, F, Fut>(who: &'a Who, name: &str, allowed: &[&str], op: F) -> Value
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let mut wrong = vec![];
    for (n, tok) in who.0.iter().filter(|(n, _)| !allowed.contains(&n.as_str())) {
        let v = op(tok).await;
        if error_code(&v).as_deref() != Some("FORBIDDEN") {
            wrong.push(format!("{name} as {n}: expected FORBIDDEN, got {v}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let v = op(who.token(allowed[0])).await;
    assert!(
        error_code(&v).is_none(),
        "{name} as {}: expected success, got {v}",
        allowed[0]
    );
    v
}

pub async fn staff_in(app: &TestApp, username: &str, role: &str, region: &str) -> String {
    let admin = app.login("admin").await;
    // An OPD's staff work for one of the kota's OPDs: the Dinas PU's, as `opd.dinaspu` does.
    let opd = if role == "OPD_STAFF" {
        let v = app
            .gql(
                "query($r: ID!) { opds(regionId: $r) { id code } }",
                json!({ "r": region }),
                None,
            )
            .await;
        v["data"]["opds"]
            .as_array()
            .and_then(|a| a.iter().find(|o| o["code"] == "DPUPR"))
            .map(|o| o["id"].clone())
    } else {
        None
    };
    assert_ok(
        &app.gql(
            "mutation($i: CreateStaffInput!) { createStaffUser(input: $i) { id } }",
            json!({ "i": { "username": username, "name": username, "password": DEMO_PASSWORD, "roles": [{ "role": role, "regionId": region, "opdId": opd }] } }),
            Some(&admin),
        )
        .await,
    );
    app.login(username).await
}

#[tokio::test]
async fn every_procurement_mutation_for_every_role() {
    let app = spawn_app().await;
    let mut who = vec![];
    for n in STAFF {
        who.push((n.to_owned(), app.login(n).await));
    }
    let sukasari = app.region_id("35.99.02").await;
    who.push((
        "ppk.luar".into(),
        staff_in(&app, "ppk.luar", "PPK", &sukasari).await,
    ));
    who.push((
        "ukpbj.luar".into(),
        staff_in(&app, "ukpbj.luar", "UKPBJ_STAFF", &sukasari).await,
    ));
    who.push((
        "opd.luar".into(),
        staff_in(&app, "opd.luar", "OPD_STAFF", &sukasari).await,
    ));
    let (a, vendor) = register_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    let (b, _) = verified_vendor(&app, "cv.lain", "02.345.678.9-012.000").await;
    who.push(("vendor.a".into(), a));
    who.push(("vendor.b".into(), b));
    let who = Who(who);
    let kota = app.region_id("35.99").await;

    // The vendor's own profile and members.
    let profile = company("CV Maju Jaya", "01.234.567.8-901.000", &kota);
    matrix(&who, "updateVendorProfile", &["vendor.a"], |t| {
        app.gql("mutation($v: ID!, $i: VendorProfileInput!) { updateVendorProfile(vendorId: $v, input: $i) { id } }", json!({ "v": vendor, "i": profile }), Some(t))
    })
    .await;
    let n = std::sync::atomic::AtomicUsize::new(0);
    matrix(&who, "addVendorMember", &["vendor.a"], |t| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        app.gql("mutation($v: ID!, $u: String!) { addVendorMember(vendorId: $v, username: $u, name: \"Staf Penyedia\", password: \"rahasia-penyedia-2\") }", json!({ "v": vendor, "u": format!("staf.maju{i}") }), Some(t))
    })
    .await;
    assert_eq!(
        upload(
            &app,
            who.token("vendor.a"),
            &vendor,
            "npwp",
            "application/pdf",
            PDF.to_vec()
        )
        .await
        .0,
        201
    );
    for n in ["vendor.b", "ukpbj", "warga.siti"] {
        assert_eq!(
            upload(
                &app,
                who.token(n),
                &vendor,
                "npwp",
                "application/pdf",
                PDF.to_vec()
            )
            .await
            .0,
            403,
            "{n}"
        );
    }
    matrix(&who, "vendorAction(SUBMIT)", &["vendor.a"], |t| {
        vendor_action(&app, t, &vendor, "SUBMIT", None)
    })
    .await;
    matrix(&who, "vendorAction(APPROVE)", &["ukpbj"], |t| {
        vendor_action(&app, t, &vendor, "APPROVE", None)
    })
    .await;

    // The catalogue.
    let until = (app.now() + Duration::days(90)).date_naive().to_string();
    let new_item = json!({ "vendorId": vendor, "name": "Semen Portland 50 kg", "specification": "SNI 2049", "unit": "sak", "category": "47521", "regionIds": [kota], "deliveryDays": 7, "minOrder": "1", "price": "65000", "validUntil": until });
    let v = matrix(&who, "createCatalogueItem", &["vendor.a"], |t| {
        app.gql(
            "mutation($i: NewCatalogueItemInput!) { createCatalogueItem(input: $i) { id } }",
            json!({ "i": new_item }),
            Some(t),
        )
    })
    .await;
    let item = v["data"]["createCatalogueItem"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    matrix(&who, "catalogueItemAction(APPROVE)", &["ukpbj"], |t| {
        item_action(&app, t, &item, "APPROVE", None, None)
    })
    .await;
    matrix(
        &who,
        "catalogueItemAction(PROPOSE_PRICE)",
        &["vendor.a"],
        |t| item_action(&app, t, &item, "PROPOSE_PRICE", Some("66000"), None),
    )
    .await;
    matrix(
        &who,
        "catalogueItemAction(APPROVE_PRICE)",
        &["ukpbj"],
        |t| item_action(&app, t, &item, "APPROVE_PRICE", None, None),
    )
    .await;

    // The plan and a package.
    let line_input = json!({ "regionId": kota, "year": 2027, "title": "Rehab jembatan", "budget": "500000000", "opd": "DPUPR" });
    let v = matrix(&who, "createPlanLine", &["opd.dinaspu", "bappeda"], |t| {
        app.gql(
            "mutation($i: NewPlanLineInput!) { createPlanLine(input: $i) { id } }",
            json!({ "i": line_input }),
            Some(t),
        )
    })
    .await;
    let line = v["data"]["createPlanLine"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = matrix(
        &who,
        "createPackage",
        &["opd.dinaspu", "ppk.dinaspu"],
        |t| package(&app, t, &line, "1000000", "1000000", "47521", None, None),
    )
    .await;
    let pkg = v["data"]["createPackage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    matrix(
        &who,
        "packageAction(ANNOUNCE)",
        &["opd.dinaspu", "ppk.dinaspu"],
        |t| package_action(&app, t, &pkg, "ANNOUNCE", None),
    )
    .await;

    // An e-purchasing order through every step.
    let items = json!([{ "itemId": item, "quantity": "10" }]);
    let v = matrix(&who, "createEpurchasingOrder", &["opd.dinaspu", "ppk.dinaspu"], |t| {
        app.gql("mutation($p: ID!, $i: [OrderItemInput!]!) { createEpurchasingOrder(packageId: $p, deliveryAddress: \"Puskesmas\", items: $i) { id lines { id } } }", json!({ "p": pkg, "i": items }), Some(t))
    })
    .await;
    let order = v["data"]["createEpurchasingOrder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line_id = v["data"]["createEpurchasingOrder"]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    matrix(
        &who,
        "orderAction(SUBMIT)",
        &["opd.dinaspu", "ppk.dinaspu"],
        |t| order_action(&app, t, &order, "SUBMIT", json!({}), None),
    )
    .await;
    matrix(&who, "orderAction(APPROVE)", &["ppk.dinaspu"], |t| {
        order_action(&app, t, &order, "APPROVE", json!({}), None)
    })
    .await;
    matrix(&who, "orderAction(ACCEPT)", &["vendor.a"], |t| {
        order_action(&app, t, &order, "ACCEPT", json!({}), None)
    })
    .await;
    let recv = json!({ "received": [{ "lineId": line_id, "quantity": "10" }] });
    matrix(
        &who,
        "orderAction(RECEIVE)",
        &["opd.dinaspu", "ppk.dinaspu"],
        |t| order_action(&app, t, &order, "RECEIVE", recv.clone(), None),
    )
    .await;
    matrix(&who, "orderAction(PAY)", &["bendahara"], |t| {
        order_action(&app, t, &order, "PAY", json!({ "amount": "660000" }), None)
    })
    .await;

    // A direct procurement.
    let v = package(
        &app,
        who.token("opd.dinaspu"),
        &line,
        "5000000",
        "5000000",
        "",
        None,
        None,
    )
    .await;
    let direct_pkg = v["data"]["createPackage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(
        &package_action(
            &app,
            who.token("opd.dinaspu"),
            &direct_pkg,
            "ANNOUNCE",
            None,
        )
        .await,
    );
    let v = matrix(&who, "createDirectProcurement", &["ukpbj", "ppk.dinaspu"], |t| {
        app.gql("mutation($p: ID!, $v: ID!) { createDirectProcurement(packageId: $p, vendorId: $v, deliveryAddress: \"Puskesmas\", items: [{description: \"Cat ulang\", unit: \"paket\", quantity: \"1\"}]) { id } }", json!({ "p": direct_pkg, "v": vendor }), Some(t))
    })
    .await;
    let direct = v["data"]["createDirectProcurement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    matrix(&who, "orderAction(QUOTE)", &["vendor.a"], |t| {
        order_action(
            &app,
            t,
            &direct,
            "QUOTE",
            json!({ "total": "4800000" }),
            None,
        )
    })
    .await;
    matrix(
        &who,
        "orderAction(NEGOTIATE)",
        &["ukpbj", "ppk.dinaspu"],
        |t| {
            order_action(
                &app,
                t,
                &direct,
                "NEGOTIATE",
                json!({}),
                Some("Rincian harga"),
            )
        },
    )
    .await;
    matrix(&who, "orderAction(DECLINE)", &["vendor.a"], |t| {
        order_action(
            &app,
            t,
            &direct,
            "DECLINE",
            json!({}),
            Some("Tidak sanggup"),
        )
    })
    .await;

    // Verification steps of UKPBJ on a verified vendor; delisting by the vendor or UKPBJ.
    matrix(
        &who,
        "catalogueItemAction(DELIST)",
        &["vendor.a", "ukpbj"],
        |t| item_action(&app, t, &item, "DELIST", None, Some("Produk dihentikan")),
    )
    .await;
    matrix(&who, "vendorAction(SUSPEND)", &["ukpbj"], |t| {
        vendor_action(
            &app,
            t,
            &vendor,
            "SUSPEND",
            Some("Dokumen izin kedaluwarsa"),
        )
    })
    .await;
    matrix(&who, "vendorAction(REINSTATE)", &["ukpbj"], |t| {
        vendor_action(&app, t, &vendor, "REINSTATE", Some("Izin diperbarui"))
    })
    .await;
}
