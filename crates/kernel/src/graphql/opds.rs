//! A region's OPDs: read them (anyone; every form that names an OPD offers them) and keep the
//! list (admins).

use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::{DateTime, Utc};
use mufakat_store::entity::opd;

use super::{parse_id, require_user, state, types::Region};
use crate::services::opds as svc;

/// An OPD (organisasi perangkat daerah): a dinas, badan or kantor of a kota, kabupaten or
/// province. What names an OPD stores its `code`.
pub struct Opd(pub opd::Model);

#[Object]
impl Opd {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Short and stable, e.g. `DPUPR`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The kota, kabupaten or province it belongs to.
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    /// False once retired: it keeps what names it but takes nothing new.
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(Default)]
pub struct OpdQuery;

#[Object]
impl OpdQuery {
    /// The OPDs that serve a region: its own and those of the regions above it (a kelurahan is
    /// served by its kota's OPDs), by code, retired ones included. Public.
    async fn opds(&self, ctx: &Context<'_>, region_id: ID) -> Result<Vec<Opd>> {
        let st = state(ctx);
        let path = st
            .known_region_path(parse_id("regionId", &region_id)?)
            .await?;
        Ok(svc::serving(&st.db, &path)
            .await?
            .into_iter()
            .map(Opd)
            .collect())
    }
}

#[derive(InputObject)]
pub struct CreateOpdInput {
    /// A kota, kabupaten or province.
    pub region_id: ID,
    /// 2 to 20 capital letters, digits, dots or hyphens, e.g. `DPUPR`; unique in the region.
    pub code: String,
    pub name: String,
}

#[derive(Default)]
pub struct OpdMutation;

#[Object]
impl OpdMutation {
    /// Admins: adds an OPD to a region's list. Audited.
    async fn create_opd(&self, ctx: &Context<'_>, input: CreateOpdInput) -> Result<Opd> {
        let user = require_user(ctx)?;
        let region = parse_id("regionId", &input.region_id)?;
        Ok(Opd(svc::create(
            state(ctx),
            Some(user),
            region,
            &input.code,
            &input.name,
        )
        .await?))
    }

    /// Admins: renames an OPD, or retires it (`active: false`) or brings it back. Its code never
    /// changes. Audited.
    async fn update_opd(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        active: Option<bool>,
    ) -> Result<Opd> {
        let user = require_user(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(Opd(svc::update(
            state(ctx),
            user,
            id,
            name.as_deref(),
            active,
        )
        .await?))
    }
}
