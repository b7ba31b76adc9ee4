//! Size and character limits on what people type (#26, minor): a cycle only at a kota, in a
//! plausible year, with a bounded list of categories; proposal fields bounded; no control
//! characters in comments; `pbExport` only for a level that has a list.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, propose};

fn first_field(v: &Value) -> String {
    v["errors"][0]["extensions"]["fields"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn cycles_proposals_comments_and_exports_refuse_what_no_one_would_type() {
    let app = spawn_app().await;
    let bappeda = app.login("bappeda").await;
    let kota = app.region_id("35.99").await;
    let kecamatan = app.region_id("35.99.01").await;
    let now = app.now();
    let at = |d: i64| (now + Duration::days(d)).to_rfc3339();
    let cycle = |region: &str, year: i32, kota_opens: String, categories: Vec<String>| {
        json!({ "i": {
            "name": "RKPD", "year": year, "regionId": region, "categories": categories,
            "windows": { "submissionOpens": at(1), "votingOpens": at(10), "kelurahanOpens": at(20),
                         "kecamatanOpens": at(30), "kotaOpens": kota_opens, "closesAt": at(50) } } })
    };
    let create = |v: Value| {
        let (app, bappeda) = (&app, &bappeda);
        async move {
            app.gql(
                "mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id } }",
                v,
                Some(bappeda),
            )
            .await
        }
    };
    let cats = || vec!["infrastruktur".to_owned()];
    let year = (now + Duration::days(40))
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    // At a kecamatan: refused, naming the region.
    let v = create(cycle(&kecamatan, year, at(40), cats())).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(first_field(&v), "regionId");
    // Year 9999, or a window in the year 9999.
    let v = create(cycle(&kota, 9999, at(40), cats())).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    let v = create(cycle(&kota, year, "9999-01-01T00:00:00Z".into(), cats())).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    // 20,000 categories.
    let many: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
    let v = create(cycle(&kota, year, at(40), many)).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(first_field(&v), "settings.categories");

    // Proposal fields: a unit, RT/RW or OPD of hundreds of kilobytes is refused.
    let c = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let long = "x".repeat(300_000 / 10);
    for (field, input) in [
        ("unit", json!({ "unit": long })),
        ("rtRw", json!({ "rtRw": long })),
        ("targetOpd", json!({ "targetOpd": long })),
    ] {
        let mut i = json!({ "cycleId": c.id, "title": "Jalan", "description": "Rusak", "category": "infrastruktur",
                            "volume": "10", "unit": "m", "unitPrice": "1000" });
        for (k, v) in input.as_object().unwrap() {
            i[k] = v.clone();
        }
        let v = app
            .gql(
                "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }",
                json!({ "i": i }),
                Some(&siti),
            )
            .await;
        assert_eq!(
            error_code(&v).as_deref(),
            Some("VALIDATION"),
            "{field}: {v}"
        );
        assert_eq!(first_field(&v), field);
    }

    // A transition's comment with control characters (a terminal escape) is refused; line
    // breaks are fine.
    let p = propose(&app, &siti, &c.id, "Drainase", "5", "1000").await;
    let pid = p["data"]["createProposal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = act(&app, &siti, &pid, "SUBMIT", json!({}), Some("ok \u{1b}[2J")).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(first_field(&v), "comment");
    assert_ok(
        &act(
            &app,
            &siti,
            &pid,
            "SUBMIT",
            json!({}),
            Some("baris satu\nbaris dua"),
        )
        .await,
    );

    // pbExport writes only a level that has a list.
    let v = app
        .gql(
            "query($c: ID!, $r: ID!) { pbExport(cycleId: $c, regionId: $r, level: \"kota\\nbudget;999\") }",
            json!({ "c": c.id, "r": kota }),
            None,
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(first_field(&v), "level");
}
