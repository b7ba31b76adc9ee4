//! e-Musrenbang on the workflow engine. A cycle is a `musrenbang-siklus` case whose timers move
//! it through the phases; each proposal (usulan) is a `musrenbang-usulan` case. Every status
//! change, vote and score is a transition of those cases, appended to the audit chain in the
//! same transaction as the module's own rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::entity::{
    musrenbang_cycle as cyc, proposal as prop, proposal_comment as pc, proposal_score as ps,
    proposal_vote as pv,
};
use chrono::{DateTime, Utc};
use mufakat_audit::Receipt;
use mufakat_core::{AppError, AppResult, FieldError, Money, Role};
use mufakat_musrenbang::priority::{default_criteria, weighted_score};
use mufakat_musrenbang::{
    rank, voter_pseudonym, Cost, Criterion, Phase, PriorityFormula, RankedProposal, ScoreInput,
    VoteScope, VotingPolicy,
};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::perms;
use mufakat_kernel::audit_log::{self, AuditDraft};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases::{self, Acting};
use mufakat_kernel::AppState;

pub const CYCLE_WORKFLOW: &str = "musrenbang-siklus";
pub const PROPOSAL_WORKFLOW: &str = "musrenbang-usulan";

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

    let now = Utc::now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
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
fn build_cycle_views(
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

pub async fn list_cycles(db: &impl ConnectionTrait) -> AppResult<Vec<CycleView>> {
    let rows = cyc::Entity::find()
        .order_by_desc(cyc::Column::Year)
        .order_by_desc(cyc::Column::Id)
        .all(db)
        .await
        .db()?;
    cycle_views(db, rows).await
}

fn phase_closed(needed: &str, current: &str) -> AppError {
    let label = |p: &str| match p {
        "scheduled" => "belum dimulai",
        "submission" => "pengajuan usulan",
        "voting" => "pemungutan suara",
        "kelurahan_deliberation" => "musrenbang kelurahan",
        "kecamatan_deliberation" => "musrenbang kecamatan",
        "kota_forum" => "forum kota",
        "closed" => "ditutup",
        _ => "lain",
    };
    AppError::conflict(
        format!(
            "Tindakan ini hanya dapat dilakukan pada tahap {}; tahap sekarang: {}.",
            label(needed),
            label(current)
        ),
        format!("This can only be done in the {needed} phase; the cycle is now in {current}."),
    )
}

/// The phase in which each proposal action is possible.
fn phase_for(action: &str) -> Option<&'static str> {
    Some(match action {
        "submit" | "withdraw" => "submission",
        "vote" | "unvote" => "voting",
        "verify" | "accept" | "accept_with_changes" | "merge" | "reject" | "forward_kecamatan" => {
            "kelurahan_deliberation"
        }
        "prioritize" | "reject_kecamatan" | "forward_kota" => "kecamatan_deliberation",
        "include" | "not_accommodate" => "kota_forum",
        _ => return None,
    })
}

#[derive(Debug, Clone, Default)]
pub struct NewProposal {
    pub cycle_id: i32,
    pub title: String,
    pub description: String,
    pub category: String,
    pub region_id: i32,
    pub rt_rw: Option<String>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
    pub volume: Decimal,
    pub unit: String,
    pub unit_price: Decimal,
    pub cost_override: Option<Decimal>,
    pub cost_override_reason: Option<String>,
    pub target_opd: Option<String>,
    pub source: String,
    pub attachments: Vec<Attachment>,
}

/// Metadata of a file attached to a proposal (the upload itself is not handled yet).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

pub const SOURCES: [&str; 4] = ["resident", "kelurahan", "pokir_dprd", "opd_renja"];

fn money_field(field: &str, d: Decimal) -> Result<Money, FieldError> {
    Money::new(d).map_err(|_| {
        FieldError::new(
            field,
            "money",
            "Jumlah uang paling banyak dua angka desimal.",
            "An amount has at most two decimals.",
        )
    })
}

