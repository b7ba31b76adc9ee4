//! `mufakat bench trail`: the auditors' trail queries on a real server over HTTP, over a chain of
//! `--events` events (default 1,000,000) spread over the past year across procurement and
//! musrenbang workflows, 2,000 actors and voters' pseudonyms, 50,000 cases, some with comments;
//! asked by `--clients` auditors at once (default 16) within the demo's active assignment:
//! by workflow, by actor, by workflow and transition, by a week, by case, by words in the
//! comments of a workflow's week, a deep page, and by role within a day; each a page of 20.
//! Every query differs (values drawn in turn). Then the whole chain is verified and the time
//! compared with raw SHA-256 over the same bytes. Method and figures: docs/benchmarks.md.
//!
//! The events are appended directly (the benchmark's fixture): sealed and linked exactly as the
//! write path seals them, written in large transactions under the chain's lock.

use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use mufakat_audit::AuditEvent;
use mufakat_store::sea_orm::{ConnectionTrait, TransactionTrait};

use crate::Settings;

#[derive(clap::Args)]
pub struct TrailRun {
    /// Events in the chain.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Concurrent auditors.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Queries per auditor (closed loop).
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Skip the verification of the whole chain.
    #[arg(long)]
    no_verify: bool,
}

const WORKFLOWS: [(&str, &[&str]); 8] = [
    (
        "procurement-paket",
        &[
            "start",
            "announce",
            "start_selection",
            "contract",
            "complete",
        ],
    ),
    (
        "procurement-epurchasing",
        &["start", "submit", "approve", "accept", "receive", "pay"],
    ),
    (
        "procurement-katalog",
        &["start", "submit", "approve", "reject", "expire"],
    ),
    (
        "procurement-penyedia",
        &["start", "submit", "approve", "request_correction"],
    ),
    (
        "procurement-langsung",
        &["start", "invite", "offer", "accept"],
    ),
    ("procurement.plan", &["create_line"]),
    (
        "musrenbang-usulan",
        &["start", "submit", "verify", "vote", "forward"],
    ),
    (
        "musrenbang-siklus",
        &["start", "open_voting", "close_voting"],
    ),
];
const ROLES: [&str; 6] = [
    "opd_staff",
    "ppk",
    "ukpbj_staff",
    "vendor",
    "resident",
    "kelurahan_staff",
];
const WORDS: [&str; 12] = [
    "revisi",
    "harga",
    "volume",
    "terlambat",
    "dokumen",
    "kurang",
    "lengkap",
    "sesuai",
    "spesifikasi",
    "lapangan",
    "pembayaran",
    "negosiasi",
];

fn pick<T: Copy>(i: usize, k: u32, list: &[T]) -> T {
    list[(i.wrapping_mul(2654435761) >> k) % list.len()]
}

/// Appends `n` synthetic events spread over the past year, sealed and linked to the chain.
async fn fixture(state: &crate::AppState, n: usize) -> anyhow::Result<(i64, i64)> {
    let start = Utc::now() - Days::days(365);
    let step = Days::microseconds((365 * 24 * 3600 * 1_000_000i64) / n.max(1) as i64);
    let mut done = 0;
    let mut first = 0;
    let mut last = 0;
    while done < n {
        let txn = state.db.begin().await?;
        let (mut seq, mut hash) =
            mufakat_store::repo::audit::lock_head(&txn, &mufakat_audit::format_time(Utc::now()))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        if first == 0 {
            first = seq + 1;
        }
        let mut rows = Vec::with_capacity(20_000);
        for i in done..(done + 20_000).min(n) {
            let (workflow, transitions) = pick(i, 3, &WORKFLOWS);
            let actor = if workflow == "musrenbang-usulan" && i % 3 == 0 {
                format!("v-{:016x}", (i as u64).wrapping_mul(0x9e3779b97f4a7c15))
            } else {
                (1 + (i * 7919) % 2_000).to_string()
            };
            let comment = (i % 10 == 0).then(|| {
                format!(
                    "{} {} {}",
                    pick(i, 5, &WORDS),
                    pick(i, 9, &WORDS),
                    pick(i, 13, &WORDS)
                )
            });
            let e = mufakat_audit::seal(
                AuditEvent {
                    seq: seq + 1,
                    at: start + step * i as i32,
                    actor,
                    role: pick(i, 7, &ROLES).into(),
                    workflow: workflow.into(),
                    workflow_version: "1".into(),
                    instance_id: (100_000 + (i * 31) % 50_000).to_string(),
                    transition: pick(i, 11, transitions).into(),
                    from_state: "a".into(),
                    to_state: "b".into(),
                    input: serde_json::json!({ "n": i.to_string() }),
                    comment,
                    prev_hash: String::new(),
                    hash: String::new(),
                },
                &hash,
            );
            seq = e.seq;
            hash = e.hash.clone();
            rows.push(mufakat_kernel::audit_log::to_row(&e));
        }
        done += rows.len();
        mufakat_store::repo::audit::append_many(&txn, rows)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        txn.commit().await?;
        last = seq;
    }
    Ok((first, last))
}

