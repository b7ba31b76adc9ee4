//! Appending to the audit chain inside a service's transaction, and reading it back. Signing
//! and verifying: [`crate::notary`].

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mufakat_audit::AuditEvent;
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::audit_event;
use mufakat_store::repo::audit as repo;
use mufakat_store::DbResultExt;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};

mod rows;
pub use rows::{checkpoint_from_row, export, from_row, history, to_row};

/// What a service wants recorded; the chain fields are filled in by [`append`].
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub actor: String,
    pub role: String,
    pub workflow: String,
    pub workflow_version: String,
    pub instance_id: String,
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    pub input: serde_json::Value,
    pub comment: Option<String>,
}

/// The open chain of one write: [`open`] gives it with the head locked; each [`Chain::append`]
/// adds one event after the previous.
pub struct Chain {
    seq: i64,
    hash: String,
    pub now: DateTime<Utc>,
    /// Sealed events not yet written (see [`Chain::append_deferred`]).
    pending: Vec<audit_event::Model>,
    /// A grouped write's chain: [`Chain::append`] only seals; the group writes the events of
    /// all its writes at its commit (see [`open`]).
    grouped: bool,
}

/// Audited writes of this process queue here for the chain head, first come first served, and
/// are committed in groups (see [`open`]).
#[derive(Default)]
pub struct WriteQueue {
    group: Arc<tokio::sync::Mutex<Group>>,
    /// Writers waiting for their turn: while there are some, a finished write leaves the
    /// group's transaction open for them.
    waiting: AtomicUsize,
    /// Group commits made and writes they held (for tests and metrics).
    groups: AtomicU64,
    grouped_writes: AtomicU64,
    /// Moves on every commit of an audited write and on every other change of the data this
    /// node knows of (see [`WriteQueue::changed`]); answers cached for the public are valid
    /// only at the generation they were computed at (`graphql::response_cache`).
    generation: AtomicU64,
    /// The wait for a turn and the size of each group commit, for the metrics (set once when
    /// the state is built; `crate::metrics`).
    metrics: std::sync::OnceLock<QueueMetrics>,
}

/// The queue's histograms in [`crate::metrics::Metrics`].
pub struct QueueMetrics {
    pub wait_seconds: prometheus_client::metrics::histogram::Histogram,
    pub group_writes: prometheus_client::metrics::histogram::Histogram,
}

impl WriteQueue {
    /// Observes waits and group commits into `metrics` from now on.
    pub fn set_metrics(&self, metrics: QueueMetrics) {
        let _ = self.metrics.set(metrics);
    }

    /// Waits for this process's turn at the chain head. Counted in `waiting` while it waits,
    /// also when the waiting future is dropped (a client that hung up): a count left behind
    /// would keep every later group open for a writer that never comes.
    ///
    /// A writer that gives up may be the one a finished write left its group open for; if no
    /// one else is waiting then, it has the group committed on a task of its own, or the
    /// group's writes would wait for the next write to arrive.
    async fn take_turn(self: &Arc<Self>) -> tokio::sync::OwnedMutexGuard<Group> {
        struct Waiting {
            queue: Arc<WriteQueue>,
            got_turn: bool,
        }
        impl Drop for Waiting {
            fn drop(&mut self) {
                let left = self.queue.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
                if self.got_turn || left > 0 {
                    return;
                }
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    let queue = self.queue.clone();
                    rt.spawn(async move {
                        let mut g = queue.group.clone().lock_owned().await;
                        if queue.waiting.load(Ordering::SeqCst) == 0 {
                            finish(&queue, &mut g).await;
                        }
                    });
                }
            }
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut waiting = Waiting {
            queue: self.clone(),
            got_turn: false,
        };
        let asked = std::time::Instant::now();
        let turn = self.group.clone().lock_owned().await;
        waiting.got_turn = true;
        if let Some(m) = self.metrics.get() {
            m.wait_seconds.observe(asked.elapsed().as_secs_f64());
        }
        turn
    }

    /// The current write generation (see [`WriteQueue::changed`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Records that the data changed (a commit here, a mutation answered, a change another node
    /// announced): answers computed before are no longer served from the cache.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Group commits made so far and the writes they committed.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.groups.load(Ordering::Relaxed),
            self.grouped_writes.load(Ordering::Relaxed),
        )
    }
}

