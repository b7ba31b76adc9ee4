//! Berita acara: the minutes of a musrenbang session.

use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::Lang;
use serde::{Deserialize, Serialize};

use crate::format::{self, rupiah, tr};
use crate::layout::{Column, DocInfo, PageSetup, Report, Signatory, SignatureBlock, Table};
use crate::priority::PriorityRow;
use crate::ReportError;

/// The level of a musrenbang.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MusrenbangLevel {
    Kelurahan,
    Desa,
    Kecamatan,
    /// The kabupaten/kota forum: `region_name` is the whole name (`Kota Mufakat`).
    Kota,
}

impl MusrenbangLevel {
    fn name(self) -> &'static str {
        match self {
            MusrenbangLevel::Kelurahan => "Kelurahan",
            MusrenbangLevel::Desa => "Desa",
            MusrenbangLevel::Kecamatan => "Kecamatan",
            MusrenbangLevel::Kota => "Kabupaten/Kota",
        }
    }
}

/// Input of [`berita_acara`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeritaAcara {
    /// Letter number, e.g. `005/BA-MUSRENBANG/III/2026`.
    #[serde(default)]
    pub number: Option<String>,
    /// The area that deliberated, without its level: `Sukamaju`.
    pub region_name: String,
    pub level: MusrenbangLevel,
    /// The areas above it, for the header: `Kecamatan Coblong, Kota Bandung`.
    #[serde(default)]
    pub parent_region: Option<String>,
    /// The plan year (tahun rencana) being prepared.
    pub plan_year: u16,
    pub date: NaiveDate,
    /// Free text, e.g. `09.00 – 12.30 WIB`.
    #[serde(default)]
    pub time: Option<String>,
    pub place: String,
    pub participants: u64,
    /// E.g. `terdiri atas 40 warga, 12 ketua RT/RW, 8 perwakilan perempuan ...`.
    #[serde(default)]
    pub participant_notes: Option<String>,
    /// Agenda items, in order.
    #[serde(default)]
    pub agenda: Vec<String>,
    /// Notes and agreements, one paragraph each.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The agreed priority list, in rank order.
    pub priorities: Vec<PriorityRow>,
    /// Where it is signed (defaults to the region name).
    #[serde(default)]
    pub signing_place: Option<String>,
    /// E.g. the lurah/camat, the notulis (minute taker), wakil warga (citizens' delegates).
    pub signatories: Vec<Signatory>,
    /// The kop surat (from the deployment's configuration; not part of the JSON form).
    #[serde(skip)]
    pub letterhead: Option<crate::layout::Letterhead>,
    pub generated_at: DateTime<Utc>,
}

