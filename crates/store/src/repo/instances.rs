//! Workflow cases (instances): ids for rows written many at a time.

use mufakat_core::AppResult;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::DbResultExt;

/// Takes `n` new case ids, ascending, for a writer that inserts many cases in one multi-row
/// insert and needs each row's id before it is written (its audit event names the case).
///
/// Call under the chain lock ([`crate::repo::audit::lock_head`]): every writer of cases holds
/// it. On PostgreSQL the ids come from the table's sequence, so inserts that take their id from
/// the column default (this node's or another's) never meet them. On SQLite the lock is the
/// database's one write lock, so the ids after the largest ever given out (the table's
/// `AUTOINCREMENT` counter or its largest id, whichever is larger) stay free until the commit.
pub async fn reserve_ids(txn: &impl ConnectionTrait, n: usize) -> AppResult<Vec<i32>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let backend = txn.get_database_backend();
    let mut ids: Vec<i32> = match backend {
        DbBackend::Postgres => {
            let rows = txn
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT nextval(pg_get_serial_sequence('workflow_instances', 'id'))::int4 AS id \
                     FROM generate_series(1, $1)",
                    [(n as i32).into()],
                ))
                .await
                .db()?;
            rows.iter()
                .map(|r| r.try_get::<i32>("", "id"))
                .collect::<Result<_, _>>()
                .db()?
        }
        _ => {
            let row = txn
                .query_one_raw(Statement::from_string(
                    backend,
                    "SELECT MAX(\
                       COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'workflow_instances'), 0), \
                       COALESCE((SELECT MAX(id) FROM workflow_instances), 0)) AS last",
                ))
                .await
                .db()?
                .ok_or_else(|| mufakat_core::AppError::internal(anyhow::anyhow!("no row")))?;
            let last: i64 = row.try_get("", "last").db()?;
            let first = i32::try_from(last + 1).map_err(|_| {
                mufakat_core::AppError::internal(anyhow::anyhow!("case ids exhausted"))
            })?;
            (first..).take(n).collect()
        }
    };
    // nextval gives distinct values, not necessarily in row order.
    ids.sort_unstable();
    if ids.len() != n {
        return Err(mufakat_core::AppError::internal(anyhow::anyhow!(
            "reserved {} case ids of {n}",
            ids.len()
        )));
    }
    Ok(ids)
}

/// Workflow timers due at `now` and not yet fired (for the metrics).
pub async fn due_timer_count(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<u64> {
    use crate::entity::workflow_timer as wt;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    wt::Entity::find()
        .filter(wt::Column::FiredAt.is_null())
        .filter(wt::Column::DueAt.lte(now))
        .count(db)
        .await
        .db()
}
