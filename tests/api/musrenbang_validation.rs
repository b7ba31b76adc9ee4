//! Mistakes are said, not swallowed: unknown filters, a criterion scored twice, a comment
//! reported twice by one person; score messages in one language.

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{act, phase_after, proposal_in_voting};

const SCORE: &str = "mutation($id: ID!, $s: [CriterionScore!]!) { scoreProposal(proposalId: $id, scores: $s) { score } }";

#[tokio::test]
async fn unknown_statuses_and_workflows_are_refused_rather_than_listed_empty() {
    let app = spawn_app().await;
    let v = app
        .gql(
            "{ proposals(filter: { status: \"diterima\" }) { nodes { id } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert_eq!(error_fields(&v), ["filter.status"]);
    let v = app
        .gql(
            "{ proposals(filter: { status: \"submitted\" }) { nodes { id } } }",
            json!({}),
            None,
        )
        .await;
    assert_ok(&v);
    let admin = app.login("admin").await;
    for (vars, field) in [
        (json!({ "w": "pengaduan" }), "workflow"),
        (json!({ "w": "lapor-complaint", "s": "done" }), "stateName"),
    ] {
        let v = app
            .gql(
                "query($w: String, $s: String) { cases(workflow: $w, stateName: $s) { id } }",
                vars,
                Some(&admin),
            )
            .await;
        assert_eq!(error_fields(&v), [field], "{v}");
    }
    let v = app
        .gql(
            "query($w: String, $s: String) { cases(workflow: $w, stateName: $s) { id } }",
            json!({ "w": "lapor-complaint", "s": "routed" }),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
}

#[tokio::test]
async fn a_criterion_scored_twice_is_refused_and_score_errors_speak_one_language() {
    let app = spawn_app().await;
    let (cycle, siti, p) = proposal_in_voting(&app, "Jalan lingkungan").await;
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    let lurah = app.login("lurah.mekarsari").await;
    assert_ok(&act(&app, &lurah, &p, "VERIFY", json!({}), None).await);
    let all = |u: i64| json!([{ "key": "urgency", "value": u }, { "key": "beneficiaries", "value": 4 }, { "key": "alignment", "value": 4 }, { "key": "feasibility", "value": 3 }]);
    let mut twice = all(5);
    twice
        .as_array_mut()
        .unwrap()
        .push(json!({ "key": "urgency", "value": 1 }));
    let v = app
        .gql(SCORE, json!({ "id": p, "s": twice }), Some(&lurah))
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("dinilai dua kali"),
        "{v}"
    );
    // Missing and unknown criteria, in Indonesian only (and in English only on request).
    let v = app
        .gql(
            SCORE,
            json!({ "id": p, "s": [{ "key": "urgency", "value": 5 }] }),
            Some(&lurah),
        )
        .await;
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("belum dinilai") && !m.contains("missing"), "{m}");
    let (_, v) = app
        .post(
            json!({ "query": SCORE, "variables": { "id": p, "s": [{ "key": "biaya", "value": 5 }] } }),
            Some(&lurah),
            Some("en"),
        )
        .await;
    let m = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("has no criterion") && !m.contains("Kriteria"),
        "{m}"
    );
    assert_ok(
        &app.gql(SCORE, json!({ "id": p, "s": all(5) }), Some(&lurah))
            .await,
    );
    let _ = siti;
}

#[tokio::test]
async fn one_person_reports_a_comment_once() {
    let app = spawn_app().await;
    let (_cycle, siti, p) = proposal_in_voting(&app, "Taman bermain").await;
    let c = app
        .gql(
            "mutation($id: ID!) { addComment(proposalId: $id, body: \"Setuju sekali\") { id } }",
            json!({ "id": p }),
            Some(&siti),
        )
        .await;
    let cid = c["data"]["addComment"]["id"].as_str().unwrap().to_owned();
    let report = "mutation($id: ID!) { reportComment(commentId: $id) { reports } }";
    let budi = crate::musrenbang::many_residents(&app, "35.99.01.1001", 2).await;
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[0])).await;
    assert_eq!(v["data"]["reportComment"]["reports"], 1);
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[0])).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let v = app.gql(report, json!({ "id": cid }), Some(&budi[1])).await;
    assert_eq!(
        v["data"]["reportComment"]["reports"], 2,
        "another person's report counts"
    );
}

/// Cost errors name the field that is wrong, in one language; an amount with too many digits
/// says so.
#[tokio::test]
async fn cost_errors_name_their_field_in_one_language() {
    let app = spawn_app().await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let base = |extra: serde_json::Value| {
        let mut i = json!({ "cycleId": cycle.id, "title": "Jalan", "description": "Rusak", "category": "infrastruktur", "volume": "2", "unit": "m", "unitPrice": "1000" });
        for (k, v) in extra.as_object().unwrap() {
            i[k] = v.clone();
        }
        json!({ "i": i })
    };
    for (extra, field, words) in [
        (
            json!({ "unitPrice": "-5" }),
            "unitPrice",
            "Harga satuan tidak boleh negatif",
        ),
        (
            json!({ "volume": "0" }),
            "volume",
            "Volume harus lebih dari nol",
        ),
        (
            json!({ "unitPrice": "12345678901234567890" }),
            "unitPrice",
            "paling banyak 16 angka",
        ),
        (
            json!({ "unitPrice": "10.005" }),
            "unitPrice",
            "dua angka desimal",
        ),
        (
            json!({ "volume": "99999999999", "unitPrice": "99999999999" }),
            "volume",
            "terlalu besar",
        ),
        (
            json!({ "costOverride": "-1", "costOverrideReason": "survei" }),
            "costOverride",
            "tidak boleh negatif",
        ),
        (
            json!({ "costOverride": "5000" }),
            "costOverrideReason",
            "memerlukan alasan",
        ),
    ] {
        let v = app
            .gql(crate::musrenbang::CREATE, base(extra.clone()), Some(&siti))
            .await;
        assert_eq!(
            error_code(&v).as_deref(),
            Some("VALIDATION"),
            "{extra}: {v}"
        );
        assert_eq!(error_fields(&v), [field], "{extra}: {v}");
        let msg = v["errors"][0]["extensions"]["fields"][0]["message"]
            .as_str()
            .unwrap();
        assert!(msg.contains(words), "{extra}: {msg}");
        assert!(!msg.contains("must"), "one language: {msg}");
    }
}

