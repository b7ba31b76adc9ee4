//! Musrenbang's documents from stored data: the priority list of a level, the berita acara of
//! a forum (from its record, its agreed list and its signatories) and an allocation run's
//! result. Each is signed by the officials appointed for the region (`appointSignatory`), with
//! their names and NIPs; without an appointment the position is printed over a dotted line.

use chrono::{DateTime, Utc};
use mufakat_core::{AppResult, Lang, Money, RegionLevel};
use mufakat_kernel::services::signatories::{self, SignatoryView};
use mufakat_reports as r;

use crate::services::musrenbang as m;
use crate::AppState;

fn tr(lang: Lang, id: &str, en: &str) -> String {
    if lang == Lang::En { en } else { id }.to_string()
}

/// The offices that sign for a region's forum, the head first.
fn offices(level: RegionLevel) -> &'static [&'static str] {
    match level {
        RegionLevel::KelurahanDesa => &["lurah", "kepala_desa"],
        RegionLevel::Kecamatan => &["camat"],
        _ => &["kepala_bappeda"],
    }
}

fn signer(s: &SignatoryView, note: Option<String>) -> r::Signatory {
    r::Signatory {
        position: s.position.clone(),
        name: s.name.clone(),
        id_number: Some(format!("NIP {}", nip_printed(&s.nip))),
        note,
    }
}

/// A NIP as it is printed: birth date, appointment month, sex, number (`19700512 199503 1 002`).
fn nip_printed(nip: &str) -> String {
    if nip.len() == 18 && nip.is_ascii() {
        format!(
            "{} {} {} {}",
            &nip[..8],
            &nip[8..14],
            &nip[14..15],
            &nip[15..]
        )
    } else {
        nip.to_owned()
    }
}

/// The region's head signatory, or its position over a dotted line when none is appointed.
async fn head(
    state: &AppState,
    region: &mufakat_core::RegionNode,
    lang: Lang,
) -> AppResult<r::Signatory> {
    let note = Some(tr(lang, "Mengetahui,", "Acknowledged,"));
    Ok(
        match signatories::first_of(&state.db, region.id, offices(region.level)).await? {
            Some(s) => signer(&s, note),
            None => r::Signatory {
                position: match region.level {
                    RegionLevel::KelurahanDesa => format!("Lurah {}", region.name),
                    RegionLevel::Kecamatan => format!("Camat {}", region.name),
                    _ => format!("Kepala Bappeda {}", region.name),
                },
                name: "........................".into(),
                id_number: Some("NIP ........................".into()),
                note,
            },
        },
    )
}

/// Logos decoded once per file (checked at start, see [`check_letterhead`]).
static LOGOS: std::sync::Mutex<Vec<(std::path::PathBuf, r::Logo)>> =
    std::sync::Mutex::new(Vec::new());

