//! Reports from stored data, rendered by `mufakat-reports`. Every generation is recorded in the
//! audit trail (who, what, and the SHA-256 of the PDF bytes).

use chrono::NaiveDate;
use mufakat_core::{AppError, AppResult, Lang};
use mufakat_reports as r;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit_log::{self, AuditDraft};
use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::services::musrenbang as m;
use crate::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    BeritaAcara,
    PriorityList,
    Allocation,
    AuditTrail,
    ServiceLevels,
}

impl std::str::FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "berita-acara" => Ok(ReportKind::BeritaAcara),
            "priority-list" => Ok(ReportKind::PriorityList),
            "audit-trail" => Ok(ReportKind::AuditTrail),
            "allocation" => Ok(ReportKind::Allocation),
            "service-levels" => Ok(ReportKind::ServiceLevels),
            other => Err(format!(
                "unknown report `{other}` (berita-acara, priority-list, allocation, audit-trail, service-levels)"
            )),
        }
    }
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::BeritaAcara => "berita-acara",
            ReportKind::PriorityList => "priority-list",
            ReportKind::AuditTrail => "audit-trail",
            ReportKind::Allocation => "allocation",
            ReportKind::ServiceLevels => "service-levels",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportParams {
    pub cycle_id: Option<i32>,
    pub region_id: Option<i32>,
    /// Allocation: the run.
    pub run_id: Option<i32>,
    /// `kelurahan`, `kecamatan` or `kota` (default: from the region's level).
    pub level: Option<String>,
    /// Audit trail of one case: workflow name and case id.
    pub workflow: Option<String>,
    pub instance_id: Option<String>,
    /// Berita acara: meeting details.
    pub place: Option<String>,
    pub participants: Option<u64>,
    pub date: Option<NaiveDate>,
    /// Service levels: the period of receipt (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub struct Generated {
    pub pdf: Vec<u8>,
    pub sha256: String,
    pub file_name: String,
}

fn missing(field: &'static str) -> AppError {
    AppError::validation(
        field,
        "required",
        "Parameter laporan ini wajib diisi.",
        "This report parameter is required.",
    )
}

/// Who asks for a report.
#[derive(Clone, Copy)]
pub enum Requester<'a> {
    /// The command line, with the operator's rights.
    Cli,
    User(&'a CurrentUser),
    /// No one signed in: only public reports.
    Public,
}

impl<'a> Requester<'a> {
    fn user(self) -> Option<&'a CurrentUser> {
        match self {
            Requester::User(u) => Some(u),
            _ => None,
        }
    }
}

