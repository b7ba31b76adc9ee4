//! Budget ceilings and allocation runs in the product: from the kota forum's proposals and the
//! residents' votes to an adopted, audited plan.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, phase_after, propose, resident};

pub const RUN: &str = "mutation($i: RunAllocationInput!) { runAllocation(input: $i) { id rule budget totalCost leftover voters electionPb \
    projects { proposal { id title } cost votes funded fundedByRule order reason payments { voter amount } override { funded reason } } } }";

/// A cycle in its kota forum with three proposals forwarded there and four votes.
async fn kota_forum_with_three_proposals(
    app: &TestApp,
) -> (crate::musrenbang::Cycle, Vec<String>, String) {
    let (cycle, ids, kota, _) = kota_forum(app, false).await;
    (cycle, ids, kota)
}

/// The same, and with `left_out` a fourth proposal ("Taman", one vote) that the kecamatan left
/// out (`not_accommodated` at kecamatan level); its id is the fourth value.
pub async fn kota_forum(
    app: &TestApp,
    left_out: bool,
) -> (
    crate::musrenbang::Cycle,
    Vec<String>,
    String,
    Option<String>,
) {
    let cycle = create_cycle(app).await;
    let siti = app.login("warga.siti").await;
    let budi = resident(app, "budi", "35.99.01.1001", "3599010101800001").await;
    let lurah = app.login("lurah.mekarsari").await;
    let camat = app.login("camat.sukamaju").await;
    let mut ids = vec![];
    for (t, price) in [
        ("Jalan", "600000"),
        ("Drainase", "500000"),
        ("Posyandu", "400000"),
    ] {
        let id = propose(app, &siti, &cycle.id, t, "1", price).await["data"]["createProposal"]
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ok(&act(app, &siti, &id, "SUBMIT", json!({}), None).await);
        ids.push(id);
    }
    let taman = if left_out {
        let id = propose(app, &siti, &cycle.id, "Taman", "1", "300000").await["data"]
            ["createProposal"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ok(&act(app, &siti, &id, "SUBMIT", json!({}), None).await);
        Some(id)
    } else {
        None
    };
    assert_eq!(phase_after(app, &cycle, 10).await, "voting");
    let vote = "mutation($id: ID!) { vote(proposalId: $id) { receipt } }";
    for (tok, p) in [(&siti, 0), (&siti, 2), (&budi, 0), (&budi, 1)] {
        assert_ok(&app.gql(vote, json!({ "id": ids[p] }), Some(tok)).await);
    }
    if let Some(t) = &taman {
        let ani = resident(app, "ani", "35.99.01.1001", "3599010101850002").await;
        assert_ok(&app.gql(vote, json!({ "id": t }), Some(&ani)).await);
    }
    assert_eq!(phase_after(app, &cycle, 20).await, "kelurahan_deliberation");
    for id in ids.iter().chain(&taman) {
        for a in ["VERIFY", "ACCEPT", "FORWARD_KECAMATAN"] {
            assert_ok(&act(app, &lurah, id, a, json!({}), None).await);
        }
    }
    assert_eq!(phase_after(app, &cycle, 30).await, "kecamatan_deliberation");
    if let Some(t) = &taman {
        assert_ok(&act(app, &camat, t, "PRIORITIZE", json!({}), None).await);
        assert_ok(
            &act(
                app,
                &camat,
                t,
                "REJECT_KECAMATAN",
                json!({}),
                Some("Belum mendesak tahun ini"),
            )
            .await,
        );
    }
    for id in &ids {
        for a in ["PRIORITIZE", "FORWARD_KOTA"] {
            assert_ok(&act(app, &camat, id, a, json!({}), None).await);
        }
    }
    assert_eq!(phase_after(app, &cycle, 40).await, "kota_forum");
    let kota = app.region_id("35.99").await;
    (cycle, ids, kota, taman)
}

pub async fn set_ceiling(app: &TestApp, token: &str, cycle: &str, region: &str, amount: &str) {
    let set = "mutation($c: ID!, $r: ID!, $a: Decimal!) { setBudgetCeiling(cycleId: $c, regionId: $r, amount: $a) { amount } }";
    assert_ok(
        &app.gql(
            set,
            json!({ "c": cycle, "r": region, "a": amount }),
            Some(token),
        )
        .await,
    );
}

/// The kota's proposals and votes as `pbExport` gives them (anonymously: public data).
async fn kota_pb(app: &TestApp, cycle: &str, kota: &str) -> mufakat_allocation::Election {
    let v = app
        .gql(
            "query($c: ID!, $r: ID!) { pbExport(cycleId: $c, regionId: $r, level: \"kota\") }",
            json!({ "c": cycle, "r": kota }),
            None,
        )
        .await;
    mufakat_allocation::parse(v["data"]["pbExport"].as_str().unwrap()).unwrap()
}

/// Regression (#19): an override's totals were only in the PDF (114 % of the pagu, a negative
/// remainder) while the run said nothing had changed; funding past the pagu needs a
/// confirmation.
#[tokio::test]
async fn overrides_change_the_runs_totals_and_exceeding_the_ceiling_needs_confirmation() {
    let app = spawn_app().await;
    let (cycle, _, kota) = kota_forum_with_three_proposals(&app).await;
    let bappeda = app.login("bappeda").await;
    set_ceiling(&app, &bappeda, &cycle.id, &kota, "1000000").await;
    let v = app
        .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } }), Some(&bappeda))
        .await;
    assert_ok(&v);
    let run = v["data"]["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id_of = |t: &str| {
        v["data"]["runAllocation"]["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["proposal"]["title"] == t)
            .unwrap()["proposal"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (jalan, drainase, posyandu) = (id_of("Jalan"), id_of("Drainase"), id_of("Posyandu"));
    const OV: &str = "mutation($r: ID!, $p: ID!, $f: Boolean!, $c: Boolean) { overrideAllocation(runId: $r, proposalId: $p, funded: $f, reason: \"Prioritas daerah\", confirmExceedsCeiling: $c) { totalCost leftover exceedsCeiling totalCostByRule leftoverByRule } }";
    let ov = |p: &str, funded: bool, confirm: Option<bool>| {
        app.gql(
            OV,
            json!({ "r": run, "p": p, "f": funded, "c": confirm }),
            Some(&bappeda),
        )
    };
    // Funding Drainase (500,000) on top of the full 1,000,000: refused without confirmation,
    // saying by how much, and nothing is recorded.
    let e = ov(&drainase, true, None).await;
    assert_eq!(error_code(&e).as_deref(), Some("VALIDATION"), "{e}");
    assert_eq!(
        e["errors"][0]["extensions"]["fields"][0]["field"],
        "confirmExceedsCeiling"
    );
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("500000"),
        "{e}"
    );
    // Drop Posyandu (400,000) and fund Drainase: 1,100,000, over by 100,000 — confirmed.
    let v = ov(&posyandu, false, None).await;
    assert_ok(&v);
    let t = &v["data"]["overrideAllocation"];
    assert_eq!(
        (t["totalCost"].as_str(), t["leftover"].as_str()),
        (Some("600000"), Some("400000"))
    );
    let v = ov(&drainase, true, Some(true)).await;
    assert_ok(&v);
    let t = &v["data"]["overrideAllocation"];
    assert_eq!(t["totalCost"], "1100000");
    assert_eq!(t["leftover"], "-100000");
    assert_eq!(t["exceedsCeiling"], true);
    assert_eq!(
        (t["totalCostByRule"].as_str(), t["leftoverByRule"].as_str()),
        (Some("1000000"), Some("0"))
    );
    // Re-stating a funded one while over adds nothing: no confirmation needed; neither does
    // dropping one. Dropping Jalan brings the total back within the ceiling.
    assert_ok(&ov(&jalan, true, None).await);
    let v = ov(&jalan, false, None).await;
    assert_ok(&v);
    assert_eq!(v["data"]["overrideAllocation"]["totalCost"], "500000");
    assert_eq!(v["data"]["overrideAllocation"]["exceedsCeiling"], false);
    // Fund Jalan again: over by 100,000 once more, confirmed.
    assert_ok(&ov(&jalan, true, Some(true)).await);
    // The PDF prints the same figures and the warning.
    let resp = app
        .client
        .get(app.url(&format!("/reports/allocation?runId={run}")))
        .bearer_auth(&bappeda)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let path = std::env::temp_dir().join(format!("alloc-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, resp.bytes().await.unwrap()).unwrap();
    if let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Rp 1.100.000,00"), "{text}");
        assert!(
            text.contains("PERHATIAN") && text.contains("Rp 100.000,00"),
            "{text}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

/// Regression (#19): a proposal the kecamatan left out came back on the kota's list ranked by
/// its kecamatan score, in the kota's `.pb` export and runs, and then blocked adoption.
#[tokio::test]
async fn a_proposal_left_out_at_kecamatan_stays_out_of_the_kota_forum() {
    let app = spawn_app().await;
    let (cycle, ids, kota, taman) = kota_forum(&app, true).await;
    let taman = taman.unwrap();
    let bappeda = app.login("bappeda").await;
    let kec = app.region_id("35.99.01").await;
    let list = |region: String, level: &'static str| {
        let app = &app;
        let c = cycle.id.clone();
        async move {
            let v = app
                .gql(
                    "query($c: ID!, $r: ID!, $l: String!) { priorityList(cycleId: $c, regionId: $r, level: $l) { proposal { id status } } }",
                    json!({ "c": c, "r": region, "l": level }),
                    None,
                )
                .await;
            assert_ok(&v);
            let mut out: Vec<String> = v["data"]["priorityList"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["proposal"]["id"].as_str().unwrap().to_owned())
                .collect();
            out.sort();
            out
        }
    };
    let mut forwarded = ids.clone();
    forwarded.sort();
    assert_eq!(list(kota.clone(), "kota").await, forwarded);
    // The lower levels' lists keep what they decided: the kecamatan's the three it sent on
    // (not Taman, which it left out), the kelurahan's all four it forwarded.
    assert_eq!(list(kec.clone(), "kecamatan").await, forwarded);
    let mut all_four = forwarded.clone();
    all_four.push(taman.clone());
    all_four.sort();
    assert_eq!(list(kec, "kelurahan").await, all_four);

    let e = kota_pb(&app, &cycle.id, &kota).await;
    assert_eq!(e.projects.len(), 3);
    assert!(
        !e.projects.iter().any(|p| p.id == taman),
        "{:?}",
        e.projects
    );

    set_ceiling(&app, &bappeda, &cycle.id, &kota, "1000000").await;
    for rule in ["GREEDY", "MES"] {
        let v = app
            .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": rule } }), Some(&bappeda))
            .await;
        assert_ok(&v);
        let projects = v["data"]["runAllocation"]["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 3, "{rule}");
        assert!(!projects
            .iter()
            .any(|p| p["proposal"]["id"] == taman.as_str()));
        if rule == "GREEDY" {
            let run = v["data"]["runAllocation"]["id"].as_str().unwrap();
            let v = app
                .gql(
                    "mutation($r: ID!) { adoptAllocation(runId: $r) { adoptedAt } }",
                    json!({ "r": run }),
                    Some(&bappeda),
                )
                .await;
            assert_ok(&v);
        }
    }
    // The left-out proposal kept its kecamatan decision.
    let p = app
        .gql(
            "query($id: ID!) { proposal(id: $id) { status level } }",
            json!({ "id": taman }),
            None,
        )
        .await;
    assert_eq!(p["data"]["proposal"]["status"], "not_accommodated");
    assert_eq!(p["data"]["proposal"]["level"], "kecamatan");
    // The proposer hears what the adoption decided, with the run named as the reason.
    let siti = app.login("warga.siti").await;
    let n = app
        .gql(
            "{ myNotifications { kind message } }",
            json!({}),
            Some(&siti),
        )
        .await;
    let adopted: Vec<&Value> = n["data"]["myNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "proposal_include" || x["kind"] == "proposal_not_accommodate")
        .collect();
    assert!(!adopted.is_empty(), "{n}");
    assert!(
        adopted
            .iter()
            .all(|x| x["message"].as_str().unwrap().contains("(run ")),
        "{n}"
    );
    // A run made before some of its proposals were decided can no longer be adopted, and the
    // refusal names the proposal.
    let v = app
        .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } }), Some(&bappeda))
        .await;
    let stale = v["data"]["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = app
        .gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { adoptedAt } }",
            json!({ "r": stale }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let message = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Usulan #") && message.contains("Masuk rencana"),
        "{message}"
    );
}

#[tokio::test]
async fn planners_run_explain_override_and_adopt_an_allocation() {
    let app = spawn_app().await;
    let (cycle, ids, kota) = kota_forum_with_three_proposals(&app).await;
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let camat = app.login("camat.sukamaju").await;
    let bappeda = app.login("bappeda").await;

    // No ceiling yet: a clear error. Residents and kelurahan staff may not set one.
    let input = json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } });
    assert_eq!(
        error_code(&app.gql(RUN, input.clone(), Some(&bappeda)).await).as_deref(),
        Some("VALIDATION")
    );
    let set = "mutation($c: ID!, $r: ID!, $a: Decimal!) { setBudgetCeiling(cycleId: $c, regionId: $r, amount: $a) { amount } }";
    for tok in [&siti, &lurah, &camat] {
        assert_eq!(
            error_code(
                &app.gql(
                    set,
                    json!({ "c": cycle.id, "r": kota, "a": "1000000" }),
                    Some(tok)
                )
                .await
            )
            .as_deref(),
            Some("FORBIDDEN")
        );
    }
    let v = app
        .gql(
            set,
            json!({ "c": cycle.id, "r": kota, "a": "1000000.00" }),
            Some(&bappeda),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["setBudgetCeiling"]["amount"], "1000000");

    // Greedy by votes per cost: Jalan (2 votes) then Posyandu (1 vote, fits), Drainase does not fit.
    assert_eq!(
        error_code(&app.gql(RUN, input.clone(), Some(&lurah)).await).as_deref(),
        Some("FORBIDDEN")
    );
    let v = app.gql(RUN, input, Some(&bappeda)).await;
    assert_ok(&v);
    let run = &v["data"]["runAllocation"];
    assert_eq!(run["totalCost"], "1000000");
    assert_eq!(run["leftover"], "0");
    assert_eq!(run["voters"], 2);
    let by_title = |run: &Value, t: &str| {
        run["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["proposal"]["title"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(by_title(run, "Jalan")["funded"], true);
    assert_eq!(by_title(run, "Posyandu")["funded"], true);
    let drainase = by_title(run, "Drainase");
    assert_eq!(drainase["funded"], false);
    assert!(
        drainase["reason"].as_str().unwrap().contains("tidak muat"),
        "{drainase}"
    );
    // The stored inputs reproduce the run, and name no one.
    let pb = run["electionPb"].as_str().unwrap();
    assert!(!pb.contains("budi") && !pb.contains("siti"));
    let e = mufakat_allocation::parse(pb).unwrap();
    let again = mufakat_allocation::allocate(
        &e,
        mufakat_allocation::rules::Rule::Greedy,
        &Default::default(),
    )
    .unwrap();
    let mut funded: Vec<String> = run["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["funded"] == true)
        .map(|p| p["proposal"]["id"].as_str().unwrap().to_owned())
        .collect();
    funded.sort();
    assert_eq!(again.selected, funded);

    // MES explains each supporter's share.
    let v = app.gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "MES" } }), Some(&bappeda)).await;
    assert_ok(&v);
    let mes = &v["data"]["runAllocation"];
    let jalan = by_title(mes, "Jalan");
    if jalan["funded"] == true {
        let paid: rust_decimal::Decimal = jalan["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert_eq!(paid, "600000".parse().unwrap());
        assert!(jalan["payments"][0]["voter"]
            .as_str()
            .unwrap()
            .starts_with("voter-"));
    }

    // Override the greedy run, then adopt it: the proposals move by their transitions.
    let run_id = run["id"].as_str().unwrap();
    let ov = "mutation($r: ID!, $p: ID!) { overrideAllocation(runId: $r, proposalId: $p, funded: true, reason: \"Prioritas daerah: banjir\", confirmExceedsCeiling: true) { projects { proposal { title } funded fundedByRule override { reason } } } }";
    let v = app
        .gql(
            ov,
            json!({ "r": run_id, "p": drainase["proposal"]["id"] }),
            Some(&bappeda),
        )
        .await;
    assert_ok(&v);
    let d = by_title(&v["data"]["overrideAllocation"], "Drainase");
    assert_eq!(
        (d["funded"].clone(), d["fundedByRule"].clone()),
        (json!(true), json!(false))
    );
    let v = app
        .gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { adoptedAt } }",
            json!({ "r": run_id }),
            Some(&bappeda),
        )
        .await;
    assert_ok(&v);
    let statuses: Vec<String> = {
        let mut out = vec![];
        for id in &ids {
            let p = app.gql("query($id: ID!) { proposal(id: $id) { status history { transition comment } } }", json!({ "id": id }), None).await;
            out.push(p["data"]["proposal"]["status"].as_str().unwrap().to_owned());
        }
        out
    };
    assert_eq!(statuses, vec!["included", "included", "included"]);
    let again = app
        .gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { adoptedAt } }",
            json!({ "r": run_id }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
    let rows = mufakat_store::repo::audit::page(&app.state.db, 0, 100_000)
        .await
        .unwrap();
    let kinds: Vec<&str> = rows
        .iter()
        .filter(|e| e.workflow == "system.allocation")
        .map(|e| e.transition.as_str())
        .collect();
    assert_eq!(kinds, vec!["run", "run", "override", "adopt"]);
    app.assert_trail_verifies().await;

    // The allocation report of the run: adopted, so public (a kelurahan's staff, anyone).
    let url = app.url(&format!("/reports/allocation?runId={run_id}"));
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth(&lurah)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&bappeda)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let path = std::env::temp_dir().join(format!("alloc-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(out) = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Drainase")
                && text.contains("perencana")
                && text.contains("Rp 400.000,00"),
            "{text}"
        );
        assert!(text.contains("Rp 1.000.000,00"), "{text}");
    }
    let _ = std::fs::remove_file(&path);

    // The cycle's real data as a .pb file.
    let e = kota_pb(&app, &cycle.id, &kota).await;
    assert_eq!(e.projects.len(), 3);
    assert_eq!(e.votes.len(), 2);
}

