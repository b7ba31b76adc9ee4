//! The order's documents as PDF through the report layer (`mufakat-reports`): the purchase
//! order (surat pesanan, or SPK for a direct procurement) and each handover record (BAST).
//! Whoever may see the order may print them.

use mufakat_core::{AppError, AppResult, Lang, Money};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_reports::procurement::{self as pdf, Party};
use rust_decimal::Decimal;

use super::orders::{self, METHOD_DIRECT};
use super::packages::get_package;
use super::{get_vendor, state_title};
use crate::entity::{order, package, vendor};

struct Context {
    o: order::Model,
    p: package::Model,
    buyer: Party,
    vendor: Party,
    region: String,
}

async fn context(state: &AppState, user: &CurrentUser, order_id: i32) -> AppResult<Context> {
    let o = orders::get_order(&state.db, order_id).await?;
    if !orders::may_see(state, user, &o).await? {
        return Err(AppError::NotFound { entity: "order" });
    }
    let p = get_package(&state.db, o.package_id).await?;
    let v: vendor::Model = get_vendor(&state.db, o.vendor_id).await?;
    let ppk = mufakat_store::repo::users::get(&state.db, p.ppk_id).await?;
    let region = state
        .regions
        .read()
        .await
        .get(p.region_id)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    Ok(Context {
        buyer: Party {
            role: "Pejabat Pembuat Komitmen (PPK)".into(),
            name: ppk.display_name,
            details: vec![],
        },
        vendor: Party {
            role: "Penyedia".into(),
            name: v.name.clone(),
            details: vec![v.address.clone(), format!("NPWP {}", v.npwp)],
        },
        region,
        o,
        p,
    })
}

fn money(sen: i64) -> Money {
    Money::from_minor_units(sen)
}

pub async fn order_pdf(
    state: &AppState,
    user: &CurrentUser,
    order_id: i32,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let c = context(state, user, order_id).await?;
    let lines = orders::lines(&state.db, c.o.id).await?;
    let po = pdf::PurchaseOrder {
        number: c.o.number.clone(),
        direct: c.o.method == METHOD_DIRECT,
        package: c.p.name.clone(),
        region_name: c.region.clone(),
        date: c.o.created_at.date_naive(),
        delivery_address: c.o.delivery_address.clone(),
        lines: lines
            .into_iter()
            .map(|l| pdf::OrderLine {
                description: l.description,
                quantity: l.quantity.parse().unwrap_or_default(),
                unit: l.unit,
                unit_price: money(l.unit_price_sen),
                total: money(l.total_sen),
            })
            .collect(),
        total: money(c.o.total_sen),
        status: state_title(state, orders::workflow(&c.o), &c.o.status, lang),
        generated_at: state.now(),
        buyer: c.buyer,
        vendor: c.vendor,
    };
    pdf::purchase_order(&po, lang).map_err(AppError::internal)
}

/// The `n`-th handover (1-based) of an order.
pub async fn receipt_pdf(
    state: &AppState,
    user: &CurrentUser,
    order_id: i32,
    n: usize,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let c = context(state, user, order_id).await?;
    let receipts = orders::receipts(&state.db, c.o.id).await?;
    let Some(rec) = n.checked_sub(1).and_then(|i| receipts.get(i)) else {
        return Err(AppError::NotFound { entity: "receipt" });
    };
    let lines = orders::lines(&state.db, c.o.id).await?;
    // What each line had received up to and including this handover.
    let mut so_far: std::collections::HashMap<i32, Decimal> = Default::default();
    let mut now: std::collections::HashMap<i32, Decimal> = Default::default();
    for (i, r) in receipts.iter().enumerate().take(n) {
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&r.lines).unwrap_or_default();
        for e in parsed {
            let id = e["line"].as_i64().unwrap_or_default() as i32;
            let q: Decimal = e["quantity"]
                .as_str()
                .unwrap_or("0")
                .parse()
                .unwrap_or_default();
            *so_far.entry(id).or_default() += q;
            if i + 1 == n {
                *now.entry(id).or_default() += q;
            }
        }
    }
    let h = pdf::Handover {
        number: rec.number.clone(),
        order_number: c.o.number.clone(),
        package: c.p.name.clone(),
        region_name: c.region.clone(),
        date: rec.received_at.date_naive(),
        lines: lines
            .into_iter()
            .filter(|l| so_far.contains_key(&l.id))
            .map(|l| pdf::HandoverLine {
                received: now.get(&l.id).copied().unwrap_or_default(),
                received_so_far: so_far.get(&l.id).copied().unwrap_or_default(),
                ordered: l.quantity.parse().unwrap_or_default(),
                description: l.description,
                unit: l.unit,
            })
            .collect(),
        note: rec.note.clone(),
        generated_at: state.now(),
        buyer: c.buyer,
        vendor: c.vendor,
    };
    pdf::handover(&h, lang).map_err(AppError::internal)
}
