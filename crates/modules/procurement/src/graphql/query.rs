//! Procurement's queries.

use async_graphql::connection::{query, Connection, Edge, EmptyFields};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use mufakat_kernel::graphql::{page_size, parse_id, req, require_user, state};
use mufakat_procurement::PackageKind;
use rust_decimal::Decimal;

use super::types::*;
use crate::runtime;
use crate::service::{self as svc, catalogue, orders, packages, vendors};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum CatalogueSort {
    #[default]
    PriceAsc,
    PriceDesc,
    Newest,
}

#[derive(InputObject, Default)]
pub struct CatalogueFilter {
    /// Words in the name or specification (each as a prefix).
    pub text: Option<String>,
    /// A KBLI code.
    pub category: Option<String>,
    /// Items delivered to this region (or to a region above it).
    pub region_id: Option<ID>,
    pub vendor_id: Option<ID>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
}

#[derive(SimpleObject)]
pub struct CatalogueTotal {
    pub total_count: i32,
}

#[derive(SimpleObject)]
pub struct KbliCode {
    pub code: String,
    pub title: String,
}

#[derive(Default)]
pub struct ProcurementQuery;

/// Public packages at one stage.
#[derive(SimpleObject)]
pub struct ProcurementStage {
    pub status: String,
    pub status_title: String,
    pub packages: i32,
    pub pagu: Decimal,
}

fn user<'a>(ctx: &Context<'a>) -> Option<&'a mufakat_kernel::auth::CurrentUser> {
    req(ctx).user.as_ref()
}