#[tokio::test]
async fn every_allocation_mutation_for_every_role() {
    use crate::musrenbang_authz::{matrix, Tokens, ALL};
    use crate::policy::Rule;
    use mufakat_module_allocation::perms;
    let app = spawn_app().await;
    let (cycle, ids, kota) = kota_forum_with_three_proposals(&app).await;
    let mut t = vec![];
    for who in ALL {
        let tok = match who {
            "budi" => app.try_login("budi", "kata-sandi-warga").await.unwrap(),
            "tetangga" => resident(&app, "tetangga", "35.99.01.1002", "3599010202900003").await,
            _ => app.login(who).await,
        };
        t.push((who, tok));
    }
    let tokens = Tokens(t);
    let planners = &["bappeda", "admin"];
    matrix(&app, "setBudgetCeiling", &tokens, Rule::Policy(perms::BUDGET_SET, &kota), planners, |tok| {
        app.gql("mutation($c: ID!, $r: ID!) { setBudgetCeiling(cycleId: $c, regionId: $r, amount: \"1000000\") { id } }", json!({ "c": cycle.id, "r": kota }), Some(tok))
    })
    .await;
    matrix(&app, "removeBudgetCeiling", &tokens, Rule::Policy(perms::BUDGET_SET, &kota), planners, |tok| {
        app.gql("mutation($c: ID!, $r: ID!) { removeBudgetCeiling(cycleId: $c, regionId: $r, reason: \"salah wilayah\") }", json!({ "c": cycle.id, "r": kota }), Some(tok))
    })
    .await;
    set_ceiling(&app, tokens.get("bappeda"), &cycle.id, &kota, "1000000").await;
    let v = matrix(&app, "runAllocation", &tokens, Rule::Policy(perms::ALLOCATION_RUN, &kota), planners, |tok| {
        app.gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } }), Some(tok))
    })
    .await;
    let run = v["data"]["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    matrix(&app, "overrideAllocation", &tokens, Rule::Policy(perms::ALLOCATION_RUN, &kota), planners, |tok| {
        app.gql("mutation($r: ID!, $p: ID!) { overrideAllocation(runId: $r, proposalId: $p, funded: false, reason: \"x\") { id } }", json!({ "r": run, "p": ids[0] }), Some(tok))
    })
    .await;
    matrix(
        &app,
        "adoptAllocation",
        &tokens,
        Rule::Policy(perms::ALLOCATION_ADOPT, &kota),
        &["bappeda"],
        |tok| {
            app.gql(
                "mutation($r: ID!) { adoptAllocation(runId: $r) { id } }",
                json!({ "r": run }),
                Some(tok),
            )
        },
    )
    .await;
}