pub async fn create_proposal(
    state: &AppState,
    user: &CurrentUser,
    p: NewProposal,
) -> AppResult<prop::Model> {
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    if cycle.phase != "submission" {
        return Err(phase_closed("submission", &cycle.phase));
    }
    let mut errors = vec![];
    let title = p.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "length",
            "Judul wajib diisi, paling banyak 200 karakter.",
            "A title of at most 200 characters is required.",
        ));
    }
    if p.description.trim().is_empty() || p.description.chars().count() > 5000 {
        errors.push(FieldError::new(
            "description",
            "length",
            "Uraian kondisi wajib diisi, paling banyak 5000 karakter.",
            "A description of at most 5000 characters is required.",
        ));
    }
    if !cycle.settings.categories.iter().any(|c| c == &p.category) {
        errors.push(FieldError::new(
            "category",
            "unknown",
            format!(
                "Kategori harus salah satu dari: {}.",
                cycle.settings.categories.join(", ")
            ),
            format!(
                "The category must be one of: {}.",
                cycle.settings.categories.join(", ")
            ),
        ));
    }
    if !SOURCES.contains(&p.source.as_str()) {
        errors.push(FieldError::new(
            "source",
            "unknown",
            "Sumber usulan tidak dikenal.",
            "Unknown proposal source.",
        ));
    }
    let in_cycle = state
        .regions
        .read()
        .await
        .is_within(p.region_id, cycle.region_id);
    let is_kelurahan = state
        .regions
        .read()
        .await
        .get(p.region_id)
        .is_some_and(|r| r.level == mufakat_core::RegionLevel::KelurahanDesa);
    if !in_cycle || !is_kelurahan {
        errors.push(FieldError::new(
            "kelurahanId",
            "unknown",
            "Pilih kelurahan/desa di wilayah siklus ini.",
            "Choose a kelurahan/desa within this cycle's region.",
        ));
    }
    if p.attachments.len() > 10 {
        errors.push(FieldError::new(
            "attachments",
            "count",
            "Paling banyak 10 lampiran.",
            "At most 10 attachments.",
        ));
    }
    for (i, a) in p.attachments.iter().enumerate() {
        let bad_hash = a
            .sha256
            .as_deref()
            .is_some_and(|h| h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()));
        if a.name.trim().is_empty()
            || a.name.chars().count() > 200
            || a.mime_type.trim().is_empty()
            || !(0..=20 * 1024 * 1024).contains(&a.size_bytes)
            || bad_hash
        {
            errors.push(FieldError::new(
                format!("attachments[{i}]"),
                "invalid",
                "Lampiran: nama dan jenis wajib, ukuran paling besar 20 MB, sha256 64 angka heksadesimal.",
                "Attachment: name and type required, at most 20 MB, sha256 as 64 hex digits.",
            ));
        }
    }
    for (name, v, lim) in [
        ("latitude", p.latitude, 90),
        ("longitude", p.longitude, 180),
    ] {
        if v.is_some_and(|v| v.abs() > Decimal::from(lim)) {
            errors.push(FieldError::new(
                name,
                "range",
                "Koordinat di luar jangkauan.",
                "Coordinate out of range.",
            ));
        }
    }
    let unit_price = money_field("unitPrice", p.unit_price)
        .map_err(|e| errors.push(e))
        .ok();
    let over = p
        .cost_override
        .map(|d| money_field("costOverride", d))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let cost = unit_price.and_then(|up| {
        Cost::new(
            p.volume,
            &p.unit,
            up,
            over,
            p.cost_override_reason.as_deref(),
        )
        .map_err(|e| {
            errors.push(FieldError::new(
                "volume",
                "cost",
                format!("Biaya tidak valid: {e}"),
                format!("Invalid cost: {e}"),
            ))
        })
        .ok()
    });
    let (Some(cost), true) = (cost, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    // A resident proposes as a resident; staff name the source.
    let roles = state
        .authz
        .roles_in(user, &state.region_path(p.region_id).await);
    let source = if roles.iter().all(|r| r == Role::Resident.as_str()) {
        "resident".to_owned()
    } else {
        p.source.clone()
    };

    let now = Utc::now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut fields = Map::new();
    fields.insert("title".into(), json!(title));
    fields.insert("cycle".into(), json!(cycle.id.to_string()));
    fields.insert("category".into(), json!(p.category));
    fields.insert("cost".into(), json!(cost.estimated().to_string()));
    fields.insert("source".into(), json!(source));
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        PROPOSAL_WORKFLOW,
        p.region_id,
        fields,
    )
    .await?;
    let row = prop::ActiveModel {
        cycle_id: Set(cycle.id),
        instance_id: Set(Some(fired.case.id)),
        title: Set(title.to_owned()),
        description: Set(p.description.trim().to_owned()),
        category: Set(p.category),
        region_id: Set(p.region_id),
        rt_rw: Set(p
            .rt_rw
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())),
        latitude: Set(p.latitude.map(|d| d.normalize().to_string())),
        longitude: Set(p.longitude.map(|d| d.normalize().to_string())),
        volume: Set(cost.volume.to_string()),
        unit: Set(cost.unit.clone()),
        unit_price_sen: Set(sen(cost.unit_price)?),
        cost_sen: Set(sen(cost.estimated())?),
        computed_cost_sen: Set(sen(cost.computed)?),
        original_cost_sen: Set(None),
        cost_override_reason: Set(cost.override_reason.clone()),
        target_opd: Set(p
            .target_opd
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())),
        source: Set(source),
        proposer_id: Set(Some(user.id)),
        parent_id: Set(None),
        status: Set(fired.case.state.clone()),
        level: Set("kelurahan".into()),
        vote_count: Set(0),
        score: Set(None),
        attachments: Set(serde_json::to_string(&p.attachments).map_err(AppError::internal)?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(row)
}

pub async fn get_proposal(db: &impl ConnectionTrait, id: i32) -> AppResult<prop::Model> {
    prop::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "proposal" })
}

/// The proposal, when `viewer` may see it: a draft is its proposer's alone; to anyone else it
/// does not exist (`NOT_FOUND`, as for an id never used).
pub fn visible(p: prop::Model, viewer: Option<i32>) -> AppResult<prop::Model> {
    if p.status == "draft" && viewer != p.proposer_id {
        return Err(AppError::NotFound { entity: "proposal" });
    }
    Ok(p)
}

/// Input of [`act`] for the actions that carry data.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    pub volume: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub cost_override: Option<Decimal>,
    pub into_proposal: Option<i32>,
}

fn level_after(action: &str) -> Option<&'static str> {
    match action {
        "forward_kecamatan" => Some("kecamatan"),
        "forward_kota" => Some("kota"),
        _ => None,
    }
}

