//! Documents of a competitive procedure (mini-competition or tender): the announcement, the
//! bid opening record, the evaluation report, the award announcement, the answer to an
//! objection or appeal (sanggah / sanggah banding) and the letter of award (SPPBJ).
//!
//! Times are printed in WIB (UTC+7); the signing dates are the WIB dates of the events. Titles
//! the caller gives (the method title, a bidder's status) are printed as they are: the caller
//! has already put them in the report's language. Money is printed with
//! [`Money::to_rupiah`]; the crate has no *terbilang* (amount in words) helper, so the SPPBJ
//! shows the amount in figures only.

use chrono::{DateTime, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;

use crate::fonts::Font;
use crate::format::{self, rupiah, tr};
use crate::layout::{Align, Signatory, SignatureBlock, BODY_SIZE};
use crate::tender_tables::{
    bidders_table, code_block, evaluation_table, head_pairs, method_text, opening_table, or_dash,
    pokja_signatures, pokja_table, start, wib_clock, wib_date, wib_datetime,
};
use crate::ReportError;

/// The procedure every tender document is about.
#[derive(Debug, Clone, PartialEq)]
pub struct TenderHead {
    /// The procedure's number, e.g. `TND-2026-00012`.
    pub number: String,
    /// The procedure's title.
    pub title: String,
    /// `Tender` or `Mini-kompetisi` (in the report's language).
    pub method_title: String,
    pub package_name: String,
    /// The buying agency and its region, e.g. `Dinas PUPR Kota Contoh`: the page header.
    pub agency: String,
}

/// How bids are compared: lowest price, or quality and cost with the technical weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationMethod {
    /// *Harga terendah*.
    LowestPrice,
    /// *Kualitas dan biaya*; the price's weight is the rest of 100 %.
    QualityCost { technical_weight: u32 },
}

impl EvaluationMethod {
    /// From the stored code (`lowest_price` or `quality_cost`) and the technical weight in
    /// percent (used only with `quality_cost`, 0 to 100).
    pub fn from_code(code: &str, technical_weight: i32) -> Option<Self> {
        match code {
            "lowest_price" => Some(Self::LowestPrice),
            "quality_cost" => u32::try_from(technical_weight)
                .ok()
                .filter(|w| *w <= 100)
                .map(|technical_weight| Self::QualityCost { technical_weight }),
            _ => None,
        }
    }
}

/// A member of the selection committee (Pokja).
#[derive(Debug, Clone, PartialEq)]
pub struct PokjaMember {
    pub name: String,
    /// The chair (ketua); listed and signing first.
    pub chair: bool,
}

/// Input of [`tender_announcement`].
#[derive(Debug, Clone, PartialEq)]
pub struct TenderAnnouncement {
    pub head: TenderHead,
    /// The owner's estimate (HPS).
    pub hps: Money,
    pub evaluation: EvaluationMethod,
    /// Qualification requirements; `\n` starts a new line.
    pub qualification: String,
    /// The documents and schedule; `\n` starts a new line.
    pub documents: String,
    pub bid_deadline: DateTime<Utc>,
    /// The age public key (`age1…`) bids are sealed to, printed in full.
    pub public_key: String,
    pub pokja: Vec<PokjaMember>,
    /// The vendors invited to a mini-competition (empty for an open tender).
    pub invited_vendors: Vec<String>,
    /// The PDF date.
    pub generated_at: DateTime<Utc>,
}

/// One bid as opened.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedBid {
    pub vendor_name: String,
    pub submitted_at: DateTime<Utc>,
    /// `None`: the bid could not be opened (see `unreadable_reason`).
    pub price: Option<Money>,
    /// Why it could not be opened, e.g. `tidak dapat didekripsi`.
    pub unreadable_reason: Option<String>,
    /// SHA-256 (hex) of the sealed ciphertext: the vendor's receipt.
    pub ciphertext_sha256: String,
    /// SHA-256 (hex) of the decrypted content, when it could be decrypted.
    pub plaintext_sha256: Option<String>,
}

