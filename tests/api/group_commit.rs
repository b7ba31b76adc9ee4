//! Group commit of audited writes (`audit_log::open` / `commit`): many concurrent writes, some
//! of which fail after writing, share commits; each success is durable and in the chain, each
//! failure leaves nothing, and the chain verifies. Runs on both engines.

use mufakat_server::audit_log::{self, AuditDraft};
use mufakat_server::AppState;

use crate::helpers::*;

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        actor: "system".into(),
        role: "system".into(),
        workflow: "test".into(),
        workflow_version: "1".into(),
        instance_id: format!("w{n}"),
        transition: "write".into(),
        from_state: String::new(),
        to_state: String::new(),
        input: serde_json::json!({ "n": n }),
        comment: None,
    }
}

/// Rows a write left in a table of its own (beside its audit events, which are only written
/// at the group's commit): what its savepoint must take away when the write fails.
async fn probe_table(app: &TestApp) {
    use mufakat_store::sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("CREATE TABLE gc_probe (n INTEGER PRIMARY KEY)")
        .await
        .unwrap();
}

async fn probe_rows(app: &TestApp, n: usize) -> i64 {
    use mufakat_store::sea_orm::ConnectionTrait;
    let row = app
        .state
        .db
        .query_one_raw(mufakat_store::sea_orm::Statement::from_string(
            app.state.db.get_database_backend(),
            format!("SELECT COUNT(*) FROM gc_probe WHERE n = {n}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn sqlite(state: &AppState) -> bool {
    state.db.get_database_backend() == mufakat_store::sea_orm::DbBackend::Sqlite
}

/// Opens an audited write and seals its event `w{n}` (written at the group's commit).
async fn write(state: &AppState, n: usize) -> (audit_log::WriteTxn, audit_log::Chain) {
    let (txn, mut chain) = audit_log::open(state, chrono::Utc::now()).await.unwrap();
    chain.append(&txn, draft(n)).await.unwrap();
    (txn, chain)
}

async fn events_for(app: &TestApp, instance: &str) -> i64 {
    mufakat_store::repo::audit::for_instance(&app.state.db, "test", instance)
        .await
        .unwrap()
        .len() as i64
}

#[tokio::test]
async fn concurrent_writes_share_commits_and_failures_leave_nothing() {
    use mufakat_store::sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    probe_table(&app).await;
    let before = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap()
        .events;
    let (groups_before, writes_before) = app.state.writes.stats();
    let mut tasks = vec![];
    for n in 0..90usize {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let (txn, chain) = write(&state, n).await;
            let insert = format!("INSERT INTO gc_probe (n) VALUES ({n})");
            txn.execute_unprepared(&insert).await.unwrap();
            if n % 3 == 0 {
                // Fails after writing: its row and event must go, the others' must stay.
                tokio::task::yield_now().await;
                drop(chain);
                drop(txn);
                return (n, false);
            }
            if n % 3 == 1 && n % 2 == 0 {
                // A statement fails (on PostgreSQL this aborts the transaction until the
                // rollback to the write's savepoint): the later writes of the group go on.
                assert!(
                    txn.execute_unprepared(&insert).await.is_err(),
                    "duplicate key"
                );
                return (n, false);
            }
            tokio::task::yield_now().await;
            audit_log::commit(txn, chain).await.unwrap();
            (n, true)
        }));
    }
    let mut committed = 0;
    for t in tasks {
        let (n, ok) = t.await.unwrap();
        let stored = events_for(&app, &format!("w{n}")).await;
        assert_eq!(stored, i64::from(ok), "write {n} (committed: {ok})");
        assert_eq!(probe_rows(&app, n).await, i64::from(ok), "write {n}'s row");
        committed += usize::from(ok);
    }
    assert_eq!(committed, 45);
    let (groups, writes) = app.state.writes.stats();
    let (groups, writes) = (groups - groups_before, writes - writes_before);
    assert_eq!(writes, 45, "every committed write went through a group");
    assert!(groups < 45, "writes shared commits ({groups} groups)");
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{:?}", v.problem);
    assert_eq!(v.events, before + 45);

    // The queue is idle again: a lone write commits at once.
    let (txn, chain) = write(&app.state, 1000).await;
    audit_log::commit(txn, chain).await.unwrap();
    assert_eq!(events_for(&app, "w1000").await, 1);
}

