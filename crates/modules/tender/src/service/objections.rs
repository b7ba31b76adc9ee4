//! Objections (sanggah): during the objection period a bidder whose bid was opened and did not
//! win files one objection; the Pokja answers it within the configured days (a timer marks it
//! overdue, and it can still be answered). Upheld, the procedure goes back to evaluation. For
//! construction, a bidder whose objection was rejected may appeal (sanggah banding) to the KPA
//! within the configured days, putting down a guarantee of a percentage of the HPS; the KPA
//! answers. The SPPBJ waits while an objection or appeal is open, or an appeal may still come.

use chrono::{DateTime, Duration, Utc};
use mufakat_core::{AppError, AppResult, Role};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages::get_package;
use mufakat_module_procurement::service::{from_sen, membership, money_sen, text};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Map};

use super::{fire, get_procedure, is_pokja, period_end, require_state, OBJECTION_WORKFLOW};
use crate::entity::{bid, objection, procedure};
use crate::runtime;

pub const PENDING: [&str; 2] = ["filed", "overdue"];

async fn insert(
    state: &AppState,
    user: &CurrentUser,
    p: &procedure::Model,
    vendor_id: i32,
    kind: &str,
    parent: Option<i32>,
    body: String,
    guarantee_sen: Option<i64>,
    due: DateTime<Utc>,
) -> AppResult<objection::Model> {
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let mut fields = Map::new();
    fields.insert("procedure".into(), json!(p.id.to_string()));
    fields.insert("kind".into(), json!(kind));
    fields.insert("answer_due".into(), json!(due.to_rfc3339()));
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        OBJECTION_WORKFLOW,
        p.region_id,
        fields,
    )
    .await?;
    let o = objection::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        procedure_id: Set(p.id),
        vendor_id: Set(vendor_id),
        kind: Set(kind.into()),
        parent_id: Set(parent),
        text: Set(body),
        guarantee_sen: Set(guarantee_sen),
        status: Set(fired.case.state.clone()),
        answer: Set(None),
        answered_by: Set(None),
        filed_by: Set(user.id),
        filed_at: Set(chain.now),
        due_at: Set(due),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(o)
}

