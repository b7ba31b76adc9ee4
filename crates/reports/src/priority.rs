//! The priority list of a musrenbang cycle and the result of a budget allocation rule.

use chrono::{DateTime, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::format::{self, rupiah, tr};
use crate::layout::{
    Bar, BarChart, Column, DocInfo, Letterhead, PageSetup, Report, Signatory, SignatureBlock, Table,
};
use crate::ReportError;

/// One ranked proposal (usulan), as in the berita acara and the priority list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityRow {
    /// 1 = highest priority.
    pub rank: u32,
    pub title: String,
    /// Where (RT/RW, street, village).
    pub location: String,
    /// The agency (Organisasi Perangkat Daerah) that would carry it out.
    pub opd: String,
    pub volume: Decimal,
    /// Unit of the volume: `m`, `unit`, `paket`, ...
    pub unit: String,
    pub cost: Money,
    pub votes: u64,
    /// The cycle's score (weighted criteria, or votes when there is no scoring).
    pub score: Decimal,
}

/// Input of [`priority_list`]: the ranked proposals of a cycle, cut against the ceiling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityList {
    /// Header line 1, e.g. `Pemerintah Kota Bandung — Kecamatan Coblong`.
    pub region: String,
    /// The cycle, e.g. `Musrenbang Kecamatan Coblong 2027`.
    pub cycle: String,
    /// Pagu indikatif. Without it the list has no cut line.
    #[serde(default)]
    pub ceiling: Option<Money>,
    /// In rank order.
    pub items: Vec<PriorityRow>,
    /// What the list's standing is, e.g. `Disepakati musrenbang kelurahan: 3 dari 4 usulan`.
    #[serde(default)]
    pub status: Option<String>,
    /// The approval block (the official who signs for the region); none prints no block.
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    /// Where it is signed (with `generated_at`'s date).
    #[serde(default)]
    pub signing_place: Option<String>,
    /// The kop surat (from the deployment's configuration; not part of the JSON form).
    #[serde(skip)]
    pub letterhead: Option<Letterhead>,
    pub generated_at: DateTime<Utc>,
}

/// The allocation rule that produced an [`AllocationReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    /// e.g. `Method of Equal Shares (MES)`, `Greedy (utilitarian)`.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Name and value, in the order to print (`tie-breaking`, `completion`, `satisfaction`...).
    #[serde(default)]
    pub parameters: Vec<(String, String)>,
}

/// One project in an [`AllocationReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationRow {
    /// Project id as in the .pb file or the database.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub opd: Option<String>,
    pub cost: Money,
    pub votes: u64,
    #[serde(default)]
    pub score: Option<Decimal>,
    pub funded: bool,
    /// Why it was (not) funded, e.g. `selected in round 3`, `not enough budget left for its
    /// supporters`.
    pub reason: String,
    /// Under MES: the share of the budget its supporters paid (0..=1), or another per-project
    /// quantity the rule reports. Charted when `chart` is `share`.
    #[serde(default)]
    pub share: Option<Decimal>,
}

/// What the bar chart of an allocation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartMetric {
    #[default]
    Votes,
    Share,
    Cost,
}

/// Input of [`allocation`]: the outcome of a rule over a cycle's projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationReport {
    pub region: String,
    pub cycle: String,
    pub rule: RuleInfo,
    /// Pagu: the budget the rule allocated.
    pub ceiling: Money,
    /// Number of voters (ballots) counted.
    pub voters: u64,
    /// In the order to print (usually funded first, then by votes).
    pub projects: Vec<AllocationRow>,
    #[serde(default)]
    pub chart: ChartMetric,
    /// Whether the run was adopted: e.g. `Ditetapkan 12 Mei 2027 oleh Bappeda`, or `None` for a
    /// run not (yet) adopted, which the report then says is a draft.
    #[serde(default)]
    pub adopted: Option<String>,
    /// The approval block; none prints no block.
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    #[serde(default)]
    pub signing_place: Option<String>,
    /// The kop surat (from the deployment's configuration; not part of the JSON form).
    #[serde(skip)]
    pub letterhead: Option<Letterhead>,
    pub generated_at: DateTime<Utc>,
}

fn overflow() -> ReportError {
    ReportError::Invalid("a money total is out of range".into())
}

/// Marks each item within the ceiling: in rank order while the running total stays within
/// it (the list is cut at the first proposal that no longer fits). Returns the cumulative
/// totals and the flags.
fn cut(
    items: &[PriorityRow],
    ceiling: Option<Money>,
) -> Result<(Vec<Money>, Vec<bool>), ReportError> {
    let mut cum = Money::ZERO;
    let mut open = true;
    let mut cums = Vec::with_capacity(items.len());
    let mut within = Vec::with_capacity(items.len());
    for it in items {
        cum = cum.checked_add(it.cost).ok_or_else(overflow)?;
        cums.push(cum);
        let ok = match ceiling {
            Some(c) => open && cum <= c,
            None => false,
        };
        if !ok {
            open = false;
        }
        within.push(ok);
    }
    Ok((cums, within))
}

