//! End-to-end checks on the competitive-procedure PDFs (announcement, bid opening, evaluation,
//! award, objection answer, SPPBJ) through poppler's `pdftotext -layout` and `pdfinfo`, as in
//! `pdf_text.rs`. The checks that read text back print a message and return early when
//! poppler-utils is missing; the documents are still rendered in both languages.

mod support;
use support::*;

use chrono::{DateTime, TimeZone, Utc};
use mufakat_reports::{
    award_announcement, evaluation_report, objection_answer, opening_record, sppbj,
    tender_announcement, AwardAnnouncement, AwardBidder, EvaluatedBid, EvaluationMethod,
    EvaluationReport, Lang, Money, ObjectionAnswer, OpenedBid, OpeningRecord, PokjaMember,
    ProposedWinner, ReportError, Sppbj, TenderAnnouncement, TenderHead, VendorDetails,
};
use rust_decimal::Decimal;

// ----- samples -------------------------------------------------------------------------------

const PUBLIC_KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const VENDORS: [&str; 4] = [
    "CV Maju Jaya",
    "PT Bangun Persada",
    "CV Karya Beton",
    "PT Sinar Terang",
];

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn rp(s: &str) -> Money {
    Money::parse(s).unwrap()
}

/// A 64-digit hex string, different for each `seed`.
fn hash(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    (0..4)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            format!("{x:016x}")
        })
        .collect()
}

fn head() -> TenderHead {
    TenderHead {
        number: "TND-2026-00012".into(),
        title: "Pembangunan Jalan Lingkungan Kelurahan Sukamaju".into(),
        method_title: "Tender".into(),
        package_name: "Jalan Lingkungan RW 03 Tahap II".into(),
        agency: "Dinas PUPR Kota Contoh".into(),
    }
}

fn pokja() -> Vec<PokjaMember> {
    vec![
        PokjaMember {
            name: "Dewi Lestari, S.T.".into(),
            chair: false,
        },
        PokjaMember {
            name: "Ir. Bambang Sutrisno".into(),
            chair: true,
        },
        PokjaMember {
            name: "Agus Salim, S.E.".into(),
            chair: false,
        },
    ]
}

fn announcement() -> TenderAnnouncement {
    TenderAnnouncement {
        head: head(),
        hps: rp("2500000000"),
        evaluation: EvaluationMethod::QualityCost {
            technical_weight: 70,
        },
        qualification: "Memiliki NIB dan SBU bidang jalan\nPengalaman satu pekerjaan sejenis dalam 4 tahun terakhir".into(),
        documents: "Dokumen pemilihan tersedia sejak 10 Maret 2026\nPenjelasan (aanwijzing) 12 Maret 2026".into(),
        bid_deadline: at(2026, 3, 20, 8, 0),
        public_key: PUBLIC_KEY.into(),
        pokja: pokja(),
        invited_vendors: vec![],
        generated_at: at(2026, 3, 9, 3, 0),
    }
}

fn opened_bids(n: usize) -> Vec<OpenedBid> {
    (0..n)
        .map(|i| {
            let unreadable = i % 4 == 3;
            OpenedBid {
                vendor_name: if i < VENDORS.len() {
                    VENDORS[i].to_string()
                } else {
                    format!("CV Penyedia {:02}", i + 1)
                },
                submitted_at: at(2026, 3, 19, 1 + (i % 20) as u32, (i * 7 % 60) as u32),
                price: (!unreadable)
                    .then(|| Money::new(Decimal::new(2_310_000_000 + i as i64 * 12_345_650, 0)))
                    .map(Result::unwrap),
                unreadable_reason: unreadable.then(|| "tidak dapat didekripsi".to_string()),
                ciphertext_sha256: hash(i as u64 * 2),
                plaintext_sha256: (!unreadable).then(|| hash(i as u64 * 2 + 1)),
            }
        })
        .collect()
}

fn opening(n: usize) -> OpeningRecord {
    OpeningRecord {
        head: head(),
        place: "Kota Contoh".into(),
        opened_at: at(2026, 3, 20, 8, 5),
        seal_root: hash(999),
        sealed_count: n as u32,
        bids: opened_bids(n),
        pokja: pokja(),
        generated_at: at(2026, 3, 20, 9, 0),
    }
}

