//! The batch writer: group commit by batching. Requests that arrive together — of every
//! registered [`BatchKind`]: votes, case starts, users' transitions of cases — queue here; the writer takes every one waiting (up
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

//!
//! The writer knows no kind of request: a kind is a [`BatchKind`] (how to write a batch of its
//! requests in the writer's transaction, and what to do after the commit), registered once in
//! [`Kinds`] when the state is built. The writer keeps what is generic: draining the queue,
//! writing the kinds in registration order, writing one by one when a batch fails before its
//! commit, failing everything when the commit fails.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use mufakat_core::{AppError, AppResult};

use crate::audit_log::{Chain, WriteTxn};
use crate::state::{AppState, Inner};

/// A kind of request the batch writer takes: each batch holds the requests of every kind that
/// were waiting, and writes each kind's requests (in arrival order) with one call of
/// [`BatchKind::write`], in the writer's transaction, kinds in registration order.
#[async_trait::async_trait]
pub trait BatchKind: Send + Sync + 'static {
    /// One request, as its caller made it.
    type Request: Send + Sync + 'static;
    /// The answer one request gets after the commit.
    type Answer: Send + 'static;
    /// What a written batch hands to [`BatchKind::after_commit`].
    type Effects: Send + 'static;

    /// Names the kind in logs.
    fn name(&self) -> &'static str;

    /// Writes `batch` in `txn`, appending its audit events to `chain`: each request's answer
    /// (a refusal is that request's error and leaves the others alone), in order, and the
    /// batch's effects. An error fails the whole batch (nothing of it is kept).
    async fn write(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
        batch: &[&Self::Request],
    ) -> AppResult<(Vec<AppResult<Self::Answer>>, Self::Effects)>;

    /// After the batch's commit, before its requests are answered.
    fn after_commit(&self, _state: &AppState, _effects: Self::Effects) {}
}

/// The registered kinds, in the order a batch writes them.
#[derive(Default, Clone)]
pub struct Kinds {
    kinds: Vec<Arc<dyn ErasedKind>>,
    index: HashMap<TypeId, usize>,
}

impl Kinds {
    /// Registers `kind` after those registered before it.
    pub fn with<K: BatchKind>(mut self, kind: K) -> Kinds {
        let previous = self.index.insert(TypeId::of::<K>(), self.kinds.len());
        assert!(
            previous.is_none(),
            "batch kind {} registered twice",
            kind.name()
        );
        self.kinds.push(Arc::new(Arc::new(kind)));
        self
    }

    fn index_of<K: BatchKind>(&self) -> AppResult<usize> {
        self.index.get(&TypeId::of::<K>()).copied().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "batch kind {} is not registered",
                std::any::type_name::<K>()
            ))
        })
    }

    fn empty_batch(&self) -> Batch {
        Batch(self.kinds.iter().map(|k| k.lane()).collect())
    }
}

/// A request for the batch writer: its kind's place in [`Kinds`] and a [`Pending`] of that kind.
pub struct Job {
    kind: usize,
    pending: Box<dyn Any + Send>,
}

/// Where requests queue for the batch writer.
pub type Queue = tokio::sync::mpsc::Sender<Job>;

/// A request with the channel its answer goes back on.
struct Pending<K: BatchKind> {
    request: K::Request,
    reply: tokio::sync::oneshot::Sender<AppResult<K::Answer>>,
}

/// Queues `request` of the kind `K` and waits for the answer, given after the batch's commit.
pub async fn submit<K: BatchKind>(state: &AppState, request: K::Request) -> AppResult<K::Answer> {
    let kind = state.batch_kinds.index_of::<K>()?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let pending: Box<dyn Any + Send> = Box::new(Pending::<K> { request, reply });
    state
        .batches
        .send(Job { kind, pending })
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
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(r) => jobs.push(r),
                Err(_) => break,
            }
        }
        let Some(inner) = state.upgrade() else { break };
        let state = AppState(inner);
        let mut batch = state.batch_kinds.empty_batch();
        for job in jobs {
            batch.0[job.kind].push(job.pending);
        }
        write(&state, db.as_ref().unwrap_or(&state.db), batch).await;
    }
}

/// The requests of one batch: one lane per registered kind, each in arrival order.
struct Batch(Vec<Box<dyn Lane>>);

impl Batch {
    fn len(&self) -> usize {
        self.0.iter().map(|l| l.len()).sum()
    }

    /// Each request as a batch of its own, kind by kind, as the batch writes them.
    fn singles(self) -> impl Iterator<Item = Batch> {
        self.0
            .into_iter()
            .flat_map(|lane| lane.singles())
            .map(|lane| Batch(vec![lane]))
    }

    /// `kind=count` for each kind with requests, for the logs.
    fn describe(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|l| l.len() > 0)
            .map(|l| format!("{}={}", l.name(), l.len()))
            .collect();
        parts.join(" ")
    }
}

