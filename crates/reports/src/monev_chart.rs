//! The drawing pieces of the monev documents in [`crate::monev`], shared by the quarterly
//! report and the progress sheet: the number formats (two-decimal percentages, signed
//! percentage points), the tables (the S-curve's figures, indicators, flags, progress reports,
//! photos) and the S-curve chart.
//!
//! The chart has the months along the x axis,
//! 0–100 % up the y axis, the planned and the actual cumulative physical progress as solid
//! lines (the actual one thicker, in another colour) and, when the pagu is known, the planned
//! and actual cumulative disbursement as a percentage of the pagu as dashed lines; a legend
//! under the chart.
//!
//! Percentages of money are computed in `Decimal`; only the drawing coordinates are floats.
//! The chart is kept on one page: it starts a new page when it does not fit below the cursor.

use mufakat_core::{Lang, Money};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::fonts::{text_width, to_win_ansi, Font};
use crate::format::{self, rupiah, tr};
use crate::layout::{mm, Align, Column, Report, Rgb, Table, BODY_SIZE};
use crate::monev::{
    achievement, ActivitySummary, CurvePoint, FlagRow, IndicatorRow, PhotoRow, ReportRow,
    CRITICAL_DEVIATION,
};
use crate::tender_tables::{or_dash, wib_stamp};
use crate::ReportError;

// ----- numbers --------------------------------------------------------------------------

/// Behind plan by more than [`CRITICAL_DEVIATION`] points.
pub(crate) fn critical(d: Option<Decimal>) -> bool {
    d.is_some_and(|d| d < -CRITICAL_DEVIATION)
}

/// Exactly two decimals in the language's notation: `1.234,50` / `1,234.50`.
fn fixed2(d: Decimal, lang: Lang) -> String {
    let s = format::decimal(d, 2, lang);
    let mark = if lang == Lang::En { '.' } else { ',' };
    match s.split_once(mark) {
        None => format!("{s}{mark}00"),
        Some((_, f)) if f.len() == 1 => format!("{s}0"),
        Some(_) => s,
    }
}

/// `45,00%` / `45.00%`.
pub(crate) fn pct(d: Decimal, lang: Lang) -> String {
    format!("{}%", fixed2(d, lang))
}

/// A percentage, or `-` when there is none.
pub(crate) fn opt_pct(d: Option<Decimal>, lang: Lang) -> String {
    d.map(|d| pct(d, lang)).unwrap_or_else(|| "-".into())
}

/// Percentage points with their sign: `+2,50`, `-15,00`, `0,00`; `-` when there is none.
pub(crate) fn points(d: Option<Decimal>, lang: Lang) -> String {
    match d {
        None => "-".into(),
        Some(d) => {
            let s = fixed2(d, lang);
            if d.round_dp(2) > Decimal::ZERO {
                format!("+{s}")
            } else {
                s
            }
        }
    }
}

/// `-15,00 poin` / `-15.00 points`, `-` when there is none.
pub(crate) fn points_text(d: Option<Decimal>, lang: Lang) -> String {
    match d {
        Some(_) => format!("{} {}", points(d, lang), tr(lang, "poin", "points")),
        None => "-".into(),
    }
}

/// A deviation cell: the points, marked `(!)` when critical.
pub(crate) fn deviation_cell(d: Option<Decimal>, lang: Lang) -> String {
    let s = points(d, lang);
    if critical(d) {
        format!("{s} (!)")
    } else {
        s
    }
}

/// `part` as a percentage of `whole`; `None` when `whole` is zero.
pub(crate) fn ratio(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
}

pub(crate) fn opt_money(m: Option<Money>) -> String {
    m.map(rupiah).unwrap_or_else(|| "-".into())
}

fn opt_value(d: Option<Decimal>, lang: Lang) -> String {
    d.map(|d| format::decimal(d, 4, lang))
        .unwrap_or_else(|| "-".into())
}

// ----- tables ---------------------------------------------------------------------------