/// A losing bidder's objection to the award announcement.
pub async fn file(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    body: &str,
) -> AppResult<objection::Model> {
    let mut errors = vec![];
    let body = text(&mut errors, "text", body, 8000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let p = get_procedure(&state.db, procedure_id).await?;
    let m = membership(&state.db, user)
        .await?
        .ok_or(AppError::Forbidden)?;
    let bids: Vec<bid::Model> = bid::Entity::find()
        .filter(bid::Column::ProcedureId.eq(p.id))
        .filter(bid::Column::VendorId.eq(m.vendor_id))
        .filter(bid::Column::Status.eq("opened"))
        .all(&state.db)
        .await
        .db()?;
    if bids.is_empty() {
        return Err(AppError::Forbidden);
    }
    require_state(
        &p,
        &["award_announced"],
        "Sanggah diajukan dalam masa sanggah",
        "Objections are filed during the objection period",
    )?;
    if p.objection_ends.is_some_and(|e| state.now() >= e) {
        return Err(AppError::conflict(
            "Masa sanggah sudah berakhir.",
            "The objection period has ended.",
        ));
    }
    // The winner has nothing to object to.
    if bids.iter().any(|b| Some(b.id) == p.winner_bid_id) {
        return Err(AppError::Forbidden);
    }
    if of_procedure(&state.db, p.id).await?.iter().any(|o| {
        o.vendor_id == m.vendor_id
            && o.kind == "objection"
            && (o.filed_at >= p.award_at.unwrap_or(o.filed_at))
    }) {
        return Err(AppError::conflict(
            "Penyedia ini sudah mengajukan sanggah atas pengumuman ini.",
            "This vendor has already objected to this announcement.",
        ));
    }
    let days = runtime::get(state)?
        .settings
        .of(&p.method)
        .objection_answer_days;
    insert(
        state,
        user,
        &p,
        m.vendor_id,
        "objection",
        None,
        body,
        None,
        period_end(state.now(), days),
    )
    .await
}

/// An appeal (sanggah banding, construction only) against a rejected objection.
pub async fn appeal(
    state: &AppState,
    user: &CurrentUser,
    objection_id: i32,
    body: &str,
    guarantee: Decimal,
) -> AppResult<objection::Model> {
    let o = get(&state.db, objection_id).await?;
    let m = membership(&state.db, user)
        .await?
        .ok_or(AppError::Forbidden)?;
    if m.vendor_id != o.vendor_id || o.kind != "objection" {
        return Err(AppError::Forbidden);
    }
    let mut errors = vec![];
    let body = text(&mut errors, "text", body, 8000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let p = get_procedure(&state.db, o.procedure_id).await?;
    let pkg = get_package(&state.db, p.package_id).await?;
    if pkg.kind != "construction" {
        return Err(AppError::conflict(
            "Sanggah banding hanya untuk pekerjaan konstruksi.",
            "Appeals are for construction only.",
        ));
    }
    let set = runtime::get(state)?.settings.of(&p.method).clone();
    if o.status != "rejected" {
        return Err(AppError::conflict(
            "Sanggah banding diajukan atas sanggah yang ditolak.",
            "An appeal is against a rejected objection.",
        ));
    }
    if o.answered_at
        .is_some_and(|a| state.now() > a + Duration::days(i64::from(set.appeal_days)))
    {
        return Err(AppError::conflict(
            format!(
                "Sanggah banding diajukan paling lambat {} hari setelah jawaban sanggah.",
                set.appeal_days
            ),
            format!(
                "An appeal is filed within {} days of the objection's answer.",
                set.appeal_days
            ),
        ));
    }
    if of_procedure(&state.db, p.id)
        .await?
        .iter()
        .any(|x| x.parent_id == Some(o.id))
    {
        return Err(AppError::conflict(
            "Sanggah banding atas sanggah ini sudah diajukan.",
            "This objection has already been appealed.",
        ));
    }
    require_state(
        &p,
        &["award_announced", "objection_closed"],
        "Sanggah banding sebelum SPPBJ",
        "Appeals come before the SPPBJ",
    )?;
    let g = money_sen("guarantee", guarantee)?;
    let needed = (i128::from(p.hps_sen) * i128::from(set.appeal_guarantee_percent) + 99) / 100;
    if i128::from(g) < needed {
        return Err(AppError::validation(
            "guarantee",
            "range",
            format!(
                "Jaminan sanggah banding paling sedikit {} % HPS: {}.",
                set.appeal_guarantee_percent,
                mufakat_procurement::format_rupiah(from_sen(needed as i64))
            ),
            format!(
                "The appeal guarantee is at least {} % of the HPS: {}.",
                set.appeal_guarantee_percent,
                mufakat_procurement::format_rupiah(from_sen(needed as i64))
            ),
        ));
    }
    insert(
        state,
        user,
        &p,
        o.vendor_id,
        "appeal",
        Some(o.id),
        body,
        Some(g),
        period_end(state.now(), set.appeal_answer_days),
    )
    .await
}

/// The answer: an objection by the Pokja, an appeal by a KPA of the region. Upheld, the
/// procedure goes back to evaluation.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    objection_id: i32,
    uphold: bool,
    body: &str,
) -> AppResult<objection::Model> {
    let o = get(&state.db, objection_id).await?;
    let p = get_procedure(&state.db, o.procedure_id).await?;
    let allowed = if o.kind == "objection" {
        is_pokja(&state.db, user, p.id).await?
    } else {
        super::procedures::holds(
            &state.db,
            user.id,
            Role::Kpa,
            &state.region_path(p.region_id).await,
        )
        .await?
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    let mut errors = vec![];
    let body = text(&mut errors, "answer", body, 8000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let o = get(&txn, objection_id).await?;
    if !PENDING.contains(&o.status.as_str()) {
        return Err(AppError::conflict(
            "Sanggah ini sudah dijawab.",
            "This objection has been answered.",
        ));
    }
    let p = get_procedure(&txn, o.procedure_id).await?;
    let t = if uphold { "uphold" } else { "reject" };
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        o.instance_id,
        t,
        Map::new(),
        Some(body.clone()),
    )
    .await?;
    let now = chain.now;
    let mut m: objection::ActiveModel = o.into();
    m.status = Set(fired.case.state.clone());
    m.answer = Set(Some(body.clone()));
    m.answered_by = Set(Some(user.id));
    m.answered_at = Set(Some(now));
    let o = m.update(&txn).await.db()?;
    if uphold && ["evaluated", "award_announced", "objection_closed"].contains(&p.status.as_str()) {
        super::evaluation::reevaluate_in(
            state,
            &txn,
            &mut chain,
            user,
            &p,
            format!("Sanggah #{} diterima: {body}", o.id),
        )
        .await?;
    }
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(o)
}

pub async fn get(db: &impl ConnectionTrait, id: i32) -> AppResult<objection::Model> {
    objection::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "objection",
        })
}

pub async fn of_procedure(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<objection::Model>> {
    objection::Entity::find()
        .filter(objection::Column::ProcedureId.eq(procedure_id))
        .order_by_asc(objection::Column::Id)
        .all(db)
        .await
        .db()
}

/// Why the SPPBJ must wait, if it must: an open objection or appeal, or (construction) a
/// rejected objection whose appeal window is still open.
pub async fn blocking(
    state: &AppState,
    db: &impl ConnectionTrait,
    p: &procedure::Model,
    kind: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(String, String)>> {
    let all = of_procedure(db, p.id).await?;
    if let Some(o) = all.iter().find(|o| PENDING.contains(&o.status.as_str())) {
        return Ok(Some((
            format!("Sanggah #{} belum dijawab.", o.id),
            format!("Objection #{} is not answered yet.", o.id),
        )));
    }
    if kind == "construction" {
        let days = runtime::get(state)?.settings.of(&p.method).appeal_days;
        for o in all
            .iter()
            .filter(|o| o.kind == "objection" && o.status == "rejected")
        {
            let appealed = all.iter().any(|x| x.parent_id == Some(o.id));
            if let Some(a) = o.answered_at {
                if !appealed && now <= a + Duration::days(i64::from(days)) {
                    return Ok(Some((
                        format!(
                            "Masa sanggah banding atas sanggah #{} belum berakhir.",
                            o.id
                        ),
                        format!("The appeal period of objection #{} has not ended.", o.id),
                    )));
                }
            }
        }
    }
    Ok(None)
}
