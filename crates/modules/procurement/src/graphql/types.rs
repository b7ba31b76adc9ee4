//! Procurement's GraphQL output types.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::AppError;
use mufakat_kernel::graphql::types::Region;
use mufakat_kernel::graphql::{req, state};
use rust_decimal::Decimal;

use crate::entity::{
    catalogue_item as item, catalogue_price as price, document, order, order_line, order_offer,
    package, payment, plan_line as line, receipt, vendor,
};
use crate::service::{self as svc, catalogue, documents, from_sen, orders, packages, vendors};

fn user<'a>(ctx: &Context<'a>) -> Option<&'a mufakat_kernel::auth::CurrentUser> {
    req(ctx).user.as_ref()
}

pub struct Vendor(pub vendor::Model);

#[derive(SimpleObject)]
pub struct BankAccount {
    pub bank: String,
    pub number: String,
    pub holder: String,
}

#[Object]
impl Vendor {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `pt`, `cv`, `koperasi`, `perorangan`, `firma` or `other`.
    async fn form(&self) -> &str {
        &self.0.form
    }
    async fn nib(&self) -> &str {
        &self.0.nib
    }
    /// In full (16 digits) for the company's members and staff who review vendors; otherwise
    /// only its last four digits (a sole trader's NPWP is their NIK).
    async fn npwp(&self, ctx: &Context<'_>) -> Result<String> {
        let full = match user(ctx) {
            Some(u) => {
                svc::membership(&state(ctx).db, u)
                    .await?
                    .is_some_and(|m| m.vendor_id == self.0.id)
                    || state(ctx).authz.allowed(
                        u,
                        &state(ctx).region_path(self.0.region_id).await,
                        crate::perms::VENDOR_READ,
                    )?
            }
            None => false,
        };
        Ok(if full {
            self.0.npwp.clone()
        } else {
            vendors::masked_npwp(&self.0.npwp)
        })
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    /// KBLI codes of the company's business fields.
    async fn kbli(&self) -> Vec<String> {
        vendors::kbli_of(&self.0)
    }
    async fn contact_name(&self) -> &str {
        &self.0.contact_name
    }
    async fn contact_phone(&self) -> &str {
        &self.0.contact_phone
    }
    async fn contact_email(&self) -> &str {
        &self.0.contact_email
    }
    /// `draft`, `submitted`, `needs_correction`, `verified`, `suspended`, `blacklisted`,
    /// `rejected`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        svc::state_title(
            state(ctx),
            svc::VENDOR_WORKFLOW,
            &self.0.status,
            req(ctx).lang,
        )
    }
    /// The reason staff gave for the last decision (corrections asked, rejection, suspension,
    /// blacklist).
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    async fn blacklisted_until(&self) -> Option<DateTime<Utc>> {
        self.0.blacklisted_until
    }
    /// Only for the company's members and finance staff; `null` for everyone else.
    async fn bank_account(&self, ctx: &Context<'_>) -> Result<Option<BankAccount>> {
        Ok(vendors::may_see_bank(state(ctx), user(ctx), &self.0)
            .await?
            .then(|| BankAccount {
                bank: self.0.bank_name.clone(),
                number: self.0.bank_account.clone(),
                holder: self.0.bank_holder.clone(),
            }))
    }
    /// The company's documents: for its members, UKPBJ staff and auditors (`FORBIDDEN`
    /// otherwise).
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        let u = mufakat_kernel::graphql::require_user(ctx)?;
        Ok(documents::list(state(ctx), u, self.0.id)
            .await?
            .into_iter()
            .map(Document)
            .collect())
    }
    /// The id of the company's `procurement-penyedia` case (its history is in the audit trail).
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Document(pub document::Model);