/// The S-curve's figures per period.
pub(crate) fn curve_table(
    r: &mut Report,
    curve: &[CurvePoint],
    lang: Lang,
) -> Result<(), ReportError> {
    if curve.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        Column::text(tr(lang, "Periode", "Period"), 10.0),
        Column::number(tr(lang, "Rencana fisik", "Planned physical"), 11.0),
        Column::number(tr(lang, "Realisasi fisik", "Actual physical"), 11.0),
        Column::number(tr(lang, "Deviasi (poin)", "Deviation (points)"), 10.0),
        Column::number(tr(lang, "Rencana keuangan", "Planned disbursement"), 17.0),
        Column::number(tr(lang, "Realisasi keuangan", "Actual disbursement"), 17.0),
    ]);
    t.font_size = 7.5;
    t.compact = true;
    t.zebra = true;
    for c in curve {
        let dev = c.actual_physical.map(|a| a - c.planned_physical);
        t.row(vec![
            or_dash(&c.period),
            pct(c.planned_physical, lang),
            opt_pct(c.actual_physical, lang),
            deviation_cell(dev, lang),
            rupiah(c.planned_disbursement),
            opt_money(c.actual_disbursement),
        ]);
    }
    r.table(&t)
}

/// The indicators table; the activity column only when `with_activity`.
pub(crate) fn indicators_table(
    r: &mut Report,
    rows: &[IndicatorRow],
    with_activity: bool,
    lang: Lang,
) -> Result<(), ReportError> {
    if rows.is_empty() {
        r.paragraph(tr(lang, "Tidak ada indikator.", "No indicators."));
        return Ok(());
    }
    let mut cols = vec![Column::center(tr(lang, "No", "No"), 4.0)];
    if with_activity {
        cols.push(Column::text(tr(lang, "Kegiatan", "Activity"), 20.0));
    }
    cols.extend([
        Column::text(tr(lang, "Indikator", "Indicator"), 22.0),
        Column::text(tr(lang, "Jenis", "Kind"), 9.0),
        Column::text(tr(lang, "Satuan", "Unit"), 7.0),
        Column::number(tr(lang, "Kondisi awal", "Baseline"), 9.0),
        Column::number(tr(lang, "Target", "Target"), 9.0),
        Column::number(tr(lang, "Realisasi", "Actual"), 9.0),
        Column::number(tr(lang, "Capaian", "Achievement"), 10.0),
        Column::text(tr(lang, "Lebih baik", "Better when"), 9.0),
    ]);
    let mut t = Table::new(cols);
    t.font_size = 7.5;
    t.zebra = true;
    for (n, i) in rows.iter().enumerate() {
        let mut row = vec![(n + 1).to_string()];
        if with_activity {
            row.push(or_dash(&i.activity));
        }
        row.extend([
            or_dash(&i.name),
            or_dash(&i.kind_title),
            or_dash(&i.unit),
            format::decimal(i.baseline, 4, lang),
            opt_value(i.target, lang),
            opt_value(i.actual, lang),
            opt_pct(achievement(i), lang),
            if i.higher_is_better {
                tr(lang, "lebih tinggi", "higher")
            } else {
                tr(lang, "lebih rendah", "lower")
            }
            .into(),
        ]);
        t.row(row);
    }
    r.table(&t)?;
    r.paragraph(tr(
        lang,
        "Capaian = realisasi ÷ target; untuk indikator yang lebih baik bila lebih rendah, capaian = target ÷ realisasi.",
        "Achievement = actual ÷ target; for indicators that are better when lower, achievement = target ÷ actual.",
    ));
    Ok(())
}