/// The ranked proposals of a cycle with the cut line against the ceiling, the totals and a
/// bar chart of the votes.
pub fn priority_list(input: &PriorityList, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "Daftar Prioritas Usulan",
        "Priority List of Proposals",
    );
    let mut info = DocInfo::new(title, &input.region, lang, input.generated_at);
    info.subtitle = Some(input.cycle.clone());
    info.subject = Some(format!("{title} — {}", input.cycle));
    info.keywords = vec!["musrenbang".into(), "prioritas".into()];
    info.letterhead = input.letterhead.clone();
    let mut r = Report::new(info, PageSetup::portrait());

    let (cums, within) = cut(&input.items, input.ceiling)?;
    let total = format::sum_money(input.items.iter().map(|i| i.cost)).ok_or_else(overflow)?;
    let in_total = format::sum_money(
        input
            .items
            .iter()
            .zip(&within)
            .filter(|(_, w)| **w)
            .map(|(i, _)| i.cost),
    )
    .ok_or_else(overflow)?;
    let n_in = within.iter().filter(|w| **w).count() as u64;
    let votes: u64 = input.items.iter().map(|i| i.votes).sum();

    r.heading(tr(lang, "Ringkasan", "Summary"));
    let mut kv = vec![
        (tr(lang, "Siklus", "Cycle").to_string(), input.cycle.clone()),
        (
            tr(lang, "Jumlah usulan", "Proposals").to_string(),
            format::int(input.items.len() as u64, lang),
        ),
        (
            tr(lang, "Jumlah suara", "Votes").to_string(),
            format::int(votes, lang),
        ),
        (
            tr(lang, "Total biaya usulan", "Total cost of proposals").to_string(),
            rupiah(total),
        ),
    ];
    if let Some(c) = input.ceiling {
        let remaining = Money::new(c.amount() - in_total.amount()).map_err(|_| overflow())?;
        kv.push((
            tr(lang, "Pagu indikatif", "Budget ceiling (pagu)").to_string(),
            rupiah(c),
        ));
        kv.push((
            tr(lang, "Dalam pagu", "Within the ceiling").to_string(),
            format!(
                "{} — {}",
                format::count(n_in, lang, "usulan", "proposal", "proposals"),
                rupiah(in_total)
            ),
        ));
        kv.push((
            tr(lang, "Sisa pagu", "Remaining").to_string(),
            rupiah(remaining),
        ));
    }
    if let Some(st) = &input.status {
        kv.push((tr(lang, "Status", "Status").to_string(), st.clone()));
    }
    r.key_values(&kv);
    if input.ceiling.is_some() {
        r.paragraph(tr(
            lang,
            "Usulan masuk pagu menurut urutan prioritas selama jumlah kumulatif biayanya tidak melebihi pagu; daftar dipotong pada usulan pertama yang tidak lagi muat.",
            "Proposals are within the ceiling in priority order while the cumulative cost stays within it; the list is cut at the first proposal that no longer fits.",
        ));
    }

    r.heading(tr(lang, "Daftar prioritas", "Ranked proposals"));
    let mut cols = vec![
        Column::center(tr(lang, "No", "Rank"), 4.0),
        Column::text(tr(lang, "Usulan", "Proposal"), 24.0),
        Column::text("OPD", 11.0),
        Column::number(tr(lang, "Biaya", "Cost"), 15.0),
        Column::number(tr(lang, "Suara", "Votes"), 7.0),
        Column::number(tr(lang, "Skor", "Score"), 7.0),
        Column::number(tr(lang, "Kumulatif", "Cumulative"), 15.0),
    ];
    if input.ceiling.is_some() {
        cols.push(Column::center(
            tr(lang, "Dalam pagu", "Within ceiling"),
            8.0,
        ));
    }
    let mut t = Table::new(cols);
    for (i, it) in input.items.iter().enumerate() {
        let mut row = vec![
            it.rank.to_string(),
            it.title.clone(),
            it.opd.clone(),
            rupiah(it.cost),
            format::int(it.votes, lang),
            format::decimal(it.score, 2, lang),
            rupiah(cums[i]),
        ];
        if input.ceiling.is_some() {
            row.push(
                if within[i] {
                    tr(lang, "Ya", "Yes")
                } else {
                    tr(lang, "Tidak", "No")
                }
                .into(),
            );
        }
        t.row(row);
    }
    let mut totals = vec![
        format!(
            "{} ({})",
            tr(lang, "JUMLAH", "TOTAL"),
            format::count(
                input.items.len() as u64,
                lang,
                "usulan",
                "proposal",
                "proposals"
            ),
        ),
        String::new(),
        String::new(),
        rupiah(total),
        format::int(votes, lang),
        String::new(),
        String::new(),
    ];
    if input.ceiling.is_some() {
        totals.push(String::new());
    }
    let t = t.with_totals(totals);
    r.table(&t)?;

    r.heading(tr(lang, "Perolehan suara", "Votes received"));
    let chart = BarChart {
        title: None,
        bars: input
            .items
            .iter()
            .zip(&within)
            .map(|(it, w)| Bar {
                label: format!("{}. {}", it.rank, it.title),
                value: Decimal::from(it.votes),
                display: format::int(it.votes, lang),
                highlight: *w || input.ceiling.is_none(),
            })
            .collect(),
        legend: if input.ceiling.is_some() {
            vec![
                (tr(lang, "dalam pagu", "within the ceiling").into(), true),
                (
                    tr(lang, "di luar pagu", "outside the ceiling").into(),
                    false,
                ),
            ]
        } else {
            vec![]
        },
    };
    r.bar_chart(&chart);
    approval(
        &mut r,
        &input.signatories,
        &input.signing_place,
        input.generated_at,
    );
    r.finish()
}

