//! Monitoring and evaluation (monev) documents: the quarterly monev report of one OPD
//! (laporan monev triwulanan, A4 landscape) and the progress sheet of one activity (lembar
//! kemajuan kegiatan, A4 portrait), each with its S-curve (the chart and the tables are drawn
//! by the private `monev_chart` module).
//!
//! The titles the caller gives (status, flag kind, severity, indicator kind) are printed as
//! they are: the caller has already put them in the report's language. Percentages are
//! printed with two decimals in the language's notation (`45,00%` / `45.00%`), deviations in
//! percentage points with their sign (`-15,00`); a deviation more than
//! [`CRITICAL_DEVIATION`] points behind plan is marked `(!)` in the tables and the activities
//! concerned are listed in bold. Money is summed exactly and printed with
//! [`Money::to_rupiah`]; times are printed in WIB (UTC+7).

use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;

use crate::fonts::Font;
use crate::format::{self, rupiah, tr};
use crate::layout::{
    Align, Column, DocInfo, PageSetup, Report, Signatory, SignatureBlock, Table, BODY_SIZE,
    HEADING_SIZE,
};
use crate::monev_chart::{
    critical, critical_list, curve_table, deviation_cell, flags_table, indicators_table, opt_money,
    opt_pct, pct, photos_table, points_text, ratio, reports_table, s_curve, s_curve_height,
};
use crate::tender_tables::{or_dash, wib_date};
use crate::ReportError;

/// One period (month) of an S-curve: cumulative plan and actual.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvePoint {
    /// `2027-03`
    pub period: String,
    /// Planned cumulative physical progress, percent 0–100.
    pub planned_physical: Decimal,
    /// Actual (verified) cumulative physical progress, percent; None when not reported yet.
    pub actual_physical: Option<Decimal>,
    /// Planned cumulative disbursement.
    pub planned_disbursement: Money,
    /// Actual cumulative disbursement; None when not reported yet.
    pub actual_disbursement: Option<Money>,
}

/// A deviation flag as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagRow {
    /// The activity's title.
    pub activity: String,
    /// e.g. "Kontrak kritis" (caller gives it in the report's language)
    pub kind_title: String,
    /// e.g. "Tinggi".
    pub severity_title: String,
    /// The flag's state title, e.g. "Terbuka".
    pub status_title: String,
    /// `2027-03`
    pub period: String,
    /// One line of evidence, e.g. "Rencana 45,00 %, realisasi 30,00 % (deviasi −15,00)".
    pub detail: String,
    /// When the flag was raised (printed in WIB).
    pub raised_at: DateTime<Utc>,
}

/// An output or outcome indicator with the period's target and actual.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    /// The activity's title.
    pub activity: String,
    /// The indicator, e.g. "Panjang saluran yang direhabilitasi".
    pub name: String,
    /// "Keluaran" / "Hasil" (output/outcome), in the report's language.
    pub kind_title: String,
    /// e.g. "m", "titik".
    pub unit: String,
    /// The value before the activity.
    pub baseline: Decimal,
    /// The target at the period; None when there is none yet.
    pub target: Option<Decimal>,
    /// The verified value at the period; None when not reported yet.
    pub actual: Option<Decimal>,
    /// More is better (most outputs); false when less is better (e.g. flooded spots).
    pub higher_is_better: bool,
}

/// Reporting rates (the DHIS2 measures).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportingRates {
    /// Reports due by the end of the period.
    pub expected: u32,
    /// Of those, submitted.
    pub received: u32,
    /// Of those, first submitted by their due time.
    pub on_time: u32,
}

