//! Procurement II's GraphQL output types. What each field shows, and to whom, follows the
//! sealing: before the opening a bid is only its receipt, and only to its own vendor.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use mufakat_kernel::graphql::{req, state};
use mufakat_module_procurement::graphql::types::{Package, Vendor};
use mufakat_module_procurement::service::{from_sen, get_vendor, membership};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;

use crate::entity::{amendment, bid, contract, objection, procedure, question};
use crate::service::{
    self as svc, bids, clarification, contracts, is_insider, objections, procedures,
    ANNOUNCED_AWARD,
};

fn user<'a>(ctx: &Context<'a>) -> Option<&'a mufakat_kernel::auth::CurrentUser> {
    req(ctx).user.as_ref()
}

async fn insider(ctx: &Context<'_>, p: &procedure::Model) -> Result<bool> {
    Ok(match user(ctx) {
        Some(u) => is_insider(state(ctx), u, p).await?,
        None => false,
    })
}

async fn own_vendor(ctx: &Context<'_>) -> Result<Option<i32>> {
    Ok(match user(ctx) {
        Some(u) => membership(&state(ctx).db, u).await?.map(|m| m.vendor_id),
        None => None,
    })
}

/// A competitive procedure: a mini-competition or a tender.
pub struct Procedure(pub procedure::Model);

#[derive(SimpleObject)]
pub struct PokjaMember {
    pub user_id: ID,
    pub name: String,
    pub is_chair: bool,
}

