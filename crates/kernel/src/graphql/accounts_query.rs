use async_graphql::{Context, Object, Result, ID};

use super::types::{Region, RegionLevelGql, User};
use super::{parse_id, require_user, state};
use crate::services::accounts;

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user with roles and regions.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let user = require_user(ctx)?;
        Ok(User(accounts::me(state(ctx), user).await?))
    }

    /// Regions, public. Without arguments: the top-level regions.
    async fn regions(
        &self,
        ctx: &Context<'_>,
        parent_id: Option<ID>,
        level: Option<RegionLevelGql>,
    ) -> Result<Vec<Region>> {
        let tree = state(ctx).regions.read().await;
        let parent = parent_id
            .as_ref()
            .map(|p| parse_id("parentId", p))
            .transpose()?;
        let mut out: Vec<Region> = match (parent, level) {
            (Some(p), _) => tree.children(p).cloned().map(Region).collect(),
            (None, Some(l)) => {
                let l = l.into();
                tree.all()
                    .filter(|r| r.level == l)
                    .cloned()
                    .map(Region)
                    .collect()
            }
            (None, None) => tree.roots().cloned().map(Region).collect(),
        };
        out.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        Ok(out)
    }

    async fn region(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Region>> {
        let id = parse_id("id", &id)?;
        Ok(state(ctx).regions.read().await.get(id).cloned().map(Region))
    }

    /// Residents registered in a region or below it (staff of that region). Never shows NIKs.
    async fn residents(&self, ctx: &Context<'_>, region_id: ID) -> Result<Vec<User>> {
        let user = require_user(ctx)?;
        let region = parse_id("regionId", &region_id)?;
        Ok(accounts::list_residents(state(ctx), user, region)
            .await?
            .into_iter()
            .map(User)
            .collect())
    }
}
