//! Shared pieces of the competitive-procedure documents in [`crate::tender`]: WIB times, the
//! document start and the procedure's key-value block, the Pokja's signatures, and the tables
//! of bids (opening, evaluation, award).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;

use crate::fonts::{text_width, Font};
use crate::format::{self, rupiah, tr};
use crate::layout::{
    mm, Align, Column, DocInfo, PageSetup, Report, Signatory, SignatureBlock, Table, BODY_SIZE,
    LINE_FACTOR,
};
use crate::tender::{
    AwardBidder, EvaluatedBid, EvaluationMethod, OpenedBid, PokjaMember, TenderHead,
};
use crate::ReportError;

/// Western Indonesian Time, UTC+7.
fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar date in WIB.
pub(crate) fn wib_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&wib()).date_naive()
}

/// `12 Maret 2026 16:15 WIB`.
pub(crate) fn wib_datetime(t: DateTime<Utc>, lang: Lang) -> String {
    let l = t.with_timezone(&wib());
    format!(
        "{} {} WIB",
        format::date(l.date_naive(), lang),
        l.format("%H:%M")
    )
}

/// `2026-03-12 16:15:02 WIB`, compact for tables.
pub(crate) fn wib_stamp(t: DateTime<Utc>) -> String {
    format!(
        "{} WIB",
        t.with_timezone(&wib()).format("%Y-%m-%d %H:%M:%S")
    )
}

/// `16.15` (Indonesian) / `16:15` (English), for running text.
pub(crate) fn wib_clock(t: DateTime<Utc>, lang: Lang) -> String {
    let l = t.with_timezone(&wib());
    match lang {
        Lang::Id => l.format("%H.%M").to_string(),
        Lang::En => l.format("%H:%M").to_string(),
    }
}

pub(crate) fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s.trim().to_string()
    }
}

fn opt_money(m: Option<Money>) -> String {
    m.map(rupiah).unwrap_or_else(|| "-".into())
}

/// `Lulus` / `Gugur`, `-` when not evaluated.
fn pass_fail(v: Option<bool>, lang: Lang) -> String {
    match v {
        Some(true) => tr(lang, "Lulus", "Pass").into(),
        Some(false) => tr(lang, "Gugur", "Fail").into(),
        None => "-".into(),
    }
}

/// A score given as decimal text (`82.5`) in the language's notation (`82,5`); text that is
/// not a decimal is printed as it is.
pub(crate) fn score_text(s: &str, lang: Lang) -> String {
    match s.trim().parse::<Decimal>() {
        Ok(d) => format::decimal(d, 4, lang),
        Err(_) => or_dash(s),
    }
}

/// A new portrait report with the procedure in its header, and the document's title lines:
/// the title, `Nomor: …` and the procedure's title.
pub(crate) fn start(
    head: &TenderHead,
    header_title: &str,
    title: &str,
    number: &str,
    lang: Lang,
    generated_at: DateTime<Utc>,
) -> Report {
    let mut info = DocInfo::new(header_title, or_dash(&head.agency), lang, generated_at);
    info.subtitle = Some(format!(
        "{} {} — {}",
        or_dash(&head.method_title),
        or_dash(&head.number),
        or_dash(&head.title)
    ));
    info.subject = Some(format!("{title} {}", or_dash(number)));
    info.keywords = vec!["pengadaan".into(), "tender".into(), head.number.clone()];
    let mut r = Report::new(info, PageSetup::portrait());
    r.title(title, 13.0);
    r.title(
        &format!("{}: {}", tr(lang, "Nomor", "Number"), or_dash(number)),
        10.0,
    );
    r.title(&or_dash(&head.title), 10.0);
    r.spacer(3.0);
    r
}

/// The procedure's identification as label : value pairs, followed by `extra`.
pub(crate) fn head_pairs(
    head: &TenderHead,
    lang: Lang,
    extra: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut kv = vec![
        (
            tr(lang, "Nomor pemilihan", "Procedure number").into(),
            or_dash(&head.number),
        ),
        (tr(lang, "Judul", "Title").into(), or_dash(&head.title)),
        (
            tr(lang, "Nama paket", "Package").into(),
            or_dash(&head.package_name),
        ),
        (
            tr(lang, "Metode pemilihan", "Procurement method").into(),
            or_dash(&head.method_title),
        ),
        (tr(lang, "Instansi", "Agency").into(), or_dash(&head.agency)),
    ];
    kv.extend(extra);
    kv
}

