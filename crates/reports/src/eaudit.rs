//! E-audit (inspectorate) documents: the audit report of one assignment (LHP, laporan hasil
//! pemeriksaan) and the follow-up monitoring matrix of the region's recommendations (matriks
//! pemantauan tindak lanjut).
//!
//! Both print the titles they are given (finding severity, state titles, ratings) as they are:
//! the caller has already put them in the report's language. Only the counts of the matrix
//! need to know what a status means, so each matrix row also carries a [`FollowUpState`].

use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fonts::Font;
use crate::format::{self, rupiah, tr};
use crate::layout::{
    mm, Align, Column, DocInfo, PageSetup, Report, Signatory, SignatureBlock, Table, BODY_SIZE,
    LINE_FACTOR,
};
use crate::ReportError;

/// A member of the audit team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub name: String,
    /// The team leader (ketua tim); the first one signs the report.
    #[serde(default)]
    pub lead: bool,
}

/// One recommendation of a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRecommendation {
    /// `1.1`.
    pub number: String,
    pub text: String,
    /// The OPD responsible for the follow-up.
    pub opd: String,
    pub due: NaiveDate,
    /// State title, e.g. `Belum sesuai`, `Selesai`.
    pub status: String,
    /// The OPD's last answer (tanggapan).
    #[serde(default)]
    pub last_answer: Option<String>,
    /// The auditor's last rating of that answer, as a title.
    #[serde(default)]
    pub last_rating: Option<String>,
}

/// One finding (temuan) of the audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    /// `1`, `2` …
    pub number: String,
    pub title: String,
    /// BPK finding code, e.g. `1.01.02`, and its title.
    pub code: String,
    pub code_title: String,
    /// Already a title in the report's language, e.g. `Tinggi`.
    pub severity: String,
    /// Kondisi, kriteria, sebab, akibat.
    pub condition: String,
    pub criteria: String,
    pub cause: String,
    pub effect: String,
    /// Kerugian (loss), when there is one.
    #[serde(default)]
    pub loss: Option<Money>,
    /// State title.
    pub status: String,
    /// One line each, e.g. `Peristiwa audit #1234`, `Dokumen kontrak.pdf (sha256 ab12…)`.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub recommendations: Vec<ReportRecommendation>,
}

/// Input of [`audit_report`]: the LHP of one assignment (surat tugas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// `Kota Contoh`.
    pub region_name: String,
    /// `ST-700/12/2026`.
    pub assignment_number: String,
    /// `Pemeriksaan pengadaan Dinas PU 2026`.
    pub title: String,
    /// Free text: the OPDs, modules and regions covered.
    pub scope: String,
    /// The audited period.
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The assignment's dates.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub team: Vec<TeamMember>,
    /// The Inspektur who signs; a blank line to sign on when `None`.
    #[serde(default)]
    pub inspector: Option<String>,
    /// The assignment's state title when printed, e.g. `Pelaporan`.
    pub status: String,
    pub findings: Vec<ReportFinding>,
    /// The audit chain head when printed (sequence number and hex hash), so a reader can
    /// verify the report against the chain. An empty hash means the chain has no events yet.
    pub chain_seq: i64,
    pub chain_hash: String,
    /// The PDF date; its (UTC) date is also the signing date.
    pub generated_at: DateTime<Utc>,
}

/// What a follow-up status means, for the matrix's counts (the printed title is
/// [`MatrixRow::status`]). The four categories of the BPK follow-up monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    /// Sesuai dengan rekomendasi: done.
    Done,
    /// Belum sesuai / dalam proses: answered, not yet accepted.
    InProgress,
    /// Belum ditindaklanjuti: no follow-up yet.
    NotActed,
    /// Tidak dapat ditindaklanjuti (with a valid reason).
    CannotFollowUp,
}

impl FollowUpState {
    /// Recognises the Indonesian titles `Sesuai`, `Belum sesuai`, `Belum ditindaklanjuti` and
    /// `Tidak dapat ditindaklanjuti` (case and surrounding spaces ignored). `Terlambat` is not a
    /// state (it is [`MatrixRow::overdue`]) and gives `None`, as does any other title.
    pub fn from_title(title: &str) -> Option<Self> {
        match title.trim().to_lowercase().as_str() {
            "sesuai" | "selesai" => Some(Self::Done),
            "belum sesuai" | "dalam proses" => Some(Self::InProgress),
            "belum ditindaklanjuti" => Some(Self::NotActed),
            "tidak dapat ditindaklanjuti" => Some(Self::CannotFollowUp),
            _ => None,
        }
    }
}

