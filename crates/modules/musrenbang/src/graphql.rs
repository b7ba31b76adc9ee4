//! GraphQL for e-Musrenbang: cycles, proposals (Relay connections with filters and sorting),
//! votes with receipts, scores, priority lists, comments, and live vote counts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::entity::{proposal as prop, proposal_comment as pc, proposal_vote as pv};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use mufakat_core::{AppError, Money, Role};
use mufakat_musrenbang::{Phase, VoteScope};
use mufakat_store::entity::user;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::service::{self as svc, CycleSettings, CycleView};
use mufakat_kernel::audit_log;
use mufakat_kernel::graphql::cases::{AuditEventGql, CheckpointGql};
use mufakat_kernel::graphql::types::Region;
use mufakat_kernel::graphql::{parse_id, req, require_user, state};
use mufakat_kernel::AppState;

fn money(sen: i64) -> Decimal {
    Money::from_minor_units(sen).amount()
}

pub struct Cycle(pub CycleView);

#[Object(name = "MusrenbangCycle")]
impl Cycle {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    /// `scheduled`, `submission`, `voting`, `kelurahan_deliberation`, `kecamatan_deliberation`,
    /// `kota_forum` or `closed`; moved by timers at the window times (the cycle's case).
    async fn phase(&self) -> &str {
        &self.0.phase
    }
    /// The case that carries the phases: fire `fireTransition` on it to move a phase early.
    async fn case_id(&self) -> ID {
        ID(self.0.instance_id.to_string())
    }
    /// When each phase opens (RFC 3339), and `closes_at`.
    async fn windows(&self) -> async_graphql::Json<&BTreeMap<String, serde_json::Value>> {
        async_graphql::Json(&self.0.fields)
    }
    async fn max_votes_per_voter(&self) -> i32 {
        self.0.settings.voting.max_per_voter as i32
    }
    async fn vote_scope(&self) -> &str {
        match self.0.settings.voting.scope {
            VoteScope::Kelurahan => "kelurahan",
            VoteScope::Kecamatan => "kecamatan",
        }
    }
    async fn categories(&self) -> &[String] {
        &self.0.settings.categories
    }
    async fn criteria(&self) -> Vec<CriterionGql> {
        self.0
            .settings
            .criteria
            .iter()
            .map(|c| CriterionGql {
                key: c.key.clone(),
                name: c.name.clone(),
                weight: c.weight,
            })
            .collect()
    }
    /// priority = scoreWeight × score / 5 + votesWeight × votes / max votes in the list.
    async fn score_weight(&self) -> Decimal {
        self.0.settings.formula.score_weight
    }
    async fn votes_weight(&self) -> Decimal {
        self.0.settings.formula.votes_weight
    }
}

#[derive(SimpleObject)]
#[graphql(name = "ScoringCriterion")]
pub struct CriterionGql {
    pub key: String,
    pub name: String,
    pub weight: Decimal,
}

/// Loads cycles by id (one query per request, not per proposal).
pub struct CycleLoader(pub AppState);

impl Loader<i32> for CycleLoader {
    type Value = Arc<CycleView>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let cycles = svc::cycles_by_id(&self.0.db, keys)
            .await
            .map_err(Arc::new)?;
        Ok(cycles.into_iter().map(|c| (c.id, Arc::new(c))).collect())
    }
}

/// Proposals by id (for lists that refer to proposals, such as allocation runs).
pub struct ProposalLoader(pub AppState);

