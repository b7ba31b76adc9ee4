//! The PDFs: an activity's progress sheet and an OPD's quarterly monev report, drawn by the
//! report layer (`mufakat_reports::monev`) from the same rows and rules as the API. The public
//! sees verified reports; flags are printed for those who may read them.

use mufakat_core::{AppError, AppResult, Lang, Money};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_monev::{FlagKind, Period};
use mufakat_reports::monev as pdf;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::*;
use crate::entity::{activity, flag};

fn money(d: Decimal) -> Money {
    Money::new(d).unwrap_or_else(|_| Money::new(d.round_dp(2)).expect("two decimals"))
}

fn government(tree: &mufakat_core::RegionTree, region_id: i32) -> String {
    let top = tree
        .ancestors_inclusive(region_id)
        .last()
        .copied()
        .unwrap_or(region_id);
    tree.get(top)
        .map(|n| format!("Pemerintah {}", n.name))
        .unwrap_or_default()
}

fn curve(points: Vec<mufakat_monev::dashboard::CurvePoint>) -> Vec<pdf::CurvePoint> {
    points
        .into_iter()
        .map(|c| pdf::CurvePoint {
            period: c.period.to_string(),
            planned_physical: c.planned_physical,
            actual_physical: c.actual_physical,
            planned_disbursement: money(c.planned_disbursement),
            actual_disbursement: c.actual_disbursement.map(money),
        })
        .collect()
}

fn flag_row(state: &AppState, a: &activity::Model, f: &flag::Model, lang: Lang) -> pdf::FlagRow {
    let kind = FlagKind::parse(&f.kind).map(|k| k.title());
    let wf = if f.kind == FlagKind::CriticalContract.code() {
        CRITICAL_WORKFLOW
    } else {
        FLAG_WORKFLOW
    };
    let sev = match (f.severity.as_str(), lang) {
        ("high", Lang::Id) => "Tinggi",
        ("medium", Lang::Id) => "Sedang",
        (_, Lang::Id) => "Rendah",
        ("high", _) => "High",
        ("medium", _) => "Medium",
        _ => "Low",
    };
    pdf::FlagRow {
        activity: a.title.clone(),
        kind_title: kind
            .map(|k| if lang == Lang::Id { k.0 } else { k.1 })
            .unwrap_or(&f.kind)
            .to_owned(),
        severity_title: sev.into(),
        status_title: state.workflows.state_title(wf, &f.status, lang),
        period: f.period.clone(),
        detail: if lang == Lang::Id {
            f.message_id.clone()
        } else {
            f.message_en.clone()
        },
        raised_at: f.raised_at,
    }
}

/// One activity's figures at the end of `at`, with its S-curve.
async fn summary(
    state: &AppState,
    a: &activity::Model,
    at: Period,
    tree: &mufakat_core::RegionTree,
    lang: Lang,
) -> AppResult<pdf::ActivitySummary> {
    let f = dashboard::Filter {
        activity_id: Some(a.id),
        ..Default::default()
    };
    let points = dashboard::curve(state, &f).await?;
    let snap = dashboard::snapshot(state).await?;
    let facts = snap.facts.iter().find(|x| x.id == a.id);
    let planned = mufakat_monev::plan::planned_at(&points_of(a), at).0;
    let actual = facts.and_then(|x| x.actual_at(at));
    let contract = match a.contract_id {
        Some(id) => mufakat_module_tender::entity::contract::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .db()?
            .map(|c| c.number),
        None => None,
    };
    Ok(pdf::ActivitySummary {
        title: a.title.clone(),
        opd: mufakat_kernel::services::opds::name_of(
            &state.db,
            &tree.ancestors_inclusive(a.region_id),
            &a.opd,
        )
        .await?,
        region: tree
            .get(a.region_id)
            .map(|n| n.name.clone())
            .unwrap_or_default(),
        pagu: Money::from_minor_units(a.pagu_sen),
        contract,
        contracted: a.contracted_sen.map(Money::from_minor_units),
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        planned_physical: planned,
        actual_physical: actual.map(|x| x.0),
        disbursed: money(actual.map(|x| x.1).unwrap_or_default()),
        deviation: actual.map(|x| x.0 - planned),
        status_title: state
            .workflows
            .state_title(ACTIVITY_WORKFLOW, &a.status, lang),
        curve: curve(points),
    })
}

