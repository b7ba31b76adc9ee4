//! The kernel's write path without HTTP and without any module: a state on a fresh database
//! (SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set), group-committed audited writes
//! and the batch writer with a kind of request registered by the test itself.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mufakat_core::{AppError, AppResult, Role};
use mufakat_kernel::audit_log::{self, AuditDraft, Chain, WriteTxn};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::state::Registrations;
use mufakat_kernel::writer::{self, BatchKind};
use mufakat_kernel::{notary, services::cases, AppState, Settings};
use mufakat_store::repo::users;
use mufakat_store::testing::TestDb;

struct Harness {
    state: AppState,
    resident: CurrentUser,
    kelurahan: i32,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

/// A kernel state as the server builds it, with `registrations` as the only module.
async fn harness(registrations: Registrations) -> Harness {
    let db = TestDb::fresh().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        database_url: Some(db.url.clone()),
        data_dir: dir.path().to_owned(),
        workflows_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows"),
        durability: "normal".into(),
        ..Settings::default()
    };
    let kelurahan = db.kelurahan().await;
    let user = users::create(
        &db.db,
        users::NewUser {
            username: "warga",
            display_name: "Warga",
            nik_hash: None,
            home_region_id: Some(kelurahan),
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap();
    let workflows = mufakat_kernel::workflows::deploy(&db.db, &settings.workflows_dir, &[])
        .await
        .unwrap();
    let notary = notary::Notary::new(mufakat_audit::Signer::generate(), &[], None).unwrap();
    let state = AppState::new(
        db.db.clone(),
        settings,
        vec![7; 32],
        workflows,
        notary,
        registrations,
    )
    .await
    .unwrap();
    let resident = CurrentUser {
        id: user.id,
        username: "warga".into(),
        display_name: "Warga".into(),
        home_region_id: Some(kelurahan),
        grants: vec![(Role::Resident, kelurahan)],
        opd_grants: vec![],
        token_hash: String::new(),
    };
    Harness {
        state,
        resident,
        kelurahan,
        _db: db,
        _dir: dir,
    }
}

fn draft(n: usize) -> AuditDraft {
    AuditDraft {
        actor: "system".into(),
        role: "system".into(),
        workflow: "test".into(),
        workflow_version: "1".into(),
        instance_id: n.to_string(),
        transition: "note".into(),
        from_state: "a".into(),
        to_state: "a".into(),
        input: serde_json::json!({ "n": n }),
        comment: None,
    }
}

async fn chain_ok(h: &Harness) -> i64 {
    let v = notary::verify(&h.state.db, &h.state.notary).await.unwrap();
    assert!(v.ok, "chain broken: {:?}", v.problem);
    v.events
}

#[tokio::test]
async fn concurrent_audited_writes_each_append_one_event_and_the_chain_verifies() {
    let h = harness(Registrations::default()).await;
    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let state = h.state.clone();
            tokio::spawn(async move {
                let (txn, mut chain) = audit_log::open(&state, chrono::Utc::now()).await?;
                chain.append(&txn, draft(n)).await?;
                audit_log::commit(txn, chain).await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(chain_ok(&h).await, 64);
}

#[tokio::test]
async fn concurrent_case_starts_go_through_the_batch_writer_each_with_its_event() {
    let h = harness(Registrations::default()).await;
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let (state, user, kel) = (h.state.clone(), h.resident.clone(), h.kelurahan);
            tokio::spawn(async move {
                let input = serde_json::json!({
                    "description": format!("Lampu jalan mati nomor {n}"),
                    "category": "penerangan",
                });
                cases::start(
                    &state,
                    &user,
                    "lapor-complaint",
                    kel,
                    input.as_object().unwrap().clone(),
                )
                .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    assert_eq!(chain_ok(&h).await, 40);
}

/// A kind of request made up for the test: `n` is answered `n * 2`, an odd `n` is refused
/// (its own error, the others unharmed), and `13` makes the whole batch's write fail, as a
/// database error would: the writer must then write the others one by one.
#[derive(Default)]
struct Doubling {
    after_commit: Arc<AtomicUsize>,
    /// Batches of several requests that held 13 (so that the one-by-one path ran).
    broken_batches: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl BatchKind for Doubling {
    type Request = usize;
    type Answer = usize;
    type Effects = usize;

    fn name(&self) -> &'static str {
        "doubling"
    }

    async fn write(
        &self,
        _state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
        batch: &[&usize],
    ) -> AppResult<(Vec<AppResult<usize>>, usize)> {
        if batch.iter().any(|n| **n == 13) {
            if batch.len() > 1 {
                self.broken_batches.fetch_add(1, Ordering::SeqCst);
            }
            return Err(AppError::internal(anyhow::anyhow!("13 breaks the batch")));
        }
        let mut answers = Vec::new();
        for n in batch {
            if **n % 2 == 1 {
                answers.push(Err(AppError::Forbidden));
            } else {
                chain.append(txn, draft(**n)).await?;
                answers.push(Ok(**n * 2));
            }
        }
        let written = answers.iter().filter(|a| a.is_ok()).count();
        Ok((answers, written))
    }

    fn after_commit(&self, _state: &AppState, written: usize) {
        self.after_commit.fetch_add(written, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_registered_batch_kind_is_written_refused_alone_and_retried_one_by_one() {
    let counted = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let mut r = Registrations::default();
    r.batch_kinds = r.batch_kinds.with(Doubling {
        after_commit: counted.clone(),
        broken_batches: broken.clone(),
    });
    let h = harness(r).await;
    // Hold the writer's turn while the requests queue, so that they land in one batch.
    let (txn, chain) = audit_log::open(&h.state, chrono::Utc::now()).await.unwrap();
    let tasks: Vec<_> = (0..40usize)
        .map(|n| {
            let state = h.state.clone();
            tokio::spawn(async move { (n, writer::submit::<Doubling>(&state, n).await) })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    audit_log::commit(txn, chain).await.unwrap();
    let mut ok = 0;
    for t in tasks {
        let (n, answer) = t.await.unwrap();
        match (n, answer) {
            (13, Err(AppError::Internal(_))) => {}
            (n, Err(AppError::Forbidden)) if n % 2 == 1 && n != 13 => {}
            (n, Ok(doubled)) if n % 2 == 0 => {
                assert_eq!(doubled, n * 2);
                ok += 1;
            }
            (n, other) => panic!("request {n}: unexpected answer {other:?}"),
        }
    }
    assert_eq!(ok, 20);
    assert!(
        broken.load(Ordering::SeqCst) >= 1,
        "13 never shared a batch"
    );
    // Each even request's event is in the chain once, and the after-commit step saw each once.
    assert_eq!(chain_ok(&h).await, 20);
    assert_eq!(counted.load(Ordering::SeqCst), 20);
}

#[tokio::test]
async fn a_kind_not_registered_is_an_internal_error_not_a_hang() {
    // (A kind the state was not built with: the test's `Doubling` is not registered here.)
    let h = harness(Registrations::default()).await;
    let e = writer::submit::<Doubling>(&h.state, 2).await.unwrap_err();
    assert!(matches!(e, AppError::Internal(_)), "{e:?}");
}