fn evaluated_bids(n: usize) -> Vec<EvaluatedBid> {
    (0..n)
        .map(|i| {
            let fail = i % 4 == 2;
            EvaluatedBid {
                vendor_name: if i < VENDORS.len() {
                    VENDORS[i].to_string()
                } else {
                    format!("CV Penyedia {:02}", i + 1)
                },
                price: Some(
                    Money::new(Decimal::new(2_310_000_000 + i as i64 * 12_345_650, 0)).unwrap(),
                ),
                admin_pass: Some(true),
                technical_pass: Some(!fail),
                technical_score: (!fail).then(|| Decimal::new(8000 + i as i64 * 25, 2)),
                total_score: (!fail).then(|| format!("{}.25", 86 - i.min(80))),
                rank: (!fail).then_some(i as u32 + 1),
                reason: fail.then(|| "Metode kerja tidak memenuhi syarat".to_string()),
            }
        })
        .collect()
}

fn evaluation(n: usize) -> EvaluationReport {
    EvaluationReport {
        head: head(),
        place: "Kota Contoh".into(),
        evaluated_at: at(2026, 3, 23, 4, 0),
        hps: rp("2500000000"),
        evaluation: EvaluationMethod::QualityCost {
            technical_weight: 70,
        },
        bids: evaluated_bids(n),
        proposed_winner: Some(ProposedWinner {
            vendor_name: VENDORS[0].into(),
            price: rp("2310000000"),
        }),
        pokja: pokja(),
        generated_at: at(2026, 3, 23, 5, 0),
    }
}

fn winner() -> VendorDetails {
    VendorDetails {
        name: VENDORS[0].into(),
        address: "Jl. Merdeka No. 17, Kota Contoh".into(),
        npwp: "01.234.***.*-***.000".into(),
    }
}

fn award() -> AwardAnnouncement {
    AwardAnnouncement {
        head: head(),
        announced_at: at(2026, 3, 23, 7, 0),
        winner: winner(),
        winner_price: rp("2310000000"),
        hps: rp("2500000000"),
        bidders: vec![
            AwardBidder {
                vendor_name: VENDORS[0].into(),
                price: Some(rp("2310000000")),
                rank: Some(1),
                status: "Pemenang".into(),
            },
            AwardBidder {
                vendor_name: VENDORS[1].into(),
                price: Some(rp("2322345650")),
                rank: Some(2),
                status: "Lulus".into(),
            },
            AwardBidder {
                vendor_name: VENDORS[2].into(),
                price: Some(rp("2334691300")),
                rank: None,
                status: "Gugur teknis".into(),
            },
        ],
        objection_ends: at(2026, 3, 26, 16, 59),
        generated_at: at(2026, 3, 23, 7, 5),
    }
}

fn objection(appeal: bool, upheld: bool) -> ObjectionAnswer {
    ObjectionAnswer {
        head: head(),
        appeal,
        place: "Kota Contoh".into(),
        vendor_name: VENDORS[2].into(),
        filed_at: at(2026, 3, 24, 2, 30),
        objection: "Metode kerja kami memenuhi syarat.\nMohon evaluasi teknis diulang.".into(),
        upheld,
        answer: "Pokja telah memeriksa kembali metode kerja; jadwal pelaksanaan tidak memenuhi syarat dokumen pemilihan.".into(),
        // 01:30 WIB on the 26th: the signing date is the WIB date.
        answered_at: at(2026, 3, 25, 18, 30),
        answered_by: "Ir. Bambang Sutrisno".into(),
        answered_by_role: "Ketua Pokja Pemilihan".into(),
        generated_at: at(2026, 3, 25, 19, 0),
    }
}

fn letter() -> Sppbj {
    Sppbj {
        head: head(),
        number: "027/SPPBJ/PUPR/III/2026".into(),
        place: "Kota Contoh".into(),
        issued_at: at(2026, 3, 30, 2, 0),
        vendor: winner(),
        price: rp("2310000000.50"),
        ppk_name: "Hendra Wijaya, S.T., M.T.".into(),
        ppk_nip: Some("19800101 200501 1 001".into()),
        generated_at: at(2026, 3, 30, 2, 5),
    }
}

// ----- tests ---------------------------------------------------------------------------------