#[Object]
impl Procedure {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `MK-2026-00001` (mini-competition) or `TD-2026-00001` (tender).
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// `mini_competition` or `tender`.
    async fn method(&self) -> &str {
        &self.0.method
    }
    async fn package(&self, ctx: &Context<'_>) -> Result<Package> {
        Ok(Package(
            mufakat_module_procurement::service::packages::get_package(
                &state(ctx).db,
                self.0.package_id,
            )
            .await?,
        ))
    }
    async fn package_id(&self) -> ID {
        ID(self.0.package_id.to_string())
    }
    async fn hps(&self) -> Decimal {
        from_sen(self.0.hps_sen)
    }
    /// `lowest_price` or `quality_cost`.
    async fn evaluation(&self) -> &str {
        &self.0.evaluation
    }
    /// With `quality_cost`: the technical score's weight in percent.
    async fn quality_weight(&self) -> i32 {
        self.0.quality_weight
    }
    async fn qualification(&self) -> &str {
        &self.0.qualification
    }
    /// The documents and schedule as announced, with their amendments.
    async fn documents(&self) -> &str {
        &self.0.documents
    }
    async fn min_bids(&self) -> i32 {
        self.0.min_bids
    }
    /// The server's clock decides: a bid after this instant is refused.
    async fn bid_deadline(&self) -> DateTime<Utc> {
        self.0.bid_deadline
    }
    /// The age X25519 public key bids are sealed to (`mufakat bid seal --key …`).
    async fn public_key(&self) -> &str {
        &self.0.public_key
    }
    async fn opened_at(&self) -> Option<DateTime<Utc>> {
        self.0.opened_at
    }
    async fn award_announced_at(&self) -> Option<DateTime<Utc>> {
        self.0.award_at
    }
    /// The end of the objection period (sanggah).
    async fn objection_ends(&self) -> Option<DateTime<Utc>> {
        self.0.objection_ends
    }
    async fn sppbj_at(&self) -> Option<DateTime<Utc>> {
        self.0.sppbj_at
    }
    async fn sppbj_number(&self) -> Option<String> {
        self.0.sppbj_at.map(|_| contracts::sppbj_number(&self.0))
    }
    /// `announced`, `closed`, `opened`, `evaluated`, `award_announced`, `objection_closed`,
    /// `awarded`, `contracted`, `unsuccessful`, `cancelled`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        state(ctx)
            .workflows
            .state_title(svc::workflow_of(&self.0), &self.0.status, req(ctx).lang)
    }
    /// The failed or cancelled procedure this one repeats.
    async fn retender_of(&self) -> Option<ID> {
        self.0.retender_of.map(|i| ID(i.to_string()))
    }
    async fn pokja(&self, ctx: &Context<'_>) -> Result<Vec<PokjaMember>> {
        let mut out = vec![];
        for m in svc::pokja_of(&state(ctx).db, self.0.id).await? {
            let name = mufakat_store::entity::user::Entity::find_by_id(m.user_id)
                .one(&state(ctx).db)
                .await
                .ok()
                .flatten()
                .map(|u| u.display_name)
                .unwrap_or_default();
            out.push(PokjaMember {
                user_id: ID(m.user_id.to_string()),
                name,
                is_chair: m.is_chair,
            });
        }
        Ok(out)
    }
    /// A mini-competition's invited vendors.
    async fn invited(&self, ctx: &Context<'_>) -> Result<Vec<Vendor>> {
        let mut out = vec![];
        for i in procedures::invited(&state(ctx).db, self.0.id).await? {
            out.push(Vendor(get_vendor(&state(ctx).db, i.vendor_id).await?));
        }
        Ok(out)
    }
    /// The clarification: every question and answer, for everyone (the asker is not named).
    async fn questions(&self, ctx: &Context<'_>) -> Result<Vec<Question>> {
        Ok(clarification::of_procedure(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Question)
            .collect())
    }
    /// Bids sealed and not replaced or withdrawn. Before the opening only the Pokja sees the
    /// number (`null` for others); afterwards everyone.
    async fn sealed_bid_count(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let p = &self.0;
        if p.opened_at.is_some() {
            let n = bids::of_procedure(&state(ctx).db, p.id)
                .await?
                .iter()
                .filter(|b| matches!(b.status.as_str(), "opened" | "unreadable"))
                .count();
            return Ok(Some(n as i32));
        }
        let pokja = match user(ctx) {
            Some(u) => svc::is_pokja(&state(ctx).db, u, p.id).await?,
            None => false,
        };
        Ok(if pokja {
            Some(bids::sealed_count(&state(ctx).db, p.id).await? as i32)
        } else {
            None
        })
    }
    /// Before the opening: the viewer's own company's bids (receipts). After it: every opened
    /// bid (and the viewer's own replaced or withdrawn ones).
    async fn bids(&self, ctx: &Context<'_>) -> Result<Vec<Bid>> {
        let own = own_vendor(ctx).await?;
        let opened = self.0.opened_at.is_some();
        let inside = insider(ctx, &self.0).await?;
        Ok(bids::of_procedure(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .filter(|b| {
                Some(b.vendor_id) == own
                    || (opened && matches!(b.status.as_str(), "opened" | "unreadable"))
            })
            .map(|b| Bid {
                own: Some(b.vendor_id) == own,
                inside,
                procedure: self.0.clone(),
                b,
            })
            .collect())
    }
    /// The proposed or announced winner: for insiders once proposed, for everyone once
    /// announced.
    async fn winner(&self, ctx: &Context<'_>) -> Result<Option<Bid>> {
        let Some(w) = self.0.winner_bid_id else {
            return Ok(None);
        };
        let inside = insider(ctx, &self.0).await?;
        if !inside && !ANNOUNCED_AWARD.contains(&self.0.status.as_str()) {
            return Ok(None);
        }
        let b = bids::get_bid(&state(ctx).db, w).await?;
        Ok(Some(Bid {
            own: own_vendor(ctx).await? == Some(b.vendor_id),
            inside,
            procedure: self.0.clone(),
            b,
        }))
    }
    /// Objections and appeals: public once filed (the objection period is public in SPSE).
    async fn objections(&self, ctx: &Context<'_>) -> Result<Vec<Objection>> {
        Ok(objections::of_procedure(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Objection)
            .collect())
    }
    async fn contract(&self, ctx: &Context<'_>) -> Result<Option<Contract>> {
        Ok(contracts::of_procedure(&state(ctx).db, self.0.id)
            .await?
            .map(Contract))
    }
}

pub struct Question(pub question::Model);