/// A proposal may merge into another active proposal of the same cycle and kelurahan.
fn check_merge_target(p: &prop::Model, target: &prop::Model) -> AppResult<()> {
    if target.id == p.id
        || target.cycle_id != p.cycle_id
        || target.region_id != p.region_id
        || matches!(
            target.status.as_str(),
            "merged" | "rejected" | "withdrawn" | "draft"
        )
    {
        return Err(AppError::validation(
            "intoProposalId",
            "invalid",
            "Usulan tujuan harus usulan aktif lain di kelurahan yang sama.",
            "The target must be another active proposal of the same kelurahan.",
        ));
    }
    Ok(())
}

/// A staff or proposer action on a proposal: one workflow transition, checked against the
/// cycle's phase, with the proposal row kept in step in the same transaction.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    action: &str,
    input: ActInput,
    comment: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<(prop::Model, String)> {
    let needed = phase_for(action).filter(|_| !matches!(action, "vote" | "unvote"));
    let Some(needed) = needed else {
        return Err(AppError::validation(
            "action",
            "unknown",
            "Tindakan tidak dikenal.",
            "Unknown action.",
        ));
    };
    let p = get_proposal(&state.db, proposal_id).await?;
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    if cycle.phase != needed {
        return Err(phase_closed(needed, &cycle.phase));
    }
    let mut wf_input = Map::new();
    let mut new_cost: Option<Cost> = None;
    if action == "accept_with_changes" {
        let volume = input
            .volume
            .unwrap_or_else(|| p.volume.parse().unwrap_or_default());
        let unit_price = match input.unit_price {
            Some(d) => money_field("unitPrice", d).map_err(|e| AppError::Validation(vec![e]))?,
            None => Money::from_minor_units(p.unit_price_sen),
        };
        let over = input
            .cost_override
            .map(|d| money_field("costOverride", d))
            .transpose()
            .map_err(|e| AppError::Validation(vec![e]))?;
        let cost =
            Cost::new(volume, &p.unit, unit_price, over, comment.as_deref()).map_err(|e| {
                AppError::validation(
                    "volume",
                    "cost",
                    "Volume atau biaya tidak valid.",
                    Box::leak(format!("Invalid volume or cost: {e}").into_boxed_str()),
                )
            })?;
        wf_input.insert("cost".into(), json!(cost.estimated().to_string()));
        new_cost = Some(cost);
    }
    let mut merge_target: Option<prop::Model> = None;
    if action == "merge" {
        let into = input.into_proposal.ok_or_else(|| {
            AppError::validation(
                "intoProposalId",
                "required",
                "Pilih usulan tujuan penggabungan.",
                "Choose the proposal to merge into.",
            )
        })?;
        let target = get_proposal(&state.db, into).await?;
        check_merge_target(&p, &target)?;
        wf_input.insert("merged_into".into(), json!(target.id.to_string()));
        merge_target = Some(target);
    }
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;

    let now = Utc::now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    if let Some(t) = &merge_target {
        // Read again under the chain's lock, which every status change takes: a merge of the
        // target into this proposal, or the target's rejection, may have committed since.
        let target = get_proposal(&txn, t.id).await?;
        check_merge_target(&p, &target)?;
        merge_target = Some(target);
    }
    let fired = cases::fire_in(
        state,
        &txn,
        &mut chain,
        Acting::User(user),
        instance_id,
        action,
        wf_input,
        comment,
        expected_version,
        false,
    )
    .await?;
    let mut upd = prop::Entity::update_many()
        .col_expr(prop::Column::Status, Expr::value(fired.case.state.clone()))
        .col_expr(prop::Column::UpdatedAt, Expr::value(now))
        .filter(prop::Column::Id.eq(p.id));
    if let Some(level) = level_after(action) {
        upd = upd
            .col_expr(prop::Column::Level, Expr::value(level))
            .col_expr(prop::Column::Score, Expr::value(Option::<String>::None));
    }
    if let Some(c) = &new_cost {
        upd = upd
            .col_expr(
                prop::Column::OriginalCostSen,
                Expr::value(p.original_cost_sen.unwrap_or(p.cost_sen)),
            )
            .col_expr(prop::Column::Volume, Expr::value(c.volume.to_string()))
            .col_expr(prop::Column::UnitPriceSen, Expr::value(sen(c.unit_price)?))
            .col_expr(prop::Column::ComputedCostSen, Expr::value(sen(c.computed)?))
            .col_expr(prop::Column::CostSen, Expr::value(sen(c.estimated())?))
            .col_expr(
                prop::Column::CostOverrideReason,
                Expr::value(c.override_reason.clone()),
            );
    }
    if let Some(t) = &merge_target {
        upd = upd.col_expr(prop::Column::ParentId, Expr::value(t.id));
    }
    upd.exec(&txn).await.db()?;
    if let Some(t) = &merge_target {
        carry_votes(&txn, &p, t).await?;
    }
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok((
        get_proposal(&state.db, p.id).await?,
        Receipt::new(fired.event.seq, fired.event.hash).to_string(),
    ))
}

/// Rows per statement when a merge moves votes (far below both engines' bind limits).
const MERGE_CHUNK: usize = 1000;

