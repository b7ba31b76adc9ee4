//! The local e-catalogue: a verified vendor lists an item at a price valid until a date; UKPBJ
//! staff approve the listing and every later price (each proposed price is kept, approved or
//! refused: the price history); a price whose validity ends takes the item out of the
//! catalogue by a timer. Buyers search by words (FTS5 on SQLite, `tsvector` on PostgreSQL),
//! category, region served, vendor and price, and see each category's median and spread.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_procurement::{stats, Kbli, PriceStats};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Map};

use super::{
    fire, from_sen, get_vendor, membership, money_sen, require_active_vendor, require_member, text,
    ITEM_WORKFLOW,
};
use crate::entity::{catalogue_item as item, catalogue_price as price};
use crate::perms;

/// The states in which an item can be bought (at its approved price).
pub const BUYABLE: [&str; 2] = ["listed", "price_review"];

#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub vendor_id: i32,
    pub name: String,
    pub specification: String,
    pub unit: String,
    pub category: String,
    pub region_ids: Vec<i32>,
    pub delivery_days: i32,
    pub min_order: Decimal,
    pub stock: Option<i64>,
    pub price: Decimal,
    pub valid_until: NaiveDate,
}

/// The moment a price valid until `d` (inclusive) ends: the end of that day in WIB (UTC+7).
pub fn end_of_validity(d: NaiveDate) -> DateTime<Utc> {
    let next = d.succ_opt().unwrap_or(d);
    let midnight = Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight"));
    midnight
        .checked_sub_signed(Duration::hours(7))
        .unwrap_or(midnight)
}

fn regions_text(ids: &[i32]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    format!(
        ",{},",
        ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
    )
}

