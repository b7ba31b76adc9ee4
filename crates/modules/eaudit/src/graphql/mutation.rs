//! e-Audit's mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_kernel::graphql::{parse_id, require_user, state};
use rust_decimal::Decimal;

use super::types::*;
use crate::service::{assignments, findings, followups};

#[derive(InputObject)]
pub struct AuditAssignmentInput {
    /// Nomor surat tugas, unique.
    pub number: String,
    pub title: String,
    /// The region audited (and what lies below it); the team reads it while the assignment
    /// works.
    pub region_id: ID,
    /// OPDs in scope (empty: all).
    #[graphql(default)]
    pub opds: Vec<String>,
    /// Modules in scope, e.g. `procurement`, `musrenbang` (empty: all).
    #[graphql(default)]
    pub modules: Vec<String>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The team (inspectorate staff), the lead among them or added.
    pub team: Vec<ID>,
    pub lead: ID,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AssignmentAction {
    /// Issue the surat tugas: the team holds the auditor role from now on.
    Start,
    /// Fieldwork done: write the report.
    Report,
    /// Back to fieldwork (with a reason).
    Resume,
    /// Issue the LHP and close: the team's auditor role ends.
    Close,
    /// Cancel (with a reason).
    Cancel,
}

#[derive(InputObject)]
pub struct FindingInput {
    pub assignment_id: ID,
    pub title: String,
    /// Kondisi.
    pub condition: String,
    /// Kriteria.
    pub criteria: String,
    /// Sebab.
    pub cause: String,
    /// Akibat.
    pub effect: String,
    /// One of `findingCodes`.
    pub code: String,
    /// Kerugian in rupiah (at most two decimals).
    pub loss: Option<Decimal>,
    /// `low`, `medium` or `high`.
    pub severity: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum FollowUpRating {
    /// Sesuai: done as recommended.
    Done,
    /// Belum sesuai: not yet as recommended.
    NotYet,
    /// Belum ditindaklanjuti: nothing done.
    NotActed,
    /// Tidak dapat ditindaklanjuti, with its lawful reason.
    CannotFollowUp,
}

#[derive(Default)]
pub struct EauditMutation;

#[Object]
impl EauditMutation {
    /// The inspector drafts an audit assignment with its team and scope.
    async fn create_audit_assignment(
        &self,
        ctx: &Context<'_>,
        input: AuditAssignmentInput,
    ) -> Result<AuditAssignment> {
        let user = require_user(ctx)?;
        let team = input
            .team
            .iter()
            .map(|t| parse_id("team", t))
            .collect::<Result<Vec<_>, _>>()?;
        let n = assignments::NewAssignment {
            number: input.number,
            title: input.title,
            region_id: parse_id("regionId", &input.region_id)?,
            opds: input.opds,
            modules: input.modules,
            period_from: input.period_from,
            period_to: input.period_to,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            team,
            lead: parse_id("lead", &input.lead)?,
        };
        Ok(AuditAssignment(
            assignments::create(state(ctx), user, n).await?,
        ))
    }

    /// Moves an assignment on (start, report, resume, close, cancel).
    async fn audit_assignment_action(
        &self,
        ctx: &Context<'_>,
        id: ID,
        action: AssignmentAction,
        comment: Option<String>,
    ) -> Result<AuditAssignment> {
        let user = require_user(ctx)?;
        let a = match action {
            AssignmentAction::Start => assignments::Action::Start,
            AssignmentAction::Report => assignments::Action::Report,
            AssignmentAction::Resume => assignments::Action::Resume,
            AssignmentAction::Close => assignments::Action::Close,
            AssignmentAction::Cancel => assignments::Action::Cancel,
        };
        Ok(AuditAssignment(
            assignments::act(state(ctx), user, parse_id("id", &id)?, a, comment).await?,
        ))
    }

    /// A team member drafts a finding.
    async fn create_finding(&self, ctx: &Context<'_>, input: FindingInput) -> Result<Finding> {
        let user = require_user(ctx)?;
        let n = findings::NewFinding {
            assignment_id: parse_id("assignmentId", &input.assignment_id)?,
            title: input.title,
            condition: input.condition,
            criteria: input.criteria,
            cause: input.cause,
            effect: input.effect,
            code: input.code,
            loss: input.loss,
            severity: input.severity,
        };
        Ok(Finding(findings::create(state(ctx), user, n).await?))
    }

    /// Links evidence to a finding: `event` (an audit event's seq), `document` (a document
    /// uploaded to the finding), `flag` or `object` (e.g. `package-12`).
    async fn add_finding_evidence(
        &self,
        ctx: &Context<'_>,
        finding_id: ID,
        kind: String,
        reference: String,
        note: Option<String>,
    ) -> Result<Evidence> {
        let user = require_user(ctx)?;
        Ok(Evidence(
            findings::add_evidence(
                state(ctx),
                user,
                parse_id("findingId", &finding_id)?,
                &kind,
                &reference,
                note,
            )
            .await?,
        ))
    }

    /// Adds a recommendation to a draft finding: its text, the responsible OPD and, if not the
    /// default (the settings' days from the finding's issue), its deadline.
    async fn add_recommendation(
        &self,
        ctx: &Context<'_>,
        finding_id: ID,
        text: String,
        opd: String,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<Recommendation> {
        let user = require_user(ctx)?;
        Ok(Recommendation(
            findings::add_recommendation(
                state(ctx),
                user,
                parse_id("findingId", &finding_id)?,
                &text,
                &opd,
                due_at,
            )
            .await?,
        ))
    }

    /// The lead issues a draft finding with its recommendations; the OPD's staff are told.
    async fn issue_finding(&self, ctx: &Context<'_>, id: ID) -> Result<Finding> {
        let user = require_user(ctx)?;
        Ok(Finding(
            findings::issue(state(ctx), user, parse_id("id", &id)?).await?,
        ))
    }

    /// Withdraws a draft finding, with the reason.
    async fn withdraw_finding(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Finding> {
        let user = require_user(ctx)?;
        Ok(Finding(
            findings::withdraw(state(ctx), user, parse_id("id", &id)?, reason).await?,
        ))
    }

    /// The OPD's staff answer a recommendation with their actions, citing documents uploaded
    /// to it (`POST /eaudit/recommendations/{id}/documents`).
    async fn answer_recommendation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        answer: String,
        #[graphql(default)] document_ids: Vec<ID>,
    ) -> Result<FollowUp> {
        let user = require_user(ctx)?;
        let docs = document_ids
            .iter()
            .map(|d| parse_id("documentIds", d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FollowUp(
            followups::answer(state(ctx), user, parse_id("id", &id)?, &answer, docs).await?,
        ))
    }

    /// The finding's team (or the inspector) rates the last answer; `note` is the reason
    /// (required except for `DONE`); `dueAt` a new deadline for `NOT_YET`/`NOT_ACTED`.
    async fn rate_follow_up(
        &self,
        ctx: &Context<'_>,
        recommendation_id: ID,
        rating: FollowUpRating,
        note: Option<String>,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<Recommendation> {
        let user = require_user(ctx)?;
        let r = match rating {
            FollowUpRating::Done => followups::Rating::Done,
            FollowUpRating::NotYet => followups::Rating::NotYet,
            FollowUpRating::NotActed => followups::Rating::NotActed,
            FollowUpRating::CannotFollowUp => followups::Rating::CannotFollowUp,
        };
        Ok(Recommendation(
            followups::rate(
                state(ctx),
                user,
                parse_id("recommendationId", &recommendation_id)?,
                r,
                note,
                due_at,
            )
            .await?,
        ))
    }
}