#[test]
fn announcement_shows_the_procedure_the_key_and_the_pokja() {
    let a = announcement();
    let Some((id, en)) = render_both(&a, tender_announcement) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "PENGUMUMAN TENDER",
            "Nomor: TND-2026-00012",
            "Pembangunan Jalan Lingkungan Kelurahan Sukamaju",
            "Jalan Lingkungan RW 03 Tahap II",
            "Dinas PUPR Kota Contoh",
            "Rp 2.500.000.000,00",
            "Kualitas dan biaya (bobot teknis 70%, bobot harga 30%)",
            "Memiliki NIB dan SBU bidang jalan",
            "Pengalaman satu pekerjaan sejenis",
            "Penjelasan (aanwijzing) 12 Maret 2026",
            "20 Maret 2026 15:00 WIB",
            PUBLIC_KEY,
            "Ir. Bambang Sutrisno",
            "Ketua Pokja Pemilihan",
            "Dewi Lestari, S.T.",
            "Anggota Pokja Pemilihan",
        ],
    );
    // The chair is listed first.
    assert!(id.find("Ir. Bambang").unwrap() < id.find("Dewi Lestari").unwrap());
    assert!(!id.contains("Penyedia yang diundang"), "open tender");
    assert_contains_all(
        &en,
        &[
            "TENDER NOTICE",
            "Number: TND-2026-00012",
            "Quality and cost (technical weight 70%, price weight 30%)",
            "Bid deadline",
            "20 March 2026 15:00 WIB",
            PUBLIC_KEY,
            "Chair of the Selection Committee",
        ],
    );
}

#[test]
fn a_mini_competition_lists_the_invited_vendors() {
    let mut a = announcement();
    a.head.method_title = "Mini-kompetisi".into();
    a.evaluation = EvaluationMethod::LowestPrice;
    a.invited_vendors = VENDORS.iter().map(|v| v.to_string()).collect();
    let Some((id, en)) = render_both(&a, tender_announcement) else {
        return;
    };
    assert_contains_all(&id, &["PENGUMUMAN MINI-KOMPETISI", "Harga terendah"]);
    assert_contains_all(&id, &["Penyedia yang diundang"]);
    assert_contains_all(&id, &VENDORS);
    assert_contains_all(
        &en,
        &["Lowest price", "Invited vendors", "MINI-KOMPETISI NOTICE"],
    );
}

#[test]
fn opening_record_shows_every_bid_and_hash_in_full() {
    let o = opening(4);
    let Some((id, en)) = render_both(&o, opening_record) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "BERITA ACARA PEMBUKAAN PENAWARAN",
            "Nomor: TND-2026-00012",
            "Jumat, tanggal 20 Maret 2026, pukul 15.05 WIB",
            "20 Maret 2026 15:05 WIB",
            "Penawaran tersegel pada batas akhir",
            "Hash akar segel",
            &o.seal_root,
            "tidak dapat dibuka:",
            "tidak dapat didekripsi",
            "2026-03-19",
            "08:00:00 WIB",
            "Ketua Pokja Pemilihan",
            "Kota Contoh, 20 Maret 2026",
        ],
    );
    assert_contains_all(&id, &VENDORS);
    for b in &o.bids {
        assert!(id.contains(&b.ciphertext_sha256), "ciphertext hash in full");
        if let Some(h) = &b.plaintext_sha256 {
            assert!(id.contains(h), "plaintext hash in full");
        }
        if let Some(p) = b.price {
            assert!(id.contains(&p.to_rupiah()), "missing {}", p.to_rupiah());
        }
    }
    let sealed = id
        .lines()
        .find(|l| l.contains("Penawaran tersegel pada batas akhir"))
        .unwrap();
    assert_eq!(sealed.split_once(':').unwrap().1.trim(), "4", "{sealed}");
    assert_contains_all(
        &en,
        &[
            "BID OPENING RECORD",
            "Friday, 20 March 2026, at 15:05 WIB",
            "Seal root hash",
            &o.seal_root,
            "could not be opened",
            "Sealed:",
            "Opened:",
            "Kota Contoh, 20 March 2026",
        ],
    );
}

