//! End-to-end checks on the e-audit PDFs (LHP and follow-up matrix) through poppler's
//! `pdftotext` and `pdfinfo`, as in `pdf_text.rs`. Each test that reads text back prints a
//! message and returns early when poppler-utils is missing.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use mufakat_reports::{
    audit_report, followup_matrix, samples, AuditReport, FollowUpMatrix, FollowUpState, Lang, Money,
};

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
        "mufakat-eaudit-test-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn pdftotext(bytes: &[u8], args: &[&str]) -> String {
    let p = write_tmp(bytes);
    let out = Command::new("pdftotext")
        .args(args)
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    std::fs::remove_file(&p).ok();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of each page (`pdftotext -layout`, split at form feeds).
fn pages(bytes: &[u8]) -> Vec<String> {
    let text = pdftotext(bytes, &["-layout"]);
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

fn assert_contains_all(all: &str, wanted: &[&str]) {
    for s in wanted {
        assert!(all.contains(s), "missing {s:?}");
    }
}

/// The line of `all` that contains `label`.
fn line_with<'a>(all: &'a str, label: &str) -> &'a str {
    all.lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no line with {label:?}"))
}

/// The value of a key-value line: what follows the first `:` on the line with `label`.
fn value_of<'a>(all: &'a str, label: &str) -> &'a str {
    line_with(all, label)
        .split_once(':')
        .map(|(_, v)| v.trim())
        .unwrap_or_else(|| panic!("no value for {label:?}"))
}

/// The right edge of the rightmost word on any page (`pdftotext -bbox`), in points.
fn max_x(bytes: &[u8]) -> f64 {
    let html = pdftotext(bytes, &["-bbox"]);
    html.split("xMax=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max)
}

fn total_loss(a: &AuditReport) -> Money {
    a.findings
        .iter()
        .filter_map(|f| f.loss)
        .fold(Money::ZERO, |s, m| s.checked_add(m).unwrap())
}

#[test]
fn lhp_shows_the_assignment_findings_totals_chain_and_signatures() {
    if !have_poppler() {
        return;
    }
    let a = samples::audit_report(4);
    let pdf = audit_report(&a, Lang::Id).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages(&pdf);
    assert_eq!(pages.len(), page_count(&pdf));
    assert_footers(&pages, Lang::Id);
    let all = pages.concat();
    assert_contains_all(
        &all,
        &[
            "LAPORAN HASIL PEMERIKSAAN",
            "Kota Contoh — Inspektorat",
            "Surat tugas: ST-700/12/2026",
            "Pemeriksaan pengadaan Dinas PU 2026",
            "1 Januari 2026 s.d. 30 Juni 2026",
            "2 Februari 2026 s.d. 13 Maret 2026",
            "Pelaporan",
            "Rina Kartika, S.E., Ak.",
            "Ketua tim",
            "Anggota tim",
            "C. Ringkasan temuan",
            "Kelebihan pembayaran pekerjaan jalan lingkungan",
            "Temuan 1: Kelebihan pembayaran",
            "1.01.02 — Kelebihan pembayaran selain kekurangan volume",
            "Kondisi",
            "Kriteria",
            "Sebab",
            "Akibat",
            "Bukti",
            "Peristiwa audit #1200",
            "Tanggapan terakhir OPD",
            "Penilaian",
            "1.1",
            "2.2",
            "Tinggi",
            "Ketua Tim Pemeriksa",
            "Inspektur",
            "Ir. Hendra Gunawan, M.M.",
            "Kota Contoh, 14 Maret 2026",
        ],
    );
    // The summary table's totals row and the totals section.
    let loss = total_loss(&a);
    let totals = line_with(&all, "JUMLAH (4 temuan)");
    assert!(totals.contains(&loss.to_rupiah()), "{totals}");
    assert!(
        totals.trim_end().ends_with('6'),
        "6 recommendations: {totals}"
    );
    assert_eq!(value_of(&all, "Jumlah temuan"), "4");
    assert_eq!(value_of(&all, "Jumlah kerugian"), loss.to_rupiah());
    assert_eq!(value_of(&all, "Jumlah rekomendasi"), "6");
    let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "Selesai: 2; Belum sesuai: 1; Belum ditindaklanjuti: 2; Tidak dapat ditindaklanjuti: 1"
        ),
        "recommendations by status"
    );
    // The chain head, with the full hash.
    assert!(all.contains("Jejak audit sampai peristiwa #1234, hash"));
    assert!(all.contains(&a.chain_hash), "full hash {}", a.chain_hash);
    // Nothing is drawn past the right margin (A4 portrait, 15 mm).
    let right = 595.28 - 15.0 * 72.0 / 25.4;
    assert!(max_x(&pdf) <= right + 0.5, "{} > {right}", max_x(&pdf));
    assert!(pdfinfo(&pdf).contains("Author:          Mufakat"));
}