/// Input of [`opening_record`].
#[derive(Debug, Clone, PartialEq)]
pub struct OpeningRecord {
    pub head: TenderHead,
    /// Where the record is signed, e.g. `Kota Contoh`.
    pub place: String,
    pub opened_at: DateTime<Utc>,
    /// The root hash (hex) over the bids sealed at the deadline.
    pub seal_root: String,
    /// How many bids were sealed at the deadline.
    pub sealed_count: u32,
    pub bids: Vec<OpenedBid>,
    pub pokja: Vec<PokjaMember>,
    pub generated_at: DateTime<Utc>,
}

/// One bid as evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedBid {
    pub vendor_name: String,
    pub price: Option<Money>,
    /// Administrative evaluation: passed, failed, or not evaluated (`None`).
    pub admin_pass: Option<bool>,
    /// Technical evaluation: passed, failed, or not evaluated (`None`).
    pub technical_pass: Option<bool>,
    /// 0 to 100, with quality and cost.
    pub technical_score: Option<Decimal>,
    /// The final score as decimal text (e.g. `86.25`), with quality and cost.
    pub total_score: Option<String>,
    pub rank: Option<u32>,
    /// Why the bid was disqualified.
    pub reason: Option<String>,
}

/// The vendor proposed as the winner, and its price.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedWinner {
    pub vendor_name: String,
    pub price: Money,
}

/// Input of [`evaluation_report`].
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationReport {
    pub head: TenderHead,
    pub place: String,
    pub evaluated_at: DateTime<Utc>,
    pub hps: Money,
    pub evaluation: EvaluationMethod,
    pub bids: Vec<EvaluatedBid>,
    /// `None`: no bid qualified (the procedure failed).
    pub proposed_winner: Option<ProposedWinner>,
    pub pokja: Vec<PokjaMember>,
    pub generated_at: DateTime<Utc>,
}

/// A vendor as addressed in the award documents.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorDetails {
    pub name: String,
    pub address: String,
    /// Already masked, e.g. `01.234.***.*-***.000`.
    pub npwp: String,
}

/// One bidder in the award announcement.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardBidder {
    pub vendor_name: String,
    pub price: Option<Money>,
    pub rank: Option<u32>,
    /// A title in the report's language, e.g. `Pemenang`, `Gugur teknis`.
    pub status: String,
}

/// Input of [`award_announcement`].
#[derive(Debug, Clone, PartialEq)]
pub struct AwardAnnouncement {
    pub head: TenderHead,
    pub announced_at: DateTime<Utc>,
    pub winner: VendorDetails,
    pub winner_price: Money,
    pub hps: Money,
    pub bidders: Vec<AwardBidder>,
    /// The end of the objection period (masa sanggah).
    pub objection_ends: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
}

/// Input of [`objection_answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectionAnswer {
    pub head: TenderHead,
    /// An appeal (sanggah banding) rather than an objection (sanggah).
    pub appeal: bool,
    pub place: String,
    pub vendor_name: String,
    pub filed_at: DateTime<Utc>,
    /// The objection as filed; `\n` starts a new line.
    pub objection: String,
    /// The objection was found right (diterima) rather than rejected (ditolak).
    pub upheld: bool,
    pub answer: String,
    pub answered_at: DateTime<Utc>,
    pub answered_by: String,
    /// E.g. `Ketua Pokja Pemilihan` or, for an appeal, `Kepala Dinas PUPR`.
    pub answered_by_role: String,
    pub generated_at: DateTime<Utc>,
}

/// Input of [`sppbj`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sppbj {
    pub head: TenderHead,
    /// The letter's number.
    pub number: String,
    pub place: String,
    pub issued_at: DateTime<Utc>,
    pub vendor: VendorDetails,
    /// The accepted price.
    pub price: Money,
    pub ppk_name: String,
    /// The PPK's NIP, printed under the name.
    pub ppk_nip: Option<String>,
    pub generated_at: DateTime<Utc>,
}

