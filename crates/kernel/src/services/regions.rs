use mufakat_core::{AppError, AppResult, RegionLevel, RegionNode};
use mufakat_store::repo::regions::{self, NewRegion};

use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::AppState;

pub struct CreateRegion {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent_id: Option<i32>,
}

/// Creates a region. An admin of the parent region (or of a root, for a new root) may do it;
/// `actor = None` is the CLI/seed running with operator rights.
pub async fn create(
    state: &AppState,
    actor: Option<&CurrentUser>,
    input: CreateRegion,
) -> AppResult<RegionNode> {
    if let Some(user) = actor {
        let path = match input.parent_id {
            Some(p) => {
                let path = state.region_path(p).await;
                if path.is_empty() {
                    return Err(AppError::NotFound { entity: "region" });
                }
                path
            }
            // A new top-level region: only an admin of some existing root may add one.
            None => state.regions.read().await.roots().map(|r| r.id).collect(),
        };
        state.authz.require(user, &path, perms::REGION_CREATE)?;
    }
    let code = input.code.trim();
    if code.is_empty() || code.len() > 32 {
        return Err(AppError::validation(
            "code",
            "format",
            "Kode wilayah wajib diisi (paling banyak 32 karakter).",
            "The region code is required (at most 32 characters).",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.len() > 120 {
        return Err(AppError::validation(
            "name",
            "format",
            "Nama wilayah wajib diisi (paling banyak 120 karakter).",
            "The region name is required (at most 120 characters).",
        ));
    }

    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
    let m = regions::create(
        &txn,
        NewRegion {
            code,
            name,
            level: input.level,
            parent_id: input.parent_id,
        },
    )
    .await?;
    chain
        .append(
            &txn,
            crate::audit_log::AuditDraft {
                actor: actor.map(|a| a.id.to_string()).unwrap_or_else(|| "operator".into()),
                role: actor.and_then(|a| a.grants.first().map(|(r, _)| r.as_str().to_owned())).unwrap_or_else(|| "operator".into()),
                workflow: "system.regions".into(),
                workflow_version: "1".into(),
                instance_id: format!("region-{}", m.id),
                transition: "create".into(),
                from_state: String::new(),
                to_state: "active".into(),
                input: serde_json::json!({ "code": m.code, "name": m.name, "level": input.level.as_str(), "parent": m.parent_id.map(|p| p.to_string()) }),
                comment: None,
            },
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    state.reload_regions().await?;
    Ok(RegionNode {
        id: m.id,
        code: m.code,
        name: m.name,
        level: input.level,
        parent_id: m.parent_id,
    })
}
