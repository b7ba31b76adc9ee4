//! The service-level report of public services (laporan kinerja pelayanan): for each service and
//! unit (OPD), the cases received in a period, served, on time, late, still open, and the median
//! working days to service.

use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::Lang;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::format::{self, tr};
use crate::layout::{Column, DocInfo, PageSetup, Report, Table};
use crate::ReportError;

/// One line: a service's cases served by one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevelLine {
    /// The service's title (its workflow's).
    pub service: String,
    /// The unit (OPD); `None` for cases not yet given to one.
    pub unit: Option<String>,
    pub received: u32,
    pub served: u32,
    pub on_time: u32,
    pub late: u32,
    pub open: u32,
    pub median_working_days: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevelReport {
    /// Header line 1, e.g. `Pemerintah Kota Mufakat`.
    pub region: String,
    /// The region the report covers (the whole deployment or a part of it).
    pub scope: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lines: Vec<ServiceLevelLine>,
    pub generated_at: DateTime<Utc>,
}

/// The share served on time of those served, `-` when none was.
fn on_time_rate(l: &ServiceLevelLine, lang: Lang) -> String {
    format::percent(Decimal::from(l.on_time), Decimal::from(l.served), lang)
}

/// The report on A4 landscape: one row per service and unit, then the totals.
pub fn service_levels(r: &ServiceLevelReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "LAPORAN KINERJA PELAYANAN PUBLIK",
        "PUBLIC SERVICE LEVEL REPORT",
    );
    let period = format!(
        "{} – {}",
        format::date(r.from, lang),
        format::date(r.to, lang)
    );
    let mut info = DocInfo::new(
        tr(lang, "Laporan Kinerja Pelayanan", "Service Level Report"),
        r.region.clone(),
        lang,
        r.generated_at,
    );
    info.subtitle = Some(format!("{} — {period}", r.scope));
    info.subject = Some(format!("{title} — {period}"));
    info.keywords = vec![
        "pelayanan publik".into(),
        "SP4N-LAPOR".into(),
        "PPID".into(),
    ];
    let mut doc = Report::new(info, PageSetup::landscape());
    doc.title(title, 13.0);
    doc.spacer(2.0);
    doc.key_values(&[
        (tr(lang, "Wilayah", "Region").into(), r.scope.clone()),
        (tr(lang, "Periode penerimaan", "Received").into(), period),
    ]);
    if r.lines.is_empty() {
        doc.paragraph(tr(
            lang,
            "Tidak ada permohonan atau pengaduan yang diterima dalam periode ini.",
            "No requests or complaints were received in this period.",
        ));
        return doc.finish();
    }
    let n = |v: u32| format::int(u64::from(v), lang);
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 3.0),
        Column::text(tr(lang, "Layanan", "Service"), 22.0),
        Column::text(tr(lang, "Unit / OPD", "Unit / OPD"), 16.0),
        Column::number(tr(lang, "Diterima", "Received"), 8.0),
        Column::number(tr(lang, "Dilayani", "Served"), 8.0),
        Column::number(tr(lang, "Tepat waktu", "On time"), 8.0),
        Column::number(tr(lang, "Terlambat", "Late"), 8.0),
        Column::number(tr(lang, "Belum selesai", "Open"), 8.0),
        Column::number(tr(lang, "% tepat waktu", "% on time"), 8.0),
        Column::number(tr(lang, "Median hari kerja", "Median working days"), 9.0),
    ]);
    t.zebra = true;
    for (i, l) in r.lines.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            l.service.clone(),
            l.unit
                .clone()
                .unwrap_or_else(|| tr(lang, "(belum diteruskan)", "(not yet routed)").into()),
            n(l.received),
            n(l.served),
            n(l.on_time),
            n(l.late),
            n(l.open),
            on_time_rate(l, lang),
            l.median_working_days
                .map(|d| format::decimal(d, 1, lang))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    let sum = |f: fn(&ServiceLevelLine) -> u32| r.lines.iter().map(f).sum::<u32>();
    let total = ServiceLevelLine {
        service: String::new(),
        unit: None,
        received: sum(|l| l.received),
        served: sum(|l| l.served),
        on_time: sum(|l| l.on_time),
        late: sum(|l| l.late),
        open: sum(|l| l.open),
        median_working_days: None,
    };
    let t = t.with_totals(vec![
        String::new(),
        tr(lang, "JUMLAH", "TOTAL").into(),
        String::new(),
        n(total.received),
        n(total.served),
        n(total.on_time),
        n(total.late),
        n(total.open),
        on_time_rate(&total, lang),
        String::new(),
    ]);
    doc.table(&t)?;
    doc.spacer(2.0);
    doc.paragraph(tr(
        lang,
        "Dilayani: dijawab, ditindaklanjuti atau diputus. Terlambat: melewati standar waktu \
         layanan (dieskalasi, dilayani sesudah batas waktu, atau belum dilayani padahal batas \
         waktu sudah lewat). Hari kerja menurut kalender kerja (hari libur nasional dan cuti \
         bersama tidak dihitung), sejak hari sesudah diterima.",
        "Served: answered, resolved or decided. Late: a service level was missed (escalated, \
         served after the deadline, or unserved past it). Working days by the working calendar \
         (national holidays and cuti bersama excluded), from the day after receipt.",
    ));
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ServiceLevelReport {
        ServiceLevelReport {
            region: "Pemerintah Kota Mufakat".into(),
            scope: "Kota Mufakat".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            lines: (0..40)
                .map(|i| ServiceLevelLine {
                    service: "Pengaduan warga (LAPOR)".into(),
                    unit: (i % 5 != 0).then(|| format!("Dinas {i}")),
                    received: 10 + i,
                    served: 8,
                    on_time: 6,
                    late: 3,
                    open: 2 + i,
                    median_working_days: (i % 3 != 0).then(|| Decimal::new(35, 1)),
                })
                .collect(),
            generated_at: crate::samples::generated_at(),
        }
    }

    #[test]
    fn the_report_renders_over_pages_in_both_languages_and_the_same_bytes_twice() {
        for lang in [Lang::Id, Lang::En] {
            let a = service_levels(&sample(), lang).unwrap();
            assert!(a.starts_with(b"%PDF"));
            assert_eq!(a, service_levels(&sample(), lang).unwrap());
        }
        let empty = ServiceLevelReport {
            lines: vec![],
            ..sample()
        };
        assert!(service_levels(&empty, Lang::Id)
            .unwrap()
            .starts_with(b"%PDF"));
    }

    #[test]
    fn the_on_time_rate_is_of_those_served() {
        let l = &sample().lines[0];
        assert_eq!(on_time_rate(l, Lang::En), "75%");
        let none = ServiceLevelLine {
            served: 0,
            on_time: 0,
            ..l.clone()
        };
        assert_eq!(on_time_rate(&none, Lang::Id), "-");
    }
}