/// The flags table; the activity column only when `with_activity`.
pub(crate) fn flags_table(
    r: &mut Report,
    rows: &[FlagRow],
    with_activity: bool,
    lang: Lang,
) -> Result<(), ReportError> {
    if rows.is_empty() {
        r.paragraph(tr(lang, "Tidak ada tanda deviasi.", "No deviation flags."));
        return Ok(());
    }
    let mut cols = vec![Column::center(tr(lang, "No", "No"), 4.0)];
    if with_activity {
        cols.push(Column::text(tr(lang, "Kegiatan", "Activity"), 16.0));
    }
    cols.extend([
        Column::text(tr(lang, "Periode", "Period"), 7.0),
        Column::text(tr(lang, "Jenis", "Kind"), 13.0),
        Column::text(tr(lang, "Tingkat", "Severity"), 7.0),
        Column::text(tr(lang, "Status", "Status"), 10.0),
        Column::text(tr(lang, "Uraian", "Detail"), 32.0),
        Column::text(tr(lang, "Dicatat", "Raised"), 14.0),
    ]);
    let mut t = Table::new(cols);
    t.font_size = 7.5;
    t.zebra = true;
    for (n, f) in rows.iter().enumerate() {
        let mut row = vec![(n + 1).to_string()];
        if with_activity {
            row.push(or_dash(&f.activity));
        }
        row.extend([
            or_dash(&f.period),
            or_dash(&f.kind_title),
            or_dash(&f.severity_title),
            or_dash(&f.status_title),
            or_dash(&f.detail),
            wib_stamp(f.raised_at),
        ]);
        t.row(row);
    }
    r.table(&t)
}

/// The activities more than [`CRITICAL_DEVIATION`] points behind plan, in bold.
pub(crate) fn critical_list(r: &mut Report, acts: &[&ActivitySummary], lang: Lang) {
    if acts.is_empty() {
        return;
    }
    r.text_block(
        tr(
            lang,
            "(!) Kegiatan dengan deviasi lebih dari 10 poin di bawah rencana:",
            "(!) Activities more than 10 points behind plan:",
        ),
        Font::Bold,
        BODY_SIZE,
        Align::Left,
        0.0,
    );
    for a in acts {
        let line = format!(
            "\u{2022} {} — {} {}",
            or_dash(&a.title),
            tr(lang, "deviasi", "deviation"),
            points(a.deviation, lang)
        );
        r.text_block(&line, Font::Bold, BODY_SIZE, Align::Left, 8.0);
    }
    r.spacer(2.0);
}

/// `-6.914744, 107.609810`: the coordinates as usual for GPS, whatever the language.
fn coordinates(lat: Option<Decimal>, lon: Option<Decimal>) -> String {
    match (lat, lon) {
        (Some(a), Some(b)) => format!("{}, {}", a.round_dp(6), b.round_dp(6)),
        _ => "-".into(),
    }
}

/// The progress reports of the sheet.
pub(crate) fn reports_table(
    r: &mut Report,
    rows: &[ReportRow],
    lang: Lang,
) -> Result<(), ReportError> {
    if rows.is_empty() {
        r.paragraph(tr(
            lang,
            "Tidak ada laporan kemajuan.",
            "No progress reports.",
        ));
        return Ok(());
    }
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 4.0),
        Column::text(tr(lang, "Periode", "Period"), 9.0),
        Column::number(tr(lang, "Fisik", "Physical"), 9.0),
        Column::number(tr(lang, "Keuangan", "Spent"), 15.0),
        Column::text(tr(lang, "Status", "Status"), 11.0),
        Column::text(tr(lang, "Disampaikan", "Submitted"), 13.0),
        Column::text(tr(lang, "Batas waktu", "Due"), 13.0),
        Column::text(tr(lang, "Ketepatan", "Timeliness"), 10.0),
        Column::text(tr(lang, "Catatan", "Notes"), 18.0),
    ]);
    t.font_size = 7.0;
    t.zebra = true;
    for (i, rep) in rows.iter().enumerate() {
        let timeliness = match (rep.late, rep.submitted_at.is_some()) {
            (true, _) => tr(lang, "Terlambat", "Late"),
            (false, true) => tr(lang, "Tepat waktu", "On time"),
            (false, false) => "-",
        };
        t.row(vec![
            (i + 1).to_string(),
            or_dash(&rep.period),
            opt_pct(rep.physical, lang),
            opt_money(rep.spent),
            or_dash(&rep.status_title),
            rep.submitted_at
                .map(wib_stamp)
                .unwrap_or_else(|| "-".into()),
            wib_stamp(rep.due_at),
            timeliness.into(),
            or_dash(&rep.notes),
        ]);
    }
    r.table(&t)
}