/// Moves the votes of a merged proposal to its parent: a voter who already voted for the parent
/// keeps one vote. Counts are recomputed from the vote rows.
async fn carry_votes(
    txn: &impl ConnectionTrait,
    from: &prop::Model,
    to: &prop::Model,
) -> AppResult<()> {
    let (from_id, to_id) = (from.id, to.id);
    // Both are of one cycle (merges stay within a cycle); votes are indexed by cycle and voter.
    let cycle_id = from.cycle_id;
    let votes = pv::Entity::find()
        .filter(pv::Column::CycleId.eq(cycle_id))
        .filter(pv::Column::ProposalId.eq(from_id))
        .all(txn)
        .await
        .db()?;
    let now = Utc::now();
    // The voters are told where their votes went.
    let told: Vec<_> = votes
        .iter()
        .map(|v| mufakat_store::entity::notification::ActiveModel {
            user_id: Set(v.voter_id),
            kind: Set("proposal_merged".into()),
            message_id: Set(format!("Usulan \"{}\" yang Anda dukung digabung ke usulan \"{}\". Suara Anda kini untuk usulan tersebut.", from.title, to.title)),
            message_en: Set(format!("The proposal \"{}\" you supported was merged into \"{}\". Your vote now counts for that proposal.", from.title, to.title)),
            proposal_id: Set(Some(to_id)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in told.chunks(MERGE_CHUNK) {
        mufakat_store::entity::notification::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .db()?;
    }
    // A voter who voted for both keeps the vote for the target; the others' votes move.
    let (from, to) = (from_id, to_id);
    for chunk in votes.chunks(MERGE_CHUNK) {
        let also_for_target: HashSet<i32> = pv::Entity::find()
            .filter(pv::Column::CycleId.eq(cycle_id))
            .filter(pv::Column::ProposalId.eq(to))
            .filter(pv::Column::VoterId.is_in(chunk.iter().map(|v| v.voter_id)))
            .all(txn)
            .await
            .db()?
            .into_iter()
            .map(|v| v.voter_id)
            .collect();
        let (dropped, moved): (Vec<&pv::Model>, Vec<&pv::Model>) = chunk
            .iter()
            .partition(|v| also_for_target.contains(&v.voter_id));
        if !dropped.is_empty() {
            pv::Entity::delete_many()
                .filter(pv::Column::Id.is_in(dropped.iter().map(|v| v.id)))
                .exec(txn)
                .await
                .db()?;
        }
        if !moved.is_empty() {
            pv::Entity::update_many()
                .col_expr(pv::Column::ProposalId, Expr::value(to))
                .filter(pv::Column::Id.is_in(moved.iter().map(|v| v.id)))
                .exec(txn)
                .await
                .db()?;
        }
    }
    for id in [from, to] {
        let n = pv::Entity::find()
            .filter(pv::Column::CycleId.eq(cycle_id))
            .filter(pv::Column::ProposalId.eq(id))
            .count(txn)
            .await
            .db()? as i32;
        prop::Entity::update_many()
            .col_expr(prop::Column::VoteCount, Expr::value(n))
            .filter(prop::Column::Id.eq(id))
            .exec(txn)
            .await
            .db()?;
    }
    Ok(())
}

fn pseudonym_key(state: &AppState) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&state.nik_key).expect("any key");
    mac.update(b"mufakat voter pseudonym key v1");
    mac.finalize().into_bytes().to_vec()
}

/// The voter's pseudonym in this cycle (as the audit trail records it).
pub fn pseudonym(state: &AppState, cycle_id: i32, user_id: i32) -> String {
    voter_pseudonym(&pseudonym_key(state), cycle_id, user_id)
}

pub struct VoteReceipt {
    pub proposal: prop::Model,
    /// The audit event's receipt (`<seq>-<hash>`): check later that it is under a signed
    /// checkpoint.
    pub receipt: String,
    pub seq: i64,
}

/// A resident approves a proposal (voting phase, own kelurahan or kecamatan by the cycle's
/// policy, within the per-voter limit). One vote per person per proposal, by the database.
pub async fn vote(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
) -> AppResult<VoteReceipt> {
    cast(state, user, proposal_id, true).await
}

/// Withdraws a vote while voting is open.
pub async fn unvote(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
) -> AppResult<VoteReceipt> {
    cast(state, user, proposal_id, false).await
}

/// One vote (or withdrawal) waiting for the batch writer ([`mufakat_kernel::writer`]).
pub struct VoteRequest {
    user: CurrentUser,
    proposal_id: i32,
    approve: bool,
}

/// Live vote counts for subscriptions (musrenbang's runtime state in
/// [`AppState::modules`](mufakat_kernel::state::Inner::modules)).
#[derive(Clone)]
pub struct VoteEvents(pub tokio::sync::broadcast::Sender<VoteCountChanged>);

impl Default for VoteEvents {
    fn default() -> Self {
        VoteEvents(tokio::sync::broadcast::channel(1024).0)
    }
}

/// Votes and withdrawals, a kind of request of the batch writer.
pub struct Votes;

#[async_trait::async_trait]
impl mufakat_kernel::writer::BatchKind for Votes {
    type Request = VoteRequest;
    type Answer = VoteReceipt;
    type Effects = Vec<VoteCountChanged>;

    fn name(&self) -> &'static str {
        "votes"
    }

    async fn write(
        &self,
        state: &AppState,
        txn: &audit_log::WriteTxn,
        chain: &mut audit_log::Chain,
        batch: &[&VoteRequest],
    ) -> AppResult<(Vec<AppResult<VoteReceipt>>, Vec<VoteCountChanged>)> {
        write_votes(state, txn, chain, batch).await
    }

    /// On SQLite, live counts go to this node's subscribers (on PostgreSQL they come back by
    /// NOTIFY, to every node).
    fn after_commit(&self, state: &AppState, changes: Vec<VoteCountChanged>) {
        if !mufakat_store::db::is_postgres(&state.db) {
            for c in changes {
                let _ = state.modules.get::<VoteEvents>().0.send(c);
            }
        }
    }
}

