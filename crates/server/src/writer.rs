//! The batch writer: group commit by batching. Requests that arrive together — votes, case
//! starts and users' transitions of cases — queue here; the writer takes every one waiting (up
//! to [`MAX_BATCH`]), decides each in memory in arrival order, writes them all in one
//! transaction with a fixed number of multi-row statements, and answers each only after the
//! commit. Every request is still its own workflow transition with its own audit event, in the
//! order decided. A request whose client hangs up while it waits is still written (as a
//! request already sent would be); only its answer is lost.
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
/// its own runtime and its own connection: the writer is the one serial step of voting and of
/// starting and moving cases, and there its statements do not queue behind HTTP work on the
/// request runtime. (An in-memory
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
                let db = match mufakat_store::db::connect_writer(&url, durability).await {
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

/// The requests of one batch, by kind (each in arrival order).
#[derive(Default)]
struct Batch {
    votes: Vec<musrenbang::VoteRequest>,
    starts: Vec<cases::StartRequest>,
    fires: Vec<cases::FireRequest>,
}

impl Batch {
    fn len(&self) -> usize {
        self.votes.len() + self.starts.len() + self.fires.len()
    }

    /// Each request as a batch of its own, votes first, as the batch writes them.
    fn singles(self) -> impl Iterator<Item = Batch> {
        let votes = self.votes.into_iter().map(|v| Batch {
            votes: vec![v],
            ..Default::default()
        });
        let starts = self.starts.into_iter().map(|s| Batch {
            starts: vec![s],
            ..Default::default()
        });
        let fires = self.fires.into_iter().map(|f| Batch {
            fires: vec![f],
            ..Default::default()
        });
        votes.chain(starts).chain(fires)
    }
}

/// Each request's answer, by kind, and the vote counts that changed.
type Answers = (
    Vec<AppResult<musrenbang::VoteReceipt>>,
    Vec<musrenbang::VoteCountChanged>,
    Vec<AppResult<cases::CaseView>>,
    Vec<AppResult<cases::CaseView>>,
);

/// One batch in one transaction: its votes, then its case starts, then its transitions of
/// existing cases. A request refused by its checks is answered with its error and does not
/// disturb the others. When the transaction fails, nothing of the batch is kept and its
/// requests are written again one by one, each in a transaction of its own: a request that
/// makes the database fail (it should not, but a constraint or a trigger may) fails alone, and
/// a failure of the database itself reaches every request. (Not when the commit itself failed:
/// see [`Failed`].)
async fn write(state: &AppState, db: &sea_orm::DatabaseConnection, jobs: Vec<Job>) {
    let mut batch = Batch::default();
    for job in jobs {
        match job {
            Job::Vote(v) => batch.votes.push(v),
            Job::Start(s) => batch.starts.push(s),
            Job::Fire(f) => batch.fires.push(f),
        }
    }
    match attempt(state, db, &batch).await {
        Err(Failed::BeforeCommit(e)) if batch.len() > 1 => {
            tracing::warn!(error = %e, requests = batch.len(), "a batch failed; nothing of it was kept, its requests are written one by one");
            for single in batch.singles() {
                let written = attempt(state, db, &single).await;
                answer(state, single, written.map_err(Failed::into_inner));
            }
        }
        written => answer(state, batch, written.map_err(Failed::into_inner)),
    }
}

/// How a batch failed. Only a failure before the commit is certain to have kept nothing: a
/// commit that fails (a connection lost while committing) may have been made after all, so
/// its requests are not written again.
enum Failed {
    BeforeCommit(AppError),
    AtCommit(AppError),
}

impl Failed {
    fn into_inner(self) -> AppError {
        match self {
            Failed::BeforeCommit(e) | Failed::AtCommit(e) => e,
        }
    }
}

async fn attempt(
    state: &AppState,
    db: &sea_orm::DatabaseConnection,
    b: &Batch,
) -> Result<Answers, Failed> {
    let started = std::time::Instant::now();
    let (txn, chain, answers) = prepare(state, db, b).await.map_err(Failed::BeforeCommit)?;
    let prepared = started.elapsed().as_micros() as u64;
    crate::audit_log::commit(txn, chain)
        .await
        .map_err(Failed::AtCommit)?;
    tracing::debug!(
        votes = b.votes.len(),
        starts = b.starts.len(),
        fires = b.fires.len(),
        micros = started.elapsed().as_micros() as u64,
        prepared_micros = prepared,
        "batch"
    );
    Ok(answers)
}

/// Everything of a batch but its commit.
async fn prepare(
    state: &AppState,
    db: &sea_orm::DatabaseConnection,
    b: &Batch,
) -> AppResult<(crate::audit_log::WriteTxn, crate::audit_log::Chain, Answers)> {
    let plans: Vec<&cases::StartPlan> = b.starts.iter().map(|s| &s.plan).collect();
    let firing: Vec<&cases::FirePlan> = b.fires.iter().map(|f| &f.plan).collect();
    let (txn, mut chain) = crate::audit_log::open_on(state, db, chrono::Utc::now()).await?;
    let (voted, changes) = if b.votes.is_empty() {
        (vec![], vec![])
    } else {
        musrenbang::write_votes(state, &txn, &mut chain, &b.votes).await?
    };
    let started_cases = cases::write_starts(&txn, &mut chain, &plans).await?;
    // After the votes are stored: a transition reads the cases as they left them.
    let fired = cases::write_fires(state, &txn, &mut chain, &firing).await?;
    chain.flush(&txn).await?;
    Ok((txn, chain, (voted, changes, started_cases, fired)))
}

/// Answers each request of `b`, after its commit (or failure).
fn answer(state: &AppState, b: Batch, written: AppResult<Answers>) {
    match written {
        Ok((voted, changes, started, fired)) => {
            musrenbang::announce(state, changes);
            for (req, res) in b.votes.into_iter().zip(voted) {
                let _ = req.reply.send(res);
            }
            for (req, res) in b.starts.into_iter().zip(started) {
                let _ = req.reply.send(res);
            }
            for (req, res) in b.fires.into_iter().zip(fired) {
                let _ = req.reply.send(res);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, votes = b.votes.len(), starts = b.starts.len(), fires = b.fires.len(), "a write failed; nothing of it was kept");
            let failed = || AppError::internal(anyhow::anyhow!("write failed: {e}"));
            for req in b.votes {
                let _ = req.reply.send(Err(failed()));
            }
            for req in b.starts {
                let _ = req.reply.send(Err(failed()));
            }
            for req in b.fires {
                let _ = req.reply.send(Err(failed()));
            }
        }
    }
}
