//! e-Audit's documents and figures: the audit report (LHP) of an assignment with its findings
//! and recommendations, the follow-up monitoring matrix of a region (or one OPD) through the
//! report layer (`mufakat-reports`), and the public figures per OPD (findings and the
//! follow-up rate) where the region publishes them.

use std::collections::BTreeMap;

use mufakat_core::{AppError, AppResult, Lang, Money};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_reports::eaudit as pdf;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::findings::{self, severity_title};
use super::followups::{self, Rating};
use super::{assignments, texts};
use crate::entity::{assignment, finding, followup, recommendation as rec};
use crate::{perms, runtime};

fn region_name(regions: &mufakat_core::RegionTree, id: i32) -> String {
    regions.get(id).map(|r| r.name.clone()).unwrap_or_default()
}

/// What a recommendation's state and its last rating mean for the matrix.
pub fn follow_up_state(r: &rec::Model, last: Option<&followup::Model>) -> pdf::FollowUpState {
    match r.status.as_str() {
        "done" => pdf::FollowUpState::Done,
        "not_followable" => pdf::FollowUpState::CannotFollowUp,
        "answered" => pdf::FollowUpState::InProgress,
        _ if last.and_then(|u| u.rating.as_deref()) == Some("not_yet") => {
            pdf::FollowUpState::InProgress
        }
        _ => pdf::FollowUpState::NotActed,
    }
}

/// The document kind of the LHP frozen at an assignment's close.
pub const OWNER_ASSIGNMENT: &str = "assignment";

/// The LHP of assignment `id`, for its team and those who read every assignment: once the
/// assignment is closed, the LHP issued then (frozen, in Bahasa Indonesia, its SHA-256 in the
/// close's audit event); before, drawn from the current data.
pub async fn audit_report(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let a = assignments::get(state, user, id).await?;
    if let Some(d) = followups::documents_of(&state.db, OWNER_ASSIGNMENT, a.id)
        .await?
        .into_iter()
        .last()
    {
        let rt = mufakat_module_procurement::runtime::get(state)?;
        return Ok(rt
            .blobs
            .get(&d.storage_key)
            .await
            .map_err(AppError::internal)?
            .to_vec());
    }
    let status = state
        .workflows
        .state_title(super::ASSIGNMENT_WORKFLOW, &a.status, lang);
    render(state, user, &a, status, None, lang).await
}

