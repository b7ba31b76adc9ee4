//! Procurement II's benchmarks (method and figures in docs/benchmarks.md):
//!
//! - `mufakat bench rush`: the deadline rush. `--vendors` verified vendors (made directly in the
//!   tables: their registration is not what is measured) submit sealed bids, sealed by the
//!   server, all at once in the last seconds before a procedure's deadline, while the timer
//!   closes it at the deadline. Reports acknowledged bids per second and latency percentiles,
//!   and checks that every acknowledged bid is stored exactly once and sealed at the deadline,
//!   and that none was accepted after it. In process (the services, not HTTP).
//! - `mufakat bench ocds`: OCDS releases of `--processes` generated contracting processes (six
//!   stages each), built and serialised, against serialising the same input structs with
//!   serde_json alone; then records compiled. `--write FILE` keeps the release package (CI
//!   validates a regency of 1,000 processes with the offline OCDS validator).

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use mufakat_core::Role;
use mufakat_module_procurement::entity::{vendor, vendor_member};
use mufakat_module_tender::ocds;
use mufakat_store::entity::{role_grant, user};
use mufakat_store::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use rust_decimal::Decimal;

use crate::{AppState, Settings};

#[derive(clap::Args)]
pub struct RushRun {
    /// Vendors bidding at once.
    #[arg(long, default_value_t = 500)]
    vendors: usize,
    /// Seconds from the announcement to the deadline (the vendors are made before).
    #[arg(long, default_value_t = 3)]
    seconds: i64,
    /// Every vendor submits at once, this many milliseconds before the deadline: those the
    /// server takes in time are acknowledged, the rest refused as late.
    #[arg(long, default_value_t = 1000)]
    lead_ms: i64,
}

