//! Budget ceilings (pagu indikatif) and allocation runs: the proposals of a region at a level
//! with their votes become a participatory-budgeting election, a rule from `mufakat-allocation`
//! picks the funded ones, and every run is stored with its exact inputs and explained per
//! proposal. Planners may override with a reason; adopting a run fires the proposals'
//! transitions (`include` / `not_accommodate`), each audited.

use std::collections::{BTreeMap, HashMap};

use crate::entity::{allocation_override as ao, allocation_run as ar, budget_ceiling as bc};
use mufakat_allocation::rules::{Completion, Options, Reason, Rule, Satisfaction};
use mufakat_allocation::{Election, Project, Rational, Vote, VoteType};
use mufakat_core::{AppError, AppResult, Lang, Money};
use mufakat_module_musrenbang::entity::{proposal as prop, proposal_vote as pv};
use mufakat_store::DbResultExt;
use num_bigint::BigInt;
use num_rational::BigRational;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::perms;
use mufakat_kernel::audit_log::{self, AuditDraft};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;
use mufakat_module_musrenbang::service as m;

fn to_rational(sen: i64) -> Rational {
    Rational::from(BigRational::new(BigInt::from(sen), BigInt::from(100)))
}

fn to_money(q: &Rational) -> Money {
    Money::parse(&q.to_decimal_rounded(2)).unwrap_or(Money::ZERO)
}

async fn system_event(
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    user: &CurrentUser,
    workflow: &str,
    instance: String,
    transition: &str,
    input: serde_json::Value,
    comment: Option<String>,
) -> AppResult<()> {
    chain
        .append(
            txn,
            AuditDraft {
                actor: user.id.to_string(),
                role: user
                    .grants
                    .first()
                    .map(|(r, _)| r.as_str().to_owned())
                    .unwrap_or_default(),
                workflow: workflow.into(),
                workflow_version: "1".into(),
                instance_id: instance,
                transition: transition.into(),
                from_state: String::new(),
                to_state: transition.into(),
                input,
                comment,
            },
        )
        .await
        .map(|_| ())
}

/// The region's whole ceiling for a cycle, in sen.
pub async fn region_ceiling(
    db: &impl sea_orm::ConnectionTrait,
    cycle_id: i32,
    region_id: i32,
) -> AppResult<Option<bc::Model>> {
    bc::Entity::find()
        .filter(bc::Column::CycleId.eq(cycle_id))
        .filter(bc::Column::RegionId.eq(region_id))
        .filter(bc::Column::Scope.eq(""))
        .one(db)
        .await
        .db()
}

/// The proposals of a region at a level, and the approval election they form with the votes
/// (voters under their pseudonyms) and `budget_sen`.
async fn election(
    state: &AppState,
    cycle: &m::CycleView,
    region_id: i32,
    level: &str,
    budget_sen: i64,
) -> AppResult<(Election, Vec<prop::Model>)> {
    m::check_level(level)?;
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let proposals = prop::Entity::find()
        .filter(prop::Column::CycleId.eq(cycle.id))
        .filter(prop::Column::RegionId.is_in(within))
        .filter(m::on_level_list(level))
        .order_by_asc(prop::Column::Id)
        .all(&state.db)
        .await
        .db()?;
    let ids: Vec<i32> = proposals.iter().map(|p| p.id).collect();
    let mut ballots: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in pv::Entity::find()
        .filter(pv::Column::CycleId.eq(cycle.id))
        .filter(pv::Column::ProposalId.is_in(ids))
        .all(&state.db)
        .await
        .db()?
    {
        ballots
            .entry(m::pseudonym(state, cycle.id, v.voter_id))
            .or_default()
            .push(v.proposal_id.to_string());
    }
    let region_name = state
        .regions
        .read()
        .await
        .get(region_id)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let e = Election {
        meta: vec![
            (
                "description".into(),
                format!("{} — {region_name} ({level})", cycle.name),
            ),
            ("country".into(), "Indonesia".into()),
            ("unit".into(), region_name),
            ("num_projects".into(), proposals.len().to_string()),
            ("num_votes".into(), ballots.len().to_string()),
        ],
        budget: to_rational(budget_sen),
        vote_type: VoteType::Approval,
        project_columns: vec!["name".into()],
        projects: proposals
            .iter()
            .map(|p| Project {
                id: p.id.to_string(),
                cost: to_rational(p.cost_sen),
                extra: vec![p.title.clone()],
            })
            .collect(),
        vote_columns: vec![],
        votes: ballots
            .into_iter()
            .map(|(voter, projects)| Vote {
                voter_id: voter,
                projects,
                points: vec![],
                extra: vec![],
            })
            .collect(),
    };
    Ok((e, proposals))
}