/// Most writes in one group commit. Each write is a subtransaction (its savepoint); beyond 64
/// PostgreSQL's per-session cache of subtransaction ids overflows, and while such a
/// transaction is open every other session's visibility checks go to `pg_subtrans`. Measured
/// with 160 clients starting cases: 64 instead of 128 gave p95 47–50 ms instead of 60–62
/// (PostgreSQL) and p99 35–36 ms instead of 42–45 (SQLite) at the same throughput.
const MAX_GROUP: usize = 64;

#[derive(Default)]
pub struct Group {
    open: Option<OpenGroup>,
}

struct OpenGroup {
    txn: DatabaseTransaction,
    /// The chain as the group's last successful write left it; its pending events (those of
    /// the group's writes) are written just before the group commits.
    chain: Chain,
    /// The writes waiting for the group's commit.
    waiters: Vec<tokio::sync::oneshot::Sender<Result<(), String>>>,
    members: usize,
    opened: std::time::Instant,
    /// SQLite: the newest savepoint of [`WRITE_SAVEPOINT`] is known to exist, set by a write
    /// of this group that is done (committed into the group or rolled back to it). The next
    /// write releases it with its own first statement.
    savepoint_releasable: AtomicBool,
}

/// One audited write, from [`open`] (or [`open_on`]) until [`commit`]: its turn at the chain
/// head and the transaction it writes in (use it as any sea-orm connection). Dropped without
/// [`commit`], the write is rolled back and the others in its group go on.
pub struct WriteTxn {
    guard: Option<tokio::sync::OwnedMutexGuard<Group>>,
    queue: Arc<WriteQueue>,
    /// [`open_on`]'s transaction on the caller's own connection. A grouped write (`None`)
    /// writes in its group's transaction, after a savepoint of its own.
    own: Option<DatabaseTransaction>,
    /// On SQLite a grouped write's savepoint goes to the database with the write's first
    /// statement, in one round trip (see [`WriteTxn::first`]); true until that statement ran.
    savepoint_owed: AtomicBool,
    /// The write's savepoint is set: dropped without commit, the write rolls back to it.
    savepoint_set: AtomicBool,
    /// The statement that carried the savepoint failed in a way after which SQLite may have
    /// ended the group's transaction by itself: the group must not go on.
    broke_group: AtomicBool,
}

/// The savepoint each grouped write starts with; a failed write rolls back to the newest one
/// of this name, its own. A write rolls back only when its own savepoint is known to be set;
/// otherwise the newest of the name would be the write before it.
///
/// On SQLite a write's first statement also releases the savepoint of the write before it
/// (`RELEASE …; SAVEPOINT …; <statement>`, no round trip of its own), so that at most one is
/// open. SQLite journals every page a write changes once per open savepoint that has not
/// journaled it yet: with the savepoints of a whole group left open, each write journaled its
/// pages anew (~60 KiB per proposal submitted), which outgrew SQLite's in-memory 64 KiB and
/// went to a temporary file (docs/benchmarks.md, ninth session). Released, the journal starts
/// over with each write. (Releasing with a statement of its own took one more round trip per
/// write, while every other write of the group waited.) When the statement carrying the
/// release fails, whether it released is unknown, so the write's next statement sets its
/// savepoint without releasing; the earlier one stays open until the group commits, which is
/// harmless. PostgreSQL keeps every write's savepoint until the group commits.
const WRITE_SAVEPOINT: &str = "mufakat_write";

impl WriteTxn {
    fn txn(&self) -> &DatabaseTransaction {
        if let Some(own) = &self.own {
            return own;
        }
        match self.guard.as_ref().and_then(|g| g.open.as_ref()) {
            Some(o) => &o.txn,
            // `open` returns a grouped write only with its group open, and only the write
            // holding the turn (this one, until commit or drop) can close the group.
            None => unreachable!("a grouped write holds its open group"),
        }
    }