/// One recommendation in the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub assignment_number: String,
    /// `1. Kelebihan bayar …`
    pub finding: String,
    #[serde(default)]
    pub loss: Option<Money>,
    /// `1.1 Menyetor kelebihan bayar ke kas daerah`
    pub recommendation: String,
    pub opd: String,
    pub due: NaiveDate,
    /// The last answer, or `-`.
    pub follow_up: String,
    /// The printed title: `Sesuai`, `Belum sesuai`, `Belum ditindaklanjuti`,
    /// `Tidak dapat ditindaklanjuti`, `Terlambat` …
    pub status: String,
    /// What the status means, for the counts and the follow-up rate.
    pub state: FollowUpState,
    /// Past its due date without being done (as the caller judges it on `as_of`).
    #[serde(default)]
    pub overdue: bool,
}

/// Input of [`followup_matrix`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpMatrix {
    pub region_name: String,
    /// `None`: all OPDs.
    #[serde(default)]
    pub opd: Option<String>,
    pub as_of: NaiveDate,
    pub rows: Vec<MatrixRow>,
    pub generated_at: DateTime<Utc>,
}

fn overflow() -> ReportError {
    ReportError::Invalid("a money total is out of range".into())
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s.trim().to_string()
    }
}

fn loss_text(m: Option<Money>) -> String {
    m.map(rupiah).unwrap_or_else(|| "-".into())
}

fn date_range(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {} {}",
        format::date(from, lang),
        tr(lang, "s.d.", "to"),
        format::date(to, lang)
    )
}

fn header_region(region: &str, lang: Lang) -> String {
    format!("{region} — {}", tr(lang, "Inspektorat", "Inspectorate"))
}

/// A bold label and its text, indented, wrapping over as many lines (and pages) as it needs.
fn part(r: &mut Report, label: &str, text: &str) {
    r.ensure_space(BODY_SIZE * LINE_FACTOR * 3.0);
    r.text_block(label, Font::Bold, BODY_SIZE, Align::Left, 0.0);
    r.text_block(
        &or_dash(text),
        Font::Regular,
        BODY_SIZE,
        Align::Left,
        mm(5.0),
    );
    r.spacer(1.5);
}

/// Counts per status title, in the order the titles first appear.
fn count_by_title<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in titles {
        let t = or_dash(t);
        match out.iter_mut().find(|(k, _)| *k == t) {
            Some((_, n)) => *n += 1,
            None => out.push((t, 1)),
        }
    }
    out
}

fn recommendations_table(
    r: &mut Report,
    recs: &[ReportRecommendation],
    lang: Lang,
) -> Result<(), ReportError> {
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 5.0),
        Column::text(tr(lang, "Rekomendasi", "Recommendation"), 26.0),
        Column::text(tr(lang, "OPD", "OPD"), 12.0),
        Column::text(tr(lang, "Batas waktu", "Due"), 11.0),
        Column::text(tr(lang, "Status", "Status"), 11.0),
        Column::text(tr(lang, "Tanggapan terakhir OPD", "Last OPD answer"), 21.0),
        Column::text(tr(lang, "Penilaian auditor", "Auditor's rating"), 12.0),
    ]);
    for rec in recs {
        t.row(vec![
            or_dash(&rec.number),
            or_dash(&rec.text),
            or_dash(&rec.opd),
            format::date(rec.due, lang),
            or_dash(&rec.status),
            or_dash(rec.last_answer.as_deref().unwrap_or("")),
            or_dash(rec.last_rating.as_deref().unwrap_or("")),
        ]);
    }
    r.table(&t)
}

