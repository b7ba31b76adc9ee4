//! Proposals (usulan): filing one in the submission phase (a `musrenbang-usulan` case), reading
//! one, who may see a draft, and how a status reads.

use crate::entity::proposal as prop;
use mufakat_core::{AppError, AppResult, FieldError, Role};
use mufakat_musrenbang::Cost;
use mufakat_store::sea_orm;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map};

use super::{get_cycle, money_field, phase_closed, sen, PROPOSAL_WORKFLOW};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;

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

/// Proposals whose title or description contains every word of `words`, ignoring case (the
/// same on SQLite and PostgreSQL: both sides lower-cased, `%` and `_` taken literally).
pub fn text_contains(words: &str) -> sea_orm::Condition {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let mut all = sea_orm::Condition::all();
    for word in words.split_whitespace().take(8) {
        let escaped = word
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        let like = |col: prop::Column| {
            Expr::expr(Func::lower(Expr::col(col)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        all = all.add(
            sea_orm::Condition::any()
                .add(like(prop::Column::Title))
                .add(like(prop::Column::Description)),
        );
    }
    all
}

pub const SOURCES: [&str; 4] = ["resident", "kelurahan", "pokir_dprd", "opd_renja"];

/// The checks a proposal's fields pass, when it is filed and when its draft is edited: every
/// problem at once, by field; the cost when there is none.
pub(crate) async fn check(
    state: &AppState,
    cycle: &super::cycles::CycleView,
    p: &mut NewProposal,
) -> AppResult<Cost> {
    let mut errors = vec![];
    let title = p.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new(
            "title",
            "required",
            "Judul wajib diisi (paling banyak 200 karakter).",
            "A title (at most 200 characters) is required.",
        ));
    }
    if p.description.trim().is_empty() {
        errors.push(FieldError::new(
            "description",
            "required",
            "Uraian kondisi wajib diisi (paling banyak 5000 karakter).",
            "A description (at most 5000 characters) is required.",
        ));
    }
    for (field, value, max, multiline) in [
        ("title", Some(title), 200, false),
        ("description", Some(p.description.as_str()), 5000, true),
        ("unit", Some(p.unit.as_str()), 40, false),
        ("rtRw", p.rt_rw.as_deref(), 20, false),
        ("targetOpd", p.target_opd.as_deref(), 200, false),
    ] {
        if let Some(e) = value.and_then(|v| mufakat_core::text::check(field, v, max, multiline)) {
            errors.push(e);
        }
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
    // The agency is one of the OPDs serving the kelurahan, where the kota lists them (stored
    // by its code).
    if let (true, Some(opd)) = (
        in_cycle && is_kelurahan,
        p.target_opd.clone().filter(|o| !o.trim().is_empty()),
    ) {
        match mufakat_kernel::services::opds::check_code(
            state,
            &state.db,
            p.region_id,
            "targetOpd",
            &opd,
        )
        .await
        {
            Ok(code) => p.target_opd = Some(code),
            Err(AppError::Validation(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
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
        .map_err(|e| errors.push(super::cost_error(e, "costOverrideReason")))
        .ok()
    });
    let (Some(cost), true) = (cost, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    Ok(cost)
}

pub async fn create_proposal(
    state: &AppState,
    user: &CurrentUser,
    mut p: NewProposal,
) -> AppResult<prop::Model> {
    let cycle = get_cycle(&state.db, p.cycle_id).await?;
    if cycle.phase != "submission" {
        return Err(phase_closed("submission", &cycle.phase));
    }
    let cost = check(state, &cycle, &mut p).await?;
    let title = p.title.trim();
    // A resident proposes as a resident; staff name the source.
    let roles = state
        .authz
        .roles_in(user, &state.region_path(p.region_id).await);
    // A staff source from a resident is refused rather than silently changed.
    if roles.iter().all(|r| r == Role::Resident.as_str()) && p.source != "resident" {
        return Err(AppError::validation(
            "source",
            "staff_only",
            "Sumber usulan selain warga hanya dapat diisi oleh petugas; kosongkan isian ini.",
            "Only staff may give a source other than resident; leave this field empty.",
        ));
    }
    let source = p.source.clone();

    let now = state.now();
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

/// A proposal status as people read it: the state's title in the workflow file (in Indonesian),
/// or in English the state's name in words.
pub fn status_title(state: &AppState, status: &str, lang: mufakat_core::Lang) -> String {
    state.workflows.state_title(PROPOSAL_WORKFLOW, status, lang)
}