async fn cast(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    approve: bool,
) -> AppResult<VoteReceipt> {
    // Only residents vote; everything else is checked by the batch, under the chain lock.
    if !user.grants.iter().any(|(r, _)| *r == Role::Resident) || user.home_region_id.is_none() {
        return Err(AppError::Forbidden);
    }
    mufakat_kernel::writer::submit::<Votes>(
        state,
        VoteRequest {
            user: user.clone(),
            proposal_id,
            approve,
        },
    )
    .await
}

/// What a batch read under the chain lock, changed in memory as its votes are decided, and
/// writes once at the end.
struct VoteBatch {
    now: DateTime<Utc>,
    proposals: HashMap<i32, prop::Model>,
    cycles: HashMap<i32, CycleView>,
    /// Proposal cases, as they will be stored.
    cases: HashMap<i32, wi::Model>,
    /// Each case's version when read (the update checks it).
    read_versions: HashMap<i32, i32>,
    /// (voter, cycle) -> proposals the voter approves now.
    ballots: HashMap<(i32, i32), std::collections::BTreeSet<i32>>,
    /// (proposal, voter) -> how the vote row changes.
    rows: HashMap<(i32, i32), RowChange>,
    /// Net change of each proposal's vote count.
    deltas: BTreeMap<i32, i32>,
    /// Transitions that changed a case's state (timers to re-arm, in order). Votes are
    /// self-loops in the shipped workflow; a deployed variant may differ.
    moved: Vec<(i32, mufakat_workflow::Outcome)>,
}

#[derive(Clone, Copy)]
struct RowChange {
    /// The row existed when the batch read it.
    existed: bool,
    /// The original row must go (withdrawn, perhaps approved again later in the batch).
    delete: bool,
    /// A row must be there after the batch.
    present: bool,
}

/// The votes of one batch, in the batch writer's transaction. Reads are set-based (proposals,
/// cycles, cases and the voters' ballots: four queries), every vote is decided in memory in
/// arrival order — its checks, its workflow transition and its sealed audit event — and the
/// writes are multi-row: vote rows, one update per touched case and proposal (the events and
/// the chain head follow at the commit). Each vote is still its own transition with its own
/// audit event, as with one transaction per vote. A refused vote's answer is its error; an
/// internal error fails the batch.
pub async fn write_votes(
    state: &AppState,
    txn: &audit_log::WriteTxn,
    chain: &mut audit_log::Chain,
    batch: &[&VoteRequest],
) -> AppResult<(Vec<AppResult<VoteReceipt>>, Vec<VoteCountChanged>)> {
    let now = chain.now;
    let mut ids: Vec<i32> = batch.iter().map(|r| r.proposal_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let proposals: HashMap<i32, prop::Model> = prop::Entity::find()
        .filter(prop::Column::Id.is_in(mufakat_store::pad_pow2(ids)))
        .all(txn)
        .await
        .db()?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut cycle_ids: Vec<i32> = proposals.values().map(|p| p.cycle_id).collect();
    cycle_ids.sort_unstable();
    cycle_ids.dedup();
    // The cycles, then their cases and the proposals' cases in one query.
    let cycle_rows = cyc::Entity::find()
        .filter(cyc::Column::Id.is_in(mufakat_store::pad_pow2(cycle_ids.clone())))
        .all(txn)
        .await
        .db()?;
    let case_ids: Vec<i32> = proposals
        .values()
        .filter_map(|p| p.instance_id)
        .chain(cycle_rows.iter().filter_map(|c| c.instance_id))
        .collect();
    let mut cases = cases::cases_by_id(txn, mufakat_store::pad_pow2(case_ids)).await?;
    let cycles: HashMap<i32, CycleView> = build_cycle_views(cycle_rows, &cases)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for c in cycles.values() {
        cases.remove(&c.instance_id);
    }
    let read_versions = cases.iter().map(|(id, m)| (*id, m.version)).collect();
    let mut voters: Vec<i32> = batch.iter().map(|r| r.user.id).collect();
    voters.sort_unstable();
    voters.dedup();
    let mut ballots: HashMap<(i32, i32), std::collections::BTreeSet<i32>> = HashMap::new();
    for v in pv::Entity::find()
        .filter(pv::Column::CycleId.is_in(mufakat_store::pad_pow2(cycle_ids)))
        .filter(pv::Column::VoterId.is_in(mufakat_store::pad_pow2(voters)))
        .all(txn)
        .await
        .db()?
    {
        ballots
            .entry((v.voter_id, v.cycle_id))
            .or_default()
            .insert(v.proposal_id);
    }
    let mut b = VoteBatch {
        now,
        proposals,
        cycles,
        cases,
        read_versions,
        ballots,
        rows: HashMap::new(),
        deltas: BTreeMap::new(),
        moved: vec![],
    };
    let regions = state.regions.read().await.clone();
    let key = pseudonym_key(state);
    let mut results = Vec::with_capacity(batch.len());
    for req in batch {
        match decide_vote(state, &regions, &key, &mut b, chain, req).await {
            Ok(receipt) => results.push(Ok(receipt)),
            // Refusals are decided before anything of the vote is applied.
            Err(e) if !matches!(e, AppError::Internal(_)) => results.push(Err(e)),
            Err(e) => return Err(e),
        }
    }
    store_votes(state, txn, &b).await?;
    let changes: Vec<VoteCountChanged> = b
        .deltas
        .keys()
        .filter_map(|id| b.proposals.get(id))
        .map(|p| VoteCountChanged {
            proposal_id: p.id,
            region_id: p.region_id,
            cycle_id: p.cycle_id,
            votes: p.vote_count,
        })
        .collect();
    if mufakat_store::db::is_postgres(&state.db) {
        // Delivered to every node (this one included) when the transaction commits: JSON
        // arrays of counts, each under PostgreSQL's 8000-byte payload limit.
        for part in changes.chunks(50) {
            let payload = serde_json::to_string(part).map_err(AppError::internal)?;
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [VOTE_CHANNEL.into(), payload.into()],
            ))
            .await
            .db()?;
        }
    }
    Ok((results, changes))
}

