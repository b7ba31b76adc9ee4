//! The demo's golden thread begins here: last year's cycle, RKPD 2026, run from the residents'
//! proposals through every level to the kota forum, where the allocation is adopted. Its road
//! in Mekarsari is funded; the modules' demos then plan it (a line of the plan), buy it
//! (Procurement II's contract) and monitor it (monev), so that one proposal's page shows the
//! whole thread. Every step goes through the workflows, as a user's would.

use std::collections::BTreeMap;

use mufakat_core::{AppResult, Money};

use crate::auth::CurrentUser;
use crate::services::{accounts, allocation, cases, musrenbang as m};
use crate::AppState;

/// The funded proposal's title: the monev demo's activity is planned from it.
pub const FUNDED_ROAD: &str = "Peningkatan jalan lingkungan Kelurahan Mekarsari";

/// `residents`: Mekarsari's demo residents, who propose and vote.
pub async fn past_cycle(
    state: &AppState,
    kota: i32,
    mekarsari: i32,
    residents: &[CurrentUser],
) -> AppResult<()> {
    let now = state.now();
    let day = chrono::Duration::days(1);
    let bappeda = accounts::acting_as(state, "bappeda").await?;
    let windows = BTreeMap::from([
        (
            mufakat_musrenbang::Phase::Submission,
            now - chrono::Duration::minutes(1),
        ),
        (mufakat_musrenbang::Phase::Voting, now + day * 3),
        (
            mufakat_musrenbang::Phase::KelurahanDeliberation,
            now + day * 4,
        ),
        (
            mufakat_musrenbang::Phase::KecamatanDeliberation,
            now + day * 5,
        ),
        (mufakat_musrenbang::Phase::KotaForum, now + day * 6),
    ]);
    let cycle = m::create_cycle(
        state,
        &bappeda,
        m::NewCycle {
            name: "RKPD 2026".into(),
            year: 2026,
            region_id: kota,
            windows,
            closes_at: now + day * 7,
            settings: m::CycleSettings::default(),
        },
    )
    .await?;
    cases::fire_due_timers(state, state.now()).await?;
    let advance = |t: &'static str| {
        let bappeda = bappeda.clone();
        async move {
            cases::fire(
                state,
                cases::Acting::User(&bappeda),
                cycle.instance_id,
                t,
                Default::default(),
                Some("Demo: siklus tahun lalu".into()),
                None,
            )
            .await
        }
    };
    let act = |who: &CurrentUser, id: i32, action: &'static str, comment: Option<&str>| {
        let who = who.clone();
        let comment = comment.map(str::to_owned);
        async move { m::act(state, &who, id, action, Default::default(), comment, None).await }
    };
    // (title, volume, unit, unit price, agency)
    let wanted = [
        (FUNDED_ROAD, "800", "m", "1500000", "DPUPR"),
        (
            "Rehabilitasi posyandu RW 02 Mekarsari",
            "1",
            "paket",
            "350000000",
            "DINKES",
        ),
        (
            "Pelatihan kewirausahaan pemuda Mekarsari",
            "1",
            "paket",
            "150000000",
            "DISKOPUKM",
        ),
    ];
    let mut ids = vec![];
    for (i, (title, volume, unit, price, opd)) in wanted.iter().enumerate() {
        let proposer = &residents[i % residents.len()];
        let p = m::create_proposal(
            state,
            proposer,
            m::NewProposal {
                cycle_id: cycle.id,
                title: (*title).into(),
                description: format!("Warga Mekarsari mengusulkan: {}.", title.to_lowercase()),
                category: if i == 0 { "infrastruktur" } else { "sosial" }.into(),
                region_id: mekarsari,
                rt_rw: Some(format!("0{}/02", i + 1)),
                volume: volume.parse().unwrap_or_default(),
                unit: (*unit).into(),
                unit_price: price.parse().unwrap_or_default(),
                target_opd: Some((*opd).into()),
                source: "resident".into(),
                ..Default::default()
            },
        )
        .await?;
        act(proposer, p.id, "submit", None).await?;
        ids.push(p.id);
    }
    advance("open_voting").await?;
    for (i, voter) in residents.iter().enumerate() {
        for (j, id) in ids.iter().enumerate() {
            if j <= i {
                m::vote(state, voter, *id).await?;
            }
        }
    }
    advance("open_kelurahan").await?;
    let lurah = accounts::acting_as(state, "lurah.mekarsari").await?;
    for (i, id) in ids.iter().enumerate() {
        act(&lurah, *id, "verify", None).await?;
        let values: BTreeMap<String, u8> = [
            ("urgency", 5 - i as u8),
            ("beneficiaries", 4),
            ("alignment", 4),
            ("feasibility", 4),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        m::score(state, &lurah, *id, values).await?;
        act(&lurah, *id, "accept", None).await?;
        act(&lurah, *id, "forward_kecamatan", None).await?;
    }
    advance("open_kecamatan").await?;
    let camat = accounts::acting_as(state, "camat.sukamaju").await?;
    for id in &ids[..2] {
        act(&camat, *id, "prioritize", None).await?;
        act(&camat, *id, "forward_kota", None).await?;
    }
    act(
        &camat,
        ids[2],
        "reject_kecamatan",
        Some("Pagu kecamatan tidak cukup; diusulkan kembali tahun depan."),
    )
    .await?;
    advance("open_kota").await?;
    // The kota's pagu funds the road but not the posyandu as well: the run says why.
    allocation::set_ceiling(
        state,
        &bappeda,
        cycle.id,
        kota,
        Money::parse("1400000000").expect("amount"),
    )
    .await?;
    let run = allocation::run(
        state,
        &bappeda,
        allocation::RunRequest {
            cycle_id: cycle.id,
            region_id: kota,
            level: "kota".into(),
            rule: "greedy".into(),
            completion: None,
            cardinality: false,
        },
    )
    .await?;
    allocation::adopt(state, &bappeda, run.id).await?;
    advance("close").await?;
    Ok(())
}
