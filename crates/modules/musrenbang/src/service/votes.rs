//! Approval voting: casting and withdrawing votes through the batch writer (the [`Votes`] batch
//! kind), the voter's pseudonym and receipt, and live counts ([`VoteEvents`], NOTIFY on
//! PostgreSQL). A batch is read set-based, decided in memory vote by vote and stored in a fixed
//! number of statements.

use std::collections::{BTreeMap, HashMap};

use super::cycles::build_cycle_views;
use super::{phase_closed, CycleView};
use crate::entity::{musrenbang_cycle as cyc, proposal as prop, proposal_vote as pv};
use chrono::{DateTime, Utc};
use mufakat_audit::Receipt;
use mufakat_core::{AppError, AppResult, Role};
use mufakat_musrenbang::voter_pseudonym;
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::Map;

use mufakat_kernel::audit_log;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;

fn pseudonym_key(state: &AppState) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&state.nik_key).expect("any key");
    mac.update(b"mufakat voter pseudonym key v1");
    mac.finalize().into_bytes().to_vec()
}

/// The voter's pseudonym in this cycle (as the audit trail records it).
pub fn pseudonym(state: &AppState, cycle_id: i32, user_id: i32) -> String {
    voter_pseudonym(&pseudonym_key(state), cycle_id, user_id)
}

pub struct VoteReceipt {
    pub proposal: prop::Model,
    /// The audit event's receipt (`<seq>-<hash>`): check later that it is under a signed
    /// checkpoint.
    pub receipt: String,
    pub seq: i64,
}

/// A resident approves a proposal (voting phase, own kelurahan or kecamatan by the cycle's
/// policy, within the per-voter limit). One vote per person per proposal, by the database.
pub async fn vote(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
) -> AppResult<VoteReceipt> {
    cast(state, user, proposal_id, true).await
}

/// Withdraws a vote while voting is open.
pub async fn unvote(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
) -> AppResult<VoteReceipt> {
    cast(state, user, proposal_id, false).await
}

/// One vote (or withdrawal) waiting for the batch writer ([`mufakat_kernel::writer`]).
pub struct VoteRequest {
    user: CurrentUser,
    proposal_id: i32,
    approve: bool,
}

/// Live vote counts for subscriptions (musrenbang's runtime state in
/// [`AppState::modules`](mufakat_kernel::state::Inner::modules)).
#[derive(Clone)]
pub struct VoteEvents(pub tokio::sync::broadcast::Sender<VoteCountChanged>);

impl Default for VoteEvents {
    fn default() -> Self {
        VoteEvents(tokio::sync::broadcast::channel(1024).0)
    }
}

/// Votes and withdrawals, a kind of request of the batch writer.
pub struct Votes;

#[async_trait::async_trait]
impl mufakat_kernel::writer::BatchKind for Votes {
    type Request = VoteRequest;
    type Answer = VoteReceipt;
    type Effects = Vec<VoteCountChanged>;

    fn name(&self) -> &'static str {
        "votes"
    }

    async fn write(
        &self,
        state: &AppState,
        txn: &audit_log::WriteTxn,
        chain: &mut audit_log::Chain,
        batch: &[&VoteRequest],
    ) -> AppResult<(Vec<AppResult<VoteReceipt>>, Vec<VoteCountChanged>)> {
        write_votes(state, txn, chain, batch).await
    }

    /// On SQLite, live counts go to this node's subscribers (on PostgreSQL they come back by
    /// NOTIFY, to every node).
    fn after_commit(&self, state: &AppState, changes: Vec<VoteCountChanged>) {
        if !mufakat_store::db::is_postgres(&state.db) {
            for c in changes {
                let _ = state.modules.get::<VoteEvents>().0.send(c);
            }
        }
    }
}

async fn cast(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    approve: bool,
) -> AppResult<VoteReceipt> {
    // Only residents vote; everything else is checked by the batch, under the chain lock.
    if !user.grants.iter().any(|(r, _)| *r == Role::Resident) || user.home_region_id.is_none() {
        return Err(AppError::Forbidden);
    }
    mufakat_kernel::writer::submit::<Votes>(
        state,
        VoteRequest {
            user: user.clone(),
            proposal_id,
            approve,
        },
    )
    .await
}