#[test]
fn evaluation_report_shows_results_scores_and_the_winner() {
    let e = evaluation(4);
    let Some((id, en)) = render_both(&e, evaluation_report) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "BERITA ACARA HASIL EVALUASI",
            "Lulus",
            "Gugur",
            "Peringkat",
            "80,25",
            "86,25",
            "Metode kerja tidak",
            "Metode evaluasi: Kualitas dan biaya (bobot teknis 70%, bobot harga 30%)",
            "Calon pemenang",
            "Pokja Pemilihan mengusulkan CV Maju Jaya sebagai calon pemenang.",
            "Kota Contoh, 23 Maret 2026",
        ],
    );
    assert_contains_all(&id, &VENDORS);
    let winner = &id[id.find("C. Calon pemenang").unwrap()..];
    assert!(winner
        .lines()
        .any(|l| l.contains("Harga penawaran") && l.contains("Rp 2.310.000.000,00")));
    for b in &e.bids {
        assert!(id.contains(&b.price.unwrap().to_rupiah()));
    }
    assert_contains_all(
        &en,
        &[
            "EVALUATION RESULT RECORD",
            "Pass",
            "Fail",
            "86.25",
            "Proposed winner",
            "Evaluation method: Quality and cost",
        ],
    );
    // Lowest price without scores: no score columns; a failed procedure.
    let mut e = evaluation(3);
    e.evaluation = EvaluationMethod::LowestPrice;
    for b in &mut e.bids {
        b.technical_score = None;
        b.total_score = None;
    }
    e.proposed_winner = None;
    let id = pages(&evaluation_report(&e, Lang::Id).unwrap()).concat();
    assert!(
        !id.contains("Skor"),
        "no score columns with the lowest price"
    );
    assert_contains_all(&id, &["Harga terendah", "pemilihan dinyatakan gagal"]);
}

#[test]
fn award_announcement_shows_the_winner_bidders_and_objection_end() {
    let a = award();
    let Some((id, en)) = render_both(&a, award_announcement) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "PENGUMUMAN PEMENANG",
            "Nomor: TND-2026-00012",
            "CV Maju Jaya",
            "Jl. Merdeka No. 17, Kota Contoh",
            "01.234.***.*-***.000",
            "Rp 2.310.000.000,00",
            "Rp 2.500.000.000,00",
            "Rp 2.322.345.650,00",
            "PT Bangun Persada",
            "Gugur teknis",
            "Pemenang",
            "Masa sanggah sampai 26 Maret 2026 23:59 WIB.",
        ],
    );
    assert_contains_all(
        &en,
        &[
            "AWARD NOTICE",
            "Objections may be filed until 26 March 2026 23:59 WIB.",
            "Bidders",
        ],
    );
}

#[test]
fn objection_answers_show_the_decision_and_who_answered() {
    let o = objection(false, false);
    let Some((id, en)) = render_both(&o, objection_answer) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "JAWABAN SANGGAH",
            "Nomor: TND-2026-00012",
            "CV Karya Beton",
            "24 Maret 2026 09:30 WIB",
            "Metode kerja kami memenuhi syarat.",
            "Mohon evaluasi teknis diulang.",
            "Sanggah ditolak (tidak benar)",
            "jadwal pelaksanaan tidak memenuhi syarat",
            "26 Maret 2026 01:30 WIB",
            "Ir. Bambang Sutrisno",
            "Ketua Pokja Pemilihan",
            "Kota Contoh, 26 Maret 2026",
        ],
    );
    assert!(!id.contains("BANDING"));
    assert_contains_all(
        &en,
        &["ANSWER TO OBJECTION", "Objection rejected (not valid)"],
    );
    let o = objection(true, true);
    let Some((id, en)) = render_both(&o, objection_answer) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "JAWABAN SANGGAH BANDING",
            "Sanggah banding diterima (benar)",
            "Penyanggah banding",
        ],
    );
    assert_contains_all(&en, &["ANSWER TO APPEAL", "Appeal upheld (valid)"]);
    let o = objection(false, true);
    let id = pages(&objection_answer(&o, Lang::Id).unwrap()).concat();
    assert!(id.contains("Sanggah diterima (benar)"));
}

