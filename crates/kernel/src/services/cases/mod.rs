//! Workflow instances ("cases"): start, fire a transition, list what the user may do, read with
//! history, and fire due timers. Every change is one transaction: the chain head is locked, the
//! instance updated under its version, timers re-armed, one audit event appended.
//!
//! One file a use case: `start` (starting cases), `fire` (firing transitions), `steps`
//! (transitions decided in memory and stored in batches), `timers` (arming and firing timers)
//! `read` (reading and listing cases) and `tracking` (codes that let the public follow a case). The types and checks they share are here.

mod fire;
pub mod migrate;
pub mod publication;
mod read;
mod start;
mod steps;
mod timers;
pub mod tracking;

pub use fire::{fire, fire_in, write_fires, CaseFires, FirePlan};
pub use read::{available, cases_by_id, get, list};
pub use start::{start, start_in, start_in_as, write_starts, CaseStarts, StartPlan};
pub use steps::{decide, store_steps, Step};
pub use timers::{fire_due_timers, rearm_timers, AfterTimer};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, Localized};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_workflow::{Actor, InstanceSnapshot, Outcome, WorkflowError};
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::workflows::Deployed;
use crate::AppState;

/// An instance as the API shows it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: i32,
    pub workflow: String,
    pub workflow_version: i32,
    pub definition_id: i32,
    pub state: String,
    pub fields: BTreeMap<String, Value>,
    pub region_id: i32,
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub is_final: bool,
}

/// What a transition did: the case after it, the engine's outcome and the audit event (its
/// hash is the receipt).
pub struct Fired {
    pub case: CaseView,
    pub outcome: Outcome,
    pub event: mufakat_audit::AuditEvent,
}

/// Who acts: a signed-in user, the same user recorded under a pseudonym (ballot privacy), or
/// the system (timers).
pub enum Acting<'a> {
    User(&'a CurrentUser),
    Pseudonymous(&'a CurrentUser, String),
    System,
}

impl Acting<'_> {
    fn user(&self) -> Option<&CurrentUser> {
        match self {
            Acting::User(u) | Acting::Pseudonymous(u, _) => Some(u),
            Acting::System => None,
        }
    }
}

fn view(m: wi::Model, d: &Deployed) -> AppResult<CaseView> {
    let fields: BTreeMap<String, Value> = serde_json::from_str(&m.fields)
        .map_err(|e| AppError::internal(anyhow::anyhow!("instance {} fields: {e}", m.id)))?;
    Ok(view_with(m, d, fields))
}

/// [`view`] of a case just decided, whose fields are at hand (the engine's outcome): not
/// parsed back from the text about to be stored.
fn view_with(m: wi::Model, d: &Deployed, fields: BTreeMap<String, Value>) -> CaseView {
    CaseView {
        id: m.id,
        workflow: m.workflow,
        workflow_version: d.version,
        definition_id: m.definition_id,
        state: m.state,
        fields,
        region_id: m.region_id,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
        is_final: m.is_final,
    }
}

/// The engine's refusal as the error a client gets, by variant.
pub fn workflow_error(e: WorkflowError) -> AppError {
    let msg = || {
        Localized::new(
            e.message(mufakat_workflow::Lang::Id),
            e.message(mufakat_workflow::Lang::En),
        )
    };
    match &e {
        WorkflowError::NotAllowed { .. } => AppError::Forbidden,
        WorkflowError::UnknownTransition(_) => AppError::NotFound {
            entity: "transition",
        },
        WorkflowError::NotAvailableInState { .. } | WorkflowError::Finished => {
            AppError::Conflict(msg())
        }
        WorkflowError::Validation(_)
        | WorkflowError::CommentRequired
        | WorkflowError::GuardFailed { .. } => {
            let fields: Vec<mufakat_core::FieldError> = e
                .field_errors()
                .into_iter()
                .map(|(field, id, en)| mufakat_core::FieldError {
                    field,
                    rule: "workflow",
                    message: Localized::new(id, en),
                })
                .collect();
            // A guard names no field: its message is about the input as a whole.
            AppError::Validation(if fields.is_empty() {
                vec![mufakat_core::FieldError {
                    field: "input".into(),
                    rule: "workflow",
                    message: msg(),
                }]
            } else {
                fields
            })
        }
    }
}

