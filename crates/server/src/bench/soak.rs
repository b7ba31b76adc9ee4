//! `mufakat bench soak`: a steady mixed load on a real server for a long time, with the
//! server's memory sampled, to show that it levels off (every cache bounded), that nothing
//! fails and that no request waits a second. Method and figures: docs/benchmarks.md.
//!
//! The mix, per ten requests: four votes (each resident once per proposal, then listings in
//! their place), four public listings whose texts all differ (a page size and a comment that
//! change with every request, so parse and answer caches see ever new keys), one case start,
//! one region query.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::Settings;

#[derive(clap::Args)]
pub struct SoakRun {
    /// How long to run, in seconds (the full soak: 1800).
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Requests per second, sent at a steady rate whatever the answers take.
    #[arg(long, default_value_t = 200)]
    rate: u64,
    /// Residents with tokens (each votes once per proposal).
    #[arg(long, default_value_t = 512)]
    residents: usize,
    /// Proposals in the voting cycle.
    #[arg(long, default_value_t = 20)]
    proposals: usize,
}

#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    errors: usize,
}

pub async fn run_soak(mut settings: Settings, run: SoakRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-soak-{}", std::process::id()));
    if settings.database_url.is_none() {
        settings.data_dir = tmp.clone();
        settings.database_url = Some(format!("sqlite://{}", tmp.join("mufakat.sqlite").display()));
    }
    let url = settings.database_url.clone().unwrap_or_default();
    let durability = settings.durability.clone();
    let state = crate::startup::build_state(settings.clone()).await?;
    crate::seed::seed_demo(&state, Some("bench-password-123".into()))
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    let super::LoadFixture {
        tokens,
        proposals,
        kelurahan,
        ..
    } = super::load_fixture(&state, run.residents, run.proposals).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let (mut child, gql) = super::node::spawn_node(&settings, &url, &durability, &client).await?;
    let pid = child.id();
    let votes: Vec<(String, i32)> = tokens
        .iter()
        .flat_map(|t| proposals.iter().map(move |p| (t.clone(), *p)))
        .collect();
    let votes = Arc::new(Mutex::new(votes));
    let tally = Arc::new(Mutex::new(Tally::default()));
    // At most this many requests in flight: a server that stops answering shows as errors and
    // latency, not as a load generator that grows without bound.
    let in_flight = Arc::new(tokio::sync::Semaphore::new(512));
    let total = run.seconds * run.rate;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / run.rate.max(1) as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let sample_every = (run.seconds / 30).max(1);
    let mut rss = vec![];
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    eprintln!(
        "soak: {} s at {} requests/s on {} ...",
        run.seconds,
        run.rate,
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for i in 0..total {
        tick.tick().await;
        if i % (run.rate * sample_every) == 0 {
            rss.push((
                t0.elapsed().as_secs_f64(),
                super::node::rss_mb(pid, "VmRSS").unwrap_or(0.0),
            ));
        }
        let (token, body) = request(i, &votes, &tokens, kelurahan);
        let (client, gql, tally) = (client.clone(), gql.clone(), tally.clone());
        let permit = in_flight.clone().acquire_owned().await?;
        tasks.spawn(async move {
            let t = Instant::now();
            let mut r = client
                .post(&gql)
                .json(&body)
                .timeout(Duration::from_secs(30));
            if let Some(tok) = &token {
                r = r.bearer_auth(tok);
            }
            let ok = match r.send().await {
                Ok(resp) => resp
                    .bytes()
                    .await
                    .is_ok_and(|b| super::load::graphql_succeeded(&b)),
                Err(_) => false,
            };
            let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
            tally.latencies_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            tally.errors += usize::from(!ok);
            drop(permit);
        });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    rss.push((
        t0.elapsed().as_secs_f64(),
        super::node::rss_mb(pid, "VmRSS").unwrap_or(0.0),
    ));
    let secs = t0.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&tmp);

    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    let n = tally.latencies_ms.len();
    let slow = tally.latencies_ms.iter().filter(|l| **l >= 1000.0).count();
    let (p50, p95, p99, max) = super::load::percentiles(tally.latencies_ms);
    println!(
        "soak: {n} requests in {secs:.0} s = {:.0}/s  p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms  errors {}  over 1 s {slow}",
        n as f64 / secs,
        tally.errors
    );
    let line: Vec<String> = rss
        .iter()
        .map(|(t, mb)| format!("{t:.0}s {mb:.1}"))
        .collect();
    println!("server RSS (MB): {}", line.join(", "));
    // Levels off: the last third's peak within 10 % (+2 MB) of the middle third's.
    let third = |k: usize| {
        let (a, b) = (secs * k as f64 / 3.0, secs * (k + 1) as f64 / 3.0);
        rss.iter()
            .filter(|(t, _)| *t >= a && *t <= b)
            .map(|(_, mb)| *mb)
            .fold(0.0_f64, f64::max)
    };
    let (middle, last) = (third(1), third(2));
    let levels_off = last <= middle * 1.10 + 2.0;
    println!(
        "RSS peak: middle third {middle:.1} MB, last third {last:.1} MB: {}",
        if levels_off {
            "levels off"
        } else {
            "STILL GROWING"
        }
    );
    anyhow::ensure!(tally.errors == 0, "{} requests failed", tally.errors);
    anyhow::ensure!(slow == 0, "{slow} requests took a second or more");
    anyhow::ensure!(levels_off, "the server's memory kept growing");
    Ok(())
}

/// The `i`-th request of the mix: its token (if any) and body.
fn request(
    i: u64,
    votes: &Mutex<Vec<(String, i32)>>,
    tokens: &[String],
    kelurahan: i32,
) -> (Option<String>, serde_json::Value) {
    let listing = || {
        (
            None,
            serde_json::json!({ "query": format!(
                "{{ proposals(first: {}, sort: VOTES) {{ edges {{ node {{ id title votes }} }} }} }} # {i}",
                1 + i % 50
            ) }),
        )
    };
    match i % 10 {
        0..=3 => match votes.lock().ok().and_then(|mut v| v.pop()) {
            Some((tok, p)) => (
                Some(tok),
                serde_json::json!({ "query": "mutation($id: ID!) { vote(proposalId: $id) { receipt } }", "variables": { "id": p.to_string() } }),
            ),
            None => listing(),
        },
        4..=7 => listing(),
        8 => (
            Some(tokens[i as usize % tokens.len()].clone()),
            serde_json::json!({ "query": "mutation($r: ID!) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: {description: \"Lampu mati\", category: \"penerangan\"}) { id } }", "variables": { "r": kelurahan.to_string() } }),
        ),
        _ => (
            None,
            serde_json::json!({ "query": format!("{{ regions {{ id name }} }} # {i}") }),
        ),
    }
}