/// What a batch read under the chain lock, changed in memory as its votes are decided, and
/// writes once at the end.
struct VoteBatch {
    now: DateTime<Utc>,
    proposals: HashMap<i32, prop::Model>,
    cycles: HashMap<i32, CycleView>,
    /// Proposal cases, as they will be stored.
    cases: HashMap<i32, wi::Model>,
    /// Each case's version when read (the update checks it).
    read_versions: HashMap<i32, i32>,
    /// (voter, cycle) -> proposals the voter approves now.
    ballots: HashMap<(i32, i32), std::collections::BTreeSet<i32>>,
    /// (proposal, voter) -> how the vote row changes.
    rows: HashMap<(i32, i32), RowChange>,
    /// Net change of each proposal's vote count.
    deltas: BTreeMap<i32, i32>,
    /// Transitions that changed a case's state (timers to re-arm, in order). Votes are
    /// self-loops in the shipped workflow; a deployed variant may differ.
    moved: Vec<(i32, mufakat_workflow::Outcome)>,
}

#[derive(Clone, Copy)]
struct RowChange {
    /// The row existed when the batch read it.
    existed: bool,
    /// The original row must go (withdrawn, perhaps approved again later in the batch).
    delete: bool,
    /// A row must be there after the batch.
    present: bool,
}

/// The votes of one batch, in the batch writer's transaction. Reads are set-based (proposals,
/// cycles, cases and the voters' ballots: four queries), every vote is decided in memory in
/// arrival order — its checks, its workflow transition and its sealed audit event — and the
/// writes are multi-row: vote rows, one update per touched case and proposal (the events and
/// the chain head follow at the commit). Each vote is still its own transition with its own
/// audit event, as with one transaction per vote. A refused vote's answer is its error; an
/// internal error fails the batch.
pub async fn write_votes(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    batch: &[&VoteRequest],
) -> AppResult<(Vec<AppResult<VoteReceipt>>, Vec<VoteCountChanged>)> {
    let now = chain.now;
    let mut ids: Vec<i32> = batch.iter().map(|r| r.proposal_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let proposals: HashMap<i32, prop::Model> = prop::Entity::find()
        .filter(prop::Column::Id.is_in(mufakat_store::pad_pow2(ids)))
        .all(txn)
        .await
        .db()?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut cycle_ids: Vec<i32> = proposals.values().map(|p| p.cycle_id).collect();
    cycle_ids.sort_unstable();
    cycle_ids.dedup();
    // The cycles, then their cases and the proposals' cases in one query.
    let cycle_rows = cyc::Entity::find()
        .filter(cyc::Column::Id.is_in(mufakat_store::pad_pow2(cycle_ids.clone())))
        .all(txn)
        .await
        .db()?;
    let case_ids: Vec<i32> = proposals
        .values()
        .filter_map(|p| p.instance_id)
        .chain(cycle_rows.iter().filter_map(|c| c.instance_id))
        .collect();
    let mut cases = cases::cases_by_id(txn, mufakat_store::pad_pow2(case_ids)).await?;
    let cycles: HashMap<i32, CycleView> = build_cycle_views(cycle_rows, &cases)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for c in cycles.values() {
        cases.remove(&c.instance_id);
    }
    let read_versions = cases.iter().map(|(id, m)| (*id, m.version)).collect();
    let mut voters: Vec<i32> = batch.iter().map(|r| r.user.id).collect();
    voters.sort_unstable();
    voters.dedup();
    let mut ballots: HashMap<(i32, i32), std::collections::BTreeSet<i32>> = HashMap::new();
    for v in pv::Entity::find()
        .filter(pv::Column::CycleId.is_in(mufakat_store::pad_pow2(cycle_ids)))
        .filter(pv::Column::VoterId.is_in(mufakat_store::pad_pow2(voters)))
        .all(txn)
        .await
        .db()?
    {
        ballots
            .entry((v.voter_id, v.cycle_id))
            .or_default()
            .insert(v.proposal_id);
    }
    let mut b = VoteBatch {
        now,
        proposals,
        cycles,
        cases,
        read_versions,
        ballots,
        rows: HashMap::new(),
        deltas: BTreeMap::new(),
        moved: vec![],
    };
    let regions = state.regions.read().await.clone();
    let key = pseudonym_key(state);
    let mut results = Vec::with_capacity(batch.len());
    for req in batch {
        match decide_vote(state, &regions, &key, &mut b, chain, req).await {
            Ok(receipt) => results.push(Ok(receipt)),
            // Refusals are decided before anything of the vote is applied.
            Err(e) if !matches!(e, AppError::Internal(_)) => results.push(Err(e)),
            Err(e) => return Err(e),
        }
    }
    store_votes(state, txn, &b).await?;
    let changes: Vec<VoteCountChanged> = b
        .deltas
        .keys()
        .filter_map(|id| b.proposals.get(id))
        .map(|p| VoteCountChanged {
            proposal_id: p.id,
            region_id: p.region_id,
            cycle_id: p.cycle_id,
            votes: p.vote_count,
        })
        .collect();
    if mufakat_store::db::is_postgres(&state.db) {
        // Delivered to every node (this one included) when the transaction commits: JSON
        // arrays of counts, each under PostgreSQL's 8000-byte payload limit.
        for part in changes.chunks(50) {
            let payload = serde_json::to_string(part).map_err(AppError::internal)?;
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [VOTE_CHANNEL.into(), payload.into()],
            ))
            .await
            .db()?;
        }
    }
    Ok((results, changes))
}

