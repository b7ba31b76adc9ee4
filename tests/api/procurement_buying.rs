//! Buying over the real server: a resident's proposal funded by the allocation becomes a line
//! of the plan, a package on it is bought by e-purchasing with a negotiation, received in two
//! handovers and paid, monitored, and shown on the proposal's public page (the golden thread); a direct procurement with a negotiation; the line's
//! budget under concurrent package creation; methods by thresholds and split packages.

use serde_json::json;

use crate::allocation::{kota_forum, set_ceiling, RUN};
use crate::helpers::*;
use crate::procurement::*;

fn id_of(v: &serde_json::Value, field: &str) -> String {
    assert_ok(v);
    v["data"][field]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_funded_proposal_is_bought_from_the_catalogue_received_and_paid() {
    let app = spawn_app().await;
    // The vote and the allocation: three proposals reach the plan.
    let (cycle, ids, kota, _) = kota_forum(&app, false).await;
    let bappeda = app.login("bappeda").await;
    set_ceiling(&app, &bappeda, &cycle.id, &kota, "2000000").await;
    let run = app
        .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } }), Some(&bappeda))
        .await;
    let run_id = id_of(&run, "runAllocation");
    assert_ok(
        &app.gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { adoptedAt } }",
            json!({ "r": run_id }),
            Some(&bappeda),
        )
        .await,
    );
    let jalan = &ids[0];

    // The proposal becomes a line of the plan, once; its cost is the line's budget.
    let opd = app.login("opd.dinaspu").await;
    let mk = "mutation($i: NewPlanLineInput!) { createPlanLine(input: $i) { id budget remaining proposal { id title status } } }";
    let warga = app.login("warga.siti").await;
    assert_eq!(
        error_code(
            &app.gql(
                mk,
                json!({ "i": { "proposalId": jalan, "opd": "DPUPR" } }),
                Some(&warga)
            )
            .await
        )
        .as_deref(),
        Some("FORBIDDEN")
    );
    let l = app
        .gql(
            mk,
            json!({ "i": { "proposalId": jalan, "opd": "DPUPR" } }),
            Some(&opd),
        )
        .await;
    let line = id_of(&l, "createPlanLine");
    assert_eq!(l["data"]["createPlanLine"]["budget"], "600000");
    assert_eq!(
        l["data"]["createPlanLine"]["proposal"]["status"],
        "included"
    );
    assert_eq!(
        error_code(
            &app.gql(
                mk,
                json!({ "i": { "proposalId": jalan, "opd": "DPUPR" } }),
                Some(&opd)
            )
            .await
        )
        .as_deref(),
        Some("CONFLICT")
    );

    // The catalogue holds what is needed: the method proposed is e-purchasing.
    let (maju, vendor) = verified_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    let semen = listed_item(
        &app,
        &maju,
        &vendor,
        "Semen Portland 50 kg",
        "47521",
        "65000",
    )
    .await;
    let pasir = listed_item(&app, &maju, &vendor, "Pasir cor", "47521", "50000").await;
    let p = package(&app, &opd, &line, "600000", "600000", "47521", None, None).await;
    let pkg = &p["data"]["createPackage"];
    assert_ok(&p);
    assert_eq!(
        (pkg["method"].as_str(), pkg["proposedMethod"].as_str()),
        (Some("e_purchasing"), Some("e_purchasing"))
    );
    assert_eq!(pkg["line"]["remaining"], "0");
    let pid = pkg["id"].as_str().unwrap().to_owned();
    // Not in the public plan until announced.
    let public = "{ packages { id name pagu method status } }";
    assert_eq!(
        app.gql(public, json!({}), None).await["data"]["packages"],
        json!([])
    );
    assert_ok(&package_action(&app, &opd, &pid, "ANNOUNCE", None).await);
    assert_eq!(
        app.gql(public, json!({}), None).await["data"]["packages"][0]["status"],
        "announced"
    );

    // The order: prices frozen from the catalogue, within the HPS, from one vendor.
    let mk_order = "mutation($p: ID!, $i: [OrderItemInput!]!) { createEpurchasingOrder(packageId: $p, deliveryAddress: \"Gudang Kelurahan Mekarsari\", items: $i) { id number status total lines { id quantity unitPrice total } } }";
    let too_much = app
        .gql(
            mk_order,
            json!({ "p": pid, "i": [{ "itemId": semen, "quantity": "100" }] }),
            Some(&opd),
        )
        .await;
    assert_eq!(error_code(&too_much).as_deref(), Some("VALIDATION"));
    let o = app.gql(mk_order, json!({ "p": pid, "i": [{ "itemId": semen, "quantity": "6" }, { "itemId": pasir, "quantity": "2.5" }] }), Some(&opd)).await;
    let order = id_of(&o, "createEpurchasingOrder");
    assert_eq!(o["data"]["createEpurchasingOrder"]["total"], "515000");
    assert!(o["data"]["createEpurchasingOrder"]["number"]
        .as_str()
        .unwrap()
        .starts_with("SP-"));
    let lines: Vec<String> = o["data"]["createEpurchasingOrder"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    // A later price change does not touch the order.
    assert_ok(&item_action(&app, &maju, &semen, "PROPOSE_PRICE", Some("99000"), None).await);
    assert_ok(
        &item_action(
            &app,
            &app.login("ukpbj").await,
            &semen,
            "APPROVE_PRICE",
            None,
            None,
        )
        .await,
    );

    let ppk = app.login("ppk.dinaspu").await;
    assert_ok(&order_action(&app, &opd, &order, "SUBMIT", json!({}), None).await);
    // Only the package's PPK approves.
    assert_eq!(
        error_code(&order_action(&app, &opd, &order, "APPROVE", json!({}), None).await).as_deref(),
        Some("FORBIDDEN")
    );
    assert_ok(&order_action(&app, &ppk, &order, "APPROVE", json!({}), None).await);
    // Negotiation: the vendor offers another total; the PPK agrees.
    let other = register_vendor(&app, "cv.lain", "02.345.678.9-012.000")
        .await
        .0;
    assert_eq!(
        error_code(&order_action(&app, &other, &order, "ACCEPT", json!({}), None).await).as_deref(),
        Some("FORBIDDEN")
    );
    let v = order_action(
        &app,
        &maju,
        &order,
        "OFFER",
        json!({ "total": "530000" }),
        Some("Ongkos kirim ke lokasi"),
    )
    .await;
    assert_eq!(v["data"]["orderAction"]["status"], "negotiating");
    let v = order_action(&app, &ppk, &order, "AGREE_OFFER", json!({}), None).await;
    assert_ok(&v);
    assert_eq!(v["data"]["orderAction"]["status"], "accepted");
    assert_eq!(v["data"]["orderAction"]["total"], "530000");
    assert_eq!(v["data"]["orderAction"]["package"]["status"], "contracted");
    assert_eq!(v["data"]["orderAction"]["lines"][0]["unitPrice"], "65000");

    // Two handovers; more than ordered is refused.
    let over = order_action(
        &app,
        &opd,
        &order,
        "RECEIVE",
        json!({ "received": [{ "lineId": lines[0], "quantity": "7" }] }),
        None,
    )
    .await;
    assert_eq!(error_code(&over).as_deref(), Some("VALIDATION"));
    let v = order_action(
        &app,
        &opd,
        &order,
        "RECEIVE",
        json!({ "received": [{ "lineId": lines[0], "quantity": "4" }] }),
        Some("Tahap 1"),
    )
    .await;
    assert_eq!(v["data"]["orderAction"]["status"], "partially_received");
    let fin = app.login("bendahara").await;
    assert_eq!(
        error_code(
            &order_action(
                &app,
                &fin,
                &order,
                "PAY",
                json!({ "amount": "530000" }),
                None
            )
            .await
        )
        .as_deref(),
        Some("CONFLICT")
    );
    let v = order_action(&app, &opd, &order, "RECEIVE", json!({ "received": [{ "lineId": lines[0], "quantity": "2" }, { "lineId": lines[1], "quantity": "2.5" }] }), None).await;
    assert_eq!(v["data"]["orderAction"]["status"], "received");
    assert_eq!(
        v["data"]["orderAction"]["receipts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Payment by finance staff only, at most the total.
    assert_eq!(
        error_code(
            &order_action(
                &app,
                &opd,
                &order,
                "PAY",
                json!({ "amount": "530000" }),
                None
            )
            .await
        )
        .as_deref(),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(
            &order_action(
                &app,
                &fin,
                &order,
                "PAY",
                json!({ "amount": "530000.01" }),
                None
            )
            .await
        )
        .as_deref(),
        Some("VALIDATION")
    );
    let v = order_action(
        &app,
        &fin,
        &order,
        "PAY",
        json!({ "amount": "530000", "reference": "SP2D-0042" }),
        None,
    )
    .await;
    assert_ok(&v);
    let o = &v["data"]["orderAction"];
    assert_eq!(
        (o["status"].as_str(), o["paid"].as_str()),
        (Some("paid"), Some("530000"))
    );
    assert_eq!(o["package"]["status"], "completed");

    // The documents: the purchase order and each BAST, for those who may see the order.
    let get = |path: String, tok: String| {
        let c = app.client.clone();
        let url = app.url(&path);
        async move {
            let r = c.get(url).bearer_auth(tok).send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap())
        }
    };
    let (s, b) = get(
        format!("/procurement/orders/{order}/order.pdf"),
        opd.clone(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(b.starts_with(b"%PDF-"));
    for n in [1, 2] {
        let (s, b) = get(
            format!("/procurement/orders/{order}/receipts/{n}"),
            maju.clone(),
        )
        .await;
        assert!(s == 200 && b.starts_with(b"%PDF-"), "BAST {n}: {s}");
    }
    assert_eq!(
        get(
            format!("/procurement/orders/{order}/receipts/3"),
            opd.clone()
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get(
            format!("/procurement/orders/{order}/order.pdf"),
            other.clone()
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get(
            format!("/procurement/orders/{order}/order.pdf"),
            warga.clone()
        )
        .await
        .0,
        404
    );

    // The golden thread, read back: the package's line is the resident's proposal.
    let t = app.gql("query($p: ID!) { package(id: $p) { status line { proposal { title status } } orders { number status paid vendor { name } } } }", json!({ "p": pid }), Some(&app.login("inspektorat").await)).await;
    assert_ok(&t);
    assert_eq!(t["data"]["package"]["line"]["proposal"]["title"], "Jalan");
    assert_eq!(t["data"]["package"]["orders"][0]["paid"], "530000");
    // … and from the resident's side: what became of the proposal.
    let r = app.gql("query($p: ID!) { planLineOfProposal(proposalId: $p) { budget packages { name status } } }", json!({ "p": jalan }), Some(&warga)).await;
    assert_ok(&r);
    assert_eq!(
        r["data"]["planLineOfProposal"]["packages"][0]["status"],
        "completed"
    );
    // … its implementation, monitored month by month …
    let act = crate::monev::create_activity(&app, &opd, &line, None, 600_000).await;
    assert_ok(&act);
    // … and the same thread on the proposal's public page, for anyone.
    let page = app
        .client
        .get(app.url(&format!("/proposals/{jalan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Apa yang terjadi dengan usulan ini"),
        "{page}"
    );
    let thread = &page[page.find("id=\"thread\"").unwrap()..];
    for seen in [
        "Masuk rencana",
        "Paket pengadaan",
        "Pelaksanaan",
        "lembar kemajuan (PDF)",
    ] {
        assert!(thread.contains(seen), "{seen} in {thread}");
    }
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn a_direct_procurement_goes_from_invitation_through_negotiation_to_payment() {
    let app = spawn_app().await;
    let (maju, vendor) = verified_vendor(&app, "cv.maju", "01.234.567.8-901.000").await;
    let line = opd_line(&app, "300000000").await;
    let opd = app.login("opd.dinaspu").await;
    // Nothing in the catalogue: direct procurement up to Rp200 juta for goods.
    let p = package(&app, &opd, &line, "150000000", "150000000", "", None, None).await;
    assert_eq!(p["data"]["createPackage"]["method"], "direct");
    let pid = id_of(&p, "createPackage");
    assert_ok(&package_action(&app, &opd, &pid, "ANNOUNCE", None).await);
    let ukpbj = app.login("ukpbj").await;
    let invite = "mutation($p: ID!, $v: ID!) { createDirectProcurement(packageId: $p, vendorId: $v, deliveryAddress: \"Kantor DPUPR\", items: [{description: \"Perbaikan pagar kantor\", unit: \"paket\", quantity: \"1\"}]) { id number status } }";
    assert_eq!(
        error_code(
            &app.gql(invite, json!({ "p": pid, "v": vendor }), Some(&opd))
                .await
        )
        .as_deref(),
        Some("FORBIDDEN")
    );
    let o = app
        .gql(invite, json!({ "p": pid, "v": vendor }), Some(&ukpbj))
        .await;
    let order = id_of(&o, "createDirectProcurement");
    assert!(o["data"]["createDirectProcurement"]["number"]
        .as_str()
        .unwrap()
        .starts_with("SPK-"));
    // The vendor quotes above the HPS: refused; then within it.
    assert_eq!(
        error_code(
            &order_action(
                &app,
                &maju,
                &order,
                "QUOTE",
                json!({ "total": "150000000.01" }),
                None
            )
            .await
        )
        .as_deref(),
        Some("VALIDATION")
    );
    assert_ok(
        &order_action(
            &app,
            &maju,
            &order,
            "QUOTE",
            json!({ "total": "149000000" }),
            None,
        )
        .await,
    );
    assert_ok(
        &order_action(
            &app,
            &ukpbj,
            &order,
            "NEGOTIATE",
            json!({}),
            Some("Mohon rincian harga dan penurunan 5%"),
        )
        .await,
    );
    let v = order_action(
        &app,
        &maju,
        &order,
        "QUOTE",
        json!({ "total": "141550000" }),
        Some("Turun 5%"),
    )
    .await;
    assert_eq!(v["data"]["orderAction"]["status"], "quoted");
    assert_eq!(
        v["data"]["orderAction"]["offers"].as_array().unwrap().len(),
        2
    );
    let ppk = app.login("ppk.dinaspu").await;
    let v = order_action(&app, &ppk, &order, "ORDER", json!({}), None).await;
    assert_eq!(v["data"]["orderAction"]["status"], "ordered");
    assert_eq!(v["data"]["orderAction"]["package"]["status"], "contracted");
    let line_id = v["data"]["orderAction"]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(
        &order_action(
            &app,
            &opd,
            &order,
            "RECEIVE",
            json!({ "received": [{ "lineId": line_id, "quantity": "1" }] }),
            None,
        )
        .await,
    );
    let v = order_action(
        &app,
        &app.login("bendahara").await,
        &order,
        "PAY",
        json!({ "amount": "141550000", "reference": "SP2D-7" }),
        None,
    )
    .await;
    assert_eq!(v["data"]["orderAction"]["status"], "paid");
    assert_eq!(v["data"]["orderAction"]["package"]["status"], "completed");
}

#[tokio::test]
async fn two_staff_at_once_cannot_both_take_the_last_rupiah_of_a_line() {
    let app = spawn_app().await;
    let line = opd_line(&app, "100000000").await;
    let opd = app.login("opd.dinaspu").await;
    let ppk = app.login("ppk.dinaspu").await;
    let tries = (0..10).map(|i| {
        let tok = if i % 2 == 0 { opd.clone() } else { ppk.clone() };
        let app = &app;
        let line = line.clone();
        async move { package(app, &tok, &line, "20000000", "20000000", "", None, None).await }
    });
    let results = futures_util::future::join_all(tries).await;
    let ok = results.iter().filter(|v| error_code(v).is_none()).count();
    assert_eq!(ok, 5, "{results:?}");
    for v in results.iter().filter(|v| error_code(v).is_some()) {
        assert_eq!(error_code(v).as_deref(), Some("VALIDATION"));
        let f = &v["errors"][0]["extensions"]["fields"][0];
        assert_eq!(f["field"], "pagu");
        assert!(f["message"].as_str().unwrap().contains("sisa Rp0"), "{v}");
    }
    // A cancelled package gives its pagu back.
    let any = results.iter().find(|v| error_code(v).is_none()).unwrap()["data"]["createPackage"]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(&package_action(&app, &opd, &any, "CANCEL", Some("Digabung ke paket lain")).await);
    let v = package(&app, &opd, &line, "20000001", "20000000", "", None, None).await;
    assert!(
        v["errors"][0]["extensions"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Rp20.000.000"),
        "{v}"
    );
    assert_ok(&package(&app, &opd, &line, "20000000", "20000000", "", None, None).await);
}

#[tokio::test]
async fn the_method_follows_the_thresholds_and_split_packages_are_flagged() {
    let app = spawn_app().await;
    let line = opd_line(&app, "1000000000").await;
    let opd = app.login("opd.dinaspu").await;
    let q =
        "query($k: String!, $h: Decimal!) { proposeMethod(kind: $k, hps: $h) { method reason } }";
    let m = app
        .gql(q, json!({ "k": "goods", "h": "200000000" }), None)
        .await;
    assert_eq!(m["data"]["proposeMethod"]["method"], "direct");
    let m = app
        .gql(q, json!({ "k": "construction", "h": "400000001" }), None)
        .await;
    assert_eq!(m["data"]["proposeMethod"]["method"], "tender");
    let m = app
        .gql(q, json!({ "k": "consultancy", "h": "100000001" }), None)
        .await;
    assert_eq!(m["data"]["proposeMethod"]["method"], "selection");
    // Direct procurement above its ceiling is refused; another allowed method needs a reason.
    let v = package(
        &app,
        &opd,
        &line,
        "250000000",
        "250000000",
        "",
        Some("direct"),
        Some("Cepat"),
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    let v = package(
        &app,
        &opd,
        &line,
        "150000000",
        "150000000",
        "",
        Some("tender"),
        None,
    )
    .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"));
    assert_eq!(
        v["errors"][0]["extensions"]["fields"][0]["field"],
        "methodReason"
    );
    let v = package(
        &app,
        &opd,
        &line,
        "150000000",
        "150000000",
        "",
        Some("tender"),
        Some("Pasar penyedia luas; tender lebih bersaing"),
    )
    .await;
    assert_eq!(
        (
            v["data"]["createPackage"]["method"].as_str(),
            v["data"]["createPackage"]["proposedMethod"].as_str()
        ),
        (Some("tender"), Some("direct"))
    );
    // Three packages of one line and kind, each under the ceiling, together above it.
    let split = opd_line(&app, "1000000000").await;
    for _ in 0..3 {
        assert_ok(&package(&app, &opd, &split, "90000000", "90000000", "", None, None).await);
    }
    let flags = "{ packageSplitFlags { lineId kind packageIds total ceiling message } }";
    assert_eq!(
        error_code(&app.gql(flags, json!({}), Some(&opd)).await).as_deref(),
        Some("FORBIDDEN")
    );
    let f = app
        .gql(flags, json!({}), Some(&app.login("inspektorat").await))
        .await;
    assert_ok(&f);
    let list = f["data"]["packageSplitFlags"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{f}");
    assert_eq!(list[0]["lineId"], split.as_str());
    assert_eq!(list[0]["packageIds"].as_array().unwrap().len(), 3);
    assert_eq!(list[0]["total"], "270000000");
}
