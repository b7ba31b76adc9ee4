//! End-to-end checks on the monev PDFs (an OPD's quarterly report and an activity's progress
//! sheet) through poppler's `pdftotext -layout` and `pdfinfo`, as in `pdf_text.rs`. The checks
//! that read text back print a message and return early when poppler-utils is missing; the
//! documents are still rendered in both languages.

mod support;
use support::*;

use mufakat_reports::monev::achievement;
use mufakat_reports::{
    progress_sheet, quarterly_report, samples, CurvePoint, Lang, Money, ProgressSheet,
    QuarterlyReport, ReportError,
};
use rust_decimal::Decimal;

/// The right margin of A4 landscape (12 mm) and portrait (15 mm) pages, in points.
const LANDSCAPE_RIGHT: f64 = 841.89 - 12.0 * 72.0 / 25.4;
const PORTRAIT_RIGHT: f64 = 595.28 - 15.0 * 72.0 / 25.4;

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

fn sum(ms: impl IntoIterator<Item = Money>) -> Money {
    ms.into_iter()
        .fold(Money::ZERO, |s, m| s.checked_add(m).unwrap())
}

/// A percentage as the Indonesian report prints it: two decimals, a decimal comma.
fn pct_id(d: Decimal) -> String {
    format!("{:.2}%", d.round_dp(2)).replace('.', ",")
}

fn page_size(pdf: &[u8]) -> String {
    line_with(&pdfinfo(pdf), "Page size:").to_string()
}

/// The quarterly report's weighted planned and actual physical progress, by hand.
fn weighted(q: &QuarterlyReport) -> (Decimal, Decimal) {
    let pagu: Decimal = q.activities.iter().map(|a| a.pagu.amount()).sum();
    let w = |v: &dyn Fn(&mufakat_reports::ActivitySummary) -> Decimal| {
        let s: Decimal = q.activities.iter().map(|a| a.pagu.amount() * v(a)).sum();
        (s / pagu).round_dp(2)
    };
    (
        w(&|a| a.planned_physical),
        w(&|a| a.actual_physical.unwrap_or_default()),
    )
}

