//! e-Audit's queries.

use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::{DateTime, Utc};
use mufakat_kernel::graphql::{page_size, parse_id, req, require_user, state};

use super::types::*;
use crate::service::{assignments, findings, reports, trail, triage};

/// What to look for in the trail; every part optional.
#[derive(InputObject, Default)]
pub struct TrailFilter {
    /// A case as recorded in events (`instanceId`: a case number, or `line-4`, `user-7` …).
    pub case: Option<String>,
    pub workflow: Option<String>,
    /// A user id, a voter's pseudonym, `system` or `operator`.
    pub actor: Option<String>,
    pub role: Option<String>,
    pub transition: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Words in the comment (case-insensitive).
    pub text: Option<String>,
}

impl From<TrailFilter> for trail::Filter {
    fn from(f: TrailFilter) -> Self {
        trail::Filter {
            case: f.case,
            workflow: f.workflow,
            actor: f.actor,
            role: f.role,
            transition: f.transition,
            from: f.from,
            to: f.to,
            text: f.text,
            cases: vec![],
        }
    }
}

#[derive(Default)]
pub struct EauditQuery;

#[Object]
impl EauditQuery {
    /// Audit assignments the user is on, and all of a region for its inspector; newest first.
    async fn audit_assignments(&self, ctx: &Context<'_>) -> Result<Vec<AuditAssignment>> {
        let user = require_user(ctx)?;
        Ok(assignments::list(state(ctx), user)
            .await?
            .into_iter()
            .map(AuditAssignment)
            .collect())
    }

    async fn audit_assignment(&self, ctx: &Context<'_>, id: ID) -> Result<AuditAssignment> {
        let user = require_user(ctx)?;
        Ok(AuditAssignment(
            assignments::get(state(ctx), user, parse_id("id", &id)?).await?,
        ))
    }

    /// A finding: for its assignment's team and inspector, and for OPD staff once issued.
    async fn audit_finding(&self, ctx: &Context<'_>, id: ID) -> Result<Finding> {
        let user = require_user(ctx)?;
        Ok(Finding(
            findings::get_visible(state(ctx), user, parse_id("id", &id)?).await?,
        ))
    }

