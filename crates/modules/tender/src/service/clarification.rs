//! The clarification (aanwijzing): a vendor who may bid asks before the deadline; the Pokja
//! answers, and every question and answer is published to all (without the asker's name). An
//! answer may amend the documents, which is an amendment with its rules (the deadline moves
//! when it is near).

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::text;
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{fire, get_procedure, one, require_pokja, require_state, OPEN_FOR_BIDS};
use crate::entity::question;

/// A vendor's question.
pub async fn ask(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    question_text: &str,
) -> AppResult<question::Model> {
    let mut errors = vec![];
    let q = text(&mut errors, "question", question_text, 4000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let p = get_procedure(&state.db, procedure_id).await?;
    let vendor = super::bids::bidder(state, user, &p).await?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    require_state(
        &p,
        &[OPEN_FOR_BIDS],
        "Pertanyaan hanya sebelum batas akhir penawaran",
        "Questions only before the deadline",
    )?;
    let now = state.now();
    if now >= p.bid_deadline {
        return Err(super::bids::too_late(&p));
    }
    let m = question::ActiveModel {
        procedure_id: Set(p.id),
        vendor_id: Set(vendor.id),
        question: Set(q),
        answer: Set(None),
        amends: Set(false),
        asked_by: Set(user.id),
        asked_at: Set(now),
        answered_by: Set(None),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "ask",
        one("question", m.id.to_string()),
        None,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(m)
}

/// The Pokja's answer; with `amendment` (the amended documents), also an amendment.
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    question_id: i32,
    answer_text: &str,
    amendment: Option<String>,
    deadline: Option<DateTime<Utc>>,
) -> AppResult<question::Model> {
    let q = get_question(&state.db, question_id).await?;
    require_pokja(&state.db, user, q.procedure_id).await?;
    let mut errors = vec![];
    let a = text(&mut errors, "answer", answer_text, 4000, true);
    let amendment = amendment.map(|d| text(&mut errors, "amendment", &d, 20_000, true));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let q = get_question(&txn, question_id).await?;
    if q.answer.is_some() {
        return Err(AppError::conflict(
            "Pertanyaan ini sudah dijawab.",
            "This question has been answered.",
        ));
    }
    let p = get_procedure(&txn, q.procedure_id).await?;
    require_state(
        &p,
        &[OPEN_FOR_BIDS],
        "Jawaban hanya sebelum batas akhir penawaran",
        "Answers only before the deadline",
    )?;
    let now = state.now();
    fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "answer",
        one("question", q.id.to_string()),
        None,
    )
    .await?;
    let amends = amendment.is_some() || deadline.is_some();
    if amends {
        super::procedures::amend_in(
            state,
            &txn,
            &mut chain,
            user,
            &p,
            amendment,
            deadline,
            format!("Jawaban atas pertanyaan #{}: {}", q.id, a),
            true,
        )
        .await?;
    }
    let mut m: question::ActiveModel = q.into();
    m.answer = Set(Some(a));
    m.amends = Set(amends);
    m.answered_by = Set(Some(user.id));
    m.answered_at = Set(Some(now));
    let q = m.update(&txn).await.db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(q)
}

pub async fn get_question(db: &impl ConnectionTrait, id: i32) -> AppResult<question::Model> {
    question::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "question" })
}

pub async fn of_procedure(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<question::Model>> {
    question::Entity::find()
        .filter(question::Column::ProcedureId.eq(procedure_id))
        .order_by_asc(question::Column::Id)
        .all(db)
        .await
        .db()
}
