//! The mutation root: creating cycles and proposals, proposal actions, votes, scores,
//! notifications read, and comments.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, Result, ID};
use mufakat_core::AppError;
use mufakat_musrenbang::{Phase, VoteScope};
use rust_decimal::Decimal;

use super::{
    Comment, CreateCycleInput, CreateProposalInput, CriterionScore, Cycle, EditProposalInput,
    Proposal, ProposalAction, ProposalActionInput, ProposalActionResult, VoteResult,
};
use crate::service::{self as svc, CycleSettings};
use mufakat_kernel::graphql::{parse_id, require_user, state};

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

    /// The proposer edits their draft (before submitting it, in the submission phase).
    async fn edit_proposal(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
        input: EditProposalInput,
        expected_version: Option<i32>,
    ) -> Result<Proposal> {
        let user = require_user(ctx)?;
        let p = svc::edit_draft(
            state(ctx),
            user,
            parse_id("proposalId", &proposal_id)?,
            svc::NewProposal {
                title: input.title,
                description: input.description,
                category: input.category,
                rt_rw: input.rt_rw,
                latitude: input.latitude,
                longitude: input.longitude,
                volume: input.volume,
                unit: input.unit,
                unit_price: input.unit_price,
                cost_override: input.cost_override,
                cost_override_reason: input.cost_override_reason,
                target_opd: input.target_opd,
                ..Default::default()
            },
            expected_version,
        )
        .await?;
        Ok(Proposal(p))
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
            let key = s.key.clone();
            if values.insert(s.key, v).is_some() {
                return Err(AppError::validation(
                    "scores",
                    "duplicate",
                    format!(
                        "Kriteria `{key}` dinilai dua kali; beri satu nilai untuk setiap kriteria."
                    ),
                    format!("Criterion `{key}` is scored twice; give one value per criterion."),
                )
                .into());
            }
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

    /// Staff of the region record (or correct) what a forum recorded of itself: date, place,
    /// agenda, notes and attendance, printed in its berita acara. Audited.
    async fn record_forum(
        &self,
        ctx: &Context<'_>,
        input: super::ForumRecordInput,
    ) -> Result<super::ForumRecord> {
        let user = require_user(ctx)?;
        Ok(
            svc::forums::record_forum(state(ctx), user, input.into_forum()?)
                .await?
                .into(),
        )
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