fn closing(lang: Lang) -> &'static str {
    tr(
        lang,
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.",
        "This record was drawn up truthfully, to be used as appropriate.",
    )
}

/// The announcement of a tender or mini-competition: the procedure, HPS, evaluation method,
/// qualification, documents and schedule, the bid deadline, the public key bids are sealed
/// to, the Pokja and (for a mini-competition) the invited vendors.
pub fn tender_announcement(a: &TenderAnnouncement, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let method = or_dash(&a.head.method_title);
    let (header, title) = match lang {
        Lang::Id => (
            format!("Pengumuman {method}"),
            format!("PENGUMUMAN {}", method.to_uppercase()),
        ),
        Lang::En => (
            format!("{method} Notice"),
            format!("{} NOTICE", method.to_uppercase()),
        ),
    };
    let evaluation = method_text(a.evaluation, lang)?;
    let mut r = start(
        &a.head,
        &header,
        &title,
        &a.head.number,
        lang,
        a.generated_at,
    );
    r.heading(tr(lang, "A. Data pemilihan", "A. The procedure"));
    r.key_values(&head_pairs(
        &a.head,
        lang,
        vec![
            (
                tr(lang, "Nilai HPS", "Owner's estimate (HPS)").into(),
                rupiah(a.hps),
            ),
            (tr(lang, "Metode evaluasi", "Evaluation").into(), evaluation),
            (
                tr(lang, "Batas akhir penawaran", "Bid deadline").into(),
                wib_datetime(a.bid_deadline, lang),
            ),
        ],
    ));
    r.heading(tr(
        lang,
        "B. Persyaratan kualifikasi",
        "B. Qualification requirements",
    ));
    r.paragraph(&or_dash(&a.qualification));
    r.heading(tr(
        lang,
        "C. Dokumen dan jadwal",
        "C. Documents and schedule",
    ));
    r.paragraph(&or_dash(&a.documents));
    r.heading(tr(lang, "D. Penyampaian penawaran", "D. Submitting a bid"));
    r.paragraph(&match lang {
        Lang::Id => format!(
            "Penawaran disampaikan secara elektronik melalui Mufakat paling lambat {}. Setiap penawaran dienkripsi (disegel) dengan kunci publik di bawah ini dan baru dapat dibuka setelah batas akhir penawaran; tanda terima penyedia adalah SHA-256 berkas terenkripsinya.",
            wib_datetime(a.bid_deadline, lang)
        ),
        Lang::En => format!(
            "Bids are submitted electronically through Mufakat no later than {}. Each bid is encrypted (sealed) to the public key below and can only be opened after the bid deadline; the vendor's receipt is the SHA-256 of its encrypted file.",
            wib_datetime(a.bid_deadline, lang)
        ),
    });
    code_block(
        &mut r,
        tr(
            lang,
            "Kunci publik penyegel penawaran (age)",
            "Public key sealing the bids (age)",
        ),
        &a.public_key,
    );
    r.heading(tr(
        lang,
        "E. Kelompok Kerja (Pokja) Pemilihan",
        "E. Selection Committee (Pokja)",
    ));
    pokja_table(&mut r, &a.pokja, lang)?;
    if !a.invited_vendors.is_empty() {
        r.heading(tr(lang, "F. Penyedia yang diundang", "F. Invited vendors"));
        for (i, v) in a.invited_vendors.iter().enumerate() {
            r.list_item(&format!("{}.", i + 1), &or_dash(v));
        }
    }
    r.finish()
}