/// Checks one vote against the batch's current picture and, if it passes, applies it there
/// (case, ballot, count) and seals its audit event. Nothing is applied when it is refused.
async fn decide_vote(
    state: &AppState,
    regions: &mufakat_core::RegionTree,
    key: &[u8],
    b: &mut VoteBatch,
    chain: &mut audit_log::Chain,
    req: &VoteRequest,
) -> AppResult<VoteReceipt> {
    let (user, approve) = (&req.user, req.approve);
    let p = b
        .proposals
        .get(&req.proposal_id)
        .ok_or(AppError::NotFound { entity: "proposal" })?;
    let cycle = b.cycles.get(&p.cycle_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "cycle {} of proposal {} missing",
            p.cycle_id,
            p.id
        ))
    })?;
    if cycle.phase != "voting" {
        return Err(phase_closed("voting", &cycle.phase));
    }
    let home = user.home_region_id.ok_or(AppError::Forbidden)?;
    if !cycle
        .settings
        .voting
        .may_vote_for(regions, home, p.region_id)
    {
        return Err(AppError::ForbiddenBecause(mufakat_core::Localized::new(
            "Anda hanya dapat memilih usulan di wilayah tempat Anda terdaftar.",
            "You can vote only for proposals in the area where you are registered.",
        )));
    }
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;
    let ballot = b.ballots.get(&(user.id, cycle.id));
    let voted = ballot.is_some_and(|s| s.contains(&p.id));
    if approve {
        if voted {
            return Err(AppError::conflict(
                "Anda sudah memilih usulan ini.",
                "You have already voted for this proposal.",
            ));
        }
        let max = cycle.settings.voting.max_per_voter;
        if ballot.map_or(0, |s| s.len()) >= max as usize {
            return Err(AppError::conflict(
                format!("Anda sudah memakai semua {max} suara Anda pada siklus ini. Tarik salah satu suara untuk memilih usulan lain."),
                format!("You have used all {max} of your votes in this cycle. Withdraw one to vote for another proposal."),
            ));
        }
    } else if !voted {
        return Err(AppError::conflict(
            "Anda belum memilih usulan ini.",
            "You have not voted for this proposal.",
        ));
    }
    let case = b
        .cases
        .get(&instance_id)
        .ok_or(AppError::NotFound { entity: "instance" })?;
    let d = state.workflows.get(case.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "definition {} not loaded",
            case.definition_id
        ))
    })?;
    // The engine decides (and refuses) before anything is applied.
    let who = Acting::Pseudonymous(user, voter_pseudonym(key, cycle.id, user.id));
    let step = cases::decide(
        state,
        &who,
        &d,
        case,
        if approve { "vote" } else { "unvote" },
        &Map::new(),
        None,
        b.now,
    )
    .await?;

    // Accepted: apply it to the batch's picture.
    let (pid, cycle_id) = (p.id, cycle.id);
    if step.moved {
        b.moved.push((instance_id, step.outcome));
    }
    b.cases.insert(instance_id, step.after);
    let event = chain.append_deferred(step.draft);
    let ballot = b.ballots.entry((user.id, cycle_id)).or_default();
    let row = b.rows.entry((pid, user.id)).or_insert(RowChange {
        existed: voted,
        delete: false,
        present: voted,
    });
    if approve {
        ballot.insert(pid);
        row.present = true;
    } else {
        ballot.remove(&pid);
        row.present = false;
        row.delete |= row.existed;
    }
    let delta = if approve { 1 } else { -1 };
    *b.deltas.entry(pid).or_default() += delta;
    let p = b
        .proposals
        .get_mut(&pid)
        .ok_or(AppError::NotFound { entity: "proposal" })?;
    p.vote_count += delta;
    Ok(VoteReceipt {
        proposal: p.clone(),
        receipt: Receipt::new(event.seq, event.hash).to_string(),
        seq: event.seq,
    })
}