/// The audit report (LHP) of one assignment: the assignment and the team, a summary of the
/// findings, each finding with its condition, criteria, cause, effect, loss, evidence and
/// recommendations, the totals, the audit chain head and the signatures of the team leader
/// and the Inspektur.
pub fn audit_report(a: &AuditReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    if a.period_from > a.period_to {
        return Err(ReportError::Invalid(
            "the audited period ends before it starts".into(),
        ));
    }
    if a.starts_on > a.ends_on {
        return Err(ReportError::Invalid(
            "the assignment ends before it starts".into(),
        ));
    }
    if a.chain_seq < 0 {
        return Err(ReportError::Invalid(
            "the audit chain sequence number is negative".into(),
        ));
    }
    let total_loss =
        format::sum_money(a.findings.iter().filter_map(|f| f.loss)).ok_or_else(overflow)?;
    let n_recs: usize = a.findings.iter().map(|f| f.recommendations.len()).sum();

    let title = tr(lang, "LAPORAN HASIL PEMERIKSAAN", "AUDIT REPORT");
    let mut info = DocInfo::new(
        tr(lang, "Laporan Hasil Pemeriksaan", "Audit Report"),
        header_region(&a.region_name, lang),
        lang,
        a.generated_at,
    );
    info.subtitle = Some(format!("{} — {}", a.assignment_number, a.title));
    info.subject = Some(format!("{title} {}", a.assignment_number));
    info.keywords = vec!["e-audit".into(), "lhp".into(), a.assignment_number.clone()];
    let mut r = Report::new(info, PageSetup::portrait());
    r.title(title, 13.0);
    r.title(
        &format!(
            "{}: {}",
            tr(lang, "Surat tugas", "Assignment"),
            a.assignment_number
        ),
        10.0,
    );
    r.title(&or_dash(&a.title), 10.0);
    r.spacer(3.0);

    r.heading(tr(lang, "A. Data penugasan", "A. Assignment"));
    r.key_values(&[
        (
            tr(lang, "Nomor surat tugas", "Assignment number").into(),
            or_dash(&a.assignment_number),
        ),
        (tr(lang, "Judul", "Title").into(), or_dash(&a.title)),
        (tr(lang, "Ruang lingkup", "Scope").into(), or_dash(&a.scope)),
        (
            tr(lang, "Periode yang diperiksa", "Period audited").into(),
            date_range(a.period_from, a.period_to, lang),
        ),
        (
            tr(lang, "Masa penugasan", "Assignment dates").into(),
            date_range(a.starts_on, a.ends_on, lang),
        ),
        (tr(lang, "Status", "Status").into(), or_dash(&a.status)),
    ]);

    r.heading(tr(lang, "B. Tim pemeriksa", "B. Audit team"));
    if a.team.is_empty() {
        r.paragraph(tr(lang, "Belum ada anggota tim.", "No team members yet."));
    } else {
        let mut t = Table::new(vec![
            Column::center(tr(lang, "No", "No"), 5.0),
            Column::text(tr(lang, "Nama", "Name"), 45.0),
            Column::text(tr(lang, "Peran", "Role"), 20.0),
        ]);
        for (i, m) in a.team.iter().enumerate() {
            t.row(vec![
                (i + 1).to_string(),
                or_dash(&m.name),
                if m.lead {
                    tr(lang, "Ketua tim", "Team leader")
                } else {
                    tr(lang, "Anggota tim", "Team member")
                }
                .into(),
            ]);
        }
        r.table(&t)?;
    }

    r.heading(tr(lang, "C. Ringkasan temuan", "C. Summary of findings"));
    if a.findings.is_empty() {
        r.paragraph(tr(
            lang,
            "Belum ada temuan pada penugasan ini.",
            "There are no findings in this assignment yet.",
        ));
    } else {
        let mut t = Table::new(vec![
            Column::center(tr(lang, "No", "No"), 5.0),
            Column::text(tr(lang, "Temuan", "Finding"), 34.0),
            Column::text(tr(lang, "Kode", "Code"), 10.0),
            Column::text(tr(lang, "Tingkat", "Severity"), 10.0),
            Column::number(tr(lang, "Kerugian", "Loss"), 17.0),
            Column::number(tr(lang, "Rekomendasi", "Recommendations"), 11.0),
        ]);
        for f in &a.findings {
            t.row(vec![
                or_dash(&f.number),
                or_dash(&f.title),
                or_dash(&f.code),
                or_dash(&f.severity),
                loss_text(f.loss),
                f.recommendations.len().to_string(),
            ]);
        }
        let label = match lang {
            Lang::Id => format!("JUMLAH ({} temuan)", a.findings.len()),
            Lang::En => format!("TOTAL ({} findings)", a.findings.len()),
        };
        let t = t.with_totals(vec![
            label,
            String::new(),
            String::new(),
            String::new(),
            rupiah(total_loss),
            n_recs.to_string(),
        ]);
        r.table(&t)?;

        r.heading(tr(lang, "D. Uraian temuan", "D. Findings in detail"));
        for f in &a.findings {
            r.ensure_space(BODY_SIZE * LINE_FACTOR * 8.0);
            r.spacer(2.0);
            r.text_block(
                &format!(
                    "{} {}: {}",
                    tr(lang, "Temuan", "Finding"),
                    or_dash(&f.number),
                    or_dash(&f.title)
                ),
                Font::Bold,
                10.5,
                Align::Left,
                0.0,
            );
            r.spacer(1.0);
            let code = match (f.code.trim().is_empty(), f.code_title.trim().is_empty()) {
                (true, true) => "-".to_string(),
                (false, true) => f.code.trim().to_string(),
                (true, false) => f.code_title.trim().to_string(),
                (false, false) => format!("{} — {}", f.code.trim(), f.code_title.trim()),
            };
            r.key_values(&[
                (tr(lang, "Kode temuan", "Finding code").into(), code),
                (
                    tr(lang, "Tingkat risiko", "Severity").into(),
                    or_dash(&f.severity),
                ),
                (tr(lang, "Status", "Status").into(), or_dash(&f.status)),
                (tr(lang, "Kerugian", "Loss").into(), loss_text(f.loss)),
            ]);
            part(&mut r, tr(lang, "Kondisi", "Condition"), &f.condition);
            part(&mut r, tr(lang, "Kriteria", "Criteria"), &f.criteria);
            part(&mut r, tr(lang, "Sebab", "Cause"), &f.cause);
            part(&mut r, tr(lang, "Akibat", "Effect"), &f.effect);
            r.ensure_space(BODY_SIZE * LINE_FACTOR * 3.0);
            r.text_block(
                tr(lang, "Bukti", "Evidence"),
                Font::Bold,
                BODY_SIZE,
                Align::Left,
                0.0,
            );
            if f.evidence.is_empty() {
                r.text_block("-", Font::Regular, BODY_SIZE, Align::Left, mm(5.0));
            } else {
                for e in &f.evidence {
                    r.list_item("\u{2022}", &or_dash(e));
                }
            }
            r.spacer(1.5);
            r.ensure_space(BODY_SIZE * LINE_FACTOR * 5.0);
            r.text_block(
                tr(lang, "Rekomendasi", "Recommendations"),
                Font::Bold,
                BODY_SIZE,
                Align::Left,
                0.0,
            );
            if f.recommendations.is_empty() {
                r.text_block(
                    tr(lang, "Belum ada rekomendasi.", "No recommendations yet."),
                    Font::Regular,
                    BODY_SIZE,
                    Align::Left,
                    mm(5.0),
                );
                r.spacer(2.0);
            } else {
                r.spacer(1.0);
                recommendations_table(&mut r, &f.recommendations, lang)?;
            }
        }
    }

    // Section D (the findings in detail) is left out when there are none.
    r.heading(if a.findings.is_empty() {
        tr(lang, "D. Rekapitulasi", "D. Totals")
    } else {
        tr(lang, "E. Rekapitulasi", "E. Totals")
    });
    let by_status = count_by_title(
        a.findings
            .iter()
            .flat_map(|f| f.recommendations.iter().map(|x| x.status.as_str())),
    );
    let by_status = if by_status.is_empty() {
        "-".to_string()
    } else {
        by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    r.key_values(&[
        (
            tr(lang, "Jumlah temuan", "Findings").into(),
            format::int(a.findings.len() as u64, lang),
        ),
        (
            tr(lang, "Jumlah kerugian", "Total loss").into(),
            rupiah(total_loss),
        ),
        (
            tr(lang, "Jumlah rekomendasi", "Recommendations").into(),
            format::int(n_recs as u64, lang),
        ),
        (
            tr(
                lang,
                "Rekomendasi menurut status",
                "Recommendations by status",
            )
            .into(),
            by_status,
        ),
    ]);
    if a.chain_hash.trim().is_empty() {
        r.paragraph(tr(
            lang,
            "Jejak audit: belum ada peristiwa.",
            "Audit trail: no events yet.",
        ));
    } else {
        r.paragraph(&match lang {
            Lang::Id => format!(
                "Jejak audit sampai peristiwa #{}, hash {}",
                a.chain_seq,
                a.chain_hash.trim()
            ),
            Lang::En => format!(
                "Audit trail up to event #{}, hash {}",
                a.chain_seq,
                a.chain_hash.trim()
            ),
        });
        r.paragraph(tr(
            lang,
            "Laporan ini dapat dicocokkan dengan rantai hash jejak audit: peristiwa dan hash di atas adalah ujung rantai saat laporan dicetak.",
            "This report can be checked against the audit trail's hash chain: the event and hash above are the head of the chain when the report was printed.",
        ));
    }
    r.spacer(3.0);

    let lead = a
        .team
        .iter()
        .find(|m| m.lead)
        .map(|m| or_dash(&m.name))
        .unwrap_or_else(|| ".".repeat(40));
    let inspector = a
        .inspector
        .as_deref()
        .map(or_dash)
        .unwrap_or_else(|| ".".repeat(40));
    r.signatures(&SignatureBlock {
        place: a.region_name.clone(),
        date: a.generated_at.date_naive(),
        signatories: vec![
            Signatory {
                position: tr(lang, "Ketua Tim Pemeriksa", "Audit Team Leader").into(),
                name: lead,
                id_number: None,
                note: Some(tr(lang, "Dibuat oleh,", "Prepared by,").into()),
            },
            Signatory {
                position: tr(lang, "Inspektur", "Inspector").into(),
                name: inspector,
                id_number: None,
                note: Some(tr(lang, "Mengetahui,", "Acknowledged by,").into()),
            },
        ],
    });
    r.finish()
}

/// The counts below the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct MatrixTotals {
    all: usize,
    done: usize,
    in_progress: usize,
    not_acted: usize,
    cannot: usize,
    overdue: usize,
}

