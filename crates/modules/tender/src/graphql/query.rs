//! Procurement II's queries. Procedures, their clarification, objections and contracts are
//! public (as in SPSE and Prozorro); what a bid says is shown only after the opening.

use async_graphql::{Context, Object, Result, ID};
use mufakat_kernel::graphql::{parse_id, state};

use super::types::*;
use crate::service::{contracts, flags, get_procedure, procedures};

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

    /// Red flags of the competitive procedures (Cardinal's indicators over OCDS compiled
    /// releases; docs/procurement.md), for those who read procurement's red flags: `source`
    /// `live` (from the rows now) or `export` (from the published releases); both agree.
    async fn procurement_red_flags(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "String::from(\"live\")")] source: String,
    ) -> Result<Vec<RedFlag>> {
        let user = mufakat_kernel::graphql::require_user(ctx)?;
        let source = match source.as_str() {
            "live" => flags::Source::Live,
            "export" => flags::Source::Export,
            _ => {
                return Err(mufakat_core::AppError::validation(
                    "source",
                    "enum",
                    "Sumber: live atau export.",
                    "Source: live or export.",
                )
                .into())
            }
        };
        Ok(flags::for_reader(state(ctx), user, source)
            .await?
            .into_iter()
            .map(RedFlag)
            .collect())
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
