//! Buying a package: an e-purchasing order of catalogue items (prices frozen from the catalogue
//! when ordered; the package's PPK approves; the vendor accepts, declines or offers another
//! total, every offer kept) or a direct procurement (one verified vendor invited, quotes and
//! negotiation, the PPK orders). Then handovers (BAST, partial ones allowed, never more than
//! ordered) and the payment. Each step is a transition of the order's case, and the package's
//! own case moves with it in the same transaction.

use chrono::Datelike;
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_procurement::format_rupiah;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::catalogue::{get_item, regions_of, BUYABLE};
use super::packages::{get_package, set_status};
use super::{
    fire, from_sen, get_vendor, membership, money_sen, require_active_vendor, require_member, text,
    DIRECT_WORKFLOW, EPURCHASING_WORKFLOW,
};
use crate::entity::{order, order_line, order_offer, package, payment, receipt};
use crate::perms;

pub const METHOD_EPURCHASING: &str = "e_purchasing";
pub const METHOD_DIRECT: &str = "direct";

#[derive(Debug, Clone)]
pub struct ItemQty {
    pub item_id: i32,
    pub quantity: Decimal,
}

#[derive(Debug, Clone)]
pub struct Described {
    pub description: String,
    pub unit: String,
    pub quantity: Decimal,
}

fn workflow_of(o: &order::Model) -> &'static str {
    if o.method == METHOD_DIRECT {
        DIRECT_WORKFLOW
    } else {
        EPURCHASING_WORKFLOW
    }
}

fn qty(field: &str, q: Decimal) -> AppResult<Decimal> {
    if q <= Decimal::ZERO || q.normalize().scale() > 3 || q > Decimal::from(1_000_000_000) {
        return Err(AppError::validation(
            field,
            "range",
            "Jumlah harus lebih dari 0 (paling banyak 3 desimal).",
            "The quantity must be above 0 (at most 3 decimals).",
        ));
    }
    Ok(q.normalize())
}

fn line_total(quantity: Decimal, unit_price_sen: i64) -> AppResult<i64> {
    let t = (quantity * Decimal::from(unit_price_sen))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(t).map_err(|_| {
        AppError::validation(
            "quantity",
            "range",
            "Nilai pesanan terlalu besar.",
            "The order's value is too large.",
        )
    })
}

async fn open_package(
    state: &AppState,
    package_id: i32,
    method: &str,
) -> AppResult<package::Model> {
    let p = get_package(&state.db, package_id).await?;
    if p.status != "announced" || p.method != method {
        return Err(AppError::conflict(
            format!(
                "Paket harus sudah diumumkan dan bermetode {method}; paket ini {} ({}).",
                p.status, p.method
            ),
            format!(
                "The package must be announced with method {method}; it is {} ({}).",
                p.status, p.method
            ),
        ));
    }
    Ok(p)
}

fn within_hps(p: &package::Model, total: i64) -> AppResult<()> {
    if total > p.hps_sen {
        return Err(AppError::validation(
            "total",
            "hps",
            format!(
                "Nilai {} melebihi HPS paket {}.",
                format_rupiah(from_sen(total)),
                format_rupiah(from_sen(p.hps_sen))
            ),
            format!(
                "The value {} exceeds the package's HPS {}.",
                format_rupiah(from_sen(total)),
                format_rupiah(from_sen(p.hps_sen))
            ),
        ));
    }
    Ok(())
}

async fn insert_order(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    user: &CurrentUser,
    p: &package::Model,
    method: &str,
    vendor_id: i32,
    address: String,
    total: i64,
    lines: Vec<order_line::ActiveModel>,
) -> AppResult<order::Model> {
    let now = chain.now;
    let mut fields = Map::new();
    fields.insert("package".into(), json!(p.id.to_string()));
    fields.insert("vendor".into(), json!(vendor_id.to_string()));
    let workflow = if method == METHOD_DIRECT {
        DIRECT_WORKFLOW
    } else {
        EPURCHASING_WORKFLOW
    };
    if method != METHOD_DIRECT {
        fields.insert("total".into(), json!(from_sen(total).to_string()));
    }
    let fired = cases::start_in(state, txn, chain, user, workflow, p.region_id, fields).await?;
    let o = order::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        package_id: Set(p.id),
        method: Set(method.into()),
        vendor_id: Set(vendor_id),
        number: Set(String::new()),
        delivery_address: Set(address),
        total_sen: Set(total),
        paid_sen: Set(None),
        status: Set(fired.case.state.clone()),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .db()?;
    let prefix = if method == METHOD_DIRECT { "SPK" } else { "SP" };
    let number = format!("{prefix}-{}-{:05}", now.year(), o.id);
    order::Entity::update_many()
        .col_expr(order::Column::Number, Expr::value(number))
        .filter(order::Column::Id.eq(o.id))
        .exec(txn)
        .await
        .db()?;
    for mut l in lines {
        l.order_id = Set(o.id);
        l.insert(txn).await.db()?;
    }
    // The package is now being bought.
    let pf = fire(
        state,
        txn,
        chain,
        user,
        p.instance_id,
        "start_selection",
        super::one_json("order", o.id.to_string()),
        None,
    )
    .await?;
    set_status(txn, p.id, &pf.case.state).await?;
    get_order(txn, o.id).await
}