/// The bid opening record: when the bids were opened, the seal root and the number of bids
/// sealed at the deadline, every bid with its price (or why it could not be opened) and both
/// hashes in full, and the Pokja's signatures.
pub fn opening_record(o: &OpeningRecord, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "BERITA ACARA PEMBUKAAN PENAWARAN",
        "BID OPENING RECORD",
    );
    let mut r = start(
        &o.head,
        tr(
            lang,
            "Berita Acara Pembukaan Penawaran",
            "Bid Opening Record",
        ),
        title,
        &o.head.number,
        lang,
        o.generated_at,
    );
    let day = wib_date(o.opened_at);
    let (weekday, date, clock) = (
        format::weekday(day, lang),
        format::date(day, lang),
        wib_clock(o.opened_at, lang),
    );
    let method = or_dash(&o.head.method_title);
    r.paragraph(&match lang {
        Lang::Id => format!(
            "Pada hari ini, {weekday}, tanggal {date}, pukul {clock} WIB, Pokja Pemilihan membuka penawaran {method} nomor {} ({}) yang disampaikan secara elektronik dan tersegel sampai batas akhir penawaran, dengan hasil sebagai berikut.",
            or_dash(&o.head.number),
            or_dash(&o.head.title)
        ),
        Lang::En => format!(
            "On {weekday}, {date}, at {clock} WIB, the Selection Committee opened the bids of {method} {} ({}), submitted electronically and sealed until the bid deadline, with the following result.",
            or_dash(&o.head.number),
            or_dash(&o.head.title)
        ),
    });
    let opened = o.bids.iter().filter(|b| b.price.is_some()).count();
    let unreadable = o.bids.len() - opened;
    let n = |v: usize| format::int(v as u64, lang);
    r.heading(tr(lang, "A. Data pemilihan", "A. The procedure"));
    r.key_values(&head_pairs(
        &o.head,
        lang,
        vec![
            (
                tr(lang, "Dibuka pada", "Opened at").into(),
                wib_datetime(o.opened_at, lang),
            ),
            (
                tr(
                    lang,
                    "Penawaran tersegel pada batas akhir",
                    "Bids sealed at the deadline",
                )
                .into(),
                format::int(u64::from(o.sealed_count), lang),
            ),
            (
                tr(lang, "Penawaran dapat dibuka", "Bids opened").into(),
                n(opened),
            ),
            (
                tr(
                    lang,
                    "Penawaran tidak dapat dibuka",
                    "Bids that could not be opened",
                )
                .into(),
                n(unreadable),
            ),
        ],
    ));
    code_block(
        &mut r,
        tr(
            lang,
            "Hash akar segel (SHA-256 atas penawaran tersegel)",
            "Seal root hash (SHA-256 over the sealed bids)",
        ),
        &o.seal_root,
    );
    r.heading(tr(lang, "B. Daftar penawaran", "B. The bids"));
    if o.bids.is_empty() {
        r.paragraph(tr(
            lang,
            "Tidak ada penawaran yang masuk.",
            "No bids were received.",
        ));
    } else {
        opening_table(&mut r, &o.bids, lang)?;
    }
    r.paragraph(tr(
        lang,
        "Setiap penyedia dapat mencocokkan SHA-256 berkas terenkripsi di atas dengan tanda terimanya; hash akar segel tercatat dalam jejak audit pada batas akhir penawaran.",
        "Each vendor can compare the SHA-256 of its sealed file above with its receipt; the seal root hash was recorded in the audit trail at the bid deadline.",
    ));
    r.paragraph(closing(lang));
    r.spacer(3.0);
    pokja_signatures(&mut r, &o.pokja, &o.place, day, lang);
    r.finish()
}