#[tokio::test]
async fn a_write_whose_first_statement_fails_rolls_back_only_itself() {
    // On SQLite a grouped write's savepoint goes to the database with its first statement.
    // When that statement fails, the write must not roll back to the write before it (whose
    // savepoint has the same name), and what it writes after the failure is still its own.
    use mufakat_store::sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    probe_table(&app).await;
    app.state
        .db
        .execute_unprepared("INSERT INTO gc_probe (n) VALUES (99)")
        .await
        .unwrap();
    // Hold the queue so that the writes below form one group, in order.
    let (txn, chain) = write(&app.state, 0).await;
    txn.execute_unprepared("INSERT INTO gc_probe (n) VALUES (0)")
        .await
        .unwrap();
    let mut tasks = vec![];
    for n in 1..=7usize {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let (txn, chain) = write(&state, n).await;
            let row = format!("INSERT INTO gc_probe (n) VALUES ({n})");
            let first = match n {
                // Cannot be prepared.
                2 => "INSERT INTO gc_no_such_table (n) VALUES (2)".to_owned(),
                // Fails as it runs.
                4 | 6 | 7 => "INSERT INTO gc_probe (n) VALUES (99)".to_owned(),
                _ => row.clone(),
            };
            if txn.execute_unprepared(&first).await.is_err() {
                // (PostgreSQL takes no more statements in a transaction after a failed one
                // until the rollback to the write's savepoint: there a write cannot go on.)
                if n < 6 || !sqlite(&state) {
                    return false; // dropped: nothing of it to undo on SQLite
                }
                // Goes on after the failure: its row is written, then kept (7) or undone (6).
                txn.execute_unprepared(&row).await.unwrap();
                if n == 6 {
                    return false;
                }
            }
            audit_log::commit(txn, chain).await.unwrap();
            true
        }));
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    audit_log::commit(txn, chain).await.unwrap();
    let mut ok = vec![];
    for t in tasks {
        ok.push(t.await.unwrap());
    }
    let seventh = sqlite(&app.state);
    assert_eq!(ok, [true, false, true, false, true, false, seventh]);
    let seventh = i64::from(seventh);
    for (n, want) in [
        (0, 1),
        (1, 1),
        (2, 0),
        (3, 1),
        (4, 0),
        (5, 1),
        (6, 0),
        (7, seventh),
    ] {
        assert_eq!(
            events_for(&app, &format!("w{n}")).await,
            want,
            "write {n}'s event"
        );
        assert_eq!(probe_rows(&app, n).await, want, "write {n}'s row");
    }
    assert_eq!(probe_rows(&app, 99).await, 1);
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{:?}", v.problem);
}

