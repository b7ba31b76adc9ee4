//! Documents one can sign and file: each level's list keeps what its forum agreed after the
//! proposals moved up; a forum's record (place, agenda, notes, attendance) and the officials
//! appointed for the region (name and NIP) are printed in its berita acara; the priority list
//! and an adopted allocation are public PDFs; a report's errors say what is wrong.

use serde_json::json;

use crate::allocation::{kota_forum, set_ceiling, RUN};
use crate::helpers::*;
use crate::reports::pdftotext;

const APPOINT: &str = "mutation($r: ID!, $o: String!, $u: String!, $n: String!, $p: String!) { appointSignatory(regionId: $r, office: $o, username: $u, nip: $n, position: $p) { office name nip position } }";
const RECORD: &str = "mutation($i: ForumRecordInput!) { recordForum(input: $i) { place agenda attendance { name signs } } }";
const LIST: &str = "query($c: ID!, $r: ID!, $l: String!) { priorityList(cycleId: $c, regionId: $r, level: $l) { rank agreed proposal { title status } } }";

/// GET a report: (status, body).
async fn get(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Vec<u8>) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn code_of(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_kelurahan_berita_acara_after_the_proposals_moved_up_is_signed_by_name() {
    let app = spawn_app().await;
    let (cycle, _ids, _kota, _taman) = kota_forum(&app, true).await;
    let admin = app.login("admin").await;
    let lurah = app.login("lurah.mekarsari").await;
    let siti = app.login("warga.siti").await;
    let kel = app.region_id("35.99.01.1001").await;
    let kec = app.region_id("35.99.01").await;

    // Each level's list keeps what its forum agreed.
    let v = app
        .gql(
            LIST,
            json!({ "c": cycle.id, "r": kel, "l": "kelurahan" }),
            None,
        )
        .await;
    let items = v["data"]["priorityList"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(items.len(), 4, "{v}");
    assert!(items.iter().all(|i| i["agreed"] == true), "{v}");
    assert!(
        items
            .iter()
            .any(|i| i["proposal"]["status"] == "not_accommodated"),
        "what became of each is shown: {v}"
    );
    let v = app
        .gql(
            LIST,
            json!({ "c": cycle.id, "r": kec, "l": "kecamatan" }),
            None,
        )
        .await;
    let titles: Vec<&str> = v["data"]["priorityList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["proposal"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "the kecamatan left Taman out: {v}");
    assert!(!titles.contains(&"Taman"), "{v}");

    // Officials are appointed by admins, with their NIP, from the staff of the region.
    let appoint = |office: &str, user: &str, nip: &str| json!({ "r": kel, "o": office, "u": user, "n": nip, "p": "Lurah Mekarsari" });
    for (vars, field) in [
        (
            appoint("camat", "lurah.mekarsari", "197005121995031002"),
            "office",
        ),
        (
            appoint("lurah", "lurah.mekarsari", "1970051219950310"),
            "nip",
        ),
        (
            appoint("lurah", "warga.siti", "197005121995031002"),
            "username",
        ),
    ] {
        let v = app.gql(APPOINT, vars, Some(&admin)).await;
        assert_eq!(error_fields(&v), [field], "{v}");
    }
    let v = app
        .gql(
            APPOINT,
            appoint("lurah", "lurah.mekarsari", "19700512 199503 1 002"),
            Some(&lurah),
        )
        .await;
    assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    let v = app
        .gql(
            APPOINT,
            appoint("lurah", "lurah.mekarsari", "19700512 199503 1 002"),
            Some(&admin),
        )
        .await;
    assert_ok(&v);
    assert_eq!(v["data"]["appointSignatory"]["nip"], "197005121995031002");
    let v = app
        .gql(
            "query($r: ID!) { signatories(regionId: $r) { office name position } }",
            json!({ "r": kel }),
            None,
        )
        .await;
    assert_eq!(
        v["data"]["signatories"][0]["name"], "Lurah Mekarsari",
        "{v}"
    );

    // The forum's record, by its staff.
    let forum = json!({ "i": { "cycleId": cycle.id, "regionId": kel, "heldOn": "2027-02-03", "time": "09.00 – 12.00 WIB",
        "place": "Aula Kelurahan Mekarsari", "agenda": ["Pembukaan", "Pemaparan usulan warga", "Penetapan prioritas"],
        "notes": ["Forum sepakat mendahulukan jalan lingkungan."],
        "attendance": [{ "name": "Sri Wahyuni", "role": "Notulis", "signs": true }, { "name": "Pak Darto", "role": "Wakil warga RW 05", "signs": true }, { "name": "Bu Ani", "role": "Ketua RT 03" }] } });
    for tok in [&siti, &app.login("lurah.harapanjaya").await] {
        let v = app.gql(RECORD, forum.clone(), Some(tok)).await;
        assert_eq!(error_code(&v).as_deref(), Some("FORBIDDEN"), "{v}");
    }
    let mut empty_place = forum.clone();
    empty_place["i"]["place"] = json!(" ");
    assert_eq!(
        error_fields(&app.gql(RECORD, empty_place, Some(&lurah)).await),
        ["place"]
    );
    assert_ok(&app.gql(RECORD, forum.clone(), Some(&lurah)).await);
    let v = app.gql("query($c: ID!, $r: ID!) { forumRecord(cycleId: $c, regionId: $r) { place attendance { name } } }", json!({ "c": cycle.id, "r": kel }), None).await;
    assert_eq!(
        v["data"]["forumRecord"]["place"], "Aula Kelurahan Mekarsari",
        "{v}"
    );
    // Saved again (a correction), it keeps its number; staff may give their register's own.
    assert_ok(&app.gql(RECORD, forum.clone(), Some(&lurah)).await);
    let q = "query($c: ID!, $r: ID!) { forumRecord(cycleId: $c, regionId: $r) { number } }";
    let v = app.gql(q, json!({ "c": cycle.id, "r": kel }), None).await;
    assert_eq!(
        v["data"]["forumRecord"]["number"], "001/BA-MUSRENBANG/KEL/II/2027",
        "{v}"
    );

    // The berita acara: staff only; printed from the record, the agreed list and the signatories.
    let path = format!("/reports/berita-acara?cycleId={}&regionId={kel}", cycle.id);
    assert_eq!(get(&app, &path, None).await.0, 401);
    assert_eq!(get(&app, &path, Some(&siti)).await.0, 403);
    let (status, pdf) = get(&app, &path, Some(&lurah)).await;
    assert_eq!(status, 200);
    if let Some(text) = pdftotext(&pdf) {
        for s in [
            "Aula Kelurahan Mekarsari",
            "Rabu, 3 Februari 2027",
            "Nomor: 001/BA-MUSRENBANG/KEL/II/2027",
            "Pemaparan usulan warga",
            "mendahulukan jalan",
            "JUMLAH (4 usulan)",
            "Lurah Mekarsari",
            "NIP 19700512 199503 1 002",
            "Sri Wahyuni",
            "Wakil warga RW 05",
            "3 orang",
            "Jalan",
            "Taman",
        ] {
            assert!(text.contains(s), "missing {s:?} in {text}");
        }
        assert!(
            !text.contains("......"),
            "no dotted lines once appointed: {text}"
        );
    }
    let (_, pdf) = get(&app, &format!("{path}&lang=en"), Some(&lurah)).await;
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("TOTAL (4 proposals)"), "{text}");
        assert!(
            text.contains("Wednesday, 3 February 2027") || text.contains("February"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn report_errors_say_what_is_wrong_before_who_asks() {
    let app = spawn_app().await;
    let siti = app.login("warga.siti").await;
    let auditor = app.login("inspektorat").await;
    let kel = app.region_id("35.99.01.1001").await;
    for (path, token, status, code) in [
        (
            "/reports/priority-list".to_string(),
            Some(siti.as_str()),
            400,
            "VALIDATION",
        ),
        (
            format!("/reports/priority-list?regionId={kel}"),
            None,
            400,
            "VALIDATION",
        ),
        (
            format!("/reports/priority-list?cycleId=999&regionId={kel}"),
            None,
            404,
            "NOT_FOUND",
        ),
        (
            format!("/reports/priority-list?cycleId=999&regionId={kel}&level=rw"),
            None,
            400,
            "VALIDATION",
        ),
        (
            "/reports/allocation".to_string(),
            Some(siti.as_str()),
            400,
            "VALIDATION",
        ),
        (
            "/reports/allocation?runId=999".to_string(),
            None,
            404,
            "NOT_FOUND",
        ),
        (
            "/reports/berita-acara?cycleId=999&regionId=1".to_string(),
            Some(siti.as_str()),
            404,
            "NOT_FOUND",
        ),
        (
            "/reports/service-levels".to_string(),
            Some(auditor.as_str()),
            400,
            "VALIDATION",
        ),
        (
            "/reports/audit-trail?workflow=lapor-complaint&instanceId=99999".to_string(),
            Some(auditor.as_str()),
            404,
            "NOT_FOUND",
        ),
    ] {
        let (s, body) = get(&app, &path, token).await;
        assert_eq!(
            (s, code_of(&body).as_str()),
            (status, code),
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
}

#[tokio::test]
async fn an_adopted_allocation_is_a_public_pdf_signed_by_the_kepala_bappeda() {
    let app = spawn_app().await;
    let (cycle, _ids, kota, _) = kota_forum(&app, false).await;
    let bappeda = app.login("bappeda").await;
    let admin = app.login("admin").await;
    set_ceiling(&app, &bappeda, &cycle.id, &kota, "1000000").await;
    let v = app.gql(RUN, json!({ "i": { "cycleId": cycle.id, "regionId": kota, "level": "kota", "rule": "MES" } }), Some(&bappeda)).await;
    assert_ok(&v);
    let run = v["data"]["runAllocation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/reports/allocation?runId={run}");
    // A run not adopted is a planners' draft.
    assert_eq!(get(&app, &path, None).await.0, 401);
    let (status, pdf) = get(&app, &path, Some(&bappeda)).await;
    assert_eq!(status, 200);
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("DRAF"), "{text}");
        assert!(
            text.contains("Metode Bagi Rata"),
            "the rule by its name: {text}"
        );
    }
    assert_ok(&app.gql(APPOINT, json!({ "r": kota, "o": "kepala_bappeda", "u": "bappeda", "n": "198001012005011001", "p": "Kepala Bappeda Kota Mufakat" }), Some(&admin)).await);
    assert_ok(
        &app.gql(
            "mutation($r: ID!) { adoptAllocation(runId: $r) { id } }",
            json!({ "r": run }),
            Some(&bappeda),
        )
        .await,
    );
    let (status, pdf) = get(&app, &format!("{path}&lang=en"), None).await;
    assert_eq!(status, 200, "adopted: public");
    if let Some(text) = pdftotext(&pdf) {
        for s in [
            "ADOPTED",
            "Method of Equal Shares",
            "Kepala Bappeda Kota Mufakat",
            "NIP 19800101 200501 1 001",
        ] {
            assert!(text.contains(s), "missing {s:?} in {text}");
        }
        assert!(!text.contains("usulan"), "English throughout: {text}");
    }
    // The kota's berita acara is the kota forum's, signed by its officials.
    let (status, pdf) = get(
        &app,
        &format!("/reports/berita-acara?cycleId={}&regionId={kota}", cycle.id),
        Some(&bappeda),
    )
    .await;
    assert_eq!(status, 200);
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("KOTA MUFAKAT"), "{text}");
        assert!(!text.contains("Musrenbang Kelurahan"), "{text}");
        assert!(text.contains("Kepala Bappeda Kota Mufakat"), "{text}");
    }
}

#[tokio::test]
async fn appointing_signatories_and_recording_forums_for_every_role() {
    use crate::musrenbang_authz::{matrix, Tokens};
    use crate::policy::Rule;
    let app = spawn_app().await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let tokens = Tokens::sign_in_all(&app).await;
    let kel = app.region_id("35.99.01.1001").await;
    matrix(&app, "appointSignatory", &tokens, Rule::Policy(mufakat_kernel::authz::perms::SIGNATORY_APPOINT, &kel), &["admin"], |tok| {
        app.gql(APPOINT, json!({ "r": kel, "o": "lurah", "u": "lurah.mekarsari", "n": "197005121995031002", "p": "Lurah Mekarsari" }), Some(tok))
    })
    .await;
    matrix(&app, "recordForum", &tokens, Rule::Policy(mufakat_module_musrenbang::perms::FORUM_RECORD, &kel), &["lurah.mekarsari", "camat.sukamaju", "bappeda", "admin"], |tok| {
        app.gql(RECORD, json!({ "i": { "cycleId": cycle.id, "regionId": kel, "heldOn": "2027-02-03", "place": "Aula" } }), Some(tok))
    })
    .await;
}

/// With `[letterhead]` configured, the documents carry the kop surat: the government, the
/// issuing office (the kelurahan's own, or the kota's configured office and address) and the
/// logo image.
#[tokio::test]
async fn documents_carry_the_configured_letterhead_and_logo() {
    let logo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/fixtures/logo.png");
    let app = spawn_app_configured(true, move |s| {
        s.letterhead = Some(mufakat_server::LetterheadSettings {
            government: "Pemerintah Kota Mufakat".into(),
            office: "Badan Perencanaan Pembangunan Daerah".into(),
            address: Some("Jl. Merdeka No. 1, Mufakat".into()),
            logo: Some(logo),
        });
    })
    .await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let kel = app.region_id("35.99.01.1001").await;
    let kota = app.region_id("35.99").await;
    for (region, office, address) in [
        (&kel, "KELURAHAN MEKARSARI", false),
        (&kota, "BADAN PERENCANAAN PEMBANGUNAN DAERAH", true),
    ] {
        let (status, pdf) = get(
            &app,
            &format!(
                "/reports/priority-list?cycleId={}&regionId={region}",
                cycle.id
            ),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let Some(text) = pdftotext(&pdf) else {
            continue;
        };
        assert!(
            text.contains("PEMERINTAH KOTA MUFAKAT") && text.contains(office),
            "{text}"
        );
        assert_eq!(text.contains("Jl. Merdeka No. 1"), address, "{text}");
        assert!(
            text.contains("Daftar Prioritas Usulan"),
            "the title opens the body: {text}"
        );
        let path = std::env::temp_dir().join(format!(
            "mufakat-logo-{}.pdf",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, &pdf).unwrap();
        if let Ok(out) = std::process::Command::new("pdfimages")
            .arg("-list")
            .arg(&path)
            .output()
        {
            let list = String::from_utf8_lossy(&out.stdout);
            assert!(
                list.lines()
                    .any(|l| l.contains(" 8 ") && l.contains("image")),
                "the logo is embedded: {list}"
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// Anonymous downloads are rendered anew and not recorded: each client address gets
/// `public_reports_max_per_ip` of them per window, then `RATE_LIMITED`; signed-in ones go on.
#[tokio::test]
async fn anonymous_pdf_downloads_are_limited_per_address() {
    let app = spawn_app_configured(true, |s| s.public_reports_max_per_ip = 2).await;
    let cycle = crate::musrenbang::create_cycle(&app).await;
    let kel = app.region_id("35.99.01.1001").await;
    let path = format!(
        "/reports/priority-list?cycleId={}&regionId={kel}&level=kelurahan",
        cycle.id
    );
    for _ in 0..2 {
        assert_eq!(get(&app, &path, None).await.0, 200);
    }
    let (status, body) = get(&app, &path, None).await;
    assert_eq!(status, 429);
    assert_eq!(code_of(&body), "RATE_LIMITED");
    let lurah = app.login("lurah.mekarsari").await;
    assert_eq!(
        get(&app, &path, Some(&lurah)).await.0,
        200,
        "signed in: recorded, not limited"
    );
}