    /// `sql`, preceded by the write's savepoint when this is its first statement on SQLite,
    /// and whether it is.
    ///
    /// Each round trip to SQLite is a hand-off to the connection's thread and back while every
    /// other write waits its turn; on a busy two-core machine those hand-offs, not SQLite's
    /// work, were most of a grouped write's time. SQLite runs the statements of one query in
    /// order, with the arguments bound across them, and stops at the first that fails.
    fn first(&self, sql: String) -> (String, bool) {
        if !self.savepoint_owed.swap(false, Ordering::SeqCst) {
            return (sql, false);
        }
        let release = self
            .group()
            .is_some_and(|o| o.savepoint_releasable.swap(false, Ordering::SeqCst));
        if release {
            (
                format!("RELEASE SAVEPOINT {WRITE_SAVEPOINT}; SAVEPOINT {WRITE_SAVEPOINT}; {sql}"),
                true,
            )
        } else {
            (format!("SAVEPOINT {WRITE_SAVEPOINT}; {sql}"), true)
        }
    }

    /// The open group of a grouped write.
    fn group(&self) -> Option<&OpenGroup> {
        self.guard.as_ref().and_then(|g| g.open.as_ref())
    }

    fn first_stmt(&self, mut stmt: sea_orm::Statement) -> (sea_orm::Statement, bool) {
        let (sql, first) = self.first(std::mem::take(&mut stmt.sql));
        stmt.sql = sql;
        (stmt, first)
    }

    /// After the statement that carried the savepoint: when it succeeded the savepoint is set.
    /// When it failed, nothing of the write is in the database — the savepoint changes no
    /// data, and SQLite undoes a failed statement's changes — but whether the savepoint was
    /// set is unknown: the next statement of the write carries it again, and a rollback of
    /// the write has nothing to undo.
    ///
    /// After some errors SQLite rolls the whole transaction back by itself; a rollback to the
    /// write's savepoint would then fail and fail the group, but with no savepoint to go back
    /// to nothing would notice, and the group's later writes would run outside a transaction.
    /// So after those errors the group fails ([`may_have_ended_transaction`]).
    fn settle<T>(&self, first: bool, result: &Result<T, DbErr>) {
        if first {
            match result {
                Ok(_) => {
                    self.savepoint_set.store(true, Ordering::SeqCst);
                    // Once this write is done (committed into the group or rolled back to its
                    // savepoint), that savepoint is the next write's to release.
                    if let Some(o) = self.group() {
                        o.savepoint_releasable.store(true, Ordering::SeqCst);
                    }
                }
                Err(e) => {
                    self.savepoint_owed.store(true, Ordering::SeqCst);
                    if may_have_ended_transaction(e) {
                        self.broke_group.store(true, Ordering::SeqCst);
                    }
                }
            }
        }
    }
}

/// Whether SQLite may have rolled the transaction back by itself after `e`: the result codes
/// SQLITE_BUSY, SQLITE_NOMEM, SQLITE_INTERRUPT, SQLITE_IOERR and SQLITE_FULL (see "Response To
/// Errors Within A Transaction", <https://sqlite.org/lang_transaction.html>), and any failure
/// that is not the database's answer (the connection itself failed). A constraint violation or
/// a statement that does not prepare leaves the transaction as it was.
fn may_have_ended_transaction(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err))) = e
    else {
        return true;
    };
    let Some(code) = err
        .as_database_error()
        .and_then(|d| d.code())
        .and_then(|c| c.parse::<i32>().ok())
    else {
        return true;
    };
    matches!(code & 0xff, 5 | 7 | 9 | 10 | 13)
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> sea_orm::DbBackend {
        self.txn().get_database_backend()
    }
    async fn execute_raw(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        let (stmt, first) = self.first_stmt(stmt);
        let r = self.txn().execute_raw(stmt).await;
        self.settle(first, &r);
        r
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        let (sql, first) = self.first(sql.to_owned());
        let r = self.txn().execute_unprepared(&sql).await;
        self.settle(first, &r);
        r
    }
    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        let (stmt, first) = self.first_stmt(stmt);
        let r = self.txn().query_one_raw(stmt).await;
        self.settle(first, &r);
        r
    }
    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        let (stmt, first) = self.first_stmt(stmt);
        let r = self.txn().query_all_raw(stmt).await;
        self.settle(first, &r);
        r
    }
    fn support_returning(&self) -> bool {
        self.txn().support_returning()
    }
}