/// `Kualitas dan biaya (bobot teknis 70%, bobot harga 30%)`.
pub(crate) fn method_text(m: EvaluationMethod, lang: Lang) -> Result<String, ReportError> {
    Ok(match m {
        EvaluationMethod::LowestPrice => tr(lang, "Harga terendah", "Lowest price").into(),
        EvaluationMethod::QualityCost { technical_weight } => {
            if technical_weight > 100 {
                return Err(ReportError::Invalid(format!(
                    "the technical weight is {technical_weight}%, more than 100%"
                )));
            }
            let price = 100 - technical_weight;
            match lang {
                Lang::Id => format!(
                    "Kualitas dan biaya (bobot teknis {technical_weight}%, bobot harga {price}%)"
                ),
                Lang::En => format!(
                    "Quality and cost (technical weight {technical_weight}%, price weight {price}%)"
                ),
            }
        }
    })
}

/// A bold label and below it, indented, a long unbreakable value (a key, a hash) in full,
/// broken between characters only when it does not fit the line.
pub(crate) fn code_block(r: &mut Report, label: &str, code: &str) {
    r.ensure_space(BODY_SIZE * LINE_FACTOR * 3.0);
    r.text_block(label, Font::Bold, BODY_SIZE, Align::Left, 0.0);
    r.text_block(&or_dash(code), Font::Regular, 9.0, Align::Left, mm(5.0));
    r.spacer(2.0);
}

/// The members with the chair first (otherwise in the given order).
fn chair_first(pokja: &[PokjaMember]) -> Vec<&PokjaMember> {
    let mut v: Vec<&PokjaMember> = pokja.iter().collect();
    v.sort_by_key(|m| !m.chair);
    v
}

fn pokja_role(chair: bool, lang: Lang) -> &'static str {
    if chair {
        tr(
            lang,
            "Ketua Pokja Pemilihan",
            "Chair of the Selection Committee",
        )
    } else {
        tr(
            lang,
            "Anggota Pokja Pemilihan",
            "Selection Committee Member",
        )
    }
}

/// The Pokja members as a numbered table (name, role).
pub(crate) fn pokja_table(
    r: &mut Report,
    pokja: &[PokjaMember],
    lang: Lang,
) -> Result<(), ReportError> {
    if pokja.is_empty() {
        r.paragraph(tr(
            lang,
            "Belum ada anggota Pokja.",
            "No committee members yet.",
        ));
        return Ok(());
    }
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 5.0),
        Column::text(tr(lang, "Nama", "Name"), 45.0),
        Column::text(tr(lang, "Jabatan", "Role"), 25.0),
    ]);
    for (i, m) in chair_first(pokja).into_iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            or_dash(&m.name),
            pokja_role(m.chair, lang).into(),
        ]);
    }
    r.table(&t)
}

/// The Pokja's signature block, the chair first; a blank line to sign on when there is none.
pub(crate) fn pokja_signatures(
    r: &mut Report,
    pokja: &[PokjaMember],
    place: &str,
    date: NaiveDate,
    lang: Lang,
) {
    let mut signatories: Vec<Signatory> = chair_first(pokja)
        .into_iter()
        .map(|m| Signatory {
            position: pokja_role(m.chair, lang).into(),
            name: or_dash(&m.name),
            id_number: None,
            note: None,
        })
        .collect();
    if signatories.is_empty() {
        signatories.push(Signatory {
            position: pokja_role(true, lang).into(),
            name: ".".repeat(40),
            id_number: None,
            note: None,
        });
    }
    r.signatures(&SignatureBlock {
        place: or_dash(place),
        date,
        signatories,
    });
}

/// Width in points a column needs to show each of `lines` on one line at `size`.
fn column_need(lines: &[String], size: f64) -> f64 {
    let widest = lines
        .iter()
        .map(|l| text_width(l, Font::Regular, size))
        .fold(0.0, f64::max);
    // Cell padding (3 pt a side) and a little slack against rounding.
    widest + 2.0 * 3.0 + 2.0
}

