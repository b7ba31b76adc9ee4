//! The batch writer: group commit by batching. Requests that arrive together — votes, case
//! starts and users' transitions of cases — queue here; the writer takes every one waiting (up to [`MAX_BATCH`]), decides each
//! in memory in arrival order, writes them all in one transaction with a fixed number of
//! multi-row statements, and answers each only after the commit. Every request is still its
//! own workflow transition with its own audit event, in the order decided.
//!
//! Compared with the group commit of [`crate::audit_log::open`] (where each write runs its own
//! statements in the group's transaction, one after the other), a batch costs a handful of
//! round trips to the database however many requests it holds: the requests that need no
//! reads of their own and can be decided together come here.

use std::sync::Weak;

use mufakat_core::{AppError, AppResult};

use crate::services::{cases, musrenbang};
use crate::state::{AppState, Inner};

/// A request for the batch writer.
pub enum Job {
    Vote(musrenbang::VoteRequest),
    Start(cases::StartRequest),
    Fire(cases::FireRequest),
}

/// Where requests queue for the batch writer.
pub type Queue = tokio::sync::mpsc::Sender<Job>;

/// Queues a request (made by `job` around the channel its answer comes back on) and waits for
/// the answer, given after the batch's commit.
pub(crate) async fn submit<T>(
    state: &AppState,
    job: impl FnOnce(tokio::sync::oneshot::Sender<AppResult<T>>) -> Job,
) -> AppResult<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    state
        .batches
        .send(job(reply))
        .await
        .map_err(|_| AppError::internal(anyhow::anyhow!("the batch writer has stopped")))?;
    answer
        .await
        .map_err(|_| AppError::internal(anyhow::anyhow!("the batch writer dropped a request")))?
}

/// Largest number of requests in one transaction.
const MAX_BATCH: usize = 256;

/// Starts the batch writer. On a database file or PostgreSQL it runs on its own thread, with
/// its own runtime and its own connection: the writer is the one serial step of voting, and
/// there its statements do not queue behind HTTP work on the request runtime. (An in-memory
/// SQLite database is private to its connection, so there the writer shares the server's pool
/// and runtime.)
pub fn spawn(state: &AppState, queue: tokio::sync::mpsc::Receiver<Job>) -> anyhow::Result<()> {
    let weak = std::sync::Arc::downgrade(&state.0);
    let url = state.settings.database_url();
    if url.contains(":memory:") {
        tokio::spawn(run(weak, queue, None));
        return Ok(());
    }
    let durability = state.settings.durability()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("batch-writer".into())
        .spawn(move || {
            runtime.block_on(async move {
                let db = match mufakat_store::db::connect_single(&url, durability).await {
                    Ok(db) => Some(db),
                    Err(e) => {
                        tracing::error!(error = %e, "batch writer: no connection of its own; using the shared pool");
                        None
                    }
                };
                run(weak, queue, db).await;
            })
        })?;
    Ok(())
}

/// Takes every request waiting (up to [`MAX_BATCH`]) and writes them as one batch, until the
/// state is dropped. Writes through `db` (the writer's own connection) or, without one, the
/// server's pool.
pub async fn run(
    state: Weak<Inner>,
    mut queue: tokio::sync::mpsc::Receiver<Job>,
    db: Option<sea_orm::DatabaseConnection>,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let Some(inner) = state.upgrade() else { break };
        let state = AppState(inner);
        write(&state, db.as_ref().unwrap_or(&state.db), batch).await;
    }
}

/// One batch in one transaction: its votes, then its case starts, then its transitions of
/// existing cases. A request refused by its
/// checks is answered with its error and does not disturb the others; a database failure fails
/// the whole batch (nothing of it is kept) and every request in it gets the error.
async fn write(state: &AppState, db: &sea_orm::DatabaseConnection, batch: Vec<Job>) {
    let started = std::time::Instant::now();
    let (mut votes, mut starts, mut fires) = (vec![], vec![], vec![]);
    for job in batch {
        match job {
            Job::Vote(v) => votes.push(v),
            Job::Start(s) => starts.push(s),
            Job::Fire(f) => fires.push(f),
        }
    }
    let plans: Vec<&cases::StartPlan> = starts.iter().map(|s| &s.plan).collect();
    let firing: Vec<&cases::FirePlan> = fires.iter().map(|f| &f.plan).collect();
    let written = async {
        let (txn, mut chain) = crate::audit_log::open_on(state, db, chrono::Utc::now()).await?;
        let voted = if votes.is_empty() {
            (vec![], vec![])
        } else {
            musrenbang::write_votes(state, &txn, &mut chain, &votes).await?
        };
        let started = cases::write_starts(&txn, &mut chain, &plans).await?;
        // After the votes are stored: a transition reads the cases as they left them.
        let fired = cases::write_fires(state, &txn, &mut chain, &firing).await?;
        chain.flush(&txn).await?;
        crate::audit_log::commit(txn, chain).await?;
        AppResult::Ok((voted, started, fired))
    }
    .await;
    tracing::debug!(
        votes = votes.len(),
        starts = starts.len(),
        fires = fires.len(),
        micros = started.elapsed().as_micros() as u64,
        "batch"
    );
    match written {
        Ok(((voted, changes), started, fired)) => {
            musrenbang::announce(state, changes);
            for (req, res) in votes.into_iter().zip(voted) {
                let _ = req.reply.send(res);
            }
            for (req, res) in starts.into_iter().zip(started) {
                let _ = req.reply.send(res);
            }
            for (req, res) in fires.into_iter().zip(fired) {
                let _ = req.reply.send(res);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, votes = votes.len(), starts = starts.len(), fires = fires.len(), "a batch failed; nothing of it was kept");
            let failed = || AppError::internal(anyhow::anyhow!("batch failed: {e}"));
            for req in votes {
                let _ = req.reply.send(Err(failed()));
            }
            for req in starts {
                let _ = req.reply.send(Err(failed()));
            }
            for req in fires {
                let _ = req.reply.send(Err(failed()));
            }
        }
    }
}
