//! `mufakat bench load`: drives real server processes over HTTP with concurrent clients, phase
//! by phase (votes, listing, case starts, transitions, listing while cases are started,
//! proposals), and prints each kind of request's throughput, latency and cost.

use clap::Args;

use super::usage::Usage;
use crate::Settings;

/// A GraphQL response without `errors`. Read without building the response's value tree, so
/// that the load generator's own work (on the cores it shares with the server) stays small.
pub(super) fn graphql_succeeded(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Reply {
        errors: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Reply>(body).is_ok_and(|r| r.errors.is_none())
}

/// What one kind of request in a `bench load` phase measured.
struct KindFigures {
    kind: &'static str,
    /// Milliseconds per request.
    latencies: Vec<f64>,
    errors: usize,
    /// Seconds from the phase's start to the last answer.
    last: f64,
}

impl KindFigures {
    /// The figures of `kind` in `all`, added when missing.
    fn of<'a>(all: &'a mut Vec<KindFigures>, kind: &'static str) -> &'a mut KindFigures {
        let i = match all.iter().position(|k| k.kind == kind) {
            Some(i) => i,
            None => {
                all.push(KindFigures {
                    kind,
                    latencies: vec![],
                    errors: 0,
                    last: 0.0,
                });
                all.len() - 1
            }
        };
        &mut all[i]
    }
}

/// Latency percentiles of a run, in milliseconds.
pub(super) fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |q: f64| {
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (
        at(0.5),
        at(0.95),
        at(0.99),
        v.last().copied().unwrap_or(0.0),
    )
}

/// What `mufakat bench load` was asked to do.
#[derive(Args)]
pub struct LoadRun {
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Proposals to vote on; every client's residents vote for each.
    #[arg(long, default_value_t = 20)]
    proposals: usize,
    /// Residents (voters); votes cast = residents × proposals.
    #[arg(long, default_value_t = 256)]
    residents: usize,
    /// Requests per client for the listing and transition scenarios.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Cast the votes through the service API in this process instead (the group-commit
    /// writer without HTTP), then stop.
    #[arg(long)]
    in_process: bool,
    /// Server processes on the one database (PostgreSQL: the multi-node deployment);
    /// client k talks to node k mod N.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
}

pub async fn run_load(mut settings: Settings, load: LoadRun) -> anyhow::Result<()> {
    use std::time::Instant;
    let LoadRun {
        clients,
        proposals,
        residents,
        requests,
        in_process,
        nodes,
    } = load;
    let nodes = nodes.max(1);
    let tmp = std::env::temp_dir().join(format!("mufakat-load-{}", std::process::id()));
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
    eprintln!("preparing {residents} residents and {proposals} proposals ...");
    let super::LoadFixture {
        tokens,
        proposals: ids,
        kelurahan: kel,
        submission_cycle,
    } = super::load_fixture(&state, residents, proposals).await?;
    if in_process {
        let (n, secs, lat) = super::votes_in_process(&state, &tokens, &ids, clients).await?;
        let (p50, p95, p99, max) = percentiles(lat);
        println!("durability: {durability}; in-process tasks: {clients}");
        println!("vote (service API, no HTTP) {n:>7} votes in {secs:>6.2}s = {:>7.0}/s  p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms", n as f64 / secs);
        let report = crate::notary::verify(&state.db, &state.notary)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(report.ok, "the audit chain does not verify");
        println!(
            "audit chain after the run: {} events, verified",
            report.events
        );
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let mut children = vec![];
    let mut gqls = vec![];
    for _ in 0..nodes {
        let (child, gql) = super::node::spawn_node(&settings, &url, &durability, &client).await?;
        children.push(child);
        gqls.push(gql);
    }
    let gqls = std::sync::Arc::new(gqls);
    let server_pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    let postgres = url.starts_with("postgres");
    println!("durability: {durability}; clients: {clients}; server nodes: {nodes}");

    // Votes: every resident votes for every proposal, residents spread over the clients.
    let jobs: Vec<(String, i32)> = tokens
        .iter()
        .flat_map(|t| ids.iter().map(move |p| (t.clone(), *p)))
        .collect();
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
    // A phase: each client sends what `make` gives it (token, body, kind of request) until it
    // gives nothing; figures are printed per kind of request.
    type Make = Box<
        dyn Fn(usize) -> Option<(Option<String>, serde_json::Value, &'static str)> + Send + Sync,
    >;
    let run = |name: &'static str, make: Make| {
        let (client, gqls) = (client.clone(), gqls.clone());
        let make = std::sync::Arc::new(make);
        let server_pids = server_pids.clone();
        async move {
            let cpu0 = Usage::now(&server_pids, postgres);
            let t0 = Instant::now();
            let mut tasks = vec![];
            for c in 0..clients {
                let (client, make) = (client.clone(), make.clone());
                let gql = gqls[c % gqls.len()].clone();
                tasks.push(tokio::spawn(async move {
                    let mut by_kind: Vec<KindFigures> = vec![];
                    let mut i = 0;
                    while let Some((token, body, kind)) = make(c * 1_000_000 + i) {
                        i += 1;
                        let t = Instant::now();
                        let mut r = client.post(&gql).json(&body);
                        if let Some(tok) = &token {
                            r = r.bearer_auth(tok);
                        }
                        let ok = match r.send().await {
                            Ok(resp) => resp.bytes().await.is_ok_and(|b| graphql_succeeded(&b)),
                            Err(_) => false,
                        };
                        let k = KindFigures::of(&mut by_kind, kind);
                        k.latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                        k.errors += usize::from(!ok);
                        k.last = t0.elapsed().as_secs_f64();
                    }
                    by_kind
                }));
            }
            let mut kinds: Vec<KindFigures> = vec![];
            for t in tasks {
                for f in t.await.unwrap_or_default() {
                    let k = KindFigures::of(&mut kinds, f.kind);
                    k.latencies.extend(f.latencies);
                    k.errors += f.errors;
                    k.last = k.last.max(f.last);
                }
            }
            let secs = t0.elapsed().as_secs_f64();
            let n: usize = kinds.iter().map(|k| k.latencies.len()).sum();
            let errors: usize = kinds.iter().map(|k| k.errors).sum();
            // Each kind's rate over the time until its last answer (in a mixed phase the
            // kinds finish at different times).
            for KindFigures {
                kind,
                latencies: lat,
                errors: e,
                last,
            } in kinds
            {
                let label = if kind == name {
                    name.to_owned()
                } else {
                    format!("{name}: {kind}")
                };
                let k = lat.len();
                let (p50, p95, p99, max) = percentiles(lat);
                println!("{label:<17} {k:>7} requests in {last:>6.2}s = {:>7.0}/s  p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms  errors {e}", k as f64 / last);
            }
            if let Some(line) =
                Usage::now(&server_pids, postgres).and_then(|c| c.since(&cpu0, n, secs, postgres))
            {
                println!("{:<17} {line}", "");
            }
            (n as f64 / secs, n - errors)
        }
    };
    let vote_jobs = jobs.clone();
    let (votes_per_sec, acknowledged_votes) = run(
        "vote",
        Box::new(move |_| {
            let (t, p) = vote_jobs.lock().ok()?.pop()?;
            Some((Some(t), serde_json::json!({ "query": "mutation($id: ID!) { vote(proposalId: $id) { receipt } }", "variables": { "id": p.to_string() } }), "vote"))
        }),
    )
    .await;
    let listing = || serde_json::json!({ "query": "{ proposals(first: 20, sort: VOTES) { edges { node { id title votes estimatedCost kelurahan { name } } } } }" });
    let start_case = {
        let toks = tokens.clone();
        move |i: usize| {
            let tok = toks[i % toks.len()].clone();
            (
                Some(tok),
                serde_json::json!({ "query": "mutation($r: ID!) { startCase(workflow: \"lapor-complaint\", regionId: $r, input: {description: \"Lampu mati\", category: \"penerangan\"}) { id } }", "variables": { "r": kel.to_string() } }),
            )
        }
    };
    // Takes one of `n` requests; None when they are all taken.
    let budget = |n: usize| {
        let left = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(n));
        move || {
            left.fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |n| n.checked_sub(1),
            )
            .ok()
        }
    };
    let take = budget(clients * requests);
    run(
        "list",
        Box::new(move |_| {
            take()?;
            Some((None, listing(), "list"))
        }),
    )
    .await;
    let take = budget(clients * requests);
    let start = start_case.clone();
    run(
        "transition",
        Box::new(move |i| {
            take()?;
            let (tok, body) = start(i);
            Some((tok, body, "transition"))
        }),
    )
    .await;
    // Transitions of existing cases: the kelurahan routes each complaint just started to an
    // OPD (a state change that arms a timer), one request per case.
    let open = std::sync::Arc::new(std::sync::Mutex::new(
        super::cases_in(&state, "lapor-complaint", "submitted").await?,
    ));
    let lurah = super::token_for(&state, "lurah.mekarsari").await?;
    run(
        "fire",
        Box::new(move |_| {
            let id = open.lock().ok()?.pop()?;
            Some((Some(lurah.clone()), serde_json::json!({ "query": "mutation($id: ID!) { fireTransition(instanceId: $id, transition: \"route\", input: {opd: \"Dinas PU\"}) { id state } }", "variables": { "id": id.to_string() } }), "fire"))
        }),
    )
    .await;
    // The public reading while cases are started: every group commit drops the answers the
    // server keeps for anonymous queries, so listings are computed again between writes.
    let (take_list, take_start) = (
        budget(clients / 2 * requests),
        budget(clients / 2 * requests),
    );
    run(
        "mixed",
        Box::new(move |i| {
            if (i / 1_000_000) % 2 == 0 {
                take_list()?;
                Some((None, listing(), "list"))
            } else {
                take_start()?;
                let (tok, body) = start_case(i);
                Some((tok, body, "transition"))
            }
        }),
    )
    .await;
    // Residents submitting proposals (usulan) before a deadline: each a case start and a
    // proposal row through the group commit of the requests' own connections (not the batch
    // writer), a quarter as many requests as the other phases.
    let take = budget(clients * requests / 4);
    let toks = tokens.clone();
    run(
        "propose",
        Box::new(move |i| {
            take()?;
            let tok = toks[i % toks.len()].clone();
            Some((
                Some(tok),
                serde_json::json!({ "query": "mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }", "variables": { "i": {
                    "cycleId": submission_cycle.to_string(), "title": format!("Jalan lingkungan {i}"),
                    "description": "Jalan berlubang sepanjang 200 m", "category": "infrastruktur",
                    "volume": "200", "unit": "m", "unitPrice": "350000" } } }),
                "propose",
            ))
        }),
    )
    .await;
    let mut rss = vec![];
    for mut child in children {
        rss.push(super::node::rss_mb(child.id(), "VmHWM"));
        let _ = child.kill();
        let _ = child.wait();
    }
    let raw = super::raw_inserts(&state, tokens.len() * ids.len(), clients).await?;
    println!("raw storage: {raw:.0} two-row transactions/s with {clients} concurrent writers; votes = {:.0}% of raw", 100.0 * votes_per_sec / raw);
    for (i, mb) in rss.into_iter().enumerate() {
        if let Some(mb) = mb {
            println!("server node {} peak RSS: {mb:.1} MB", i + 1);
        }
    }
    let (rows, counted) = super::vote_totals(&state, &ids).await?;
    println!(
        "votes stored: {rows} rows, counts sum {counted}, acknowledged {}{}",
        acknowledged_votes,
        if rows as usize == acknowledged_votes && counted as usize == acknowledged_votes {
            " (exact)"
        } else {
            " (MISMATCH)"
        }
    );
    let v = crate::notary::verify(&state.db, &state.notary)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "audit chain after the run: {} events, {}",
        v.events,
        if v.ok { "verified" } else { "BROKEN" }
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::graphql_succeeded;

    #[test]
    fn load_generator_tells_errors_from_data() {
        assert!(graphql_succeeded(
            br#"{"data":{"vote":{"receipt":"ab"}},"extensions":{"x":[1,{"errors":1}]}}"#
        ));
        assert!(!graphql_succeeded(
            br#"{"data":null,"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}]}"#
        ));
        assert!(!graphql_succeeded(b"<html>502</html>"));
        assert!(!graphql_succeeded(b""));
    }
}