/// The evaluation report: every bid's administrative and technical result, scores, rank and
/// reason, the evaluation method, the proposed winner and the Pokja's signatures.
pub fn evaluation_report(e: &EvaluationReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "BERITA ACARA HASIL EVALUASI",
        "EVALUATION RESULT RECORD",
    );
    let evaluation = method_text(e.evaluation, lang)?;
    let mut r = start(
        &e.head,
        tr(
            lang,
            "Berita Acara Hasil Evaluasi",
            "Evaluation Result Record",
        ),
        title,
        &e.head.number,
        lang,
        e.generated_at,
    );
    r.heading(tr(lang, "A. Data pemilihan", "A. The procedure"));
    r.key_values(&head_pairs(
        &e.head,
        lang,
        vec![
            (
                tr(lang, "Nilai HPS", "Owner's estimate (HPS)").into(),
                rupiah(e.hps),
            ),
            (
                tr(lang, "Metode evaluasi", "Evaluation").into(),
                evaluation.clone(),
            ),
            (
                tr(lang, "Tanggal evaluasi", "Evaluated at").into(),
                wib_datetime(e.evaluated_at, lang),
            ),
            (
                tr(lang, "Jumlah penawaran", "Bids evaluated").into(),
                format::int(e.bids.len() as u64, lang),
            ),
        ],
    ));
    r.heading(tr(lang, "B. Hasil evaluasi", "B. Evaluation results"));
    if e.bids.is_empty() {
        r.paragraph(tr(
            lang,
            "Tidak ada penawaran yang dievaluasi.",
            "No bids were evaluated.",
        ));
    } else {
        evaluation_table(&mut r, &e.bids, e.evaluation, lang)?;
    }
    r.paragraph(&format!(
        "{}: {evaluation}",
        tr(lang, "Metode evaluasi", "Evaluation method")
    ));
    r.heading(tr(lang, "C. Calon pemenang", "C. Proposed winner"));
    match &e.proposed_winner {
        Some(w) => {
            r.key_values(&[
                (
                    tr(lang, "Penyedia", "Vendor").into(),
                    or_dash(&w.vendor_name),
                ),
                (
                    tr(lang, "Harga penawaran", "Bid price").into(),
                    rupiah(w.price),
                ),
                (
                    tr(lang, "Nilai HPS", "Owner's estimate (HPS)").into(),
                    rupiah(e.hps),
                ),
            ]);
            r.paragraph(&match lang {
                Lang::Id => format!(
                    "Pokja Pemilihan mengusulkan {} sebagai calon pemenang.",
                    or_dash(&w.vendor_name)
                ),
                Lang::En => format!(
                    "The Selection Committee proposes {} as the winner.",
                    or_dash(&w.vendor_name)
                ),
            });
        }
        None => r.paragraph(tr(
            lang,
            "Tidak ada penawaran yang memenuhi syarat; pemilihan dinyatakan gagal.",
            "No bid qualified; the procedure has failed.",
        )),
    }
    r.paragraph(closing(lang));
    r.spacer(3.0);
    pokja_signatures(&mut r, &e.pokja, &e.place, wib_date(e.evaluated_at), lang);
    r.finish()
}

/// The award announcement: the winner (name, address, masked NPWP, price), the HPS, every
/// bidder with its price, rank and status, and the end of the objection period.
pub fn award_announcement(a: &AwardAnnouncement, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(lang, "PENGUMUMAN PEMENANG", "AWARD NOTICE");
    let mut r = start(
        &a.head,
        tr(lang, "Pengumuman Pemenang", "Award Notice"),
        title,
        &a.head.number,
        lang,
        a.generated_at,
    );
    r.heading(tr(lang, "A. Data pemilihan", "A. The procedure"));
    r.key_values(&head_pairs(
        &a.head,
        lang,
        vec![
            (
                tr(lang, "Nilai HPS", "Owner's estimate (HPS)").into(),
                rupiah(a.hps),
            ),
            (
                tr(lang, "Tanggal pengumuman", "Announced at").into(),
                wib_datetime(a.announced_at, lang),
            ),
        ],
    ));
    r.heading(tr(lang, "B. Pemenang", "B. Winner"));
    r.key_values(&[
        (
            tr(lang, "Nama penyedia", "Vendor").into(),
            or_dash(&a.winner.name),
        ),
        (
            tr(lang, "Alamat", "Address").into(),
            or_dash(&a.winner.address),
        ),
        ("NPWP".into(), or_dash(&a.winner.npwp)),
        (
            tr(lang, "Harga penawaran", "Bid price").into(),
            rupiah(a.winner_price),
        ),
        (
            tr(lang, "Nilai HPS", "Owner's estimate (HPS)").into(),
            rupiah(a.hps),
        ),
    ]);
    r.heading(tr(lang, "C. Daftar peserta", "C. Bidders"));
    if a.bidders.is_empty() {
        r.paragraph(tr(lang, "Tidak ada peserta.", "No bidders."));
    } else {
        bidders_table(&mut r, &a.bidders, lang)?;
    }
    r.heading(tr(lang, "D. Masa sanggah", "D. Objection period"));
    let ends = wib_datetime(a.objection_ends, lang);
    r.text_block(
        &match lang {
            Lang::Id => format!("Masa sanggah sampai {ends}."),
            Lang::En => format!("Objections may be filed until {ends}."),
        },
        Font::Bold,
        BODY_SIZE,
        Align::Left,
        0.0,
    );
    r.spacer(1.5);
    r.paragraph(tr(
        lang,
        "Peserta yang berkeberatan atas hasil pemilihan dapat menyampaikan sanggah secara elektronik melalui Mufakat dalam masa sanggah.",
        "A bidder who disagrees with the result may file an objection electronically through Mufakat within the objection period.",
    ));
    r.finish()
}

