//! `mufakat bench audit`: audited workflow transitions per second against the raw storage
//! engine inserting two rows per transaction at the same durability, and `audit verify`
//! against raw SHA-256 over the same bytes. Method and figures: docs/benchmarks.md.

use std::time::Instant;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{raw_inserts, user};
use crate::services::cases::{self, Acting};
use crate::{AppState, Settings};

pub struct AuditBench {
    pub transitions: usize,
    pub transitions_per_sec: f64,
    pub raw_tx_per_sec: f64,
    pub verify_events: i64,
    pub verify_secs: f64,
    pub raw_sha_secs: f64,
}

/// Runs `n` complaint cases through start + route (2n audited transitions), then the raw
/// baseline, then verification. Needs the demo seed.
pub async fn audit(state: &AppState, n: usize) -> anyhow::Result<AuditBench> {
    let warga = user(state, "warga.siti").await?;
    let lurah = user(state, "lurah.mekarsari").await?;
    let kel = warga
        .home_region_id
        .ok_or_else(|| anyhow::anyhow!("demo resident has no kelurahan"))?;
    let input = json!({ "description": "Lampu jalan mati", "category": "penerangan" })
        .as_object()
        .cloned()
        .unwrap_or_default();
    let route = json!({ "opd": "Dinas PU" })
        .as_object()
        .cloned()
        .unwrap_or_default();
    let t0 = Instant::now();
    for _ in 0..n {
        let c = cases::start(state, &warga, "lapor-complaint", kel, input.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        cases::fire(
            state,
            Acting::User(&lurah),
            c.id,
            "route",
            route.clone(),
            None,
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let secs = t0.elapsed().as_secs_f64();

    // Raw: the same number of transactions (one writer), each inserting two rows, same
    // connection settings.
    let raw_tx_per_sec = raw_inserts(state, 2 * n, 1).await?;

    let t2 = Instant::now();
    let v = crate::notary::verify(&state.db, &state.notary)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let verify_secs = t2.elapsed().as_secs_f64();
    anyhow::ensure!(v.ok, "the chain does not verify: {:?}", v.problem);
    let raw_sha_secs = raw_sha_secs(state).await?;
    Ok(AuditBench {
        transitions: 2 * n,
        transitions_per_sec: (2 * n) as f64 / secs,
        raw_tx_per_sec,
        verify_events: v.events,
        verify_secs,
        raw_sha_secs,
    })
}

/// Seconds to hash the chain's canonical bytes with SHA-256 once each (the bytes read and
/// encoded first, outside the timing): the floor any verification stands on.
pub(super) async fn raw_sha_secs(state: &AppState) -> anyhow::Result<f64> {
    let mut bytes = vec![];
    let mut after = 0;
    loop {
        let page = mufakat_store::repo::audit::page(&state.db, after, 5000)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if page.is_empty() {
            break;
        }
        after = page.last().map(|e| e.seq).unwrap_or(after);
        for r in page {
            let e = crate::audit_log::from_row(r).map_err(|e| anyhow::anyhow!("{e}"))?;
            bytes.push(mufakat_audit::canonical_json(&serde_json::to_value(&e)?).into_bytes());
        }
    }
    let t = Instant::now();
    let mut acc = 0u8;
    for b in &bytes {
        acc ^= Sha256::digest(b)[0];
    }
    let secs = t.elapsed().as_secs_f64();
    std::hint::black_box(acc);
    Ok(secs)
}

/// `mufakat bench audit`: seeds the demo on a fresh SQLite file (unless a database URL is
/// given), runs [`audit`] with `cases` cases and prints the figures.
pub async fn run_audit(mut settings: Settings, cases: usize) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-bench-{}", std::process::id()));
    if settings.database_url.is_none() {
        settings.data_dir = tmp.clone();
    }
    let durability = settings.durability.clone();
    let state = crate::startup::build_state(settings).await?;
    crate::seed::seed_demo(&state, Some("bench-password-123".into()))
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    let b = audit(&state, cases).await?;
    println!("durability: {durability}");
    println!(
        "audited transitions: {} in total, {:.0}/s",
        b.transitions, b.transitions_per_sec
    );
    println!(
        "raw two-row transactions: {:.0}/s  (audited = {:.0}% of raw)",
        b.raw_tx_per_sec,
        100.0 * b.transitions_per_sec / b.raw_tx_per_sec
    );
    println!(
        "audit verify: {} events in {:.3}s ({:.0} events/s)",
        b.verify_events,
        b.verify_secs,
        b.verify_events as f64 / b.verify_secs
    );
    println!(
        "raw SHA-256 over the same bytes: {:.4}s (verify = {:.1}x raw hashing)",
        b.raw_sha_secs,
        b.verify_secs / b.raw_sha_secs.max(1e-9)
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