#[test]
fn quarterly_report_shows_the_summary_curve_activities_indicators_flags_and_signature() {
    let q = samples::monev_quarterly(5, 4);
    let Some((all, _)) = render_both(&q, quarterly_report) else {
        return;
    };
    let pdf = quarterly_report(&q, Lang::Id).unwrap();
    let size = page_size(&pdf);
    assert!(
        size.contains("841.") && size.contains("x 595."),
        "landscape: {size}"
    );
    assert!(max_x(&pdf) <= LANDSCAPE_RIGHT + 0.5, "{}", max_x(&pdf));
    assert_contains_all(
        &all,
        &[
            "Pemerintah Kota Contoh",
            "LAPORAN MONITORING DAN EVALUASI TRIWULAN II TAHUN 2027",
            "Dinas Pekerjaan Umum dan Penataan Ruang — Triwulan II Tahun 2027",
            "II (1 April 2027 s.d. 30 Juni 2027)",
            "A. Ringkasan",
            "B. Kurva S OPD",
            "C. Kemajuan kegiatan",
            "D. Capaian indikator",
            "E. Tanda deviasi",
            // The chart: the y axis, every period and the legend.
            "0%",
            "20%",
            "80%",
            "100%",
            "2027-03",
            "2027-07",
            "2027-11",
            "Rencana fisik",
            "Realisasi fisik",
            "Rencana keuangan (% pagu)",
            "Realisasi keuangan (% pagu)",
            // The activity 15 points behind, marked and listed.
            "-15,00 (!)",
            "(!) Kegiatan dengan deviasi lebih dari 10 poin di bawah rencana:",
            "Rehabilitasi saluran drainase — deviasi -15,00",
            "JUMLAH (5 kegiatan)",
            "Berjalan",
            "Persiapan",
            // Indicators: higher is better (250 of 400) and lower is better (target 6, 8).
            "Panjang saluran yang direhabilitasi",
            "62,50%",
            "75,00%",
            "lebih rendah",
            // A flag row (its detail wraps in the cell).
            "Laporan #001: rencana 40,00 %, realisasi 25,00 %",
            "-15,00)",
            "Kontrak kritis",
            "Terbuka",
            "2027-06-05 10:00:00",
            "Kepala Dinas Pekerjaan Umum dan Penataan Ruang",
            "Kota Contoh, 3 Juli 2027",
            "Dibuat oleh Mufakat pada 3 Juli 2027 02:00 UTC",
        ],
    );
    // The summary, against sums and weights computed here.
    let pagu = sum(q.activities.iter().map(|a| a.pagu));
    let contracted = sum(q.activities.iter().filter_map(|a| a.contracted));
    let disbursed = sum(q.activities.iter().map(|a| a.disbursed));
    let (planned, actual) = weighted(&q);
    assert_eq!(value_of(&all, "Jumlah kegiatan"), "5");
    assert_eq!(value_of(&all, "Jumlah pagu"), pagu.to_rupiah());
    assert_eq!(value_of(&all, "Nilai kontrak"), contracted.to_rupiah());
    let share = disbursed.amount() * Decimal::ONE_HUNDRED / pagu.amount();
    assert_eq!(
        value_of(&all, "Realisasi keuangan"),
        format!("{} ({} dari pagu)", disbursed.to_rupiah(), pct_id(share))
    );
    assert_eq!(
        value_of(&all, "Rencana fisik (tertimbang pagu)"),
        pct_id(planned)
    );
    assert_eq!(planned, Decimal::from(40));
    assert_eq!(
        value_of(&all, "Realisasi fisik (tertimbang pagu)"),
        pct_id(actual)
    );
    assert_eq!(
        value_of(&all, "Deviasi fisik"),
        format!("{} poin", pct_id(actual - planned).trim_end_matches('%'))
    );
    assert_eq!(
        value_of(&all, "Kegiatan dengan deviasi di bawah -10 poin"),
        "1"
    );
    assert_eq!(value_of(&all, "Laporan diterima"), "16 dari 20 (80,00%)");
    assert_eq!(value_of(&all, "Laporan tepat waktu"), "15 dari 20 (75,00%)");
    assert_eq!(
        value_of(&all, "Tanda deviasi"),
        "4 (Terbuka: 2; Ditindaklanjuti: 1; Ditutup: 1)"
    );
    // Every activity's money, exactly as Money::to_rupiah() prints it, and the totals row.
    for a in &q.activities {
        assert!(all.contains(&a.pagu.to_rupiah()), "{}", a.pagu.to_rupiah());
        assert!(all.contains(&a.disbursed.to_rupiah()));
    }
    let totals = line_with(&all, "JUMLAH (5 kegiatan)");
    assert!(
        totals.contains(&pagu.to_rupiah()) && totals.contains(&disbursed.to_rupiah()),
        "{totals}"
    );
    // The OPD curve's figures, June's with its deviation.
    let june = q.curve.iter().find(|c| c.period == "2027-06").unwrap();
    let june_line = all
        .lines()
        .find(|l| l.trim_start().starts_with("2027-06") && l.contains("Rp"))
        .unwrap();
    assert!(june_line.contains(&pct_id(june.actual_physical.unwrap())));
    assert!(june_line.contains(&june.planned_disbursement.to_rupiah()));
    assert!(pdfinfo(&pdf).contains("Author:          Mufakat"));
}

#[test]
fn quarterly_report_in_english() {
    let q = samples::monev_quarterly(5, 4);
    let Some((_, en)) = render_both(&q, quarterly_report) else {
        return;
    };
    assert_contains_all(
        &en,
        &[
            "MONITORING AND EVALUATION REPORT, QUARTER II 2027",
            "II (1 April 2027 to 30 June 2027)",
            "A. Summary",
            "Total pagu",
            "Planned physical progress (weighted by pagu)",
            "40.00%",
            "-15.00 (!)",
            "(!) Activities more than 10 points behind plan:",
            "16 of 20 (80.00%)",
            "15 of 20 (75.00%)",
            "Actual physical progress",
            "Planned disbursement (% of pagu)",
            "0%",
            "100%",
            "2027-03",
            "62.50%",
            "75.00%",
            "TOTAL (5 activities)",
            "Head of Dinas Pekerjaan Umum dan Penataan Ruang",
            "Kota Contoh, 3 July 2027",
            "Page 1 of",
            "Generated by Mufakat",
        ],
    );
    for s in [
        "Ringkasan",
        "Rencana fisik",
        "JUMLAH",
        "Kepala",
        "dari pagu",
    ] {
        assert!(
            !en.contains(s),
            "Indonesian label {s:?} in the English report"
        );
    }
}

