//! Monev's queries. The activities, their verified reports, the dashboard and S-curves are
//! public; flags need `monev_flag/read` over the region.

use async_graphql::{Context, InputObject, Object, Result, ID};
use mufakat_kernel::graphql::{page_size, parse_id, req, require_user, state};
use mufakat_monev::Period;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::types::*;
use crate::service::{self as svc, activities, dashboard, flags};

/// Which activities a figure covers; every part optional.
#[derive(InputObject, Default)]
pub struct MonevFilter {
    /// The region and what lies below it.
    pub region_id: Option<ID>,
    pub year: Option<i32>,
    pub opd: Option<String>,
    pub category: Option<String>,
    pub funding_source: Option<String>,
    pub cycle_id: Option<ID>,
    pub activity_id: Option<ID>,
}

impl MonevFilter {
    fn parse(self) -> Result<dashboard::Filter> {
        let id = |f: &str, v: Option<ID>| -> Result<Option<i32>> {
            Ok(match v {
                Some(v) => Some(parse_id(f, &v)?),
                None => None,
            })
        };
        Ok(dashboard::Filter {
            region_id: id("regionId", self.region_id)?,
            year: self.year,
            opd: self.opd,
            category: self.category,
            funding_source: self.funding_source,
            cycle_id: id("cycleId", self.cycle_id)?,
            activity_id: id("activityId", self.activity_id)?,
        })
    }
}

fn period(field: &str, v: Option<String>) -> Result<Option<Period>> {
    Ok(match v {
        Some(s) => Some(s.parse::<Period>().map_err(|_| {
            mufakat_core::AppError::validation(
                field,
                "period",
                format!("\"{s}\" bukan bulan (TTTT-BB)."),
                format!("\"{s}\" is not a month (YYYY-MM)."),
            )
        })?),
        None => None,
    })
}

#[derive(Default)]
pub struct MonevQuery;

#[Object]
impl MonevQuery {
    /// Activities followed by monev (public), newest first.
    #[allow(clippy::too_many_arguments)]
    async fn monev_activities(
        &self,
        ctx: &Context<'_>,
        region_id: Option<ID>,
        year: Option<i32>,
        opd: Option<String>,
        status: Option<String>,
        #[graphql(default = 50)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> Result<Vec<MonevActivity>> {
        let limit = page_size("first", first, 200)?;
        let f = activities::Filter {
            region_id: match region_id {
                Some(r) => Some(parse_id("regionId", &r)?),
                None => None,
            },
            year,
            opd,
            status,
        };
        Ok(
            activities::list(state(ctx), &f, offset.max(0) as u64, limit)
                .await?
                .into_iter()
                .map(MonevActivity)
                .collect(),
        )
    }

    async fn monev_activity(&self, ctx: &Context<'_>, id: ID) -> Result<MonevActivity> {
        Ok(MonevActivity(
            svc::get_activity(&state(ctx).db, parse_id("id", &id)?).await?,
        ))
    }

    /// What became of a resident's proposal once funded: its activity's progress and photos
    /// (the golden thread, from the vote to the finished work).
    async fn monev_activity_of_proposal(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
    ) -> Result<Option<MonevActivity>> {
        let pid = parse_id("proposalId", &proposal_id)?;
        Ok(crate::entity::activity::Entity::find()
            .filter(crate::entity::activity::Column::ProposalId.eq(pid))
            .one(&state(ctx).db)
            .await
            .db()?
            .map(MonevActivity))
    }

    /// A report: verified ones for everyone, the others for who reads internal data.
    async fn monev_report(&self, ctx: &Context<'_>, id: ID) -> Result<MonevReport> {
        let st = state(ctx);
        let r = svc::get_report(&st.db, parse_id("id", &id)?).await?;
        let a = svc::get_activity(&st.db, r.activity_id).await?;
        if r.status != "verified" && !svc::reads_internal(st, req(ctx).user.as_ref(), &a).await? {
            return Err(mufakat_core::AppError::NotFound { entity: "report" }.into());
        }
        Ok(MonevReport(r))
    }

    /// The situation room (public): figures per group at the end of `asOf` (a month, default the last
    /// that has ended), with the reports due by now.
    async fn monev_dashboard(
        &self,
        ctx: &Context<'_>,
        group_by: MonevGroupBy,
        #[graphql(default)] filter: MonevFilter,
        as_of: Option<String>,
    ) -> Result<Vec<MonevDashboardRow>> {
        let st = state(ctx);
        let rows = dashboard::aggregate(
            st,
            &filter.parse()?,
            group_by.into(),
            period("asOf", as_of)?,
        )
        .await?;
        let tree = st.regions.read().await;
        Ok(rows
            .into_iter()
            .map(|r| {
                let title = match group_by {
                    MonevGroupBy::Region => r
                        .group
                        .parse::<i32>()
                        .ok()
                        .and_then(|id| tree.get(id))
                        .map(|n| n.name.clone())
                        .unwrap_or_else(|| r.group.clone()),
                    _ => r.group.clone(),
                };
                MonevDashboardRow::new(r, title)
            })
            .collect())
    }

    /// The S-curve (public) of the activities the filter selects: physical progress weighted
    /// by pagu, money summed, per month.
    async fn monev_s_curve(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: MonevFilter,
    ) -> Result<Vec<MonevCurvePoint>> {
        Ok(dashboard::curve(state(ctx), &filter.parse()?)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Deviation flags within a region (or of one activity), newest first: for the OPD, budget
    /// holders, Bappeda and auditors.
    #[allow(clippy::too_many_arguments)]
    async fn monev_flags(
        &self,
        ctx: &Context<'_>,
        region_id: Option<ID>,
        activity_id: Option<ID>,
        kind: Option<String>,
        #[graphql(default)] open_only: bool,
        #[graphql(default = 50)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> Result<Vec<MonevFlag>> {
        let user = require_user(ctx)?;
        let limit = page_size("first", first, 200)?;
        let f = flags::Filter {
            region_id: match region_id {
                Some(r) => Some(parse_id("regionId", &r)?),
                None => None,
            },
            activity_id: match activity_id {
                Some(r) => Some(parse_id("activityId", &r)?),
                None => None,
            },
            kind,
            open_only,
        };
        Ok(
            flags::list(state(ctx), user, &f, offset.max(0) as u64, limit)
                .await?
                .into_iter()
                .map(MonevFlag)
                .collect(),
        )
    }
}
