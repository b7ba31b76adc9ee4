//! The benchmarks behind `mufakat bench` (method and figures: docs/benchmarks.md):
//! `catalogue` (`mufakat bench catalogue`: catalogue search over HTTP on a large catalogue),
//! `tender` (`mufakat bench rush`: sealed bids at a deadline; `mufakat bench ocds`: OCDS releases),
//! `trail` (`mufakat bench trail`: auditors' trail queries over HTTP on a long chain, and its
//! verification),
//! `timers` (`mufakat bench timers`: a million pending timers, finding and firing the due ones),
//! `audit` (`mufakat bench audit`: audited transitions against raw inserts, verification
//! against raw hashing), `load` (`mufakat bench load`: real servers over HTTP), `fixture` (the
//! load benchmark's data and in-process votes), `soak` (`mufakat bench soak`: a steady mixed
//! load for a long time, memory sampled), `node` (a server child process) and `usage` (CPU and storage read from `/proc`).
//! The raw storage baseline both compare against is here.

mod audit;
mod catalogue;
mod fixture;
mod load;
mod monev;
mod node;
mod soak;
mod tender;
mod timers;
mod trail;
mod usage;

pub use audit::{audit, run_audit, AuditBench};
pub use catalogue::{run_catalogue, CatalogueRun};
pub use fixture::{cases_in, load_fixture, token_for, vote_totals, votes_in_process, LoadFixture};
pub use load::{run_load, LoadRun};
pub use monev::{run_monev, MonevRun};
pub use soak::{run_soak, SoakRun};
pub use tender::{releases_of, run_flags, run_ocds, run_rush, FlagsRun, OcdsRun, RushRun};
pub use timers::{run_timers, TimersRun};
pub use trail::{run_trail, TrailRun};

use std::time::Instant;

use mufakat_store::sea_orm::{self as sea_orm, ConnectionTrait, TransactionTrait};

use crate::AppState;

async fn user(state: &AppState, name: &str) -> anyhow::Result<crate::auth::CurrentUser> {
    crate::services::accounts::acting_as(state, name)
        .await
        .map_err(|e| anyhow::anyhow!("{e} (seed the demo first)"))
}

/// Raw storage baseline for the benchmarks: `n` transactions, each inserting two rows (a state
/// row and an event-sized row), from `clients` concurrent tasks on the same pool and durability.
/// Returns transactions per second.
pub async fn raw_inserts(state: &AppState, n: usize, clients: usize) -> anyhow::Result<f64> {
    state.db.execute_unprepared("CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL)").await?;
    state.db.execute_unprepared("DELETE FROM bench_raw").await?;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (db, next) = (state.db.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let txn = db.begin().await?;
                txn.execute_unprepared(&format!(
                    "INSERT INTO bench_raw (id, a, b) VALUES ({}, 'case', '{{\"opd\":\"Dinas PU\"}}')",
                    2 * i
                ))
                .await?;
                txn.execute_unprepared(&format!(
                    "INSERT INTO bench_raw (id, a, b) VALUES ({}, 'event', '{}')",
                    2 * i + 1,
                    "0".repeat(64)
                ))
                .await?;
                txn.commit().await?;
            }
            Ok::<(), sea_orm::DbErr>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = t0.elapsed().as_secs_f64();
    state.db.execute_unprepared("DROP TABLE bench_raw").await?;
    Ok(n as f64 / secs)
}