async fn may_read_flags(state: &AppState, user: Option<&CurrentUser>, region_id: i32) -> bool {
    match user {
        Some(u) => allowed(state, u, region_id, crate::perms::FLAG_READ).await,
        None => false,
    }
}

/// The progress sheet of activity `id`.
pub async fn sheet(
    state: &AppState,
    user: Option<&CurrentUser>,
    id: i32,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let a = get_activity(&state.db, id).await?;
    let internal = reads_internal(state, user, &a).await?;
    let tree = state.regions.read().await.clone();
    let now = state.now();
    let at = a
        .last_period
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| Period::at(now));
    let activity = summary(state, &a, at, &tree, lang).await?;
    let reports = reports::of_activity(&state.db, a.id).await?;
    let inds = indicators_of(&state.db, a.id).await?;
    let mut rows = vec![];
    let mut photos = vec![];
    let mut last_actuals: std::collections::BTreeMap<String, String> = Default::default();
    for r in reports
        .iter()
        .filter(|r| internal || r.status == "verified")
    {
        rows.push(pdf::ReportRow {
            period: r.period.clone(),
            physical: r.physical_bp.map(from_bp),
            spent: r.spent_sen.map(Money::from_minor_units),
            status_title: state
                .workflows
                .state_title(REPORT_WORKFLOW, &r.status, lang),
            submitted_at: r.submitted_at,
            due_at: r.due_at,
            late: r.late_at.is_some() || r.first_submitted_at.is_some_and(|t| t > r.due_at),
            notes: r.notes.clone(),
        });
        if r.status == "verified" {
            last_actuals = serde_json::from_str(&r.actuals).unwrap_or_default();
        }
        for p in reports::photos_of(&state.db, r.id).await? {
            photos.push(pdf::PhotoRow {
                period: r.period.clone(),
                name: p.name,
                taken_at: p.taken_at,
                latitude: p.latitude.and_then(|v| v.parse().ok()),
                longitude: p.longitude.and_then(|v| v.parse().ok()),
                sha256: p.sha256,
            });
        }
    }
    let indicators = inds
        .iter()
        .map(|i| {
            indicator_row(
                &a,
                i,
                at,
                last_actuals
                    .get(&i.id.to_string())
                    .and_then(|v: &String| v.parse().ok()),
                lang,
            )
        })
        .collect();
    let flags = if may_read_flags(state, user, a.region_id).await {
        flags::of_activity(&state.db, a.id)
            .await?
            .iter()
            .map(|f| flag_row(state, &a, f, lang))
            .collect()
    } else {
        vec![]
    };
    let proposal = match a.proposal_id {
        Some(pid) => mufakat_module_musrenbang::entity::proposal::Entity::find_by_id(pid)
            .one(&state.db)
            .await
            .db()?
            .map(|p| match lang {
                Lang::Id => format!(
                    "Usulan #{} \u{201c}{}\u{201d}: {} suara",
                    p.id, p.title, p.vote_count
                ),
                _ => format!(
                    "Proposal #{} \u{201c}{}\u{201d}: {} votes",
                    p.id, p.title, p.vote_count
                ),
            }),
        None => None,
    };
    let s = pdf::ProgressSheet {
        government: government(&tree, a.region_id),
        activity,
        proposal,
        reports: rows,
        indicators,
        flags,
        photos,
        generated_at: now,
    };
    pdf::progress_sheet(&s, lang).map_err(AppError::internal)
}