pub fn regions_of(i: &item::Model) -> Vec<i32> {
    i.regions
        .split(',')
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn future_date(field: &str, d: NaiveDate, errors: &mut Vec<FieldError>) {
    if super::check_date(field, d).is_err() {
        errors.push(FieldError::new(
            field,
            "range",
            "Tanggal harus antara tahun 2000 dan 2100.",
            "The date must be between the years 2000 and 2100.",
        ));
    } else if end_of_validity(d) <= chrono::Utc::now() {
        errors.push(FieldError::new(
            field,
            "range",
            "Tanggal berlaku harga harus hari ini atau sesudahnya.",
            "The price must be valid until today or later.",
        ));
    }
}

/// A member of a verified vendor lists an item; it waits for UKPBJ approval.
pub async fn create_item(
    state: &AppState,
    user: &CurrentUser,
    n: NewItem,
) -> AppResult<item::Model> {
    let v = get_vendor(&state.db, n.vendor_id).await?;
    require_member(&state.db, user, v.id, false).await?;
    require_active_vendor(&v, state.now())?;
    let mut errors = vec![];
    let name = text(&mut errors, "name", &n.name, 200, true);
    let spec = text(&mut errors, "specification", &n.specification, 5000, true);
    let unit = text(&mut errors, "unit", &n.unit, 40, true);
    match Kbli::parse(&n.category) {
        Err(e) => {
            let mut f: FieldError = e.into();
            f.field = "category".into();
            errors.push(f);
        }
        Ok(k) if !crate::runtime::get(state)?.kbli.contains_key(k.as_str()) => {
            errors.push(super::vendors::unknown_kbli("category", k.as_str()));
        }
        Ok(_) => {}
    }
    if n.region_ids.is_empty() || n.region_ids.len() > 50 {
        errors.push(FieldError::new(
            "regionIds",
            "count",
            "Pilih 1 sampai 50 wilayah layanan.",
            "Choose 1 to 50 regions served.",
        ));
    }
    for (i, r) in n.region_ids.iter().enumerate() {
        if state.regions.read().await.get(*r).is_none() {
            errors.push(FieldError::new(
                format!("regionIds[{i}]"),
                "unknown",
                "Wilayah tidak dikenal.",
                "Unknown region.",
            ));
        }
    }
    if !(0..=365).contains(&n.delivery_days) {
        errors.push(FieldError::new(
            "deliveryDays",
            "range",
            "Waktu pengiriman 0 sampai 365 hari.",
            "Delivery time is 0 to 365 days.",
        ));
    }
    if n.min_order <= Decimal::ZERO || n.stock.is_some_and(|s| s < 0) {
        errors.push(FieldError::new(
            "minOrder",
            "range",
            "Pesanan minimum harus lebih dari 0 dan stok tidak negatif.",
            "The minimum order must be above 0 and the stock not negative.",
        ));
    }
    future_date("validUntil", n.valid_until, &mut errors);
    let price_sen = super::money("price", n.price)
        .map_err(|e| errors.push(e))
        .ok()
        .and_then(|m| m.to_minor_units().ok());
    let (Some(price_sen), true) = (price_sen, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    if price_sen == 0 {
        return Err(AppError::validation(
            "price",
            "range",
            "Harga harus lebih dari 0.",
            "The price must be above 0.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut fields = Map::new();
    fields.insert("name".into(), json!(name));
    fields.insert("price".into(), json!(from_sen(price_sen).to_string()));
    fields.insert("valid_until".into(), json!(n.valid_until.to_string()));
    fields.insert(
        "expires_at".into(),
        json!(end_of_validity(n.valid_until).to_rfc3339()),
    );
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        ITEM_WORKFLOW,
        v.region_id,
        fields,
    )
    .await?;
    let it = item::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        vendor_id: Set(v.id),
        name: Set(name),
        specification: Set(spec),
        unit: Set(unit),
        category: Set(n.category.trim().to_owned()),
        regions: Set(regions_text(&n.region_ids)),
        delivery_days: Set(n.delivery_days),
        min_order: Set(n.min_order.normalize().to_string()),
        stock: Set(n.stock),
        price_sen: Set(price_sen),
        valid_until: Set(n.valid_until),
        status: Set(fired.case.state.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    price::ActiveModel {
        item_id: Set(it.id),
        price_sen: Set(price_sen),
        valid_until: Set(n.valid_until),
        status: Set("proposed".into()),
        reason: Set(None),
        proposed_by: Set(user.id),
        proposed_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    super::catalogue_index::notify(&txn).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    crate::runtime::get(state)?.catalogue.changed();
    Ok(it)
}

pub async fn get_item(db: &impl sea_orm::ConnectionTrait, id: i32) -> AppResult<item::Model> {
    item::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "item" })
}

/// A step of an item: `approve`, `reject`, `approve_price`, `reject_price` by UKPBJ staff;
/// `propose_price` (with `new_price`, `valid_until`) and `delist` by the vendor's members
/// (`delist` also by staff).
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    item_id: i32,
    action: &str,
    new_price: Option<Decimal>,
    valid_until: Option<NaiveDate>,
    comment: Option<String>,
) -> AppResult<item::Model> {
    let it = get_item(&state.db, item_id).await?;
    let v = get_vendor(&state.db, it.vendor_id).await?;
    let member = membership(&state.db, user).await?;
    let staff_action = matches!(
        action,
        "approve" | "reject" | "approve_price" | "reject_price"
    );
    let vendor_action = matches!(action, "propose_price");
    match action {
        _ if staff_action => {
            if member.is_some() {
                return Err(AppError::Forbidden);
            }
            state.authz.require(
                user,
                &state.region_path(v.region_id).await,
                perms::CATALOGUE_APPROVE,
            )?;
        }
        _ if vendor_action => {
            require_member(&state.db, user, v.id, false).await?;
            require_active_vendor(&v, state.now())?;
        }
        "delist" => {
            if member.is_some() {
                require_member(&state.db, user, v.id, false).await?;
            } else {
                state.authz.require(
                    user,
                    &state.region_path(v.region_id).await,
                    perms::CATALOGUE_APPROVE,
                )?;
            }
        }
        _ => {
            return Err(AppError::validation(
                "action",
                "unknown",
                "Tindakan tidak dikenal.",
                "Unknown action.",
            ));
        }
    }
    let mut input = Map::new();
    let mut proposed: Option<(i64, NaiveDate)> = None;
    if vendor_action {
        let (Some(p), Some(d)) = (new_price, valid_until) else {
            return Err(AppError::validation(
                "price",
                "required",
                "Isi harga baru dan tanggal berlakunya.",
                "Give the new price and its validity date.",
            ));
        };
        let sen = money_sen("price", p)?;
        let mut errors = vec![];
        future_date("validUntil", d, &mut errors);
        if sen == 0 {
            errors.push(FieldError::new(
                "price",
                "range",
                "Harga harus lebih dari 0.",
                "The price must be above 0.",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        input.insert("new_price".into(), json!(from_sen(sen).to_string()));
        input.insert("new_valid_until".into(), json!(d.to_string()));
        input.insert(
            "new_expires_at".into(),
            json!(end_of_validity(d).to_rfc3339()),
        );
        proposed = Some((sen, d));
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        it.instance_id,
        action,
        input,
        comment.clone(),
    )
    .await?;
    let mut upd = item::Entity::update_many()
        .col_expr(item::Column::Status, Expr::value(fired.case.state.clone()))
        .col_expr(item::Column::UpdatedAt, Expr::value(now))
        .filter(item::Column::Id.eq(it.id));
    // The price history: the pending price is decided, or a new one proposed.
    let pending = price::Entity::find()
        .filter(price::Column::ItemId.eq(it.id))
        .filter(price::Column::Status.eq("proposed"))
        .order_by_desc(price::Column::Id)
        .one(&txn)
        .await
        .db()?;
    let decided = match action {
        "approve" | "approve_price" => Some("approved"),
        "reject" | "reject_price" => Some("rejected"),
        "delist" => Some("withdrawn"),
        _ => None,
    };
    if let (Some(status), Some(p)) = (decided, &pending) {
        price::Entity::update_many()
            .col_expr(price::Column::Status, Expr::value(status))
            .col_expr(price::Column::Reason, Expr::value(comment.clone()))
            .col_expr(price::Column::DecidedBy, Expr::value(user.id))
            .col_expr(price::Column::DecidedAt, Expr::value(now))
            .filter(price::Column::Id.eq(p.id))
            .exec(&txn)
            .await
            .db()?;
        if action == "approve_price" {
            upd = upd
                .col_expr(item::Column::PriceSen, Expr::value(p.price_sen))
                .col_expr(item::Column::ValidUntil, Expr::value(p.valid_until));
        }
    }
    if let Some((sen, d)) = proposed {
        price::ActiveModel {
            item_id: Set(it.id),
            price_sen: Set(sen),
            valid_until: Set(d),
            status: Set("proposed".into()),
            reason: Set(comment),
            proposed_by: Set(user.id),
            proposed_at: Set(now),
            decided_by: Set(None),
            decided_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    upd.exec(&txn).await.db()?;
    super::catalogue_index::notify(&txn).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    crate::runtime::get(state)?.catalogue.changed();
    get_item(&state.db, it.id).await
}

/// Every price of an item, newest first.
pub async fn history(
    db: &impl sea_orm::ConnectionTrait,
    item_id: i32,
) -> AppResult<Vec<price::Model>> {
    price::Entity::find()
        .filter(price::Column::ItemId.eq(item_id))
        .order_by_desc(price::Column::Id)
        .all(db)
        .await
        .db()
}

/// Who may see an item that is not (or no longer) in the catalogue: its vendor's members and
/// catalogue staff.
pub async fn may_see(
    state: &AppState,
    user: Option<&CurrentUser>,
    it: &item::Model,
) -> AppResult<bool> {
    if BUYABLE.contains(&it.status.as_str()) {
        return Ok(true);
    }
    let Some(u) = user else { return Ok(false) };
    if membership(&state.db, u)
        .await?
        .is_some_and(|m| m.vendor_id == it.vendor_id)
    {
        return Ok(true);
    }
    let v = get_vendor(&state.db, it.vendor_id).await?;
    state.authz.allowed(
        u,
        &state.region_path(v.region_id).await,
        perms::CATALOGUE_APPROVE,
    )
}

#[derive(Debug, Clone, Default)]
pub struct Search {
    pub text: Option<String>,
    pub category: Option<String>,
    pub region_id: Option<i32>,
    pub vendor_id: Option<i32>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    /// `PRICE_ASC` (default), `PRICE_DESC`, `NEWEST`.
    pub sort: SearchSort,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    #[default]
    PriceAsc,
    PriceDesc,
    Newest,
}

/// The words of a search, at most 8.
fn tokens(text: &str) -> Vec<String> {
    super::catalogue_index::words_of(text).take(8).collect()
}

/// Items in the catalogue matching `s`, `limit` from `offset`, and the number of matches:
/// searched in the node's snapshot ([`super::catalogue_index`]).
pub async fn search(
    state: &AppState,
    s: &Search,
    limit: u64,
    offset: u64,
) -> AppResult<(Vec<item::Model>, u64)> {
    let words = s.text.as_deref().map(tokens).unwrap_or_default();
    let category = s
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let path = match s.region_id {
        Some(r) => Some(state.region_path(r).await),
        None => None,
    };
    let q = super::catalogue_index::Query {
        words: &words,
        category,
        vendor_id: s.vendor_id,
        regions: path.as_deref(),
        min_price_sen: s.min_price.map(|p| money_sen("minPrice", p)).transpose()?,
        max_price_sen: s.max_price.map(|p| money_sen("maxPrice", p)).transpose()?,
        sort: s.sort,
    };
    let snapshot = crate::runtime::get(state)?.catalogue.get(state).await?;
    let (page, total) = snapshot.index.search(
        &q,
        usize::try_from(limit).unwrap_or(usize::MAX),
        usize::try_from(offset).unwrap_or(usize::MAX),
    );
    Ok((page.into_iter().cloned().collect(), total))
}

/// The current prices of a category's items in the catalogue: count, median, quartiles.
pub async fn category_stats(state: &AppState, category: &str) -> AppResult<Option<PriceStats>> {
    let prices: Vec<i64> = item::Entity::find()
        .select_only()
        .column(item::Column::PriceSen)
        .filter(item::Column::Status.is_in(BUYABLE))
        .filter(item::Column::Category.eq(category))
        .into_tuple()
        .all(&state.db)
        .await
        .db()?;
    let prices: Vec<Decimal> = prices.into_iter().map(from_sen).collect();
    Ok(stats(&prices))
}

/// The distinct categories in the catalogue.
pub async fn categories(state: &AppState) -> AppResult<Vec<String>> {
    item::Entity::find()
        .select_only()
        .column(item::Column::Category)
        .filter(item::Column::Status.is_in(BUYABLE))
        .distinct()
        .order_by_asc(item::Column::Category)
        .into_tuple()
        .all(&state.db)
        .await
        .db()
}
