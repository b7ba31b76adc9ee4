//! OPDs as master data of a region: admins keep the list; proposals, plan lines, activities,
//! complaints and recommendations name an OPD by its code; an OPD's staff act only on what is
//! routed to their OPD.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::public_services::{fire, START};

const OPDS: &str = "query($r: ID!) { opds(regionId: $r) { id code name active } }";
const CREATE: &str =
    "mutation($i: CreateOpdInput!) { createOpd(input: $i) { id code name active } }";
const UPDATE: &str =
    "mutation($id: ID!, $n: String, $a: Boolean) { updateOpd(id: $id, name: $n, active: $a) { code name active } }";
const STAFF: &str = "mutation($i: CreateStaffInput!) { createStaffUser(input: $i) { id username roles { role opd { code } } } }";
const LINE: &str = "mutation($i: NewPlanLineInput!) { createPlanLine(input: $i) { id opd } }";

async fn opd_id(app: &TestApp, code: &str) -> String {
    let kota = app.region_id("35.99").await;
    let v = app.gql(OPDS, json!({ "r": kota }), None).await;
    v["data"]["opds"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .find(|o| o["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {v}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A staff account of the Dinas Kesehatan, signed in.
async fn dinkes_staff(app: &TestApp) -> String {
    let admin = app.login("admin").await;
    let kota = app.region_id("35.99").await;
    let dinkes = opd_id(app, "DINKES").await;
    let v = app
        .gql(
            STAFF,
            json!({ "i": { "username": "opd.dinkes", "name": "Staf Dinkes", "password": "kata-sandi-panjang",
                           "roles": [{ "role": "OPD_STAFF", "regionId": kota, "opdId": dinkes }] } }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_eq!(
        v["data"]["createStaffUser"]["roles"][0]["opd"]["code"],
        "DINKES"
    );
    app.try_login("opd.dinkes", "kata-sandi-panjang")
        .await
        .unwrap()
}

#[tokio::test]
async fn admins_keep_a_regions_opds_and_everyone_reads_them() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let kota = app.region_id("35.99").await;
    let kel = app.region_id("35.99.01.1001").await;

    // A kelurahan is served by its kota's OPDs; the list is public.
    let v = app.gql(OPDS, json!({ "r": kel }), None).await;
    let codes: Vec<&str> = v["data"]["opds"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DPUPR") && codes.contains(&"DINKES"), "{v}");

    let v = app
        .gql(CREATE, json!({ "i": { "regionId": kota, "code": "dpmptsp", "name": "Dinas Penanaman Modal dan PTSP" } }), Some(&admin))
        .await;
    assert_ok(&v);
    assert_eq!(
        v["data"]["createOpd"]["code"], "DPMPTSP",
        "codes are capitals"
    );
    let id = v["data"]["createOpd"]["id"].as_str().unwrap().to_owned();
    // The same code twice, a bad code, an OPD of a kecamatan.
    let again = app
        .gql(
            CREATE,
            json!({ "i": { "regionId": kota, "code": "DPMPTSP", "name": "Lagi" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
    let bad = app
        .gql(
            CREATE,
            json!({ "i": { "regionId": kota, "code": "Dinas PU!", "name": "X" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_fields(&bad), ["code"], "{bad}");
    let kec = app.region_id("35.99.01").await;
    let low = app
        .gql(
            CREATE,
            json!({ "i": { "regionId": kec, "code": "KEC", "name": "Kantor" } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_fields(&low), ["regionId"], "{low}");

    // Renamed, then retired: it no longer takes anything new.
    let v = app
        .gql(
            UPDATE,
            json!({ "id": id, "n": "DPMPTSP Kota Mufakat", "a": false }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["updateOpd"]["active"], false);
    let opd = app.login("opd.dinaspu").await;
    let line = app
        .gql(LINE, json!({ "i": { "regionId": kota, "year": 2027, "title": "Mal pelayanan publik", "budget": "100000000", "opd": "DPMPTSP" } }), Some(&opd))
        .await;
    assert_eq!(error_fields(&line), ["opd"], "{line}");
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn an_opd_staff_grant_names_its_opd_once_the_region_lists_them() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let kota = app.region_id("35.99").await;
    let v = app
        .gql(
            STAFF,
            json!({ "i": { "username": "opd.tanpa", "name": "Tanpa OPD", "password": "kata-sandi-panjang",
                           "roles": [{ "role": "OPD_STAFF", "regionId": kota }] } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_fields(&v), ["roles[0].opdId"], "{v}");
    // Only OPD roles name an OPD.
    let dpupr = opd_id(&app, "DPUPR").await;
    let v = app
        .gql(
            STAFF,
            json!({ "i": { "username": "bappeda.dua", "name": "Perencana", "password": "kata-sandi-panjang",
                           "roles": [{ "role": "BAPPEDA_PLANNER", "regionId": kota, "opdId": dpupr }] } }),
            Some(&admin),
        )
        .await;
    assert_eq!(error_fields(&v), ["roles[0].opdId"], "{v}");
    let staff = dinkes_staff(&app).await;
    assert!(!staff.is_empty());
}

#[tokio::test]
async fn a_complaint_routed_to_an_opd_is_handled_by_that_opds_staff_only() {
    let app = spawn_app().await;
    let warga = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let dinaspu = app.login("opd.dinaspu").await;
    let dinkes = dinkes_staff(&app).await;
    let kel = app.region_id("35.99.01.1001").await;
    let v = app
        .gql(START, json!({ "w": "lapor-complaint", "r": kel, "i": { "description": "Posyandu RW 02 atapnya bocor", "category": "lainnya" } }), Some(&warga))
        .await;
    assert_ok(&v);
    let id = v["data"]["startCase"]["id"].as_str().unwrap().to_owned();

    // Not routed yet: no OPD's staff sees it.
    let read = "query($id: ID!) { instance(id: $id) { state fields } }";
    for tok in [&dinaspu, &dinkes] {
        let v = app.gql(read, json!({ "id": id }), Some(tok)).await;
        assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
    }
    // An OPD the kota does not list is refused, naming the codes.
    let v = fire(
        &app,
        &lurah,
        &id,
        "route",
        json!({ "opd": "Dinas Antah" }),
        None,
    )
    .await;
    assert_eq!(error_fields(&v), ["opd"], "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("DINKES")
            || v.to_string().contains("DINKES"),
        "{v}"
    );
    // Routed by the OPD's name: stored as its code.
    let v = fire(
        &app,
        &lurah,
        &id,
        "route",
        json!({ "opd": "Dinas Kesehatan" }),
        None,
    )
    .await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["fields"]["opd"], "DINKES");

    // The Dinas PU's staff neither see nor resolve it; the Dinkes's staff do.
    let resolve = json!({ "resolution": "Atap posyandu sudah diganti." });
    let v = fire(&app, &dinaspu, &id, "resolve", resolve.clone(), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
    let v = app.gql(read, json!({ "id": id }), Some(&dinkes)).await;
    assert_eq!(v["data"]["instance"]["state"], "routed", "{v}");
    let v = fire(&app, &dinkes, &id, "resolve", resolve, None).await;
    assert_ok(&v);
    assert_eq!(v["data"]["fireTransition"]["state"], "resolved");
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn plan_lines_and_activities_belong_to_one_opd_and_its_staff() {
    let app = spawn_app().await;
    let kota = app.region_id("35.99").await;
    let dinaspu = app.login("opd.dinaspu").await;
    let dinkes = dinkes_staff(&app).await;
    let line = |opd: &str| json!({ "i": { "regionId": kota, "year": 2027, "title": "Rehab posyandu", "budget": "500000000", "opd": opd } });
    // The Dinas PU's staff enter their own lines, not the Dinkes's.
    let v = app.gql(LINE, line("DINKES"), Some(&dinaspu)).await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    let v = app.gql(LINE, line("dinkes"), Some(&dinkes)).await;
    assert_ok(&v);
    assert_eq!(v["data"]["createPlanLine"]["opd"], "DINKES");
    let dinkes_line = v["data"]["createPlanLine"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = app.gql(LINE, line("Dinas Antah"), Some(&dinkes)).await;
    assert_eq!(error_fields(&v), ["opd"], "{v}");

    // An activity of the Dinkes's line: its staff open it, the Dinas PU's may not.
    let v = crate::monev::create_activity(&app, &dinaspu, &dinkes_line, None, 500_000_000).await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    let v = crate::monev::create_activity(&app, &dinkes, &dinkes_line, None, 500_000_000).await;
    assert_ok(&v);
}

#[tokio::test]
async fn a_proposal_names_an_opd_the_kota_lists() {
    let app = spawn_app().await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let input = |opd: &str| json!({ "i": { "cycleId": cycle.id, "kelurahanId": kel, "title": "Posyandu", "description": "Atap bocor", "category": "kesehatan", "volume": "1", "unit": "paket", "unitPrice": "1000000", "targetOpd": opd } });
    let q = "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id targetOpd } }";
    let v = app.gql(q, input("Dinas Antah"), Some(&siti)).await;
    assert_eq!(error_fields(&v), ["targetOpd"], "{v}");
    let v: Value = app.gql(q, input("Dinas Kesehatan"), Some(&siti)).await;
    assert_ok(&v);
    assert_eq!(v["data"]["createProposal"]["targetOpd"], "DINKES");
}

#[tokio::test]
async fn opd_mutations_for_every_role() {
    use crate::musrenbang_authz::{matrix, Tokens};
    use crate::policy::Rule;
    let app = spawn_app().await;
    let tokens = Tokens::sign_in_all(&app).await;
    let kota = app.region_id("35.99").await;
    let dlh = opd_id(&app, "DLH").await;
    let perm = mufakat_kernel::authz::perms::OPD_MANAGE;
    matrix(&app, "createOpd", &tokens, Rule::Policy(perm, &kota), &["admin"], |tok| {
        app.gql(CREATE, json!({ "i": { "regionId": kota, "code": "DISPORA", "name": "Dinas Pemuda dan Olahraga" } }), Some(tok))
    })
    .await;
    matrix(
        &app,
        "updateOpd",
        &tokens,
        Rule::Policy(perm, &kota),
        &["admin"],
        |tok| {
            app.gql(
                UPDATE,
                json!({ "id": dlh, "n": "Dinas Lingkungan Hidup Kota Mufakat" }),
                Some(tok),
            )
        },
    )
    .await;
}