impl Loader<i32> for ProposalLoader {
    type Value = prop::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, prop::Model>, Self::Error> {
        let rows = prop::Entity::find()
            .filter(prop::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Which of these proposals the signed-in user voted for.
pub struct MyVoteLoader(pub AppState, pub i32);

impl Loader<i32> for MyVoteLoader {
    type Value = bool;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, bool>, Self::Error> {
        let rows = pv::Entity::find()
            .filter(pv::Column::VoterId.eq(self.1))
            .filter(pv::Column::ProposalId.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        let voted: HashSet<i32> = rows.into_iter().map(|r| r.proposal_id).collect();
        Ok(keys.iter().map(|k| (*k, voted.contains(k))).collect())
    }
}

/// Proposers' display names.
pub struct UserNameLoader(pub AppState);

impl Loader<i32> for UserNameLoader {
    type Value = String;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, String>, Self::Error> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|u| (u.id, u.display_name)).collect())
    }
}

/// The per-request loaders.
pub struct Loaders {
    pub cycles: DataLoader<CycleLoader>,
    pub proposals: DataLoader<ProposalLoader>,
    pub names: DataLoader<UserNameLoader>,
    pub my_votes: Option<DataLoader<MyVoteLoader>>,
}

impl Loaders {
    pub fn new(state: &AppState, user: Option<i32>) -> Loaders {
        Loaders {
            cycles: DataLoader::new(CycleLoader(state.clone()), tokio::spawn),
            proposals: DataLoader::new(ProposalLoader(state.clone()), tokio::spawn),
            names: DataLoader::new(UserNameLoader(state.clone()), tokio::spawn),
            my_votes: user.map(|u| DataLoader::new(MyVoteLoader(state.clone(), u), tokio::spawn)),
        }
    }
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

pub fn err(e: Arc<AppError>) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(e) => e.into(),
        Err(e) => AppError::internal(anyhow::anyhow!("{e}")).into(),
    }
}

/// An usulan (development proposal).
pub struct Proposal(pub prop::Model);