/// The OPD a case is routed to, for a workflow with an `opd` field: `Some(code)` once set,
/// `Some(None)` before; `None` for a workflow without one, where grants hold as everywhere.
fn case_opd(
    def: &mufakat_workflow::Definition,
    fields: &serde_json::Map<String, Value>,
) -> Option<Option<String>> {
    let mut opd_fields = def
        .fields
        .iter()
        .filter(|(_, f)| f.ty == mufakat_workflow::FieldType::Opd)
        .map(|(n, _)| n)
        .peekable();
    opd_fields.peek()?;
    Some(opd_fields.find_map(|n| {
        fields
            .get(n)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    }))
}

/// [`case_opd`] of a stored case (its fields are read only for a workflow with an `opd` field).
fn stored_opd(def: &mufakat_workflow::Definition, m: &wi::Model) -> Option<Option<String>> {
    if !def
        .fields
        .values()
        .any(|f| f.ty == mufakat_workflow::FieldType::Opd)
    {
        return None;
    }
    let fields: serde_json::Map<String, Value> = serde_json::from_str(&m.fields).ok()?;
    case_opd(def, &fields)
}

async fn actor_for(
    state: &AppState,
    acting: &Acting<'_>,
    region_id: i32,
    routed: Option<Option<String>>,
) -> Actor {
    match acting {
        Acting::System => Actor {
            id: "system".into(),
            roles: BTreeSet::from(["system".to_string()]),
            is_system: true,
        },
        Acting::User(u) | Acting::Pseudonymous(u, _) => {
            let path = state.region_path(region_id).await;
            let roles = match &routed {
                Some(opd) => state.authz.roles_for_opd(u, &path, opd.as_deref()),
                None => state.authz.roles_in(u, &path),
            };
            Actor {
                id: u.id.to_string(),
                roles,
                is_system: false,
            }
        }
    }
}

fn acting_role(d: &Deployed, transition: &str, actor: &Actor, owner: bool) -> String {
    if actor.is_system {
        return "system".into();
    }
    let allowed: BTreeSet<String> = d.def.transition_roles(transition).into_iter().collect();
    actor
        .roles
        .iter()
        .find(|r| allowed.contains(*r))
        .cloned()
        .or_else(|| (owner && allowed.contains("owner")).then(|| "owner".to_string()))
        .unwrap_or_else(|| actor.roles.iter().next().cloned().unwrap_or_default())
}

fn snapshot(m: &wi::Model, fields: &BTreeMap<String, Value>) -> InstanceSnapshot {
    InstanceSnapshot {
        id: m.id.to_string(),
        state: m.state.clone(),
        fields: fields.clone(),
        created_by: m.created_by.map(|c| c.to_string()),
        state_entered_at: m.state_entered_at,
    }
}

/// Whether `user` may read this case: its creator, or anyone holding a role the workflow names
/// (or an auditor) in the case's region or above — fewer for a module's cases that say so
/// ([`crate::state::CaseReads`]).
/// An OPD's staff read a case of a workflow with an `opd` field only once it is routed to their
/// OPD.
pub async fn can_read(state: &AppState, user: &CurrentUser, d: &Deployed, m: &wi::Model) -> bool {
    if m.created_by == Some(user.id) {
        return true;
    }
    let path = state.region_path(m.region_id).await;
    let roles = match stored_opd(&d.def, m) {
        Some(opd) => state.authz.roles_for_opd(user, &path, opd.as_deref()),
        None => state.authz.roles_in(user, &path),
    };
    use crate::state::CaseReads;
    let reads = owned(state, &d.def.name).map_or(CaseReads::ByRole, |w| w.reads);
    roles.iter().any(|r| {
        r == "admin"
            || (r == "auditor" && reads != CaseReads::ModuleOnly)
            || (reads == CaseReads::ByRole && r != "resident" && d.def.roles.iter().any(|x| x == r))
    })
}

