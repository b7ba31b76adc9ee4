//! Procurement's use cases, one file each: `vendors` (registration, profile, verification,
//! blacklist), `documents` (uploads to the blob store and who may read them), `catalogue`
//! (items, prices and their approval, search, price statistics), `packages` (plan lines,
//! packages within their line's budget, the method by thresholds, the public plan, split
//! flags) and `orders` (e-purchasing and direct procurement to payment). What they share is
//! here: money fields, the status change of a module row through its case, and membership of
//! a vendor company.

pub mod catalogue;
pub mod catalogue_index;
pub mod documents;
pub mod orders;
pub mod packages;
pub mod papers;
pub mod vendors;

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, FieldError, Money};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting, Fired};
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value};

use crate::entity::{vendor, vendor_member};

pub const VENDOR_WORKFLOW: &str = "procurement-penyedia";
pub const ITEM_WORKFLOW: &str = "procurement-katalog";
pub const PACKAGE_WORKFLOW: &str = "procurement-paket";
pub const EPURCHASING_WORKFLOW: &str = "procurement-epurchasing";
pub const DIRECT_WORKFLOW: &str = "procurement-langsung";

/// An amount of money given by a user: at most two decimals, not negative.
pub fn money(field: &str, d: Decimal) -> Result<Money, FieldError> {
    let m = Money::new(d).map_err(|_| {
        FieldError::new(
            field,
            "money",
            "Jumlah uang paling banyak dua angka desimal.",
            "An amount has at most two decimals.",
        )
    })?;
    if m.amount().is_sign_negative() {
        return Err(FieldError::new(
            field,
            "range",
            "Jumlah tidak boleh negatif.",
            "An amount cannot be negative.",
        ));
    }
    Ok(m)
}

/// Whole sen for storage.
pub fn sen(field: &str, m: Money) -> AppResult<i64> {
    m.to_minor_units().map_err(|_| {
        AppError::validation(field, "range", "Jumlah terlalu besar.", "Amount too large.")
    })
}

pub fn from_sen(s: i64) -> Decimal {
    Money::from_minor_units(s).amount()
}

/// A money input in sen, as one `VALIDATION` error.
pub fn money_sen(field: &str, d: Decimal) -> AppResult<i64> {
    let m = money(field, d).map_err(|e| AppError::Validation(vec![e]))?;
    sen(field, m)
}

/// Text within bounds (required when `required`), trimmed.
pub fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            format!("Wajib diisi (paling banyak {max} karakter)."),
            format!("Required (at most {max} characters)."),
        ));
    } else if let Some(e) = mufakat_core::text::check(field, v, max, max > 200) {
        errors.push(e);
    }
    v.to_owned()
}

/// A date people give (validity, schedule): between 2000 and 2100.
pub fn check_date(field: &str, d: chrono::NaiveDate) -> AppResult<()> {
    use chrono::Datelike;
    if !(2000..=2100).contains(&d.year()) {
        return Err(AppError::validation(
            field,
            "range",
            "Tanggal harus antara tahun 2000 dan 2100.",
            "The date must be between the years 2000 and 2100.",
        ));
    }
    Ok(())
}

pub fn one_json(key: &str, v: impl Into<Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(key.into(), v.into());
    m
}

/// Fires `transition` on a module's case inside the caller's audited write (the kernel checks
/// the acting user's roles for the case's region; the module has checked the rest).
pub async fn fire(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    instance_id: Option<i32>,
    transition: &str,
    input: Map<String, Value>,
    comment: Option<String>,
) -> AppResult<Fired> {
    let id =
        instance_id.ok_or_else(|| AppError::internal(anyhow::anyhow!("row without a case")))?;
    cases::fire_in(
        state,
        txn,
        chain,
        Acting::User(user),
        id,
        transition,
        input,
        comment,
        None,
        false,
    )
    .await
}

/// The vendor company `user` acts for, if any.
pub async fn membership(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> AppResult<Option<vendor_member::Model>> {
    vendor_member::Entity::find()
        .filter(vendor_member::Column::UserId.eq(user.id))
        .one(db)
        .await
        .db()
}

/// `FORBIDDEN` unless `user` acts for vendor `vendor_id` (and, with `admin`, administers it).
pub async fn require_member(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    vendor_id: i32,
    admin: bool,
) -> AppResult<vendor_member::Model> {
    match membership(db, user).await? {
        Some(m) if m.vendor_id == vendor_id && (m.is_admin || !admin) => Ok(m),
        _ => Err(AppError::Forbidden),
    }
}

pub async fn get_vendor(db: &impl ConnectionTrait, id: i32) -> AppResult<vendor::Model> {
    vendor::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "vendor" })
}

/// A vendor may sell or take part in a procurement: verified and not blacklisted.
pub fn require_active_vendor(v: &vendor::Model, now: DateTime<Utc>) -> AppResult<()> {
    if v.status != "verified" || v.blacklisted_until.is_some_and(|t| t > now) {
        return Err(AppError::conflict(
            format!(
                "Penyedia {} belum terverifikasi atau sedang dibekukan/masuk daftar hitam.",
                v.name
            ),
            format!(
                "Vendor {} is not verified, or is suspended or blacklisted.",
                v.name
            ),
        ));
    }
    Ok(())
}

/// A state's title in a module workflow (Indonesian), or its name in words.
pub fn state_title(
    state: &AppState,
    workflow: &str,
    status: &str,
    lang: mufakat_core::Lang,
) -> String {
    state.workflows.state_title(workflow, status, lang)
}