/// A region's adopted run for the cycle, if any: once an allocation is adopted its ceiling is
/// part of the decision and stays as it was.
async fn refuse_after_adoption(
    db: &impl sea_orm::ConnectionTrait,
    cycle_id: i32,
    region_id: i32,
) -> AppResult<()> {
    let adopted = ar::Entity::find()
        .filter(ar::Column::CycleId.eq(cycle_id))
        .filter(ar::Column::RegionId.eq(region_id))
        .filter(ar::Column::AdoptedAt.is_not_null())
        .one(db)
        .await
        .db()?;
    match adopted {
        Some(r) => Err(AppError::conflict(
            format!("Alokasi wilayah ini sudah ditetapkan (perhitungan {}); pagunya tidak dapat diubah lagi.", r.id),
            format!("This region's allocation has been adopted (run {}); its ceiling can no longer change.", r.id),
        )),
        None => Ok(()),
    }
}

/// Sets, or corrects, a region's ceiling (pagu indikatif) for a cycle; audited with the amount
/// before. Ceilings are per region only: a run allocates one region's ceiling (see
/// docs/allocation.md for why there are no OPD or category ceilings).
pub async fn set_ceiling(
    state: &AppState,
    user: &CurrentUser,
    cycle_id: i32,
    region_id: i32,
    amount: Money,
) -> AppResult<bc::Model> {
    let path = state.known_region_path(region_id).await?;
    state.authz.require(user, &path, perms::BUDGET_SET)?;
    m::get_cycle(&state.db, cycle_id).await?;
    if amount.amount().is_sign_negative() {
        return Err(AppError::validation(
            "amount",
            "range",
            "Pagu tidak boleh negatif.",
            "A ceiling cannot be negative.",
        ));
    }
    let sen = amount.to_minor_units().map_err(|_| {
        AppError::validation(
            "amount",
            "range",
            "Jumlah terlalu besar.",
            "Amount too large.",
        )
    })?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    refuse_after_adoption(&txn, cycle_id, region_id).await?;
    let existing = region_ceiling(&txn, cycle_id, region_id).await?;
    let before = existing
        .as_ref()
        .map(|e| Money::from_minor_units(e.amount_sen).to_string());
    let row = match existing {
        Some(e) => {
            let mut a: bc::ActiveModel = e.into();
            a.amount_sen = Set(sen);
            a.set_by = Set(user.id);
            a.updated_at = Set(now);
            a.update(&txn).await.db()?
        }
        None => bc::ActiveModel {
            cycle_id: Set(cycle_id),
            region_id: Set(region_id),
            scope: Set(String::new()),
            amount_sen: Set(sen),
            set_by: Set(user.id),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?,
    };
    system_event(&txn, &mut chain, user, "system.budget", format!("ceiling-{}", row.id), "set_ceiling", json!({ "cycle": cycle_id.to_string(), "region": region_id.to_string(), "amount": amount.to_string(), "before": before }), None).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(row)
}

/// Removes a region's ceiling for a cycle (set by mistake), with a reason; audited. Refused once
/// the region's allocation is adopted. `NOT_FOUND` when there is none.
pub async fn remove_ceiling(
    state: &AppState,
    user: &CurrentUser,
    cycle_id: i32,
    region_id: i32,
    reason: &str,
) -> AppResult<()> {
    let path = state.known_region_path(region_id).await?;
    state.authz.require(user, &path, perms::BUDGET_SET)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation(
            "reason",
            "required",
            "Tuliskan alasan penghapusan pagu.",
            "Give the reason for removing the ceiling.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    refuse_after_adoption(&txn, cycle_id, region_id).await?;
    let row = region_ceiling(&txn, cycle_id, region_id)
        .await?
        .ok_or(AppError::NotFound { entity: "ceiling" })?;
    bc::Entity::delete_by_id(row.id).exec(&txn).await.db()?;
    system_event(&txn, &mut chain, user, "system.budget", format!("ceiling-{}", row.id), "remove_ceiling", json!({ "cycle": cycle_id.to_string(), "region": region_id.to_string(), "before": Money::from_minor_units(row.amount_sen).to_string() }), Some(reason.to_owned())).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(())
}

pub async fn ceilings(state: &AppState, cycle_id: i32) -> AppResult<Vec<bc::Model>> {
    bc::Entity::find()
        .filter(bc::Column::CycleId.eq(cycle_id))
        .order_by_asc(bc::Column::RegionId)
        .all(&state.db)
        .await
        .db()
}

/// One proposal's outcome in a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectResult {
    pub proposal_id: i32,
    pub cost: String,
    pub votes: u64,
    pub funded: bool,
    /// Position in the selection order.
    pub order: Option<usize>,
    pub reason_id: String,
    pub reason_en: String,
    /// MES: what each supporter paid (pseudonym -> exact amount), when funded.
    pub payments: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResult {
    pub selected: Vec<i32>,
    pub total_cost: String,
    pub leftover: String,
    pub voters: u64,
    pub projects: Vec<ProjectResult>,
    /// The rule's complete output.
    pub detail: serde_json::Value,
}

/// One proposal's outcome with the planners' override applied.
pub struct ProjectOutcome<'a> {
    pub result: &'a ProjectResult,
    pub over: Option<&'a ao::Model>,
    /// The decision that counts: the override when there is one, else the rule's.
    pub funded: bool,
}

/// A run's outcome with its overrides: the one computation GraphQL shows, the PDF prints and
/// adoption enacts.
pub struct Outcome<'a> {
    pub projects: Vec<ProjectOutcome<'a>>,
    /// Cost of what is funded.
    pub total_cost: Money,
    /// The ceiling less `total_cost`: negative when the overrides exceed the ceiling.
    pub leftover: Money,
    pub exceeds_ceiling: bool,
}

