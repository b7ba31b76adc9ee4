//! Reading cases: one case, the transitions a user may fire now, a user's list of cases, and
//! cases by id for modules and batches.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::{actor_for, can_read, snapshot, view, Acting, CaseView};
use crate::auth::CurrentUser;
use crate::workflows::Deployed;
use crate::AppState;

/// The cases with these ids, by id.
pub async fn cases_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> AppResult<std::collections::HashMap<i32, wi::Model>> {
    Ok(wi::Entity::find()
        .filter(wi::Column::Id.is_in(ids))
        .all(db)
        .await
        .db()?
        .into_iter()
        .map(|i| (i.id, i))
        .collect())
}

pub async fn get(state: &AppState, user: &CurrentUser, id: i32) -> AppResult<CaseView> {
    let (m, d) = readable(state, user, id).await?;
    view(m, &d)
}

/// A case and its definition, when `user` may read it (`NOT_FOUND` otherwise, as for a case
/// that does not exist).
async fn readable(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<(wi::Model, Arc<Deployed>)> {
    let m = wi::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "instance" })?;
    let d = state.workflows.get(m.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("definition {} not loaded", m.definition_id))
    })?;
    if !can_read(state, user, &d, &m).await {
        return Err(AppError::NotFound { entity: "instance" });
    }
    Ok((m, d))
}

/// The transitions `user` may fire now (role and state; guards that need input are checked on
/// firing).
pub async fn available(
    state: &AppState,
    user: &CurrentUser,
    id: i32,
) -> AppResult<Vec<mufakat_workflow::Transition>> {
    let (m, d) = readable(state, user, id).await?;
    let fields: BTreeMap<String, Value> =
        serde_json::from_str(&m.fields).map_err(AppError::internal)?;
    let actor = actor_for(
        state,
        &Acting::User(user),
        m.region_id,
        super::stored_opd(&d.def, &m),
    )
    .await;
    Ok(
        mufakat_workflow::available_at(&d.def, &snapshot(&m, &fields), &actor, state.now())
            .into_iter()
            .cloned()
            .collect(),
    )
}

/// Cases of a workflow the user created or may handle, newest first.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    workflow: Option<&str>,
    status: Option<&str>,
    limit: u64,
) -> AppResult<Vec<CaseView>> {
    let mut q = wi::Entity::find().order_by_desc(wi::Column::Id);
    if let Some(w) = workflow {
        q = q.filter(wi::Column::Workflow.eq(w));
    }
    if let Some(s) = status {
        q = q.filter(wi::Column::State.eq(s));
    }
    // Narrow to the regions where the user holds any role, plus their own cases.
    let mut regions = BTreeSet::new();
    {
        let tree = state.regions.read().await;
        for (_, r) in &user.grants {
            regions.extend(tree.descendants_inclusive(*r));
        }
    }
    q = q.filter(
        sea_orm::Condition::any()
            .add(wi::Column::CreatedBy.eq(user.id))
            .add(wi::Column::RegionId.is_in(regions.into_iter().collect::<Vec<_>>())),
    );
    let rows = q.limit(limit.min(200) * 4).all(&state.db).await.db()?;
    let mut out = vec![];
    for m in rows {
        let Some(d) = state.workflows.get(m.definition_id) else {
            continue;
        };
        if can_read(state, user, &d, &m).await {
            out.push(view(m, &d)?);
            if out.len() as u64 >= limit.min(200) {
                break;
            }
        }
    }
    Ok(out)
}
