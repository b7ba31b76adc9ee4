//! `mufakat bench catalogue`: catalogue search on a real server over HTTP, with a catalogue of
//! `--items` items (default 100,000) from 200 verified vendors in 40 categories, searched by
//! `--clients` concurrent buyers (default 64): one word, two words (both as prefixes), a
//! category with a price ceiling sorted by price, a word within a category and region, each
//! with the total count and the first page of 20. Every query differs (words, categories and
//! ceilings drawn in turn), and the buyers are signed in, so no answer comes from a cache.
//! Method and figures: docs/benchmarks.md.
//!
//! The items are inserted directly (the benchmark's fixture, like `bench load`'s residents):
//! through the audited use cases the catalogue would take minutes to build; the search reads
//! the same rows and full-text index either way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use mufakat_module_procurement::entity::{catalogue_item as item, vendor};
use mufakat_store::sea_orm::{EntityTrait, Set};

use crate::Settings;

#[derive(clap::Args)]
pub struct CatalogueRun {
    /// Items in the catalogue.
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// Concurrent buyers.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Searches per buyer in the closed-loop phase (each buyer sends its next search when the
    /// last one is answered).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Searches per second in the paced phase (all buyers together; 0: skip it).
    #[arg(long, default_value_t = 500)]
    rate: u64,
    /// Length of the paced phase, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

const NOUNS: [&str; 40] = [
    "semen", "pasir", "batu", "besi", "baja", "kayu", "triplek", "keramik", "genteng", "pipa",
    "kabel", "lampu", "cat", "paku", "kawat", "kaca", "pintu", "jendela", "kloset", "wastafel",
    "laptop", "printer", "monitor", "kertas", "tinta", "map", "meja", "kursi", "lemari", "rak",
    "pompa", "tandon", "aspal", "paving", "saluran", "gorong", "pagar", "atap", "plafon", "lantai",
];
const WORDS: [&str; 30] = [
    "standar",
    "sni",
    "premium",
    "ekonomis",
    "tebal",
    "tipis",
    "putih",
    "hitam",
    "galvanis",
    "anti",
    "karat",
    "tahan",
    "cuaca",
    "interior",
    "eksterior",
    "kantor",
    "sekolah",
    "jalan",
    "ringan",
    "berat",
    "panjang",
    "pendek",
    "lebar",
    "cepat",
    "kering",
    "lokal",
    "impor",
    "garansi",
    "resmi",
    "hemat",
];

fn kbli(i: usize) -> String {
    format!("{}", 47000 + (i % 40) * 7)
}

/// A query body number `i` (the kinds in turn, the words drawn by `i`).
fn query(i: usize, kota: i32) -> serde_json::Value {
    let pick =
        |k: usize, list: &[&'static str]| list[(i.wrapping_mul(2654435761) >> k) % list.len()];
    let (filter, sort) = match i % 4 {
        0 => (serde_json::json!({ "text": pick(3, &NOUNS) }), "PRICE_ASC"),
        1 => (
            serde_json::json!({ "text": format!("{} {}", &pick(5, &NOUNS)[..3], pick(7, &WORDS)) }),
            "PRICE_ASC",
        ),
        2 => (
            serde_json::json!({ "category": kbli(i / 4), "maxPrice": format!("{}", 100_000 + (i % 97) * 25_000) }),
            "PRICE_DESC",
        ),
        _ => (
            serde_json::json!({ "text": pick(9, &WORDS), "category": kbli(i / 4 + 3), "regionId": kota.to_string() }),
            "NEWEST",
        ),
    };
    serde_json::json!({
        "query": "query($f: CatalogueFilter, $s: CatalogueSort) { catalogue(filter: $f, sort: $s, first: 20) { totalCount edges { node { id name price unit } } } }",
        "variables": { "f": filter, "s": sort },
    })
}

async fn fixture(state: &crate::AppState, kota: i32, items: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    let vendors: Vec<vendor::ActiveModel> = (0..200)
        .map(|v| vendor::ActiveModel {
            instance_id: Set(None),
            name: Set(format!("CV Penyedia {v}")),
            form: Set("cv".into()),
            nib: Set(format!("{:013}", v)),
            npwp: Set(format!("{:016}", 1_000_000 + v)),
            address: Set("Jl. Pasar".into()),
            region_id: Set(kota),
            kbli: Set("[]".into()),
            contact_name: Set("-".into()),
            contact_phone: Set("-".into()),
            contact_email: Set("-".into()),
            bank_name: Set("-".into()),
            bank_account: Set("-".into()),
            bank_holder: Set("-".into()),
            status: Set("verified".into()),
            status_reason: Set(None),
            blacklisted_until: Set(None),
            created_by: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    vendor::Entity::insert_many(vendors)
        .exec_without_returning(&state.db)
        .await?;
    let first_vendor = vendor::Entity::find()
        .one(&state.db)
        .await?
        .map(|v| v.id)
        .unwrap_or(1);
    let until = (now + chrono::Duration::days(365)).date_naive();
    let regions = format!(",{kota},");
    for chunk in (0..items).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<item::ActiveModel> = chunk
            .iter()
            .map(|&i| {
                let w = |k: usize| WORDS[(i * 31 + k * 17) % WORDS.len()];
                let noun = NOUNS[(i * 7) % NOUNS.len()];
                item::ActiveModel {
                    instance_id: Set(None),
                    vendor_id: Set(first_vendor + (i % 200) as i32),
                    name: Set(format!("{noun} {} {} tipe {}", w(1), w(2), i % 1000)),
                    specification: Set(format!(
                        "{noun} {} {} {}, kemasan {} unit",
                        w(3),
                        w(4),
                        w(5),
                        1 + i % 50
                    )),
                    unit: Set("unit".into()),
                    category: Set(kbli(i)),
                    regions: Set(regions.clone()),
                    delivery_days: Set(7),
                    min_order: Set("1".into()),
                    stock: Set(Some(100)),
                    price_sen: Set(((5_000 + (i * 7919) % 2_000_000) * 100) as i64),
                    valid_until: Set(until),
                    status: Set("listed".into()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        item::Entity::insert_many(rows)
            .exec_without_returning(&state.db)
            .await?;
    }
    Ok(())
}

pub async fn run_catalogue(mut settings: Settings, run: CatalogueRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-catalogue-{}", std::process::id()));
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
    let kota = state
        .regions
        .read()
        .await
        .all()
        .find(|r| r.code == crate::seed::DEMO_KOTA_CODE)
        .map(|r| r.id)
        .ok_or_else(|| anyhow::anyhow!("demo kota"))?;
    let t = Instant::now();
    fixture(&state, kota, run.items).await?;
    if mufakat_store::db::is_postgres(&state.db) {
        use mufakat_store::sea_orm::ConnectionTrait;
        state
            .db
            .execute_unprepared("ANALYZE catalogue_items")
            .await?;
    }
    eprintln!(
        "catalogue: {} items in {:.1} s",
        run.items,
        t.elapsed().as_secs_f64()
    );
    let token = super::token_for(&state, "opd.dinaspu").await?;
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
    let (client2, gql2, token2) = (client.clone(), gql.clone(), token.clone());
    let send = move |i: usize| {
        let (client, gql, token) = (client2.clone(), gql2.clone(), token2.clone());
        async move {
            let t = Instant::now();
            let ok = match client
                .post(&gql)
                .bearer_auth(&token)
                .json(&query(i, kota))
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
    };
    // Warm up: every kind once per client.
    for i in 0..run.clients * 4 {
        send(i).await;
    }
    // Closed loop: each buyer sends its next search when the last is answered.
    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..run.clients {
        let send = send.clone();
        let (n, clients) = (run.requests, run.clients);
        tasks.spawn(async move {
            let mut out = vec![];
            for k in 0..n {
                out.push(send(1_000_000 + k * clients + c).await);
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
    println!("{engine}, {} items, {} buyers, closed loop: {n} searches in {secs:.1} s = {:.0}/s; p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; errors {errors}", run.items, run.clients, n as f64 / secs);
    // Paced: the buyers together send `rate` searches per second.
    if run.rate > 0 {
        let lat = Arc::new(std::sync::Mutex::new(Vec::new()));
        let errs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let limit = Arc::new(tokio::sync::Semaphore::new(run.clients));
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / run.rate as f64));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut tasks = tokio::task::JoinSet::new();
        let t0 = Instant::now();
        for i in 0..(run.rate * run.seconds) as usize {
            tick.tick().await;
            let permit = limit.clone().acquire_owned().await?;
            let (send, lat, errs) = (send.clone(), lat.clone(), errs.clone());
            tasks.spawn(async move {
                let (ms, ok) = send(5_000_000 + i).await;
                lat.lock().unwrap_or_else(|e| e.into_inner()).push(ms);
                if !ok {
                    errs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                drop(permit);
            });
            while tasks.try_join_next().is_some() {}
        }
        while tasks.join_next().await.is_some() {}
        let secs = t0.elapsed().as_secs_f64();
        let lat = std::mem::take(&mut *lat.lock().unwrap_or_else(|e| e.into_inner()));
        let n = lat.len();
        let (p50, p95, p99, max) = super::load::percentiles(lat);
        println!("{engine}, paced at {}/s by up to {} buyers: {n} searches in {secs:.1} s; p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; errors {}", run.rate, run.clients, errs.load(std::sync::atomic::Ordering::Relaxed));
    }
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