impl Drop for WriteTxn {
    fn drop(&mut self) {
        if self.own.is_some() {
            // Its transaction rolls back as it drops (sea-orm has the connection run the
            // rollback next); a writer whose turn comes first waits at the database's lock on
            // the chain head until then.
            self.own.take();
            self.guard.take();
            return;
        }
        let Some(mut g) = self.guard.take() else {
            return; // committed
        };
        if g.open.is_none() {
            return;
        }
        if self.broke_group.load(Ordering::SeqCst) {
            fail(
                &mut g,
                "a write's statement failed in a way that may end the transaction",
            );
            return;
        }
        // Dropped without commit (an error or an early return): the group's transaction goes
        // back to this write's savepoint before anyone else writes in it (when that is set:
        // otherwise nothing of the write is in the database, see `WriteTxn::settle`).
        let undo = self
            .savepoint_set
            .load(Ordering::SeqCst)
            .then(|| format!("ROLLBACK TO SAVEPOINT {WRITE_SAVEPOINT}"));
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                let queue = self.queue.clone();
                rt.spawn(async move { roll_back_write(&queue, g, undo).await });
            }
            Err(_) => fail(&mut g, "no runtime to roll a write back on"),
        }
    }
}

/// Undoes a failed grouped write. The group goes on if a writer is waiting, and is committed
/// for the writes before this one otherwise.
async fn roll_back_write(
    queue: &WriteQueue,
    mut g: tokio::sync::OwnedMutexGuard<Group>,
    undo: Option<String>,
) {
    let Some(o) = g.open.as_mut() else {
        return;
    };
    if let Some(undo) = undo {
        if let Err(e) = o.txn.execute_unprepared(&undo).await {
            fail(&mut g, &format!("rolling a failed write back: {e}"));
            return;
        }
    }
    if queue.waiting.load(Ordering::SeqCst) == 0 {
        finish(queue, &mut g).await;
    }
}

/// Commits the open group and tells each of its writes how that went.
async fn finish(queue: &WriteQueue, g: &mut Group) {
    if let Some(mut o) = g.open.take() {
        let writing = o.opened.elapsed();
        let result = match o.chain.flush(&o.txn).await {
            Ok(()) => o.txn.commit().await.map_err(|e| e.to_string()),
            Err(e) => Err(format!("writing the group's audit events: {e}")),
        };
        // Before any of the group's writes is answered.
        queue.changed();
        if let Some(m) = queue.metrics.get() {
            m.group_writes.observe(o.waiters.len() as f64);
        }
        tracing::debug!(
            writes = o.waiters.len(),
            writing_micros = writing.as_micros() as u64,
            committing_micros = (o.opened.elapsed() - writing).as_micros() as u64,
            "group commit"
        );
        if result.is_ok() {
            queue.groups.fetch_add(1, Ordering::Relaxed);
            queue
                .grouped_writes
                .fetch_add(o.waiters.len() as u64, Ordering::Relaxed);
        }
        if let Err(e) = &result {
            tracing::error!(error = %e, writes = o.waiters.len(), "group commit failed");
        }
        for w in o.waiters {
            let _ = w.send(result.clone());
        }
    }
}

/// Abandons the open group (its transaction rolls back): every write waiting in it fails.
fn fail(g: &mut Group, why: &str) {
    if let Some(o) = g.open.take() {
        tracing::error!(error = why, writes = o.waiters.len(), "group abandoned");
        for w in o.waiters {
            let _ = w.send(Err(why.to_owned()));
        }
    }
}

