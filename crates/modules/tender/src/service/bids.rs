//! Sealed bids. A vendor who may take part (verified and not blacklisted; invited to a
//! mini-competition, or in the package's business field for a tender) submits a bid sealed to
//! the procedure's public key: sealed on the vendor's side (`mufakat bid seal`), or sealed here
//! from the price, technical offer and documents before anything is stored or logged. The
//! ciphertext goes to the blob store; the database keeps its SHA-256 and size, and so does the
//! `submit_bid` transition's audit event. The vendor's receipt is that hash and the time.
//! A later bid replaces the vendor's earlier one; a bid may be withdrawn. The deadline is the
//! server's clock read in the write's turn at the chain head: a bid that gets there one
//! millisecond late is refused, and the closing timer (which also takes that turn) seals only
//! what came before it.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_module_procurement::entity::{catalogue_item, vendor};
use mufakat_module_procurement::service::catalogue::BUYABLE;
use mufakat_module_procurement::service::packages::get_package;
use mufakat_module_procurement::service::vendors::kbli_of;
use mufakat_module_procurement::service::{get_vendor, membership, money, require_active_vendor};
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::{fire, get_procedure, MINI, OPEN_FOR_BIDS};
use crate::entity::{bid, invite, procedure};
use crate::seal::{self, Envelope, EnvelopeDocument};

/// What a vendor keeps: the hash of what was stored and when the server took it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub bid: bid::Model,
    pub procedure_number: String,
}