/// Query body number `i` (the kinds in turn, values drawn by `i`) within assignment `a`.
fn query(i: usize, a: i32, first: i64, last: i64) -> (usize, serde_json::Value) {
    let kind = i % 8;
    let day = |d: i64| (Utc::now() - Days::days(365) + Days::days(d)).to_rfc3339();
    let d = (i * 37 % 355) as i64;
    let (w, ts) = pick(i, 3, &WORKFLOWS);
    let filter = match kind {
        0 => serde_json::json!({ "workflow": w }),
        1 => serde_json::json!({ "actor": (1 + (i * 7919) % 2_000).to_string() }),
        2 => serde_json::json!({ "workflow": w, "transition": pick(i, 11, ts) }),
        3 => serde_json::json!({ "from": day(d), "to": day(d + 7) }),
        4 => serde_json::json!({ "case": (100_000 + (i * 31) % 50_000).to_string() }),
        5 => {
            serde_json::json!({ "workflow": w, "text": pick(i, 5, &WORDS), "from": day(d), "to": day(d + 7) })
        }
        6 => serde_json::json!({}),
        _ => serde_json::json!({ "role": pick(i, 7, &ROLES), "from": day(d), "to": day(d + 1) }),
    };
    let before = (kind == 6).then(|| first + (i as i64 * 104_729) % (last - first).max(1));
    (
        kind,
        serde_json::json!({
            "query": "query($a: ID!, $f: TrailFilter, $b: Int) { auditTrail(assignmentId: $a, filter: $f, first: 20, before: $b) { hasMore nextBefore events { seq at workflow transition actor { recorded name } comment } } }",
            "variables": { "a": a.to_string(), "f": filter, "b": before },
        }),
    )
}

const KINDS: [&str; 8] = [
    "workflow",
    "actor",
    "workflow+transition",
    "a week",
    "case",
    "words in a workflow's week",
    "a deep page",
    "role within a day",
];

pub async fn run_trail(mut settings: Settings, run: TrailRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-trail-{}", std::process::id()));
    // A fresh data folder even on PostgreSQL: the node keeps the checkpoints it signed there,
    // and a fresh chain does not extend those of an earlier run.
    settings.data_dir = tmp.clone();
    if settings.database_url.is_none() {
        settings.database_url = Some(format!("sqlite://{}", tmp.join("mufakat.sqlite").display()));
    }
    let url = settings.database_url.clone().unwrap_or_default();
    let durability = settings.durability.clone();
    let state = crate::startup::build_state(settings.clone()).await?;
    let password = "bench-password-123";
    crate::seed::seed_demo(&state, Some(password.into()))
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    crate::seed::seed_demo_eaudit(&state, password)
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    let assignment = 1;
    let t = Instant::now();
    let (first, last) = fixture(&state, run.events).await?;
    // Statistics, and on PostgreSQL the visibility map, as autovacuum leaves them after a bulk
    // of inserts (index-only scans need it).
    if mufakat_store::db::is_postgres(&state.db) {
        state
            .db
            .execute_unprepared("VACUUM ANALYZE audit_events")
            .await?;
    } else {
        state.db.execute_unprepared("ANALYZE").await?;
    }
    eprintln!(
        "trail: {} events appended in {:.1} s (#{first}–#{last})",
        run.events,
        t.elapsed().as_secs_f64()
    );
    let token = super::token_for(&state, "auditor.ani").await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(run.clients * 2)
        .build()?;
    let (mut child, gql) = super::node::spawn_node(&settings, &url, &durability, &client).await?;
    let pid = child.id();
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let send = {
        let (client, gql, token) = (client.clone(), gql.clone(), token.clone());
        move |i: usize| {
            let (client, gql, token) = (client.clone(), gql.clone(), token.clone());
            async move {
                let (kind, body) = query(i, assignment, first, last);
                let t = Instant::now();
                let ok = match client
                    .post(&gql)
                    .bearer_auth(&token)
                    .json(&body)
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                {
                    Ok(r) => r
                        .bytes()
                        .await
                        .is_ok_and(|b| super::load::graphql_succeeded(&b)),
                    Err(_) => false,
                };
                (kind, t.elapsed().as_secs_f64() * 1000.0, ok)
            }
        }
    };
    for i in 0..run.clients * 8 {
        let (_, _, ok) = send(i).await;
        anyhow::ensure!(ok, "warm-up query {i} failed");
    }
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..run.clients {
        let send = send.clone();
        let (n, clients) = (run.requests, run.clients);
        tasks.spawn(async move {
            let mut out = vec![];
            for k in 0..n {
                out.push(send(1_000 + k * clients + c).await);
            }
            out
        });
    }
    let mut all = vec![];
    let mut by_kind: Vec<Vec<f64>> = vec![vec![]; KINDS.len()];
    let mut errors = 0;
    while let Some(r) = tasks.join_next().await {
        for (kind, ms, ok) in r? {
            all.push(ms);
            by_kind[kind].push(ms);
            errors += usize::from(!ok);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let n = all.len();
    let (p50, p95, p99, max) = super::load::percentiles(all);
    println!("{engine}, {} events, {} auditors, closed loop: {n} trail queries in {secs:.1} s = {:.0}/s; p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; errors {errors}", run.events, run.clients, n as f64 / secs);
    for (k, lat) in by_kind.into_iter().enumerate() {
        let (p50, _, p99, max) = super::load::percentiles(lat);
        println!(
            "  {:<28} p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
            KINDS[k]
        );
    }
    println!(
        "server peak RSS: {:.0} MB",
        super::node::rss_mb(pid, "VmHWM").unwrap_or(0.0)
    );
    let _ = child.kill();
    let _ = child.wait();
    if !run.no_verify {
        let t = Instant::now();
        let v = crate::notary::verify(&state.db, &state.notary)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let verify_secs = t.elapsed().as_secs_f64();
        anyhow::ensure!(v.ok, "the chain does not verify: {:?}", v.problem);
        let raw = super::audit::raw_sha_secs(&state).await?;
        println!(
            "verify: {} events in {verify_secs:.2} s = {:.0} events/s; raw SHA-256 over the same bytes {raw:.2} s (verify = {:.1}x raw hashing)",
            v.events,
            v.events as f64 / verify_secs,
            verify_secs / raw.max(1e-9)
        );
    }
    if settings.data_dir == tmp {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
