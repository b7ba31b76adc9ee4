//! e-Audit's GraphQL output types.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_kernel::graphql::types::Region;
use mufakat_kernel::graphql::{req, state};
use mufakat_module_procurement::service::from_sen;
use rust_decimal::Decimal;

use crate::entity::{assignment, document, evidence, finding, followup, recommendation as rec};
use crate::service::findings::{self, severity_title, OWNER_FINDING, OWNER_RECOMMENDATION};
use crate::service::followups::{self, Rating};
use crate::service::{
    assignments, texts, trail, ASSIGNMENT_WORKFLOW, FINDING_WORKFLOW, RECOMMENDATION_WORKFLOW,
};

fn title(ctx: &Context<'_>, workflow: &str, s: &str) -> String {
    state(ctx).workflows.state_title(workflow, s, req(ctx).lang)
}

fn user<'a>(ctx: &Context<'a>) -> Result<&'a mufakat_kernel::auth::CurrentUser> {
    Ok(mufakat_kernel::graphql::require_user(ctx)?)
}

pub struct AuditAssignment(pub assignment::Model);

#[derive(SimpleObject)]
pub struct TeamMember {
    pub user_id: ID,
    pub name: String,
    pub lead: bool,
    /// Whether the assignment granted this member the `auditor` role (held while it works).
    pub holds_grant: bool,
}

#[Object]
impl AuditAssignment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The case (workflow instance) that carries its state.
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    /// Nomor surat tugas.
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    /// OPDs in scope (empty: all).
    async fn opds(&self) -> Vec<String> {
        texts(&self.0.opds)
    }
    /// Modules in scope (empty: all), e.g. `procurement`.
    async fn modules(&self) -> Vec<String> {
        texts(&self.0.modules)
    }
    async fn period_from(&self) -> NaiveDate {
        self.0.period_from
    }
    async fn period_to(&self) -> NaiveDate {
        self.0.period_to
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    /// `draft`, `active`, `reporting`, `closed`, `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        title(ctx, ASSIGNMENT_WORKFLOW, &self.0.status)
    }
    async fn team(&self, ctx: &Context<'_>) -> Result<Vec<TeamMember>> {
        Ok(assignments::team_names(state(ctx), self.0.id)
            .await?
            .into_iter()
            .map(|(t, name)| TeamMember {
                user_id: ID(t.user_id.to_string()),
                name,
                lead: t.is_lead,
                holds_grant: t.grant_id.is_some(),
            })
            .collect())
    }
    /// The findings the reader may see, by number.
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<Finding>> {
        Ok(findings::list(state(ctx), user(ctx)?, self.0.id)
            .await?
            .into_iter()
            .map(Finding)
            .collect())
    }
    /// The audit report (LHP) as PDF.
    async fn report_url(&self) -> String {
        format!("/eaudit/assignments/{}/lhp.pdf", self.0.id)
    }
}

pub struct Finding(pub finding::Model);

