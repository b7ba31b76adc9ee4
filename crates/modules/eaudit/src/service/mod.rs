//! e-Audit's use cases, one file each: `assignments` (surat tugas, team, the `auditor` grants
//! an active assignment makes), `trail` (browsing, exporting and verifying the audit trail
//! within an assignment), `findings` (temuan with evidence and recommendations), `followups`
//! (the OPD's answers, the auditor's ratings, escalation past the deadline) and `reports` (the
//! LHP, the follow-up matrix and the public figures). What they share is here.

pub mod assignments;
pub mod findings;
pub mod followups;
pub mod reports;
pub mod trail;
pub mod triage;

use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::{assignment, team};

pub const ASSIGNMENT_WORKFLOW: &str = "eaudit-penugasan";
pub const FINDING_WORKFLOW: &str = "eaudit-temuan";
pub const RECOMMENDATION_WORKFLOW: &str = "eaudit-rekomendasi";

/// Assignment states in which its team works (and holds the `auditor` role).
pub const WORKING: [&str; 2] = ["active", "reporting"];

pub async fn get_assignment(db: &impl ConnectionTrait, id: i32) -> AppResult<assignment::Model> {
    assignment::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "assignment",
        })
}

pub async fn team_of(db: &impl ConnectionTrait, assignment_id: i32) -> AppResult<Vec<team::Model>> {
    team::Entity::find()
        .filter(team::Column::AssignmentId.eq(assignment_id))
        .all(db)
        .await
        .db()
}

/// Whether `user` heads the inspectorate over region `region_id` (holds `inspector` there).
pub async fn is_inspector(state: &AppState, user: &CurrentUser, region_id: i32) -> bool {
    let path = state.region_path(region_id).await;
    user.grants
        .iter()
        .any(|(r, g)| *r == mufakat_core::Role::Inspector && path.contains(g))
}

/// How `user` takes part in assignment `a`: as its lead, as a member, as the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lead,
    Member,
    Inspector,
}

/// `user`'s part in `a`, if any.
pub async fn part(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
) -> AppResult<Option<Part>> {
    let t = team::Entity::find()
        .filter(team::Column::AssignmentId.eq(a.id))
        .filter(team::Column::UserId.eq(user.id))
        .one(&state.db)
        .await
        .db()?;
    Ok(match t {
        Some(t) if t.is_lead => Some(Part::Lead),
        Some(_) => Some(Part::Member),
        None if is_inspector(state, user, a.region_id).await => Some(Part::Inspector),
        None => None,
    })
}

/// `FORBIDDEN` unless `user` works on `a` now (it is active or reporting), as a member (or,
/// with `lead`, as its lead) or as the inspector.
pub async fn require_working(
    state: &AppState,
    user: &CurrentUser,
    a: &assignment::Model,
    lead: bool,
) -> AppResult<Part> {
    let p = part(state, user, a).await?.ok_or(AppError::Forbidden)?;
    if !WORKING.contains(&a.status.as_str()) {
        return Err(AppError::Forbidden);
    }
    if lead && p == Part::Member {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

/// A JSON array of texts, as stored.
pub fn texts(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}