/// One activity's figures at the report's period.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivitySummary {
    /// The activity's title.
    pub title: String,
    /// The OPD carrying it out.
    pub opd: String,
    /// Where, e.g. "Kelurahan Sukamaju".
    pub region: String,
    /// The budget ceiling.
    pub pagu: Money,
    /// Contract number and vendor, e.g. "KTR-2027-00003 — CV Maju", when there is a contract.
    pub contract: Option<String>,
    /// The contract's value, when there is a contract.
    pub contracted: Option<Money>,
    /// First day of the schedule.
    pub starts_on: NaiveDate,
    /// Last day of the schedule.
    pub ends_on: NaiveDate,
    /// Planned cumulative physical progress at the period, percent.
    pub planned_physical: Decimal,
    /// Verified cumulative physical progress at the period, percent; None when not reported.
    pub actual_physical: Option<Decimal>,
    /// Cumulative disbursement at the period.
    pub disbursed: Money,
    /// actual − planned, percentage points (negative = behind).
    pub deviation: Option<Decimal>,
    /// The activity's status title, e.g. "Berjalan".
    pub status_title: String,
    /// The activity's S-curve.
    pub curve: Vec<CurvePoint>,
}

/// Input of [`quarterly_report`]: the quarterly monev report of one OPD.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterlyReport {
    /// Page header, e.g. "Pemerintah Kota Contoh".
    pub government: String,
    /// The OPD, e.g. "Dinas Pekerjaan Umum dan Penataan Ruang"; its head signs the report.
    pub opd: String,
    /// The budget year.
    pub year: i32,
    /// 1–4
    pub quarter: u8,
    /// The PDF date; its WIB date is also the signing date.
    pub generated_at: DateTime<Utc>,
    /// The OPD's activities with their figures at the end of the quarter.
    pub activities: Vec<ActivitySummary>,
    /// The OPD's S-curve (physical weighted by pagu, money summed).
    pub curve: Vec<CurvePoint>,
    /// Reports expected, received and on time up to the end of the quarter.
    pub reporting: ReportingRates,
    /// The activities' indicators at the end of the quarter.
    pub indicators: Vec<IndicatorRow>,
    /// The flags of the quarter.
    pub flags: Vec<FlagRow>,
    /// Signing place, e.g. "Kota Contoh".
    pub place: String,
}

/// One progress report of an activity, as listed on its sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// `2027-03`
    pub period: String,
    /// Reported cumulative physical progress, percent.
    pub physical: Option<Decimal>,
    /// Reported cumulative spending.
    pub spent: Option<Money>,
    /// The report's state title, e.g. "Terverifikasi".
    pub status_title: String,
    /// When it was (last) submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// Submitted after its due time, or not submitted by it.
    pub late: bool,
    /// The reporter's notes.
    pub notes: String,
}

/// A photo of a report (metadata; the sheet lists them).
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoRow {
    /// The report's period.
    pub period: String,
    /// The file name.
    pub name: String,
    /// When it was taken (from the photo's metadata).
    pub taken_at: Option<DateTime<Utc>>,
    /// Where it was taken, decimal degrees.
    pub latitude: Option<Decimal>,
    /// Where it was taken, decimal degrees.
    pub longitude: Option<Decimal>,
    /// SHA-256 (hex) of the file, printed in full.
    pub sha256: String,
}

/// Input of [`progress_sheet`]: one activity's progress sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressSheet {
    /// Page header, e.g. "Pemerintah Kota Contoh".
    pub government: String,
    /// The activity and its figures at its last period.
    pub activity: ActivitySummary,
    /// The golden thread, e.g. "Usulan #12 “Perbaikan jalan RW 03” — 41 suara, Musrenbang 2027", when the activity came from a resident's proposal.
    pub proposal: Option<String>,
    /// The activity's progress reports, in order of period.
    pub reports: Vec<ReportRow>,
    /// The activity's indicators.
    pub indicators: Vec<IndicatorRow>,
    /// The activity's flags (empty for readers who may not see them).
    pub flags: Vec<FlagRow>,
    /// The reports' photos.
    pub photos: Vec<PhotoRow>,
    /// The PDF date.
    pub generated_at: DateTime<Utc>,
}