/// The minutes of a musrenbang session: when, where, who, agenda, notes, the agreed priority
/// list with totals, and the signatures.
pub fn berita_acara(ba: &BeritaAcara, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let level = ba.level.name();
    let area = if ba.level == MusrenbangLevel::Kota {
        ba.region_name.clone()
    } else {
        format!("{level} {}", ba.region_name)
    };
    let header_region = match &ba.parent_region {
        Some(p) => format!("{area}, {p}"),
        None => area.clone(),
    };
    let title = match lang {
        Lang::Id => format!("Berita Acara Musrenbang {area}"),
        Lang::En => format!("Minutes of the Musrenbang of {area}"),
    };
    let mut info = DocInfo::new(&title, &header_region, lang, ba.generated_at);
    info.subtitle = Some(format!(
        "{} {}",
        tr(lang, "Tahun rencana", "Plan year"),
        ba.plan_year
    ));
    info.subject = Some(title.clone());
    info.keywords = vec!["musrenbang".into(), "berita acara".into()];
    info.letterhead = ba.letterhead.clone();
    info.title_in_body = false;
    let mut r = Report::new(info, PageSetup::portrait());

    r.title(tr(lang, "BERITA ACARA", "MINUTES"), 13.0);
    let sub = match lang {
        Lang::Id => format!(
            "MUSYAWARAH PERENCANAAN PEMBANGUNAN (MUSRENBANG) {} TAHUN {}",
            area.to_uppercase(),
            ba.plan_year
        ),
        Lang::En => format!(
            "DEVELOPMENT PLANNING DELIBERATION (MUSRENBANG) OF {} FOR {}",
            area.to_uppercase(),
            ba.plan_year
        ),
    };
    r.title(&sub, 10.5);
    if let Some(n) = &ba.number {
        r.title(&format!("{}: {n}", tr(lang, "Nomor", "Number")), 9.5);
    }
    r.spacer(4.0);

    let weekday = format::weekday(ba.date, lang);
    let date = format::date(ba.date, lang);
    let people = format::int(ba.participants, lang);
    let opening = match lang {
        Lang::Id => format!(
            "Pada hari ini, {weekday}, tanggal {date}, bertempat di {}, telah dilaksanakan Musyawarah Perencanaan Pembangunan (Musrenbang) {area} dalam rangka penyusunan rencana pembangunan tahun {}, yang dihadiri oleh {people} orang peserta.",
            ba.place, ba.plan_year
        ),
        Lang::En => format!(
            "On {weekday}, {date}, at {}, the development planning deliberation (musrenbang) of {area} was held to prepare the development plan for {}, attended by {people} participants.",
            ba.place, ba.plan_year
        ),
    };
    r.paragraph(&opening);

    let mut kv = vec![
        (
            tr(lang, "Wilayah", "Area").to_string(),
            header_region.clone(),
        ),
        (
            tr(lang, "Tingkat", "Level").to_string(),
            format!("Musrenbang {level}"),
        ),
        (
            tr(lang, "Hari, tanggal", "Day, date").to_string(),
            format!("{weekday}, {date}"),
        ),
    ];
    if let Some(t) = &ba.time {
        kv.push((tr(lang, "Waktu", "Time").into(), t.clone()));
    }
    kv.push((tr(lang, "Tempat", "Place").into(), ba.place.clone()));
    let mut p = format!("{people} {}", tr(lang, "orang", "people"));
    if let Some(n) = &ba.participant_notes {
        p.push_str(&format!(" ({n})"));
    }
    kv.push((tr(lang, "Jumlah peserta", "Participants").into(), p));
    r.key_values(&kv);

    let mut section = b'A';
    let mut next_heading = |r: &mut Report, text: &str| {
        r.heading(&format!("{}. {text}", section as char));
        section += 1;
    };
    if !ba.agenda.is_empty() {
        next_heading(&mut r, tr(lang, "Acara", "Agenda"));
        for (i, a) in ba.agenda.iter().enumerate() {
            r.list_item(&format!("{}.", i + 1), a);
        }
    }
    if !ba.notes.is_empty() {
        next_heading(
            &mut r,
            tr(lang, "Catatan dan kesepakatan", "Notes and agreements"),
        );
        for n in &ba.notes {
            r.paragraph(n);
        }
    }

    next_heading(
        &mut r,
        tr(
            lang,
            "Daftar prioritas usulan yang disepakati",
            "Agreed priority list",
        ),
    );
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "Rank"), 4.0),
        Column::text(tr(lang, "Usulan kegiatan", "Proposal"), 22.0),
        Column::text(tr(lang, "Lokasi", "Location"), 13.0),
        Column::text("OPD", 10.0),
        Column::number("Volume", 9.0),
        Column::number(tr(lang, "Biaya", "Cost"), 15.0),
        Column::number(tr(lang, "Suara", "Votes"), 6.5),
        Column::number(tr(lang, "Skor", "Score"), 6.5),
    ]);
    for it in &ba.priorities {
        t.row(vec![
            it.rank.to_string(),
            it.title.clone(),
            it.location.clone(),
            it.opd.clone(),
            format!("{} {}", format::decimal(it.volume, 2, lang), it.unit),
            rupiah(it.cost),
            format::int(it.votes, lang),
            format::decimal(it.score, 2, lang),
        ]);
    }
    let total = format::sum_money(ba.priorities.iter().map(|i| i.cost))
        .ok_or_else(|| ReportError::Invalid("the total cost is out of range".into()))?;
    let votes: u64 = ba.priorities.iter().map(|i| i.votes).sum();
    let t = t.with_totals(vec![
        format!(
            "{} ({})",
            tr(lang, "JUMLAH", "TOTAL"),
            format::count(
                ba.priorities.len() as u64,
                lang,
                "usulan",
                "proposal",
                "proposals"
            ),
        ),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        rupiah(total),
        format::int(votes, lang),
        String::new(),
    ]);
    r.table(&t)?;

    r.paragraph(tr(
        lang,
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.",
        "These minutes were drawn up truthfully, to be used as appropriate.",
    ));
    r.spacer(3.0);
    r.signatures(&SignatureBlock {
        place: ba
            .signing_place
            .clone()
            .unwrap_or_else(|| ba.region_name.clone()),
        date: ba.date,
        signatories: ba.signatories.clone(),
    });
    r.finish()
}