/// The answer to an objection (sanggah) or an appeal (sanggah banding): the objection, the
/// decision, the answer and who gave it, with their signature.
pub fn objection_answer(o: &ObjectionAnswer, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let (header, title) = if o.appeal {
        (
            tr(lang, "Jawaban Sanggah Banding", "Answer to Appeal"),
            tr(lang, "JAWABAN SANGGAH BANDING", "ANSWER TO APPEAL"),
        )
    } else {
        (
            tr(lang, "Jawaban Sanggah", "Answer to Objection"),
            tr(lang, "JAWABAN SANGGAH", "ANSWER TO OBJECTION"),
        )
    };
    let mut r = start(&o.head, header, title, &o.head.number, lang, o.generated_at);
    r.heading(tr(lang, "A. Data pemilihan", "A. The procedure"));
    r.key_values(&head_pairs(
        &o.head,
        lang,
        vec![
            (
                if o.appeal {
                    tr(lang, "Penyanggah banding", "Appellant")
                } else {
                    tr(lang, "Penyanggah", "Objecting vendor")
                }
                .into(),
                or_dash(&o.vendor_name),
            ),
            (
                tr(lang, "Diajukan pada", "Filed at").into(),
                wib_datetime(o.filed_at, lang),
            ),
        ],
    ));
    r.heading(if o.appeal {
        tr(lang, "B. Isi sanggah banding", "B. The appeal")
    } else {
        tr(lang, "B. Isi sanggah", "B. The objection")
    });
    r.paragraph(&or_dash(&o.objection));
    r.heading(tr(lang, "C. Keputusan", "C. Decision"));
    let decision = match (o.appeal, o.upheld) {
        (false, true) => tr(lang, "Sanggah diterima (benar)", "Objection upheld (valid)"),
        (false, false) => tr(
            lang,
            "Sanggah ditolak (tidak benar)",
            "Objection rejected (not valid)",
        ),
        (true, true) => tr(
            lang,
            "Sanggah banding diterima (benar)",
            "Appeal upheld (valid)",
        ),
        (true, false) => tr(
            lang,
            "Sanggah banding ditolak (tidak benar)",
            "Appeal rejected (not valid)",
        ),
    };
    r.text_block(decision, Font::Bold, 10.5, Align::Left, 0.0);
    r.spacer(2.0);
    r.heading(tr(lang, "D. Jawaban", "D. Answer"));
    r.paragraph(&or_dash(&o.answer));
    r.key_values(&[
        (
            tr(lang, "Dijawab pada", "Answered at").into(),
            wib_datetime(o.answered_at, lang),
        ),
        (
            tr(lang, "Dijawab oleh", "Answered by").into(),
            format!(
                "{}\n{}",
                or_dash(&o.answered_by),
                or_dash(&o.answered_by_role)
            ),
        ),
    ]);
    r.spacer(3.0);
    r.signatures(&SignatureBlock {
        place: or_dash(&o.place),
        date: wib_date(o.answered_at),
        signatories: vec![Signatory {
            position: or_dash(&o.answered_by_role),
            name: or_dash(&o.answered_by),
            id_number: None,
            note: None,
        }],
    });
    r.finish()
}

