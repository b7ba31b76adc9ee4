//! Public registers and the service-level report (declared by workflow files). Public.

use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::{parse_id, state};
use crate::services::cases::publication as svc;

/// One case in a public register: what was asked and what became of it, never who asked.
#[derive(SimpleObject)]
pub struct RegisterEntry {
    /// The case number.
    pub number: i32,
    pub received_at: DateTime<Utc>,
    pub state: String,
    pub state_title: String,
    /// When it reached its current state.
    pub state_since: DateTime<Utc>,
    pub is_final: bool,
    /// The region's name.
    pub region: String,
    /// Only the fields the workflow file's `[register]` lists.
    pub fields: Json<serde_json::Map<String, serde_json::Value>>,
}

#[derive(SimpleObject)]
pub struct RegisterPage {
    pub entries: Vec<RegisterEntry>,
    /// Older entries follow: ask again with `before` set to the last entry's number.
    pub has_more: bool,
}

/// A workflow's cases served by one unit (OPD), received in the report's period.
#[derive(SimpleObject)]
pub struct ServiceLevelRow {
    pub workflow: String,
    pub workflow_title: String,
    /// The unit (OPD) that serves them; null for cases not yet given to one.
    pub unit: Option<String>,
    pub received: i32,
    /// Served (answered, resolved, decided) by now.
    pub served: i32,
    /// Served without missing a service level.
    pub on_time: i32,
    /// Missed a service level: escalated, served after the deadline, or unserved past it.
    pub late: i32,
    /// Not served yet.
    pub open: i32,
    /// Median working days from receipt to service (of the served ones).
    pub median_working_days: Option<Decimal>,
}

#[derive(Default)]
pub struct PublicationQuery;

#[Object]
impl PublicationQuery {
    /// The public register of a service's cases and their outcomes, newest first, names
    /// withheld (e.g. `ppid-permohonan`, UU 14/2008): only what its workflow file's
    /// `[register]` lists. `NOT_FOUND` for a workflow without one.
    async fn public_register(
        &self,
        ctx: &Context<'_>,
        workflow: String,
        region_id: Option<ID>,
        #[graphql(default = 50)] first: i32,
        before: Option<i32>,
    ) -> Result<RegisterPage> {
        let region = region_id.map(|r| parse_id("regionId", &r)).transpose()?;
        let first = super::page_size("first", first, 100)?;
        let page = svc::register(state(ctx), &workflow, region, first, before).await?;
        Ok(RegisterPage {
            has_more: page.has_more,
            entries: page
                .entries
                .into_iter()
                .map(|e| RegisterEntry {
                    number: e.number,
                    received_at: e.received_at,
                    state: e.state,
                    state_title: e.state_title,
                    state_since: e.state_since,
                    is_final: e.is_final,
                    region: e.region,
                    fields: Json(e.fields),
                })
                .collect(),
        })
    }

    /// The service-level report: for each public service (workflow files with a
    /// `[service_level]`) and unit (OPD), the cases received from `from` to `to` (inclusive),
    /// how many were served, on time, late and still open, and the median working days to
    /// service. In `regionId` and below (everywhere by default). The PDF is
    /// `GET /reports/service-levels?from=&to=&regionId=`.
    async fn service_level_report(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
        region_id: Option<ID>,
    ) -> Result<Vec<ServiceLevelRow>> {
        let region = region_id.map(|r| parse_id("regionId", &r)).transpose()?;
        let rows = svc::service_levels(state(ctx), from, to, region).await?;
        Ok(rows
            .into_iter()
            .map(|r| ServiceLevelRow {
                workflow: r.workflow,
                workflow_title: r.workflow_title,
                unit: r.unit,
                received: r.received as i32,
                served: r.served as i32,
                on_time: r.on_time as i32,
                late: r.late as i32,
                open: r.open as i32,
                median_working_days: r.median_working_days,
            })
            .collect())
    }
}