/// One batch in one transaction, its kinds in registration order (votes, then case starts,
/// then transitions of existing cases: a transition reads the cases as the votes left them).
/// A request refused by its checks is answered with its error and does not disturb the others.
/// When the transaction fails, nothing of the batch is kept and its requests are written again
/// one by one, each in a transaction of its own: a request that makes the database fail (it
/// should not, but a constraint or a trigger may) fails alone, and a failure of the database
/// itself reaches every request. (Not when the commit itself failed: see [`Failed`].)
async fn write(state: &AppState, db: &sea_orm::DatabaseConnection, batch: Batch) {
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

/// Each lane's written answers and effects (a [`Written`] of its kind), lane by lane.
type Answers = Vec<Option<Box<dyn Any + Send>>>;

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
    let m = &state.metrics;
    m.batches.inc();
    m.batch_seconds.observe(started.elapsed().as_secs_f64());
    for lane in b.0.iter().filter(|l| l.len() > 0) {
        m.batch_requests
            .get_or_create(&crate::metrics::KindLabels { kind: lane.name() })
            .observe(lane.len() as f64);
    }
    tracing::debug!(
        requests = %b.describe(),
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
) -> AppResult<(WriteTxn, Chain, Answers)> {
    let (txn, mut chain) = crate::audit_log::open_on(state, db, state.now()).await?;
    let mut answers = Vec::with_capacity(b.0.len());
    for lane in &b.0 {
        answers.push(if lane.len() == 0 {
            None
        } else {
            Some(lane.write(state, &txn, &mut chain).await?)
        });
    }
    chain.flush(&txn).await?;
    Ok((txn, chain, answers))
}

/// Answers each request of `b`, after its commit (or failure).
fn answer(state: &AppState, b: Batch, written: AppResult<Answers>) {
    match written {
        Ok(answers) => {
            for (lane, written) in b.0.into_iter().zip(answers) {
                if let Some(w) = written {
                    lane.answer(state, Ok(w));
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, requests = %b.describe(), "a write failed; nothing of it was kept");
            for lane in b.0 {
                lane.answer(state, Err(&e));
            }
        }
    }
}

/// What one lane's write gave: each request's answer and the effects.
struct Written<K: BatchKind>(Vec<AppResult<K::Answer>>, K::Effects);

/// A registered kind with its type erased, so that [`Kinds`] holds kinds of any type.
trait ErasedKind: Send + Sync {
    fn lane(&self) -> Box<dyn Lane>;
}

impl<K: BatchKind> ErasedKind for Arc<K> {
    fn lane(&self) -> Box<dyn Lane> {
        Box::new(KindLane::<K> {
            kind: self.clone(),
            pending: Vec::new(),
        })
    }
}

/// The requests of one kind in a batch.
struct KindLane<K: BatchKind> {
    kind: Arc<K>,
    pending: Vec<Pending<K>>,
}

#[async_trait::async_trait]
trait Lane: Send + Sync {
    fn name(&self) -> &'static str;
    fn len(&self) -> usize;
    /// Adds a request (a [`Pending`] of this lane's kind).
    fn push(&mut self, pending: Box<dyn Any + Send>);
    /// Each request in a lane of its own.
    fn singles(self: Box<Self>) -> Vec<Box<dyn Lane>>;
    /// Writes the lane; the [`Written`] result, erased.
    async fn write(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
    ) -> AppResult<Box<dyn Any + Send>>;
    /// After the commit: the after-commit step, then each request's answer; or every request
    /// fails with `failed`.
    fn answer(self: Box<Self>, state: &AppState, written: Result<Box<dyn Any + Send>, &AppError>);
}

#[async_trait::async_trait]
impl<K: BatchKind> Lane for KindLane<K> {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn len(&self) -> usize {
        self.pending.len()
    }

    fn push(&mut self, pending: Box<dyn Any + Send>) {
        match pending.downcast::<Pending<K>>() {
            Ok(p) => self.pending.push(*p),
            Err(_) => tracing::error!(
                kind = self.kind.name(),
                "a request of another kind reached this lane"
            ),
        }
    }

    fn singles(self: Box<Self>) -> Vec<Box<dyn Lane>> {
        let kind = self.kind;
        self.pending
            .into_iter()
            .map(|p| {
                Box::new(KindLane::<K> {
                    kind: kind.clone(),
                    pending: vec![p],
                }) as Box<dyn Lane>
            })
            .collect()
    }

    async fn write(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
    ) -> AppResult<Box<dyn Any + Send>> {
        let requests: Vec<&K::Request> = self.pending.iter().map(|p| &p.request).collect();
        let (answers, effects) = self.kind.write(state, txn, chain, &requests).await?;
        if answers.len() != requests.len() {
            return Err(AppError::internal(anyhow::anyhow!(
                "batch kind {} answered {} of {} requests",
                self.kind.name(),
                answers.len(),
                requests.len()
            )));
        }
        Ok(Box::new(Written::<K>(answers, effects)))
    }

    fn answer(self: Box<Self>, state: &AppState, written: Result<Box<dyn Any + Send>, &AppError>) {
        let failure = match written.map(|w| w.downcast::<Written<K>>()) {
            Ok(Ok(w)) => {
                let Written(answers, effects) = *w;
                self.kind.after_commit(state, effects);
                for (p, res) in self.pending.into_iter().zip(answers) {
                    let _ = p.reply.send(res);
                }
                return;
            }
            Ok(Err(_)) => "answers of another kind".to_owned(),
            Err(e) => e.to_string(),
        };
        for p in self.pending {
            let _ = p.reply.send(Err(AppError::internal(anyhow::anyhow!(
                "write failed: {failure}"
            ))));
        }
    }
}