fn matrix_totals(rows: &[MatrixRow]) -> MatrixTotals {
    let mut t = MatrixTotals {
        all: rows.len(),
        ..MatrixTotals::default()
    };
    for row in rows {
        match row.state {
            FollowUpState::Done => t.done += 1,
            FollowUpState::InProgress => t.in_progress += 1,
            FollowUpState::NotActed => t.not_acted += 1,
            FollowUpState::CannotFollowUp => t.cannot += 1,
        }
        if row.overdue {
            t.overdue += 1;
        }
    }
    t
}

/// The follow-up rate: done ÷ all, in percent with one decimal (`33,3%`), `-` when empty.
pub fn followup_rate(done: usize, all: usize, lang: Lang) -> String {
    format::percent(Decimal::from(done as u64), Decimal::from(all as u64), lang)
}

/// The follow-up monitoring matrix on A4 landscape: one row per recommendation with its
/// finding, loss, OPD, due date (marked when overdue), last follow-up and status, then the
/// counts per category and the follow-up rate.
pub fn followup_matrix(m: &FollowUpMatrix, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "MATRIKS PEMANTAUAN TINDAK LANJUT",
        "FOLLOW-UP MONITORING MATRIX",
    );
    let opd = m
        .opd
        .as_deref()
        .map(or_dash)
        .unwrap_or_else(|| tr(lang, "Seluruh OPD", "All OPDs").into());
    let as_of = format::date(m.as_of, lang);
    let mut info = DocInfo::new(
        tr(
            lang,
            "Matriks Pemantauan Tindak Lanjut",
            "Follow-up Monitoring Matrix",
        ),
        header_region(&m.region_name, lang),
        lang,
        m.generated_at,
    );
    info.subtitle = Some(format!(
        "{opd} — {} {as_of}",
        tr(lang, "keadaan per", "as of")
    ));
    info.subject = Some(format!("{title} — {opd}"));
    info.keywords = vec!["e-audit".into(), "tindak lanjut".into()];
    let mut r = Report::new(info, PageSetup::landscape());
    r.title(title, 13.0);
    r.spacer(2.0);
    r.key_values(&[
        (
            tr(lang, "Wilayah", "Region").into(),
            or_dash(&m.region_name),
        ),
        (tr(lang, "OPD", "OPD").into(), opd),
        (tr(lang, "Keadaan per", "As of").into(), as_of),
    ]);

    if m.rows.is_empty() {
        r.paragraph(tr(
            lang,
            "Belum ada rekomendasi yang dipantau tindak lanjutnya.",
            "There are no recommendations to monitor yet.",
        ));
    } else {
        let mut t = Table::new(vec![
            Column::center(tr(lang, "No", "No"), 3.0),
            Column::text(tr(lang, "Surat tugas", "Assignment"), 10.0),
            Column::text(tr(lang, "Temuan", "Finding"), 18.0),
            Column::number(tr(lang, "Kerugian", "Loss"), 11.0),
            Column::text(tr(lang, "Rekomendasi", "Recommendation"), 21.0),
            Column::text(tr(lang, "OPD", "OPD"), 10.0),
            Column::text(tr(lang, "Batas waktu", "Due"), 11.0),
            Column::text(tr(lang, "Tindak lanjut", "Follow-up"), 19.0),
            Column::text(tr(lang, "Status", "Status"), 10.0),
        ]);
        t.zebra = true;
        for (i, row) in m.rows.iter().enumerate() {
            let mut due = format::date(row.due, lang);
            if row.overdue {
                due.push_str(&format!("\n({})", tr(lang, "terlambat", "overdue")));
            }
            t.row(vec![
                (i + 1).to_string(),
                or_dash(&row.assignment_number),
                or_dash(&row.finding),
                loss_text(row.loss),
                or_dash(&row.recommendation),
                or_dash(&row.opd),
                due,
                or_dash(&row.follow_up),
                or_dash(&row.status),
            ]);
        }
        r.table(&t)?;
    }

    let t = matrix_totals(&m.rows);
    let n = |v: usize| format::int(v as u64, lang);
    r.heading(tr(lang, "Rekapitulasi", "Totals"));
    r.key_values(&[
        (
            tr(lang, "Jumlah rekomendasi", "Recommendations").into(),
            n(t.all),
        ),
        (
            tr(lang, "Sesuai (selesai)", "Done (as recommended)").into(),
            n(t.done),
        ),
        (
            tr(lang, "Belum sesuai (dalam proses)", "In progress").into(),
            n(t.in_progress),
        ),
        (
            tr(lang, "Belum ditindaklanjuti", "Not yet acted on").into(),
            n(t.not_acted),
        ),
        (
            tr(lang, "Tidak dapat ditindaklanjuti", "Cannot be followed up").into(),
            n(t.cannot),
        ),
        (
            tr(
                lang,
                "Terlambat (lewat batas waktu)",
                "Overdue (past due date)",
            )
            .into(),
            n(t.overdue),
        ),
        (
            tr(lang, "Tingkat penyelesaian tindak lanjut", "Follow-up rate").into(),
            followup_rate(t.done, t.all, lang),
        ),
    ]);
    r.paragraph(tr(
        lang,
        "Tingkat penyelesaian tindak lanjut = rekomendasi berstatus sesuai ÷ seluruh rekomendasi.",
        "Follow-up rate = recommendations done ÷ all recommendations.",
    ));
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    #[test]
    fn the_rate_is_exact_with_one_decimal() {
        assert_eq!(followup_rate(1, 3, Lang::Id), "33,3%");
        assert_eq!(followup_rate(2, 3, Lang::En), "66.7%");
        assert_eq!(followup_rate(3, 3, Lang::Id), "100%");
        assert_eq!(followup_rate(0, 0, Lang::Id), "-");
    }

    #[test]
    fn states_from_indonesian_titles() {
        assert_eq!(
            FollowUpState::from_title(" Sesuai "),
            Some(FollowUpState::Done)
        );
        assert_eq!(
            FollowUpState::from_title("Belum sesuai"),
            Some(FollowUpState::InProgress)
        );
        assert_eq!(
            FollowUpState::from_title("belum ditindaklanjuti"),
            Some(FollowUpState::NotActed)
        );
        assert_eq!(
            FollowUpState::from_title("Tidak dapat ditindaklanjuti"),
            Some(FollowUpState::CannotFollowUp)
        );
        assert_eq!(FollowUpState::from_title("Terlambat"), None);
    }

    #[test]
    fn totals_count_each_category_and_overdue() {
        let m = samples::followup_matrix(8);
        let t = matrix_totals(&m.rows);
        assert_eq!(t.all, 8);
        assert_eq!(t.done + t.in_progress + t.not_acted + t.cannot, 8, "{t:?}");
        assert_eq!(t.overdue, m.rows.iter().filter(|r| r.overdue).count());
    }

    #[test]
    fn counts_by_title_keep_first_appearance_order() {
        assert_eq!(
            count_by_title(["Selesai", "Belum sesuai", "Selesai", ""]),
            vec![
                ("Selesai".to_string(), 2),
                ("Belum sesuai".to_string(), 1),
                ("-".to_string(), 1)
            ]
        );
    }

    #[test]
    fn bad_dates_are_rejected_and_output_is_deterministic() {
        let a = samples::audit_report(2);
        assert_eq!(
            audit_report(&a, Lang::Id).unwrap(),
            audit_report(&a, Lang::Id).unwrap()
        );
        let mut bad = a.clone();
        bad.period_to = bad.period_from.pred_opt().unwrap();
        assert!(matches!(
            audit_report(&bad, Lang::Id),
            Err(ReportError::Invalid(_))
        ));
        let mut bad = a;
        bad.ends_on = bad.starts_on.pred_opt().unwrap();
        assert!(matches!(
            audit_report(&bad, Lang::En),
            Err(ReportError::Invalid(_))
        ));
    }
}