#[test]
fn lhp_in_english() {
    if !have_poppler() {
        return;
    }
    let a = samples::audit_report(2);
    let all = pages(&audit_report(&a, Lang::En).unwrap()).concat();
    assert_contains_all(
        &all,
        &[
            "AUDIT REPORT",
            "Kota Contoh — Inspectorate",
            "Assignment: ST-700/12/2026",
            "1 January 2026 to 30 June 2026",
            "Period audited",
            "Team leader",
            "Summary of findings",
            "TOTAL (2 findings)",
            "Finding 1: Kelebihan pembayaran",
            "Condition",
            "Criteria",
            "Cause",
            "Effect",
            "Evidence",
            "Last OPD answer",
            "Recommendations by status",
            "Total loss",
            "Audit trail up to event #1234, hash",
            "Audit Team Leader",
            "Inspector",
            "Page 1 of",
            "Generated by Mufakat",
        ],
    );
    for s in ["Halaman", "Kondisi", "Jejak audit", "Rekapitulasi"] {
        assert!(
            !all.contains(s),
            "Indonesian label {s:?} in the English report"
        );
    }
}

#[test]
fn matrix_lists_every_recommendation_and_the_follow_up_rate() {
    if !have_poppler() {
        return;
    }
    let m = samples::followup_matrix(3);
    assert_eq!(
        m.rows.iter().map(|r| r.state).collect::<Vec<_>>(),
        [
            FollowUpState::Done,
            FollowUpState::InProgress,
            FollowUpState::NotActed
        ]
    );
    let pdf = followup_matrix(&m, Lang::Id).unwrap();
    let info = pdfinfo(&pdf);
    let size = line_with(&info, "Page size:");
    assert!(
        size.contains("841.") && size.contains("x 595."),
        "landscape: {size}"
    );
    let pages = pages(&pdf);
    assert_footers(&pages, Lang::Id);
    let all = pages.concat();
    assert_contains_all(
        &all,
        &[
            "MATRIKS PEMANTAUAN TINDAK LANJUT",
            "Seluruh OPD",
            "14 Maret 2026",
            "ST-700/10/2026",
            "Kelebihan pembayaran",
            "1.1 Menyetor kelebihan bayar",
            "Tindak lanjut",
            "Batas waktu",
            "(terlambat)",
            "Terlambat",
            "Belum sesuai",
        ],
    );
    for r in &m.rows {
        if let Some(l) = r.loss {
            assert!(all.contains(&l.to_rupiah()), "missing {}", l.to_rupiah());
        }
    }
    let count = |label: &str| value_of(&all, label).to_string();
    assert_eq!(count("Jumlah rekomendasi"), "3");
    assert_eq!(count("Sesuai (selesai)"), "1");
    assert_eq!(count("Belum sesuai (dalam proses)"), "1");
    assert_eq!(count("Belum ditindaklanjuti"), "1");
    assert_eq!(count("Tidak dapat ditindaklanjuti"), "0");
    assert_eq!(count("Terlambat (lewat batas waktu)"), "1");
    assert_eq!(count("Tingkat penyelesaian tindak lanjut"), "33,3%");
    let right = 841.89 - 12.0 * 72.0 / 25.4;
    assert!(max_x(&pdf) <= right + 0.5, "{} > {right}", max_x(&pdf));
}

#[test]
fn matrix_in_english_and_for_one_opd() {
    if !have_poppler() {
        return;
    }
    let mut m = samples::followup_matrix(3);
    m.opd = Some("DPUPR".into());
    let all = pages(&followup_matrix(&m, Lang::En).unwrap()).concat();
    assert_contains_all(
        &all,
        &[
            "FOLLOW-UP MONITORING MATRIX",
            "DPUPR — as of 14 March 2026",
            "Recommendation",
            "Follow-up",
            "Due",
            "(overdue)",
            "Done (as recommended)",
            "In progress",
            "Not yet acted on",
            "Cannot be followed up",
            "Overdue (past due date)",
            "Page 1 of 1",
        ],
    );
    assert_eq!(value_of(&all, "Follow-up rate"), "33.3%");
    assert!(!all.contains("Halaman") && !all.contains("Rekapitulasi"));
}