/// A ceiling set by mistake is corrected or removed, both audited; once the region's
/// allocation is adopted its ceiling stays. A completion for a rule that has none is refused.
#[tokio::test]
async fn ceilings_are_corrected_and_removed_until_adoption() {
    let app = spawn_app().await;
    let (cycle, _ids, kota) = kota_forum_with_three_proposals(&app).await;
    let bappeda = app.login("bappeda").await;
    let remove = "mutation($c: ID!, $r: ID!, $why: String!) { removeBudgetCeiling(cycleId: $c, regionId: $r, reason: $why) }";
    let v = app
        .gql(
            remove,
            json!({ "c": cycle.id, "r": kota, "why": "salah" }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("NOT_FOUND"), "{v}");
    set_ceiling(&app, &bappeda, &cycle.id, &kota, "900000").await;
    set_ceiling(&app, &bappeda, &cycle.id, &kota, "1000000").await;
    let v = app
        .gql(
            remove,
            json!({ "c": cycle.id, "r": kota, "why": "  " }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(error_fields(&v), ["reason"], "{v}");
    assert_ok(
        &app.gql(
            remove,
            json!({ "c": cycle.id, "r": kota, "why": "pagu belum disahkan" }),
            Some(&bappeda),
        )
        .await,
    );
    let v = app
        .gql(
            "query($c: ID!) { budgetCeilings(cycleId: $c) { amount } }",
            json!({ "c": cycle.id }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(v["data"]["budgetCeilings"], json!([]), "{v}");
    use mufakat_store::entity::audit_event as ae;
    use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let events = ae::Entity::find()
        .filter(ae::Column::Workflow.eq("system.budget"))
        .all(&app.state.db)
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.transition.as_str()).collect();
    assert_eq!(kinds, ["set_ceiling", "set_ceiling", "remove_ceiling"]);
    assert!(
        events[1].input.contains("\"before\":\"900000\""),
        "the correction keeps the amount before: {}",
        events[1].input
    );
    assert_eq!(events[2].comment.as_deref(), Some("pagu belum disahkan"));

    set_ceiling(&app, &bappeda, &cycle.id, &kota, "1000000").await;
    let v = app
        .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY", "completion": "add1" } }), Some(&bappeda))
        .await;
    assert_eq!(error_fields(&v), ["completion"], "{v}");
    let v = app
        .gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "GREEDY" } }), Some(&bappeda))
        .await;
    assert_ok(&v);
    let run = v["data"]["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ok(
        &app.gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { id } }",
            json!({ "r": run }),
            Some(&bappeda),
        )
        .await,
    );
    let v = app
        .gql("mutation($c: ID!, $r: ID!) { setBudgetCeiling(cycleId: $c, regionId: $r, amount: \"2000000\") { id } }", json!({ "c": cycle.id, "r": kota }), Some(&bappeda))
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let v = app
        .gql(
            remove,
            json!({ "c": cycle.id, "r": kota, "why": "x" }),
            Some(&bappeda),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
}