fn logo(path: &std::path::Path) -> anyhow::Result<r::Logo> {
    if let Some((_, l)) = LOGOS.lock().unwrap().iter().find(|(p, _)| p == path) {
        return Ok(l.clone());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("letterhead logo {}: {e}", path.display()))?;
    let l = r::Logo::from_png(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    LOGOS.lock().unwrap().push((path.to_owned(), l.clone()));
    Ok(l)
}

/// At start: a configured logo that cannot be read or decoded stops the server, rather than the
/// first document.
pub fn check_letterhead(settings: &crate::Settings) -> anyhow::Result<()> {
    if let Some(path) = settings.letterhead.as_ref().and_then(|l| l.logo.as_deref()) {
        logo(path)?;
    }
    Ok(())
}

/// The kop surat of a region's document: the configured government and logo; the office is the
/// kelurahan's or kecamatan's own, or the configured kota office with its address.
fn letterhead(
    state: &AppState,
    node: &mufakat_core::RegionNode,
) -> AppResult<Option<r::Letterhead>> {
    let Some(lh) = &state.settings.letterhead else {
        return Ok(None);
    };
    let (office, address) = match node.level {
        RegionLevel::KelurahanDesa => (format!("Kelurahan {}", node.name), None),
        RegionLevel::Kecamatan => (format!("Kecamatan {}", node.name), None),
        _ => (lh.office.clone(), lh.address.clone()),
    };
    let logo = match &lh.logo {
        Some(p) => Some(logo(p).map_err(mufakat_core::AppError::internal)?),
        None => None,
    };
    Ok(Some(r::Letterhead {
        government: lh.government.clone(),
        office,
        address,
        logo,
    }))
}

fn level_of(node: &mufakat_core::RegionNode, given: Option<&str>) -> String {
    given.map(str::to_owned).unwrap_or_else(|| {
        match node.level {
            RegionLevel::KelurahanDesa => "kelurahan",
            RegionLevel::Kecamatan => "kecamatan",
            _ => "kota",
        }
        .into()
    })
}

fn forum_name(level: &str, lang: Lang) -> String {
    match (level, lang) {
        ("kelurahan", Lang::Id) => "musrenbang kelurahan/desa",
        ("kecamatan", Lang::Id) => "musrenbang kecamatan",
        (_, Lang::Id) => "forum musrenbang kabupaten/kota",
        ("kelurahan", Lang::En) => "the kelurahan/desa musrenbang",
        ("kecamatan", Lang::En) => "the kecamatan musrenbang",
        (_, Lang::En) => "the kabupaten/kota forum",
    }
    .into()
}

async fn rows(
    state: &AppState,
    cycle_id: i32,
    region_id: i32,
    level: &str,
) -> AppResult<Vec<(bool, r::PriorityRow)>> {
    Ok(m::priority_list(state, cycle_id, region_id, level)
        .await?
        .into_iter()
        .map(|e| {
            let pm = e.proposal;
            (
                e.agreed,
                r::PriorityRow {
                    rank: e.rank.rank,
                    title: pm.title,
                    location: pm
                        .rt_rw
                        .as_deref()
                        .map(|x| format!("RT/RW {x}"))
                        .unwrap_or_default(),
                    opd: pm.target_opd.unwrap_or_default(),
                    volume: pm.volume.parse().unwrap_or_default(),
                    unit: pm.unit,
                    cost: Money::from_minor_units(pm.cost_sen),
                    votes: e.rank.votes,
                    score: e.rank.score,
                },
            )
        })
        .collect())
}

pub struct ForumParams<'a> {
    pub cycle_id: i32,
    pub node: &'a mufakat_core::RegionNode,
    pub level: Option<&'a str>,
    pub deployment: &'a str,
    pub now: DateTime<Utc>,
}

/// A level's priority list, what its forum agreed marked in the status, signed by the head.
pub async fn priority_list(state: &AppState, p: ForumParams<'_>, lang: Lang) -> AppResult<Vec<u8>> {
    let cycle = m::get_cycle(&state.db, p.cycle_id).await?;
    let level = level_of(p.node, p.level);
    let list = rows(state, p.cycle_id, p.node.id, &level).await?;
    let agreed = list.iter().filter(|(a, _)| *a).count();
    let ceiling = crate::services::allocation::region_ceiling(&state.db, p.cycle_id, p.node.id)
        .await?
        .map(|c| Money::from_minor_units(c.amount_sen));
    let status = match lang {
        Lang::Id => format!(
            "{} dari {} usulan disepakati {}",
            agreed,
            list.len(),
            forum_name(&level, lang)
        ),
        Lang::En => format!(
            "{agreed} of {} agreed by {}",
            r::format::count(list.len() as u64, lang, "usulan", "proposal", "proposals"),
            forum_name(&level, lang)
        ),
    };
    r::priority_list(
        &r::PriorityList {
            region: format!("{} — {}", p.deployment, p.node.name),
            cycle: format!("{} — {}", cycle.name, forum_name(&level, lang)),
            ceiling,
            items: list.into_iter().map(|(_, row)| row).collect(),
            status: Some(status),
            signatories: vec![head(state, p.node, lang).await?],
            signing_place: Some(p.node.name.clone()),
            letterhead: letterhead(state, p.node)?,
            generated_at: p.now,
        },
        lang,
    )
    .map_err(render)
}

fn render(e: r::ReportError) -> mufakat_core::AppError {
    mufakat_core::AppError::internal(anyhow::anyhow!("rendering: {e}"))
}