/// The photos of the sheet, the hash column as wide as a full SHA-256 needs.
pub(crate) fn photos_table(
    r: &mut Report,
    rows: &[PhotoRow],
    lang: Lang,
) -> Result<(), ReportError> {
    if rows.is_empty() {
        r.paragraph(tr(lang, "Tidak ada foto.", "No photos."));
        return Ok(());
    }
    let size = 6.5;
    let width = r.content_width();
    let widest = rows
        .iter()
        .map(|p| text_width(p.sha256.trim(), Font::Regular, size))
        .fold(0.0, f64::max);
    // Cell padding (3 pt a side) and a little slack against rounding.
    let hash_w = (widest + 8.0).clamp(width * 0.2, width * 0.5);
    let rest = width - hash_w;
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), rest * 0.07),
        Column::text(tr(lang, "Periode", "Period"), rest * 0.14),
        Column::text(tr(lang, "Berkas", "File"), rest * 0.27),
        Column::text(tr(lang, "Diambil", "Taken"), rest * 0.24),
        Column::text(tr(lang, "Koordinat", "Coordinates"), rest * 0.28),
        Column::text("SHA-256", hash_w),
    ]);
    t.font_size = size;
    t.zebra = true;
    for (i, p) in rows.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            or_dash(&p.period),
            or_dash(&p.name),
            p.taken_at.map(wib_stamp).unwrap_or_else(|| "-".into()),
            coordinates(p.latitude, p.longitude),
            or_dash(&p.sha256),
        ]);
    }
    r.table(&t)
}

// ----- the chart --------------------------------------------------------------------------

/// The actual physical progress line.
const ACTUAL: Rgb = Rgb(0.85, 0.36, 0.05);
/// The planned disbursement line (a lighter blue than the planned progress).
const PLANNED_MONEY: Rgb = Rgb(0.45, 0.62, 0.82);
/// Axis labels and the legend.
const LABEL_SIZE: f64 = 6.5;
const LEGEND_SIZE: f64 = 7.0;
/// Height of one legend row, and the length of a legend's line sample.
const LEGEND_ROW: f64 = 10.0;
const SAMPLE_W: f64 = 16.0;
/// Room under the plot for the period labels.
const X_LABELS_H: f64 = 13.0;

/// Points to millimetres (the report's spacer moves in millimetres).
fn to_mm(v: f64) -> f64 {
    v * 25.4 / 72.0
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stroke {
    Solid,
    Dashed,
}

/// One line of the chart: its legend label, style and the value (0–100) at each period.
struct Series {
    label: &'static str,
    color: Rgb,
    width: f64,
    stroke: Stroke,
    markers: bool,
    values: Vec<Option<f64>>,
}

/// A percentage as a drawing coordinate, kept within 0–100.
fn y_value(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0).clamp(0.0, 100.0)
}

/// `part` as a percentage of `whole`, computed in `Decimal`; `None` when `whole` is not
/// positive.
fn money_percent(part: Money, whole: Money) -> Option<f64> {
    if whole.amount() <= Decimal::ZERO {
        return None;
    }
    let p = part
        .amount()
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(whole.amount())?;
    Some(y_value(p))
}