/// Renders a report. The parameters are checked first (`VALIDATION` when one is missing), then
/// what they name (`NOT_FOUND`), then who asks: the priority list and an adopted allocation are
/// public data and so public PDFs; the others need their permission.
pub async fn generate(
    state: &AppState,
    who: Requester<'_>,
    kind: ReportKind,
    p: ReportParams,
    lang: Lang,
) -> AppResult<Generated> {
    let roots: Vec<i32> = state.regions.read().await.roots().map(|r| r.id).collect();
    let run = match (kind, p.run_id) {
        (ReportKind::Allocation, Some(id)) => {
            Some(crate::services::allocation::get_run(state, id).await?)
        }
        (ReportKind::Allocation, None) => return Err(missing("runId")),
        _ => None,
    };
    match kind {
        ReportKind::PriorityList | ReportKind::BeritaAcara => {
            let cycle_id = p.cycle_id.ok_or_else(|| missing("cycleId"))?;
            let region_id = p.region_id.ok_or_else(|| missing("regionId"))?;
            if let Some(level) = &p.level {
                m::check_level(level)?;
            }
            m::get_cycle(&state.db, cycle_id).await?;
            if state.regions.read().await.get(region_id).is_none() {
                return Err(AppError::NotFound { entity: "region" });
            }
        }
        ReportKind::ServiceLevels => {
            p.from.ok_or_else(|| missing("from"))?;
            p.to.ok_or_else(|| missing("to"))?;
        }
        ReportKind::Allocation | ReportKind::AuditTrail => {}
    }
    let region_id = run.as_ref().map(|r| r.0.region_id).or(p.region_id);
    let region_path = match region_id {
        Some(r) => state.region_path(r).await,
        None => roots.clone(),
    };
    let public = match kind {
        ReportKind::PriorityList => true,
        ReportKind::Allocation => run.as_ref().is_some_and(|r| r.0.adopted_at.is_some()),
        _ => false,
    };
    match who {
        Requester::Cli => {}
        _ if public => {}
        Requester::Public => return Err(AppError::Unauthenticated),
        Requester::User(u) => {
            let perm = match kind {
                ReportKind::AuditTrail => perms::AUDIT_VERIFY,
                ReportKind::ServiceLevels => perms::SERVICE_LEVEL_REPORT,
                _ => mufakat_module_musrenbang::perms::REPORT_MUSRENBANG,
            };
            let path = if kind == ReportKind::AuditTrail {
                &roots
            } else {
                &region_path
            };
            state.authz.require(u, path, perm)?;
        }
    }
    let deployment = {
        let tree = state.regions.read().await;
        let name = tree
            .roots()
            .next()
            .map(|r| format!("Pemerintah {}", r.name))
            .unwrap_or_else(|| "Mufakat".into());
        name
    };
    let now = state.now();
    let pdf = match kind {
        ReportKind::Allocation => {
            let pdf = super::musrenbang_reports::allocation(
                state,
                run.expect("loaded above"),
                &deployment,
                now,
                lang,
            )
            .await?;
            Ok(pdf)
        }
        ReportKind::PriorityList | ReportKind::BeritaAcara => {
            let node = state
                .regions
                .read()
                .await
                .get(p.region_id.unwrap_or_default())
                .cloned()
                .ok_or(AppError::NotFound { entity: "region" })?;
            let fp = super::musrenbang_reports::ForumParams {
                cycle_id: p.cycle_id.unwrap_or_default(),
                node: &node,
                level: p.level.as_deref(),
                deployment: &deployment,
                now,
            };
            if kind == ReportKind::PriorityList {
                Ok(super::musrenbang_reports::priority_list(state, fp, lang).await?)
            } else {
                Ok(super::musrenbang_reports::berita_acara(state, fp, &p, lang).await?)
            }
        }
        ReportKind::ServiceLevels => {
            let (from, to) = (
                p.from.ok_or_else(|| missing("from"))?,
                p.to.ok_or_else(|| missing("to"))?,
            );
            let rows = mufakat_kernel::services::cases::publication::service_levels(
                state,
                from,
                to,
                p.region_id,
            )
            .await?;
            let scope = match p.region_id {
                Some(id) => state
                    .regions
                    .read()
                    .await
                    .get(id)
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                None => deployment.trim_start_matches("Pemerintah ").to_owned(),
            };
            r::service_levels(
                &r::ServiceLevelReport {
                    region: deployment.clone(),
                    scope,
                    from,
                    to,
                    lines: rows
                        .into_iter()
                        .map(|l| r::ServiceLevelLine {
                            service: l.workflow_title,
                            unit: l.unit,
                            received: l.received,
                            served: l.served,
                            on_time: l.on_time,
                            late: l.late,
                            open: l.open,
                            median_working_days: l.median_working_days,
                        })
                        .collect(),
                    generated_at: now,
                },
                lang,
            )
        }
        ReportKind::AuditTrail => {
            let rows = match (&p.workflow, &p.instance_id) {
                (Some(w), Some(i)) => {
                    let rows = mufakat_store::repo::audit::for_instance(&state.db, w, i).await?;
                    if rows.is_empty() {
                        return Err(AppError::NotFound { entity: "instance" });
                    }
                    rows
                }
                _ => {
                    let mut all = vec![];
                    let mut after = 0;
                    loop {
                        let page = mufakat_store::repo::audit::page(&state.db, after, 5000).await?;
                        if page.is_empty() {
                            break;
                        }
                        after = page.last().map(|e| e.seq).unwrap_or(after);
                        all.extend(page);
                    }
                    all
                }
            };
            let events = rows
                .into_iter()
                .map(audit_log::from_row)
                .collect::<AppResult<Vec<_>>>()?
                .into_iter()
                .map(|e| r::AuditEventRow {
                    seq: e.seq as u64,
                    at: e.at,
                    actor: e.actor,
                    role: e.role,
                    workflow: e.workflow,
                    instance_id: e.instance_id,
                    transition: e.transition,
                    from_state: e.from_state,
                    to_state: e.to_state,
                    hash: e.hash,
                    prev_hash: e.prev_hash,
                })
                .collect();
            let v = crate::notary::verify(&state.db, &state.notary).await?;
            let cp = mufakat_store::repo::audit::latest_checkpoint(&state.db)
                .await?
                .map(|c| r::CheckpointInfo {
                    seq: c.seq as u64,
                    hash: c.hash,
                    signed_at: mufakat_audit::parse_time(&c.signed_at).unwrap_or(now),
                    public_key: c.public_key,
                });
            let scope = match (p.workflow.clone(), p.instance_id.clone()) {
                (Some(workflow), Some(instance_id)) => r::AuditScope::Instance {
                    workflow,
                    instance_id,
                },
                _ => r::AuditScope::All,
            };
            r::audit_trail(
                &r::AuditTrailReport {
                    region: deployment.clone(),
                    scope,
                    events,
                    checkpoint: cp,
                    verification: r::VerificationResult {
                        ok: v.ok,
                        events_checked: v.events as u64,
                        checkpoints_checked: v.checkpoints as u64,
                        first_bad_seq: v.first_bad_seq.map(|s| s as u64),
                        message: if v.ok {
                            format!("OK: {} events, {} checkpoint(s)", v.events, v.checkpoints)
                        } else {
                            v.problem.clone().unwrap_or_default()
                        },
                        verified_at: now,
                    },
                    generated_at: now,
                },
                lang,
            )
        }
    }
    .map_err(|e| AppError::internal(anyhow::anyhow!("rendering {}: {e}", kind.as_str())))?;

    let sha256 = hex::encode(Sha256::digest(&pdf));
    // A public download decides nothing and is not recorded: anyone could otherwise grow the
    // trail by downloading a public list over and over.
    if !matches!(who, Requester::Public) {
        record(state, who.user(), kind.as_str(), &p, &sha256, pdf.len()).await?;
    }
    Ok(Generated {
        file_name: format!("{}-{}.pdf", kind.as_str(), now.format("%Y%m%d-%H%M%S")),
        pdf,
        sha256,
    })
}

/// Appends "report generated" to the audit trail.
pub async fn record(
    state: &AppState,
    actor: Option<&CurrentUser>,
    kind: &str,
    params: &impl Serialize,
    sha256: &str,
    bytes: usize,
) -> AppResult<()> {
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let role = match actor {
        Some(u) => u
            .grants
            .first()
            .map(|(r, _)| r.as_str().to_owned())
            .unwrap_or_default(),
        None => "operator".into(),
    };
    chain
        .append(
            &txn,
            AuditDraft {
                actor: actor.map(|u| u.id.to_string()).unwrap_or_else(|| "cli".into()),
                role,
                workflow: "system.reports".into(),
                workflow_version: "1".into(),
                instance_id: kind.into(),
                transition: "generated".into(),
                from_state: String::new(),
                to_state: "generated".into(),
                input: json!({ "kind": kind, "params": serde_json::to_value(params).unwrap_or_default(), "sha256": sha256, "bytes": bytes.to_string() }),
                comment: None,
            },
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(())
}