    /// The trail within an assignment (its modules and audited period), newest first:
    /// `first` (1 to 200) events older than `before`. For its team and its inspector while it
    /// is active or reporting.
    #[graphql(complexity = "(first.clamp(1, 200) as usize) * child_complexity + 1")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
        filter: Option<TrailFilter>,
        #[graphql(default = 50)] first: i32,
        before: Option<i64>,
    ) -> Result<TrailPage> {
        let user = require_user(ctx)?;
        let first = page_size("first", first, 200)?;
        let f: trail::Filter = filter.unwrap_or_default().into();
        Ok(trail::search(
            state(ctx),
            user,
            parse_id("assignmentId", &assignment_id)?,
            &f,
            first,
            before,
        )
        .await?
        .into())
    }

    /// The history of one object across the workflows that touched it, within the assignment,
    /// newest first and paged like `auditTrail`: `kind` is `case` (a case number), `proposal`,
    /// `package`, `order`, `procedure`, `contract`, `vendor` or `assignment`; a proposal's
    /// history follows it into the plan, its packages, their orders, their competitive
    /// procedures (with objections) and contracts.
    #[graphql(complexity = "(first.clamp(1, 200) as usize) * child_complexity + 1")]
    async fn audit_object_history(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
        kind: String,
        id: ID,
        #[graphql(default = 50)] first: i32,
        before: Option<i64>,
    ) -> Result<TrailPage> {
        let first = page_size("first", first, 200)?;
        let user = require_user(ctx)?;
        let st = state(ctx);
        let assignment = parse_id("assignmentId", &assignment_id)?;
        // Who may look first: whether an object exists is not for others to learn.
        let a = crate::service::get_assignment(&st.db, assignment).await?;
        crate::service::require_working(st, user, &a, false).await?;
        let cases = trail::object_cases(st, &kind, parse_id("id", &id)?).await?;
        let f = trail::Filter {
            cases,
            ..Default::default()
        };
        Ok(trail::search(st, user, assignment, &f, first, before)
            .await?
            .into())
    }

    /// Verifies events `fromSeq..=toSeq` of the chain with the signed checkpoints inside the
    /// range (at most 1,000,000 events), for the team of a working assignment.
    #[graphql(complexity = "mufakat_kernel::graphql::EXPENSIVE")]
    async fn verify_audit_range(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
        from_seq: i64,
        to_seq: i64,
    ) -> Result<RangeVerification> {
        let user = require_user(ctx)?;
        Ok(trail::verify_range(
            state(ctx),
            user,
            parse_id("assignmentId", &assignment_id)?,
            from_seq,
            to_seq,
        )
        .await?
        .into())
    }

    /// Triage: procurement's red flags (packages that look split to stay under a threshold)
    /// within the assignment's region, when procurement is in its scope. For its team while it
    /// works.
    async fn audit_red_flags(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
    ) -> Result<Vec<mufakat_module_procurement::graphql::types::SplitFlag>> {
        let user = require_user(ctx)?;
        let lang = req(ctx).lang;
        Ok(
            triage::red_flags(state(ctx), user, parse_id("assignmentId", &assignment_id)?)
                .await?
                .into_iter()
                .map(|f| mufakat_module_procurement::graphql::types::SplitFlag::of(&f, lang))
                .collect(),
        )
    }

    /// Triage: monev's deviation flags (behind plan, kontrak kritis, spending ahead, indicators
    /// below target, late reports, not started) within the assignment's region, when monev is
    /// in its scope; the open ones with `openOnly`. For its team while it works.
    async fn audit_monev_flags(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
        #[graphql(default)] open_only: bool,
    ) -> Result<Vec<mufakat_module_monev::graphql::types::MonevFlag>> {
        let user = require_user(ctx)?;
        Ok(triage::monev_flags(
            state(ctx),
            user,
            parse_id("assignmentId", &assignment_id)?,
            open_only,
        )
        .await?
        .into_iter()
        .map(mufakat_module_monev::graphql::types::MonevFlag)
        .collect())
    }

    /// The finding codes auditors choose from (workflows/config/eaudit.toml). Public.
    async fn finding_codes(&self, ctx: &Context<'_>) -> Result<Vec<FindingCode>> {
        Ok(crate::runtime::get(state(ctx))?
            .codes
            .iter()
            .map(|(c, t)| FindingCode {
                code: c.clone(),
                title: t.clone(),
            })
            .collect())
    }

    /// Recommendations for the OPDs of the regions where the user answers them, still to be
    /// followed up (open, answered, overdue), by deadline.
    async fn recommendations_to_follow_up(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<Vec<MatrixRow>> {
        let user = require_user(ctx)?;
        let st = state(ctx);
        let region = parse_id("regionId", &region_id)?;
        let path = st.known_region_path(region).await?;
        st.authz
            .require(user, &path, crate::perms::FOLLOWUP_ANSWER)?;
        let mut rows = crate::service::reports::open_for(st, region).await?;
        rows.sort_by_key(|e| e.rec.due_at);
        Ok(rows.into_iter().map(row).collect())
    }

    /// The follow-up monitoring matrix: every issued recommendation in the region (and below),
    /// optionally of one OPD. As PDF at `/eaudit/matrix.pdf?region=ID&opd=…`.
    async fn follow_up_matrix(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
        opd: Option<String>,
    ) -> Result<Vec<MatrixRow>> {
        let user = require_user(ctx)?;
        Ok(reports::matrix_entries(
            state(ctx),
            user,
            parse_id("regionId", &region_id)?,
            opd.as_deref(),
        )
        .await?
        .into_iter()
        .map(row)
        .collect())
    }

    /// Per OPD: findings, recommendations, done, overdue and the follow-up rate. Public where
    /// the region publishes them (`publish_figures`).
    async fn audit_figures(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<Vec<OpdAuditFigures>> {
        Ok(reports::public_figures(
            state(ctx),
            req(ctx).user.as_ref(),
            parse_id("regionId", &region_id)?,
        )
        .await?
        .into_iter()
        .map(|f| OpdAuditFigures {
            opd: f.opd,
            findings: f.findings,
            recommendations: f.recommendations,
            done: f.done,
            overdue: f.overdue,
            follow_up_rate: f.follow_up_rate,
        })
        .collect())
    }
}

fn row(e: reports::MatrixEntry) -> MatrixRow {
    MatrixRow {
        assignment_number: e.assignment.number,
        finding: Finding(e.finding),
        recommendation: Recommendation(e.rec),
        last_follow_up: e.last.map(FollowUp),
        follow_up_state: serde_json::to_value(e.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}