pub fn outcome<'a>(
    budget_sen: i64,
    result: &'a RunResult,
    overrides: &'a [ao::Model],
) -> AppResult<Outcome<'a>> {
    let projects: Vec<ProjectOutcome> = result
        .projects
        .iter()
        .map(|p| {
            let over = overrides.iter().find(|o| o.proposal_id == p.proposal_id);
            ProjectOutcome {
                result: p,
                over,
                funded: over.map(|o| o.funded).unwrap_or(p.funded),
            }
        })
        .collect();
    let mut total = 0i64;
    for p in projects.iter().filter(|p| p.funded) {
        let sen = Money::parse(&p.result.cost)
            .ok()
            .and_then(|m| m.to_minor_units().ok())
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("run cost {:?}", p.result.cost)))?;
        total = total
            .checked_add(sen)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("run total out of range")))?;
    }
    Ok(Outcome {
        projects,
        total_cost: Money::from_minor_units(total),
        leftover: Money::from_minor_units(budget_sen - total),
        exceeds_ceiling: total > budget_sen,
    })
}

pub struct RunRequest {
    pub cycle_id: i32,
    pub region_id: i32,
    pub level: String,
    pub rule: String,
    pub completion: Option<String>,
    pub cardinality: bool,
}

fn reason_text(p: &mufakat_allocation::rules::ProjectOutcome) -> (String, String) {
    match (&p.order, &p.reason) {
        (Some(o), _) => (
            format!("didanai (urutan ke-{o})"),
            format!("funded (selected {o})"),
        ),
        (None, Some(Reason::DidNotFit { remaining })) => (
            format!(
                "tidak muat dalam sisa pagu {}",
                to_money(remaining).to_rupiah()
            ),
            format!(
                "did not fit in the remaining budget of {}",
                to_money(remaining).to_rupiah()
            ),
        ),
        (None, Some(Reason::SupportersCannotAfford { available, round })) => (
            format!(
                "dana bagian para pendukungnya ({}) tidak cukup pada putaran {round}",
                to_money(available).to_rupiah()
            ),
            format!(
                "its supporters' remaining shares ({}) could not pay for it in round {round}",
                to_money(available).to_rupiah()
            ),
        ),
        (None, Some(Reason::NoSupport)) => (
            "tidak ada suara warga".into(),
            "no resident voted for it".into(),
        ),
        (None, Some(Reason::NoSatisfaction)) => (
            "tidak memberi manfaat menurut ukuran kepuasan".into(),
            "gives no satisfaction under the measure".into(),
        ),
        (None, Some(Reason::ExceedsBudget)) => (
            "biaya melebihi seluruh pagu".into(),
            "costs more than the whole ceiling".into(),
        ),
        (None, Some(Reason::RuleStopped { blocked_by })) => (
            format!("aturan berhenti: usulan {blocked_by} tidak muat"),
            format!("the rule stopped: proposal {blocked_by} did not fit"),
        ),
        (None, Some(Reason::NotInOptimum)) => (
            "bukan bagian dari kombinasi terbaik".into(),
            "not part of the best combination".into(),
        ),
        (None, None) => (String::new(), String::new()),
    }
}

