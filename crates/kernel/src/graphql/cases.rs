//! GraphQL for workflows, cases and the audit trail.

use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use mufakat_audit::AuditEvent;

use super::types::Region;
use super::{parse_id, require_user, state};
use crate::audit_log;
use crate::authz::perms;
use crate::services::cases::{self, CaseView};
use crate::workflows::Deployed;

/// One deployed version of a workflow definition.
pub struct WorkflowDefinitionGql(pub std::sync::Arc<Deployed>, pub bool);

#[Object(name = "WorkflowDefinition")]
impl WorkflowDefinitionGql {
    async fn name(&self) -> &str {
        &self.0.def.name
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// SHA-256 of the definition file.
    async fn hash(&self) -> &str {
        &self.0.def.hash
    }
    async fn title(&self) -> &str {
        &self.0.def.title
    }
    /// Whether new cases start on this version.
    async fn is_latest(&self) -> bool {
        self.1
    }
    async fn deployed_at(&self) -> DateTime<Utc> {
        self.0.loaded_at
    }
    async fn states(&self) -> Vec<WorkflowStateGql> {
        self.0
            .def
            .states
            .iter()
            .map(|s| WorkflowStateGql {
                name: s.name.clone(),
                title: s.title.clone(),
                initial: s.initial,
                r#final: s.is_final,
            })
            .collect()
    }
    async fn description(&self) -> &str {
        &self.0.def.description
    }
    /// When a module owns this workflow: the operations that start and move its cases
    /// instead of `startCase`/`fireTransition`. Null for a generic service (a complaint, a
    /// permit), which `startCase` starts.
    async fn module_api(&self, ctx: &Context<'_>) -> Option<&'static str> {
        state(ctx)
            .owned_workflows
            .iter()
            .find(|w| w.name == self.0.def.name)
            .map(|w| w.api)
    }
    /// The roles that may start a case (`startCase`).
    async fn start_roles(&self) -> &[String] {
        &self.0.def.start_roles
    }
    /// The fields a case is started with (those set only by transitions are left out): what
    /// a form for starting one asks.
    async fn start_fields(&self) -> Vec<InputFieldGql> {
        self.0
            .def
            .fields
            .iter()
            .filter(|(_, f)| !f.internal)
            .map(|(name, f)| InputFieldGql::of(name, f))
            .collect()
    }
    async fn transitions(&self) -> Vec<TransitionGql> {
        self.0
            .def
            .transitions
            .iter()
            .map(TransitionGql::of)
            .collect()
    }
}

#[derive(SimpleObject)]
#[graphql(name = "WorkflowState")]
pub struct WorkflowStateGql {
    pub name: String,
    pub title: String,
    pub initial: bool,
    pub r#final: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "WorkflowTransition")]
pub struct TransitionGql {
    pub name: String,
    pub title: String,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<String>,
    pub comment_required: bool,
    /// Input fields: name, type, required.
    pub input: Vec<InputFieldGql>,
}

#[derive(SimpleObject)]
#[graphql(name = "WorkflowInputField")]
pub struct InputFieldGql {
    pub name: String,
    pub r#type: String,
    pub required: bool,
    /// As people read it (the workflow file's `title`).
    pub title: String,
    pub max_length: Option<i32>,
    /// For `enum`: the values allowed.
    pub values: Vec<String>,
}

impl InputFieldGql {
    fn of(name: &str, f: &mufakat_workflow::FieldDef) -> Self {
        InputFieldGql {
            name: name.to_owned(),
            r#type: f.type_name().to_string(),
            required: f.required,
            title: f.title.clone(),
            max_length: f.max_length.map(|m| m as i32),
            values: f.values.clone(),
        }
    }
}

impl TransitionGql {
    fn of(t: &mufakat_workflow::Transition) -> Self {
        TransitionGql {
            name: t.name.clone(),
            title: t.title.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            roles: t.roles.clone(),
            comment_required: t.comment_required,
            input: t
                .input
                .iter()
                .map(|(name, f)| InputFieldGql::of(name, f))
                .collect(),
        }
    }
}

/// A workflow instance.
pub struct Case(pub CaseView);

#[Object]
impl Case {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The deadlines pending on this case, soonest first: what happens by when if nobody acts.
    async fn deadlines(&self, ctx: &Context<'_>) -> Result<Vec<DeadlineGql>> {
        Ok(cases::tracking::deadlines(
            state(ctx),
            self.0.id,
            &self.0.workflow,
            super::req(ctx).lang,
        )
        .await?
        .into_iter()
        .map(deadline_gql)
        .collect())
    }
    /// The code by which anyone may follow this case (`trackCase`), for its starter to keep.
    async fn tracking_code(&self, ctx: &Context<'_>) -> String {
        cases::tracking::code(state(ctx), self.0.id)
    }
    async fn workflow(&self) -> &str {
        &self.0.workflow
    }
    /// The definition version this case runs on, to its end.
    async fn workflow_version(&self) -> i32 {
        self.0.workflow_version
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn fields(&self) -> Json<&std::collections::BTreeMap<String, serde_json::Value>> {
        Json(&self.0.fields)
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version; pass it as `expectedVersion` to `fireTransition`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn is_final(&self) -> bool {
        self.0.is_final
    }
    /// The transitions of this case, from the audit trail, in order: `first` (1-500) events
    /// after event `afterSeq`. Counts `first` times its fields in the query's complexity.
    #[graphql(complexity = "(first.clamp(1, super::HISTORY_MAX) as usize) * child_complexity + 1")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: i32,
        after_seq: Option<i64>,
    ) -> Result<Vec<AuditEventGql>> {
        history_page(ctx, &self.0.workflow, self.0.id, first, after_seq).await
    }
    /// What the signed-in user may do now.
    async fn available_transitions(&self, ctx: &Context<'_>) -> Result<Vec<TransitionGql>> {
        let user = require_user(ctx)?;
        Ok(cases::available(state(ctx), user, self.0.id)
            .await?
            .iter()
            .map(TransitionGql::of)
            .collect())
    }
}

pub struct AuditEventGql(pub AuditEvent);

/// A page of a case's `history` (`first` events after `afterSeq`).
pub async fn history_page(
    ctx: &Context<'_>,
    workflow: &str,
    instance_id: i32,
    first: i32,
    after_seq: Option<i64>,
) -> Result<Vec<AuditEventGql>> {
    let limit = super::page_size("first", first, super::HISTORY_MAX)?;
    let events = audit_log::history(
        &state(ctx).db,
        workflow,
        &instance_id.to_string(),
        after_seq.unwrap_or(0),
        limit,
    )
    .await?;
    Ok(events.into_iter().map(AuditEventGql).collect())
}

/// A history shown to the public: residents' ids become `warga` and staff appear by their role,
/// unless the reader is an auditor or an admin, who see the trail as recorded. Voter pseudonyms
/// and `system` stay; hashes are untouched (a receipt still finds its event).
pub async fn for_the_public(ctx: &Context<'_>, events: Vec<AuditEventGql>) -> Vec<AuditEventGql> {
    if let Some(u) = super::req(ctx).user.as_ref() {
        let st = state(ctx);
        let roots: Vec<i32> = st.regions.read().await.roots().map(|r| r.id).collect();
        if st
            .authz
            .allowed(u, &roots, perms::AUDIT_VERIFY)
            .unwrap_or(false)
        {
            return events;
        }
    }
    events
        .into_iter()
        .map(|mut e| {
            let a = &e.0.actor;
            if a != "system" && !a.starts_with("voter-") {
                e.0.actor = if matches!(e.0.role.as_str(), "resident" | "owner" | "") {
                    "warga".into()
                } else {
                    e.0.role.clone()
                };
            }
            e
        })
        .collect()
}

#[Object(name = "AuditEvent")]
impl AuditEventGql {
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// A user id, `system`, or a voter pseudonym. In a proposal's public history, shown to
    /// others than auditors and admins: `warga` for a resident, the role for staff.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    async fn role(&self) -> &str {
        &self.0.role
    }
    async fn workflow(&self) -> &str {
        &self.0.workflow
    }
    async fn workflow_version(&self) -> &str {
        &self.0.workflow_version
    }
    async fn instance_id(&self) -> &str {
        &self.0.instance_id
    }
    async fn transition(&self) -> &str {
        &self.0.transition
    }
    async fn from_state(&self) -> &str {
        &self.0.from_state
    }
    async fn to_state(&self) -> &str {
        &self.0.to_state
    }
    /// The transition as people read it (its title in the workflow file; in English, its
    /// name in words).
    async fn transition_title(&self, ctx: &Context<'_>) -> String {
        state(ctx).workflows.transition_title(
            &self.0.workflow,
            &self.0.transition,
            super::req(ctx).lang,
        )
    }
    /// The state it led to, as people read it.
    async fn to_state_title(&self, ctx: &Context<'_>) -> String {
        state(ctx)
            .workflows
            .state_title(&self.0.workflow, &self.0.to_state, super::req(ctx).lang)
    }
    async fn input(&self) -> Json<&serde_json::Value> {
        Json(&self.0.input)
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

#[derive(SimpleObject)]
#[graphql(name = "AuditCheckpoint")]
pub struct CheckpointGql {
    pub seq: i64,
    pub hash: String,
    pub signed_at: String,
    /// Ed25519 public key (hex).
    pub public_key: String,
    pub signature: String,
}

impl From<mufakat_audit::Checkpoint> for CheckpointGql {
    fn from(c: mufakat_audit::Checkpoint) -> Self {
        CheckpointGql {
            seq: c.seq,
            hash: c.hash,
            signed_at: c.signed_at,
            public_key: c.public_key,
            signature: c.signature,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "AuditVerification")]
pub struct VerificationGql {
    pub ok: bool,
    pub events: i64,
    pub checkpoints: i32,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// A case as its tracking code shows it.
#[derive(SimpleObject)]
#[graphql(name = "TrackedCase")]
pub struct TrackedCaseGql {
    pub code: String,
    pub workflow: String,
    pub workflow_title: String,
    pub state: String,
    pub state_title: String,
    pub is_final: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub steps: Vec<TrackedStepGql>,
    /// What happens next and by when, if nobody acts (the workflow's timers).
    pub deadlines: Vec<DeadlineGql>,
}

/// A pending deadline of a case: the transition its timer fires, and when.
#[derive(SimpleObject)]
#[graphql(name = "Deadline")]
pub struct DeadlineGql {
    pub at: DateTime<Utc>,
    pub transition: String,
    pub title: String,
}

fn deadline_gql(d: cases::tracking::Deadline) -> DeadlineGql {
    DeadlineGql {
        at: d.at,
        transition: d.transition,
        title: d.title,
    }
}

#[derive(SimpleObject)]
#[graphql(name = "TrackedStep")]
pub struct TrackedStepGql {
    pub at: DateTime<Utc>,
    pub title: String,
    pub state_title: String,
}

/// One running case in a migration.
#[derive(SimpleObject)]
#[graphql(name = "CaseMigration")]
pub struct CaseMigrationGql {
    pub case_id: ID,
    pub from_version: i32,
    pub from_state: String,
    /// Where it goes (or went); null when it cannot move.
    pub to_state: Option<String>,
    /// Why it cannot move.
    pub problem: Option<String>,
    /// Moved by this call (false on a dry run).
    pub migrated: bool,
}

#[derive(Default)]
pub struct CasesQuery;

#[Object]
impl CasesQuery {
    /// Every deployed version of every workflow.
    async fn workflow_definitions(&self, ctx: &Context<'_>) -> Vec<WorkflowDefinitionGql> {
        let reg = &state(ctx).workflows;
        reg.all()
            .into_iter()
            .map(|d| {
                let latest = reg.is_latest(&d);
                WorkflowDefinitionGql(d, latest)
            })
            .collect()
    }

    /// A public-service case by its tracking code, for anyone: its workflow, state and steps
    /// (never who acted, comments or fields). A wrong code is `NOT_FOUND`.
    async fn track_case(&self, ctx: &Context<'_>, code: String) -> Result<TrackedCaseGql> {
        let t = cases::tracking::track(state(ctx), &code, super::req(ctx).lang).await?;
        Ok(TrackedCaseGql {
            code: t.code,
            workflow: t.workflow,
            workflow_title: t.workflow_title,
            state: t.state,
            state_title: t.state_title,
            is_final: t.is_final,
            created_at: t.created_at,
            updated_at: t.updated_at,
            steps: t
                .steps
                .into_iter()
                .map(|s| TrackedStepGql {
                    at: s.at,
                    title: s.title,
                    state_title: s.state_title,
                })
                .collect(),
            deadlines: t.deadlines.into_iter().map(deadline_gql).collect(),
        })
    }

    /// A case (workflow instance) the user may see.
    async fn instance(&self, ctx: &Context<'_>, id: ID) -> Result<Case> {
        let user = require_user(ctx)?;
        Ok(Case(
            cases::get(state(ctx), user, parse_id("id", &id)?).await?,
        ))
    }

    /// Cases the user created or may handle, newest first; `first` is 1 to 200.
    #[graphql(complexity = "(first.clamp(1, 200) as usize) * child_complexity + 1")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        workflow: Option<String>,
        state_name: Option<String>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<Case>> {
        let user = require_user(ctx)?;
        let first = super::page_size("first", first, 200)?;
        // An unknown workflow or state is a mistake to say, not an empty list.
        if let Some(w) = workflow.as_deref() {
            let Some(d) = state(ctx).workflows.latest(w) else {
                return Err(mufakat_core::AppError::validation(
                    "workflow",
                    "unknown",
                    "Alur kerja ini tidak dikenal.",
                    "This workflow is not known.",
                )
                .into());
            };
            if let Some(s) = state_name.as_deref() {
                let in_any = state(ctx)
                    .workflows
                    .all()
                    .iter()
                    .any(|v| v.def.name == d.def.name && v.def.state(s).is_some());
                if !in_any {
                    return Err(mufakat_core::AppError::validation(
                        "stateName",
                        "unknown",
                        "Status ini tidak ada pada alur kerja tersebut.",
                        "This workflow has no such state.",
                    )
                    .into());
                }
            }
        }
        Ok(cases::list(
            state(ctx),
            user,
            workflow.as_deref(),
            state_name.as_deref(),
            first,
        )
        .await?
        .into_iter()
        .map(Case)
        .collect())
    }

    async fn available_transitions(
        &self,
        ctx: &Context<'_>,
        instance_id: ID,
    ) -> Result<Vec<TransitionGql>> {
        let user = require_user(ctx)?;
        Ok(
            cases::available(state(ctx), user, parse_id("instanceId", &instance_id)?)
                .await?
                .iter()
                .map(TransitionGql::of)
                .collect(),
        )
    }

    /// The public key that signs audit checkpoints (hex), published for independent checks.
    async fn audit_public_key(&self, ctx: &Context<'_>) -> String {
        state(ctx).notary.signer.public_key_hex()
    }

    /// Signed checkpoints, newest first; `first` is 1 to 500. Public.
    #[graphql(complexity = "(first.clamp(1, 500) as usize) * child_complexity + 1")]
    async fn audit_checkpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> Result<Vec<CheckpointGql>> {
        let first = super::page_size("first", first, 500)?;
        let mut all = mufakat_store::repo::audit::checkpoints(&state(ctx).db).await?;
        all.reverse();
        Ok(all
            .into_iter()
            .take(first as usize)
            .map(audit_log::checkpoint_from_row)
            .map(Into::into)
            .collect())
    }

    /// Recomputes the whole chain and its checkpoints (auditors, admins). It reads every
    /// event, so it counts as most of a query's complexity: one per request.
    #[graphql(complexity = "super::EXPENSIVE")]
    async fn verify_audit_trail(&self, ctx: &Context<'_>) -> Result<VerificationGql> {
        let user = require_user(ctx)?;
        let st = state(ctx);
        let roots: Vec<i32> = st.regions.read().await.roots().map(|r| r.id).collect();
        st.authz.require(user, &roots, perms::AUDIT_VERIFY)?;
        let v = crate::notary::verify(&st.db, &st.notary).await?;
        Ok(VerificationGql {
            ok: v.ok,
            events: v.events,
            checkpoints: v.checkpoints as i32,
            first_bad_seq: v.first_bad_seq,
            problem: v.problem,
        })
    }
}

#[derive(Default)]
pub struct CasesMutation;

#[Object]
impl CasesMutation {
    /// Starts a case of the newest version of a workflow in a region.
    async fn start_case(
        &self,
        ctx: &Context<'_>,
        workflow: String,
        region_id: ID,
        input: Option<Json<serde_json::Map<String, serde_json::Value>>>,
    ) -> Result<Case> {
        let user = require_user(ctx)?;
        let region = parse_id("regionId", &region_id)?;
        Ok(Case(
            cases::start(
                state(ctx),
                user,
                &workflow,
                region,
                input.map(|j| j.0).unwrap_or_default(),
            )
            .await?,
        ))
    }

    /// Fires a transition. With `expectedVersion`, a case changed since you read it is a CONFLICT.
    async fn fire_transition(
        &self,
        ctx: &Context<'_>,
        instance_id: ID,
        transition: String,
        input: Option<Json<serde_json::Map<String, serde_json::Value>>>,
        comment: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<Case> {
        let user = require_user(ctx)?;
        let id = parse_id("instanceId", &instance_id)?;
        Ok(Case(
            cases::fire(
                state(ctx),
                cases::Acting::User(user),
                id,
                &transition,
                input.map(|j| j.0).unwrap_or_default(),
                comment,
                expected_version,
            )
            .await?,
        ))
    }

    /// Admin: moves the running cases of `workflow` that are on an older version to
    /// `toVersion` (the newest by default). `stateMap` renames states (`{"old": "new"}`; others
    /// keep their name), `defaults` fills fields the cases lack. With `dryRun` (the default)
    /// nothing changes: the answer lists which cases can move and why the others cannot.
    /// Applied, each case moves in its own transaction with one audit event (`migrate`) and
    /// the new definition's timers.
    async fn migrate_cases(
        &self,
        ctx: &Context<'_>,
        workflow: String,
        to_version: Option<i32>,
        state_map: Option<Json<std::collections::BTreeMap<String, String>>>,
        defaults: Option<Json<serde_json::Map<String, serde_json::Value>>>,
        #[graphql(default = true)] dry_run: bool,
    ) -> Result<Vec<CaseMigrationGql>> {
        let user = require_user(ctx)?;
        let lang = super::req(ctx).lang;
        let plan = mufakat_workflow::MigrationPlan {
            states: state_map.map(|j| j.0).unwrap_or_default(),
            defaults: defaults.map(|j| j.0).unwrap_or_default(),
        };
        let out = cases::migrate::migrate(
            state(ctx),
            Some(user),
            &workflow,
            to_version,
            plan,
            !dry_run,
        )
        .await?;
        Ok(out
            .into_iter()
            .map(|m| CaseMigrationGql {
                problem: m.problem(lang).map(str::to_owned),
                case_id: ID(m.case_id.to_string()),
                from_version: m.from_version,
                from_state: m.from_state,
                to_state: m.to_state,
                migrated: m.migrated,
            })
            .collect())
    }

    /// Signs the current head of the audit chain now (auditors, admins).
    async fn create_audit_checkpoint(&self, ctx: &Context<'_>) -> Result<Option<CheckpointGql>> {
        let user = require_user(ctx)?;
        let st = state(ctx);
        let roots: Vec<i32> = st.regions.read().await.roots().map(|r| r.id).collect();
        st.authz.require(user, &roots, perms::AUDIT_CHECKPOINT)?;
        Ok(crate::notary::checkpoint(&st.db, &st.notary, st.now())
            .await?
            .map(Into::into))
    }
}