/// Draws the LHP of `a` as `user` reads it, printed with `status` and the Inspektur's name.
pub async fn render(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
    status: String,
    inspector: Option<String>,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let settings = runtime::get(state)?;
    let team = assignments::team_names(state, a.id).await?;
    let title = |wf: &str, s: &str| state.workflows.state_title(wf, s, lang);
    let mut out = vec![];
    for f in findings::list(state, user, a.id).await? {
        if f.status == "withdrawn" {
            continue;
        }
        let mut recs = vec![];
        for r in findings::recommendations(&state.db, f.id).await? {
            if r.status == "withdrawn" {
                continue;
            }
            let ups = followups::of(&state.db, r.id).await?;
            let last = ups.last();
            recs.push(pdf::ReportRecommendation {
                number: format!("{}.{}", f.number, r.number),
                text: r.text.clone(),
                opd: r.opd.clone(),
                due: r.due_at.date_naive(),
                status: title(super::RECOMMENDATION_WORKFLOW, &r.status),
                last_answer: last.map(|u| u.answer.clone()),
                last_rating: last
                    .and_then(|u| u.rating.as_deref())
                    .map(|s| Rating::title(s, lang).to_owned()),
            });
        }
        let evidence = findings::evidence_of(&state.db, f.id)
            .await?
            .into_iter()
            .map(|e| {
                let note = e.note.map(|n| format!(" — {n}")).unwrap_or_default();
                match (e.kind.as_str(), lang) {
                    ("event", Lang::Id) => format!("Peristiwa jejak audit #{}{note}", e.reference),
                    ("event", _) => format!("Audit trail event #{}{note}", e.reference),
                    ("document", Lang::Id) => format!("Dokumen #{}{note}", e.reference),
                    ("document", _) => format!("Document #{}{note}", e.reference),
                    ("flag", Lang::Id) => format!("Tanda bahaya {}{note}", e.reference),
                    ("flag", _) => format!("Flag {}{note}", e.reference),
                    _ => format!("{}{note}", e.reference),
                }
            })
            .collect();
        out.push(pdf::ReportFinding {
            number: f.number.to_string(),
            title: f.title.clone(),
            code_title: settings.codes.get(&f.code).cloned().unwrap_or_default(),
            code: f.code.clone(),
            severity: severity_title(&f.severity, lang).into(),
            condition: f.condition.clone(),
            criteria: f.criteria.clone(),
            cause: f.cause.clone(),
            effect: f.effect.clone(),
            loss: f.loss_sen.map(Money::from_minor_units),
            status: title(super::FINDING_WORKFLOW, &f.status),
            evidence,
            recommendations: recs,
        });
    }
    let (seq, hash) = mufakat_store::repo::audit::head(&state.db).await?;
    let regions = state.regions.read().await;
    let opds = texts(&a.opds);
    let modules = texts(&a.modules);
    let all = if lang == Lang::Id { "semua" } else { "all" };
    let scope = format!(
        "{}: {} · OPD: {} · {}: {}",
        if lang == Lang::Id {
            "Wilayah"
        } else {
            "Region"
        },
        region_name(&regions, a.region_id),
        if opds.is_empty() {
            all.to_owned()
        } else {
            opds.join(", ")
        },
        if lang == Lang::Id { "Modul" } else { "Modules" },
        if modules.is_empty() {
            all.to_owned()
        } else {
            modules.join(", ")
        },
    );
    let root = regions
        .ancestors_inclusive(a.region_id)
        .first()
        .copied()
        .unwrap_or(a.region_id);
    let report = pdf::AuditReport {
        region_name: region_name(&regions, root),
        assignment_number: a.number.clone(),
        title: a.title.clone(),
        scope,
        period_from: a.period_from,
        period_to: a.period_to,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        team: team
            .iter()
            .map(|(t, name)| pdf::TeamMember {
                name: name.clone(),
                lead: t.is_lead,
            })
            .collect(),
        inspector,
        status,
        findings: out,
        chain_seq: seq,
        chain_hash: hash,
        generated_at: state.now(),
    };
    drop(regions);
    pdf::audit_report(&report, lang).map_err(AppError::internal)
}

/// One row of the follow-up matrix, with what it needs for counting.
pub struct MatrixEntry {
    pub assignment: assignment::Model,
    pub finding: finding::Model,
    pub rec: rec::Model,
    pub last: Option<followup::Model>,
    pub state: pdf::FollowUpState,
}

/// Every issued recommendation in `region_id` and below (optionally of one OPD), by
/// assignment, finding and number. Needs `eaudit_matrix:read` there.
pub async fn matrix_entries(
    state: &AppState,
    user: &CurrentUser,
    region_id: i32,
    opd: Option<&str>,
) -> AppResult<Vec<MatrixEntry>> {
    let path = state.known_region_path(region_id).await?;
    state.authz.require(user, &path, perms::MATRIX_READ)?;
    entries(state, region_id, opd).await
}

async fn entries(
    state: &AppState,
    region_id: i32,
    opd: Option<&str>,
) -> AppResult<Vec<MatrixEntry>> {
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let mut q = rec::Entity::find()
        .filter(rec::Column::RegionId.is_in(within))
        .filter(rec::Column::Status.is_not_in(["draft", "withdrawn"]));
    if let Some(o) = opd {
        q = q.filter(rec::Column::Opd.eq(o));
    }
    let recs = q.order_by_asc(rec::Column::Id).all(&state.db).await.db()?;
    let finding_ids: Vec<i32> = recs.iter().map(|r| r.finding_id).collect();
    let fs = finding::Entity::find()
        .filter(finding::Column::Id.is_in(finding_ids))
        .all(&state.db)
        .await
        .db()?;
    let a_ids: Vec<i32> = fs.iter().map(|f| f.assignment_id).collect();
    let assigns = assignment::Entity::find()
        .filter(assignment::Column::Id.is_in(a_ids))
        .all(&state.db)
        .await
        .db()?;
    let ups = followup::Entity::find()
        .filter(followup::Column::RecommendationId.is_in(recs.iter().map(|r| r.id)))
        .order_by_asc(followup::Column::Id)
        .all(&state.db)
        .await
        .db()?;
    let mut out = vec![];
    for r in recs {
        let (Some(f), last) = (
            fs.iter().find(|f| f.id == r.finding_id).cloned(),
            ups.iter()
                .rev()
                .find(|u| u.recommendation_id == r.id)
                .cloned(),
        ) else {
            continue;
        };
        let Some(a) = assigns.iter().find(|a| a.id == f.assignment_id).cloned() else {
            continue;
        };
        let st = follow_up_state(&r, last.as_ref());
        out.push(MatrixEntry {
            assignment: a,
            finding: f,
            rec: r,
            last,
            state: st,
        });
    }
    out.sort_by(|x, y| {
        (x.assignment.id, x.finding.number, x.rec.number).cmp(&(
            y.assignment.id,
            y.finding.number,
            y.rec.number,
        ))
    });
    Ok(out)
}