/// A line from `a` to `b`, solid or dashed (3 pt on, 2 pt off).
fn segment(r: &mut Report, a: (f64, f64), b: (f64, f64), color: Rgb, width: f64, stroke: Stroke) {
    if stroke == Stroke::Solid {
        r.line(a.0, a.1, b.0, b.1, color, width);
        return;
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len <= 0.0 {
        return;
    }
    let (on, off) = (3.0, 2.0);
    let mut t = 0.0;
    while t < len {
        let e = (t + on).min(len);
        r.line(
            a.0 + dx * t / len,
            a.1 + dy * t / len,
            a.0 + dx * e / len,
            a.1 + dy * e / len,
            color,
            width,
        );
        t += on + off;
    }
}

fn marker(r: &mut Report, x: f64, y: f64, color: Rgb) {
    r.fill_rect(x - 1.4, y - 1.4, 2.8, 2.8, color);
}

/// Lays the legend entries out in rows within `[x0, right]`: the top-left corner of each
/// entry, relative to the legend's top, and the number of rows.
fn legend_layout(series: &[Series], x0: f64, right: f64) -> (Vec<(f64, f64)>, usize) {
    let mut pos = Vec::with_capacity(series.len());
    let (mut x, mut row) = (x0, 0usize);
    for s in series {
        let w = SAMPLE_W + 3.0 + text_width(&to_win_ansi(s.label), Font::Regular, LEGEND_SIZE);
        if x > x0 && x + w > right {
            x = x0;
            row += 1;
        }
        pos.push((x, row as f64 * LEGEND_ROW));
        x += w + 12.0;
    }
    (pos, if series.is_empty() { 0 } else { row + 1 })
}

/// The lines of the chart, in legend order: planned and actual physical progress, and when
/// `pagu` is positive, planned and actual disbursement as a percentage of it.
fn build_series(curve: &[CurvePoint], pagu: Money, lang: Lang) -> Vec<Series> {
    let mut series = vec![
        Series {
            label: tr(lang, "Rencana fisik", "Planned physical progress"),
            color: Rgb::PRIMARY,
            width: 1.2,
            stroke: Stroke::Solid,
            markers: true,
            values: curve
                .iter()
                .map(|c| Some(y_value(c.planned_physical)))
                .collect(),
        },
        Series {
            label: tr(lang, "Realisasi fisik", "Actual physical progress"),
            color: ACTUAL,
            width: 1.9,
            stroke: Stroke::Solid,
            markers: true,
            values: curve
                .iter()
                .map(|c| c.actual_physical.map(y_value))
                .collect(),
        },
    ];
    if pagu.amount() > Decimal::ZERO {
        series.push(Series {
            label: tr(
                lang,
                "Rencana keuangan (% pagu)",
                "Planned disbursement (% of pagu)",
            ),
            color: PLANNED_MONEY,
            width: 0.9,
            stroke: Stroke::Dashed,
            markers: false,
            values: curve
                .iter()
                .map(|c| money_percent(c.planned_disbursement, pagu))
                .collect(),
        });
        series.push(Series {
            label: tr(
                lang,
                "Realisasi keuangan (% pagu)",
                "Actual disbursement (% of pagu)",
            ),
            color: Rgb::OK,
            width: 0.9,
            stroke: Stroke::Dashed,
            markers: false,
            values: curve
                .iter()
                .map(|c| c.actual_disbursement.and_then(|m| money_percent(m, pagu)))
                .collect(),
        });
    }
    series
}

/// Where things go, in points: the plot's left and right edges, the legend entries (relative
/// to the legend's top), and the heights of the plot with its labels, the legend, the note
/// and the whole chart.
struct Geometry {
    plot_l: f64,
    plot_r: f64,
    legend_pos: Vec<(f64, f64)>,
    chart_h: f64,
    legend_h: f64,
    total_h: f64,
}

fn geometry(r: &Report, series: &[Series], height_mm: f64, note: bool) -> Geometry {
    let left = r.left();
    let right = left + r.content_width();
    let plot_l = left + text_width("100%", Font::Regular, LABEL_SIZE) + 6.0;
    let (legend_pos, legend_rows) = legend_layout(series, plot_l, right);
    let chart_h = mm(height_mm);
    let legend_h = legend_rows as f64 * LEGEND_ROW + 3.0;
    let note_h = if note { LEGEND_ROW } else { 0.0 };
    Geometry {
        plot_l,
        plot_r: right - 2.0,
        legend_pos,
        chart_h,
        legend_h,
        total_h: chart_h + legend_h + note_h + 8.0,
    }
}

/// The height in points [`s_curve`] takes (for keeping a heading with the chart); 0 for an
/// empty curve, which prints one line.
pub(crate) fn s_curve_height(r: &Report, curve: &[CurvePoint], pagu: Money, height_mm: f64) -> f64 {
    if curve.is_empty() {
        return 0.0;
    }
    let series = build_series(curve, pagu, r.lang());
    let note = curve.iter().all(|c| c.actual_physical.is_none());
    geometry(r, &series, height_mm, note).total_h
}

/// Draws the S-curve of `curve` at the cursor, `height_mm` high (plot and period labels; the
/// legend comes below). `pagu` scales the disbursement lines (left out when it is zero). An
/// empty curve prints a line saying so; a curve without actuals draws the plan and says that
/// nothing has been reported yet.
pub(crate) fn s_curve(r: &mut Report, curve: &[CurvePoint], pagu: Money, height_mm: f64) {
    let lang = r.lang();
    if curve.is_empty() {
        r.paragraph(tr(
            lang,
            "Tidak ada kurva S: kegiatan belum memiliki rencana bulanan.",
            "No S-curve: there is no monthly plan yet.",
        ));
        return;
    }
    let series = build_series(curve, pagu, lang);
    let no_actuals = curve.iter().all(|c| c.actual_physical.is_none());
    let g = geometry(r, &series, height_mm, no_actuals);
    let (left, right) = (r.left(), r.left() + r.content_width());
    let ylab_w = g.plot_l - left - 4.0;
    let (plot_l, plot_r, chart_h, legend_h) = (g.plot_l, g.plot_r, g.chart_h, g.legend_h);
    r.ensure_space(g.total_h);

    let top = r.cursor();
    let plot_t = top + 4.0;
    let plot_b = top + chart_h - X_LABELS_H;
    let (plot_w, plot_h) = (plot_r - plot_l, plot_b - plot_t);
    let y_of = |v: f64| plot_b - plot_h * v / 100.0;

    // The grid, every 20 %, with its labels left of the plot.
    for k in 0..=5u32 {
        let v = 20 * k;
        let y = y_of(v as f64);
        let (color, width) = if k == 0 {
            (Rgb::RULE, 0.6)
        } else {
            (Rgb::GRID, 0.3)
        };
        r.line(plot_l, y, plot_r, y, color, width);
        r.text_aligned(
            left,
            ylab_w,
            y + LABEL_SIZE * 0.35,
            &format!("{v}%"),
            Font::Regular,
            LABEL_SIZE,
            Align::Right,
            Rgb::TEXT_MUTED,
        );
    }
    r.line(plot_l, plot_t, plot_l, plot_b, Rgb::RULE, 0.6);

    // One band per period; the points sit in the middle of their band. Labels are thinned
    // to every `step`-th period when they would otherwise collide.
    let n = curve.len();
    let band = plot_w / n as f64;
    let x_of = |i: usize| plot_l + band * (i as f64 + 0.5);
    let labels: Vec<String> = curve.iter().map(|c| to_win_ansi(&c.period)).collect();
    let widest = labels
        .iter()
        .map(|l| text_width(l, Font::Regular, LABEL_SIZE))
        .fold(0.0, f64::max);
    let step = (((widest + 4.0) / band).ceil() as usize).max(1);
    for (i, label) in labels.iter().enumerate() {
        let x = x_of(i);
        r.line(x, plot_b, x, plot_b + 2.0, Rgb::RULE, 0.4);
        if i % step == 0 {
            let tw = text_width(label, Font::Regular, LABEL_SIZE);
            let tx = (x - tw / 2.0).clamp(left, right - tw);
            r.text_at(
                tx,
                plot_b + 9.0,
                label,
                Font::Regular,
                LABEL_SIZE,
                Rgb::BLACK,
            );
        }
    }

    // The dashed money lines first, so the progress lines are drawn over them.
    let dashed = series.iter().filter(|s| s.stroke == Stroke::Dashed);
    let solid = series.iter().filter(|s| s.stroke == Stroke::Solid);
    for s in dashed.chain(solid) {
        let mut prev: Option<(f64, f64)> = None;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let p = (x_of(i), y_of(*v));
                    if let Some(q) = prev {
                        segment(r, q, p, s.color, s.width, s.stroke);
                    }
                    if s.markers {
                        marker(r, p.0, p.1, s.color);
                    }
                    prev = Some(p);
                }
                None => prev = None,
            }
        }
    }

    // The legend.
    let legend_top = top + chart_h + 2.0;
    for (s, (x, dy)) in series.iter().zip(&g.legend_pos) {
        let mid = legend_top + dy + 3.5;
        segment(
            r,
            (*x, mid),
            (x + SAMPLE_W, mid),
            s.color,
            s.width,
            s.stroke,
        );
        if s.markers {
            marker(r, x + SAMPLE_W / 2.0, mid, s.color);
        }
        r.text_at(
            x + SAMPLE_W + 3.0,
            legend_top + dy + 6.0,
            s.label,
            Font::Regular,
            LEGEND_SIZE,
            Rgb::BLACK,
        );
    }
    if no_actuals {
        r.text_at(
            plot_l,
            legend_top + legend_h + 6.0,
            tr(
                lang,
                "Belum ada realisasi yang dilaporkan.",
                "No actual progress has been reported yet.",
            ),
            Font::Regular,
            LEGEND_SIZE,
            Rgb::TEXT_MUTED,
        );
    }
    r.spacer(to_mm(g.total_h));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn percents_and_points_have_two_decimals() {
        assert_eq!(pct(d("45"), Lang::Id), "45,00%");
        assert_eq!(pct(d("12.5"), Lang::En), "12.50%");
        assert_eq!(pct(d("1234.567"), Lang::Id), "1.234,57%");
        assert_eq!(points(Some(d("-15")), Lang::Id), "-15,00");
        assert_eq!(points(Some(d("2.5")), Lang::En), "+2.50");
        assert_eq!(points(Some(d("-0.001")), Lang::Id), "0,00");
        assert_eq!(points(None, Lang::Id), "-");
        assert_eq!(deviation_cell(Some(d("-10.01")), Lang::Id), "-10,01 (!)");
        assert_eq!(deviation_cell(Some(d("-10")), Lang::Id), "-10,00");
        assert_eq!(ratio(d("1"), Decimal::ZERO), None);
    }

    #[test]
    fn money_percent_is_exact_and_bounded() {
        let pagu = Money::from_minor_units(300_000_000);
        assert_eq!(
            money_percent(Money::from_minor_units(75_000_000), pagu),
            Some(25.0)
        );
        assert_eq!(money_percent(pagu, Money::ZERO), None);
        assert_eq!(
            money_percent(Money::from_minor_units(600_000_000), pagu),
            Some(100.0)
        );
    }

    #[test]
    fn legend_wraps_within_the_width() {
        let s = |label| Series {
            label,
            color: Rgb::BLACK,
            width: 1.0,
            stroke: Stroke::Solid,
            markers: false,
            values: vec![],
        };
        let series = vec![
            s("Rencana fisik"),
            s("Realisasi fisik"),
            s("Rencana keuangan"),
        ];
        let (pos, rows) = legend_layout(&series, 0.0, 1000.0);
        assert_eq!(rows, 1);
        assert!(pos.iter().all(|p| p.1 == 0.0));
        let (pos, rows) = legend_layout(&series, 0.0, 90.0);
        assert_eq!(rows, 3);
        assert_eq!(pos[2], (0.0, 2.0 * LEGEND_ROW));
    }
}