#[Object]
impl Document {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `deed`, `nib`, `npwp`, `permit`, `experience`, `other`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn kind_title(&self, ctx: &Context<'_>) -> String {
        documents::kind_title(&self.0.kind, req(ctx).lang)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// Where to download it (`GET`, with the same `Authorization` header).
    async fn url(&self) -> String {
        format!("/procurement/documents/{}", self.0.id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct CatalogueItem(pub item::Model);

#[derive(SimpleObject)]
pub struct CataloguePrice {
    pub price: Decimal,
    pub valid_until: NaiveDate,
    /// `proposed`, `approved` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<price::Model> for CataloguePrice {
    fn from(p: price::Model) -> Self {
        CataloguePrice {
            price: from_sen(p.price_sen),
            valid_until: p.valid_until,
            status: p.status,
            reason: p.reason,
            proposed_at: p.proposed_at,
            decided_at: p.decided_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct PriceStats {
    pub category: String,
    pub count: i32,
    pub min: Decimal,
    pub max: Decimal,
    pub median: Decimal,
    pub q1: Decimal,
    pub q3: Decimal,
    /// Q3 − Q1.
    pub spread: Decimal,
}

impl PriceStats {
    pub fn new(category: &str, s: mufakat_procurement::PriceStats) -> Self {
        PriceStats {
            category: category.to_owned(),
            count: s.count as i32,
            min: s.min,
            max: s.max,
            median: s.median,
            q1: s.q1,
            q3: s.q3,
            spread: s.spread(),
        }
    }
}

#[Object]
impl CatalogueItem {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Vendor> {
        Ok(Vendor(
            svc::get_vendor(&state(ctx).db, self.0.vendor_id).await?,
        ))
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn specification(&self) -> &str {
        &self.0.specification
    }
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// The KBLI code of the item's category.
    async fn category(&self) -> &str {
        &self.0.category
    }
    async fn regions(&self, ctx: &Context<'_>) -> Vec<Region> {
        let mut out = vec![];
        for r in catalogue::regions_of(&self.0) {
            if let Some(r) = Region::by_id(ctx, r).await {
                out.push(r);
            }
        }
        out
    }
    async fn delivery_days(&self) -> i32 {
        self.0.delivery_days
    }
    async fn min_order(&self) -> Decimal {
        self.0.min_order.parse().unwrap_or_default()
    }
    async fn stock(&self) -> Option<i64> {
        self.0.stock
    }
    /// The approved unit price.
    async fn price(&self) -> Decimal {
        from_sen(self.0.price_sen)
    }
    async fn valid_until(&self) -> NaiveDate {
        self.0.valid_until
    }
    /// `proposed`, `listed`, `price_review`, `expired`, `rejected`, `delisted`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        svc::state_title(
            state(ctx),
            svc::ITEM_WORKFLOW,
            &self.0.status,
            req(ctx).lang,
        )
    }
    /// Every price proposed for the item, newest first, with its decision.
    async fn price_history(&self, ctx: &Context<'_>) -> Result<Vec<CataloguePrice>> {
        Ok(catalogue::history(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The category's current prices, and whether this price lies outside 1.5 × the spread
    /// around them.
    async fn price_out_of_line(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(catalogue::category_stats(state(ctx), &self.0.category)
            .await?
            .is_some_and(|s| s.is_out_of_line(from_sen(self.0.price_sen))))
    }
    /// Photos of the item (`url`: `GET` without a token while the item is in the catalogue).
    async fn photos(&self, ctx: &Context<'_>) -> Result<Vec<Photo>> {
        Ok(documents::photos(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(|d| Photo {
                id: ID(d.id.to_string()),
                name: d.name,
                content_type: d.content_type,
                size_bytes: d.size_bytes,
                sha256: d.sha256,
                url: format!("/procurement/photos/{}", d.id),
            })
            .collect())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
}

#[derive(SimpleObject)]
pub struct Photo {
    pub id: ID,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub url: String,
}

pub struct PlanLine(pub line::Model);

#[Object]
impl PlanLine {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn opd(&self) -> &str {
        &self.0.opd
    }
    async fn budget(&self) -> Decimal {
        from_sen(self.0.budget_sen)
    }
    /// What its packages (not cancelled) take of the budget.
    async fn committed(&self, ctx: &Context<'_>) -> Result<Decimal> {
        Ok(from_sen(
            packages::committed_sen(&state(ctx).db, self.0.id).await?,
        ))
    }
    async fn remaining(&self, ctx: &Context<'_>) -> Result<Decimal> {
        Ok(from_sen(
            self.0.budget_sen - packages::committed_sen(&state(ctx).db, self.0.id).await?,
        ))
    }
    /// The musrenbang proposal the line came from (the golden thread), if any.
    async fn proposal_id(&self) -> Option<ID> {
        self.0.proposal_id.map(|p| ID(p.to_string()))
    }
    async fn proposal(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<mufakat_module_musrenbang::graphql::Proposal>> {
        let Some(pid) = self.0.proposal_id else {
            return Ok(None);
        };
        let p = mufakat_module_musrenbang::service::get_proposal(&state(ctx).db, pid).await?;
        Ok(Some(mufakat_module_musrenbang::graphql::Proposal(p)))
    }
    /// Its packages the viewer may see.
    async fn packages(&self, ctx: &Context<'_>) -> Result<Vec<Package>> {
        Ok(
            packages::list(state(ctx), user(ctx), Some(self.0.id), true, 200, 0)
                .await?
                .into_iter()
                .map(Package)
                .collect(),
        )
    }
}

pub struct Package(pub package::Model);

#[Object]
impl Package {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn line(&self, ctx: &Context<'_>) -> Result<PlanLine> {
        Ok(PlanLine(
            packages::get_line(&state(ctx).db, self.0.line_id).await?,
        ))
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `goods`, `construction`, `consultancy`, `other_services`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The KBLI code of what is bought (empty when none).
    async fn category(&self) -> &str {
        &self.0.category
    }
    async fn pagu(&self) -> Decimal {
        from_sen(self.0.pagu_sen)
    }
    /// HPS (harga perkiraan sendiri), the owner's estimate.
    async fn hps(&self) -> Decimal {
        from_sen(self.0.hps_sen)
    }
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    async fn ppk_id(&self) -> ID {
        ID(self.0.ppk_id.to_string())
    }
    async fn official_id(&self) -> ID {
        ID(self.0.official_id.to_string())
    }
    /// `direct`, `e_purchasing`, `mini_competition`, `tender`, `selection`.
    async fn method(&self) -> &str {
        &self.0.method
    }
    /// The method the thresholds proposed.
    async fn proposed_method(&self) -> &str {
        &self.0.proposed_method
    }
    /// Why staff chose another method than the proposed one.
    async fn method_reason(&self) -> Option<&str> {
        self.0.method_reason.as_deref()
    }
    /// `planned`, `announced`, `in_selection`, `contracted`, `completed`, `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        svc::state_title(
            state(ctx),
            svc::PACKAGE_WORKFLOW,
            &self.0.status,
            req(ctx).lang,
        )
    }
    /// Its orders the viewer may see (none for the public).
    async fn orders(&self, ctx: &Context<'_>) -> Result<Vec<Order>> {
        let Some(u) = user(ctx) else {
            return Ok(vec![]);
        };
        Ok(orders::list(state(ctx), u, Some(self.0.id))
            .await?
            .into_iter()
            .filter(|o| o.package_id == self.0.id)
            .map(Order)
            .collect())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Order(pub order::Model);

#[derive(SimpleObject)]
pub struct OrderLine {
    pub id: ID,
    /// The catalogue item (e-purchasing), if any.
    pub item_id: Option<ID>,
    pub description: String,
    pub unit: String,
    pub quantity: Decimal,
    /// Frozen from the catalogue when ordered (0 for a direct procurement line).
    pub unit_price: Decimal,
    pub total: Decimal,
    pub received: Decimal,
}

impl From<order_line::Model> for OrderLine {
    fn from(l: order_line::Model) -> Self {
        OrderLine {
            id: ID(l.id.to_string()),
            item_id: l.item_id.map(|i| ID(i.to_string())),
            description: l.description,
            unit: l.unit,
            quantity: l.quantity.parse().unwrap_or_default(),
            unit_price: from_sen(l.unit_price_sen),
            total: from_sen(l.total_sen),
            received: l.received.parse().unwrap_or_default(),
        }
    }
}

#[derive(SimpleObject)]
pub struct OrderOffer {
    pub by_vendor: bool,
    pub total: Decimal,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl From<order_offer::Model> for OrderOffer {
    fn from(o: order_offer::Model) -> Self {
        OrderOffer {
            by_vendor: o.by_vendor,
            total: from_sen(o.total_sen),
            note: o.note,
            created_at: o.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct Receipt {
    /// The BAST number.
    pub number: String,
    /// `[{"line": id, "quantity": "…"}]` as received in this handover.
    pub lines: String,
    pub note: String,
    pub received_at: DateTime<Utc>,
    /// The BAST as PDF (`GET`, with the same `Authorization` header).
    pub pdf_url: String,
}

impl Receipt {
    fn new(order_id: i32, n: usize, r: receipt::Model) -> Self {
        Receipt {
            number: r.number,
            lines: r.lines,
            note: r.note,
            received_at: r.received_at,
            pdf_url: format!("/procurement/orders/{order_id}/receipts/{n}"),
        }
    }
}

#[derive(SimpleObject)]
pub struct Payment {
    pub amount: Decimal,
    pub reference: String,
    pub paid_at: DateTime<Utc>,
}

impl From<payment::Model> for Payment {
    fn from(p: payment::Model) -> Self {
        Payment {
            amount: from_sen(p.amount_sen),
            reference: p.reference,
            paid_at: p.paid_at,
        }
    }
}

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The order's number (SP for e-purchasing, SPK for direct procurement).
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// `e_purchasing` or `direct`.
    async fn method(&self) -> &str {
        &self.0.method
    }
    async fn package(&self, ctx: &Context<'_>) -> Result<Package> {
        Ok(Package(
            packages::get_package(&state(ctx).db, self.0.package_id).await?,
        ))
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Vendor> {
        Ok(Vendor(
            svc::get_vendor(&state(ctx).db, self.0.vendor_id).await?,
        ))
    }
    async fn delivery_address(&self) -> &str {
        &self.0.delivery_address
    }
    /// The agreed total (for a direct procurement: the last quote until ordered).
    async fn total(&self) -> Decimal {
        from_sen(self.0.total_sen)
    }
    async fn paid(&self) -> Option<Decimal> {
        self.0.paid_sen.map(from_sen)
    }
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        svc::state_title(
            state(ctx),
            orders::workflow(&self.0),
            &self.0.status,
            req(ctx).lang,
        )
    }
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<OrderLine>> {
        Ok(orders::lines(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Every offer and quote, in order.
    async fn offers(&self, ctx: &Context<'_>) -> Result<Vec<OrderOffer>> {
        Ok(orders::offers(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    async fn receipts(&self, ctx: &Context<'_>) -> Result<Vec<Receipt>> {
        Ok(orders::receipts(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, r)| Receipt::new(self.0.id, i + 1, r))
            .collect())
    }
    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<Payment>> {
        Ok(orders::payments(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    async fn case_id(&self) -> Option<ID> {
        self.0.instance_id.map(|i| ID(i.to_string()))
    }
    /// The purchase order (surat pesanan) or work order (SPK) as PDF (`GET`, with the same
    /// `Authorization` header).
    async fn order_pdf_url(&self) -> String {
        format!("/procurement/orders/{}/order.pdf", self.0.id)
    }
}

#[derive(SimpleObject)]
pub struct SplitFlag {
    pub line_id: ID,
    pub kind: String,
    pub package_ids: Vec<ID>,
    pub total: Decimal,
    pub ceiling: Decimal,
    pub message: String,
}

impl SplitFlag {
    /// The rule's flag as the API shows it, its message in `lang`.
    pub fn of(f: &mufakat_procurement::SplitFlag, lang: mufakat_core::Lang) -> SplitFlag {
        SplitFlag {
            line_id: ID(f.line.clone()),
            kind: f.kind.as_str().into(),
            package_ids: f.package_ids.iter().map(|i| ID(i.to_string())).collect(),
            total: f.total,
            ceiling: f.ceiling,
            message: f.message(lang).to_owned(),
        }
    }
}

#[derive(SimpleObject)]
pub struct MethodProposal {
    pub method: String,
    pub reason: String,
    /// Verified vendors with buyable catalogue items of the category.
    pub catalogue_vendors: i32,
}

pub fn not_found(entity: &'static str) -> AppError {
    AppError::NotFound { entity }
}