/// Runs a rule on the proposals of a region at a level, within the region's ceiling.
pub async fn run(state: &AppState, user: &CurrentUser, req: RunRequest) -> AppResult<ar::Model> {
    let path = state.known_region_path(req.region_id).await?;
    state.authz.require(user, &path, perms::ALLOCATION_RUN)?;
    let cycle = m::get_cycle(&state.db, req.cycle_id).await?;
    let ceiling = region_ceiling(&state.db, req.cycle_id, req.region_id)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "regionId",
                "no_ceiling",
                "Tetapkan dulu pagu wilayah ini untuk siklus ini.",
                "Set this region's ceiling for the cycle first.",
            )
        })?;
    let completion = match req.completion.as_deref() {
        None | Some("none") => Completion::None,
        Some("greedy") => Completion::Greedy,
        Some("add1") => Completion::Add1,
        Some(_) => {
            return Err(AppError::validation(
                "completion",
                "unknown",
                "Penyelesaian: none, greedy atau add1.",
                "Completion: none, greedy or add1.",
            ))
        }
    };
    // Only the Method of Equal Shares has completions; a completion for another rule would
    // be silently ignored, so it is refused.
    if req.rule != "mes" && !matches!(completion, Completion::None) {
        return Err(AppError::validation(
            "completion",
            "not_for_rule",
            "Penyelesaian (completion) hanya berlaku untuk aturan mes (Metode Bagi Rata).",
            "A completion applies only to the mes rule (Method of Equal Shares).",
        ));
    }
    let rule = match req.rule.as_str() {
        "greedy" => Rule::Greedy,
        "mes" => Rule::Mes(completion),
        "phragmen" => Rule::Phragmen,
        "maxwelfare" => Rule::MaxWelfare,
        _ => {
            return Err(AppError::validation(
                "rule",
                "unknown",
                "Aturan: greedy, mes, phragmen atau maxwelfare.",
                "Rule: greedy, mes, phragmen or maxwelfare.",
            ))
        }
    };
    let (election, proposals) =
        election(state, &cycle, req.region_id, &req.level, ceiling.amount_sen).await?;
    if proposals.is_empty() {
        return Err(AppError::validation(
            "level",
            "empty",
            "Tidak ada usulan pada tingkat ini di wilayah ini.",
            "There are no proposals at this level in this region.",
        ));
    }
    let opts = Options {
        satisfaction: if req.cardinality {
            Satisfaction::Cardinality
        } else {
            Satisfaction::Cost
        },
        ..Options::default()
    };
    let alloc = mufakat_allocation::allocate(&election, rule, &opts)
        .map_err(|e| AppError::internal(anyhow::anyhow!("allocation: {e}")))?;

    let vote_count: HashMap<i32, u64> = proposals
        .iter()
        .map(|p| (p.id, p.vote_count.max(0) as u64))
        .collect();
    let projects: Vec<ProjectResult> = alloc
        .projects
        .iter()
        .map(|p| {
            let (rid, ren) = reason_text(p);
            let payments = alloc
                .mes
                .as_ref()
                .and_then(|mes| mes.rounds.iter().find(|r| r.project == p.id))
                .map(|r| {
                    r.payments
                        .iter()
                        .flat_map(|g| {
                            g.voters
                                .iter()
                                .map(move |v| (v.clone(), to_money(&g.amount).to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let pid: i32 = p.id.parse().unwrap_or_default();
            ProjectResult {
                proposal_id: pid,
                cost: to_money(&p.cost).to_string(),
                votes: *vote_count.get(&pid).unwrap_or(&0),
                funded: p.selected,
                order: p.order,
                reason_id: rid,
                reason_en: ren,
                payments,
            }
        })
        .collect();
    let result = RunResult {
        selected: alloc
            .selected
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        total_cost: to_money(&alloc.total_cost).to_string(),
        leftover: to_money(&alloc.leftover).to_string(),
        voters: alloc.voters,
        projects,
        detail: serde_json::to_value(&alloc).unwrap_or_default(),
    };
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let row = ar::ActiveModel {
        cycle_id: Set(req.cycle_id),
        region_id: Set(req.region_id),
        level: Set(req.level.clone()),
        rule: Set(alloc.rule.clone()),
        options: Set(json!({ "rule": req.rule, "completion": req.completion, "satisfaction": if req.cardinality { "cardinality" } else { "cost" }, "tie_breaking": "lexicographic" }).to_string()),
        election_pb: Set(mufakat_allocation::write(&election)),
        budget_sen: Set(ceiling.amount_sen),
        result: Set(serde_json::to_string(&result).map_err(AppError::internal)?),
        created_by: Set(user.id),
        created_at: Set(now),
        adopted_at: Set(None),
        adopted_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    system_event(&txn, &mut chain, user, "system.allocation", format!("run-{}", row.id), "run", json!({ "rule": alloc.rule, "budget": Money::from_minor_units(ceiling.amount_sen).to_string(), "selected": alloc.selected }), None).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(row)
}

pub async fn get_run(
    state: &AppState,
    id: i32,
) -> AppResult<(ar::Model, RunResult, Vec<ao::Model>)> {
    let r = ar::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "allocation run",
        })?;
    let result: RunResult = serde_json::from_str(&r.result).map_err(AppError::internal)?;
    let overrides = ao::Entity::find()
        .filter(ao::Column::RunId.eq(id))
        .all(&state.db)
        .await
        .db()?;
    Ok((r, result, overrides))
}

pub async fn runs(state: &AppState, cycle_id: i32) -> AppResult<Vec<ar::Model>> {
    ar::Entity::find()
        .filter(ar::Column::CycleId.eq(cycle_id))
        .order_by_desc(ar::Column::Id)
        .all(&state.db)
        .await
        .db()
}

/// Records a planner's decision that differs from the rule's (before adoption).
pub async fn override_project(
    state: &AppState,
    user: &CurrentUser,
    run_id: i32,
    proposal_id: i32,
    funded: bool,
    reason: &str,
    confirm_exceeds_ceiling: bool,
) -> AppResult<ao::Model> {
    let (r, result, overrides) = get_run(state, run_id).await?;
    state.authz.require(
        user,
        &state.region_path(r.region_id).await,
        perms::ALLOCATION_RUN,
    )?;
    if r.adopted_at.is_some() {
        return Err(AppError::conflict(
            "Hasil ini sudah ditetapkan; buat perhitungan baru untuk mengubahnya.",
            "This run is adopted; make a new run to change it.",
        ));
    }
    if !result.projects.iter().any(|p| p.proposal_id == proposal_id) {
        return Err(AppError::validation(
            "proposalId",
            "unknown",
            "Usulan ini tidak termasuk dalam perhitungan.",
            "This proposal is not part of the run.",
        ));
    }
    if reason.trim().is_empty() {
        return Err(AppError::validation(
            "reason",
            "required",
            "Alasan wajib diisi.",
            "A reason is required.",
        ));
    }
    // The outcome with this decision in place of any earlier one for the proposal.
    let now = state.now();
    let mut would_be: Vec<ao::Model> = overrides
        .iter()
        .filter(|o| o.proposal_id != proposal_id)
        .cloned()
        .collect();
    would_be.push(ao::Model {
        id: 0,
        run_id,
        proposal_id,
        funded,
        reason: reason.trim().to_owned(),
        created_by: user.id,
        created_at: now,
    });
    let before = outcome(r.budget_sen, &result, &overrides)?.total_cost;
    let after = outcome(r.budget_sen, &result, &would_be)?;
    // A decision that adds to a total past the ceiling must be meant; one that lowers it never
    // needs confirming.
    if after.exceeds_ceiling && after.total_cost > before && !confirm_exceeds_ceiling {
        let over = Money::from_minor_units(-after.leftover.to_minor_units().unwrap_or(0));
        return Err(AppError::Validation(vec![mufakat_core::FieldError::new(
            "confirmExceedsCeiling",
            "required",
            format!(
                "Dengan keputusan ini usulan yang didanai berjumlah Rp {} dan melebihi pagu Rp {} sebesar Rp {}. Konfirmasi (confirmExceedsCeiling) dengan alasan bila memang dikehendaki.",
                after.total_cost,
                Money::from_minor_units(r.budget_sen),
                over
            ),
            format!(
                "With this decision the funded proposals total Rp {} and exceed the ceiling of Rp {} by Rp {}. Confirm (confirmExceedsCeiling) with a reason if this is intended.",
                after.total_cost,
                Money::from_minor_units(r.budget_sen),
                over
            ),
        )]));
    }
    let exceeds = after.exceeds_ceiling;
    let total_after = after.total_cost.to_string();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    ao::Entity::delete_many()
        .filter(ao::Column::RunId.eq(run_id))
        .filter(ao::Column::ProposalId.eq(proposal_id))
        .exec(&txn)
        .await
        .db()?;
    let row = ao::ActiveModel {
        run_id: Set(run_id),
        proposal_id: Set(proposal_id),
        funded: Set(funded),
        reason: Set(reason.trim().to_owned()),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    system_event(
        &txn,
        &mut chain,
        user,
        "system.allocation",
        format!("run-{run_id}"),
        "override",
        json!({ "proposal": proposal_id.to_string(), "funded": funded, "total_cost": total_after, "exceeds_ceiling": exceeds }),
        Some(reason.trim().to_owned()),
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(row)
}

/// Adopts a kota-level run in the kota forum: each proposal is included or not accommodated by
/// its workflow transition, all in one transaction.
pub async fn adopt(state: &AppState, user: &CurrentUser, run_id: i32) -> AppResult<ar::Model> {
    let (r, result, overrides) = get_run(state, run_id).await?;
    state.authz.require(
        user,
        &state.region_path(r.region_id).await,
        perms::ALLOCATION_ADOPT,
    )?;
    if r.adopted_at.is_some() {
        return Err(AppError::conflict(
            "Hasil ini sudah ditetapkan.",
            "This run is already adopted.",
        ));
    }
    if r.level != "kota" {
        return Err(AppError::validation(
            "runId",
            "level",
            "Hanya perhitungan tingkat kota yang ditetapkan ke rencana.",
            "Only kota-level runs are adopted into the plan.",
        ));
    }
    let cycle = m::get_cycle(&state.db, r.cycle_id).await?;
    if cycle.phase != "kota_forum" {
        return Err(AppError::conflict(
            "Penetapan hanya pada forum kota.",
            "Adoption happens in the kota forum phase.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    for po in outcome(r.budget_sen, &result, &overrides)?.projects {
        let (p, funded) = (po.result, po.funded);
        let why = match po.over {
            Some(o) => format!("Keputusan perencana: {}", o.reason),
            None => format!(
                "Hasil perhitungan {} (run {}): {}",
                r.rule, r.id, p.reason_id
            ),
        };
        let row = m::get_proposal(&txn, p.proposal_id).await?;
        let Some(iid) = row.instance_id else { continue };
        if row.status != "forwarded_kota" {
            // Decided since the run (or not the kota forum's to decide): name it, so that the
            // planner knows what to run again for.
            return Err(AppError::conflict(
                format!(
                    "Usulan #{} \"{}\" tidak lagi menunggu keputusan forum kota (statusnya {}); jalankan perhitungan ulang.",
                    row.id, row.title, m::status_title(state, &row.status, Lang::Id)
                ),
                format!(
                    "Proposal #{} \"{}\" no longer awaits the kota forum's decision (it is {}); run the allocation again.",
                    row.id, row.title, m::status_title(state, &row.status, Lang::En)
                ),
            ));
        }
        let action = if funded { "include" } else { "not_accommodate" };
        let fired = cases::fire_in(
            state,
            &txn,
            &mut chain,
            Acting::User(user),
            iid,
            action,
            Default::default(),
            Some(why),
            None,
            false,
        )
        .await?;
        prop::Entity::update_many()
            .col_expr(prop::Column::Status, Expr::value(fired.case.state.clone()))
            .col_expr(prop::Column::UpdatedAt, Expr::value(now))
            .filter(prop::Column::Id.eq(p.proposal_id))
            .exec(&txn)
            .await
            .db()?;
        m::notices::tell(
            &txn,
            &row,
            m::notices::Change {
                action,
                reason: fired.event.comment.as_deref(),
                cost: None,
                merged_into: None,
                actor_id: user.id,
                at: now,
            },
        )
        .await?;
    }
    ar::Entity::update_many()
        .col_expr(ar::Column::AdoptedAt, Expr::value(Some(now)))
        .col_expr(ar::Column::AdoptedBy, Expr::value(Some(user.id)))
        .filter(ar::Column::Id.eq(run_id))
        .exec(&txn)
        .await
        .db()?;
    system_event(
        &txn,
        &mut chain,
        user,
        "system.allocation",
        format!("run-{run_id}"),
        "adopt",
        json!({ "selected": result.selected }),
        None,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(get_run(state, run_id).await?.0)
}

/// The proposals of a region at a level with their votes, as a Pabulib `.pb` file (voters
/// under pseudonyms), with the region's ceiling as the budget (0 when none is set).
pub async fn export_pb(
    state: &AppState,
    cycle_id: i32,
    region_id: i32,
    level: &str,
) -> AppResult<String> {
    let cycle = m::get_cycle(&state.db, cycle_id).await?;
    let budget = region_ceiling(&state.db, cycle_id, region_id)
        .await?
        .map(|c| c.amount_sen)
        .unwrap_or(0);
    let (e, _) = election(state, &cycle, region_id, level, budget).await?;
    Ok(mufakat_allocation::write(&e))
}
