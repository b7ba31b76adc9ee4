//! Planning cycles: their settings, their creation (a `musrenbang-siklus` case whose timers open
//! the phases) and how they are read with their current phase.

use std::collections::{BTreeMap, HashMap};

use crate::entity::musrenbang_cycle as cyc;
use chrono::{DateTime, Datelike, Utc};
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_musrenbang::priority::default_criteria;
use mufakat_musrenbang::{Criterion, Phase, PriorityFormula, VoteScope, VotingPolicy};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::CYCLE_WORKFLOW;
use crate::perms;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;

/// Per-cycle settings, stored as JSON on the cycle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CycleSettings {
    pub voting: VotingPolicy,
    pub criteria: Vec<Criterion>,
    pub formula: PriorityFormula,
    /// Urusan/bidang a proposal may be filed under.
    pub categories: Vec<String>,
}

impl Default for CycleSettings {
    fn default() -> Self {
        CycleSettings {
            voting: VotingPolicy {
                max_per_voter: 3,
                scope: VoteScope::Kelurahan,
            },
            criteria: default_criteria(),
            formula: PriorityFormula::default(),
            categories: [
                "infrastruktur",
                "pendidikan",
                "kesehatan",
                "ekonomi",
                "sosial",
                "lingkungan",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CycleView {
    pub id: i32,
    pub name: String,
    pub year: i32,
    pub region_id: i32,
    pub instance_id: i32,
    /// The current phase: the cycle case's state.
    pub phase: String,
    pub settings: CycleSettings,
    pub fields: BTreeMap<String, Value>,
}

pub struct NewCycle {
    pub name: String,
    pub year: i32,
    pub region_id: i32,
    /// When each phase opens, in order, and when the cycle closes.
    pub windows: BTreeMap<Phase, DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
    pub settings: CycleSettings,
}

fn phase_field(p: Phase) -> &'static str {
    match p {
        Phase::Submission => "submission_opens",
        Phase::Voting => "voting_opens",
        Phase::KelurahanDeliberation => "kelurahan_opens",
        Phase::KecamatanDeliberation => "kecamatan_opens",
        Phase::KotaForum => "kota_opens",
    }
}

pub async fn create_cycle(
    state: &AppState,
    user: &CurrentUser,
    input: NewCycle,
) -> AppResult<CycleView> {
    let path = state.known_region_path(input.region_id).await?;
    state.authz.require(user, &path, perms::CYCLE_CREATE)?;
    let mut errors = vec![];
    let mut last: Option<DateTime<Utc>> = None;
    for p in Phase::ALL {
        match input.windows.get(&p) {
            None => errors.push(FieldError::new(phase_field(p), "required", "Tanggal mulai tahap wajib diisi.", "The phase's opening time is required.")),
            Some(t) if last.is_some_and(|l| *t <= l) => errors.push(FieldError::new(
                phase_field(p),
                "order",
                "Tahap harus berurutan: pengajuan, pemungutan suara, musrenbang kelurahan, kecamatan, forum kota.",
                "Phases must follow each other: submission, voting, kelurahan, kecamatan, kota forum.",
            )),
            Some(t) => last = Some(*t),
        }
    }
    if last.is_some_and(|l| input.closes_at <= l) {
        errors.push(FieldError::new(
            "closesAt",
            "order",
            "Siklus harus ditutup setelah forum kota dibuka.",
            "The cycle must close after the kota forum opens.",
        ));
    }
    let is_kota = state
        .regions
        .read()
        .await
        .get(input.region_id)
        .is_some_and(|r| r.level == mufakat_core::RegionLevel::KabupatenKota);
    if !is_kota {
        errors.push(FieldError::new(
            "regionId",
            "level",
            "Siklus musrenbang dibuat untuk satu kabupaten/kota.",
            "A musrenbang cycle is made for a kabupaten/kota.",
        ));
    }
    if !(2000..=2100).contains(&input.year) {
        errors.push(FieldError::new(
            "year",
            "range",
            "Tahun harus antara 2000 dan 2100.",
            "The year must be between 2000 and 2100.",
        ));
    }
    for (field, t) in input
        .windows
        .iter()
        .map(|(p, t)| (phase_field(*p), t))
        .chain([("closesAt", &input.closes_at)])
    {
        if (t.year() - input.year).abs() > 2 {
            errors.push(FieldError::new(
                field,
                "range",
                "Tanggal harus dalam dua tahun dari tahun siklus.",
                "The date must be within two years of the cycle's year.",
            ));
        }
    }
    if let Some(e) = mufakat_core::text::check("name", &input.name, 200, false) {
        errors.push(e);
    }
    let categories = &input.settings.categories;
    if categories.len() > 50 {
        errors.push(FieldError::new(
            "settings.categories",
            "count",
            "Paling banyak 50 kategori.",
            "At most 50 categories.",
        ));
    } else if let Some(e) = categories
        .iter()
        .find_map(|c| mufakat_core::text::check("settings.categories", c, 60, false))
    {
        errors.push(e);
    }
    if input.settings.voting.max_per_voter == 0 || input.settings.categories.is_empty() {
        errors.push(FieldError::new(
            "settings",
            "invalid",
            "Batas suara dan daftar kategori wajib diisi.",
            "A vote limit and categories are required.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut fields = Map::new();
    fields.insert("name".into(), json!(input.name.trim()));
    fields.insert("year".into(), json!(input.year));
    for (p, t) in &input.windows {
        fields.insert(phase_field(*p).into(), json!(t.to_rfc3339()));
    }
    fields.insert("closes_at".into(), json!(input.closes_at.to_rfc3339()));

    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    // Checked in the write's transaction (the chain's lock orders writers): two requests at
    // once cannot both open the year.
    let same_year = cyc::Entity::find()
        .filter(cyc::Column::RegionId.eq(input.region_id))
        .filter(cyc::Column::Year.eq(input.year))
        .all(&txn)
        .await
        .db()?;
    if let Some(open) = cycle_views(&txn, same_year)
        .await?
        .into_iter()
        .find(|c| c.phase != "closed")
    {
        return Err(AppError::conflict(
            format!(
                "Kabupaten/kota ini sudah memiliki siklus {} yang belum ditutup: “{}”.",
                input.year, open.name
            ),
            format!(
                "This kabupaten/kota already has a {} cycle that is not closed: “{}”.",
                input.year, open.name
            ),
        ));
    }
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        CYCLE_WORKFLOW,
        input.region_id,
        fields,
    )
    .await?;
    let settings_json = serde_json::to_string(&input.settings).map_err(AppError::internal)?;
    let row = cyc::ActiveModel {
        name: Set(input.name.trim().to_owned()),
        year: Set(input.year),
        region_id: Set(input.region_id),
        instance_id: Set(Some(fired.case.id)),
        settings: Set(settings_json),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(CycleView {
        id: row.id,
        name: row.name,
        year: row.year,
        region_id: row.region_id,
        instance_id: fired.case.id,
        phase: fired.case.state,
        settings: input.settings,
        fields: fired.case.fields,
    })
}

pub async fn get_cycle(db: &impl ConnectionTrait, id: i32) -> AppResult<CycleView> {
    let c = cyc::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "cycle" })?;
    Ok(cycle_views(db, vec![c]).await?.remove(0))
}

/// Cycles with their phase, reading all their cases in one query.
async fn cycle_views(
    db: &impl ConnectionTrait,
    cycles: Vec<cyc::Model>,
) -> AppResult<Vec<CycleView>> {
    let ids: Vec<i32> = cycles.iter().filter_map(|c| c.instance_id).collect();
    let cases = cases::cases_by_id(db, ids).await?;
    build_cycle_views(cycles, &cases)
}

/// Cycles with their phase, from their cases (already read).
pub(super) fn build_cycle_views(
    cycles: Vec<cyc::Model>,
    cases: &HashMap<i32, wi::Model>,
) -> AppResult<Vec<CycleView>> {
    cycles
        .into_iter()
        .map(|c| {
            let iid = c
                .instance_id
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("cycle {} has no case", c.id)))?;
            let inst = cases
                .get(&iid)
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("cycle case {iid} missing")))?;
            Ok(CycleView {
                id: c.id,
                name: c.name,
                year: c.year,
                region_id: c.region_id,
                instance_id: iid,
                phase: inst.state.clone(),
                settings: serde_json::from_str(&c.settings).map_err(AppError::internal)?,
                fields: serde_json::from_str(&inst.fields).map_err(AppError::internal)?,
            })
        })
        .collect()
}

pub async fn cycles_by_id(db: &impl ConnectionTrait, ids: &[i32]) -> AppResult<Vec<CycleView>> {
    let rows = cyc::Entity::find()
        .filter(cyc::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
        .db()?;
    cycle_views(db, rows).await
}

/// The open cycle of the kota on `path` (a region's ancestors and itself): one already running
/// before one still scheduled, the newer year first.
pub async fn current_cycle(
    db: &impl ConnectionTrait,
    path: &[i32],
) -> AppResult<Option<CycleView>> {
    let rows = cyc::Entity::find()
        .filter(cyc::Column::RegionId.is_in(path.to_vec()))
        .all(db)
        .await
        .db()?;
    Ok(cycle_views(db, rows)
        .await?
        .into_iter()
        .filter(|c| c.phase != "closed")
        .max_by_key(|c| (c.phase != "scheduled", c.year, c.id)))
}

pub async fn list_cycles(db: &impl ConnectionTrait) -> AppResult<Vec<CycleView>> {
    let rows = cyc::Entity::find()
        .order_by_desc(cyc::Column::Year)
        .order_by_desc(cyc::Column::Id)
        .all(db)
        .await
        .db()?;
    cycle_views(db, rows).await
}
