//! The query root: cycles, proposals (a Relay connection with filters and sorting), the
//! signed-in user's proposals, votes and notifications, priority lists and receipt checks.

use crate::entity::{proposal as prop, proposal_vote as pv};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Object, Result, ID};
use mufakat_core::AppError;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{
    Cycle, Notification, PriorityItem, Proposal, ProposalFilter, ProposalSort, ReceiptCheck,
};
use crate::service as svc;
use mufakat_kernel::audit_log;
use mufakat_kernel::graphql::{parse_id, req, require_user, state};

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

    /// The cycle a region (a kelurahan, a kecamatan or the kota itself) takes part in now: the
    /// kota's cycle that is not closed, the one already running before one still scheduled;
    /// null when there is none. `VALIDATION` for a region that does not exist. Public.
    async fn current_musrenbang_cycle(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<Option<Cycle>> {
        let st = state(ctx);
        let path = st
            .known_region_path(parse_id("regionId", &region_id)?)
            .await?;
        Ok(svc::current_cycle(&st.db, &path).await?.map(Cycle))
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
            let known = st
                .workflows
                .latest(svc::PROPOSAL_WORKFLOW)
                .is_some_and(|d| d.def.state(s).is_some());
            if !known {
                return Err(AppError::validation(
                    "filter.status",
                    "unknown",
                    "Status usulan ini tidak dikenal.",
                    "This proposal status is not known.",
                )
                .into());
            }
            q = q.filter(prop::Column::Status.eq(s.as_str()));
        }
        if let Some(c) = &filter.category {
            q = q.filter(prop::Column::Category.eq(c.as_str()));
        }
        if let Some(o) = &filter.target_opd {
            q = q.filter(prop::Column::TargetOpd.eq(o.as_str()));
        }
        if let Some(words) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            if words.chars().count() > 100 {
                return Err(AppError::validation(
                    "filter.search",
                    "length",
                    "Kata pencarian paling banyak 100 karakter.",
                    "The search is at most 100 characters.",
                )
                .into());
            }
            q = q.filter(svc::proposals::text_contains(words));
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
            .map(|e| PriorityItem {
                rank: e.rank.rank as i32,
                priority: e.rank.priority,
                score: e.rank.score,
                votes: e.rank.votes as i32,
                cost: e.rank.cost.amount(),
                agreed: e.agreed,
                proposal: Proposal(e.proposal),
            })
            .collect())
    }

    /// A forum's record (date, place, agenda, notes, attendance), or null. Public.
    async fn forum_record(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        region_id: ID,
    ) -> Result<Option<super::ForumRecord>> {
        Ok(svc::forums::forum(
            &state(ctx).db,
            parse_id("cycleId", &cycle_id)?,
            parse_id("regionId", &region_id)?,
        )
        .await?
        .map(Into::into))
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