#[test]
fn forty_activities_and_thirty_flags_split_over_pages() {
    let q = samples::monev_quarterly(40, 30);
    let Some((all, _)) = render_both(&q, quarterly_report) else {
        return;
    };
    for lang in [Lang::Id, Lang::En] {
        let pdf = quarterly_report(&q, lang).unwrap();
        assert!(max_x(&pdf) <= LANDSCAPE_RIGHT + 0.5, "{}", max_x(&pdf));
    }
    let pdf = quarterly_report(&q, Lang::Id).unwrap();
    let ps = pages(&pdf);
    assert!(ps.len() >= 4, "{} pages", ps.len());
    // Every flag once, and its table's header on every page it spans.
    for j in 1..=30 {
        assert_eq!(
            all.matches(&format!("Laporan #{j:03}:")).count(),
            1,
            "flag {j}"
        );
    }
    for (i, p) in ps.iter().enumerate() {
        if p.contains("Laporan #0") {
            assert!(p.contains("Uraian"), "page {} lacks the header", i + 1);
        }
    }
    // Every activity's pagu (they differ), the totals and the critical ones.
    for a in &q.activities {
        assert!(all.contains(&a.pagu.to_rupiah()), "{}", a.pagu.to_rupiah());
    }
    assert!(all.contains("JUMLAH (40 kegiatan)"));
    assert_eq!(
        all.matches("-15,00 (!)").count(),
        8,
        "activities 2, 7, … 37"
    );
    assert_eq!(value_of(&all, "Jumlah kegiatan"), "40");
    assert_eq!(value_of(&all, "Laporan diterima"), "128 dari 160 (80,00%)");
}

#[test]
fn progress_sheet_shows_the_activity_golden_thread_curve_reports_and_photos() {
    let s = samples::monev_sheet();
    let Some((all, en)) = render_both(&s, progress_sheet) else {
        return;
    };
    let pdf = progress_sheet(&s, Lang::Id).unwrap();
    let size = page_size(&pdf);
    assert!(
        size.contains("595.") && size.contains("x 841."),
        "portrait: {size}"
    );
    assert!(max_x(&pdf) <= PORTRAIT_RIGHT + 0.5, "{}", max_x(&pdf));
    let a = &s.activity;
    assert_contains_all(
        &all,
        &[
            "LEMBAR KEMAJUAN KEGIATAN",
            "Rehabilitasi saluran drainase",
            "Dinas Pekerjaan Umum dan Penataan Ruang",
            "Kecamatan Selatan",
            "KTR-2027-00002 — PT Bangun Persada",
            "1 Maret 2027 s.d. 30 November 2027",
            "Usulan #12 \u{201c}Perbaikan jalan RW 03\u{201d} — 41 suara, Musrenbang 2027",
            "B. Kemajuan (keadaan 2027-06)",
            "(!) Kegiatan tertinggal lebih dari 10 poin dari rencana.",
            "C. Kurva S",
            "0%",
            "100%",
            "2027-03",
            "2027-11",
            "Realisasi fisik",
            "D. Laporan kemajuan",
            "Terverifikasi",
            "Terlambat",
            "Tepat waktu",
            "Draf",
            // A due time, in WIB (the cell wraps before `WIB`).
            "2027-04-10",
            "23:59:59",
            "WIB",
            "Hujan deras dua minggu",
            "E. Indikator",
            "62,50%",
            "F. Tanda deviasi",
            "Laporan #001",
            "Laporan #003",
            "G. Foto",
            "saluran_ruas_1.jpg",
            "saluran_ruas_3.jpg",
            "-6.914744, 107.609810",
            "2027-04-28",
            "10:15:00",
        ],
    );
    assert_eq!(value_of(&all, "Pagu"), a.pagu.to_rupiah());
    assert_eq!(
        value_of(&all, "Nilai kontrak"),
        a.contracted.unwrap().to_rupiah()
    );
    assert_eq!(value_of(&all, "Rencana fisik"), "40,00%");
    assert_eq!(value_of(&all, "Deviasi"), "-15,00 poin");
    assert_eq!(
        value_of(&all, "Realisasi keuangan"),
        format!("{} (22,50% dari nilai kontrak)", a.disbursed.to_rupiah())
    );
    for r in &s.reports {
        if let Some(m) = r.spent {
            assert!(all.contains(&m.to_rupiah()), "{}", m.to_rupiah());
        }
    }
    for p in &s.photos {
        assert!(all.contains(&p.sha256), "full hash {}", p.sha256);
    }
    assert_contains_all(
        &en,
        &[
            "ACTIVITY PROGRESS SHEET",
            "From a resident's proposal",
            "1 March 2027 to 30 November 2027",
            "B. Progress (as of 2027-06)",
            "-15.00 points",
            "22.50% of the contract value",
            "(!) The activity is more than 10 points behind plan.",
            "Planned physical progress",
            "Late",
            "On time",
            "Timeliness",
            "62.50%",
            "G. Photos",
        ],
    );
    for s in ["Kemajuan", "Tepat waktu", "Foto", "dari"] {
        assert!(
            !en.contains(s),
            "Indonesian label {s:?} in the English sheet"
        );
    }
}