/// Starts an audited write: waits for this process's turn at the chain head (first come, first
/// served), then gives the write its transaction — the group's, after a savepoint of the
/// write's own — and the chain as the group's previous write left it. Finish with [`commit`];
/// dropping the [`WriteTxn`] without it rolls the write back.
///
/// **Group commit.** When a write commits while others are waiting, the group's transaction
/// stays open and the next write continues in it; the group commits (one fsync) when no one
/// is waiting or it holds [`MAX_GROUP`] writes, and [`commit`] returns to each write only after
/// that commit, so a success is still durable when it is reported. A write that fails rolls
/// back to its savepoint and leaves the others alone; a failed group commit fails every write
/// in the group. With one writer at a time this is a transaction per write, as before.
///
/// Queueing here rather than in the database also matters on SQLite, where a writer that
/// finds the write lock taken sleeps in SQLite's busy handler (1, 2, 5, ... 100 ms) and can
/// lose the race again when it wakes (under load some writes waited over a second). Writers
/// in other processes (a second node, the CLI) still meet at the database's lock on the head.
pub async fn open(
    state: &crate::state::AppState,
    now: DateTime<Utc>,
) -> AppResult<(WriteTxn, Chain)> {
    let queue = state.writes.clone();
    // The write exists from here on, so that a request dropped half-way (its client hung up)
    // still leaves the group to the next writer or commits it (see `Drop for WriteTxn`).
    let mut w = WriteTxn {
        guard: Some(queue.take_turn().await),
        queue,
        own: None,
        savepoint_owed: false.into(),
        savepoint_set: false.into(),
        broke_group: false.into(),
    };
    let Some(g) = w.guard.as_mut() else {
        unreachable!("just taken")
    };
    if g.open.is_none() {
        let txn = state.db.begin().await.db()?;
        let chain = begin(&txn, now).await?;
        g.open = Some(OpenGroup {
            txn,
            chain,
            waiters: Vec::new(),
            members: 0,
            opened: std::time::Instant::now(),
            savepoint_releasable: false.into(),
        });
    }
    let Some(o) = g.open.as_mut() else {
        unreachable!("opened above")
    };
    if o.txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        w.savepoint_owed = true.into();
    } else {
        // PostgreSQL's protocol takes one statement with arguments per round trip.
        if let Err(e) = o
            .txn
            .execute_unprepared(&format!("SAVEPOINT {WRITE_SAVEPOINT}"))
            .await
        {
            fail(g, "could not open a savepoint");
            return Err(e).db();
        }
        w.savepoint_set = true.into();
    }
    o.members += 1;
    let chain = Chain {
        seq: o.chain.seq,
        hash: o.chain.hash.clone(),
        now,
        pending: Vec::new(),
        grouped: true,
    };
    Ok((w, chain))
}

/// Like [`open`], but on its own connection `db` and in a transaction of its own: for a
/// writer that batches by itself (the batch writer). Any open group is committed first.
pub async fn open_on(
    state: &crate::state::AppState,
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> AppResult<(WriteTxn, Chain)> {
    let queue = state.writes.clone();
    let mut g = queue.take_turn().await;
    finish(&queue, &mut g).await;
    let mut w = WriteTxn {
        guard: Some(g),
        queue,
        own: None,
        savepoint_owed: false.into(),
        savepoint_set: false.into(),
        broke_group: false.into(),
    };
    let txn = db.begin().await.db()?;
    w.own = Some(txn);
    let chain = begin(w.txn(), now).await?;
    Ok((w, chain))
}

/// Commits a write begun with [`open`] or [`open_on`]; returns once it is durable.
///
/// A grouped write commits on a task of its own, so that a request dropped while committing
/// (its client hung up) neither leaves the group without anyone to commit it nor cuts a
/// group commit short for the other writes in it.
pub async fn commit(mut w: WriteTxn, mut chain: Chain) -> AppResult<()> {
    if let Some(own) = w.own.take() {
        // The chain's deferred events go in with the transaction: no caller can commit the
        // state changes without them.
        if let Err(e) = chain.flush(&own).await {
            let _ = own.rollback().await;
            w.guard.take();
            return Err(e);
        }
        let done = own.commit().await.db();
        w.queue.changed();
        w.guard.take(); // the next writer's turn only after this commit
        return done;
    }
    tokio::spawn(commit_grouped(w, chain))
        .await
        .unwrap_or_else(|e| Err(AppError::internal(anyhow::anyhow!("group commit: {e}"))))
}

async fn commit_grouped(mut w: WriteTxn, chain: Chain) -> AppResult<()> {
    let Some(mut g) = w.guard.take() else {
        unreachable!("a write is committed once")
    };
    if w.broke_group.load(Ordering::SeqCst) {
        fail(
            &mut g,
            "a write's statement failed in a way that may end the transaction",
        );
        return Err(AppError::internal(anyhow::anyhow!(
            "group commit: the group's transaction may have ended"
        )));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let Some(o) = g.open.as_mut() else {
        unreachable!("a grouped write has its group")
    };
    // The write's events join the group's, to be written at the group's commit.
    o.chain.seq = chain.seq;
    o.chain.hash = chain.hash;
    o.chain.pending.extend(chain.pending);
    o.waiters.push(tx);
    if o.members >= MAX_GROUP || w.queue.waiting.load(Ordering::SeqCst) == 0 {
        finish(&w.queue, &mut g).await;
    }
    drop(g);
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AppError::internal(anyhow::anyhow!("group commit: {e}"))),
        Err(_) => Err(AppError::internal(anyhow::anyhow!(
            "group commit: the group was dropped"
        ))),
    }
}