/// Checks one vote against the batch's current picture and, if it passes, applies it there
/// (case, ballot, count) and seals its audit event. Nothing is applied when it is refused.
async fn decide_vote(
    state: &AppState,
    regions: &mufakat_core::RegionTree,
    key: &[u8],
    b: &mut VoteBatch,
    chain: &mut audit_log::Chain,
    req: &VoteRequest,
) -> AppResult<VoteReceipt> {
    let (user, approve) = (&req.user, req.approve);
    let p = b
        .proposals
        .get(&req.proposal_id)
        .ok_or(AppError::NotFound { entity: "proposal" })?;
    let cycle = b.cycles.get(&p.cycle_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "cycle {} of proposal {} missing",
            p.cycle_id,
            p.id
        ))
    })?;
    if cycle.phase != "voting" {
        return Err(phase_closed("voting", &cycle.phase));
    }
    let home = user.home_region_id.ok_or(AppError::Forbidden)?;
    if !cycle
        .settings
        .voting
        .may_vote_for(regions, home, p.region_id)
    {
        return Err(AppError::Forbidden);
    }
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;
    let ballot = b.ballots.get(&(user.id, cycle.id));
    let voted = ballot.is_some_and(|s| s.contains(&p.id));
    if approve {
        if voted {
            return Err(AppError::conflict(
                "Anda sudah memilih usulan ini.",
                "You have already voted for this proposal.",
            ));
        }
        let max = cycle.settings.voting.max_per_voter;
        if ballot.map_or(0, |s| s.len()) >= max as usize {
            return Err(AppError::conflict(
                format!("Anda sudah memakai semua {max} suara Anda pada siklus ini. Tarik salah satu suara untuk memilih usulan lain."),
                format!("You have used all {max} of your votes in this cycle. Withdraw one to vote for another proposal."),
            ));
        }
    } else if !voted {
        return Err(AppError::conflict(
            "Anda belum memilih usulan ini.",
            "You have not voted for this proposal.",
        ));
    }
    let case = b
        .cases
        .get(&instance_id)
        .ok_or(AppError::NotFound { entity: "instance" })?;
    let d = state.workflows.get(case.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "definition {} not loaded",
            case.definition_id
        ))
    })?;
    // The engine decides (and refuses) before anything is applied.
    let who = Acting::Pseudonymous(user, voter_pseudonym(key, cycle.id, user.id));
    let step = cases::decide(
        state,
        &who,
        &d,
        case,
        if approve { "vote" } else { "unvote" },
        &Map::new(),
        None,
        b.now,
    )
    .await?;

    // Accepted: apply it to the batch's picture.
    let (pid, cycle_id) = (p.id, cycle.id);
    if step.moved {
        b.moved.push((instance_id, step.outcome));
    }
    b.cases.insert(instance_id, step.after);
    let event = chain.append_deferred(step.draft);
    let ballot = b.ballots.entry((user.id, cycle_id)).or_default();
    let row = b.rows.entry((pid, user.id)).or_insert(RowChange {
        existed: voted,
        delete: false,
        present: voted,
    });
    if approve {
        ballot.insert(pid);
        row.present = true;
    } else {
        ballot.remove(&pid);
        row.present = false;
        row.delete |= row.existed;
    }
    let delta = if approve { 1 } else { -1 };
    *b.deltas.entry(pid).or_default() += delta;
    let p = b
        .proposals
        .get_mut(&pid)
        .ok_or(AppError::NotFound { entity: "proposal" })?;
    p.vote_count += delta;
    Ok(VoteReceipt {
        proposal: p.clone(),
        receipt: Receipt::new(event.seq, event.hash).to_string(),
        seq: event.seq,
    })
}

