//! From award to contract: the package's PPK issues the letter of award (SPPBJ) once the
//! objection period is over and nothing is pending, then signs the contract at the winning
//! price (its case `procurement-kontrak`, linked to the package, hence the plan line and the
//! musrenbang proposal). Amendments (adendum) change the value or the end date with a reason,
//! within the package's pagu and at most 10 % above the original value (Perpres 16/2018
//! art. 54); finance staff record the final payment; the PPK may terminate it. The package's
//! case moves with the contract.

use chrono::{Datelike, NaiveDate};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages::{get_package, set_status};
use mufakat_module_procurement::service::{check_date, from_sen, money_sen, text};
use mufakat_procurement::format_rupiah;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::procedures::set_state;
use super::{fire, get_procedure, one, require_state, CONTRACT_WORKFLOW};
use crate::entity::{amendment, contract, procedure};

async fn require_ppk(state: &AppState, user: &CurrentUser, package_id: i32) -> AppResult<()> {
    if get_package(&state.db, package_id).await?.ppk_id == user.id {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The SPPBJ's number (one per procedure).
pub fn sppbj_number(p: &procedure::Model) -> String {
    format!(
        "SPPBJ-{}-{:05}",
        p.sppbj_at.map_or(p.created_at.year(), |t| t.year()),
        p.id
    )
}

/// The PPK issues the letter of award.
pub async fn issue_sppbj(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
) -> AppResult<procedure::Model> {
    let p = get_procedure(&state.db, procedure_id).await?;
    require_ppk(state, user, p.package_id).await?;
    let pkg = get_package(&state.db, p.package_id).await?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &["objection_closed"],
        "SPPBJ diterbitkan setelah masa sanggah",
        "The SPPBJ is issued after the objection period",
    )?;
    if let Some((id, en)) =
        super::objections::blocking(state, &txn, &p, &pkg.kind, chain.now).await?
    {
        return Err(AppError::conflict(id, en));
    }
    let now = chain.now;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "issue_sppbj",
        Map::new(),
        None,
    )
    .await?;
    set_state(&txn, &p, &fired.case.state, now, |u| {
        u.col_expr(procedure::Column::SppbjAt, Expr::value(now))
    })
    .await?;
    let award = super::publish::award_of(&txn, &p, "active", now).await?;
    super::publish::publish(state, &txn, p.package_id, |pr, seq| {
        crate::ocds::award_release(pr, seq, now, &award, &[], true)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

/// What signing takes.
#[derive(Debug, Clone)]
pub struct Signing {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub payment_terms: String,
}

/// The PPK signs the contract with the winner at the winning price.
pub async fn sign(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    s: Signing,
) -> AppResult<contract::Model> {
    let p = get_procedure(&state.db, procedure_id).await?;
    require_ppk(state, user, p.package_id).await?;
    check_date("startsOn", s.starts_on)?;
    check_date("endsOn", s.ends_on)?;
    if s.ends_on < s.starts_on {
        return Err(AppError::validation(
            "endsOn",
            "range",
            "Tanggal akhir tidak boleh sebelum tanggal mulai.",
            "The end cannot be before the start.",
        ));
    }
    let mut errors = vec![];
    let terms = text(&mut errors, "paymentTerms", &s.payment_terms, 4000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &["awarded"],
        "Kontrak ditandatangani setelah SPPBJ",
        "The contract is signed after the SPPBJ",
    )?;
    let w = super::bids::get_bid(
        &txn,
        p.winner_bid_id
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("awarded without a winner")))?,
    )
    .await?;
    let value = w
        .price_sen
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("winner without a price")))?;
    let pkg = get_package(&txn, p.package_id).await?;
    let mut fields = Map::new();
    fields.insert("package".into(), json!(pkg.id.to_string()));
    fields.insert("vendor".into(), json!(w.vendor_id.to_string()));
    fields.insert("value".into(), json!(from_sen(value).to_string()));
    fields.insert("ends_on".into(), json!(s.ends_on.to_string()));
    let started = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        CONTRACT_WORKFLOW,
        pkg.region_id,
        fields,
    )
    .await?;
    let now = chain.now;
    let c = contract::ActiveModel {
        instance_id: Set(Some(started.case.id)),
        package_id: Set(pkg.id),
        procedure_id: Set(Some(p.id)),
        bid_id: Set(Some(w.id)),
        vendor_id: Set(w.vendor_id),
        number: Set(format!("tmp-{}", started.case.id)),
        sppbj_number: Set(sppbj_number(&p)),
        sppbj_at: Set(p.sppbj_at.unwrap_or(now)),
        value_sen: Set(value),
        starts_on: Set(s.starts_on),
        ends_on: Set(s.ends_on),
        payment_terms: Set(terms),
        status: Set(started.case.state.clone()),
        paid_sen: Set(None),
        signed_by: Set(user.id),
        signed_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    contract::Entity::update_many()
        .col_expr(
            contract::Column::Number,
            Expr::value(format!("KTR-{}-{:05}", now.year(), c.id)),
        )
        .filter(contract::Column::Id.eq(c.id))
        .exec(&txn)
        .await
        .db()?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "sign",
        one("contract", c.id.to_string()),
        None,
    )
    .await?;
    set_state(&txn, &p, &fired.case.state, now, |u| u).await?;
    let pf = mufakat_module_procurement::service::fire(
        state,
        &txn,
        &mut chain,
        user,
        pkg.instance_id,
        "contract",
        Map::new(),
        None,
    )
    .await?;
    set_status(&txn, pkg.id, &pf.case.state).await?;
    let oc = super::publish::contract_of(&txn, &get(&txn, c.id).await?).await?;
    super::publish::publish(state, &txn, pkg.id, |pr, seq| {
        crate::ocds::contract_release(pr, seq, now, &oc)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get(&state.db, c.id).await
}

/// The original value of a contract (before any amendment).
async fn original_value(db: &impl ConnectionTrait, c: &contract::Model) -> AppResult<i64> {
    match c.bid_id {
        Some(b) => Ok(super::bids::get_bid(db, b)
            .await?
            .price_sen
            .unwrap_or(c.value_sen)),
        None => Ok(c.value_sen),
    }
}

/// An amendment (adendum).
pub async fn amend(
    state: &AppState,
    user: &CurrentUser,
    contract_id: i32,
    value: Decimal,
    ends_on: NaiveDate,
    reason: &str,
) -> AppResult<contract::Model> {
    let c = get(&state.db, contract_id).await?;
    require_ppk(state, user, c.package_id).await?;
    let v = money_sen("value", value)?;
    check_date("endsOn", ends_on)?;
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 4000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if ends_on < c.starts_on || v <= 0 {
        return Err(AppError::validation(
            "endsOn",
            "range",
            "Nilai harus lebih dari 0 dan tanggal akhir setelah tanggal mulai.",
            "The value must be above 0 and the end after the start.",
        ));
    }
    let pkg = get_package(&state.db, c.package_id).await?;
    let original = original_value(&state.db, &c).await?;
    let cap = (i128::from(original) * 110 / 100).min(i128::from(pkg.pagu_sen));
    if i128::from(v) > cap {
        let cap = from_sen(cap as i64);
        return Err(AppError::validation("value", "range", format!("Nilai adendum paling tinggi {} (110 % nilai awal, dalam pagu paket).", format_rupiah(cap)), format!("An amended value is at most {} (110 % of the original, within the package's pagu).", format_rupiah(cap))));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let c = get(&txn, contract_id).await?;
    let mut input = Map::new();
    input.insert("value".into(), json!(from_sen(v).to_string()));
    input.insert("ends_on".into(), json!(ends_on.to_string()));
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        c.instance_id,
        "amend",
        input,
        Some(reason.clone()),
    )
    .await?;
    let n = amendment::Entity::find()
        .filter(amendment::Column::ContractId.eq(c.id))
        .count(&txn)
        .await
        .db()?;
    amendment::ActiveModel {
        contract_id: Set(c.id),
        number: Set(n as i32 + 1),
        value_sen: Set(v),
        ends_on: Set(ends_on),
        reason: Set(reason.clone()),
        created_by: Set(user.id),
        created_at: Set(chain.now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    let mut m: contract::ActiveModel = c.into();
    m.value_sen = Set(v);
    m.ends_on = Set(ends_on);
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(chain.now);
    let c = m.update(&txn).await.db()?;
    let oc = super::publish::contract_of(&txn, &c).await?;
    let at = chain.now;
    super::publish::publish(state, &txn, c.package_id, |pr, seq| {
        crate::ocds::contract_amendment_release(pr, seq, at, &oc, n as i32 + 1, &reason)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get(&state.db, contract_id).await
}

/// Finance staff record the final payment: the contract and its package are complete.
pub async fn complete(
    state: &AppState,
    user: &CurrentUser,
    contract_id: i32,
    paid: Decimal,
) -> AppResult<contract::Model> {
    let c = get(&state.db, contract_id).await?;
    let a = money_sen("paid", paid)?;
    if a <= 0 || a > c.value_sen {
        return Err(AppError::validation(
            "paid",
            "range",
            format!(
                "Jumlah dibayar harus lebih dari 0 dan paling banyak nilai kontrak {}.",
                format_rupiah(from_sen(c.value_sen))
            ),
            format!(
                "The amount must be above 0 and at most the contract's value {}.",
                format_rupiah(from_sen(c.value_sen))
            ),
        ));
    }
    let path = state
        .region_path(get_package(&state.db, c.package_id).await?.region_id)
        .await;
    state.authz.require(
        user,
        &path,
        mufakat_module_procurement::perms::VENDOR_BANK_READ,
    )?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let c = get(&txn, contract_id).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        c.instance_id,
        "complete",
        one("paid", from_sen(a).to_string()),
        None,
    )
    .await?;
    let pkg = get_package(&txn, c.package_id).await?;
    let pf = mufakat_module_procurement::service::fire(
        state,
        &txn,
        &mut chain,
        user,
        pkg.instance_id,
        "complete",
        Map::new(),
        None,
    )
    .await?;
    set_status(&txn, pkg.id, &pf.case.state).await?;
    let mut m: contract::ActiveModel = c.into();
    m.paid_sen = Set(Some(a));
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(chain.now);
    let c = m.update(&txn).await.db()?;
    let oc = super::publish::contract_of(&txn, &c).await?;
    let payee = super::publish::vendor_party(
        &mufakat_module_procurement::service::get_vendor(&txn, c.vendor_id).await?,
        "payee",
    );
    let at = chain.now;
    super::publish::publish(state, &txn, c.package_id, |pr, seq| {
        crate::ocds::implementation_release(pr, seq, at, &oc, Some((from_sen(a), &payee)), None)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get(&state.db, contract_id).await
}

/// The PPK terminates the contract (pemutusan), with the reason; the package is bought again.
pub async fn terminate(
    state: &AppState,
    user: &CurrentUser,
    contract_id: i32,
    reason: &str,
) -> AppResult<contract::Model> {
    let c = get(&state.db, contract_id).await?;
    require_ppk(state, user, c.package_id).await?;
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 4000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let c = get(&txn, contract_id).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        c.instance_id,
        "terminate",
        Map::new(),
        Some(reason.clone()),
    )
    .await?;
    let pkg = get_package(&txn, c.package_id).await?;
    let pf = mufakat_module_procurement::service::fire(
        state,
        &txn,
        &mut chain,
        user,
        pkg.instance_id,
        "reopen",
        Map::new(),
        Some(reason),
    )
    .await?;
    set_status(&txn, pkg.id, &pf.case.state).await?;
    let mut m: contract::ActiveModel = c.into();
    m.status = Set(fired.case.state.clone());
    m.updated_at = Set(chain.now);
    let c = m.update(&txn).await.db()?;
    let oc = super::publish::contract_of(&txn, &c).await?;
    let at = chain.now;
    let why = fired.outcome.comment.clone().unwrap_or_default();
    super::publish::publish(state, &txn, c.package_id, |pr, seq| {
        crate::ocds::implementation_release(pr, seq, at, &oc, None, Some(&why))
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get(&state.db, contract_id).await
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<contract::Model> {
    contract::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "contract" })
}

pub async fn amendments(
    db: &impl ConnectionTrait,
    contract_id: i32,
) -> AppResult<Vec<amendment::Model>> {
    amendment::Entity::find()
        .filter(amendment::Column::ContractId.eq(contract_id))
        .order_by_asc(amendment::Column::Number)
        .all(db)
        .await
        .db()
}

pub async fn of_package(
    db: &impl ConnectionTrait,
    package_id: i32,
) -> AppResult<Vec<contract::Model>> {
    contract::Entity::find()
        .filter(contract::Column::PackageId.eq(package_id))
        .order_by_asc(contract::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn of_procedure(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Option<contract::Model>> {
    contract::Entity::find()
        .filter(contract::Column::ProcedureId.eq(procedure_id))
        .one(db)
        .await
        .db()
}
