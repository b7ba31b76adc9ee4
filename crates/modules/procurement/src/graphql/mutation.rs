//! Procurement's mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_kernel::graphql::types::{AuthPayload, User};
use mufakat_kernel::graphql::{parse_id, req, require_user, state};
use mufakat_kernel::services::accounts;
use rust_decimal::Decimal;

use super::types::*;
use crate::service::{catalogue, orders, packages, vendors};

#[derive(InputObject)]
pub struct VendorProfileInput {
    pub name: String,
    /// `pt`, `cv`, `koperasi`, `perorangan`, `firma`, `other`.
    pub form: String,
    /// 13 digits.
    pub nib: String,
    /// 15 or 16 digits; dots, dashes and spaces are ignored.
    pub npwp: String,
    pub address: String,
    pub region_id: ID,
    /// KBLI codes (5 digits each).
    pub kbli: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub bank_name: String,
    pub bank_account: String,
    pub bank_holder: String,
}

impl VendorProfileInput {
    fn parse(self) -> Result<vendors::Profile> {
        Ok(vendors::Profile {
            region_id: parse_id("regionId", &self.region_id)?,
            name: self.name,
            form: self.form,
            nib: self.nib,
            npwp: self.npwp,
            address: self.address,
            kbli: self.kbli,
            contact_name: self.contact_name,
            contact_phone: self.contact_phone,
            contact_email: self.contact_email,
            bank_name: self.bank_name,
            bank_account: self.bank_account,
            bank_holder: self.bank_holder,
        })
    }
}

