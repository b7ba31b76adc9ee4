//! `mufakat bench timers`: a million pending timers (LAPOR complaints waiting for their first
//! response), of which some thousands are due: the time to find the due ones (the timer
//! runner's query) and the firing rate, each firing one audited transition with its event.
//! Method and figures: docs/benchmarks.md.

use std::time::Instant;

use chrono::{Duration, Utc};
use mufakat_store::entity::{workflow_instance as wi, workflow_timer as wt};
use mufakat_store::sea_orm::{
    self as sea_orm, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::user;
use crate::{AppState, Settings};

#[derive(clap::Args, Debug)]
pub struct TimersRun {
    /// Pending timers (one case each).
    #[arg(long, default_value_t = 1_000_000)]
    pub pending: usize,
    /// How many of them are due.
    #[arg(long, default_value_t = 5_000)]
    pub due: usize,
}

async fn fill(state: &AppState, pending: usize) -> anyhow::Result<()> {
    let d = state
        .workflows
        .latest("lapor-complaint")
        .ok_or_else(|| anyhow::anyhow!("lapor-complaint is not deployed"))?;
    let warga = user(state, "warga.siti").await?;
    let kel = warga
        .home_region_id
        .ok_or_else(|| anyhow::anyhow!("no kelurahan"))?;
    let now = Utc::now();
    let far = now + Duration::days(3650);
    let fields = r#"{"category":"jalan","description":"Bench"}"#;
    let chunk = 1000;
    let mut made = 0;
    while made < pending {
        let n = chunk.min(pending - made);
        let rows: Vec<wi::ActiveModel> = (0..n)
            .map(|_| wi::ActiveModel {
                definition_id: Set(d.id),
                workflow: Set("lapor-complaint".into()),
                state: Set("submitted".into()),
                fields: Set(fields.into()),
                region_id: Set(kel),
                created_by: Set(Some(warga.id)),
                created_at: Set(now),
                updated_at: Set(now),
                state_entered_at: Set(now),
                version: Set(1),
                is_final: Set(false),
                ..Default::default()
            })
            .collect();
        let last = wi::Entity::insert_many(rows)
            .exec(&state.db)
            .await?
            .last_insert_id
            .ok_or_else(|| anyhow::anyhow!("no id"))?;
        let first = last - n as i32 + 1;
        let timers: Vec<wt::ActiveModel> = (first..first + n as i32)
            .map(|id| wt::ActiveModel {
                instance_id: Set(id),
                name: Set("first_response".into()),
                transition: Set("first_response_late".into()),
                armed_in_state: Set("submitted".into()),
                due_at: Set(far),
                fired_at: Set(None),
                ..Default::default()
            })
            .collect();
        wt::Entity::insert_many(timers).exec(&state.db).await?;
        made += n;
    }
    Ok(())
}

pub async fn run_timers(mut settings: Settings, run: TimersRun) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("mufakat-bench-timers-{}", std::process::id()));
    if settings.database_url.is_none() {
        settings.data_dir = tmp.clone();
    }
    let engine = if settings.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let state = crate::startup::build_state(settings).await?;
    crate::seed::seed_demo(&state, Some("bench-password-123".into()))
        .await
        .map_err(|e| anyhow::anyhow!(e.message(mufakat_core::Lang::En, "bench")))?;
    let t0 = Instant::now();
    fill(&state, run.pending).await?;
    println!(
        "{engine}: {} pending timers made in {:.1}s",
        run.pending,
        t0.elapsed().as_secs_f64()
    );
    // As a database that has lived with these rows would be (autovacuum's ANALYZE): the
    // planner's statistics know the million rows.
    if engine == "PostgreSQL" {
        use sea_orm::ConnectionTrait;
        state
            .db
            .execute_unprepared("ANALYZE workflow_timers; ANALYZE workflow_instances")
            .await?;
    }
    // The first `due` become due a minute ago.
    let now = Utc::now();
    let ids: Vec<i32> = wt::Entity::find()
        .select_only()
        .column(wt::Column::Id)
        .order_by_asc(wt::Column::Id)
        .limit(run.due as u64)
        .into_tuple()
        .all(&state.db)
        .await?;
    for part in ids.chunks(500) {
        wt::Entity::update_many()
            .col_expr(
                wt::Column::DueAt,
                sea_orm::sea_query::Expr::value(now - Duration::minutes(1)),
            )
            .filter(wt::Column::Id.is_in(part.to_vec()))
            .exec(&state.db)
            .await?;
    }
    // Finding the due ones: the runner's query, 200 times.
    let t1 = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        let due: Vec<wt::Model> = wt::Entity::find()
            .filter(wt::Column::FiredAt.is_null())
            .filter(wt::Column::DueAt.lte(now))
            .order_by_asc(wt::Column::DueAt)
            .order_by_asc(wt::Column::Id)
            .limit(100)
            .all(&state.db)
            .await?;
        anyhow::ensure!(due.len() == 100.min(run.due), "found {}", due.len());
    }
    let find_ms = t1.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    println!(
        "{engine}: finding the next 100 due among {} pending: {find_ms:.2} ms a query",
        run.pending
    );
    let events_before = mufakat_store::entity::audit_event::Entity::find()
        .count(&state.db)
        .await?;
    let t2 = Instant::now();
    let mut fired = 0;
    while fired < run.due {
        let n = crate::services::cases::fire_due_timers(&state, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(n > 0, "stopped after {fired} of {}", run.due);
        fired += n;
    }
    let secs = t2.elapsed().as_secs_f64();
    let events = mufakat_store::entity::audit_event::Entity::find()
        .count(&state.db)
        .await?
        - events_before;
    anyhow::ensure!(
        events as usize == run.due,
        "{events} audit events for {} timers",
        run.due
    );
    println!(
        "{engine}: fired {} due timers in {secs:.1}s: {:.0} timers/s, one audited transition and event each",
        run.due,
        run.due as f64 / secs
    );
    let v = crate::notary::verify(&state.db, &state.notary)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(v.ok, "the chain does not verify");
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