/// The opening table: every bid with its time, price (or why it could not be opened) and both
/// hashes in full. The hash column is made exactly as wide as the longest hash line needs (at
/// most 56 % of the width; longer values wrap between characters).
pub(crate) fn opening_table(
    r: &mut Report,
    bids: &[OpenedBid],
    lang: Lang,
) -> Result<(), ReportError> {
    let size = 6.5;
    let (sealed, opened) = (
        tr(lang, "Terenkripsi:", "Sealed:"),
        tr(lang, "Terbuka:", "Opened:"),
    );
    let hash_cells: Vec<String> = bids
        .iter()
        .map(|b| {
            format!(
                "{sealed} {}\n{opened} {}",
                or_dash(&b.ciphertext_sha256),
                b.plaintext_sha256
                    .as_deref()
                    .map(or_dash)
                    .unwrap_or_else(|| "-".into())
            )
        })
        .collect();
    let lines: Vec<String> = hash_cells
        .iter()
        .flat_map(|c| c.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let width = r.content_width();
    let hash_w = column_need(&lines, size).clamp(width * 0.30, width * 0.56);
    let rest = width - hash_w;
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), rest * 0.08),
        Column::text(tr(lang, "Penyedia", "Vendor"), rest * 0.36),
        Column::text(tr(lang, "Waktu penyampaian", "Submitted at"), rest * 0.24),
        Column::number(tr(lang, "Harga penawaran", "Bid price"), rest * 0.32),
        Column::text(
            tr(
                lang,
                "SHA-256 berkas terenkripsi dan isi terbuka",
                "SHA-256 of the sealed file and of the opened content",
            ),
            hash_w,
        ),
    ]);
    t.font_size = size;
    t.zebra = true;
    for (i, (b, hashes)) in bids.iter().zip(hash_cells).enumerate() {
        let price = match b.price {
            Some(p) => rupiah(p),
            None => {
                let what = tr(lang, "tidak dapat dibuka", "could not be opened");
                match b.unreadable_reason.as_deref().map(str::trim) {
                    Some(reason) if !reason.is_empty() => format!("{what}:\n{reason}"),
                    _ => what.to_string(),
                }
            }
        };
        t.row(vec![
            (i + 1).to_string(),
            or_dash(&b.vendor_name),
            wib_stamp(b.submitted_at),
            price,
            hashes,
        ]);
    }
    r.table(&t)
}

/// The evaluation table. The score columns are shown with *kualitas dan biaya* or when any
/// bid has a score.
pub(crate) fn evaluation_table(
    r: &mut Report,
    bids: &[EvaluatedBid],
    method: EvaluationMethod,
    lang: Lang,
) -> Result<(), ReportError> {
    let scores = matches!(method, EvaluationMethod::QualityCost { .. })
        || bids
            .iter()
            .any(|b| b.technical_score.is_some() || b.total_score.is_some());
    let mut cols = vec![
        Column::center(tr(lang, "No", "No"), 4.0),
        Column::text(tr(lang, "Penyedia", "Vendor"), 18.0),
        Column::number(tr(lang, "Harga penawaran", "Bid price"), 16.0),
        Column::center(tr(lang, "Administrasi", "Administrative"), 9.0),
        Column::center(tr(lang, "Teknis", "Technical"), 8.0),
    ];
    if scores {
        cols.push(Column::number(
            tr(lang, "Skor teknis", "Technical score"),
            8.0,
        ));
        cols.push(Column::number(tr(lang, "Skor akhir", "Total score"), 8.0));
    }
    cols.push(Column::center(tr(lang, "Peringkat", "Rank"), 7.0));
    cols.push(Column::text(tr(lang, "Keterangan", "Remarks"), 20.0));
    let mut t = Table::new(cols);
    t.font_size = 7.5;
    t.zebra = true;
    for (i, b) in bids.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            or_dash(&b.vendor_name),
            opt_money(b.price),
            pass_fail(b.admin_pass, lang),
            pass_fail(b.technical_pass, lang),
        ];
        if scores {
            row.push(
                b.technical_score
                    .map(|s| format::decimal(s, 2, lang))
                    .unwrap_or_else(|| "-".into()),
            );
            row.push(
                b.total_score
                    .as_deref()
                    .map(|s| score_text(s, lang))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        row.push(b.rank.map(|n| n.to_string()).unwrap_or_else(|| "-".into()));
        row.push(
            b.reason
                .as_deref()
                .map(or_dash)
                .unwrap_or_else(|| "-".into()),
        );
        t.row(row);
    }
    r.table(&t)
}

/// The bidders of the award announcement with their price, rank and status.
pub(crate) fn bidders_table(
    r: &mut Report,
    bidders: &[AwardBidder],
    lang: Lang,
) -> Result<(), ReportError> {
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 5.0),
        Column::text(tr(lang, "Penyedia", "Vendor"), 32.0),
        Column::number(tr(lang, "Harga penawaran", "Bid price"), 20.0),
        Column::center(tr(lang, "Peringkat", "Rank"), 9.0),
        Column::text(tr(lang, "Status", "Status"), 26.0),
    ]);
    t.zebra = true;
    for (i, b) in bidders.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            or_dash(&b.vendor_name),
            opt_money(b.price),
            b.rank.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
            or_dash(&b.status),
        ]);
    }
    r.table(&t)
}