#[Object]
impl Question {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn question(&self) -> &str {
        &self.0.question
    }
    async fn asked_at(&self) -> DateTime<Utc> {
        self.0.asked_at
    }
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// The answer amended the documents.
    async fn amends(&self) -> bool {
        self.0.amends
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
}

/// A bid document, after the opening (its bytes are in the blob store).
#[derive(SimpleObject, serde::Deserialize)]
pub struct BidDocument {
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

pub struct Bid {
    pub b: bid::Model,
    pub procedure: procedure::Model,
    /// The viewer's own company's bid.
    pub own: bool,
    /// The viewer is its Pokja, the package's PPK or an auditor.
    pub inside: bool,
}

impl Bid {
    fn opened(&self) -> bool {
        self.procedure.opened_at.is_some()
    }
    fn evaluation_visible(&self) -> bool {
        ANNOUNCED_AWARD.contains(&self.procedure.status.as_str()) || (self.inside && self.opened())
    }
}

#[Object]
impl Bid {
    async fn id(&self) -> ID {
        ID(self.b.id.to_string())
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Vendor> {
        Ok(Vendor(get_vendor(&state(ctx).db, self.b.vendor_id).await?))
    }
    /// `sealed`, `replaced`, `withdrawn`, `opened` or `unreadable`.
    async fn status(&self) -> &str {
        &self.b.status
    }
    /// SHA-256 of the sealed bid as stored: the receipt, and what the deadline sealed.
    async fn sha256(&self) -> &str {
        &self.b.sha256
    }
    async fn size_bytes(&self) -> i64 {
        self.b.size_bytes
    }
    /// When the server took it.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.b.submitted_at
    }
    /// Known only after the opening (`null` before, to everyone, the vendor included: the
    /// server does not have it).
    async fn price(&self) -> Option<Decimal> {
        if self.opened() {
            self.b.price_sen.map(from_sen)
        } else {
            None
        }
    }
    /// SHA-256 of the decrypted bid, recorded at the opening.
    async fn opened_sha256(&self) -> Option<&str> {
        self.b.opened_sha256.as_deref()
    }
    /// The technical offer: after the opening, for the bidder and insiders.
    async fn technical(&self) -> Option<&str> {
        if self.opened() && (self.own || self.inside) {
            self.b.technical.as_deref()
        } else {
            None
        }
    }
    async fn documents(&self) -> Vec<BidDocument> {
        if !(self.opened() && (self.own || self.inside)) {
            return vec![];
        }
        self.b
            .documents
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    }
    async fn administrative(&self) -> Option<bool> {
        self.evaluation_visible()
            .then_some(self.b.admin_ok)
            .flatten()
    }
    async fn technical_ok(&self) -> Option<bool> {
        self.evaluation_visible()
            .then_some(self.b.tech_ok)
            .flatten()
    }
    async fn technical_score(&self) -> Option<i32> {
        self.evaluation_visible()
            .then_some(self.b.tech_score)
            .flatten()
    }
    async fn score(&self) -> Option<String> {
        self.evaluation_visible()
            .then(|| self.b.score.clone())
            .flatten()
    }
    async fn rank(&self) -> Option<i32> {
        self.evaluation_visible().then_some(self.b.rank).flatten()
    }
    /// Why it was disqualified (or could not be opened).
    async fn reason(&self) -> Option<String> {
        (self.evaluation_visible() || self.b.status == "unreadable")
            .then(|| self.b.reason.clone())
            .flatten()
    }
}

/// What a vendor keeps after submitting.
#[derive(SimpleObject)]
pub struct BidReceipt {
    pub bid_id: ID,
    pub procedure_number: String,
    /// SHA-256 of the sealed bid as stored (also in the audit event).
    pub sha256: String,
    pub size_bytes: i64,
    pub submitted_at: DateTime<Utc>,
}

impl From<bids::Receipt> for BidReceipt {
    fn from(r: bids::Receipt) -> Self {
        BidReceipt {
            bid_id: ID(r.bid.id.to_string()),
            procedure_number: r.procedure_number,
            sha256: r.bid.sha256,
            size_bytes: r.bid.size_bytes,
            submitted_at: r.bid.submitted_at,
        }
    }
}

pub struct Objection(pub objection::Model);

#[Object]
impl Objection {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `objection` (sanggah) or `appeal` (sanggah banding).
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Vendor> {
        Ok(Vendor(get_vendor(&state(ctx).db, self.0.vendor_id).await?))
    }
    /// An appeal's objection.
    async fn objection_id(&self) -> Option<ID> {
        self.0.parent_id.map(|i| ID(i.to_string()))
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    async fn guarantee(&self) -> Option<Decimal> {
        self.0.guarantee_sen.map(from_sen)
    }
    /// `filed`, `overdue`, `upheld` or `rejected`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        state(ctx)
            .workflows
            .state_title(svc::OBJECTION_WORKFLOW, &self.0.status, req(ctx).lang)
    }
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    async fn filed_at(&self) -> DateTime<Utc> {
        self.0.filed_at
    }
    async fn answer_due(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
}

pub struct Contract(pub contract::Model);

#[derive(SimpleObject)]
pub struct ContractAmendment {
    pub number: i32,
    pub value: Decimal,
    pub ends_on: NaiveDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

impl From<amendment::Model> for ContractAmendment {
    fn from(a: amendment::Model) -> Self {
        ContractAmendment {
            number: a.number,
            value: from_sen(a.value_sen),
            ends_on: a.ends_on,
            reason: a.reason,
            created_at: a.created_at,
        }
    }
}

#[Object]
impl Contract {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn number(&self) -> &str {
        &self.0.number
    }
    async fn sppbj_number(&self) -> &str {
        &self.0.sppbj_number
    }
    async fn sppbj_at(&self) -> DateTime<Utc> {
        self.0.sppbj_at
    }
    /// The package (and through it the plan line and the musrenbang proposal).
    async fn package(&self, ctx: &Context<'_>) -> Result<Package> {
        Ok(Package(
            mufakat_module_procurement::service::packages::get_package(
                &state(ctx).db,
                self.0.package_id,
            )
            .await?,
        ))
    }
    async fn procedure(&self, ctx: &Context<'_>) -> Result<Option<Procedure>> {
        Ok(match self.0.procedure_id {
            Some(p) => Some(Procedure(svc::get_procedure(&state(ctx).db, p).await?)),
            None => None,
        })
    }
    async fn vendor(&self, ctx: &Context<'_>) -> Result<Vendor> {
        Ok(Vendor(get_vendor(&state(ctx).db, self.0.vendor_id).await?))
    }
    /// The value after amendments.
    async fn value(&self) -> Decimal {
        from_sen(self.0.value_sen)
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    async fn payment_terms(&self) -> &str {
        &self.0.payment_terms
    }
    /// `signed`, `completed` or `terminated`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn status_title(&self, ctx: &Context<'_>) -> String {
        state(ctx)
            .workflows
            .state_title(svc::CONTRACT_WORKFLOW, &self.0.status, req(ctx).lang)
    }
    async fn paid(&self) -> Option<Decimal> {
        self.0.paid_sen.map(from_sen)
    }
    async fn signed_at(&self) -> DateTime<Utc> {
        self.0.signed_at
    }
    async fn amendments(&self, ctx: &Context<'_>) -> Result<Vec<ContractAmendment>> {
        Ok(contracts::amendments(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// A red flag: a prompt for a human to look, never a verdict.
pub struct RedFlag(pub mufakat_procurement::Flag);

#[Object]
impl RedFlag {
    /// Cardinal's code (`R018` …) or Mufakat's (`M001`).
    async fn code(&self) -> &str {
        self.0.code
    }
    async fn title(&self, ctx: &Context<'_>) -> &str {
        match req(ctx).lang {
            mufakat_core::Lang::En => self.0.name,
            _ => self.0.title_id,
        }
    }
    /// `contracting_process`, `buyer`, `procuring_entity` or `tenderer`.
    async fn scope(&self) -> String {
        serde_json::to_value(self.0.scope)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
    /// The ocid, or the organisation's id.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn ocid(&self) -> Option<&str> {
        self.0.ocid.as_deref()
    }
    /// The indicator's value (a difference, ratio or count; 1 where it is a yes).
    async fn value(&self) -> Option<String> {
        self.0.value.map(|v| v.to_string())
    }
    async fn tenderers(&self) -> &[String] {
        &self.0.tenderers
    }
    /// What the flag rests on: the bids, awards, dates, amounts and the threshold.
    async fn evidence(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::to_value(&self.0.evidence).unwrap_or_default())
    }
}