#[Object]
impl ProcurementQuery {
    /// Vendors, newest first: verified ones for everyone, every one for procurement staff.
    async fn vendors(
        &self,
        ctx: &Context<'_>,
        status: Option<String>,
        #[graphql(default = 50)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> Result<Vec<Vendor>> {
        let limit = page_size("first", first, 200)?;
        Ok(vendors::list(
            state(ctx),
            user(ctx),
            status.as_deref(),
            limit,
            offset.max(0) as u64,
        )
        .await?
        .into_iter()
        .map(Vendor)
        .collect())
    }
    async fn vendor(&self, ctx: &Context<'_>, id: ID) -> Result<Vendor> {
        let v = svc::get_vendor(&state(ctx).db, parse_id("id", &id)?).await?;
        if !vendors::may_see(state(ctx), user(ctx), &v).await? {
            return Err(not_found("vendor").into());
        }
        Ok(Vendor(v))
    }
    /// The company the signed-in user acts for.
    async fn my_vendor(&self, ctx: &Context<'_>) -> Result<Option<Vendor>> {
        let u = require_user(ctx)?;
        let Some(m) = svc::membership(&state(ctx).db, u).await? else {
            return Ok(None);
        };
        Ok(Some(Vendor(
            svc::get_vendor(&state(ctx).db, m.vendor_id).await?,
        )))
    }
    /// Searches the catalogue (items that can be bought now), as a Relay connection.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        filter: Option<CatalogueFilter>,
        sort: Option<CatalogueSort>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<usize, CatalogueItem, CatalogueTotal, EmptyFields>> {
        let f = filter.unwrap_or_default();
        let s = catalogue::Search {
            text: f.text,
            category: f.category,
            region_id: f
                .region_id
                .as_ref()
                .map(|r| parse_id("regionId", r))
                .transpose()?,
            vendor_id: f
                .vendor_id
                .as_ref()
                .map(|r| parse_id("vendorId", r))
                .transpose()?,
            min_price: f.min_price,
            max_price: f.max_price,
            sort: match sort.unwrap_or_default() {
                CatalogueSort::PriceAsc => catalogue::SearchSort::PriceAsc,
                CatalogueSort::PriceDesc => catalogue::SearchSort::PriceDesc,
                CatalogueSort::Newest => catalogue::SearchSort::Newest,
            },
        };
        let limit = page_size("first", first.unwrap_or(20), 100)?;
        let st = state(ctx);
        query(
            after,
            None,
            first,
            None,
            |after: Option<usize>, _: Option<usize>, _, _| async move {
                let offset = after.map(|a| a + 1).unwrap_or(0);
                let (rows, total) = catalogue::search(st, &s, limit, offset as u64).await?;
                let mut c = Connection::with_additional_fields(
                    offset > 0,
                    (offset as u64 + rows.len() as u64) < total,
                    CatalogueTotal {
                        total_count: total as i32,
                    },
                );
                c.edges.extend(
                    rows.into_iter()
                        .enumerate()
                        .map(|(i, r)| Edge::new(offset + i, CatalogueItem(r))),
                );
                Ok::<_, async_graphql::Error>(c)
            },
        )
        .await
    }
    async fn catalogue_item(&self, ctx: &Context<'_>, id: ID) -> Result<CatalogueItem> {
        let it = catalogue::get_item(&state(ctx).db, parse_id("id", &id)?).await?;
        if !catalogue::may_see(state(ctx), user(ctx), &it).await? {
            return Err(not_found("item").into());
        }
        Ok(CatalogueItem(it))
    }
    /// Items waiting for approval (listing or price) from vendors of the regions where the user
    /// approves catalogue items.
    async fn catalogue_pending(&self, ctx: &Context<'_>) -> Result<Vec<CatalogueItem>> {
        use crate::entity::{catalogue_item as item, vendor};
        use mufakat_store::DbResultExt;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
        let u = require_user(ctx)?;
        let st = state(ctx);
        let regions = vendors::regions_where(st, u, crate::perms::CATALOGUE_APPROVE).await?;
        if regions.is_empty() {
            return Err(mufakat_core::AppError::Forbidden.into());
        }
        let vendor_ids: Vec<i32> = vendor::Entity::find()
            .select_only()
            .column(vendor::Column::Id)
            .filter(vendor::Column::RegionId.is_in(regions))
            .into_tuple()
            .all(&st.db)
            .await
            .db()?;
        Ok(item::Entity::find()
            .filter(item::Column::Status.is_in(["proposed", "price_review", "relisting"]))
            .filter(item::Column::VendorId.is_in(vendor_ids))
            .order_by_asc(item::Column::Id)
            .limit(200)
            .all(&st.db)
            .await
            .db()?
            .into_iter()
            .map(CatalogueItem)
            .collect())
    }
    /// The business fields (KBLI codes) vendors may declare and items may belong to: the
    /// region's list (workflows/config/kbli.toml).
    async fn kbli_codes(&self, ctx: &Context<'_>) -> Result<Vec<KbliCode>> {
        Ok(runtime::get(state(ctx))?
            .kbli
            .iter()
            .map(|(code, title)| KbliCode {
                code: code.clone(),
                title: title.clone(),
            })
            .collect())
    }
    /// The categories (KBLI codes) of the catalogue's items.
    async fn catalogue_categories(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(catalogue::categories(state(ctx)).await?)
    }
    /// The current prices of a category: count, median, quartiles and spread.
    async fn catalogue_price_stats(
        &self,
        ctx: &Context<'_>,
        category: String,
    ) -> Result<Option<PriceStats>> {
        Ok(catalogue::category_stats(state(ctx), category.trim())
            .await?
            .map(|s| PriceStats::new(category.trim(), s)))
    }
    async fn plan_line(&self, ctx: &Context<'_>, id: ID) -> Result<PlanLine> {
        Ok(PlanLine(
            packages::get_line(&state(ctx).db, parse_id("id", &id)?).await?,
        ))
    }
    /// The line of the plan a musrenbang proposal became, if any: the golden thread from a
    /// resident's proposal to its packages and orders (`packages { orders { … } }`).
    async fn plan_line_of_proposal(
        &self,
        ctx: &Context<'_>,
        proposal_id: ID,
    ) -> Result<Option<PlanLine>> {
        use mufakat_store::DbResultExt;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let pid = parse_id("proposalId", &proposal_id)?;
        Ok(crate::entity::plan_line::Entity::find()
            .filter(crate::entity::plan_line::Column::ProposalId.eq(pid))
            .one(&state(ctx).db)
            .await
            .db()?
            .map(PlanLine))
    }
    /// Lines of the plan, newest first.
    async fn plan_lines(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<PlanLine>> {
        use mufakat_store::DbResultExt;
        use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
        let limit = page_size("first", first, 200)?;
        Ok(crate::entity::plan_line::Entity::find()
            .order_by_desc(crate::entity::plan_line::Column::Id)
            .limit(limit)
            .all(&state(ctx).db)
            .await
            .db()?
            .into_iter()
            .map(PlanLine)
            .collect())
    }
    /// The public procurement plan (RUP): announced packages and later; with `all`, also the
    /// planned and cancelled ones, for staff.
    async fn packages(
        &self,
        ctx: &Context<'_>,
        line_id: Option<ID>,
        #[graphql(default = false)] all: bool,
        #[graphql(default = 50)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> Result<Vec<Package>> {
        let limit = page_size("first", first, 200)?;
        let line = line_id
            .as_ref()
            .map(|l| parse_id("lineId", l))
            .transpose()?;
        Ok(packages::list(
            state(ctx),
            user(ctx),
            line,
            all,
            limit,
            offset.max(0) as u64,
        )
        .await?
        .into_iter()
        .map(Package)
        .collect())
    }
    /// The public packages of a region (and below) by stage (announced, in selection,
    /// contracted, completed), for anyone: the situation room's procurement figures.
    async fn procurement_stages(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<Vec<ProcurementStage>> {
        let st = state(ctx);
        let lang = req(ctx).lang;
        Ok(packages::stages(st, parse_id("regionId", &region_id)?)
            .await?
            .into_iter()
            .map(|(status, n, pagu)| ProcurementStage {
                status_title: st
                    .workflows
                    .state_title(svc::PACKAGE_WORKFLOW, &status, lang),
                status,
                packages: n as i32,
                pagu: mufakat_core::Money::from_minor_units(pagu).amount(),
            })
            .collect())
    }
    async fn package(&self, ctx: &Context<'_>, id: ID) -> Result<Package> {
        let p = packages::get_package(&state(ctx).db, parse_id("id", &id)?).await?;
        if !packages::may_see(state(ctx), user(ctx), &p).await? {
            return Err(not_found("package").into());
        }
        Ok(Package(p))
    }
    /// The method the thresholds propose for a package of this kind, HPS and category.
    async fn propose_method(
        &self,
        ctx: &Context<'_>,
        kind: String,
        hps: Decimal,
        #[graphql(default)] category: String,
    ) -> Result<MethodProposal> {
        let kind = PackageKind::parse(&kind)
            .map_err(|e| mufakat_core::AppError::Validation(vec![e.into()]))?;
        let st = state(ctx);
        let vendors = packages::catalogue_vendors(&st.db, &category).await?;
        let p = runtime::get(st)?.thresholds.propose(kind, hps, vendors);
        Ok(MethodProposal {
            method: p.method.as_str().into(),
            reason: p.reason(req(ctx).lang).to_owned(),
            catalogue_vendors: vendors as i32,
        })
    }
    /// Orders the signed-in user may see (a vendor: its own).
    async fn orders(&self, ctx: &Context<'_>, package_id: Option<ID>) -> Result<Vec<Order>> {
        let u = require_user(ctx)?;
        let p = package_id
            .as_ref()
            .map(|p| parse_id("packageId", p))
            .transpose()?;
        Ok(orders::list(state(ctx), u, p)
            .await?
            .into_iter()
            .map(Order)
            .collect())
    }
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Order> {
        let u = require_user(ctx)?;
        let o = orders::get_order(&state(ctx).db, parse_id("id", &id)?).await?;
        if !orders::may_see(state(ctx), u, &o).await? {
            return Err(not_found("order").into());
        }
        Ok(Order(o))
    }
    /// Packages that look split to stay under a threshold (pemecahan paket): for auditors and
    /// UKPBJ staff.
    async fn package_split_flags(&self, ctx: &Context<'_>) -> Result<Vec<SplitFlag>> {
        let u = require_user(ctx)?;
        let lang = req(ctx).lang;
        Ok(packages::split_warnings(state(ctx), u)
            .await?
            .into_iter()
            .map(|f| SplitFlag::of(&f, lang))
            .collect())
    }
}
