//! `mufakat bench monev`: the situation room on a real server over HTTP: `--activities`
//! activities (default 5,000) in the demo's regions, each with a 12-month plan, an indicator
//! and 12 verified monthly reports, some flags; `--clients` signed-in readers (default 64) ask
//! `monevDashboard` in a closed loop, by turns grouped by region, OPD, category, funding source
//! and cycle, filtered by region or not, at one of the twelve months — every query differs in
//! its grouping, filter or month, and readers are signed in, so no answer comes from the public
//! cache. Method and figures: docs/benchmarks.md.
//!
//! The rows are inserted directly (the benchmark's fixture, like `bench catalogue`'s items):
//! the dashboard reads the same rows either way.

use std::time::{Duration, Instant};

use chrono::Utc;
use mufakat_module_monev::entity::{activity, flag, indicator, report};
use mufakat_store::sea_orm::{EntityTrait, Set};

use crate::Settings;

#[derive(clap::Args)]
pub struct MonevRun {
    /// Activities (each with 12 monthly reports).
    #[arg(long, default_value_t = 5_000)]
    activities: usize,
    /// Concurrent readers.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Queries per reader (each sends the next when the last is answered).
    #[arg(long, default_value_t = 100)]
    requests: usize,
}

const OPDS: [&str; 8] = [
    "Dinas Pekerjaan Umum",
    "Dinas Kesehatan",
    "Dinas Pendidikan",
    "Dinas Perumahan dan Permukiman",
    "Dinas Perhubungan",
    "Dinas Lingkungan Hidup",
    "Dinas Sosial",
    "Dinas Koperasi dan UMKM",
];
const CATEGORIES: [&str; 6] = [
    "jalan",
    "air bersih",
    "drainase",
    "gedung",
    "kesehatan",
    "ekonomi",
];
const SOURCES: [&str; 4] = ["APBD", "DAK", "DAU", "Dana Desa"];