#[Object]
impl Finding {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    async fn assignment_id(&self) -> ID {
        ID(self.0.assignment_id.to_string())
    }
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Kondisi: what was found.
    async fn condition(&self) -> &str {
        &self.0.condition
    }
    /// Kriteria: what it should have been (the rule).
    async fn criteria(&self) -> &str {
        &self.0.criteria
    }
    /// Sebab: why it happened.
    async fn cause(&self) -> &str {
        &self.0.cause
    }
    /// Akibat: what it led to.
    async fn effect(&self) -> &str {
        &self.0.effect
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn code_title(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(crate::runtime::get(state(ctx))?
            .codes
            .get(&self.0.code)
            .cloned())
    }
    /// The loss (kerugian) in rupiah, if any.
    async fn loss(&self) -> Option<Decimal> {
        self.0.loss_sen.map(from_sen)
    }
    /// `low`, `medium` or `high`.
    async fn severity(&self) -> &str {
        &self.0.severity
    }
    async fn severity_title(&self, ctx: &Context<'_>) -> &'static str {
        severity_title(&self.0.severity, req(ctx).lang)
    }
    /// `draft`, `issued`, `closed`, `withdrawn`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        title(ctx, FINDING_WORKFLOW, &self.0.status)
    }
    async fn evidence(&self, ctx: &Context<'_>) -> Result<Vec<Evidence>> {
        Ok(findings::evidence_of(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Evidence)
            .collect())
    }
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<AuditDocument>> {
        Ok(
            followups::documents_of(&state(ctx).db, OWNER_FINDING, self.0.id)
                .await?
                .into_iter()
                .map(AuditDocument)
                .collect(),
        )
    }
    async fn recommendations(&self, ctx: &Context<'_>) -> Result<Vec<Recommendation>> {
        Ok(findings::recommendations(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Recommendation)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Evidence(pub evidence::Model);

#[Object]
impl Evidence {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `event` (an audit event's seq), `document` (a document's id), `flag`, `object`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn reference(&self) -> &str {
        &self.0.reference
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Recommendation(pub rec::Model);

#[Object]
impl Recommendation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    async fn finding_id(&self) -> ID {
        ID(self.0.finding_id.to_string())
    }
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The OPD responsible for the follow-up.
    async fn opd(&self) -> &str {
        &self.0.opd
    }
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// `draft`, `open`, `answered`, `overdue`, `done`, `not_followable`, `withdrawn`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        title(ctx, RECOMMENDATION_WORKFLOW, &self.0.status)
    }
    /// When the deadline passed and people were told.
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<FollowUp>> {
        Ok(followups::of(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(FollowUp)
            .collect())
    }
    /// Documents the OPD uploaded for its follow-ups.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<AuditDocument>> {
        Ok(
            followups::documents_of(&state(ctx).db, OWNER_RECOMMENDATION, self.0.id)
                .await?
                .into_iter()
                .map(AuditDocument)
                .collect(),
        )
    }
}

pub struct FollowUp(pub followup::Model);

#[Object]
impl FollowUp {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The OPD's actions.
    async fn answer(&self) -> &str {
        &self.0.answer
    }
    /// The documents it cites.
    async fn document_ids(&self) -> Vec<ID> {
        serde_json::from_str::<Vec<i32>>(&self.0.documents)
            .unwrap_or_default()
            .into_iter()
            .map(|d| ID(d.to_string()))
            .collect()
    }
    async fn answered_at(&self) -> DateTime<Utc> {
        self.0.answered_at
    }
    /// `done`, `not_yet`, `not_acted`, `cannot_follow_up`; none until rated.
    async fn rating(&self) -> Option<&str> {
        self.0.rating.as_deref()
    }
    async fn rating_title(&self, ctx: &Context<'_>) -> Option<&'static str> {
        self.0
            .rating
            .as_deref()
            .map(|r| Rating::title(r, req(ctx).lang))
    }
    async fn rating_note(&self) -> Option<&str> {
        self.0.rating_note.as_deref()
    }
    async fn rated_at(&self) -> Option<DateTime<Utc>> {
        self.0.rated_at
    }
}

pub struct AuditDocument(pub document::Model);

#[Object]
impl AuditDocument {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// Where to download it (with the same bearer token).
    async fn url(&self) -> String {
        format!("/eaudit/documents/{}", self.0.id)
    }
}

#[derive(SimpleObject)]
pub struct TrailActor {
    /// As recorded: a user id, a voter's pseudonym, `system` or `operator`.
    pub recorded: String,
    /// The user's name when the actor is a user (pseudonyms stay pseudonyms).
    pub name: Option<String>,
    /// The user's roles now, as `role@region`.
    pub roles: Vec<String>,
}

#[derive(SimpleObject)]
pub struct TrailEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: TrailActor,
    /// The role the actor acted in.
    pub role: String,
    pub workflow: String,
    pub case: String,
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    pub input: async_graphql::Json<serde_json::Value>,
    pub comment: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}

#[derive(SimpleObject)]
pub struct TrailPage {
    pub events: Vec<TrailEvent>,
    pub has_more: bool,
    /// Pass as `before` for the next (older) page.
    pub next_before: Option<i64>,
}

impl From<trail::Page> for TrailPage {
    fn from(p: trail::Page) -> Self {
        let next_before = if p.has_more {
            p.events.last().map(|(e, _)| e.seq)
        } else {
            None
        };
        TrailPage {
            events: p
                .events
                .into_iter()
                .map(|(e, a)| TrailEvent {
                    seq: e.seq,
                    at: e.at,
                    actor: TrailActor {
                        recorded: a.recorded,
                        name: a.name,
                        roles: a.roles,
                    },
                    role: e.role,
                    workflow: e.workflow,
                    case: e.instance_id,
                    transition: e.transition,
                    from_state: e.from_state,
                    to_state: e.to_state,
                    input: async_graphql::Json(e.input),
                    comment: e.comment,
                    hash: e.hash,
                    prev_hash: e.prev_hash,
                })
                .collect(),
            has_more: p.has_more,
            next_before,
        }
    }
}

#[derive(SimpleObject)]
pub struct RangeCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub signed_at: String,
    pub public_key: String,
}

#[derive(SimpleObject)]
pub struct RangeVerification {
    pub ok: bool,
    pub from_seq: i64,
    pub to_seq: i64,
    pub events: i64,
    /// The signed checkpoints inside the range, each matched to the chain.
    pub checkpoints: Vec<RangeCheckpoint>,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

impl From<trail::RangeCheck> for RangeVerification {
    fn from(r: trail::RangeCheck) -> Self {
        RangeVerification {
            ok: r.ok,
            from_seq: r.from_seq,
            to_seq: r.to_seq,
            events: r.events,
            checkpoints: r
                .checkpoints
                .into_iter()
                .map(|c| RangeCheckpoint {
                    seq: c.seq,
                    hash: c.hash,
                    signed_at: c.signed_at,
                    public_key: c.public_key,
                })
                .collect(),
            first_bad_seq: r.first_bad_seq,
            problem: r.problem,
        }
    }
}

#[derive(SimpleObject)]
pub struct FindingCode {
    pub code: String,
    pub title: String,
}

#[derive(SimpleObject)]
pub struct MatrixRow {
    pub assignment_number: String,
    pub finding: Finding,
    pub recommendation: Recommendation,
    pub last_follow_up: Option<FollowUp>,
    /// `done`, `in_progress`, `not_acted`, `cannot_follow_up`.
    pub follow_up_state: String,
}

#[derive(SimpleObject)]
pub struct OpdAuditFigures {
    pub opd: String,
    /// Issued findings with a recommendation for this OPD.
    pub findings: i64,
    pub recommendations: i64,
    pub done: i64,
    pub overdue: i64,
    /// Done ÷ recommendations, in percent (one decimal); none without recommendations.
    pub follow_up_rate: Option<Decimal>,
}