/// A document of a bid sealed by the server.
pub struct PlainDocument {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `CONFLICT`: the deadline has passed.
pub fn too_late(p: &procedure::Model) -> AppError {
    AppError::conflict(
        format!(
            "Batas akhir pemasukan penawaran {} sudah lewat ({}): penawaran tidak diterima.",
            p.number,
            p.bid_deadline
                .with_timezone(&super::wib())
                .format("%d-%m-%Y %H:%M:%S WIB")
        ),
        format!(
            "The bid deadline of {} has passed ({}): the bid is not accepted.",
            p.number,
            p.bid_deadline.format("%Y-%m-%d %H:%M:%S UTC")
        ),
    )
}

/// Whether the vendor has an item on the local e-catalogue (a mini-competition invites those).
pub async fn in_catalogue(db: &impl ConnectionTrait, vendor_id: i32) -> AppResult<bool> {
    Ok(catalogue_item::Entity::find()
        .filter(catalogue_item::Column::VendorId.eq(vendor_id))
        .filter(catalogue_item::Column::Status.is_in(BUYABLE))
        .count(db)
        .await
        .db()?
        > 0)
}

/// The vendor `user` acts for, if it may take part in `p`; else `FORBIDDEN` (not a vendor's
/// member, not invited) or `CONFLICT` (not verified, blacklisted, outside the field).
pub async fn bidder(
    state: &AppState,
    user: &CurrentUser,
    p: &procedure::Model,
) -> AppResult<vendor::Model> {
    let m = membership(&state.db, user)
        .await?
        .ok_or(AppError::Forbidden)?;
    let v = get_vendor(&state.db, m.vendor_id).await?;
    if p.method == MINI {
        let invited = invite::Entity::find()
            .filter(invite::Column::ProcedureId.eq(p.id))
            .filter(invite::Column::VendorId.eq(v.id))
            .count(&state.db)
            .await
            .db()?;
        if invited == 0 {
            return Err(AppError::Forbidden);
        }
    }
    require_active_vendor(&v, state.now())?;
    if p.method != MINI {
        let pkg = get_package(&state.db, p.package_id).await?;
        if !pkg.category.is_empty() && !kbli_of(&v).contains(&pkg.category) {
            return Err(AppError::conflict(
                format!(
                    "Tender ini untuk penyedia dengan bidang usaha KBLI {}; {} tidak memilikinya.",
                    pkg.category, v.name
                ),
                format!(
                    "This tender is for vendors in business field KBLI {}; {} is not.",
                    pkg.category, v.name
                ),
            ));
        }
    }
    Ok(v)
}

/// A bid sealed by the vendor: the age file's bytes.
pub async fn submit_sealed(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    sealed: Bytes,
) -> AppResult<Receipt> {
    if !seal::looks_sealed(&sealed) {
        return Err(AppError::validation(
            "sealed",
            "format",
            "Penawaran tersegel harus berkas age (dibuat dengan `mufakat bid seal` dan kunci publik pemilihan).",
            "A sealed bid must be an age file (made with `mufakat bid seal` and the procedure's public key).",
        ));
    }
    if sealed.len() > seal::MAX_SEALED_BYTES {
        return Err(AppError::validation(
            "sealed",
            "size",
            format!(
                "Penawaran paling besar {} MB.",
                seal::MAX_SEALED_BYTES / 1024 / 1024
            ),
            format!(
                "A bid is at most {} MB.",
                seal::MAX_SEALED_BYTES / 1024 / 1024
            ),
        ));
    }
    let p = get_procedure(&state.db, procedure_id).await?;
    let v = bidder(state, user, &p).await?;
    store(state, user, p, v, sealed).await
}

/// A bid sealed here: its price, technical offer and documents are encrypted to the
/// procedure's public key in memory, before anything is stored; only the ciphertext is kept.
pub async fn submit_plain(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    price: rust_decimal::Decimal,
    technical: &str,
    documents: Vec<PlainDocument>,
) -> AppResult<Receipt> {
    let p = get_procedure(&state.db, procedure_id).await?;
    let v = bidder(state, user, &p).await?;
    let mut errors: Vec<FieldError> = vec![];
    let price = match money("price", price) {
        Ok(m) if m.amount() > rust_decimal::Decimal::ZERO => m.amount(),
        Ok(_) => {
            errors.push(FieldError::new(
                "price",
                "range",
                "Harga penawaran harus lebih dari 0.",
                "The price must be above 0.",
            ));
            rust_decimal::Decimal::ZERO
        }
        Err(e) => {
            errors.push(e);
            rust_decimal::Decimal::ZERO
        }
    };
    let technical = mufakat_module_procurement::service::text(
        &mut errors,
        "technical",
        technical,
        20_000,
        false,
    );
    if documents.len() > 20 {
        errors.push(FieldError::new(
            "documents",
            "count",
            "Paling banyak 20 dokumen.",
            "At most 20 documents.",
        ));
    }
    let max = mufakat_module_procurement::runtime::get(state)?.upload_max_bytes;
    let mut docs = vec![];
    for (i, d) in documents.iter().enumerate() {
        let head = &d.bytes[..d.bytes.len().min(64)];
        match mufakat_procurement::check_upload(&d.content_type, d.bytes.len(), head, max) {
            Ok(ct) => docs.push(EnvelopeDocument {
                name: d.name.trim().chars().take(200).collect(),
                content_type: ct.into(),
                data: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &d.bytes),
            }),
            Err(e) => {
                let mut fe: FieldError = e.into();
                fe.field = format!("documents[{i}]");
                errors.push(fe);
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let envelope = Envelope {
        procedure: p.number.clone(),
        price,
        technical,
        documents: docs,
    };
    let sealed =
        seal::seal(&p.public_key, &envelope).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    store(state, user, p, v, Bytes::from(sealed)).await
}

async fn store(
    state: &AppState,
    user: &CurrentUser,
    p: procedure::Model,
    v: vendor::Model,
    sealed: Bytes,
) -> AppResult<Receipt> {
    if p.status != OPEN_FOR_BIDS || state.now() >= p.bid_deadline {
        return Err(too_late(&p));
    }
    // The ciphertext is stored first, under its content address: a refused write leaves an
    // unreferenced blob that nobody can read, never a row without its bytes.
    let (sha256, key) = mufakat_module_procurement::runtime::get(state)?
        .put(&sealed)
        .await?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    // In the write's turn: the state and the clock decide, after every earlier write and
    // before the closing timer if it comes later.
    let p = get_procedure(&txn, p.id).await?;
    let now = state.now();
    if p.status != OPEN_FOR_BIDS || now >= p.bid_deadline {
        return Err(too_late(&p));
    }
    chain.now = now;
    bid::Entity::update_many()
        .col_expr(bid::Column::Status, Expr::value("replaced"))
        .filter(bid::Column::ProcedureId.eq(p.id))
        .filter(bid::Column::VendorId.eq(v.id))
        .filter(bid::Column::Status.eq("sealed"))
        .exec(&txn)
        .await
        .db()?;
    let b = bid::ActiveModel {
        procedure_id: Set(p.id),
        vendor_id: Set(v.id),
        status: Set("sealed".into()),
        storage_key: Set(key),
        sha256: Set(sha256.clone()),
        size_bytes: Set(sealed.len() as i64),
        submitted_by: Set(user.id),
        submitted_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    let mut input = Map::new();
    input.insert("bid".into(), json!(b.id.to_string()));
    input.insert("sha256".into(), json!(sha256));
    fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "submit_bid",
        input,
        None,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(Receipt {
        bid: b,
        procedure_number: p.number,
    })
}

/// Withdraws the vendor's sealed bid before the deadline.
pub async fn withdraw(state: &AppState, user: &CurrentUser, bid_id: i32) -> AppResult<bid::Model> {
    let b = get_bid(&state.db, bid_id).await?;
    let m = membership(&state.db, user).await?;
    if m.map(|m| m.vendor_id) != Some(b.vendor_id) {
        return Err(AppError::Forbidden);
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, b.procedure_id).await?;
    let b = get_bid(&txn, bid_id).await?;
    if p.status != OPEN_FOR_BIDS || state.now() >= p.bid_deadline {
        return Err(too_late(&p));
    }
    if b.status != "sealed" {
        return Err(AppError::conflict(
            "Penawaran ini sudah diganti atau ditarik.",
            "This bid has been replaced or withdrawn.",
        ));
    }
    bid::Entity::update_many()
        .col_expr(bid::Column::Status, Expr::value("withdrawn"))
        .filter(bid::Column::Id.eq(b.id))
        .exec(&txn)
        .await
        .db()?;
    fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "withdraw_bid",
        super::one("bid", b.id.to_string()),
        None,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_bid(&state.db, bid_id).await
}

pub async fn get_bid(db: &impl ConnectionTrait, id: i32) -> AppResult<bid::Model> {
    bid::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "bid" })
}

/// Every bid of a procedure in order of submission (all statuses).
pub async fn of_procedure(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<bid::Model>> {
    bid::Entity::find()
        .filter(bid::Column::ProcedureId.eq(procedure_id))
        .order_by_asc(bid::Column::Id)
        .all(db)
        .await
        .db()
}

/// The bids sealed now (the ones the deadline will seal).
pub async fn sealed_count(db: &impl ConnectionTrait, procedure_id: i32) -> AppResult<u64> {
    bid::Entity::find()
        .filter(bid::Column::ProcedureId.eq(procedure_id))
        .filter(bid::Column::Status.eq("sealed"))
        .count(db)
        .await
        .db()
}

/// When a bid was taken, for receipts.
pub fn receipt_time(b: &bid::Model) -> DateTime<Utc> {
    b.submitted_at
}