/// A deviation below minus this many percentage points is emphasised: the activity is
/// critically behind plan (the first band of *kontrak kritis*).
pub const CRITICAL_DEVIATION: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

fn overflow() -> ReportError {
    ReportError::Invalid("a money total is out of range".into())
}

/// How far an indicator has come, in percent of its target, direction-aware: actual ÷ target
/// when higher is better, target ÷ actual when lower is better. `None` without a target or an
/// actual, or when the divisor is zero.
pub fn achievement(i: &IndicatorRow) -> Option<Decimal> {
    let (t, a) = (i.target?, i.actual?);
    if i.higher_is_better {
        ratio(a, t)
    } else {
        ratio(t, a)
    }
}

/// A label in the report's language and its value, for [`Report::key_values`].
fn kv(lang: Lang, id: &'static str, en: &'static str, value: String) -> (String, String) {
    (tr(lang, id, en).to_string(), value)
}

fn date_range(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {} {}",
        format::date(from, lang),
        tr(lang, "s.d.", "to"),
        format::date(to, lang)
    )
}

fn roman(q: u8) -> &'static str {
    ["I", "II", "III", "IV"][(q.clamp(1, 4) - 1) as usize]
}

/// The first and last day of quarter `q` of `year`.
fn quarter_range(year: i32, q: u8) -> Result<(NaiveDate, NaiveDate), ReportError> {
    if !(1..=4).contains(&q) {
        return Err(ReportError::Invalid(format!(
            "quarter {q} is not between 1 and 4"
        )));
    }
    let m = q as u32 * 3;
    let from = NaiveDate::from_ymd_opt(year, m - 2, 1);
    let next = if q == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, m + 1, 1)
    };
    match (from, next.and_then(|d| d.pred_opt())) {
        (Some(f), Some(t)) => Ok((f, t)),
        _ => Err(ReportError::Invalid(format!(
            "the year {year} is out of range"
        ))),
    }
}