async fn fixture(state: &crate::AppState, n: usize) -> anyhow::Result<Vec<i32>> {
    let regions: Vec<i32> = state.regions.read().await.all().map(|r| r.id).collect();
    let now = Utc::now();
    let year = 2026;
    let curve = mufakat_module_monev::demo::s_curve(12);
    let plan: Vec<serde_json::Value> = curve
        .iter()
        .enumerate()
        .map(|(m, f)| {
            let bp: i64 = (*f * rust_decimal::Decimal::ONE_HUNDRED).try_into().unwrap_or(0);
            serde_json::json!({ "period": format!("{year}-{:02}", m + 1), "physical_bp": bp, "disbursement_sen": bp * 1_000_000 })
        })
        .collect();
    let plan = serde_json::Value::Array(plan).to_string();
    let mut rows = vec![];
    for i in 0..n {
        rows.push(activity::ActiveModel {
            instance_id: Set(None),
            plan_line_id: Set(1_000_000 + i as i32),
            contract_id: Set(None),
            proposal_id: Set(None),
            cycle_id: Set(Some(1 + (i % 3) as i32)),
            region_id: Set(regions[i % regions.len()]),
            year: Set(year),
            title: Set(format!("Kegiatan {i}")),
            opd: Set(OPDS[i % OPDS.len()].into()),
            category: Set(CATEGORIES[i % CATEGORIES.len()].into()),
            funding_source: Set(SOURCES[i % SOURCES.len()].into()),
            pagu_sen: Set(10_000_000_000),
            contracted_sen: Set((i % 2 == 0).then_some(9_000_000_000)),
            starts_on: Set(chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("date")),
            ends_on: Set(chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("date")),
            plan: Set(plan.clone()),
            sub_activities: Set("[]".into()),
            status: Set("running".into()),
            actual_bp: Set(Some(9_000)),
            disbursed_sen: Set(8_000_000_000),
            last_period: Set(Some(format!("{year}-12"))),
            created_by: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(400) {
        activity::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    let ids: Vec<i32> = activity::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut reps = vec![];
    let mut inds = vec![];
    let mut flags = vec![];
    for (k, id) in ids.iter().enumerate() {
        inds.push(indicator::ActiveModel {
            activity_id: Set(*id),
            outcome: Set(false),
            name: Set("Panjang jalan".into()),
            unit: Set("m".into()),
            baseline: Set("0".into()),
            higher_is_better: Set(true),
            targets: Set("{}".into()),
            ..Default::default()
        });
        for (m, f) in curve.iter().enumerate() {
            let p = mufakat_monev::Period::new(year, m as u32 + 1).expect("period");
            let due = p.due(10);
            let bp: i64 = (*f * rust_decimal::Decimal::ONE_HUNDRED)
                .try_into()
                .unwrap_or(0);
            let behind = if k % 7 == 0 { 1_500 } else { 0 };
            let at = due - chrono::Duration::days(if (k + m) % 9 == 0 { -2 } else { 2 });
            reps.push(report::ActiveModel {
                instance_id: Set(None),
                activity_id: Set(*id),
                period: Set(p.to_string()),
                due_at: Set(due),
                status: Set("verified".into()),
                physical_bp: Set(Some((bp - behind).max(0) as i32)),
                sub_progress: Set(None),
                spent_sen: Set(Some(bp * 900_000)),
                actuals: Set("{}".into()),
                notes: Set(String::new()),
                return_note: Set(None),
                submitted_by: Set(Some(1)),
                submitted_at: Set(Some(at)),
                first_submitted_at: Set(Some(at)),
                verified_by: Set(Some(2)),
                verified_at: Set(Some(at)),
                late_at: Set(None),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if k % 7 == 0 {
            flags.push(flag::ActiveModel {
                instance_id: Set(None),
                activity_id: Set(*id),
                report_id: Set(None),
                kind: Set(if k % 2 == 0 {
                    "critical_contract"
                } else {
                    "behind_plan"
                }
                .into()),
                severity: Set("high".into()),
                period: Set(format!("{year}-06")),
                evidence: Set("{}".into()),
                message_id: Set(String::new()),
                message_en: Set(String::new()),
                status: Set("open".into()),
                note: Set(None),
                raised_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    for chunk in inds.chunks(400) {
        indicator::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    for chunk in reps.chunks(200) {
        report::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    for chunk in flags.chunks(400) {
        flag::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    Ok(regions)
}

fn query(i: usize, regions: &[i32]) -> serde_json::Value {
    const GROUPS: [&str; 5] = ["REGION", "OPD", "CATEGORY", "FUNDING_SOURCE", "CYCLE"];
    let group = GROUPS[i % GROUPS.len()];
    let month = 1 + (i / GROUPS.len()) % 12;
    let filter = if (i / 60) % 2 == 0 {
        serde_json::json!({ "year": 2026 })
    } else {
        serde_json::json!({ "regionId": regions[(i / 120) % regions.len()].to_string() })
    };
    serde_json::json!({
        "query": format!("query($f: MonevFilter!) {{ monevDashboard(groupBy: {group}, filter: $f, asOf: \"2026-{month:02}\") {{ group groupTitle activities pagu contracted disbursed plannedPhysical actualPhysical deviation flags {{ kind count }} expected received onTime reportingRate onTimeRate }} }}"),
        "variables": { "f": filter },
    })
}

pub async fn run_monev(mut settings: Settings, run: MonevRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-monev-{}", std::process::id()));
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
    let t = Instant::now();
    let regions = fixture(&state, run.activities).await?;
    eprintln!(
        "monev: {} activities × 12 reports in {:.1} s",
        run.activities,
        t.elapsed().as_secs_f64()
    );
    let token = super::token_for(&state, "bappeda").await?;
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
        let (client, gql, token, regions) =
            (client.clone(), gql.clone(), token.clone(), regions.clone());
        move |i: usize| {
            let (client, gql, token, body) = (
                client.clone(),
                gql.clone(),
                token.clone(),
                query(i, &regions),
            );
            async move {
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
                (t.elapsed().as_secs_f64() * 1000.0, ok)
            }
        }
    };
    // Warm up (the first query builds the node's snapshot).
    let t = Instant::now();
    send(0).await;
    eprintln!(
        "first query (builds the snapshot): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for i in 0..run.clients * 2 {
        send(i).await;
    }
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..run.clients {
        let send = send.clone();
        let (n, clients) = (run.requests, run.clients);
        tasks.spawn(async move {
            let mut out = vec![];
            for k in 0..n {
                out.push(send(k * clients + c).await);
            }
            out
        });
    }
    let mut lat = vec![];
    let mut errors = 0;
    while let Some(r) = tasks.join_next().await {
        for (ms, ok) in r? {
            lat.push(ms);
            errors += usize::from(!ok);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let n = lat.len();
    let (p50, p95, p99, max) = super::load::percentiles(lat);
    println!("{engine}, {} activities × 12 reports, {} readers: {n} dashboards in {secs:.1} s = {:.0}/s; p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; errors {errors}", run.activities, run.clients, n as f64 / secs);
    println!(
        "server peak RSS: {:.0} MB",
        super::node::rss_mb(pid, "VmHWM").unwrap_or(0.0)
    );
    let _ = child.kill();
    let _ = child.wait();
    if settings.data_dir == tmp {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
