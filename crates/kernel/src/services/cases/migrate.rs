//! Migrating running cases to a newer version of their workflow: a dry run lists which cases
//! can move and why the others cannot; applying it moves each case in a transaction of its own,
//! with one audit event (`migrate`, from the old version's state to the new one's), its fields
//! checked against the new version and its timers armed by the new definition.

use std::collections::BTreeMap;
use std::sync::Arc;

use mufakat_core::{AppError, AppResult, Lang};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::DbResultExt;
use mufakat_workflow::MigrationPlan;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

use super::timers::arm_timers;
use super::{snapshot, CaseView};
use crate::audit_log::{self, AuditDraft};
use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::workflows::Deployed;
use crate::AppState;

/// One running case in a migration: where it would go, or why it cannot.
pub struct CaseMigration {
    pub case_id: i32,
    pub from_version: i32,
    pub from_state: String,
    pub to_state: Option<String>,
    /// Why it cannot move (Indonesian, English); `None` when it can (or did).
    pub problem: Option<(String, String)>,
    /// Moved by this run (false on a dry run).
    pub migrated: bool,
}

impl CaseMigration {
    pub fn problem(&self, lang: Lang) -> Option<&str> {
        self.problem.as_ref().map(|(id, en)| {
            if lang == Lang::En {
                en.as_str()
            } else {
                id.as_str()
            }
        })
    }
}

fn target(state: &AppState, workflow: &str, version: Option<i32>) -> AppResult<Arc<Deployed>> {
    let found = match version {
        None => state.workflows.latest(workflow),
        Some(v) => state
            .workflows
            .all()
            .into_iter()
            .find(|d| d.def.name == workflow && d.version == v),
    };
    found.ok_or_else(|| {
        AppError::validation(
            "toVersion",
            "unknown",
            "Versi alur kerja itu tidak ada.",
            "That version of the workflow does not exist.",
        )
    })
}

/// Plans (and with `apply`, performs) the move of every running case of `workflow` on an older
/// version to `to_version` (the newest by default). `actor = None` is the operator (CLI).
pub async fn migrate(
    state: &AppState,
    actor: Option<&CurrentUser>,
    workflow: &str,
    to_version: Option<i32>,
    plan: MigrationPlan,
    apply: bool,
) -> AppResult<Vec<CaseMigration>> {
    if let Some(u) = actor {
        let roots: Vec<i32> = state.regions.read().await.roots().map(|r| r.id).collect();
        state.authz.require(u, &roots, perms::WORKFLOW_MIGRATE)?;
    }
    let to = target(state, workflow, to_version)?;
    mufakat_workflow::check_plan(&to.def, &plan)
        .map_err(|(id, en)| AppError::validation("plan", "invalid", id, en))?;
    // A module's rows mirror its cases' states: such a workflow may move to a new version, but
    // not rename a state under the module.
    if state.owned_workflows.iter().any(|w| w.name == workflow)
        && plan.states.iter().any(|(from, to)| from != to)
    {
        return Err(AppError::validation(
            "stateMap",
            "owned",
            "Alur kerja milik modul tidak dapat mengganti nama status kasusnya.",
            "A module's workflow cannot rename its cases' states.",
        ));
    }
    let rows = wi::Entity::find()
        .filter(wi::Column::Workflow.eq(workflow))
        .filter(wi::Column::IsFinal.eq(false))
        .filter(wi::Column::DefinitionId.ne(to.id))
        .order_by_asc(wi::Column::Id)
        .all(&state.db)
        .await
        .db()?;
    let mut out = vec![];
    for m in rows {
        let Some(from) = state.workflows.get(m.definition_id) else {
            continue;
        };
        if from.version > to.version {
            continue; // never backwards
        }
        let fields: BTreeMap<String, Value> =
            serde_json::from_str(&m.fields).map_err(AppError::internal)?;
        let now = state.now();
        let region = state.region_codes(m.region_id).await;
        let when = mufakat_workflow::When {
            now,
            calendar: &state.calendar,
            region: &region,
        };
        let mut entry = CaseMigration {
            case_id: m.id,
            from_version: from.version,
            from_state: m.state.clone(),
            to_state: None,
            problem: None,
            migrated: false,
        };
        match mufakat_workflow::migrate(&to.def, &snapshot(&m, &fields), &plan, &when) {
            Err(p) => entry.problem = Some(p),
            Ok(outcome) => {
                entry.to_state = Some(outcome.to.clone());
                if apply {
                    write(state, actor, &m, &from, &to, &outcome).await?;
                    entry.migrated = true;
                }
            }
        }
        out.push(entry);
    }
    Ok(out)
}

async fn write(
    state: &AppState,
    actor: Option<&CurrentUser>,
    m: &wi::Model,
    from: &Deployed,
    to: &Deployed,
    outcome: &mufakat_workflow::Outcome,
) -> AppResult<CaseView> {
    let (txn, mut chain) = audit_log::open(state, state.now()).await?;
    let now = chain.now;
    let fields = serde_json::to_string(&outcome.fields).map_err(AppError::internal)?;
    let moved = outcome.to != m.state;
    let mut upd = wi::Entity::update_many()
        .col_expr(wi::Column::DefinitionId, Expr::value(to.id))
        .col_expr(wi::Column::State, Expr::value(outcome.to.clone()))
        .col_expr(wi::Column::Fields, Expr::value(fields))
        .col_expr(wi::Column::UpdatedAt, Expr::value(now))
        .col_expr(wi::Column::IsFinal, Expr::value(outcome.is_final))
        .col_expr(wi::Column::Version, Expr::value(m.version + 1))
        .filter(wi::Column::Id.eq(m.id))
        .filter(wi::Column::Version.eq(m.version));
    if moved {
        upd = upd.col_expr(wi::Column::StateEnteredAt, Expr::value(now));
    }
    if upd.exec(&txn).await.db()?.rows_affected == 0 {
        return Err(AppError::conflict(
            "Kasus berubah saat dimigrasi; jalankan lagi.",
            "The case changed while it was being migrated; run the migration again.",
        ));
    }
    // The old definition's timers go; the new one's are armed from now.
    wt::Entity::update_many()
        .col_expr(wt::Column::FiredAt, Expr::value(now))
        .filter(wt::Column::InstanceId.eq(m.id))
        .filter(wt::Column::FiredAt.is_null())
        .exec(&txn)
        .await
        .db()?;
    arm_timers(&txn, m.id, outcome).await?;
    let (who, role) = match actor {
        Some(u) => (u.id.to_string(), "admin".to_owned()),
        None => ("operator".to_owned(), "operator".to_owned()),
    };
    chain
        .append(
            &txn,
            AuditDraft {
                actor: who,
                role,
                workflow: m.workflow.clone(),
                workflow_version: to.version.to_string(),
                instance_id: m.id.to_string(),
                transition: "migrate".into(),
                from_state: m.state.clone(),
                to_state: outcome.to.clone(),
                input: json!({ "fromVersion": from.version, "toVersion": to.version, "defaults": outcome.changed_fields }),
                comment: None,
            },
        )
        .await?;
    audit_log::commit(txn, chain).await?;
    let after = wi::Entity::find_by_id(m.id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "instance" })?;
    super::view(after, to)
}