/// The follow-up monitoring matrix as PDF.
pub async fn matrix_pdf(
    state: &AppState,
    user: &CurrentUser,
    region_id: i32,
    opd: Option<&str>,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let rows = matrix_entries(state, user, region_id, opd).await?;
    let now = state.now();
    let m = pdf::FollowUpMatrix {
        region_name: region_name(&*state.regions.read().await, region_id),
        opd: opd.map(str::to_owned),
        as_of: now.date_naive(),
        rows: rows
            .into_iter()
            .map(|e| {
                let overdue = e.rec.status == "overdue";
                pdf::MatrixRow {
                    assignment_number: e.assignment.number.clone(),
                    finding: format!("{}. {}", e.finding.number, e.finding.title),
                    loss: e.finding.loss_sen.map(Money::from_minor_units),
                    recommendation: format!("{}.{} {}", e.finding.number, e.rec.number, e.rec.text),
                    opd: e.rec.opd.clone(),
                    due: e.rec.due_at.date_naive(),
                    follow_up: e
                        .last
                        .as_ref()
                        .map(|u| u.answer.clone())
                        .unwrap_or_else(|| "-".into()),
                    status: state.workflows.state_title(
                        super::RECOMMENDATION_WORKFLOW,
                        &e.rec.status,
                        lang,
                    ),
                    state: e.state,
                    overdue,
                }
            })
            .collect(),
        generated_at: now,
    };
    pdf::followup_matrix(&m, lang).map_err(AppError::internal)
}

/// The public figures of one OPD.
#[derive(Debug, Clone, PartialEq)]
pub struct OpdFigures {
    pub opd: String,
    pub findings: i64,
    pub recommendations: i64,
    pub done: i64,
    pub overdue: i64,
    /// Done ÷ recommendations, in percent with one decimal (`None` without recommendations).
    pub follow_up_rate: Option<Decimal>,
}

/// Per OPD in `region_id` and below: issued findings, recommendations, done, overdue and the
/// follow-up rate. Public where the settings publish them (`publish_figures`), else
/// `FORBIDDEN` to anyone who may not read the matrix.
pub async fn public_figures(
    state: &AppState,
    user: Option<&CurrentUser>,
    region_id: i32,
) -> AppResult<Vec<OpdFigures>> {
    let path = state.known_region_path(region_id).await?;
    if !runtime::get(state)?.publish_figures {
        let u = user.ok_or(AppError::Forbidden)?;
        state.authz.require(u, &path, perms::MATRIX_READ)?;
    }
    let mut by: BTreeMap<String, (std::collections::BTreeSet<i32>, i64, i64, i64)> =
        BTreeMap::new();
    for e in entries(state, region_id, None).await? {
        let x = by.entry(e.rec.opd.clone()).or_default();
        x.0.insert(e.finding.id);
        x.1 += 1;
        if e.state == pdf::FollowUpState::Done {
            x.2 += 1;
        }
        if e.rec.status == "overdue" {
            x.3 += 1;
        }
    }
    Ok(by
        .into_iter()
        .map(|(opd, (f, n, done, overdue))| OpdFigures {
            opd,
            findings: f.len() as i64,
            recommendations: n,
            done,
            overdue,
            follow_up_rate: (n > 0)
                .then(|| (Decimal::from(done * 100) / Decimal::from(n)).round_dp(1)),
        })
        .collect())
}

/// The recommendations in `region_id` and below still to be followed up (open, answered,
/// overdue), for the OPD's staff.
pub async fn open_for(state: &AppState, region_id: i32) -> AppResult<Vec<MatrixEntry>> {
    Ok(entries(state, region_id, None)
        .await?
        .into_iter()
        .filter(|e| ["open", "answered", "overdue"].contains(&e.rec.status.as_str()))
        .collect())
}
