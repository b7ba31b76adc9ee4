//! The proposal type (usulan) with its attachments, and the comment type.

use crate::entity::{proposal as prop, proposal_comment as pc};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use mufakat_core::{Money, Role};
use rust_decimal::Decimal;

use super::{err, loaders, Cycle};
use crate::service as svc;
use mufakat_kernel::graphql::cases::AuditEventGql;
use mufakat_kernel::graphql::types::Region;
use mufakat_kernel::graphql::{req, state};

fn money(sen: i64) -> Decimal {
    Money::from_minor_units(sen).amount()
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
        loaders(ctx).names.load_one(pid).await.map_err(err)
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
    /// The status as people read it, in the request's language.
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        svc::status_title(
            mufakat_kernel::graphql::state(ctx),
            &self.0.status,
            mufakat_kernel::graphql::req(ctx).lang,
        )
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
    /// Whether the signed-in user proposed it.
    async fn mine(&self, ctx: &Context<'_>) -> bool {
        mufakat_kernel::graphql::req(ctx)
            .user
            .as_ref()
            .is_some_and(|u| Some(u.id) == self.0.proposer_id)
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
        let events = mufakat_kernel::graphql::cases::history_page(
            ctx,
            svc::PROPOSAL_WORKFLOW,
            iid,
            first,
            after_seq,
        )
        .await?;
        Ok(mufakat_kernel::graphql::cases::for_the_public(ctx, events).await)
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

#[derive(SimpleObject)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub url: Option<String>,
}