#[derive(clap::Args)]
pub struct OcdsRun {
    #[arg(long, default_value_t = 10_000)]
    processes: usize,
    /// Also write the release package here.
    #[arg(long)]
    write: Option<std::path::PathBuf>,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn vendors(
    state: &AppState,
    n: usize,
    kota: i32,
) -> anyhow::Result<Vec<mufakat_kernel::auth::CurrentUser>> {
    let now = Utc::now();
    let mut out = vec![];
    for i in 0..n {
        let u = user::ActiveModel {
            username: Set(format!("rush.{i}")),
            display_name: Set(format!("Penyedia {i}")),
            nik_hash: Set(None),
            home_region_id: Set(None),
            password_hash: Set("!".into()),
            is_active: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        role_grant::ActiveModel {
            user_id: Set(u.id),
            role: Set(Role::Vendor.as_str().into()),
            region_id: Set(kota),
            granted_by: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        let v = vendor::ActiveModel {
            instance_id: Set(None),
            name: Set(format!("CV Rush {i}")),
            form: Set("cv".into()),
            nib: Set(format!("{:013}", 9_000_000_000_000u64 + i as u64)),
            npwp: Set(format!("{:016}", i)),
            address: Set("Jl. Bench".into()),
            region_id: Set(kota),
            kbli: Set(String::new()),
            contact_name: Set("x".into()),
            contact_phone: Set("0".into()),
            contact_email: Set("x@example.id".into()),
            bank_name: Set("x".into()),
            bank_account: Set("0".into()),
            bank_holder: Set("x".into()),
            status: Set("verified".into()),
            status_reason: Set(None),
            blacklisted_until: Set(None),
            created_by: Set(u.id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        vendor_member::ActiveModel {
            vendor_id: Set(v.id),
            user_id: Set(u.id),
            is_admin: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        out.push(mufakat_kernel::auth::CurrentUser {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            home_region_id: None,
            grants: vec![(Role::Vendor, kota)],
            opd_grants: vec![],
            token_hash: String::new(),
        });
    }
    Ok(out)
}

pub async fn run_rush(mut settings: Settings, run: RushRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-rush-{}", std::process::id()));
    settings.data_dir = tmp.clone();
    if settings.database_url.is_none() {
        settings.database_url = Some(format!("sqlite://{}", tmp.join("mufakat.sqlite").display()));
    }
    let url = settings.database_url.clone().unwrap_or_default();
    let state = crate::startup::build_state(settings).await?;
    let password = "bench-password-123";
    let fail =
        |e: mufakat_core::AppError| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench"));
    crate::seed::seed_demo(&state, Some(password.into()))
        .await
        .map_err(fail)?;
    crate::seed::seed_demo_procurement(&state, password)
        .await
        .map_err(fail)?;
    let kota = state
        .regions
        .read()
        .await
        .all()
        .find(|r| r.code == crate::seed::DEMO_KOTA_CODE)
        .map(|r| r.id)
        .unwrap_or(1);
    let bidders = vendors(&state, run.vendors, kota).await?;
    // A tender of its own.
    let opd = crate::services::accounts::acting_as(&state, "opd.dinaspu")
        .await
        .map_err(fail)?;
    let ukpbj = crate::services::accounts::acting_as(&state, "ukpbj")
        .await
        .map_err(fail)?;
    let ppk = crate::services::accounts::acting_as(&state, "ppk.dinaspu")
        .await
        .map_err(fail)?;
    use mufakat_module_procurement::service::packages;
    let line = packages::create_line(
        &state,
        &opd,
        packages::NewLine {
            region_id: Some(kota),
            year: Some(2027),
            title: Some("Rush".into()),
            opd: "Dinas PU".into(),
            budget: Some(Decimal::from(2_000_000_000i64)),
            proposal_id: None,
        },
    )
    .await
    .map_err(fail)?;
    let pkg = packages::create_package(
        &state,
        &opd,
        packages::NewPackage {
            line_id: line.id,
            name: "Rush".into(),
            kind: "construction".into(),
            category: String::new(),
            pagu: Decimal::from(1_000_000_000i64),
            hps: Decimal::from(1_000_000_000i64),
            location: "x".into(),
            starts_on: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap_or_default(),
            ends_on: NaiveDate::from_ymd_opt(2027, 9, 1).unwrap_or_default(),
            ppk_id: ppk.id,
            official_id: ukpbj.id,
            method: None,
            method_reason: None,
        },
    )
    .await
    .map_err(fail)?;
    packages::act(&state, &opd, pkg.id, "announce", None)
        .await
        .map_err(fail)?;
    let deadline = mufakat_module_tender::service::procedures::whole_seconds(
        Utc::now() + Duration::seconds(run.seconds),
    );
    let p = mufakat_module_tender::service::procedures::create_with(
        &state,
        &ukpbj,
        mufakat_module_tender::service::procedures::NewProcedure {
            package_id: pkg.id,
            title: String::new(),
            evaluation: "lowest_price".into(),
            quality_weight: 0,
            qualification: "x".into(),
            documents: "x".into(),
            bid_deadline: deadline,
            pokja: vec![],
            invited: vec![],
            retender_of: None,
        },
        false,
    )
    .await
    .map_err(fail)?;
    eprintln!(
        "rush: {} vendors, deadline in {} s ({url})",
        run.vendors, run.seconds
    );
    // The timer runner, as the server runs it, polling every 100 ms.
    let st = state.clone();
    let timers = tokio::spawn(async move {
        loop {
            let _ = mufakat_kernel::services::cases::fire_due_timers(&st, Utc::now()).await;
            if Utc::now() > deadline + Duration::seconds(2) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    // Every vendor bids at once, `lead_ms` before the deadline.
    let start_at = deadline - Duration::milliseconds(run.lead_ms);
    let wait = (start_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait).await;
    let t0 = Instant::now();
    let results = Arc::new(tokio::sync::Mutex::new(vec![]));
    let mut tasks = vec![];
    for (i, u) in bidders.into_iter().enumerate() {
        let (st, results, pid) = (state.clone(), results.clone(), p.id);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = mufakat_module_tender::service::bids::submit_plain(
                &st,
                &u,
                pid,
                Decimal::from(900_000_000i64 - i as i64 * 1000),
                "Teknis",
                vec![],
            )
            .await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            results
                .lock()
                .await
                .push((r.map(|r| (r.bid.id, r.bid.submitted_at)), ms));
        }));
    }
    for t in tasks {
        t.await?;
    }
    let took = t0.elapsed().as_secs_f64();
    timers.await?;
    let results = std::mem::take(&mut *results.lock().await);
    let mut acked = vec![];
    let mut lat = vec![];
    let mut refused_late = 0;
    let mut errors = 0;
    for (r, ms) in &results {
        match r {
            Ok((id, at)) => {
                acked.push((*id, *at));
                lat.push(*ms);
            }
            Err(e @ mufakat_core::AppError::Conflict(_)) => {
                if refused_late == 0 {
                    eprintln!(
                        "rush: first refusal: {}",
                        e.message(mufakat_core::Lang::En, "bench")
                    );
                }
                refused_late += 1
            }
            Err(_) => errors += 1,
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    // When the last acknowledged bid was answered, from the burst's start.
    let last_ack = results
        .iter()
        .filter(|(r, _)| r.is_ok())
        .map(|(_, ms)| *ms)
        .fold(0.0f64, f64::max)
        / 1000.0;
    // Every acknowledged bid: stored once, taken before the deadline, in the sealed set.
    let stored = mufakat_module_tender::entity::bid::Entity::find()
        .filter(mufakat_module_tender::entity::bid::Column::ProcedureId.eq(p.id))
        .all(&state.db)
        .await?;
    let sealed_event = mufakat_store::entity::audit_event::Entity::find()
        .filter(mufakat_store::entity::audit_event::Column::Transition.eq("seal_bids"))
        .one(&state.db)
        .await?;
    let sealed: serde_json::Value = sealed_event
        .and_then(|e| serde_json::from_str(&e.input).ok())
        .unwrap_or_default();
    let sealed_ids: Vec<String> = sealed["bids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|b| b["bid"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let late_acked = acked.iter().filter(|(_, at)| *at >= deadline).count();
    let missing = acked
        .iter()
        .filter(|(id, _)| !sealed_ids.contains(&id.to_string()))
        .count();
    let dup = stored.len() - {
        let mut v: Vec<i32> = stored.iter().map(|b| b.vendor_id).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    println!(
        "rush: {} acknowledged ({:.0} bids/s: the last acknowledged {:.3} s after the burst), {} refused as late, {} errors, all answered in {took:.2} s; latency of the acknowledged p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        acked.len(), acked.len() as f64 / (last_ack.max(1e-6)), last_ack, refused_late, errors, pct(&lat, 0.5), pct(&lat, 0.99), lat.last().copied().unwrap_or_default()
    );
    println!(
        "rush: stored {}, sealed at the deadline {}, acknowledged but not sealed {missing}, acknowledged after the deadline {late_acked}, vendors with two rows {dup}",
        stored.len(), sealed_ids.len()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    if missing > 0 || late_acked > 0 || dup > 0 || errors > 0 || stored.len() != acked.len() {
        anyhow::bail!("the rush lost, duplicated or accepted late bids");
    }
    Ok(())
}

/// A generated contracting process `i` through all its stages.
fn process(
    i: usize,
) -> (
    ocds::Process,
    ocds::Planning,
    ocds::Tender,
    Vec<ocds::Bid>,
    ocds::Award,
    ocds::Contract,
) {
    let t0 = Utc
        .with_ymd_and_hms(2027, 1, 4, 2, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes(i as i64);
    let party = |id: String, name: String, role: &'static str| ocds::Party {
        identifier: Some(("ID-NIB".into(), id.clone())),
        id: format!("ID-NIB-{id}"),
        name,
        roles: vec![role],
        address: Some("Jl. Contoh 1".into()),
    };
    let hps = Decimal::from(200_000_000 + (i as i64 % 97) * 7_000_000);
    let p = ocds::Process {
        ocid: format!("ocds-mfk000-{}", i + 1),
        buyer: ocds::Party {
            id: format!("buyer-{}", i % 40),
            name: format!("Dinas {} — Kota Contoh", i % 40),
            roles: vec!["buyer"],
            identifier: None,
            address: None,
        },
    };
    let planning = ocds::Planning {
        line_id: i as i32 + 1,
        title: format!("Kegiatan {i}"),
        year: 2027,
        budget: hps * Decimal::from(2),
        proposal_id: (i % 3 == 0).then_some(i as i32),
        package_name: format!("Paket {i}"),
        package_pagu: hps,
    };
    let tender = ocds::Tender {
        id: format!("TD-2027-{:05}", i + 1),
        title: format!("Paket {i}"),
        method: if i % 4 == 0 {
            "mini_competition".into()
        } else {
            "tender".into()
        },
        kind: ["goods", "construction", "consultancy", "other_services"][i % 4].into(),
        hps,
        evaluation: if i % 5 == 0 {
            "quality_cost".into()
        } else {
            "lowest_price".into()
        },
        description: "Jadwal dan dokumen pemilihan".into(),
        eligibility: "NIB, NPWP, pengalaman".into(),
        announced_at: t0,
        deadline: t0 + Duration::days(8),
        procuring_entity: mufakat_module_tender::service::publish::procuring_entity(1),
        invited: vec![],
    };
    let n = 1 + i % 5;
    let bids: Vec<ocds::Bid> = (0..n)
        .map(|k| ocds::Bid {
            id: format!("{}-bid-{k}", tender.id),
            tenderer: party(
                format!(
                    "{:013}",
                    1_000_000_000_000u64 + (i as u64 * 7 + k as u64) % 300
                ),
                format!("CV Penyedia {}", (i * 7 + k) % 300),
                "tenderer",
            ),
            submitted_at: t0 + Duration::days(7) + Duration::minutes(k as i64),
            price: Some(hps - Decimal::from(1_000_000 * (k as i64 + 1)) + Decimal::new(37, 2)),
            status: if k == 0 && n > 2 {
                "disqualified"
            } else {
                "valid"
            },
        })
        .collect();
    let w = bids
        .iter()
        .find(|b| b.status == "valid")
        .cloned()
        .unwrap_or_else(|| bids[0].clone());
    let award = ocds::Award {
        id: format!("{}-award", tender.id),
        tender_id: tender.id.clone(),
        title: tender.title.clone(),
        status: "active",
        date: t0 + Duration::days(10),
        value: w.price.unwrap_or_default(),
        supplier: w.tenderer.clone(),
    };
    let contract = ocds::Contract {
        id: format!("KTR-2027-{:05}", i + 1),
        award_id: award.id.clone(),
        title: tender.title.clone(),
        status: "active",
        value: award.value,
        starts_on: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap_or_default(),
        ends_on: NaiveDate::from_ymd_opt(2027, 9, 30).unwrap_or_default(),
        signed_at: t0 + Duration::days(20),
    };
    (p, planning, tender, bids, award, contract)
}

/// The releases of a generated process, in order.
pub fn releases_of(i: usize) -> Vec<serde_json::Value> {
    let (p, planning, tender, bids, award, contract) = process(i);
    let t = tender.announced_at;
    vec![
        ocds::tender_release(&p, 1, &planning, &tender),
        ocds::opening_release(&p, 2, tender.deadline, &tender.id, &bids),
        ocds::award_release(&p, 3, t + Duration::days(10), &award, &bids, false),
        ocds::award_release(&p, 4, t + Duration::days(16), &award, &[], true),
        ocds::contract_release(&p, 5, contract.signed_at, &contract),
        ocds::implementation_release(
            &p,
            6,
            t + Duration::days(200),
            &contract,
            Some((contract.value, &award.supplier)),
            None,
        ),
    ]
}

pub async fn run_ocds(run: OcdsRun) -> anyhow::Result<()> {
    let n = run.processes;
    // Baseline: the same input structs serialised with serde_json alone.
    let inputs: Vec<_> = (0..n).map(process).collect();
    let t = Instant::now();
    let mut bytes = 0usize;
    for x in &inputs {
        bytes += serde_json::to_string(x)?.len();
    }
    let raw = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut out = Vec::with_capacity(n * 6);
    let mut rel_bytes = 0usize;
    for i in 0..n {
        for r in releases_of(i) {
            let s = r.to_string();
            rel_bytes += s.len();
            out.push(r);
        }
    }
    let built = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut compiled = 0usize;
    for chunk in out.chunks(6) {
        compiled += ocds::compile(chunk).to_string().len();
    }
    let comp = t.elapsed().as_secs_f64();
    let releases = out.len();
    println!(
        "ocds: {n} processes, {releases} releases built and serialised in {built:.2} s ({:.0} releases/s, {:.1} MB); the same inputs with serde_json alone {raw:.3} s ({:.1} MB): {:.1}× ; records compiled in {comp:.2} s ({:.0} records/s, {:.1} MB)",
        releases as f64 / built,
        rel_bytes as f64 / 1e6,
        bytes as f64 / 1e6,
        built / raw.max(1e-9),
        n as f64 / comp,
        compiled as f64 / 1e6
    );
    if let Some(path) = run.write {
        let publisher = ocds::Publisher {
            name: "Kota Contoh (generated)".into(),
            uri: "https://mufakat.example.go.id".into(),
        };
        let pkg = ocds::release_package(
            out,
            &publisher,
            Utc::now(),
            "https://mufakat.example.go.id/ocds/releases.json",
        );
        std::fs::write(&path, pkg.to_string())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct FlagsRun {
    #[arg(long, default_value_t = 10_000)]
    processes: usize,
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `mufakat bench flags`: the red-flag indicators over the compiled releases of `--processes`
/// generated processes (compiled first; the compilation is timed apart).
pub async fn run_flags(run: FlagsRun) -> anyhow::Result<()> {
    let before = peak_rss_mb();
    let t = Instant::now();
    let compiled: Vec<serde_json::Value> = (0..run.processes)
        .map(|i| ocds::compile(&releases_of(i)))
        .collect();
    let comp = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let flags = mufakat_procurement::compute_flags(
        &compiled,
        &mufakat_procurement::FlagSettings::default(),
        &Default::default(),
    );
    let took = t.elapsed().as_secs_f64();
    let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &flags {
        *by.entry(f.code).or_default() += 1;
    }
    println!(
        "flags: {} processes compiled in {comp:.2} s; indicators in {took:.3} s ({:.0} processes/s), {} flags {by:?}; peak RSS {:.0} MB (at start {before:.0} MB)",
        run.processes,
        run.processes as f64 / took.max(1e-9),
        flags.len(),
        peak_rss_mb()
    );
    Ok(())
}