/// A resident who names a staff source is told, not silently changed into a resident's.
#[tokio::test]
async fn a_staff_source_from_a_resident_is_refused() {
    let app = spawn_app().await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let i = json!({ "cycleId": cycle.id, "title": "Jalan", "description": "Rusak", "category": "infrastruktur", "volume": "2", "unit": "m", "unitPrice": "1000", "source": "pokir_dprd" });
    let v = app
        .gql(crate::musrenbang::CREATE, json!({ "i": i }), Some(&siti))
        .await;
    assert_eq!(error_fields(&v), ["source"], "{v}");
    let mut i = i;
    i["source"] = json!("resident");
    assert_ok(
        &app.gql(crate::musrenbang::CREATE, json!({ "i": i }), Some(&siti))
            .await,
    );
}

/// A kota has one open cycle per year; `currentMusrenbangCycle` finds it from a kelurahan.
#[tokio::test]
async fn one_open_cycle_per_kota_and_year_found_from_a_kelurahan() {
    let app = spawn_app().await;
    let kel = app.region_id("35.99.01.1001").await;
    let q = "query($r: ID!) { currentMusrenbangCycle(regionId: $r) { id year phase } }";
    let v = app.gql(q, json!({ "r": kel }), None).await;
    assert_ok(&v);
    assert!(v["data"]["currentMusrenbangCycle"].is_null(), "{v}");
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let v = app.gql(q, json!({ "r": kel }), None).await;
    assert_eq!(v["data"]["currentMusrenbangCycle"]["id"], cycle.id.as_str());
    assert_eq!(v["data"]["currentMusrenbangCycle"]["phase"], "submission");
    let v = app.gql(q, json!({ "r": "999999" }), None).await;
    assert_eq!(error_code(&v).as_deref(), Some("VALIDATION"), "{v}");

    let bappeda = app.login("bappeda").await;
    let kota = app.region_id("35.99").await;
    let now = app.now();
    let at = |d: i64| (now + chrono::Duration::days(d)).to_rfc3339();
    let second = |year: i64| {
        json!({ "i": {
        "name": "RKPD kedua", "year": year, "regionId": kota, "maxVotesPerVoter": 2,
        "windows": { "submissionOpens": at(1), "votingOpens": at(10), "kelurahanOpens": at(20),
                     "kecamatanOpens": at(30), "kotaOpens": at(40), "closesAt": at(50) } } })
    };
    let create = "mutation($i: CreateCycleInput!) { createMusrenbangCycle(input: $i) { id } }";
    let v = app.gql(create, second(2027), Some(&bappeda)).await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RKPD 2027"),
        "names the open cycle: {v}"
    );
    // Another year is another cycle; the running one stays current.
    assert_ok(&app.gql(create, second(2028), Some(&bappeda)).await);
    let v = app.gql(q, json!({ "r": kel }), None).await;
    assert_eq!(v["data"]["currentMusrenbangCycle"]["id"], cycle.id.as_str());
}

/// A workflow's `region` field takes only regions that exist; a refused action names the
/// states by their titles.
#[tokio::test]
async fn region_fields_refuse_unknown_regions_and_refusals_use_titles() {
    let app = spawn_app().await;
    let siti = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let start = "mutation($r: ID!, $i: JSON!) { startCase(workflow: \"perizinan\", regionId: $r, input: $i) { id } }";
    let permit = |region: &str| json!({ "permit_type": "reklame", "applicant_name": "Siti", "address": "Jl. Melati 5", "documents": "berkas", "activity_region": region });
    for bad in ["999999", "kelurahan saya"] {
        let v = app
            .gql(start, json!({ "r": kel, "i": permit(bad) }), Some(&siti))
            .await;
        assert_eq!(error_fields(&v), ["activity_region"], "{bad}: {v}");
    }
    let v = app
        .gql(start, json!({ "r": kel, "i": permit(&kel) }), Some(&siti))
        .await;
    assert_ok(&v);
    let case = v["data"]["startCase"]["id"].as_str().unwrap().to_owned();
    let opd = app.login("opd.dinaspu").await;
    let v = app
        .gql(
            "mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"approve\") { id } }",
            json!({ "id": case }),
            Some(&opd),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("CONFLICT"), "{v}");
    let msg = v["errors"][0]["message"].as_str().unwrap();
    assert!(!msg.contains('`'), "titles, not names: {msg}");
    assert!(msg.contains("\u{201c}Diajukan\u{201d}"), "{msg}");
}