/// The berita acara of a forum: its record (date, place, agenda, notes, attendance), the list
/// it agreed, and the signatures of its officials and of the attendees who sign.
pub async fn berita_acara(
    state: &AppState,
    p: ForumParams<'_>,
    given: &super::reports::ReportParams,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let cycle = m::get_cycle(&state.db, p.cycle_id).await?;
    let level = level_of(p.node, p.level);
    let record = m::forums::forum(&state.db, p.cycle_id, p.node.id).await?;
    let agreed: Vec<r::PriorityRow> = rows(state, p.cycle_id, p.node.id, &level)
        .await?
        .into_iter()
        .filter(|(a, _)| *a)
        .enumerate()
        .map(|(i, (_, mut row))| {
            row.rank = i as u32 + 1;
            row
        })
        .collect();
    let parent = {
        let tree = state.regions.read().await;
        let names: Vec<String> = tree
            .ancestors_inclusive(p.node.id)
            .into_iter()
            .skip(1)
            .filter_map(|a| tree.get(a).map(|n| n.name.clone()))
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    };
    let ba_level = match p.node.level {
        RegionLevel::Kecamatan => r::MusrenbangLevel::Kecamatan,
        RegionLevel::KelurahanDesa => r::MusrenbangLevel::Kelurahan,
        _ => r::MusrenbangLevel::Kota,
    };
    let mut signers = vec![head(state, p.node, lang).await?];
    if ba_level == r::MusrenbangLevel::Kota {
        if let Some(s) = signatories::first_of(&state.db, p.node.id, &["kepala_daerah"]).await? {
            signers.push(signer(&s, Some(tr(lang, "Menyetujui,", "Approved,"))));
        }
    }
    let attendance = record
        .as_ref()
        .map(|f| f.attendance.clone())
        .unwrap_or_default();
    signers.extend(attendance.iter().filter(|a| a.signs).map(|a| r::Signatory {
        position: a.role.clone(),
        name: a.name.clone(),
        id_number: None,
        note: None,
    }));
    let default_agenda = vec![
        tr(
            lang,
            "Pembukaan dan penjelasan tata cara musrenbang",
            "Opening and the musrenbang's procedure",
        ),
        tr(
            lang,
            "Pemaparan usulan dan hasil pemungutan suara warga",
            "The proposals and the residents' votes",
        ),
        tr(
            lang,
            "Penilaian dan penetapan prioritas usulan",
            "Scoring and agreeing the priorities",
        ),
    ];
    let source_note = match lang {
        Lang::Id => format!("Daftar prioritas di bawah disusun dari data Mufakat siklus {} (skor tertimbang dan suara warga) dan memuat usulan yang disepakati forum ini.", cycle.name),
        Lang::En => format!("The priority list below comes from Mufakat's data for the cycle {} (weighted scores and residents' votes) and holds the proposals this forum agreed.", cycle.name),
    };
    let (date, time, place, participants, agenda, mut notes, participant_notes) = match &record {
        Some(f) => (
            f.held_on,
            f.time.clone(),
            f.place.clone(),
            f.attendance.len() as u64,
            if f.agenda.is_empty() {
                default_agenda
            } else {
                f.agenda.clone()
            },
            f.notes.clone(),
            (!f.attendance.is_empty()).then(|| {
                f.attendance
                    .iter()
                    .map(|a| format!("{} ({})", a.name, a.role))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        None => (
            given.date.unwrap_or_else(|| p.now.date_naive()),
            None,
            given.place.clone().unwrap_or_else(|| match lang {
                Lang::Id => format!("Kantor {}", p.node.name),
                Lang::En => format!("{} office", p.node.name),
            }),
            given.participants.unwrap_or(0),
            default_agenda,
            vec![],
            None,
        ),
    };
    notes.push(source_note);
    r::berita_acara(
        &r::BeritaAcara {
            number: record.as_ref().and_then(|f| f.number.clone()),
            region_name: p.node.name.clone(),
            level: ba_level,
            parent_region: parent,
            plan_year: cycle.year.clamp(0, u16::MAX as i32) as u16,
            date,
            time,
            place,
            participants,
            participant_notes,
            agenda,
            notes,
            priorities: agreed,
            signing_place: Some(p.node.name.clone()),
            signatories: signers,
            letterhead: letterhead(state, p.node)?,
            generated_at: p.now,
        },
        lang,
    )
    .map_err(render)
}

/// An allocation run's result: with its overrides, whether it was adopted, and the approval of
/// the kepala Bappeda.
pub async fn allocation(
    state: &AppState,
    run: (
        mufakat_module_allocation::entity::allocation_run::Model,
        mufakat_module_allocation::service::RunResult,
        Vec<mufakat_module_allocation::entity::allocation_override::Model>,
    ),
    deployment: &str,
    now: DateTime<Utc>,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let (run, res, overrides) = run;
    let cycle = m::get_cycle(&state.db, run.cycle_id).await?;
    let node = state.regions.read().await.get(run.region_id).cloned();
    let region = node.as_ref().map(|n| n.name.clone()).unwrap_or_default();
    let mut projects = vec![];
    for po in crate::services::allocation::outcome(run.budget_sen, &res, &overrides)?.projects {
        let (pr, ov) = (po.result, po.over);
        let pm = m::get_proposal(&state.db, pr.proposal_id).await?;
        let base = if lang == Lang::En {
            &pr.reason_en
        } else {
            &pr.reason_id
        };
        let reason = match ov {
            Some(o) => match lang {
                Lang::Id => format!("{base} (keputusan perencana: {})", o.reason),
                Lang::En => format!("{base} (the planners' decision: {})", o.reason),
            },
            None => base.clone(),
        };
        let cost = Money::parse(&pr.cost).unwrap_or(Money::ZERO);
        let paid: rust_decimal::Decimal = pr
            .payments
            .values()
            .filter_map(|a| a.parse::<rust_decimal::Decimal>().ok())
            .sum();
        projects.push(r::AllocationRow {
            id: pr.proposal_id.to_string(),
            title: pm.title,
            opd: pm.target_opd,
            cost,
            votes: pr.votes,
            score: pm.score.as_deref().and_then(|s| s.parse().ok()),
            funded: po.funded,
            reason,
            share: (!pr.payments.is_empty() && !cost.amount().is_zero())
                .then(|| (paid / cost.amount()).round_dp(4)),
        });
    }
    projects.sort_by(|a, b| {
        b.funded
            .cmp(&a.funded)
            .then(b.votes.cmp(&a.votes))
            .then(a.id.cmp(&b.id))
    });
    let options: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&run.options).unwrap_or_default();
    let rule_key = options
        .get("rule")
        .and_then(|v| v.as_str())
        .unwrap_or(&run.rule)
        .to_owned();
    let adopted = run.adopted_at.map(|at| match lang {
        Lang::Id => format!(
            "DITETAPKAN: hasil ini ditetapkan pada {} dan dijalankan pada usulan-usulannya.",
            r::format::datetime(at, lang)
        ),
        Lang::En => format!(
            "ADOPTED: this result was adopted on {} and enacted on its proposals.",
            r::format::datetime(at, lang)
        ),
    });
    let signatories = match &node {
        Some(n) => vec![head(state, n, lang).await?],
        None => vec![],
    };
    r::allocation(
        &r::AllocationReport {
            region: format!("{deployment} — {region}"),
            cycle: format!("{} — {}", cycle.name, forum_name(&run.level, lang)),
            rule: r::RuleInfo {
                name: r::rule_title(&rule_key, lang),
                description: None,
                parameters: options
                    .into_iter()
                    .filter(|(k, v)| k != "rule" && !v.is_null())
                    .map(|(k, v)| {
                        (
                            k.replace('_', "-"),
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect(),
            },
            ceiling: Money::from_minor_units(run.budget_sen),
            voters: res.voters,
            projects,
            chart: r::ChartMetric::Votes,
            adopted,
            signatories,
            signing_place: Some(region),
            letterhead: match &node {
                Some(n) => letterhead(state, n)?,
                None => None,
            },
            generated_at: now,
        },
        lang,
    )
    .map_err(render)
}
