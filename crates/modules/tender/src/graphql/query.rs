//! Procurement II's queries. Procedures, their clarification, objections and contracts are
//! public (as in SPSE and Prozorro); what a bid says is shown only after the opening.

use async_graphql::{Context, Object, Result, ID};
use mufakat_kernel::graphql::{parse_id, state};

use super::types::*;
use crate::service::{contracts, get_procedure, procedures};

#[derive(Default)]
pub struct TenderQuery;

#[Object]
impl TenderQuery {
    /// Mini-competitions and tenders, newest first (at most 200): of a package, or in a status.
    async fn procedures(
        &self,
        ctx: &Context<'_>,
        package_id: Option<ID>,
        status: Option<String>,
    ) -> Result<Vec<Procedure>> {
        let package = match package_id {
            Some(p) => Some(parse_id("packageId", &p)?),
            None => None,
        };
        Ok(procedures::list(&state(ctx).db, package, status.as_deref())
            .await?
            .into_iter()
            .map(Procedure)
            .collect())
    }

    async fn procedure(&self, ctx: &Context<'_>, id: ID) -> Result<Procedure> {
        Ok(Procedure(
            get_procedure(&state(ctx).db, parse_id("id", &id)?).await?,
        ))
    }

    async fn contract(&self, ctx: &Context<'_>, id: ID) -> Result<Contract> {
        Ok(Contract(
            contracts::get(&state(ctx).db, parse_id("id", &id)?).await?,
        ))
    }

    /// A package's contracts (from its competitive procedures), oldest first.
    async fn package_contracts(&self, ctx: &Context<'_>, package_id: ID) -> Result<Vec<Contract>> {
        Ok(
            contracts::of_package(&state(ctx).db, parse_id("packageId", &package_id)?)
                .await?
                .into_iter()
                .map(Contract)
                .collect(),
        )
    }
}