#[Object]
impl Proposal {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle(&self, ctx: &Context<'_>) -> Result<Option<Cycle>> {
        Ok(loaders(ctx)
            .cycles
            .load_one(self.0.cycle_id)
            .await
            .map_err(err)?
            .map(|c| Cycle((*c).clone())))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Uraian kondisi: the problem as described.
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// The kelurahan/desa where the work is.
    async fn kelurahan(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn rt_rw(&self) -> Option<&str> {
        self.0.rt_rw.as_deref()
    }
    async fn latitude(&self) -> Option<Decimal> {
        self.0.latitude.as_deref().and_then(|s| s.parse().ok())
    }
    async fn longitude(&self) -> Option<Decimal> {
        self.0.longitude.as_deref().and_then(|s| s.parse().ok())
    }
    async fn volume(&self) -> Decimal {
        self.0.volume.parse().unwrap_or_default()
    }
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    async fn unit_price(&self) -> Decimal {
        money(self.0.unit_price_sen)
    }
    /// The cost that counts (volume × unit price, or the override).
    async fn estimated_cost(&self) -> Decimal {
        money(self.0.cost_sen)
    }
    async fn computed_cost(&self) -> Decimal {
        money(self.0.computed_cost_sen)
    }
    /// The cost before staff changed it ("accepted with changes").
    async fn original_cost(&self) -> Option<Decimal> {
        self.0.original_cost_sen.map(money)
    }
    async fn cost_override_reason(&self) -> Option<&str> {
        self.0.cost_override_reason.as_deref()
    }
    async fn target_opd(&self) -> Option<&str> {
        self.0.target_opd.as_deref()
    }
    /// `resident`, `kelurahan`, `pokir_dprd` or `opd_renja`.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// The proposer's name: shown to the proposer and to staff only.
    async fn proposer_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(pid) = self.0.proposer_id else {
            return Ok(None);
        };
        let Some(u) = req(ctx).user.as_ref() else {
            return Ok(None);
        };
        let staff = u.grants.iter().any(|(r, _)| *r != Role::Resident);
        if u.id != pid && !staff {
            return Ok(None);
        }
        Ok(loaders(ctx).names.load_one(pid).await.map_err(err)?)
    }
    /// Set when merged into another proposal (votes carried over).
    async fn merged_into(&self) -> Option<ID> {
        self.0.parent_id.map(|p| ID(p.to_string()))
    }
    /// The workflow state: draft, submitted, verified, accepted, accepted_with_changes, merged,
    /// rejected, withdrawn, forwarded_kecamatan, prioritized, forwarded_kota, included,
    /// not_accommodated.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// kelurahan, kecamatan or kota.
    async fn level(&self) -> &str {
        &self.0.level
    }
    async fn votes(&self) -> i32 {
        self.0.vote_count
    }
    /// Weighted score (1-5) at the current level, when scored.
    async fn score(&self) -> Option<Decimal> {
        self.0.score.as_deref().and_then(|s| s.parse().ok())
    }
    /// Whether the signed-in resident voted for it (only the voter sees their own vote).
    async fn my_vote(&self, ctx: &Context<'_>) -> Result<bool> {
        match &loaders(ctx).my_votes {
            Some(l) => Ok(l.load_one(self.0.id).await.map_err(err)?.unwrap_or(false)),
            None => Ok(false),
        }
    }
    /// The workflow case; its `history` is the audit trail of this proposal.
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    /// `first` (1-500) events after event `afterSeq`, in order. Counts `first` times its
    /// fields in the query's complexity.
    #[graphql(
        complexity = "(first.clamp(1, mufakat_kernel::graphql::HISTORY_MAX) as usize) * child_complexity + 1"
    )]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: i32,
        after_seq: Option<i64>,
    ) -> Result<Vec<AuditEventGql>> {
        mufakat_kernel::graphql::page_size("first", first, mufakat_kernel::graphql::HISTORY_MAX)?;
        let Some(iid) = self.0.instance_id else {
            return Ok(vec![]);
        };
        mufakat_kernel::graphql::cases::history_page(
            ctx,
            svc::PROPOSAL_WORKFLOW,
            iid,
            first,
            after_seq,
        )
        .await
    }
    async fn attachments(&self) -> Vec<Attachment> {
        serde_json::from_str::<Vec<svc::Attachment>>(&self.0.attachments)
            .unwrap_or_default()
            .into_iter()
            .map(|a| Attachment {
                name: a.name,
                mime_type: a.mime_type,
                size_bytes: a.size_bytes,
                sha256: a.sha256,
                url: a.url,
            })
            .collect()
    }
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<Comment>> {
        Ok(svc::comments(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Comment)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

pub struct Comment(pub pc::Model);

#[Object(name = "ProposalComment")]
impl Comment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Hidden comments show no text; they are kept, never deleted.
    async fn body(&self) -> Option<&str> {
        (!self.0.hidden).then_some(self.0.body.as_str())
    }
    async fn hidden(&self) -> bool {
        self.0.hidden
    }
    async fn hidden_reason(&self) -> Option<&str> {
        self.0.hidden_reason.as_deref()
    }
    async fn reports(&self) -> i32 {
        self.0.reports
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject, Default)]
pub struct ProposalFilter {
    pub cycle_id: Option<ID>,
    /// A region: proposals in it or below it.
    pub region_id: Option<ID>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub target_opd: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ProposalSort {
    #[default]
    Newest,
    Votes,
    Score,
    Cost,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ProposalAction {
    Submit,
    Withdraw,
    Verify,
    Accept,
    AcceptWithChanges,
    Merge,
    Reject,
    ForwardKecamatan,
    Prioritize,
    RejectKecamatan,
    ForwardKota,
    Include,
    NotAccommodate,
}

impl ProposalAction {
    fn name(self) -> &'static str {
        match self {
            ProposalAction::Submit => "submit",
            ProposalAction::Withdraw => "withdraw",
            ProposalAction::Verify => "verify",
            ProposalAction::Accept => "accept",
            ProposalAction::AcceptWithChanges => "accept_with_changes",
            ProposalAction::Merge => "merge",
            ProposalAction::Reject => "reject",
            ProposalAction::ForwardKecamatan => "forward_kecamatan",
            ProposalAction::Prioritize => "prioritize",
            ProposalAction::RejectKecamatan => "reject_kecamatan",
            ProposalAction::ForwardKota => "forward_kota",
            ProposalAction::Include => "include",
            ProposalAction::NotAccommodate => "not_accommodate",
        }
    }
}

#[derive(SimpleObject)]
pub struct PriorityItem {
    pub rank: i32,
    pub priority: Decimal,
    pub score: Decimal,
    pub votes: i32,
    pub cost: Decimal,
    pub proposal: Proposal,
}

#[derive(SimpleObject)]
pub struct VoteResult {
    pub proposal: Proposal,
    /// The receipt, `<seq>-<hash>` (the audit event's number and hash): keep it to check later
    /// (`checkReceipt`) that your vote is in the signed trail.
    pub receipt: String,
    pub seq: i64,
}

#[derive(SimpleObject)]
pub struct ReceiptCheck {
    /// Whether the trail's event of that number has that hash.
    pub found: bool,
    pub seq: Option<i64>,
    /// The first signed checkpoint that covers it, if one has been made since.
    pub checkpoint: Option<CheckpointGql>,
}

#[derive(SimpleObject)]
pub struct VoteCount {
    pub proposal_id: ID,
    pub region_id: ID,
    pub cycle_id: ID,
    pub votes: i32,
}

#[derive(Default)]
pub struct MusrenbangQuery;

const MAX_PAGE: usize = 100;

#[Object]
impl MusrenbangQuery {
    async fn musrenbang_cycles(&self, ctx: &Context<'_>) -> Result<Vec<Cycle>> {
        Ok(svc::list_cycles(&state(ctx).db)
            .await?
            .into_iter()
            .map(Cycle)
            .collect())
    }

    async fn musrenbang_cycle(&self, ctx: &Context<'_>, id: ID) -> Result<Cycle> {
        Ok(Cycle(
            svc::get_cycle(&state(ctx).db, parse_id("id", &id)?).await?,
        ))
    }

    /// Proposals, public, with filters and sorting; drafts are visible to their proposer only.
    /// `first` is at most 100; a page counts `first` times its fields in the query's
    /// complexity.
    #[graphql(complexity = "(first.unwrap_or(20).clamp(1, 100) as usize) * child_complexity + 1")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProposalFilter>,
        sort: Option<ProposalSort>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<String, Proposal, EmptyFields, EmptyFields>> {
        let st = state(ctx);
        let filter = filter.unwrap_or_default();
        let sort = sort.unwrap_or_default();
        let first = first.unwrap_or(20);
        if !(0..=MAX_PAGE as i32).contains(&first) {
            return Err(AppError::validation(
                "first",
                "range",
                "`first` harus 0 sampai 100.",
                "`first` must be 0 to 100.",
            )
            .into());
        }
        let offset: u64 = match after.as_deref() {
            None => 0,
            Some(c) => {
                c.parse::<u64>().map_err(|_| {
                    AppError::validation(
                        "after",
                        "format",
                        "Kursor tidak valid.",
                        "Invalid cursor.",
                    )
                })? + 1
            }
        };
        let mut q = prop::Entity::find().filter(prop::Column::Status.ne("draft"));
        if let Some(c) = &filter.cycle_id {
            q = q.filter(prop::Column::CycleId.eq(parse_id("filter.cycleId", c)?));
        }
        if let Some(r) = &filter.region_id {
            let r = parse_id("filter.regionId", r)?;
            let within = st.regions.read().await.descendants_inclusive(r);
            q = q.filter(prop::Column::RegionId.is_in(within));
        }
        if let Some(s) = &filter.status {
            q = q.filter(prop::Column::Status.eq(s.as_str()));
        }
        if let Some(c) = &filter.category {
            q = q.filter(prop::Column::Category.eq(c.as_str()));
        }
        if let Some(o) = &filter.target_opd {
            q = q.filter(prop::Column::TargetOpd.eq(o.as_str()));
        }
        q = match sort {
            ProposalSort::Newest => q.order_by_desc(prop::Column::CreatedAt),
            ProposalSort::Votes => q.order_by_desc(prop::Column::VoteCount),
            ProposalSort::Score => q.order_by_desc(prop::Column::Score),
            ProposalSort::Cost => q.order_by_desc(prop::Column::CostSen),
        }
        .order_by_desc(prop::Column::Id);
        let rows = q
            .offset(offset)
            .limit(first as u64 + 1)
            .all(&st.db)
            .await
            .db()?;
        let has_next = rows.len() > first as usize;
        let mut conn = Connection::new(offset > 0, has_next);
        conn.edges.extend(
            rows.into_iter()
                .take(first as usize)
                .enumerate()
                .map(|(i, r)| Edge::new((offset + i as u64).to_string(), Proposal(r))),
        );
        Ok(conn)
    }

    async fn proposal(&self, ctx: &Context<'_>, id: ID) -> Result<Proposal> {
        let p = svc::get_proposal(&state(ctx).db, parse_id("id", &id)?).await?;
        Ok(Proposal(svc::visible(
            p,
            req(ctx).user.as_ref().map(|u| u.id),
        )?))
    }

    /// The signed-in user's own proposals, drafts included.
    async fn my_proposals(&self, ctx: &Context<'_>) -> Result<Vec<Proposal>> {
        let user = require_user(ctx)?;
        let rows = prop::Entity::find()
            .filter(prop::Column::ProposerId.eq(user.id))
            .order_by_desc(prop::Column::Id)
            .limit(500)
            .all(&state(ctx).db)
            .await
            .db()?;
        Ok(rows.into_iter().map(Proposal).collect())
    }

    /// The proposals the signed-in resident voted for (only the voter can see this).
    async fn my_votes(&self, ctx: &Context<'_>, cycle_id: Option<ID>) -> Result<Vec<Proposal>> {
        let user = require_user(ctx)?;
        let mut q = pv::Entity::find().filter(pv::Column::VoterId.eq(user.id));
        if let Some(c) = &cycle_id {
            q = q.filter(pv::Column::CycleId.eq(parse_id("cycleId", c)?));
        }
        let ids: Vec<i32> = q
            .all(&state(ctx).db)
            .await
            .db()?
            .into_iter()
            .map(|v| v.proposal_id)
            .collect();
        let rows = prop::Entity::find()
            .filter(prop::Column::Id.is_in(ids))
            .order_by_asc(prop::Column::Id)
            .all(&state(ctx).db)
            .await
            .db()?;
        Ok(rows.into_iter().map(Proposal).collect())
    }

    /// The signed-in user's notifications, newest first.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] unread_only: bool,
    ) -> Result<Vec<Notification>> {
        let user = require_user(ctx)?;
        Ok(
            mufakat_store::repo::notifications::for_user(&state(ctx).db, user.id, unread_only, 200)
                .await?
                .into_iter()
                .map(Notification)
                .collect(),
        )
    }

    /// The ranked list of a region at a level (`kelurahan`, `kecamatan`, `kota`).
    async fn priority_list(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        region_id: ID,
        level: String,
    ) -> Result<Vec<PriorityItem>> {
        if !["kelurahan", "kecamatan", "kota"].contains(&level.as_str()) {
            return Err(AppError::validation(
                "level",
                "unknown",
                "Tingkat: kelurahan, kecamatan atau kota.",
                "Level: kelurahan, kecamatan or kota.",
            )
            .into());
        }
        let list = svc::priority_list(
            state(ctx),
            parse_id("cycleId", &cycle_id)?,
            parse_id("regionId", &region_id)?,
            &level,
        )
        .await?;
        Ok(list
            .into_iter()
            .map(|(r, m)| PriorityItem {
                rank: r.rank as i32,
                priority: r.priority,
                score: r.score,
                votes: r.votes as i32,
                cost: r.cost.amount(),
                proposal: Proposal(m),
            })
            .collect())
    }

    /// Checks a receipt (`<seq>-<hash>`, as a vote or a proposal action returned it): is that
    /// event in the audit trail, and under which signed checkpoint. Public.
    async fn check_receipt(&self, ctx: &Context<'_>, receipt: String) -> Result<ReceiptCheck> {
        use mufakat_store::entity::audit_event as ae;
        let receipt = mufakat_audit::Receipt::parse(&receipt).map_err(|e| match e {
            mufakat_audit::ReceiptError::HashOnly => AppError::validation(
                "receipt",
                "hash_only",
                "Tulis tanda terima selengkapnya: nomor urut, tanda hubung, lalu kodenya (misalnya 1234-9f86d0…), seperti yang diberikan saat Anda memilih.",
                "Write the whole receipt: its number, a hyphen, then the code (e.g. 1234-9f86d0…), as it was given when you voted.",
            ),
            mufakat_audit::ReceiptError::Malformed => AppError::validation(
                "receipt",
                "format",
                "Tanda terima tidak dikenali: bentuknya nomor urut, tanda hubung, lalu 64 huruf/angka (misalnya 1234-9f86d0…).",
                "This is not a receipt: it is a number, a hyphen, then 64 letters and digits (e.g. 1234-9f86d0…).",
            ),
        })?;
        let db = &state(ctx).db;
        let e = ae::Entity::find_by_id(receipt.seq).one(db).await.db()?;
        let Some(e) = e.filter(|e| e.hash == receipt.hash) else {
            return Ok(ReceiptCheck {
                found: false,
                seq: None,
                checkpoint: None,
            });
        };
        let cp = mufakat_store::repo::audit::checkpoints(db)
            .await?
            .into_iter()
            .find(|c| c.seq >= e.seq);
        Ok(ReceiptCheck {
            found: true,
            seq: Some(e.seq),
            checkpoint: cp.map(audit_log::checkpoint_from_row).map(Into::into),
        })
    }
}

#[derive(InputObject)]
pub struct PhaseWindowsInput {
    pub submission_opens: DateTime<Utc>,
    pub voting_opens: DateTime<Utc>,
    pub kelurahan_opens: DateTime<Utc>,
    pub kecamatan_opens: DateTime<Utc>,
    pub kota_opens: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct CreateCycleInput {
    /// e.g. "RKPD 2027".
    pub name: String,
    pub year: i32,
    /// The kota/kabupaten.
    pub region_id: ID,
    pub windows: PhaseWindowsInput,
    #[graphql(default = 3)]
    pub max_votes_per_voter: i32,
    /// `kelurahan` (default) or `kecamatan`.
    pub vote_scope: Option<String>,
    pub categories: Option<Vec<String>>,
    /// Scoring criteria (each scored 1-5) with weights; default: urgency ×3, beneficiaries ×2,
    /// alignment ×2, feasibility ×1.
    pub criteria: Option<Vec<CriterionInput>>,
    pub score_weight: Option<Decimal>,
    pub votes_weight: Option<Decimal>,
}

#[derive(InputObject)]
pub struct CriterionInput {
    pub key: String,
    pub name: String,
    pub weight: Decimal,
}

#[derive(InputObject)]
pub struct CreateProposalInput {
    pub cycle_id: ID,
    pub title: String,
    /// Uraian kondisi.
    pub description: String,
    pub category: String,
    /// Default: the resident's own kelurahan.
    pub kelurahan_id: Option<ID>,
    pub rt_rw: Option<String>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
    pub volume: Decimal,
    pub unit: String,
    pub unit_price: Decimal,
    /// Replaces volume × unit price; needs `costOverrideReason`.
    pub cost_override: Option<Decimal>,
    pub cost_override_reason: Option<String>,
    pub target_opd: Option<String>,
    /// Staff only: `kelurahan`, `pokir_dprd`, `opd_renja`. Residents always propose as `resident`.
    pub source: Option<String>,
    /// Metadata of attached files (photos, drawings); at most 10.
    #[graphql(default)]
    pub attachments: Vec<AttachmentInput>,
}

#[derive(InputObject)]
pub struct AttachmentInput {
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

#[derive(SimpleObject)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

pub struct Notification(pub mufakat_store::entity::notification::Model);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// e.g. `proposal_merged`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn message(&self, ctx: &Context<'_>) -> &str {
        match req(ctx).lang {
            mufakat_core::Lang::Id => &self.0.message_id,
            mufakat_core::Lang::En => &self.0.message_en,
        }
    }
    async fn proposal_id(&self) -> Option<ID> {
        self.0.proposal_id.map(|p| ID(p.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
}

#[derive(InputObject, Default)]
pub struct ProposalActionInput {
    /// accept_with_changes: new volume.
    pub volume: Option<Decimal>,
    /// accept_with_changes: new unit price.
    pub unit_price: Option<Decimal>,
    /// accept_with_changes: a cost replacing volume × unit price (the comment is the reason).
    pub cost_override: Option<Decimal>,
    /// merge: the proposal this one is merged into.
    pub into_proposal_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CriterionScore {
    pub key: String,
    pub value: i32,
}

#[derive(SimpleObject)]
pub struct ProposalActionResult {
    pub proposal: Proposal,
    /// The receipt, `<seq>-<hash>`: the audit event's number and hash (see `checkReceipt`).
    pub receipt: String,
}

#[derive(Default)]
pub struct MusrenbangMutation;

#[Object]
impl MusrenbangMutation {
    /// Bappeda: opens a planning cycle with its phase windows.
    async fn create_musrenbang_cycle(
        &self,
        ctx: &Context<'_>,
        input: CreateCycleInput,
    ) -> Result<Cycle> {
        let user = require_user(ctx)?;
        let mut settings = CycleSettings::default();
        if input.max_votes_per_voter < 1 || input.max_votes_per_voter > 100 {
            return Err(AppError::validation(
                "maxVotesPerVoter",
                "range",
                "Batas suara 1 sampai 100.",
                "The vote limit is 1 to 100.",
            )
            .into());
        }
        settings.voting.max_per_voter = input.max_votes_per_voter as u32;
        settings.voting.scope = match input.vote_scope.as_deref() {
            None | Some("kelurahan") => VoteScope::Kelurahan,
            Some("kecamatan") => VoteScope::Kecamatan,
            Some(_) => {
                return Err(AppError::validation(
                    "voteScope",
                    "unknown",
                    "Cakupan suara: kelurahan atau kecamatan.",
                    "Vote scope: kelurahan or kecamatan.",
                )
                .into())
            }
        };
        if let Some(c) = input.categories {
            settings.categories = c
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(c) = input.criteria {
            let valid = !c.is_empty()
                && c.iter()
                    .all(|x| !x.key.trim().is_empty() && x.weight > Decimal::ZERO)
                && c.iter()
                    .map(|x| x.key.trim())
                    .collect::<std::collections::HashSet<_>>()
                    .len()
                    == c.len();
            if !valid {
                return Err(AppError::validation(
                    "criteria",
                    "invalid",
                    "Kriteria: kunci unik dan bobot lebih dari nol.",
                    "Criteria need unique keys and positive weights.",
                )
                .into());
            }
            settings.criteria = c
                .into_iter()
                .map(|x| mufakat_musrenbang::Criterion {
                    key: x.key.trim().to_owned(),
                    name: x.name,
                    weight: x.weight,
                })
                .collect();
        }
        if let (Some(s), Some(v)) = (input.score_weight, input.votes_weight) {
            if s < Decimal::ZERO || v < Decimal::ZERO {
                return Err(AppError::validation(
                    "scoreWeight",
                    "range",
                    "Bobot tidak boleh negatif.",
                    "Weights must not be negative.",
                )
                .into());
            }
            settings.formula = mufakat_musrenbang::PriorityFormula {
                score_weight: s,
                votes_weight: v,
            };
        }
        let w = input.windows;
        let windows = BTreeMap::from([
            (Phase::Submission, w.submission_opens),
            (Phase::Voting, w.voting_opens),
            (Phase::KelurahanDeliberation, w.kelurahan_opens),
            (Phase::KecamatanDeliberation, w.kecamatan_opens),
            (Phase::KotaForum, w.kota_opens),
        ]);
        let c = svc::create_cycle(
            state(ctx),
            user,
            svc::NewCycle {
                name: input.name,
                year: input.year,
                region_id: parse_id("regionId", &input.region_id)?,
                windows,
                closes_at: w.closes_at,
                settings,
            },
        )
        .await?;
        Ok(Cycle(c))
    }

    /// A resident (or staff) drafts a proposal during the submission phase.
    async fn create_proposal(
        &self,
        ctx: &Context<'_>,
        input: CreateProposalInput,
    ) -> Result<Proposal> {
        let user = require_user(ctx)?;
        let region_id = match &input.kelurahan_id {
            Some(k) => parse_id("kelurahanId", k)?,
            None => user.home_region_id.ok_or_else(|| {
                AppError::validation(
                    "kelurahanId",
                    "required",
                    "Pilih kelurahan/desa.",
                    "Choose a kelurahan/desa.",
                )
            })?,
        };
        let p = svc::create_proposal(
            state(ctx),
            user,
            svc::NewProposal {
                cycle_id: parse_id("cycleId", &input.cycle_id)?,
                title: input.title,
                description: input.description,
                category: input.category,
                region_id,
                rt_rw: input.rt_rw,
                latitude: input.latitude,
                longitude: input.longitude,
                volume: input.volume,
                unit: input.unit,
                unit_price: input.unit_price,
                cost_override: input.cost_override,
                cost_override_reason: input.cost_override_reason,
                target_opd: input.target_opd,
                source: input.source.unwrap_or_else(|| "resident".into()),
                attachments: input
                    .attachments
                    .into_iter()
                    .map(|a| svc::Attachment {
                        name: a.name,
                        mime_type: a.mime_type,
                        size_bytes: a.size_bytes,
                        sha256: a.sha256,
                        url: a.url,
                    })
                    .collect(),
            },
        )
        .await?;
        Ok(Proposal(p))
    }

    /// Moves a proposal through its lifecycle (submit, verify, accept, merge, forward, ...).
    /// Who may do what is in `workflows/musrenbang-usulan.toml`; each action has its phase.
    async fn proposal_action(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
        action: ProposalAction,
        input: Option<ProposalActionInput>,
        comment: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<ProposalActionResult> {
        let user = require_user(ctx)?;
        let input = input.unwrap_or_default();
        let into = input
            .into_proposal_id
            .as_ref()
            .map(|i| parse_id("intoProposalId", i))
            .transpose()?;
        let (p, receipt) = svc::act(
            state(ctx),
            user,
            parse_id("proposalId", &proposal_id)?,
            action.name(),
            svc::ActInput {
                volume: input.volume,
                unit_price: input.unit_price,
                cost_override: input.cost_override,
                into_proposal: into,
            },
            comment,
            expected_version,
        )
        .await?;
        Ok(ProposalActionResult {
            proposal: Proposal(p),
            receipt,
        })
    }

    /// A resident approves a proposal; returns a receipt.
    async fn vote(&self, ctx: &Context<'_>, proposal_id: ID) -> Result<VoteResult> {
        let user = require_user(ctx)?;
        let r = svc::vote(state(ctx), user, parse_id("proposalId", &proposal_id)?).await?;
        Ok(VoteResult {
            proposal: Proposal(r.proposal),
            receipt: r.receipt,
            seq: r.seq,
        })
    }

    /// Withdraws one's vote while voting is open.
    async fn withdraw_vote(&self, ctx: &Context<'_>, proposal_id: ID) -> Result<VoteResult> {
        let user = require_user(ctx)?;
        let r = svc::unvote(state(ctx), user, parse_id("proposalId", &proposal_id)?).await?;
        Ok(VoteResult {
            proposal: Proposal(r.proposal),
            receipt: r.receipt,
            seq: r.seq,
        })
    }

    /// Staff score a proposal on the cycle's criteria (1-5 each).
    async fn score_proposal(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
        scores: Vec<CriterionScore>,
    ) -> Result<Proposal> {
        let user = require_user(ctx)?;
        let mut values = BTreeMap::new();
        for s in scores {
            let v = u8::try_from(s.value).map_err(|_| {
                AppError::validation("scores", "range", "Nilai 1 sampai 5.", "Values are 1 to 5.")
            })?;
            values.insert(s.key, v);
        }
        Ok(Proposal(
            svc::score(
                state(ctx),
                user,
                parse_id("proposalId", &proposal_id)?,
                values,
            )
            .await?,
        ))
    }

    /// Marks all of the signed-in user's notifications read; returns how many.
    async fn mark_notifications_read(&self, ctx: &Context<'_>) -> Result<i32> {
        let user = require_user(ctx)?;
        let n = mufakat_store::repo::notifications::mark_all_read(&state(ctx).db, user.id).await?;
        Ok(n as i32)
    }

    async fn add_comment(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
        body: String,
    ) -> Result<Comment> {
        let user = require_user(ctx)?;
        Ok(Comment(
            svc::add_comment(
                state(ctx),
                user,
                parse_id("proposalId", &proposal_id)?,
                &body,
            )
            .await?,
        ))
    }

    async fn report_comment(&self, ctx: &Context<'_>, comment_id: ID) -> Result<Comment> {
        let user = require_user(ctx)?;
        Ok(Comment(
            svc::report_comment(state(ctx), user, parse_id("commentId", &comment_id)?).await?,
        ))
    }

    /// Staff hide a comment with a reason (kept, never deleted; audited).
    async fn hide_comment(
        &self,
        ctx: &Context<'_>,
        comment_id: ID,
        reason: String,
    ) -> Result<Comment> {
        let user = require_user(ctx)?;
        Ok(Comment(
            svc::hide_comment(
                state(ctx),
                user,
                parse_id("commentId", &comment_id)?,
                &reason,
            )
            .await?,
        ))
    }
}

#[derive(Default)]
pub struct MusrenbangSubscription;

#[Subscription]
impl MusrenbangSubscription {
    /// Live vote counts of proposals in a region (and below): the situation room.
    async fn vote_counts(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<impl Stream<Item = VoteCount>> {
        let st = state(ctx).clone();
        let region = parse_id("regionId", &region_id)?;
        let mut rx = st.modules.get::<svc::VoteEvents>().0.subscribe();
        Ok(async_stream::stream! {
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        if st.regions.read().await.is_within(ev.region_id, region) {
                            yield VoteCount { proposal_id: ID(ev.proposal_id.to_string()), region_id: ID(ev.region_id.to_string()), cycle_id: ID(ev.cycle_id.to_string()), votes: ev.votes };
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        })
    }
}