#[test]
fn a_long_matrix_repeats_its_header() {
    if !have_poppler() {
        return;
    }
    let m = samples::followup_matrix(60);
    let pdf = followup_matrix(&m, Lang::Id).unwrap();
    let pages = pages(&pdf);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    assert_footers(&pages, Lang::Id);
    for (i, p) in pages.iter().enumerate() {
        if p.contains("Menyetor kelebihan") {
            assert!(
                p.contains("Tindak lanjut"),
                "page {} lacks the header",
                i + 1
            );
        }
    }
    let all = pages.concat();
    assert_eq!(
        all.matches("Menyetor kelebihan bayar").count(),
        60,
        "every row once"
    );
    // 15 of 60 rows are done.
    assert_eq!(value_of(&all, "Tingkat penyelesaian"), "25%");
}

#[test]
fn empty_inputs_still_give_a_valid_document() {
    let mut a = samples::audit_report(0);
    a.team.clear();
    a.inspector = None;
    a.chain_seq = 0;
    a.chain_hash.clear();
    let m = samples::followup_matrix(0);
    for lang in [Lang::Id, Lang::En] {
        let lhp = audit_report(&a, lang).unwrap();
        let mx = followup_matrix(&m, lang).unwrap();
        for pdf in [&lhp, &mx] {
            assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
        }
        if !have_poppler() {
            continue;
        }
        let lhp = pages(&lhp).concat();
        let mx = pages(&mx).concat();
        match lang {
            Lang::Id => {
                assert_contains_all(
                    &lhp,
                    &[
                        "Belum ada temuan pada penugasan ini.",
                        "Belum ada anggota tim.",
                        "D. Rekapitulasi",
                        "Jejak audit: belum ada peristiwa.",
                        "Rp 0,00",
                        "Inspektur",
                        "........",
                    ],
                );
                assert_eq!(value_of(&lhp, "Jumlah temuan"), "0");
                assert_contains_all(
                    &mx,
                    &["Belum ada rekomendasi yang dipantau", "Halaman 1 dari 1"],
                );
                assert_eq!(value_of(&mx, "Tingkat penyelesaian"), "-");
            }
            Lang::En => {
                assert_contains_all(
                    &lhp,
                    &[
                        "There are no findings in this assignment yet.",
                        "Audit trail: no events yet.",
                    ],
                );
                assert!(mx.contains("There are no recommendations to monitor yet."));
                assert_eq!(value_of(&mx, "Follow-up rate"), "-");
            }
        }
    }
}

#[test]
fn a_long_condition_wraps_across_pages_without_losing_a_word() {
    let mut a = samples::audit_report(2);
    let words: Vec<String> = (1..=250).map(|i| format!("kondisi{i:04}")).collect();
    let condition = words.join(" ");
    assert!(condition.len() >= 2990, "{}", condition.len());
    a.findings[0].condition = condition;
    // A long answer in a recommendation's table cell, and an unbreakable hash in the evidence.
    let answer: Vec<String> = (1..=120).map(|i| format!("jawab{i:03}")).collect();
    a.findings[1].recommendations[0].last_answer = Some(answer.join(" "));
    a.findings[1]
        .evidence
        .push(format!("sha256 {}", "ab".repeat(80)));
    let pdf = audit_report(&a, Lang::Id).unwrap();
    if !have_poppler() {
        return;
    }
    let pages = pages(&pdf);
    assert_footers(&pages, Lang::Id);
    let first = pages
        .iter()
        .position(|p| p.contains("kondisi0001"))
        .unwrap();
    let last = pages
        .iter()
        .position(|p| p.contains("kondisi0250"))
        .unwrap();
    assert!(last > first, "the condition spans pages ({first}..{last})");
    let all = pages.concat();
    let found: Vec<&str> = all
        .split_whitespace()
        .filter(|w| w.starts_with("kondisi0") || w.starts_with("kondisi1"))
        .collect();
    assert_eq!(found, words, "every word once, in order");
    let found: Vec<&str> = all
        .split_whitespace()
        .filter(|w| w.starts_with("jawab"))
        .collect();
    assert_eq!(found, answer, "the long answer wraps in its cell");
    let joined: String = all.split_whitespace().collect();
    assert!(
        joined.contains(&"ab".repeat(80)),
        "the long hash is broken, not cut"
    );
    let right = 595.28 - 15.0 * 72.0 / 25.4;
    assert!(max_x(&pdf) <= right + 0.5, "{} > {right}", max_x(&pdf));
}

#[test]
fn inputs_are_plain_serde_structs() {
    let a = samples::audit_report(3);
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(serde_json::from_str::<AuditReport>(&json).unwrap(), a);
    let m = samples::followup_matrix(4);
    let json = serde_json::to_string(&m).unwrap();
    assert!(json.contains("\"state\":\"in_progress\""));
    assert_eq!(serde_json::from_str::<FollowUpMatrix>(&json).unwrap(), m);
}
