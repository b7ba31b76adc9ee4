//! PDF reports over HTTP and from the CLI; every generation is in the audit trail.

use serde_json::json;

use crate::helpers::*;
use crate::musrenbang::{act, create_cycle, phase_after, propose};

/// The PDF's text by poppler's `pdftotext -layout`; `None` when poppler is not installed.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!(
        "mufakat-report-{}.pdf",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .ok();
    let _ = std::fs::remove_file(&path);
    let out = out?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn a_priority_list_pdf_for_anyone_recorded_in_the_audit_trail_when_signed_in() {
    let app = spawn_app().await;
    let cycle = create_cycle(&app).await;
    let siti = app.login("warga.siti").await;
    let lurah = app.login("lurah.mekarsari").await;
    let mut ids = vec![];
    for (t, price) in [
        ("Perbaikan jalan Gang Mawar", "1250000"),
        ("Drainase RT 05", "2500000.50"),
    ] {
        let id = propose(&app, &siti, &cycle.id, t, "2", price).await["data"]["createProposal"]
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ok(&act(&app, &siti, &id, "SUBMIT", json!({}), None).await);
        ids.push(id);
    }
    assert_eq!(
        phase_after(&app, &cycle, 20).await,
        "kelurahan_deliberation"
    );
    for id in &ids {
        assert_ok(&act(&app, &lurah, id, "VERIFY", json!({}), None).await);
    }
    let kel = app.region_id("35.99.01.1001").await;
    let url = app.url(&format!(
        "/reports/priority-list?cycleId={}&regionId={kel}",
        cycle.id
    ));
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&lurah)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let sha = resp.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("Perbaikan jalan Gang Mawar"), "{text}");
        assert!(text.contains("Rp 2.500.000,00"), "{text}");
        assert!(text.contains("Rp 5.000.001,00"), "{text}");
        assert!(text.contains("Rp 7.500.001,00"), "total: {text}");
        assert!(text.contains("Halaman 1 dari 1"), "{text}");
    } else {
        eprintln!("pdftotext not installed; text checks skipped");
    }
    // The priority list is public data: residents and anyone may download it; a bad token is
    // refused; an unknown kind is not found.
    for token in [Some(siti.as_str()), None] {
        let mut req = app.client.get(&url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), 200);
    }
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        app.client
            .get(app.url("/reports/nope"))
            .bearer_auth(&lurah)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // The generation is in the trail with the PDF's hash.
    let rows = mufakat_store::repo::audit::page(&app.state.db, 0, 10_000)
        .await
        .unwrap();
    let ev = rows
        .iter()
        .rev()
        .find(|e| e.workflow == "system.reports")
        .expect("report event");
    assert_eq!(ev.instance_id, "priority-list");
    assert!(ev.input.contains(&sha), "{}", ev.input);
    app.assert_trail_verifies().await;
}

#[tokio::test]
async fn auditors_get_the_audit_trail_report_in_english() {
    let app = spawn_app().await;
    let auditor = app.login("inspektorat").await;
    let lurah = app.login("lurah.mekarsari").await;
    let _ = create_cycle(&app).await;
    mufakat_server::notary::checkpoint(&app.state.db, &app.state.notary, chrono::Utc::now())
        .await
        .unwrap();
    let url = app.url("/reports/audit-trail?lang=en");
    assert_eq!(
        app.client
            .get(&url)
            .bearer_auth(&lurah)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let pdf = resp.bytes().await.unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(text.contains("Audit Trail"), "{text}");
        assert!(text.contains("musrenbang-siklus"), "{text}");
        assert!(
            text.contains(&app.state.notary.signer.public_key_hex()[..16]),
            "public key shown: {text}"
        );
    }
}

#[test]
fn the_cli_renders_an_allocation_report_from_a_pb_file() {
    let dir = std::env::temp_dir().join(format!("mufakat-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let pb = dir.join("e.pb");
    std::fs::write(
        &pb,
        "META\nkey;value\ndescription;Uji\nnum_projects;3\nnum_votes;3\nbudget;1000\nvote_type;approval\nunit;Kota Mufakat\n\
         PROJECTS\nproject_id;cost;name\n1;600;Jalan desa\n2;500;Drainase\n3;400;Posyandu\n\
         VOTES\nvoter_id;vote\nv1;1,3\nv2;1\nv3;2,3\n",
    )
    .unwrap();
    let out = dir.join("alloc.pdf");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["--data-dir"])
        .arg(dir.join("data"))
        .args(["--database-url"])
        .arg(format!("sqlite://{}", dir.join("data/m.sqlite").display()))
        .args(["report", "allocation"])
        .arg(&pb)
        .args(["--rule", "greedy", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pdf = std::fs::read(&out).unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(
            text.contains("Jalan desa") && text.contains("Posyandu"),
            "{text}"
        );
        assert!(text.contains("Rp 1.000,00"), "{text}");
    }
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["report", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for kind in ["berita-acara", "priority-list", "allocation", "audit-trail"] {
        assert!(help.contains(kind), "{help}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