/// The approval block: who signs for the list or the allocation, dated the day it was made.
fn approval(r: &mut Report, signatories: &[Signatory], place: &Option<String>, at: DateTime<Utc>) {
    if signatories.is_empty() {
        return;
    }
    r.spacer(4.0);
    r.signatures(&SignatureBlock {
        place: place.clone().unwrap_or_default(),
        date: at.date_naive(),
        signatories: signatories.to_vec(),
    });
}

/// The outcome of an allocation rule: rule and parameters, per project funded or not and why,
/// totals against the ceiling, and a bar chart (votes, MES shares or costs).
pub fn allocation(input: &AllocationReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(lang, "Hasil Alokasi Anggaran", "Budget Allocation Result");
    let mut info = DocInfo::new(title, &input.region, lang, input.generated_at);
    info.subtitle = Some(format!("{} — {}", input.cycle, input.rule.name));
    info.subject = Some(format!("{title} — {}", input.cycle));
    info.keywords = vec!["alokasi".into(), "participatory budgeting".into()];
    info.letterhead = input.letterhead.clone();
    let mut r = Report::new(info, PageSetup::portrait());

    let funded = input.projects.iter().filter(|p| p.funded);
    let allocated = format::sum_money(funded.clone().map(|p| p.cost)).ok_or_else(overflow)?;
    let n_funded = funded.count() as u64;
    let total = format::sum_money(input.projects.iter().map(|p| p.cost)).ok_or_else(overflow)?;
    let remaining =
        Money::new(input.ceiling.amount() - allocated.amount()).map_err(|_| overflow())?;
    let funded_votes: u64 = input
        .projects
        .iter()
        .filter(|p| p.funded)
        .map(|p| p.votes)
        .sum();

    r.paragraph(&match (&input.adopted, lang) {
        (Some(a), _) => a.clone(),
        (None, Lang::Id) => "DRAF: hasil perhitungan ini belum ditetapkan.".to_string(),
        (None, Lang::En) => "DRAFT: this run has not been adopted.".to_string(),
    });
    r.heading(tr(lang, "Aturan alokasi", "Allocation rule"));
    let mut kv = vec![(
        tr(lang, "Aturan", "Rule").to_string(),
        input.rule.name.clone(),
    )];
    for (k, v) in &input.rule.parameters {
        kv.push((k.clone(), v.clone()));
    }
    r.key_values(&kv);
    if let Some(d) = &input.rule.description {
        r.paragraph(d);
    }

    r.heading(tr(lang, "Ringkasan", "Summary"));
    r.key_values(&[
        (tr(lang, "Siklus", "Cycle").into(), input.cycle.clone()),
        (
            tr(lang, "Jumlah pemilih", "Voters").into(),
            format::int(input.voters, lang),
        ),
        (
            tr(lang, "Jumlah usulan", "Projects").into(),
            format::int(input.projects.len() as u64, lang),
        ),
        (
            tr(lang, "Total biaya usulan", "Total cost of projects").into(),
            rupiah(total),
        ),
        (
            tr(lang, "Pagu", "Budget ceiling (pagu)").into(),
            rupiah(input.ceiling),
        ),
        (
            tr(lang, "Didanai", "Funded").into(),
            format!(
                "{} — {}",
                format::count(n_funded, lang, "usulan", "project", "projects"),
                rupiah(allocated)
            ),
        ),
        (
            tr(lang, "Terpakai", "Share of the ceiling used").into(),
            format::percent(allocated.amount(), input.ceiling.amount(), lang),
        ),
        (tr(lang, "Sisa pagu", "Remaining").into(), rupiah(remaining)),
    ]);
    if remaining.amount().is_sign_negative() && !remaining.amount().is_zero() {
        let over = Money::new(-remaining.amount()).map_err(|_| overflow())?;
        r.paragraph(&match lang {
            Lang::Id => format!(
                "PERHATIAN: usulan yang didanai melebihi pagu sebesar {} ({} dari pagu), atas keputusan perencana yang dicatat beserta alasannya.",
                rupiah(over),
                format::percent(allocated.amount(), input.ceiling.amount(), lang)
            ),
            Lang::En => format!(
                "WARNING: the funded projects exceed the ceiling by {} ({} of the ceiling), by the planners' recorded decision.",
                rupiah(over),
                format::percent(allocated.amount(), input.ceiling.amount(), lang)
            ),
        });
    }

    r.heading(tr(lang, "Rincian per usulan", "Per project"));
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 4.0),
        Column::text(tr(lang, "Usulan", "Project"), 22.0),
        Column::text("OPD", 10.0),
        Column::number(tr(lang, "Biaya", "Cost"), 15.0),
        Column::number(tr(lang, "Suara", "Votes"), 7.0),
        Column::number(tr(lang, "Skor", "Score"), 7.0),
        Column::center(tr(lang, "Status", "Status"), 9.0),
        Column::text(tr(lang, "Alasan", "Reason"), 22.0),
    ]);
    for (i, p) in input.projects.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            format!("{} ({})", p.title, p.id),
            p.opd.clone().unwrap_or_else(|| "-".into()),
            rupiah(p.cost),
            format::int(p.votes, lang),
            p.score
                .map(|s| format::decimal(s, 2, lang))
                .unwrap_or_else(|| "-".into()),
            if p.funded {
                tr(lang, "Didanai", "Funded")
            } else {
                tr(lang, "Tidak didanai", "Not funded")
            }
            .into(),
            p.reason.clone(),
        ]);
    }
    let t = t.with_totals(vec![
        tr(lang, "JUMLAH DIDANAI", "TOTAL FUNDED").into(),
        String::new(),
        String::new(),
        rupiah(allocated),
        format::int(funded_votes, lang),
        String::new(),
        format::int(n_funded, lang),
        format!(
            "{} {}",
            tr(lang, "Sisa pagu", "Remaining"),
            rupiah(remaining)
        ),
    ]);
    r.table(&t)?;

    let (heading, bars): (&str, Vec<Bar>) = match input.chart {
        ChartMetric::Votes => (
            tr(lang, "Perolehan suara", "Votes received"),
            input
                .projects
                .iter()
                .map(|p| Bar {
                    label: p.title.clone(),
                    value: Decimal::from(p.votes),
                    display: format::int(p.votes, lang),
                    highlight: p.funded,
                })
                .collect(),
        ),
        ChartMetric::Share => (
            tr(lang, "Bagian anggaran (MES)", "Budget shares (MES)"),
            input
                .projects
                .iter()
                .map(|p| {
                    let s = p.share.unwrap_or(Decimal::ZERO);
                    Bar {
                        label: p.title.clone(),
                        value: s,
                        display: format!("{}%", format::decimal(s * Decimal::from(100), 2, lang)),
                        highlight: p.funded,
                    }
                })
                .collect(),
        ),
        ChartMetric::Cost => (
            tr(lang, "Biaya per usulan", "Cost per project"),
            input
                .projects
                .iter()
                .map(|p| Bar {
                    label: p.title.clone(),
                    value: p.cost.amount(),
                    display: rupiah(p.cost),
                    highlight: p.funded,
                })
                .collect(),
        ),
    };
    r.heading(heading);
    r.bar_chart(&BarChart {
        title: None,
        bars,
        legend: vec![
            (tr(lang, "didanai", "funded").into(), true),
            (tr(lang, "tidak didanai", "not funded").into(), false),
        ],
    });
    approval(
        &mut r,
        &input.signatories,
        &input.signing_place,
        input.generated_at,
    );
    r.finish()
}

/// A rule's name as people read it.
pub fn rule_title(rule: &str, lang: Lang) -> String {
    match (rule, lang) {
        ("mes", Lang::Id) => "Metode Bagi Rata (Method of Equal Shares)",
        ("mes", Lang::En) => "Method of Equal Shares",
        ("greedy", Lang::Id) => "Metode greedy (suara per biaya)",
        ("greedy", Lang::En) => "Greedy by votes per cost",
        ("phragmen", Lang::Id) => "Metode Phragm\u{e9}n berurutan",
        ("phragmen", Lang::En) => "Sequential Phragm\u{e9}n",
        ("maxwelfare", Lang::Id) => "Kesejahteraan utilitarian terbesar",
        ("maxwelfare", Lang::En) => "Maximum utilitarian welfare",
        (other, _) => other,
    }
    .to_string()
}
