//! GraphQL for budget ceilings and allocation runs.

use crate::entity::{allocation_override as ao, allocation_run as ar, budget_ceiling as bc};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use mufakat_core::Money;
use rust_decimal::Decimal;

use crate::service::{self as svc, ProjectResult, RunResult};
use mufakat_kernel::graphql::types::Region;
use mufakat_kernel::graphql::{parse_id, require_user, state};
use mufakat_module_musrenbang::graphql::Proposal;

pub struct BudgetCeiling(pub bc::Model);

#[Object]
impl BudgetCeiling {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle_id(&self) -> ID {
        ID(self.0.cycle_id.to_string())
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn amount(&self) -> Decimal {
        Money::from_minor_units(self.0.amount_sen).amount()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct VoterPayment {
    /// The voter's per-cycle pseudonym.
    pub voter: String,
    pub amount: Decimal,
}

#[derive(SimpleObject)]
pub struct AllocationOverride {
    pub funded: bool,
    pub reason: String,
}

pub struct AllocationProject {
    p: ProjectResult,
    ov: Option<ao::Model>,
}

#[Object]
impl AllocationProject {
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Proposal> {
        let p = mufakat_module_musrenbang::graphql::loaders(ctx)
            .proposals
            .load_one(self.p.proposal_id)
            .await
            .map_err(mufakat_module_musrenbang::graphql::err)?;
        Ok(Proposal(p.ok_or(mufakat_core::AppError::NotFound {
            entity: "proposal",
        })?))
    }
    async fn cost(&self) -> Decimal {
        self.p.cost.parse().unwrap_or_default()
    }
    async fn votes(&self) -> i32 {
        self.p.votes as i32
    }
    /// The decision that counts: the override when there is one, else the rule's.
    async fn funded(&self) -> bool {
        self.ov.as_ref().map(|o| o.funded).unwrap_or(self.p.funded)
    }
    /// What the rule decided.
    async fn funded_by_rule(&self) -> bool {
        self.p.funded
    }
    /// Position in the rule's selection order.
    async fn order(&self) -> Option<i32> {
        self.p.order.map(|o| o as i32)
    }
    /// Why it was or was not funded (in the request's language).
    async fn reason(&self, ctx: &Context<'_>) -> &str {
        match mufakat_kernel::graphql::req(ctx).lang {
            mufakat_core::Lang::Id => &self.p.reason_id,
            mufakat_core::Lang::En => &self.p.reason_en,
        }
    }
    #[graphql(name = "override")]
    async fn override_(&self) -> Option<AllocationOverride> {
        self.ov.as_ref().map(|o| AllocationOverride {
            funded: o.funded,
            reason: o.reason.clone(),
        })
    }
    /// Method of Equal Shares: what each supporter paid for it.
    async fn payments(&self) -> Vec<VoterPayment> {
        self.p
            .payments
            .iter()
            .map(|(v, a)| VoterPayment {
                voter: v.clone(),
                amount: a.parse().unwrap_or_default(),
            })
            .collect()
    }
}

pub struct AllocationRun(pub ar::Model, pub RunResult, pub Vec<ao::Model>);

#[Object]
impl AllocationRun {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle_id(&self) -> ID {
        ID(self.0.cycle_id.to_string())
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn level(&self) -> &str {
        &self.0.level
    }
    async fn rule(&self) -> &str {
        &self.0.rule
    }
    /// The options as JSON (rule, completion, satisfaction, tie-breaking).
    async fn options(&self) -> &str {
        &self.0.options
    }
    /// The ceiling the rule allocated.
    async fn budget(&self) -> Decimal {
        Money::from_minor_units(self.0.budget_sen).amount()
    }
    /// Cost of what is funded, with the planners' overrides (the figure the PDF prints and
    /// adoption enacts).
    async fn total_cost(&self) -> Result<Decimal> {
        Ok(svc::outcome(self.0.budget_sen, &self.1, &self.2)?
            .total_cost
            .amount())
    }
    /// The ceiling less `totalCost`; negative when overrides exceed the ceiling.
    async fn leftover(&self) -> Result<Decimal> {
        Ok(svc::outcome(self.0.budget_sen, &self.1, &self.2)?
            .leftover
            .amount())
    }
    /// Whether the overrides fund more than the ceiling (each such override was confirmed with
    /// a reason).
    async fn exceeds_ceiling(&self) -> Result<bool> {
        Ok(svc::outcome(self.0.budget_sen, &self.1, &self.2)?.exceeds_ceiling)
    }
    /// What the rule alone funded, before overrides.
    async fn total_cost_by_rule(&self) -> Decimal {
        self.1.total_cost.parse().unwrap_or_default()
    }
    async fn leftover_by_rule(&self) -> Decimal {
        self.1.leftover.parse().unwrap_or_default()
    }
    async fn voters(&self) -> i32 {
        self.1.voters as i32
    }
    /// The exact inputs as a Pabulib `.pb` file: `mufakat pb allocate` reproduces the run.
    async fn election_pb(&self) -> &str {
        &self.0.election_pb
    }
    async fn projects(&self) -> Vec<AllocationProject> {
        self.1
            .projects
            .iter()
            .map(|p| AllocationProject {
                p: p.clone(),
                ov: self
                    .2
                    .iter()
                    .find(|o| o.proposal_id == p.proposal_id)
                    .cloned(),
            })
            .collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn adopted_at(&self) -> Option<DateTime<Utc>> {
        self.0.adopted_at
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AllocationRule {
    Mes,
    Greedy,
    Phragmen,
    MaxWelfare,
}

#[derive(InputObject)]
pub struct RunAllocationInput {
    pub cycle_id: ID,
    pub region_id: ID,
    /// kelurahan, kecamatan or kota.
    pub level: String,
    pub rule: AllocationRule,
    /// MES only: none (default), greedy or add1.
    pub completion: Option<String>,
    /// Cardinality instead of cost satisfaction.
    #[graphql(default)]
    pub cardinality: bool,
}

#[derive(Default)]
pub struct AllocationQuery;

#[Object]
impl AllocationQuery {
    async fn budget_ceilings(&self, ctx: &Context<'_>, cycle_id: ID) -> Result<Vec<BudgetCeiling>> {
        Ok(svc::ceilings(state(ctx), parse_id("cycleId", &cycle_id)?)
            .await?
            .into_iter()
            .map(BudgetCeiling)
            .collect())
    }
    /// Allocation runs of a cycle, newest first. Public.
    async fn allocation_runs(&self, ctx: &Context<'_>, cycle_id: ID) -> Result<Vec<AllocationRun>> {
        let mut out = vec![];
        for r in svc::runs(state(ctx), parse_id("cycleId", &cycle_id)?).await? {
            let (r, res, ov) = svc::get_run(state(ctx), r.id).await?;
            out.push(AllocationRun(r, res, ov));
        }
        Ok(out)
    }
    async fn allocation_run(&self, ctx: &Context<'_>, id: ID) -> Result<AllocationRun> {
        let (r, res, ov) = svc::get_run(state(ctx), parse_id("id", &id)?).await?;
        Ok(AllocationRun(r, res, ov))
    }
    /// A cycle's real data (proposals at a level, votes under pseudonyms, the ceiling) as a
    /// Pabulib `.pb` file.
    async fn pb_export(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        region_id: ID,
        level: String,
    ) -> Result<String> {
        Ok(svc::export_pb(
            state(ctx),
            parse_id("cycleId", &cycle_id)?,
            parse_id("regionId", &region_id)?,
            &level,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct AllocationMutation;

#[Object]
impl AllocationMutation {
    /// Bappeda: sets, or corrects, the pagu indikatif of a region for a cycle (audited with the
    /// amount before). `CONFLICT` once the region's allocation is adopted.
    async fn set_budget_ceiling(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        region_id: ID,
        amount: Decimal,
    ) -> Result<BudgetCeiling> {
        let user = require_user(ctx)?;
        let amount = Money::new(amount).map_err(|_| {
            mufakat_core::AppError::validation(
                "amount",
                "money",
                "Jumlah uang paling banyak dua angka desimal.",
                "An amount has at most two decimals.",
            )
        })?;
        Ok(BudgetCeiling(
            svc::set_ceiling(
                state(ctx),
                user,
                parse_id("cycleId", &cycle_id)?,
                parse_id("regionId", &region_id)?,
                amount,
            )
            .await?,
        ))
    }
    /// Bappeda: removes a region's ceiling set by mistake, with the reason (audited).
    /// `NOT_FOUND` when there is none; `CONFLICT` once the region's allocation is adopted.
    async fn remove_budget_ceiling(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        region_id: ID,
        reason: String,
    ) -> Result<bool> {
        let user = require_user(ctx)?;
        svc::remove_ceiling(
            state(ctx),
            user,
            parse_id("cycleId", &cycle_id)?,
            parse_id("regionId", &region_id)?,
            &reason,
        )
        .await?;
        Ok(true)
    }
    /// Bappeda: runs a rule on the region's proposals at a level within its ceiling.
    async fn run_allocation(
        &self,
        ctx: &Context<'_>,
        input: RunAllocationInput,
    ) -> Result<AllocationRun> {
        let user = require_user(ctx)?;
        let rule = match input.rule {
            AllocationRule::Mes => "mes",
            AllocationRule::Greedy => "greedy",
            AllocationRule::Phragmen => "phragmen",
            AllocationRule::MaxWelfare => "maxwelfare",
        };
        let r = svc::run(
            state(ctx),
            user,
            svc::RunRequest {
                cycle_id: parse_id("cycleId", &input.cycle_id)?,
                region_id: parse_id("regionId", &input.region_id)?,
                level: input.level,
                rule: rule.into(),
                completion: input.completion,
                cardinality: input.cardinality,
            },
        )
        .await?;
        let (r, res, ov) = svc::get_run(state(ctx), r.id).await?;
        Ok(AllocationRun(r, res, ov))
    }
    /// Bappeda: funds or drops a proposal against the rule, with a recorded reason. Funding
    /// past the ceiling needs `confirmExceedsCeiling: true`.
    async fn override_allocation(
        &self,
        ctx: &Context<'_>,
        run_id: ID,
        proposal_id: ID,
        funded: bool,
        reason: String,
        confirm_exceeds_ceiling: Option<bool>,
    ) -> Result<AllocationRun> {
        let user = require_user(ctx)?;
        let run = parse_id("runId", &run_id)?;
        svc::override_project(
            state(ctx),
            user,
            run,
            parse_id("proposalId", &proposal_id)?,
            funded,
            &reason,
            confirm_exceeds_ceiling.unwrap_or(false),
        )
        .await?;
        let (r, res, ov) = svc::get_run(state(ctx), run).await?;
        Ok(AllocationRun(r, res, ov))
    }
    /// Bappeda, in the kota forum: adopts a kota-level run; each proposal is included in the plan
    /// or not accommodated by its workflow transition.
    async fn adopt_allocation(&self, ctx: &Context<'_>, run_id: ID) -> Result<AllocationRun> {
        let user = require_user(ctx)?;
        let run = parse_id("runId", &run_id)?;
        svc::adopt(state(ctx), user, run).await?;
        let (r, res, ov) = svc::get_run(state(ctx), run).await?;
        Ok(AllocationRun(r, res, ov))
    }
}
