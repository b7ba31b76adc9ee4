//! The audit chain's storage. Appending is the only write; there is no update or delete.

use mufakat_core::AppResult;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::entity::{audit_checkpoint, audit_event, audit_head};
use crate::DbResultExt;

/// Takes the chain's write lock for the rest of the transaction and returns the head
/// `(seq, hash)`. Must be the first statement of the transaction: on SQLite it turns the
/// transaction into a writer at once (so it waits for, rather than fails on, other writers);
/// on PostgreSQL it row-locks the head so appends from all nodes are serialised.
pub async fn lock_head(txn: &impl ConnectionTrait, now: &str) -> AppResult<(i64, String)> {
    // One statement: the write that takes the lock returns the head (RETURNING: SQLite ≥ 3.35,
    // PostgreSQL).
    let backend = txn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE audit_head SET updated_at = $1 WHERE id = 1 RETURNING seq, hash"
        }
        _ => "UPDATE audit_head SET updated_at = ? WHERE id = 1 RETURNING seq, hash",
    };
    let row = txn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [now.to_owned().into()],
        ))
        .await
        .db()?
        .ok_or_else(|| {
            mufakat_core::AppError::internal(anyhow::anyhow!("audit_head row missing"))
        })?;
    let seq: i64 = row.try_get("", "seq").db()?;
    let hash: String = row.try_get("", "hash").db()?;
    Ok((seq, hash))
}

/// Events per multi-row insert (14 columns each: far below SQLite's and PostgreSQL's bind
/// limits).
const EVENTS_PER_INSERT: usize = 256;

/// Appends events (the first's `seq` must be head + 1, in order) and moves the head to the
/// last, with multi-row inserts. Call after [`lock_head`].
pub async fn append_many(
    txn: &impl ConnectionTrait,
    events: Vec<audit_event::Model>,
) -> AppResult<()> {
    let Some(last) = events.last() else {
        return Ok(());
    };
    let (seq, hash) = (last.seq, last.hash.clone());
    // Chunks are padded to a power of two (see `pad_pow2`); the repeats conflict on `seq` and
    // are skipped, and every real row must have been written.
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        let rows = crate::pad_pow2(chunk.to_vec())
            .into_iter()
            .map(IntoActiveModel::into_active_model);
        let written = audit_event::Entity::insert_many(rows)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(audit_event::Column::Seq)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .db()?;
        if written != chunk.len() as u64 {
            return Err(mufakat_core::AppError::internal(anyhow::anyhow!(
                "audit append: {written} of {} events written (seq taken?)",
                chunk.len()
            )));
        }
    }
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::value(seq))
        .col_expr(audit_head::Column::Hash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await
        .db()?;
    Ok(())
}

/// Events with `seq > after`, in order, at most `limit`.
pub async fn page(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> AppResult<Vec<audit_event::Model>> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(after))
        .order_by_asc(audit_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await
        .db()
}

/// Events of one workflow instance, in order.
pub async fn for_instance(
    db: &impl ConnectionTrait,
    workflow: &str,
    instance_id: &str,
) -> AppResult<Vec<audit_event::Model>> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Workflow.eq(workflow))
        .filter(audit_event::Column::InstanceId.eq(instance_id))
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await
        .db()
}

/// A page of one workflow instance's events: those after `after_seq`, in order, at most `limit`.
pub async fn for_instance_page(
    db: &impl ConnectionTrait,
    workflow: &str,
    instance_id: &str,
    after_seq: i64,
    limit: u64,
) -> AppResult<Vec<audit_event::Model>> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Workflow.eq(workflow))
        .filter(audit_event::Column::InstanceId.eq(instance_id))
        .filter(audit_event::Column::Seq.gt(after_seq))
        .order_by_asc(audit_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await
        .db()
}

pub async fn head(db: &impl ConnectionTrait) -> AppResult<(i64, String)> {
    let h = audit_head::Entity::find_by_id(1)
        .one(db)
        .await
        .db()?
        .ok_or_else(|| {
            mufakat_core::AppError::internal(anyhow::anyhow!("audit_head row missing"))
        })?;
    Ok((h.seq, h.hash))
}

pub async fn add_checkpoint(
    db: &impl ConnectionTrait,
    cp: audit_checkpoint::ActiveModel,
) -> AppResult<audit_checkpoint::Model> {
    cp.insert(db).await.db()
}

pub async fn checkpoints(db: &impl ConnectionTrait) -> AppResult<Vec<audit_checkpoint::Model>> {
    audit_checkpoint::Entity::find()
        .order_by_asc(audit_checkpoint::Column::Seq)
        .all(db)
        .await
        .db()
}

pub async fn latest_checkpoint(
    db: &impl ConnectionTrait,
) -> AppResult<Option<audit_checkpoint::Model>> {
    audit_checkpoint::Entity::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .one(db)
        .await
        .db()
}