/// Locks the chain head; the first statement of a group's (or the batch writer's) transaction.
/// Services start audited writes with [`open`].
async fn begin(txn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Chain> {
    let (seq, hash) = repo::lock_head(txn, &mufakat_audit::format_time(now)).await?;
    Ok(Chain {
        seq,
        hash,
        now,
        pending: Vec::new(),
        grouped: false,
    })
}

impl Chain {
    /// Seals the next event and writes it (with any deferred ones before it). In a grouped
    /// write the event is written with the group's others just before the group commits (one
    /// multi-row insert and one head update per group instead of per write); nothing in a
    /// write reads its own events back.
    pub async fn append(
        &mut self,
        txn: &impl ConnectionTrait,
        d: AuditDraft,
    ) -> AppResult<AuditEvent> {
        let event = self.append_deferred(d);
        if !self.grouped {
            self.flush(txn).await?;
        }
        Ok(event)
    }

    /// Seals the next event without writing it yet: a batched writer appends many and stores
    /// them with one [`Chain::flush`] before its commit. The chain (seq, hashes) is the same as
    /// with [`Chain::append`].
    pub fn append_deferred(&mut self, d: AuditDraft) -> AuditEvent {
        let event = mufakat_audit::seal(
            AuditEvent {
                seq: self.seq + 1,
                at: self.now,
                actor: d.actor,
                role: d.role,
                workflow: d.workflow,
                workflow_version: d.workflow_version,
                instance_id: d.instance_id,
                transition: d.transition,
                from_state: d.from_state,
                to_state: d.to_state,
                input: d.input,
                comment: d.comment,
                prev_hash: String::new(),
                hash: String::new(),
            },
            &self.hash,
        );
        self.pending.push(to_row(&event));
        self.seq = event.seq;
        self.hash = event.hash.clone();
        event
    }

    /// Writes the deferred events (multi-row inserts) and moves the head once. [`commit`] does
    /// it (a group's commit for all its writes), so that events are never lost with their state
    /// changes kept; the batch writer also calls it before committing, so that a failure here
    /// is one before the commit (its requests are then written one by one).
    pub(crate) async fn flush(&mut self, txn: &impl ConnectionTrait) -> AppResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let events = std::mem::take(&mut self.pending);
        repo::append_many(txn, events).await
    }
}

#[cfg(test)]
mod tests {
    use super::may_have_ended_transaction;
    use sea_orm::{ConnectionTrait, Database};

    #[tokio::test]
    async fn errors_that_may_end_a_sqlite_transaction_are_told_apart() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)")
            .await
            .unwrap();
        db.execute_unprepared("INSERT INTO t (n) VALUES (1)")
            .await
            .unwrap();
        // The transaction goes on after these.
        let dup = db
            .execute_unprepared("INSERT INTO t (n) VALUES (1)")
            .await
            .unwrap_err();
        assert!(!may_have_ended_transaction(&dup), "{dup}");
        let missing = db
            .execute_unprepared("INSERT INTO no_such_table (n) VALUES (1)")
            .await
            .unwrap_err();
        assert!(!may_have_ended_transaction(&missing), "{missing}");
        // The database is full (SQLITE_FULL): SQLite may have rolled back.
        let pages = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "PRAGMA page_count",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        db.execute_unprepared(&format!("PRAGMA max_page_count = {pages}"))
            .await
            .unwrap();
        let full = db
            .execute_unprepared(
                "WITH RECURSIVE s(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM s WHERE v < 200) \
                 INSERT INTO t (n, pad) SELECT v, printf('%.2000c', 'x') FROM s",
            )
            .await
            .unwrap_err();
        assert!(may_have_ended_transaction(&full), "{full}");
        // Not an answer of the database at all.
        assert!(may_have_ended_transaction(&sea_orm::DbErr::Custom(
            "x".into()
        )));
    }
}