/// The letter of award (SPPBJ) to the winner: the procedure and package, the accepted price
/// (in figures), the request to sign the contract and the PPK's signature.
pub fn sppbj(s: &Sppbj, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "SURAT PENUNJUKAN PENYEDIA BARANG/JASA (SPPBJ)",
        "LETTER OF AWARD (SPPBJ)",
    );
    let mut r = start(
        &s.head,
        tr(
            lang,
            "Surat Penunjukan Penyedia Barang/Jasa",
            "Letter of Award",
        ),
        title,
        &s.number,
        lang,
        s.generated_at,
    );
    let day = wib_date(s.issued_at);
    r.key_values(&[
        (tr(lang, "Tanggal", "Date").into(), format::date(day, lang)),
        (
            tr(lang, "Perihal", "Subject").into(),
            match lang {
                Lang::Id => format!(
                    "Penunjukan penyedia untuk paket {}",
                    or_dash(&s.head.package_name)
                ),
                Lang::En => format!("Award of the package {}", or_dash(&s.head.package_name)),
            },
        ),
    ]);
    let address = [
        (tr(lang, "Kepada Yth.", "To").to_string(), Font::Regular),
        (or_dash(&s.vendor.name), Font::Bold),
        (or_dash(&s.vendor.address), Font::Regular),
        (format!("NPWP {}", or_dash(&s.vendor.npwp)), Font::Regular),
    ];
    for (line, font) in &address {
        r.text_block(line, *font, BODY_SIZE, Align::Left, 0.0);
    }
    r.spacer(4.0);
    let method = or_dash(&s.head.method_title);
    r.paragraph(&match lang {
        Lang::Id => format!(
            "Dengan ini kami beritahukan bahwa penawaran Saudara dalam {method} nomor {} ({}) untuk paket {} dengan harga penawaran {} kami nyatakan diterima, dan Saudara ditunjuk sebagai penyedia barang/jasa paket tersebut.",
            or_dash(&s.head.number),
            or_dash(&s.head.title),
            or_dash(&s.head.package_name),
            rupiah(s.price)
        ),
        Lang::En => format!(
            "We hereby inform you that your bid in {method} {} ({}) for the package {} at a price of {} is accepted, and you are appointed as the provider of the goods or services of that package.",
            or_dash(&s.head.number),
            or_dash(&s.head.title),
            or_dash(&s.head.package_name),
            rupiah(s.price)
        ),
    });
    r.spacer(1.0);
    r.key_values(&head_pairs(
        &s.head,
        lang,
        vec![(
            tr(lang, "Harga yang diterima", "Accepted price").into(),
            rupiah(s.price),
        )],
    ));
    r.paragraph(tr(
        lang,
        "Sebagai tindak lanjut surat penunjukan ini, Saudara diminta untuk menandatangani kontrak (surat perjanjian) dengan Pejabat Pembuat Komitmen sesuai ketentuan dokumen pemilihan.",
        "Following this letter of award, you are asked to sign the contract with the Commitment Official (PPK) as set out in the procurement documents.",
    ));
    r.spacer(3.0);
    r.signatures(&SignatureBlock {
        place: or_dash(&s.place),
        date: day,
        signatories: vec![Signatory {
            position: tr(
                lang,
                "Pejabat Pembuat Komitmen",
                "Commitment Official (PPK)",
            )
            .into(),
            name: or_dash(&s.ppk_name),
            id_number: s.ppk_nip.as_deref().map(|n| format!("NIP {}", n.trim())),
            note: Some(format!("{},", or_dash(&s.head.agency))),
        }],
    });
    r.finish()
}