#[derive(InputObject)]
pub struct RegisterVendorInput {
    /// The administrator's account.
    pub username: String,
    /// The administrator's full name.
    pub name: String,
    pub password: String,
    pub company: VendorProfileInput,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum VendorAction {
    Submit,
    Approve,
    RequestCorrection,
    Reject,
    Suspend,
    Reinstate,
    Blacklist,
}

#[derive(InputObject)]
pub struct NewCatalogueItemInput {
    pub vendor_id: ID,
    pub name: String,
    pub specification: String,
    pub unit: String,
    /// KBLI code.
    pub category: String,
    pub region_ids: Vec<ID>,
    pub delivery_days: i32,
    pub min_order: Decimal,
    pub stock: Option<i64>,
    pub price: Decimal,
    pub valid_until: NaiveDate,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CatalogueAction {
    Approve,
    Reject,
    ProposePrice,
    ApprovePrice,
    RejectPrice,
    Delist,
}

#[derive(InputObject)]
pub struct NewPlanLineInput {
    /// A musrenbang proposal the plan adopted (its cost is the budget) …
    pub proposal_id: Option<ID>,
    /// … or an OPD activity: region, year, title and budget.
    pub region_id: Option<ID>,
    pub year: Option<i32>,
    pub title: Option<String>,
    pub budget: Option<Decimal>,
    pub opd: String,
}

#[derive(InputObject)]
pub struct NewPackageInput {
    pub line_id: ID,
    pub name: String,
    /// `goods`, `construction`, `consultancy`, `other_services`.
    pub kind: String,
    /// KBLI code of what is bought (to look in the catalogue), or empty.
    #[graphql(default)]
    pub category: String,
    pub pagu: Decimal,
    pub hps: Decimal,
    pub location: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ppk_id: ID,
    pub official_id: ID,
    /// Another method than the one proposed (needs `methodReason`).
    pub method: Option<String>,
    pub method_reason: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PackageAction {
    Announce,
    Cancel,
}

#[derive(InputObject)]
pub struct OrderItemInput {
    pub item_id: ID,
    pub quantity: Decimal,
}

#[derive(InputObject)]
pub struct DirectItemInput {
    pub description: String,
    pub unit: String,
    pub quantity: Decimal,
}

#[derive(InputObject)]
pub struct ReceivedInput {
    pub line_id: ID,
    pub quantity: Decimal,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderAction {
    Submit,
    Approve,
    Return,
    Offer,
    AgreeOffer,
    Counter,
    Accept,
    Decline,
    Quote,
    Negotiate,
    Order,
    Receive,
    Pay,
    Cancel,
}

#[derive(InputObject, Default)]
pub struct OrderStepInput {
    /// `OFFER`, `COUNTER`, `QUOTE`: the total offered.
    pub total: Option<Decimal>,
    /// `RECEIVE`: the quantities handed over now.
    #[graphql(default)]
    pub received: Vec<ReceivedInput>,
    /// `PAY`: the amount and the payment's reference.
    pub amount: Option<Decimal>,
    pub reference: Option<String>,
}

fn snake<T: std::fmt::Debug>(a: T) -> String {
    let s = format!("{a:?}");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[derive(Default)]
pub struct ProcurementMutation;

#[Object]
impl ProcurementMutation {
    /// A vendor company registers with its administrator's account, and is signed in. The
    /// profile starts as a draft: upload documents, then `vendorAction(SUBMIT)`.
    async fn register_vendor(
        &self,
        ctx: &Context<'_>,
        input: RegisterVendorInput,
    ) -> Result<AuthPayload> {
        let st = state(ctx);
        let password = input.password.clone();
        let (_, _) = vendors::register(
            st,
            vendors::NewVendor {
                username: input.username.clone(),
                user_name: input.name,
                password: input.password,
                profile: input.company.parse()?,
            },
            req(ctx).ip,
        )
        .await?;
        let r = accounts::login(st, input.username.trim(), &password, req(ctx).ip).await?;
        Ok(AuthPayload {
            token: r.token,
            expires_at: r.expires_at,
            user: User(r.user),
        })
    }
    /// The company's administrator changes its profile (draft, or corrections asked for).
    async fn update_vendor_profile(
        &self,
        ctx: &Context<'_>,
        vendor_id: ID,
        input: VendorProfileInput,
    ) -> Result<Vendor> {
        let u = require_user(ctx)?;
        Ok(Vendor(
            vendors::update_profile(
                state(ctx),
                u,
                parse_id("vendorId", &vendor_id)?,
                input.parse()?,
            )
            .await?,
        ))
    }
    /// The company's administrator adds a user account for the company.
    async fn add_vendor_member(
        &self,
        ctx: &Context<'_>,
        vendor_id: ID,
        username: String,
        name: String,
        password: String,
    ) -> Result<bool> {
        let u = require_user(ctx)?;
        vendors::add_member(
            state(ctx),
            u,
            parse_id("vendorId", &vendor_id)?,
            &username,
            &name,
            &password,
        )
        .await?;
        Ok(true)
    }
    /// `SUBMIT` (the company) or a verification step by UKPBJ staff; `BLACKLIST` needs
    /// `blacklistUntil` and a comment; corrections, rejection and suspension need a comment.
    async fn vendor_action(
        &self,
        ctx: &Context<'_>,
        vendor_id: ID,
        action: VendorAction,
        comment: Option<String>,
        blacklist_until: Option<DateTime<Utc>>,
    ) -> Result<Vendor> {
        let u = require_user(ctx)?;
        Ok(Vendor(
            vendors::act(
                state(ctx),
                u,
                parse_id("vendorId", &vendor_id)?,
                &snake(action),
                comment,
                blacklist_until,
            )
            .await?,
        ))
    }
    /// A verified vendor lists an item (it waits for approval).
    async fn create_catalogue_item(
        &self,
        ctx: &Context<'_>,
        input: NewCatalogueItemInput,
    ) -> Result<CatalogueItem> {
        let u = require_user(ctx)?;
        let region_ids = input
            .region_ids
            .iter()
            .map(|r| parse_id("regionIds", r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CatalogueItem(
            catalogue::create_item(
                state(ctx),
                u,
                catalogue::NewItem {
                    vendor_id: parse_id("vendorId", &input.vendor_id)?,
                    name: input.name,
                    specification: input.specification,
                    unit: input.unit,
                    category: input.category,
                    region_ids,
                    delivery_days: input.delivery_days,
                    min_order: input.min_order,
                    stock: input.stock,
                    price: input.price,
                    valid_until: input.valid_until,
                },
            )
            .await?,
        ))
    }
    /// A step of a catalogue item: approval by UKPBJ staff; `PROPOSE_PRICE` (with `price` and
    /// `validUntil`) or `DELIST` by the vendor.
    async fn catalogue_item_action(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        action: CatalogueAction,
        price: Option<Decimal>,
        valid_until: Option<NaiveDate>,
        comment: Option<String>,
    ) -> Result<CatalogueItem> {
        let u = require_user(ctx)?;
        Ok(CatalogueItem(
            catalogue::act(
                state(ctx),
                u,
                parse_id("itemId", &item_id)?,
                &snake(action),
                price,
                valid_until,
                comment,
            )
            .await?,
        ))
    }
    /// Enters a funded line of the plan.
    async fn create_plan_line(
        &self,
        ctx: &Context<'_>,
        input: NewPlanLineInput,
    ) -> Result<PlanLine> {
        let u = require_user(ctx)?;
        Ok(PlanLine(
            packages::create_line(
                state(ctx),
                u,
                packages::NewLine {
                    proposal_id: input
                        .proposal_id
                        .as_ref()
                        .map(|p| parse_id("proposalId", p))
                        .transpose()?,
                    region_id: input
                        .region_id
                        .as_ref()
                        .map(|p| parse_id("regionId", p))
                        .transpose()?,
                    year: input.year,
                    title: input.title,
                    opd: input.opd,
                    budget: input.budget,
                },
            )
            .await?,
        ))
    }
    /// A package on a line, within what is left of the line's budget.
    async fn create_package(&self, ctx: &Context<'_>, input: NewPackageInput) -> Result<Package> {
        let u = require_user(ctx)?;
        Ok(Package(
            packages::create_package(
                state(ctx),
                u,
                packages::NewPackage {
                    line_id: parse_id("lineId", &input.line_id)?,
                    name: input.name,
                    kind: input.kind,
                    category: input.category,
                    pagu: input.pagu,
                    hps: input.hps,
                    location: input.location,
                    starts_on: input.starts_on,
                    ends_on: input.ends_on,
                    ppk_id: parse_id("ppkId", &input.ppk_id)?,
                    official_id: parse_id("officialId", &input.official_id)?,
                    method: input.method,
                    method_reason: input.method_reason,
                },
            )
            .await?,
        ))
    }
    async fn package_action(
        &self,
        ctx: &Context<'_>,
        package_id: ID,
        action: PackageAction,
        comment: Option<String>,
    ) -> Result<Package> {
        let u = require_user(ctx)?;
        Ok(Package(
            packages::act(
                state(ctx),
                u,
                parse_id("packageId", &package_id)?,
                &snake(action),
                comment,
            )
            .await?,
        ))
    }
    /// An e-purchasing order of catalogue items (one vendor) for an announced package.
    async fn create_epurchasing_order(
        &self,
        ctx: &Context<'_>,
        package_id: ID,
        delivery_address: String,
        items: Vec<OrderItemInput>,
    ) -> Result<Order> {
        let u = require_user(ctx)?;
        let items = items
            .into_iter()
            .map(|i| {
                Ok(orders::ItemQty {
                    item_id: parse_id("itemId", &i.item_id)?,
                    quantity: i.quantity,
                })
            })
            .collect::<Result<Vec<_>, mufakat_core::AppError>>()?;
        Ok(Order(
            orders::create_epurchasing(
                state(ctx),
                u,
                parse_id("packageId", &package_id)?,
                &delivery_address,
                items,
            )
            .await?,
        ))
    }
    /// Invites one verified vendor to a direct procurement (pengadaan langsung).
    async fn create_direct_procurement(
        &self,
        ctx: &Context<'_>,
        package_id: ID,
        vendor_id: ID,
        delivery_address: String,
        items: Vec<DirectItemInput>,
    ) -> Result<Order> {
        let u = require_user(ctx)?;
        let items = items
            .into_iter()
            .map(|i| orders::Described {
                description: i.description,
                unit: i.unit,
                quantity: i.quantity,
            })
            .collect();
        Ok(Order(
            orders::create_direct(
                state(ctx),
                u,
                parse_id("packageId", &package_id)?,
                parse_id("vendorId", &vendor_id)?,
                &delivery_address,
                items,
            )
            .await?,
        ))
    }
    /// A step of an order (see docs/procurement.md for who does what, when).
    async fn order_action(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        action: OrderAction,
        input: Option<OrderStepInput>,
        comment: Option<String>,
    ) -> Result<Order> {
        let u = require_user(ctx)?;
        let i = input.unwrap_or_default();
        let received = i
            .received
            .iter()
            .map(|r| Ok((parse_id("lineId", &r.line_id)?, r.quantity)))
            .collect::<Result<Vec<_>, mufakat_core::AppError>>()?;
        Ok(Order(
            orders::act(
                state(ctx),
                u,
                parse_id("orderId", &order_id)?,
                &snake(action),
                orders::Step {
                    total: i.total,
                    received,
                    amount: i.amount,
                    reference: i.reference,
                },
                comment,
            )
            .await?,
        ))
    }
}