/// Writes what a batch decided — cases, timers of cases that moved, vote rows, counts — in a
/// fixed number of statements, however many proposals the batch touched. (The events follow at
/// the batch's commit: `audit_log::commit` writes the chain.)
async fn store_votes(state: &AppState, txn: &audit_log::WriteTxn, b: &VoteBatch) -> AppResult<()> {
    cases::store_steps(state, txn, &b.cases, &b.read_versions, &b.moved, b.now).await?;
    for (&(proposal_id, voter_id), row) in &b.rows {
        if row.delete {
            pv::Entity::delete_many()
                .filter(pv::Column::VoterId.eq(voter_id))
                .filter(pv::Column::CycleId.eq(b.proposals[&proposal_id].cycle_id))
                .filter(pv::Column::ProposalId.eq(proposal_id))
                .exec(txn)
                .await
                .db()?;
        }
    }
    let inserts: Vec<pv::ActiveModel> = b
        .rows
        .iter()
        .filter(|(_, r)| r.present && (!r.existed || r.delete))
        .map(|(&(proposal_id, voter_id), _)| pv::ActiveModel {
            cycle_id: Set(b.proposals[&proposal_id].cycle_id),
            proposal_id: Set(proposal_id),
            voter_id: Set(voter_id),
            created_at: Set(b.now),
            ..Default::default()
        })
        .collect();
    // Padded to a power of two (see `pad_pow2`): the repeated row conflicts and is skipped;
    // every real row must be written (a conflict on a real one would be a double vote).
    for chunk in inserts.chunks(1024) {
        let written = pv::Entity::insert_many(mufakat_store::pad_pow2(chunk.to_vec()))
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([
                    pv::Column::VoterId,
                    pv::Column::CycleId,
                    pv::Column::ProposalId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("vote rows: {e}")))?;
        if written != chunk.len() as u64 {
            return Err(AppError::internal(anyhow::anyhow!(
                "vote rows: {written} of {} written",
                chunk.len()
            )));
        }
    }
    // Every touched proposal's count in one UPDATE.
    let deltas: Vec<(i32, i32)> = mufakat_store::pad_pow2(
        b.deltas
            .iter()
            .filter(|(_, d)| **d != 0)
            .map(|(id, d)| (*id, *d))
            .collect(),
    );
    if !deltas.is_empty() {
        let delta = deltas
            .iter()
            .fold(sea_orm::sea_query::CaseStatement::new(), |c, (id, d)| {
                c.case(prop::Column::Id.eq(*id), Expr::val(*d))
            });
        prop::Entity::update_many()
            .col_expr(
                prop::Column::VoteCount,
                Expr::col(prop::Column::VoteCount)
                    .add(Into::<sea_orm::sea_query::Expr>::into(delta)),
            )
            .filter(prop::Column::Id.is_in(deltas.iter().map(|(id, _)| *id)))
            .exec(txn)
            .await
            .db()?;
    }
    Ok(())
}

/// The PostgreSQL NOTIFY channel that carries vote counts between nodes.
pub const VOTE_CHANNEL: &str = "mufakat_votes";

/// Published on every vote, for live counts (the situation room). On PostgreSQL it travels by
/// NOTIFY so that subscribers on every node see votes cast on any node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteCountChanged {
    pub proposal_id: i32,
    pub region_id: i32,
    pub cycle_id: i32,
    pub votes: i32,
}