#[tokio::test]
async fn a_first_statement_that_may_end_the_transaction_fails_the_group() {
    // After SQLITE_FULL (and a few others) SQLite may roll the whole transaction back by
    // itself; a write whose savepoint went with that statement has no savepoint to go back
    // to, so its group must fail rather than go on outside a transaction.
    use mufakat_store::sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    if !sqlite(&app.state) {
        return;
    }
    probe_table(&app).await;
    let (txn, chain) = write(&app.state, 0).await;
    txn.execute_unprepared("INSERT INTO gc_probe (n) VALUES (0)")
        .await
        .unwrap();
    // The group's connection may not grow the database any more.
    let pages = txn
        .query_one_raw(mufakat_store::sea_orm::Statement::from_string(
            txn.get_database_backend(),
            "PRAGMA page_count",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    txn.execute_unprepared(&format!("PRAGMA max_page_count = {pages}"))
        .await
        .unwrap();
    let state = app.state.clone();
    let second = tokio::spawn(async move {
        let (txn, _chain) = write(&state, 1).await;
        let full = txn
            .execute_unprepared(
                "WITH RECURSIVE s(v) AS (SELECT 100 UNION ALL SELECT v + 1 FROM s WHERE v < 200000) \
                 INSERT INTO gc_probe (n) SELECT v FROM s",
            )
            .await;
        assert!(full.is_err(), "the database is full");
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let first = tokio::spawn(audit_log::commit(txn, chain));
    second.await.unwrap();
    assert!(first.await.unwrap().is_err(), "the group failed");
    for n in [0, 1] {
        assert_eq!(
            events_for(&app, &format!("w{n}")).await,
            0,
            "write {n}'s event"
        );
    }
    assert_eq!(probe_rows(&app, 0).await, 0);
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{:?}", v.problem);
}

#[tokio::test]
async fn a_write_that_fails_last_still_commits_the_group_before_it() {
    let app = spawn_app().await;
    // Hold the queue so that the three writes below form one group.
    let (txn, chain) = write(&app.state, 0).await;
    let mut tasks = vec![];
    for n in 1..=3usize {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let (txn, chain) = write(&state, n).await;
            if n == 3 {
                return false; // dropped: rolls back; the group must still commit 0..2
            }
            audit_log::commit(txn, chain).await.unwrap();
            true
        }));
        // Let each task queue up, in order.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    audit_log::commit(txn, chain).await.unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    for (n, want) in [(0, 1), (1, 1), (2, 1), (3, 0)] {
        assert_eq!(events_for(&app, &format!("w{n}")).await, want, "write {n}");
    }
    let v = mufakat_server::notary::verify(&app.state.db, &app.state.notary)
        .await
        .unwrap();
    assert!(v.ok, "{:?}", v.problem);
}

#[tokio::test]
async fn a_writer_that_gives_up_waiting_does_not_hold_the_group_open() {
    let app = spawn_app().await;
    let (txn, chain) = write(&app.state, 0).await;
    // A request waits for its turn and is dropped (its client hung up) before getting it.
    let state = app.state.clone();
    let gave_up = tokio::time::timeout(std::time::Duration::from_millis(50), async move {
        let _ = audit_log::open(&state, chrono::Utc::now()).await;
    })
    .await;
    assert!(gave_up.is_err(), "it was still waiting");
    // No one waits now: the write commits at once instead of waiting for a group that never fills.
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        audit_log::commit(txn, chain),
    )
    .await
    .expect("the commit does not hang")
    .unwrap();
    assert_eq!(events_for(&app, "w0").await, 1);
}

#[tokio::test]
async fn a_writer_that_gives_up_after_the_group_counted_on_it_does_not_strand_the_group() {
    let app = spawn_app().await;
    let (txn, chain) = write(&app.state, 0).await;
    // A second request starts waiting for its turn ...
    let state = app.state.clone();
    let mut waiting = Box::pin(async move {
        let _ = audit_log::open(&state, chrono::Utc::now()).await;
    });
    let still = tokio::time::timeout(std::time::Duration::from_millis(20), &mut waiting).await;
    assert!(still.is_err(), "it was still waiting");
    // ... so the first write's commit leaves the group open for it, and waits for its commit.
    let committing = tokio::spawn(audit_log::commit(txn, chain));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        !committing.is_finished(),
        "the group waited for the second write"
    );
    // The second request's client hangs up before its turn: no one else will come.
    drop(waiting);
    tokio::time::timeout(std::time::Duration::from_secs(10), committing)
        .await
        .expect("the first write's commit does not hang")
        .unwrap()
        .unwrap();
    assert_eq!(events_for(&app, "w0").await, 1);
}