/// An e-purchasing order of catalogue items of one vendor for an announced package.
pub async fn create_epurchasing(
    state: &AppState,
    user: &CurrentUser,
    package_id: i32,
    address: &str,
    items: Vec<ItemQty>,
) -> AppResult<order::Model> {
    let p = open_package(state, package_id, METHOD_EPURCHASING).await?;
    let path = state.region_path(p.region_id).await;
    state.authz.require(user, &path, perms::ORDER_CREATE)?;
    let mut errors = vec![];
    let address = text(&mut errors, "deliveryAddress", address, 500, true);
    if items.is_empty() || items.len() > 100 {
        errors.push(FieldError::new(
            "items",
            "count",
            "Pesan 1 sampai 100 produk.",
            "Order 1 to 100 items.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut vendor_id = None;
    let mut lines = vec![];
    let mut total: i64 = 0;
    for (i, iq) in items.iter().enumerate() {
        let it = get_item(&state.db, iq.item_id).await?;
        let q = qty(&format!("items[{i}].quantity"), iq.quantity)?;
        if !BUYABLE.contains(&it.status.as_str()) {
            return Err(AppError::validation(
                format!("items[{i}]"),
                "state",
                format!("Produk \"{}\" tidak tersedia di katalog.", it.name),
                format!("The item \"{}\" is not in the catalogue.", it.name),
            ));
        }
        if *vendor_id.get_or_insert(it.vendor_id) != it.vendor_id {
            return Err(AppError::validation(
                "items",
                "vendor",
                "Satu pesanan untuk satu penyedia.",
                "One order is for one vendor.",
            ));
        }
        let min: Decimal = it.min_order.parse().unwrap_or(Decimal::ONE);
        if q < min {
            return Err(AppError::validation(
                format!("items[{i}].quantity"),
                "min_order",
                format!("Pesanan minimum \"{}\": {min} {}.", it.name, it.unit),
                format!("The minimum order of \"{}\" is {min} {}.", it.name, it.unit),
            ));
        }
        let served = regions_of(&it);
        if !path.iter().any(|r| served.contains(r)) {
            return Err(AppError::validation(
                format!("items[{i}]"),
                "region",
                format!("Produk \"{}\" tidak melayani wilayah paket.", it.name),
                format!(
                    "The item \"{}\" is not delivered to the package's region.",
                    it.name
                ),
            ));
        }
        let t = line_total(q, it.price_sen)?;
        total = total.checked_add(t).ok_or_else(|| {
            AppError::validation(
                "items",
                "range",
                "Nilai pesanan terlalu besar.",
                "The order's value is too large.",
            )
        })?;
        lines.push(order_line::ActiveModel {
            item_id: Set(Some(it.id)),
            description: Set(it.name.clone()),
            unit: Set(it.unit.clone()),
            quantity: Set(q.to_string()),
            unit_price_sen: Set(it.price_sen),
            total_sen: Set(t),
            received: Set("0".into()),
            ..Default::default()
        });
    }
    within_hps(&p, total)?;
    let v = get_vendor(&state.db, vendor_id.expect("one item at least")).await?;
    require_active_vendor(&v, state.now())?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let o = insert_order(
        state,
        &txn,
        &mut chain,
        user,
        &p,
        METHOD_EPURCHASING,
        v.id,
        address,
        total,
        lines,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(o)
}

/// A direct procurement: the procurement official (or PPK) invites one verified vendor to quote
/// for the described goods or services of an announced package.
pub async fn create_direct(
    state: &AppState,
    user: &CurrentUser,
    package_id: i32,
    vendor_id: i32,
    address: &str,
    items: Vec<Described>,
) -> AppResult<order::Model> {
    let p = open_package(state, package_id, METHOD_DIRECT).await?;
    state.authz.require(
        user,
        &state.region_path(p.region_id).await,
        perms::DIRECT_INVITE,
    )?;
    let v = get_vendor(&state.db, vendor_id).await?;
    require_active_vendor(&v, state.now())?;
    let mut errors = vec![];
    let address = text(&mut errors, "deliveryAddress", address, 500, true);
    if items.is_empty() || items.len() > 100 {
        errors.push(FieldError::new(
            "items",
            "count",
            "Uraikan 1 sampai 100 barang/jasa.",
            "Describe 1 to 100 goods or services.",
        ));
    }
    let mut lines = vec![];
    for (i, d) in items.iter().enumerate() {
        let description = text(
            &mut errors,
            &format!("items[{i}].description"),
            &d.description,
            500,
            true,
        );
        let unit = text(&mut errors, &format!("items[{i}].unit"), &d.unit, 40, true);
        let q = qty(&format!("items[{i}].quantity"), d.quantity)
            .map_err(|_| {
                errors.push(FieldError::new(
                    format!("items[{i}].quantity"),
                    "range",
                    "Jumlah harus lebih dari 0.",
                    "The quantity must be above 0.",
                ))
            })
            .unwrap_or(Decimal::ONE);
        lines.push(order_line::ActiveModel {
            item_id: Set(None),
            description: Set(description),
            unit: Set(unit),
            quantity: Set(q.to_string()),
            unit_price_sen: Set(0),
            total_sen: Set(0),
            received: Set("0".into()),
            ..Default::default()
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let o = insert_order(
        state,
        &txn,
        &mut chain,
        user,
        &p,
        METHOD_DIRECT,
        v.id,
        address,
        0,
        lines,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(o)
}

pub async fn get_order(db: &impl ConnectionTrait, id: i32) -> AppResult<order::Model> {
    order::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "order" })
}

pub async fn lines(db: &impl ConnectionTrait, order_id: i32) -> AppResult<Vec<order_line::Model>> {
    order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn offers(
    db: &impl ConnectionTrait,
    order_id: i32,
) -> AppResult<Vec<order_offer::Model>> {
    order_offer::Entity::find()
        .filter(order_offer::Column::OrderId.eq(order_id))
        .order_by_asc(order_offer::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn receipts(db: &impl ConnectionTrait, order_id: i32) -> AppResult<Vec<receipt::Model>> {
    receipt::Entity::find()
        .filter(receipt::Column::OrderId.eq(order_id))
        .order_by_asc(receipt::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn payments(db: &impl ConnectionTrait, order_id: i32) -> AppResult<Vec<payment::Model>> {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await
        .db()
}

/// Who may see an order: its vendor's members, the package's PPK and official, and staff of
/// its region who buy, pay or audit.
pub async fn may_see(state: &AppState, user: &CurrentUser, o: &order::Model) -> AppResult<bool> {
    if let Some(m) = membership(&state.db, user).await? {
        return Ok(m.vendor_id == o.vendor_id);
    }
    let p = get_package(&state.db, o.package_id).await?;
    if user.id == p.ppk_id || user.id == p.official_id {
        return Ok(true);
    }
    let path = state.region_path(p.region_id).await;
    for perm in [
        perms::ORDER_CREATE,
        perms::DIRECT_INVITE,
        perms::VENDOR_BANK_READ,
        perms::FLAGS_READ,
    ] {
        if state.authz.allowed(user, &path, perm)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What an order step carries.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// `offer`, `counter`, `quote`: a total in Rupiah.
    pub total: Option<Decimal>,
    /// `receive`: the quantity handed over per order line.
    pub received: Vec<(i32, Decimal)>,
    /// `pay`: the amount and the payment's reference (SP2D number).
    pub amount: Option<Decimal>,
    pub reference: Option<String>,
}

const VENDOR_ACTIONS: [&str; 4] = ["offer", "accept", "decline", "quote"];
const PPK_ACTIONS: [&str; 5] = ["approve", "return", "agree_offer", "counter", "order"];

/// A step of an order. `receive` becomes `receive_part` or `receive_final` by the quantities.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    order_id: i32,
    action: &str,
    step: Step,
    comment: Option<String>,
) -> AppResult<order::Model> {
    let o = get_order(&state.db, order_id).await?;
    let p = get_package(&state.db, o.package_id).await?;
    let known = VENDOR_ACTIONS.contains(&action)
        || PPK_ACTIONS.contains(&action)
        || matches!(
            action,
            "submit" | "receive" | "pay" | "cancel" | "negotiate"
        );
    if !known {
        return Err(AppError::validation(
            "action",
            "unknown",
            "Tindakan tidak dikenal.",
            "Unknown action.",
        ));
    }
    let member = membership(&state.db, user).await?;
    if VENDOR_ACTIONS.contains(&action) {
        require_member(&state.db, user, o.vendor_id, false).await?;
        if matches!(action, "accept" | "quote" | "offer") {
            require_active_vendor(&get_vendor(&state.db, o.vendor_id).await?, state.now())?;
        }
    } else if member.is_some() {
        return Err(AppError::Forbidden);
    }
    // The package's own PPK decides for the buyer.
    if PPK_ACTIONS.contains(&action) && user.id != p.ppk_id {
        return Err(AppError::Forbidden);
    }
    let mut input = Map::new();
    let mut total_sen: Option<i64> = None;
    if matches!(action, "offer" | "counter" | "quote") {
        let t = step.total.ok_or_else(|| {
            AppError::validation(
                "total",
                "required",
                "Isi nilai penawaran.",
                "Give the offered total.",
            )
        })?;
        let t = money_sen("total", t)?;
        if t <= 0 {
            return Err(AppError::validation(
                "total",
                "range",
                "Nilai harus lebih dari 0.",
                "The total must be above 0.",
            ));
        }
        within_hps(&p, t)?;
        let key = if action == "offer" { "offer" } else { "total" };
        input.insert(key.into(), json!(from_sen(t).to_string()));
        total_sen = Some(t);
    }
    // What is received and paid is checked under the chain's lock, which every write takes:
    // two handovers at once cannot together exceed the order, nor take the same BAST number.
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let o = get_order(&txn, o.id).await?;
    let mut fire_as = action.to_owned();
    let mut receipt_lines: Vec<(i32, Decimal, Decimal)> = vec![];
    if action == "receive" {
        let ls = lines(&txn, o.id).await?;
        for (i, (_, q)) in step.received.iter().enumerate() {
            if *q < Decimal::ZERO || *q > Decimal::from(1_000_000_000) || q.normalize().scale() > 3
            {
                return Err(AppError::validation(
                    format!("received[{i}].quantity"),
                    "range",
                    "Jumlah diterima tidak valid.",
                    "Invalid quantity received.",
                ));
            }
        }
        if step.received.is_empty() {
            return Err(AppError::validation(
                "lines",
                "required",
                "Isi jumlah yang diterima.",
                "Give the quantities received.",
            ));
        }
        let mut all_done = true;
        for l in &ls {
            let ordered: Decimal = l.quantity.parse().unwrap_or_default();
            let before: Decimal = l.received.parse().unwrap_or_default();
            let now_in: Decimal = step
                .received
                .iter()
                .filter(|(id, _)| *id == l.id)
                .map(|(_, q)| *q)
                .sum();
            if now_in < Decimal::ZERO || before + now_in > ordered {
                return Err(AppError::validation("lines", "quantity", format!("Diterima melebihi pesanan untuk \"{}\": dipesan {ordered}, sudah diterima {before}.", l.description), format!("More received than ordered for \"{}\": ordered {ordered}, received before {before}.", l.description)));
            }
            if before + now_in < ordered {
                all_done = false;
            }
            if now_in > Decimal::ZERO {
                receipt_lines.push((l.id, now_in, before + now_in));
            }
        }
        if step
            .received
            .iter()
            .any(|(id, _)| !ls.iter().any(|l| l.id == *id))
            || receipt_lines.is_empty()
        {
            return Err(AppError::validation(
                "lines",
                "unknown",
                "Baris pesanan tidak dikenal atau jumlah nol.",
                "Unknown order line, or nothing received.",
            ));
        }
        fire_as = if all_done {
            "receive_final".into()
        } else {
            "receive_part".into()
        };
        let n = receipt::Entity::find()
            .filter(receipt::Column::OrderId.eq(o.id))
            .count(&txn)
            .await
            .db()?;
        input.insert("receipt".into(), json!(format!("BAST-{}-{}", o.id, n + 1)));
    }
    let mut paid_sen = None;
    if action == "pay" {
        let a = step.amount.ok_or_else(|| {
            AppError::validation(
                "amount",
                "required",
                "Isi jumlah dibayar.",
                "Give the amount paid.",
            )
        })?;
        let a = money_sen("amount", a)?;
        if a <= 0 || a > o.total_sen {
            return Err(AppError::validation(
                "amount",
                "range",
                format!(
                    "Jumlah dibayar harus lebih dari 0 dan paling banyak nilai pesanan {}.",
                    format_rupiah(from_sen(o.total_sen))
                ),
                format!(
                    "The amount must be above 0 and at most the order's total {}.",
                    format_rupiah(from_sen(o.total_sen))
                ),
            ));
        }
        input.insert("paid".into(), json!(from_sen(a).to_string()));
        paid_sen = Some(a);
    }
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        o.instance_id,
        &fire_as,
        input.clone(),
        comment.clone(),
    )
    .await?;
    let mut upd = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(fired.case.state.clone()))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(o.id));
    if let Some(t) = total_sen {
        order_offer::ActiveModel {
            order_id: Set(o.id),
            by_vendor: Set(action != "counter"),
            total_sen: Set(t),
            note: Set(comment.clone().unwrap_or_default()),
            created_by: Set(user.id),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
        if action != "offer" {
            upd = upd.col_expr(order::Column::TotalSen, Expr::value(t));
        }
    }
    if action == "agree_offer" {
        if let Some(last) = offers(&txn, o.id)
            .await?
            .into_iter()
            .rev()
            .find(|f| f.by_vendor)
        {
            upd = upd.col_expr(order::Column::TotalSen, Expr::value(last.total_sen));
        }
    }
    if !receipt_lines.is_empty() {
        for (id, _, after) in &receipt_lines {
            order_line::Entity::update_many()
                .col_expr(
                    order_line::Column::Received,
                    Expr::value(after.normalize().to_string()),
                )
                .filter(order_line::Column::Id.eq(*id))
                .exec(&txn)
                .await
                .db()?;
        }
        receipt::ActiveModel {
            order_id: Set(o.id),
            number: Set(input["receipt"].as_str().unwrap_or_default().to_owned()),
            lines: Set(json!(receipt_lines
                .iter()
                .map(|(id, q, _)| json!({"line": id, "quantity": q.normalize().to_string()}))
                .collect::<Vec<_>>())
            .to_string()),
            note: Set(comment.clone().unwrap_or_default()),
            received_by: Set(user.id),
            received_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    if let Some(a) = paid_sen {
        payment::ActiveModel {
            order_id: Set(o.id),
            amount_sen: Set(a),
            reference: Set(step
                .reference
                .clone()
                .map(|r| r.trim().to_owned())
                .unwrap_or_default()),
            recorded_by: Set(user.id),
            paid_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
        upd = upd.col_expr(order::Column::PaidSen, Expr::value(a));
    }
    upd.exec(&txn).await.db()?;
    // The package follows its order.
    let package_step = match (fire_as.as_str(), o.method.as_str()) {
        ("accept", _) | ("agree_offer", _) | ("order", METHOD_DIRECT) => Some(("contract", None)),
        ("decline", _) | ("cancel", _) => Some((
            "reopen",
            comment.clone().or(Some("Pesanan tidak berlanjut.".into())),
        )),
        ("pay", _) => Some(("complete", None)),
        _ => None,
    };
    if let Some((t, c)) = package_step {
        let pf = fire(
            state,
            &txn,
            &mut chain,
            user,
            p.instance_id,
            t,
            Map::new(),
            c,
        )
        .await?;
        set_status(&txn, p.id, &pf.case.state).await?;
    }
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_order(&state.db, o.id).await
}

/// Orders the user may see, newest first: a vendor's own, or a package's.
pub async fn list(
    state: &AppState,
    user: &CurrentUser,
    package_id: Option<i32>,
) -> AppResult<Vec<order::Model>> {
    let mut q = order::Entity::find().order_by_desc(order::Column::Id);
    if let Some(m) = membership(&state.db, user).await? {
        q = q.filter(order::Column::VendorId.eq(m.vendor_id));
    }
    if let Some(pid) = package_id {
        q = q.filter(order::Column::PackageId.eq(pid));
    }
    let mut out = vec![];
    for o in q.all(&state.db).await.db()? {
        if may_see(state, user, &o).await? {
            out.push(o);
        }
        if out.len() >= 200 {
            break;
        }
    }
    Ok(out)
}

pub fn workflow(o: &order::Model) -> &'static str {
    workflow_of(o)
}
