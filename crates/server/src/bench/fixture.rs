//! The data the load benchmark works on (residents with sessions, cycles, proposals), the
//! in-process vote run, and what the load tool reads before and after a run.

use std::time::Instant;

use chrono::{Datelike, Utc};
use mufakat_store::sea_orm;

use super::user;
use crate::services::cases::{self, Acting};
use crate::AppState;

/// What [`load_fixture`] made: one session token per resident, the proposals open for votes,
/// the residents' kelurahan, and a second cycle still taking proposals.
pub struct LoadFixture {
    pub tokens: Vec<String>,
    pub proposals: Vec<i32>,
    pub kelurahan: i32,
    pub submission_cycle: i32,
}

/// Fixture for the HTTP load benchmark: `residents` residents of one kelurahan with tokens, a
/// cycle in its voting phase with `proposals` submitted proposals (each resident may vote for
/// all), and a second cycle in its submission phase.
pub async fn load_fixture(
    state: &AppState,
    residents: usize,
    proposals: usize,
) -> anyhow::Result<LoadFixture> {
    use crate::services::musrenbang as m;
    use mufakat_store::repo::{grants, sessions, users};
    let e = |e: mufakat_core::AppError| anyhow::anyhow!("{e}");
    let planner = user(state, "bappeda").await?;
    let warga = user(state, "warga.siti").await?;
    let kel = warga
        .home_region_id
        .ok_or_else(|| anyhow::anyhow!("demo resident has no kelurahan"))?;
    let kota = state
        .regions
        .read()
        .await
        .roots()
        .next()
        .map(|r| r.id)
        .ok_or_else(|| anyhow::anyhow!("no regions"))?;
    let now = Utc::now();
    let day = chrono::Duration::days(1);
    let windows = std::collections::BTreeMap::from([
        (
            mufakat_musrenbang::Phase::Submission,
            now - chrono::Duration::minutes(1),
        ),
        (mufakat_musrenbang::Phase::Voting, now + day),
        (
            mufakat_musrenbang::Phase::KelurahanDeliberation,
            now + day * 2,
        ),
        (
            mufakat_musrenbang::Phase::KecamatanDeliberation,
            now + day * 3,
        ),
        (mufakat_musrenbang::Phase::KotaForum, now + day * 4),
    ]);
    let mut settings = m::CycleSettings::default();
    settings.voting.max_per_voter = proposals as u32;
    let new_cycle = |name: &str, year: i32| m::NewCycle {
        name: name.into(),
        year,
        region_id: kota,
        windows: windows.clone(),
        closes_at: now + day * 5,
        settings: settings.clone(),
    };
    // A kota has one open cycle a year (the demo's may hold one): each bench cycle takes the
    // first free year near now.
    let mut made = vec![];
    for name in ["Bench", "Bench usulan"] {
        let mut last = None;
        for year in now.year() - 1..=now.year() + 2 {
            match m::create_cycle(state, &planner, new_cycle(name, year)).await {
                Ok(c) => {
                    made.push(c);
                    last = None;
                    break;
                }
                Err(err @ mufakat_core::AppError::Conflict(_)) => last = Some(err),
                Err(err) => return Err(e(err)),
            }
        }
        if let Some(err) = last {
            return Err(e(err));
        }
    }
    // The second stays in its submission phase: residents propose there.
    let submission_cycle = made.pop().expect("made above");
    let cycle = made.pop().expect("made above");
    cases::fire_due_timers(state, Utc::now()).await.map_err(e)?;
    let mut ids = vec![];
    for i in 0..proposals {
        let p = m::create_proposal(
            state,
            &warga,
            m::NewProposal {
                cycle_id: cycle.id,
                title: format!("Usulan {i}"),
                description: "Bench".into(),
                category: "infrastruktur".into(),
                region_id: kel,
                volume: 1.into(),
                unit: "m".into(),
                unit_price: 1000.into(),
                source: "resident".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
        m::act(
            state,
            &warga,
            p.id,
            "submit",
            Default::default(),
            None,
            None,
        )
        .await
        .map_err(e)?;
        ids.push(p.id);
    }
    cases::fire(
        state,
        Acting::User(&planner),
        cycle.instance_id,
        "open_voting",
        Default::default(),
        Some("bench".into()),
        None,
    )
    .await
    .map_err(e)?;
    let hash = crate::auth::hash_password("bench-password-123".into())
        .await
        .map_err(e)?;
    let mut tokens = vec![];
    for i in 0..residents {
        let u = users::create(
            &state.db,
            users::NewUser {
                username: &format!("bench{i}"),
                display_name: "Bench",
                nik_hash: Some(format!("bench-{i}")),
                home_region_id: Some(kel),
                password_hash: hash.clone(),
            },
        )
        .await
        .map_err(e)?;
        grants::grant(
            &state.db,
            u.id,
            mufakat_core::Role::Resident,
            kel,
            None,
            None,
        )
        .await
        .map_err(e)?;
        let (token, th) = crate::auth::new_token();
        sessions::create(&state.db, th, u.id, Utc::now() + chrono::Duration::hours(2))
            .await
            .map_err(e)?;
        tokens.push(token);
    }
    Ok(LoadFixture {
        tokens,
        proposals: ids,
        kelurahan: kel,
        submission_cycle: submission_cycle.id,
    })
}

/// Every resident (by token) votes for every proposal through the service API — the group-commit
/// writer, its checks, transitions and audit events — from `clients` concurrent tasks, without
/// HTTP. Returns the votes cast, the seconds taken and each vote's latency in milliseconds.
pub async fn votes_in_process(
    state: &AppState,
    tokens: &[String],
    proposals: &[i32],
    clients: usize,
) -> anyhow::Result<(usize, f64, Vec<f64>)> {
    use std::sync::{Arc, Mutex};
    let mut users = vec![];
    for t in tokens {
        users.push(Arc::new(
            crate::services::accounts::authenticate(state, t)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ));
    }
    let jobs: Vec<(Arc<crate::auth::CurrentUser>, i32)> = users
        .iter()
        .flat_map(|u| proposals.iter().map(move |p| (u.clone(), *p)))
        .collect();
    let n = jobs.len();
    let jobs = Arc::new(Mutex::new(jobs));
    let t0 = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (state, jobs) = (state.clone(), jobs.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            loop {
                let Some((user, p)) = jobs.lock().unwrap().pop() else {
                    break;
                };
                let t = Instant::now();
                crate::services::musrenbang::vote(&state, &user, p)
                    .await
                    .map_err(|e| anyhow::anyhow!("vote: {e}"))?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((n, t0.elapsed().as_secs_f64(), all))
}

/// After a load run: the stored vote rows on `proposals` and the sum of their vote counts. Both
/// must equal the acknowledged votes (every resident voted for each proposal once).
pub async fn vote_totals(state: &AppState, proposals: &[i32]) -> anyhow::Result<(u64, i64)> {
    use mufakat_module_musrenbang::entity::{proposal, proposal_vote};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let rows = proposal_vote::Entity::find()
        .filter(proposal_vote::Column::ProposalId.is_in(proposals.iter().copied()))
        .count(&state.db)
        .await?;
    let counted = proposal::Entity::find()
        .filter(proposal::Column::Id.is_in(proposals.iter().copied()))
        .all(&state.db)
        .await?
        .iter()
        .map(|p| i64::from(p.vote_count))
        .sum();
    Ok((rows, counted))
}

/// A session token for the demo account `username`: the load tool acts as that official.
pub async fn token_for(state: &AppState, username: &str) -> anyhow::Result<String> {
    let u = user(state, username).await?;
    let (token, th) = crate::auth::new_token();
    mufakat_store::repo::sessions::create(
        &state.db,
        th,
        u.id,
        Utc::now() + chrono::Duration::hours(2),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(token)
}

/// The ids of the cases of `workflow` now in state `in_state`, oldest first: what the load tool
/// moves on.
pub async fn cases_in(
    state: &AppState,
    workflow: &str,
    in_state: &str,
) -> anyhow::Result<Vec<i32>> {
    use mufakat_store::entity::workflow_instance as wi;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(wi::Entity::find()
        .select_only()
        .column(wi::Column::Id)
        .filter(wi::Column::Workflow.eq(workflow))
        .filter(wi::Column::State.eq(in_state))
        .order_by_asc(wi::Column::Id)
        .into_tuple()
        .all(&state.db)
        .await?)
}
