//! End-to-end checks on the generated PDFs through poppler's `pdftotext -layout` and
//! `pdfinfo`. Each test prints a message and returns early when poppler-utils is missing
//! (`apt-get install -y poppler-utils`).

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mufakat_reports::layout::{Column, DocInfo, PageSetup, Report, Table};
use mufakat_reports::{samples, Lang, Money};

fn have_poppler() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !ok {
        eprintln!("SKIPPED: pdftotext/pdfinfo not found (apt-get install -y poppler-utils)");
    }
    ok
}

static N: AtomicUsize = AtomicUsize::new(0);

fn write_tmp(bytes: &[u8]) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!(
        "mufakat-reports-test-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The text of each page (`pdftotext -layout`, split at form feeds).
fn pages(bytes: &[u8]) -> Vec<String> {
    let p = write_tmp(bytes);
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&p).ok();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut v: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if v.last().is_some_and(|s| s.trim().is_empty()) {
        v.pop();
    }
    v
}

fn pdfinfo(bytes: &[u8]) -> String {
    let p = write_tmp(bytes);
    let out = Command::new("pdfinfo").arg(&p).output().unwrap();
    std::fs::remove_file(&p).ok();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn page_count(bytes: &[u8]) -> usize {
    pdfinfo(bytes)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap()
}

fn assert_footers(pages: &[String], lang: Lang) {
    let n = pages.len();
    for (i, p) in pages.iter().enumerate() {
        let want = match lang {
            Lang::Id => format!("Halaman {} dari {n}", i + 1),
            Lang::En => format!("Page {} of {n}", i + 1),
        };
        assert!(p.contains(&want), "page {} lacks {want:?}", i + 1);
    }
}

#[test]
fn berita_acara_shows_the_session_the_priorities_totals_and_signatures() {
    if !have_poppler() {
        return;
    }
    let ba = samples::berita_acara(14);
    let pdf = mufakat_reports::berita_acara(&ba, Lang::Id).unwrap();
    let pages = pages(&pdf);
    assert_eq!(pages.len(), page_count(&pdf));
    assert!(
        pages.len() >= 2,
        "14 priorities with notes and signatures take two pages"
    );
    assert_footers(&pages, Lang::Id);
    let all = pages.concat();
    for s in [
        "BERITA ACARA",
        "KELURAHAN SUKAMAJU",
        "Nomor: 005/BA-MUSRENBANG/III/2026",
        "Kamis, 12 Maret 2026",
        "87 orang",
        "LOGO",
        "A. Acara",
        "Penetapan daftar prioritas",
        "Lurah Sukamaju",
        "Drs. Ahmad Suherman, M.Si.",
        "NIP 19700512 199503 1 002",
        "Notulis",
        "Siti Nurhaliza",
        "Bambang Wijaya",
        "Bandung, 12 Maret 2026",
        "Dibuat oleh Mufakat pada 14 Maret 2026 08:30 UTC",
    ] {
        assert!(all.contains(s), "missing {s:?}");
    }
    // Every cost, exactly as Money::to_rupiah() prints it, and the exact total.
    let mut total = Money::ZERO;
    for p in &ba.priorities {
        assert!(
            all.contains(&p.cost.to_rupiah()),
            "missing {}",
            p.cost.to_rupiah()
        );
        total = total.checked_add(p.cost).unwrap();
    }
    let votes: u64 = ba.priorities.iter().map(|p| p.votes).sum();
    let total_line = all
        .lines()
        .find(|l| l.contains("JUMLAH (14 usulan)"))
        .expect("totals row");
    assert!(total_line.contains(&total.to_rupiah()), "{total_line}");
    assert!(
        total_line.contains(&format!("{}.{:03}", votes / 1000, votes % 1000)),
        "{total_line}"
    );
    assert_eq!(total.to_rupiah(), "Rp 3.648.911.002,50");
    // The table header is repeated on the page the table continues on.
    let cont = pages.iter().skip(1).find(|p| p.contains("JUMLAH")).unwrap();
    assert!(cont.contains("Usulan kegiatan") && cont.contains("Biaya") && cont.contains("Skor"));
}

#[test]
fn berita_acara_in_english() {
    if !have_poppler() {
        return;
    }
    let pdf = mufakat_reports::berita_acara(&samples::berita_acara(5), Lang::En).unwrap();
    let pages = pages(&pdf);
    assert_footers(&pages, Lang::En);
    let all = pages.concat();
    for s in [
        "MINUTES",
        "Thursday, 12 March 2026",
        "Agreed priority list",
        "TOTAL (5 proposals)",
        "Generated by Mufakat",
    ] {
        assert!(all.contains(s), "missing {s:?}");
    }
    assert!(!all.contains("Halaman"));
    assert!(pdfinfo(&pdf).contains("Author:          Mufakat"));
}

#[test]
fn a_long_priority_list_splits_with_the_header_repeated_and_every_row_once() {
    if !have_poppler() {
        return;
    }
    let list = samples::priority_list(120);
    let pdf = mufakat_reports::priority_list(&list, Lang::Id).unwrap();
    let pages = pages(&pdf);
    let n = page_count(&pdf);
    assert_eq!(pages.len(), n);
    assert!(
        n >= 6,
        "120 rows and a 120-bar chart need several pages, got {n}"
    );
    assert_footers(&pages, Lang::Id);
    // Pages with table rows (before the chart heading) all start with the header row.
    let chart_page = pages
        .iter()
        .position(|p| p.contains("Perolehan suara"))
        .unwrap();
    assert!(chart_page >= 2);
    for (i, p) in pages.iter().enumerate().take(chart_page + 1) {
        let header = p.lines().find(|l| l.contains("Kumulatif"));
        assert!(
            header.is_some_and(|h| h.contains("Biaya") && h.contains("Suara")),
            "page {} lacks the table header",
            i + 1
        );
    }
    // Each rank starts exactly one row, in order.
    let mut ranks = vec![];
    for p in &pages[..=chart_page] {
        for l in p.lines() {
            let t = l.trim_start();
            if let Some(first) = t.split_whitespace().next() {
                if let Ok(r) = first.parse::<u32>() {
                    if t.contains("Rp ") {
                        ranks.push(r);
                    }
                }
            }
        }
    }
    assert_eq!(ranks, (1..=120).collect::<Vec<_>>());
    // Totals against the ceiling.
    let all = pages.concat();
    let ceiling = list.ceiling.unwrap();
    assert!(
        all.contains(&format!("Pagu indikatif       :   {}", ceiling.to_rupiah()))
            || all.contains(&ceiling.to_rupiah())
    );
    let sum: Money = list
        .items
        .iter()
        .fold(Money::ZERO, |a, i| a.checked_add(i.cost).unwrap());
    assert!(all
        .lines()
        .any(|l| l.contains("JUMLAH (120 usulan)") && l.contains(&sum.to_rupiah())));
    assert!(all.contains("Sisa pagu"));
    let mut cum = Money::ZERO;
    let mut within = Money::ZERO;
    for it in &list.items {
        cum = cum.checked_add(it.cost).unwrap();
        if cum > ceiling {
            break;
        }
        within = cum;
    }
    let remaining = Money::new(ceiling.amount() - within.amount()).unwrap();
    let line = all.lines().find(|l| l.contains("Sisa pagu")).unwrap();
    assert!(
        line.contains(&remaining.to_rupiah()),
        "{line} vs {}",
        remaining.to_rupiah()
    );
    assert!(all
        .lines()
        .any(|l| l.contains("Dalam pagu") && l.contains(&within.to_rupiah())));
    assert!(all.contains("Ya") && all.contains("Tidak"));
    assert!(
        pages[chart_page + 1..].concat().contains("120. "),
        "the chart continues on a new page"
    );
    assert!(
        pages.last().unwrap().contains("dalam pagu")
            && pages.last().unwrap().contains("di luar pagu"),
        "legend"
    );
}

#[test]
fn allocation_shows_rule_status_reasons_and_remaining() {
    if !have_poppler() {
        return;
    }
    let a = samples::allocation(20);
    let pdf = mufakat_reports::allocation(&a, Lang::Id).unwrap();
    let pages = pages(&pdf);
    assert_footers(&pages, Lang::Id);
    let all = pages.concat();
    let funded: Money = a
        .projects
        .iter()
        .filter(|p| p.funded)
        .fold(Money::ZERO, |s, p| s.checked_add(p.cost).unwrap());
    let remaining = Money::new(a.ceiling.amount() - funded.amount()).unwrap();
    for s in [
        "Method of Equal Shares (MES)".to_string(),
        "Kepuasan".into(),
        "biaya (cost)".into(),
        "1.843".into(),
        a.ceiling.to_rupiah(),
        funded.to_rupiah(),
        remaining.to_rupiah(),
        "Tidak".into(),
        "didanai".into(),
        "sisa pagu tidak cukup".into(),
        "pendukungnya kehabisan".into(),
    ] {
        assert!(all.contains(&s), "missing {s:?}");
    }
    assert!(all
        .lines()
        .any(|l| l.contains("JUMLAH DIDANAI") && l.contains(&funded.to_rupiah())));
    let en = pages_of(&mufakat_reports::allocation(&a, Lang::En).unwrap());
    assert!(en.contains("Not funded") && en.contains("Remaining") && en.contains("Page 1 of"));
}

fn pages_of(pdf: &[u8]) -> String {
    pages(pdf).concat()
}

#[test]
fn audit_trail_of_10000_events_is_small_and_complete() {
    if !have_poppler() {
        return;
    }
    let input = samples::audit_trail(10_000);
    let t0 = Instant::now();
    let pdf = mufakat_reports::audit_trail(&input, Lang::Id).unwrap();
    let took = t0.elapsed();
    let n = page_count(&pdf);
    println!(
        "audit trail: 10000 events -> {n} pages, {} bytes, {took:?} (debug build)",
        pdf.len()
    );
    // Compact rows: about 40 per landscape page; compressed streams keep it small.
    assert!((200..=300).contains(&n), "{n} pages");
    assert!(pdf.len() < 4 * 1024 * 1024, "{} bytes", pdf.len());
    let pages = pages(&pdf);
    assert_eq!(pages.len(), n);
    assert_footers(&pages, Lang::Id);
    for (i, p) in pages.iter().enumerate().skip(1) {
        assert!(
            p.contains("Hash sebelumnya") && p.contains("Transisi"),
            "page {} lacks the header row",
            i + 1
        );
    }
    let first = &pages[0];
    for s in [
        "UTUH",
        "OK: 10000 events, 1 checkpoint",
        "mufakat audit verify",
        "verify_export.py",
        "docs/audit-verification.md",
    ] {
        assert!(first.contains(s), "missing {s:?}");
    }
    let cp = input.checkpoint.as_ref().unwrap();
    assert!(first.contains(&cp.hash) && first.contains(&cp.public_key));
    let last = pages.last().unwrap();
    let e = input.events.last().unwrap();
    assert!(
        last.contains(&e.hash[..12]) && last.contains(&e.prev_hash[..12]) && last.contains("10000")
    );
}

#[test]
fn a_failed_verification_is_reported() {
    if !have_poppler() {
        return;
    }
    let mut input = samples::audit_trail(30);
    input.verification.ok = false;
    input.verification.first_bad_seq = Some(17);
    input.verification.message =
        "event 17: content does not match its hash (the event was altered)".into();
    input.checkpoint = None;
    let all = pages_of(&mufakat_reports::audit_trail(&input, Lang::En).unwrap());
    for s in [
        "FAILED",
        "First bad event",
        "event 17: content does not match",
        "No signed checkpoint yet.",
    ] {
        assert!(all.contains(s), "missing {s:?}");
    }
}

#[test]
fn a_row_taller_than_a_page_is_split_between_its_lines() {
    if !have_poppler() {
        return;
    }
    let at = samples::generated_at();
    let mut r = Report::new(
        DocInfo::new("Uji", "Kelurahan Uji", Lang::Id, at),
        PageSetup::default(),
    );
    let words: Vec<String> = (1..=900).map(|i| format!("kata{i}")).collect();
    let mut t = Table::new(vec![
        Column::text("Nomor", 1.0),
        Column::text("Isi panjang", 3.0),
    ]);
    t.row(vec!["1".into(), words.join(" ")]);
    t.row(vec!["2".into(), "penutup".into()]);
    r.table(&t).unwrap();
    let pdf = r.finish().unwrap();
    let pages = pages(&pdf);
    assert!(pages.len() >= 2);
    for p in &pages {
        assert!(p.contains("Isi panjang"), "header row on every page");
    }
    let found: Vec<String> = pages
        .concat()
        .split_whitespace()
        .filter(|w| w.starts_with("kata"))
        .map(str::to_string)
        .collect();
    assert_eq!(found, words, "every word once, in order");
    assert!(pages.last().unwrap().contains("penutup"));
}

#[test]
fn same_input_same_bytes() {
    let a = mufakat_reports::priority_list(&samples::priority_list(10), Lang::Id).unwrap();
    let b = mufakat_reports::priority_list(&samples::priority_list(10), Lang::Id).unwrap();
    assert_eq!(a, b);
    let mut later = samples::priority_list(10);
    later.generated_at += chrono::Duration::days(1);
    assert_ne!(a, mufakat_reports::priority_list(&later, Lang::Id).unwrap());
}

#[test]
fn inputs_are_plain_serde_structs() {
    let ba = samples::berita_acara(3);
    let json = serde_json::to_string(&ba).unwrap();
    assert!(json.contains("\"level\":\"kelurahan\""));
    assert_eq!(
        serde_json::from_str::<mufakat_reports::BeritaAcara>(&json).unwrap(),
        ba
    );
    let a = samples::allocation(3);
    assert_eq!(
        serde_json::from_str::<mufakat_reports::AllocationReport>(
            &serde_json::to_string(&a).unwrap()
        )
        .unwrap(),
        a
    );
    let au = samples::audit_trail(3);
    let json = serde_json::to_string(&au).unwrap();
    assert!(json.contains("\"kind\":\"period\""));
    assert_eq!(
        serde_json::from_str::<mufakat_reports::AuditTrailReport>(&json).unwrap(),
        au
    );
    let pl = samples::priority_list(3);
    assert_eq!(
        serde_json::from_str::<mufakat_reports::PriorityList>(&serde_json::to_string(&pl).unwrap())
            .unwrap(),
        pl
    );
}

#[test]
fn empty_inputs_still_give_a_valid_document() {
    let mut ba = samples::berita_acara(0);
    ba.agenda.clear();
    ba.notes.clear();
    ba.signatories.clear();
    let mut pl = samples::priority_list(0);
    pl.ceiling = None;
    let mut al = samples::allocation(0);
    al.rule.parameters.clear();
    let au = samples::audit_trail(0);
    for pdf in [
        mufakat_reports::berita_acara(&ba, Lang::Id).unwrap(),
        mufakat_reports::priority_list(&pl, Lang::En).unwrap(),
        mufakat_reports::allocation(&al, Lang::Id).unwrap(),
        mufakat_reports::audit_trail(&au, Lang::En).unwrap(),
    ] {
        assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
        if have_poppler() {
            let p = pages(&pdf);
            assert_eq!(p.len(), page_count(&pdf));
            assert!(p[0].contains("LOGO"));
        }
    }
}