/// Counts per title, in the order the titles first appear: `Terbuka: 3; Ditutup: 1`.
fn count_by_title<'a>(titles: impl IntoIterator<Item = &'a str>) -> String {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in titles {
        let t = or_dash(t);
        match out.iter_mut().find(|(k, _)| *k == t) {
            Some((_, n)) => *n += 1,
            None => out.push((t, 1)),
        }
    }
    out.iter()
        .map(|(t, n)| format!("{t}: {n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An OPD's figures over its activities.
#[derive(Debug, Clone, PartialEq)]
struct Totals {
    pagu: Money,
    contracted: Money,
    disbursed: Money,
    /// Weighted by pagu (a plain mean when every pagu is zero), two decimals.
    planned: Decimal,
    /// As `planned`, an activity without an actual counting as 0; `None` when no activity
    /// has one.
    actual: Option<Decimal>,
    critical: usize,
}

fn totals(acts: &[ActivitySummary]) -> Result<Totals, ReportError> {
    let pagu = format::sum_money(acts.iter().map(|a| a.pagu)).ok_or_else(overflow)?;
    let contracted =
        format::sum_money(acts.iter().filter_map(|a| a.contracted)).ok_or_else(overflow)?;
    let disbursed = format::sum_money(acts.iter().map(|a| a.disbursed)).ok_or_else(overflow)?;
    let weighted = |v: &dyn Fn(&ActivitySummary) -> Decimal| -> Option<Decimal> {
        if acts.is_empty() {
            return Some(Decimal::ZERO);
        }
        let w = if pagu.amount() > Decimal::ZERO {
            let mut s = Decimal::ZERO;
            for a in acts {
                s = s.checked_add(a.pagu.amount().checked_mul(v(a))?)?;
            }
            s.checked_div(pagu.amount())?
        } else {
            acts.iter().map(v).sum::<Decimal>() / Decimal::from(acts.len() as u64)
        };
        Some(w.round_dp(2))
    };
    let planned = weighted(&|a| a.planned_physical).ok_or_else(overflow)?;
    let actual = if acts.iter().any(|a| a.actual_physical.is_some()) {
        Some(weighted(&|a| a.actual_physical.unwrap_or_default()).ok_or_else(overflow)?)
    } else {
        None
    };
    Ok(Totals {
        pagu,
        contracted,
        disbursed,
        planned,
        actual,
        critical: acts.iter().filter(|a| critical(a.deviation)).count(),
    })
}

fn check_dates(a: &ActivitySummary) -> Result<(), ReportError> {
    if a.starts_on > a.ends_on {
        return Err(ReportError::Invalid(format!(
            "the activity {:?} ends before it starts",
            a.title
        )));
    }
    Ok(())
}

/// `10 dari 12 (83,33%)` / `10 of 12 (83.33%)`.
fn rate(part: u32, whole: u32, lang: Lang) -> String {
    let p = ratio(Decimal::from(part), Decimal::from(whole));
    format!(
        "{} {} {} ({})",
        format::int(part as u64, lang),
        tr(lang, "dari", "of"),
        format::int(whole as u64, lang),
        opt_pct(p, lang)
    )
}

/// The quarterly monev report of one OPD on A4 landscape: the summary (activities, pagu,
/// contracted, disbursed, physical progress against plan weighted by pagu, the deviation,
/// reporting rates, flags), the OPD's S-curve and its figures, the activities, the indicators
/// and the flags of the quarter, and the signature of the head of the OPD.
pub fn quarterly_report(q: &QuarterlyReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let (from, to) = quarter_range(q.year, q.quarter)?;
    for a in &q.activities {
        check_dates(a)?;
    }
    let t = totals(&q.activities)?;
    let roman = roman(q.quarter);
    let opd = or_dash(&q.opd);
    let title = match lang {
        Lang::Id => format!(
            "LAPORAN MONITORING DAN EVALUASI TRIWULAN {roman} TAHUN {}",
            q.year
        ),
        Lang::En => format!(
            "MONITORING AND EVALUATION REPORT, QUARTER {roman} {}",
            q.year
        ),
    };
    let quarter = match lang {
        Lang::Id => format!("Triwulan {roman} Tahun {}", q.year),
        Lang::En => format!("Quarter {roman} {}", q.year),
    };
    let mut info = DocInfo::new(
        tr(
            lang,
            "Laporan Monitoring dan Evaluasi",
            "Monitoring and Evaluation Report",
        ),
        or_dash(&q.government),
        lang,
        q.generated_at,
    );
    info.subtitle = Some(format!("{opd} — {quarter}"));
    info.subject = Some(format!("{title} — {opd}"));
    info.keywords = vec!["monev".into(), "triwulan".into(), opd.clone()];
    let mut r = Report::new(info, PageSetup::landscape());
    r.title(&title, 13.0);
    r.title(&opd, 10.5);
    r.spacer(3.0);

    r.heading(tr(lang, "A. Ringkasan", "A. Summary"));
    let disbursed = match ratio(t.disbursed.amount(), t.pagu.amount()) {
        Some(p) => format!(
            "{} ({} {})",
            rupiah(t.disbursed),
            pct(p, lang),
            tr(lang, "dari pagu", "of the pagu")
        ),
        None => rupiah(t.disbursed),
    };
    let deviation = t.actual.map(|a| a - t.planned);
    let flags = if q.flags.is_empty() {
        "0".to_string()
    } else {
        format!(
            "{} ({})",
            format::int(q.flags.len() as u64, lang),
            count_by_title(q.flags.iter().map(|f| f.status_title.as_str()))
        )
    };
    let n = |v: usize| format::int(v as u64, lang);
    let (rep, quarter_dates) = (&q.reporting, date_range(from, to, lang));
    r.key_values(&[
        kv(lang, "OPD", "OPD", opd.clone()),
        kv(lang, "Tahun anggaran", "Budget year", q.year.to_string()),
        kv(
            lang,
            "Triwulan",
            "Quarter",
            format!("{roman} ({quarter_dates})"),
        ),
        kv(lang, "Jumlah kegiatan", "Activities", n(q.activities.len())),
        kv(lang, "Jumlah pagu", "Total pagu", rupiah(t.pagu)),
        kv(lang, "Nilai kontrak", "Contracted", rupiah(t.contracted)),
        kv(lang, "Realisasi keuangan", "Disbursed", disbursed),
        kv(
            lang,
            "Rencana fisik (tertimbang pagu)",
            "Planned physical progress (weighted by pagu)",
            pct(t.planned, lang),
        ),
        kv(
            lang,
            "Realisasi fisik (tertimbang pagu)",
            "Actual physical progress (weighted by pagu)",
            opt_pct(t.actual, lang),
        ),
        kv(
            lang,
            "Deviasi fisik",
            "Physical deviation",
            points_text(deviation, lang),
        ),
        kv(
            lang,
            "Kegiatan dengan deviasi di bawah -10 poin",
            "Activities more than 10 points behind",
            n(t.critical),
        ),
        kv(
            lang,
            "Laporan diterima",
            "Reports received",
            rate(rep.received, rep.expected, lang),
        ),
        kv(
            lang,
            "Laporan tepat waktu",
            "Reports on time",
            rate(rep.on_time, rep.expected, lang),
        ),
        kv(lang, "Tanda deviasi", "Deviation flags", flags),
    ]);

    r.ensure_space(s_curve_height(&r, &q.curve, t.pagu, 72.0) + HEADING_SIZE * 2.4);
    r.heading(tr(lang, "B. Kurva S OPD", "B. The OPD's S-curve"));
    s_curve(&mut r, &q.curve, t.pagu, 72.0);
    curve_table(&mut r, &q.curve, lang)?;

    r.heading(tr(lang, "C. Kemajuan kegiatan", "C. Activities"));
    if q.activities.is_empty() {
        r.paragraph(tr(lang, "Tidak ada kegiatan.", "No activities."));
    } else {
        let mut tb = Table::new(vec![
            Column::center(tr(lang, "No", "No"), 3.0),
            Column::text(tr(lang, "Kegiatan", "Activity"), 20.0),
            Column::text(tr(lang, "Wilayah", "Region"), 11.0),
            Column::number(tr(lang, "Pagu", "Pagu"), 12.0),
            Column::number(tr(lang, "Nilai kontrak", "Contracted"), 12.0),
            Column::number(tr(lang, "Rencana fisik", "Planned"), 7.5),
            Column::number(tr(lang, "Realisasi fisik", "Actual"), 7.5),
            Column::number(tr(lang, "Deviasi (poin)", "Deviation (points)"), 8.5),
            Column::number(tr(lang, "Realisasi keuangan", "Disbursed"), 12.0),
            Column::text(tr(lang, "Status", "Status"), 8.5),
        ]);
        tb.font_size = 7.5;
        tb.zebra = true;
        for (i, a) in q.activities.iter().enumerate() {
            tb.row(vec![
                (i + 1).to_string(),
                or_dash(&a.title),
                or_dash(&a.region),
                rupiah(a.pagu),
                opt_money(a.contracted),
                pct(a.planned_physical, lang),
                opt_pct(a.actual_physical, lang),
                deviation_cell(a.deviation, lang),
                rupiah(a.disbursed),
                or_dash(&a.status_title),
            ]);
        }
        let label = match lang {
            Lang::Id => format!("JUMLAH ({} kegiatan)", q.activities.len()),
            Lang::En => format!("TOTAL ({} activities)", q.activities.len()),
        };
        let tb = tb.with_totals(vec![
            label,
            String::new(),
            String::new(),
            rupiah(t.pagu),
            rupiah(t.contracted),
            pct(t.planned, lang),
            opt_pct(t.actual, lang),
            deviation_cell(deviation, lang),
            rupiah(t.disbursed),
            "-".into(),
        ]);
        r.table(&tb)?;
        let behind: Vec<&ActivitySummary> = q
            .activities
            .iter()
            .filter(|a| critical(a.deviation))
            .collect();
        critical_list(&mut r, &behind, lang);
    }

    r.heading(tr(
        lang,
        "D. Capaian indikator keluaran dan hasil",
        "D. Output and outcome indicators",
    ));
    indicators_table(&mut r, &q.indicators, true, lang)?;

    r.heading(tr(lang, "E. Tanda deviasi", "E. Deviation flags"));
    flags_table(&mut r, &q.flags, true, lang)?;

    r.spacer(4.0);
    r.signatures(&SignatureBlock {
        place: or_dash(&q.place),
        date: wib_date(q.generated_at),
        signatories: vec![Signatory {
            position: format!("{} {opd}", tr(lang, "Kepala", "Head of")),
            name: ".".repeat(40),
            id_number: Some(format!("NIP {}", ".".repeat(30))),
            note: None,
        }],
    });
    r.finish()
}

/// The progress sheet of one activity on A4 portrait: the activity (OPD, region, pagu,
/// contract, schedule, status and, when it came from a resident's proposal, the golden
/// thread), its progress against plan, its S-curve and figures, the progress reports, the
/// indicators, the flags and the photos.
pub fn progress_sheet(s: &ProgressSheet, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let a = &s.activity;
    check_dates(a)?;
    let title = tr(lang, "LEMBAR KEMAJUAN KEGIATAN", "ACTIVITY PROGRESS SHEET");
    let mut info = DocInfo::new(
        tr(lang, "Lembar Kemajuan Kegiatan", "Activity Progress Sheet"),
        or_dash(&s.government),
        lang,
        s.generated_at,
    );
    info.subtitle = Some(format!("{} — {}", or_dash(&a.opd), or_dash(&a.title)));
    info.subject = Some(format!("{title} — {}", or_dash(&a.title)));
    info.keywords = vec!["monev".into(), "kemajuan".into()];
    let mut r = Report::new(info, PageSetup::portrait());
    r.title(title, 13.0);
    r.title(&or_dash(&a.title), 10.5);
    r.spacer(3.0);

    r.heading(tr(lang, "A. Data kegiatan", "A. The activity"));
    let contract = match &a.contract {
        Some(c) => or_dash(c),
        None => tr(lang, "Belum ada kontrak", "No contract yet").into(),
    };
    let mut pairs = vec![
        kv(lang, "Kegiatan", "Activity", or_dash(&a.title)),
        kv(lang, "OPD", "OPD", or_dash(&a.opd)),
        kv(lang, "Wilayah", "Region", or_dash(&a.region)),
        kv(lang, "Pagu", "Pagu", rupiah(a.pagu)),
        kv(lang, "Kontrak", "Contract", contract),
        kv(
            lang,
            "Nilai kontrak",
            "Contract value",
            opt_money(a.contracted),
        ),
        kv(
            lang,
            "Jadwal",
            "Schedule",
            date_range(a.starts_on, a.ends_on, lang),
        ),
        kv(lang, "Status", "Status", or_dash(&a.status_title)),
    ];
    if let Some(p) = &s.proposal {
        let (id, en) = ("Asal usulan warga", "From a resident's proposal");
        pairs.push(kv(lang, id, en, or_dash(p)));
    }
    r.key_values(&pairs);

    let last = a
        .curve
        .iter()
        .rev()
        .find(|c| c.actual_physical.is_some())
        .map(|c| c.period.clone());
    r.heading(&match (&last, lang) {
        (Some(p), Lang::Id) => format!("B. Kemajuan (keadaan {p})"),
        (Some(p), Lang::En) => format!("B. Progress (as of {p})"),
        (None, _) => tr(lang, "B. Kemajuan", "B. Progress").to_string(),
    });
    let base = a.contracted.unwrap_or(a.pagu);
    let spent = match ratio(a.disbursed.amount(), base.amount()) {
        Some(p) => format!(
            "{} ({} {})",
            rupiah(a.disbursed),
            pct(p, lang),
            if a.contracted.is_some() {
                tr(lang, "dari nilai kontrak", "of the contract value")
            } else {
                tr(lang, "dari pagu", "of the pagu")
            }
        ),
        None => rupiah(a.disbursed),
    };
    r.key_values(&[
        kv(
            lang,
            "Rencana fisik",
            "Planned physical progress",
            pct(a.planned_physical, lang),
        ),
        kv(
            lang,
            "Realisasi fisik",
            "Actual physical progress",
            opt_pct(a.actual_physical, lang),
        ),
        kv(lang, "Deviasi", "Deviation", points_text(a.deviation, lang)),
        kv(lang, "Realisasi keuangan", "Disbursed", spent),
    ]);
    if critical(a.deviation) {
        r.text_block(
            tr(
                lang,
                "(!) Kegiatan tertinggal lebih dari 10 poin dari rencana.",
                "(!) The activity is more than 10 points behind plan.",
            ),
            Font::Bold,
            BODY_SIZE,
            Align::Left,
            0.0,
        );
        r.spacer(2.0);
    }

    r.ensure_space(s_curve_height(&r, &a.curve, a.pagu, 62.0) + HEADING_SIZE * 2.4);
    r.heading(tr(lang, "C. Kurva S", "C. S-curve"));
    s_curve(&mut r, &a.curve, a.pagu, 62.0);
    curve_table(&mut r, &a.curve, lang)?;

    r.heading(tr(lang, "D. Laporan kemajuan", "D. Progress reports"));
    reports_table(&mut r, &s.reports, lang)?;

    r.heading(tr(lang, "E. Indikator", "E. Indicators"));
    indicators_table(&mut r, &s.indicators, false, lang)?;

    r.heading(tr(lang, "F. Tanda deviasi", "F. Deviation flags"));
    flags_table(&mut r, &s.flags, false, lang)?;

    r.heading(tr(lang, "G. Foto", "G. Photos"));
    photos_table(&mut r, &s.photos, lang)?;
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    #[test]
    fn totals_weigh_progress_by_pagu() {
        let q = samples::monev_quarterly(5, 0);
        let t = totals(&q.activities).unwrap();
        let mut w = Decimal::ZERO;
        let mut wa = Decimal::ZERO;
        for a in &q.activities {
            w += a.pagu.amount() * a.planned_physical;
            wa += a.pagu.amount() * a.actual_physical.unwrap_or_default();
        }
        assert_eq!(t.planned, (w / t.pagu.amount()).round_dp(2));
        assert_eq!(t.actual, Some((wa / t.pagu.amount()).round_dp(2)));
        assert_eq!(t.critical, 1);
        let none = totals(&[]).unwrap();
        assert_eq!((none.planned, none.actual), (Decimal::ZERO, None));
    }

    #[test]
    fn quarters_and_schedules_are_checked() {
        assert_eq!(
            quarter_range(2027, 4).unwrap(),
            (
                NaiveDate::from_ymd_opt(2027, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2027, 12, 31).unwrap()
            )
        );
        assert!(quarter_range(2027, 0).is_err() && quarter_range(2027, 5).is_err());
        let mut s = samples::monev_sheet();
        s.activity.ends_on = s.activity.starts_on.pred_opt().unwrap();
        assert!(matches!(
            progress_sheet(&s, Lang::En),
            Err(ReportError::Invalid(_))
        ));
    }
}