/// Writes what a batch decided — cases, timers of cases that moved, vote rows, counts — in a
/// fixed number of statements, however many proposals the batch touched. (The events follow at
/// the batch's commit: `audit_log::commit` writes the chain.)
async fn store_votes(state: &AppState, txn: &audit_log::WriteTxn, b: &VoteBatch) -> AppResult<()> {
    cases::store_steps(state, txn, &b.cases, &b.read_versions, &b.moved, b.now).await?;
    for (&(proposal_id, voter_id), row) in &b.rows {
        if row.delete {
            pv::Entity::delete_many()
                .filter(pv::Column::VoterId.eq(voter_id))
                .filter(pv::Column::CycleId.eq(b.proposals[&proposal_id].cycle_id))
                .filter(pv::Column::ProposalId.eq(proposal_id))
                .exec(txn)
                .await
                .db()?;
        }
    }
    let inserts: Vec<pv::ActiveModel> = b
        .rows
        .iter()
        .filter(|(_, r)| r.present && (!r.existed || r.delete))
        .map(|(&(proposal_id, voter_id), _)| pv::ActiveModel {
            cycle_id: Set(b.proposals[&proposal_id].cycle_id),
            proposal_id: Set(proposal_id),
            voter_id: Set(voter_id),
            created_at: Set(b.now),
            ..Default::default()
        })
        .collect();
    // Padded to a power of two (see `pad_pow2`): the repeated row conflicts and is skipped;
    // every real row must be written (a conflict on a real one would be a double vote).
    for chunk in inserts.chunks(1024) {
        let written = pv::Entity::insert_many(mufakat_store::pad_pow2(chunk.to_vec()))
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([
                    pv::Column::VoterId,
                    pv::Column::CycleId,
                    pv::Column::ProposalId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("vote rows: {e}")))?;
        if written != chunk.len() as u64 {
            return Err(AppError::internal(anyhow::anyhow!(
                "vote rows: {written} of {} written",
                chunk.len()
            )));
        }
    }
    // Every touched proposal's count in one UPDATE.
    let deltas: Vec<(i32, i32)> = mufakat_store::pad_pow2(
        b.deltas
            .iter()
            .filter(|(_, d)| **d != 0)
            .map(|(id, d)| (*id, *d))
            .collect(),
    );
    if !deltas.is_empty() {
        let delta = deltas
            .iter()
            .fold(sea_orm::sea_query::CaseStatement::new(), |c, (id, d)| {
                c.case(prop::Column::Id.eq(*id), Expr::val(*d))
            });
        prop::Entity::update_many()
            .col_expr(
                prop::Column::VoteCount,
                Expr::col(prop::Column::VoteCount)
                    .add(Into::<sea_orm::sea_query::Expr>::into(delta)),
            )
            .filter(prop::Column::Id.is_in(deltas.iter().map(|(id, _)| *id)))
            .exec(txn)
            .await
            .db()?;
    }
    Ok(())
}

/// The PostgreSQL NOTIFY channel that carries vote counts between nodes.
pub const VOTE_CHANNEL: &str = "mufakat_votes";

/// Published on every vote, for live counts (the situation room). On PostgreSQL it travels by
/// NOTIFY so that subscribers on every node see votes cast on any node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteCountChanged {
    pub proposal_id: i32,
    pub region_id: i32,
    pub cycle_id: i32,
    pub votes: i32,
}

/// Staff score a proposal on the cycle's criteria (1-5 each) at its current level.
pub async fn score(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    values: BTreeMap<String, u8>,
) -> AppResult<prop::Model> {
    let p = get_proposal(&state.db, proposal_id).await?;
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    let needed = match p.level.as_str() {
        "kelurahan" => "kelurahan_deliberation",
        "kecamatan" => "kecamatan_deliberation",
        _ => "kota_forum",
    };
    if cycle.phase != needed {
        return Err(phase_closed(needed, &cycle.phase));
    }
    let s = weighted_score(&cycle.settings.criteria, &values).map_err(|e| {
        AppError::Validation(vec![FieldError::new(
            "criteria",
            "invalid",
            format!("Penilaian tidak valid: {e}"),
            format!("Invalid scores: {e}"),
        )])
    })?;
    let instance_id = p
        .instance_id
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("proposal {} has no case", p.id)))?;
    let now = Utc::now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let mut input = Map::new();
    input.insert("score".into(), json!(s.to_string()));
    input.insert(
        "criteria".into(),
        json!(serde_json::to_string(&values).map_err(AppError::internal)?),
    );
    cases::fire_in(
        state,
        &txn,
        &mut chain,
        Acting::User(user),
        instance_id,
        "score",
        input,
        None,
        None,
        false,
    )
    .await?;
    let existing = ps::Entity::find()
        .filter(ps::Column::ProposalId.eq(p.id))
        .filter(ps::Column::Level.eq(p.level.as_str()))
        .one(&txn)
        .await
        .db()?;
    let criteria = serde_json::to_string(&values).map_err(AppError::internal)?;
    match existing {
        Some(e) => {
            ps::Entity::update_many()
                .col_expr(ps::Column::Criteria, Expr::value(criteria))
                .col_expr(ps::Column::Score, Expr::value(s.to_string()))
                .col_expr(ps::Column::ScorerId, Expr::value(user.id))
                .filter(ps::Column::Id.eq(e.id))
                .exec(&txn)
                .await
                .db()?;
        }
        None => {
            ps::ActiveModel {
                proposal_id: Set(p.id),
                level: Set(p.level.clone()),
                scorer_id: Set(user.id),
                criteria: Set(criteria),
                score: Set(s.to_string()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .db()?;
        }
    }
    prop::Entity::update_many()
        .col_expr(prop::Column::Score, Expr::value(s.to_string()))
        .filter(prop::Column::Id.eq(p.id))
        .exec(&txn)
        .await
        .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_proposal(&state.db, p.id).await
}

/// A proposal status as people read it: the state's title in the workflow file (in Indonesian),
/// or in English the state's name in words.
pub fn status_title(state: &AppState, status: &str, lang: mufakat_core::Lang) -> String {
    if lang == mufakat_core::Lang::Id {
        if let Some(t) = state.workflows.latest(PROPOSAL_WORKFLOW).and_then(|d| {
            d.def
                .states
                .iter()
                .find(|s| s.name == status)
                .map(|s| s.title.clone())
        }) {
            return t;
        }
    }
    status.replace('_', " ")
}

/// Statuses that belong on each level's priority list.
fn statuses_for_level(level: &str) -> &'static [&'static str] {
    match level {
        "kelurahan" => &["verified", "accepted", "accepted_with_changes"],
        "kecamatan" => &["forwarded_kecamatan", "prioritized"],
        "kota" => &["forwarded_kota", "included", "not_accommodated"],
        _ => &[],
    }
}