/// Workflows whose cases belong to a module with rows of its own (registered by the module,
/// [`crate::state::OwnedWorkflow`]): the generic `startCase` / `fireTransition` may not touch
/// them, so that the module's API keeps its rows in step.
fn owned<'s>(state: &'s AppState, workflow: &str) -> Option<&'s crate::state::OwnedWorkflow> {
    state.owned_workflows.iter().find(|w| w.name == workflow)
}

fn module_owned(w: &crate::state::OwnedWorkflow) -> AppError {
    let (workflow, api) = (w.name, w.api);
    AppError::Validation(vec![mufakat_core::FieldError::new(
        "workflow",
        "module",
        format!("Proses `{workflow}` dijalankan melalui menu modulnya (mis. {api}), bukan secara umum."),
        format!("`{workflow}` cases are run through their module's API (e.g. {api}), not the generic one."),
    )])
}

pub fn deployed_latest(state: &AppState, workflow: &str) -> AppResult<Arc<Deployed>> {
    state
        .workflows
        .latest(workflow)
        .ok_or(AppError::NotFound { entity: "workflow" })
}

fn stale() -> AppError {
    AppError::conflict(
        "Data ini baru saja diubah orang lain. Muat ulang lalu coba lagi.",
        "Someone else changed this just now. Reload and try again.",
    )
}

/// Checks what the engine cannot: every `region` field a request gives must name a region that
/// exists, and every `opd` field an OPD that serves the case's region (`region_id`; given as its
/// code or name, stored as its code: the returned input). `VALIDATION` naming the field
/// otherwise.
pub(crate) async fn check_master_fields(
    state: &AppState,
    def: &mufakat_workflow::Definition,
    region_id: i32,
    mut input: serde_json::Map<String, Value>,
) -> AppResult<serde_json::Map<String, Value>> {
    check_region_fields(state, def, &input).await?;
    let is_opd = |name: &str| {
        def.fields
            .get(name)
            .into_iter()
            .chain(def.transitions.iter().filter_map(|t| t.input.get(name)))
            .any(|f| f.ty == mufakat_workflow::FieldType::Opd)
    };
    let mut errors = vec![];
    for (name, v) in input.iter_mut() {
        let Some(text) = v.as_str().filter(|s| !s.trim().is_empty() && is_opd(name)) else {
            continue;
        };
        match crate::services::opds::check_code(state, &state.db, region_id, name, text).await {
            Ok(code) => *v = Value::String(code),
            Err(AppError::Validation(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Every `region` field a request gives must name a region that exists: the engine knows only
/// that it is text, the kernel knows the regions. `VALIDATION` naming the field otherwise.
async fn check_region_fields(
    state: &AppState,
    def: &mufakat_workflow::Definition,
    input: &serde_json::Map<String, Value>,
) -> AppResult<()> {
    let is_region = |name: &str| {
        def.fields
            .get(name)
            .into_iter()
            .chain(def.transitions.iter().filter_map(|t| t.input.get(name)))
            .any(|f| f.ty == mufakat_workflow::FieldType::Region)
    };
    let regions = state.regions.read().await;
    let errors: Vec<mufakat_core::FieldError> = input
        .iter()
        .filter(|(name, v)| !v.is_null() && is_region(name))
        .filter(|(_, v)| {
            let id = match v {
                Value::String(s) => s.trim().parse::<i32>().ok(),
                Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
                _ => None,
            };
            // An empty text is "not given", as the engine reads it.
            let blank = v.as_str().is_some_and(|s| s.trim().is_empty());
            !blank && !id.is_some_and(|id| regions.get(id).is_some())
        })
        .map(|(name, _)| {
            mufakat_core::FieldError::new(
                name.clone(),
                "unknown",
                "Wilayah tidak dikenal.",
                "Unknown region.",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}