/// The sheet of an activity that has not reported yet and has nothing else to list.
fn empty_sheet() -> ProgressSheet {
    let mut s = samples::monev_sheet();
    s.proposal = None;
    s.reports.clear();
    s.indicators.clear();
    s.flags.clear();
    s.photos.clear();
    let a = &mut s.activity;
    a.contract = None;
    a.contracted = None;
    a.actual_physical = None;
    a.deviation = None;
    a.disbursed = Money::ZERO;
    for c in &mut a.curve {
        c.actual_physical = None;
        c.actual_disbursement = None;
    }
    s
}

#[test]
fn empty_lists_and_a_curve_without_actuals() {
    let s = empty_sheet();
    let mut q = samples::monev_quarterly(0, 0);
    q.curve.clear();
    let texts = render_both(&s, progress_sheet).zip(render_both(&q, quarterly_report));
    let Some(((id, en), (qid, qen))) = texts else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "Belum ada kontrak",
            "B. Kemajuan",
            "Tidak ada laporan kemajuan.",
            "Tidak ada indikator.",
            "Tidak ada tanda deviasi.",
            "Tidak ada foto.",
            "Belum ada realisasi yang dilaporkan.",
            "0%",
            "100%",
            "2027-11",
        ],
    );
    assert_eq!(value_of(&id, "Realisasi fisik"), "-");
    assert_eq!(value_of(&id, "Deviasi"), "-");
    assert!(!id.contains("Asal usulan warga") && !id.contains("(!)"));
    assert_contains_all(
        &en,
        &[
            "No contract yet",
            "No progress reports.",
            "No indicators.",
            "No deviation flags.",
            "No photos.",
            "No actual progress has been reported yet.",
        ],
    );
    assert_contains_all(
        &qid,
        &[
            "Tidak ada kegiatan.",
            "Tidak ada kurva S",
            "Tidak ada indikator.",
            "Tidak ada tanda deviasi.",
            "Kepala Dinas Pekerjaan Umum dan Penataan Ruang",
        ],
    );
    assert_eq!(value_of(&qid, "Jumlah pagu"), "Rp 0,00");
    assert_eq!(value_of(&qid, "Laporan diterima"), "0 dari 0 (-)");
    assert_eq!(value_of(&qid, "Realisasi fisik (tertimbang pagu)"), "-");
    assert_eq!(value_of(&qid, "Tanda deviasi"), "0");
    assert_contains_all(&qen, &["No activities.", "No S-curve", "0 of 0 (-)"]);
}

#[test]
fn a_long_curve_thins_its_labels_and_stays_within_the_margins() {
    let mut s = samples::monev_sheet();
    let m = |sen: i64| Money::from_minor_units(sen);
    s.activity.curve = (0..36)
        .map(|k| {
            let plan = Decimal::from(k as i64 * 100) / Decimal::from(35);
            CurvePoint {
                period: format!("{}-{:02}", 2025 + k / 12, k % 12 + 1),
                planned_physical: plan,
                actual_physical: (k < 20).then(|| plan * Decimal::new(9, 1)),
                planned_disbursement: m(k as i64 * 400_000_000),
                actual_disbursement: (k < 20).then(|| m(k as i64 * 300_000_000)),
            }
        })
        .collect();
    s.reports = (0..24)
        .map(|k| s.reports[k % s.reports.len()].clone())
        .collect();
    let Some((all, _)) = render_both(&s, progress_sheet) else {
        return;
    };
    for lang in [Lang::Id, Lang::En] {
        let pdf = progress_sheet(&s, lang).unwrap();
        assert!(max_x(&pdf) <= PORTRAIT_RIGHT + 0.5, "{}", max_x(&pdf));
    }
    // The first period is always labelled; the curve table lists all 36.
    assert!(all.contains("2025-01"));
    for k in 0..36 {
        let p = format!("{}-{:02}", 2025 + k / 12, k % 12 + 1);
        assert!(all.contains(&p), "{p}");
    }
    let pdf = progress_sheet(&s, Lang::Id).unwrap();
    assert!(page_count(&pdf) >= 3);
}

#[test]
fn achievement_is_direction_aware() {
    let q = samples::monev_quarterly(2, 0);
    let (up, down) = (&q.indicators[0], &q.indicators[1]);
    assert!(up.higher_is_better && !down.higher_is_better);
    assert_eq!(achievement(up), Some(Decimal::new(625, 1)));
    assert_eq!(achievement(down), Some(Decimal::from(75)));
    let mut q = samples::monev_quarterly(3, 0);
    q.quarter = 5;
    assert!(matches!(
        quarterly_report(&q, Lang::En),
        Err(ReportError::Invalid(_))
    ));
}