fn indicator_row(
    a: &activity::Model,
    i: &crate::entity::indicator::Model,
    at: Period,
    actual: Option<Decimal>,
    lang: Lang,
) -> pdf::IndicatorRow {
    let ind = indicator_of(i);
    pdf::IndicatorRow {
        activity: a.title.clone(),
        name: i.name.clone(),
        kind_title: match (i.outcome, lang) {
            (true, Lang::Id) => "Hasil",
            (false, Lang::Id) => "Keluaran",
            (true, _) => "Outcome",
            (false, _) => "Output",
        }
        .into(),
        unit: i.unit.clone(),
        baseline: ind.baseline,
        target: ind
            .targets
            .iter()
            .rev()
            .find(|(p, _)| *p <= at)
            .map(|(_, v)| *v),
        actual,
        higher_is_better: i.higher_is_better,
    }
}

/// The quarterly monev report of OPD `opd` in region `region_id` (and below).
pub async fn quarterly(
    state: &AppState,
    user: Option<&CurrentUser>,
    region_id: i32,
    opd: &str,
    year: i32,
    quarter: u8,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    if !(1..=4).contains(&quarter) {
        return Err(AppError::validation(
            "quarter",
            "range",
            "Triwulan 1 sampai 4.",
            "Quarter 1 to 4.",
        ));
    }
    let at = Period::new(year, quarter as u32 * 3).ok_or_else(|| {
        AppError::validation(
            "year",
            "range",
            "Tahun antara 2000 dan 2100.",
            "A year between 2000 and 2100.",
        )
    })?;
    let tree = state.regions.read().await.clone();
    if tree.get(region_id).is_none() {
        return Err(AppError::NotFound { entity: "region" });
    }
    let regions = tree.descendants_inclusive(region_id);
    let acts = activity::Entity::find()
        .filter(activity::Column::RegionId.is_in(regions))
        .filter(activity::Column::Opd.eq(opd))
        .filter(activity::Column::Year.eq(year))
        .filter(activity::Column::Status.ne("cancelled"))
        .order_by_asc(activity::Column::Id)
        .all(&state.db)
        .await
        .db()?;
    let f = dashboard::Filter {
        region_id: Some(region_id),
        year: Some(year),
        opd: Some(opd.into()),
        ..Default::default()
    };
    let now = state.now();
    let rows = dashboard::aggregate(state, &f, mufakat_monev::GroupBy::All, Some(at)).await?;
    let row = rows.into_iter().next().unwrap_or_default();
    let with_flags = may_read_flags(state, user, region_id).await;
    let mut activities = vec![];
    let mut indicators = vec![];
    let mut flag_rows = vec![];
    for a in &acts {
        activities.push(summary(state, a, at, &tree, lang).await?);
        let verified: Vec<_> = reports::of_activity(&state.db, a.id)
            .await?
            .into_iter()
            .filter(|r| r.status == "verified" && r.period.as_str() <= at.to_string().as_str())
            .collect();
        let actuals: std::collections::BTreeMap<String, String> = verified
            .last()
            .map(|r| serde_json::from_str(&r.actuals).unwrap_or_default())
            .unwrap_or_default();
        for i in indicators_of(&state.db, a.id).await? {
            let v = actuals.get(&i.id.to_string()).and_then(|v| v.parse().ok());
            indicators.push(indicator_row(a, &i, at, v, lang));
        }
        if with_flags {
            for fl in flags::of_activity(&state.db, a.id).await? {
                let p: Option<Period> = fl.period.parse().ok();
                if p.is_none_or(|p| p.year == year && p.quarter() == quarter as u32) {
                    flag_rows.push(flag_row(state, a, &fl, lang));
                }
            }
        }
    }
    let curve_points = dashboard::curve(state, &f).await?;
    let q = pdf::QuarterlyReport {
        government: government(&tree, region_id),
        opd: mufakat_kernel::services::opds::name_of(
            &state.db,
            &tree.ancestors_inclusive(region_id),
            opd,
        )
        .await?,
        year,
        quarter,
        generated_at: now,
        activities,
        curve: curve(curve_points),
        reporting: pdf::ReportingRates {
            expected: row.expected,
            received: row.received,
            on_time: row.on_time,
        },
        indicators,
        flags: flag_rows,
        place: tree
            .get(region_id)
            .map(|n| n.name.clone())
            .unwrap_or_default(),
    };
    pdf::quarterly_report(&q, lang).map_err(AppError::internal)
}