/// The proposals on a level's list (priority list, allocation runs, `.pb` export): those at
/// that level in one of its statuses. A status alone is not enough: `not_accommodated` is
/// where both the kecamatan (leaving a proposal out) and the kota forum end, and only the kota's
/// belong on the kota's list.
pub fn on_level_list(level: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(prop::Column::Level.eq(level))
        .add(prop::Column::Status.is_in(statuses_for_level(level).iter().copied()))
}

/// The priority list of a region at a level: score and votes combined by the cycle's formula,
/// ties broken deterministically (see `mufakat_musrenbang::priority`).
pub async fn priority_list(
    state: &AppState,
    cycle_id: i32,
    region_id: i32,
    level: &str,
) -> AppResult<Vec<(RankedProposal, prop::Model)>> {
    let cycle = get_cycle(&state.db, cycle_id).await?;
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let rows = prop::Entity::find()
        .filter(prop::Column::CycleId.eq(cycle_id))
        .filter(prop::Column::RegionId.is_in(within))
        .filter(on_level_list(level))
        .all(&state.db)
        .await
        .db()?;
    let inputs: Vec<ScoreInput> = rows
        .iter()
        .map(|r| ScoreInput {
            id: r.id,
            score: r.score.as_deref().and_then(|s| s.parse().ok()),
            votes: std::cmp::Ord::max(r.vote_count, 0) as u64,
            cost: Money::from_minor_units(r.cost_sen),
        })
        .collect();
    let ranked = rank(&inputs, cycle.settings.formula);
    let mut by_id: BTreeMap<i32, prop::Model> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|r| by_id.remove(&r.id).map(|m| (r, m)))
        .collect())
}

// ---- comments ----

pub async fn add_comment(
    state: &AppState,
    user: &CurrentUser,
    proposal_id: i32,
    body: &str,
) -> AppResult<pc::Model> {
    visible(get_proposal(&state.db, proposal_id).await?, Some(user.id))?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2000 {
        return Err(AppError::validation(
            "body",
            "length",
            "Komentar wajib diisi, paling banyak 2000 karakter.",
            "A comment of at most 2000 characters is required.",
        ));
    }
    pc::ActiveModel {
        proposal_id: Set(proposal_id),
        author_id: Set(user.id),
        body: Set(body.to_owned()),
        hidden: Set(false),
        reports: Set(0),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .db()
}

pub async fn report_comment(
    state: &AppState,
    _user: &CurrentUser,
    comment_id: i32,
) -> AppResult<pc::Model> {
    let c = pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })?;
    pc::Entity::update_many()
        .col_expr(pc::Column::Reports, Expr::col(pc::Column::Reports).add(1))
        .filter(pc::Column::Id.eq(c.id))
        .exec(&state.db)
        .await
        .db()?;
    pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })
}

/// Staff of the proposal's region hide a comment (never delete it), with a reason, audited.
pub async fn hide_comment(
    state: &AppState,
    user: &CurrentUser,
    comment_id: i32,
    reason: &str,
) -> AppResult<pc::Model> {
    let c = pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })?;
    let p = get_proposal(&state.db, c.proposal_id).await?;
    let path = state.region_path(p.region_id).await;
    state.authz.require(user, &path, perms::COMMENT_MODERATE)?;
    if reason.trim().is_empty() {
        return Err(AppError::validation(
            "reason",
            "required",
            "Alasan wajib diisi.",
            "A reason is required.",
        ));
    }
    let now = Utc::now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    pc::Entity::update_many()
        .col_expr(pc::Column::Hidden, Expr::value(true))
        .col_expr(
            pc::Column::HiddenReason,
            Expr::value(reason.trim().to_owned()),
        )
        .col_expr(pc::Column::HiddenBy, Expr::value(user.id))
        .filter(pc::Column::Id.eq(c.id))
        .exec(&txn)
        .await
        .db()?;
    let role = state
        .authz
        .roles_in(user, &path)
        .into_iter()
        .next()
        .unwrap_or_default();
    chain
        .append(
            &txn,
            AuditDraft {
                actor: user.id.to_string(),
                role,
                workflow: "system.moderation".into(),
                workflow_version: "1".into(),
                instance_id: format!("comment-{}", c.id),
                transition: "hide".into(),
                from_state: "visible".into(),
                to_state: "hidden".into(),
                input: json!({ "proposal": p.id.to_string() }),
                comment: Some(reason.trim().to_owned()),
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    pc::Entity::find_by_id(comment_id)
        .one(&state.db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "comment" })
}

pub async fn comments(db: &impl ConnectionTrait, proposal_id: i32) -> AppResult<Vec<pc::Model>> {
    pc::Entity::find()
        .filter(pc::Column::ProposalId.eq(proposal_id))
        .order_by_asc(pc::Column::Id)
        .all(db)
        .await
        .db()
}

/// A cost in sen (minor units) for storage; `VALIDATION` on `unitPrice` when it does not fit.
fn sen(m: Money) -> AppResult<i64> {
    m.to_minor_units().map_err(|_| {
        AppError::validation(
            "unitPrice",
            "range",
            "Jumlah terlalu besar.",
            "Amount too large.",
        )
    })
}