#[test]
fn sppbj_names_the_winner_price_and_ppk() {
    let s = letter();
    let Some((id, en)) = render_both(&s, sppbj) else {
        return;
    };
    assert_contains_all(
        &id,
        &[
            "SURAT PENUNJUKAN PENYEDIA BARANG/JASA (SPPBJ)",
            "Nomor: 027/SPPBJ/PUPR/III/2026",
            "Kepada Yth.",
            "CV Maju Jaya",
            "Jl. Merdeka No. 17, Kota Contoh",
            "NPWP 01.234.***.*-***.000",
            "TND-2026-00012",
            "Jalan Lingkungan RW 03 Tahap II",
            "Rp 2.310.000.000,50",
            "menandatangani kontrak",
            "Pejabat Pembuat Komitmen",
            "Hendra Wijaya, S.T., M.T.",
            "NIP 19800101 200501 1 001",
            "Kota Contoh, 30 Maret 2026",
        ],
    );
    assert_contains_all(
        &en,
        &[
            "LETTER OF AWARD (SPPBJ)",
            "Accepted price",
            "Rp 2.310.000.000,50",
            "sign the contract",
            "Commitment Official (PPK)",
        ],
    );
}

#[test]
fn forty_bids_split_over_pages_with_every_bid_once() {
    let o = opening(40);
    let e = evaluation(40);
    let Some((all, _)) = render_both(&o, opening_record) else {
        let _ = render_both(&e, evaluation_report);
        return;
    };
    let _ = render_both(&e, evaluation_report);
    let pdf = opening_record(&o, Lang::Id).unwrap();
    // Nothing is drawn past the right margin (A4 portrait, 15 mm), the hashes included.
    let right = 595.28 - 15.0 * 72.0 / 25.4;
    assert!(max_x(&pdf) <= right + 0.5, "{} > {right}", max_x(&pdf));
    let ps = pages(&pdf);
    assert!(ps.len() >= 2, "{} pages", ps.len());
    for (i, p) in ps.iter().enumerate() {
        if p.contains("Terenkripsi:") {
            assert!(
                p.contains("penyampaian") && p.contains("SHA-256 berkas terenkripsi"),
                "page {} lacks the header",
                i + 1
            );
        }
    }
    for b in &o.bids {
        assert_eq!(
            all.matches(&b.ciphertext_sha256).count(),
            1,
            "each bid once"
        );
    }
    for i in 5..=40 {
        assert_eq!(all.matches(&format!("CV Penyedia {i:02}")).count(), 1);
    }
    let pdf = evaluation_report(&e, Lang::Id).unwrap();
    let ps = pages(&pdf);
    assert!(ps.len() >= 2, "{} pages", ps.len());
    let all = ps.concat();
    for i in 5..=40 {
        assert_eq!(all.matches(&format!("CV Penyedia {i:02}")).count(), 1);
    }
}

#[test]
fn empty_lists_and_bad_weights() {
    let mut o = opening(0);
    o.pokja.clear();
    let mut a = announcement();
    a.pokja.clear();
    let mut e = evaluation(0);
    e.proposed_winner = None;
    let mut w = award();
    w.bidders.clear();
    for lang in [Lang::Id, Lang::En] {
        for pdf in [
            opening_record(&o, lang).unwrap(),
            tender_announcement(&a, lang).unwrap(),
            evaluation_report(&e, lang).unwrap(),
            award_announcement(&w, lang).unwrap(),
        ] {
            assert!(pdf.starts_with(b"%PDF") && pdf.len() > 1000);
        }
    }
    if have_poppler() {
        let t = pages(&opening_record(&o, Lang::Id).unwrap()).concat();
        assert_contains_all(&t, &["Tidak ada penawaran yang masuk.", "........"]);
    }
    a.evaluation = EvaluationMethod::QualityCost {
        technical_weight: 101,
    };
    assert!(matches!(
        tender_announcement(&a, Lang::Id),
        Err(ReportError::Invalid(_))
    ));
    assert_eq!(
        EvaluationMethod::from_code("quality_cost", 60),
        Some(EvaluationMethod::QualityCost {
            technical_weight: 60
        })
    );
    assert_eq!(
        EvaluationMethod::from_code("lowest_price", 0),
        Some(EvaluationMethod::LowestPrice)
    );
    assert_eq!(EvaluationMethod::from_code("quality_cost", 101), None);
    assert_eq!(EvaluationMethod::from_code("other", 50), None);
}
