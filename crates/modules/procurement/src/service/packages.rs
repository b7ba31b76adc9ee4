//! Lines of the plan and their packages. A line is a musrenbang proposal the plan adopted
//! (`included`; its cost is the line's budget) or an OPD's own activity with its budget. A
//! package takes part of its line's budget as its pagu, never more than what is left: the
//! check runs in the audited write, which every write takes in turn (the chain's lock), so two
//! staff creating packages at once cannot both take the last rupiah. Mufakat proposes the
//! method by the thresholds; staff may choose another allowed one with a recorded reason.

use chrono::{Datelike, NaiveDate};
use mufakat_core::{AppError, AppResult, FieldError, Role};
use mufakat_kernel::audit_log::AuditDraft;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_musrenbang::entity::{musrenbang_cycle as cycle, proposal as prop};
use mufakat_procurement::{
    format_rupiah, split_flags, Method, PackageFacts, PackageKind, SplitFlag,
};
use mufakat_store::entity::role_grant;
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::{json, Map};

use super::catalogue::BUYABLE;
use super::{fire, from_sen, money_sen, text, PACKAGE_WORKFLOW};
use crate::entity::{catalogue_item as item, package, plan_line as line, vendor};
use crate::perms;
use crate::runtime;

/// Package states shown in the public plan (RUP).
pub const PUBLIC: [&str; 4] = ["announced", "in_selection", "contracted", "completed"];

#[derive(Debug, Clone, Default)]
pub struct NewLine {
    pub proposal_id: Option<i32>,
    pub region_id: Option<i32>,
    pub year: Option<i32>,
    pub title: Option<String>,
    pub opd: String,
    pub budget: Option<Decimal>,
}

/// Enters a line of the plan: a proposal the plan adopted, or an OPD activity.
pub async fn create_line(
    state: &AppState,
    user: &CurrentUser,
    n: NewLine,
) -> AppResult<line::Model> {
    let mut errors = vec![];
    let opd = text(&mut errors, "opd", &n.opd, 200, true);
    let (region_id, year, title, budget_sen) = match n.proposal_id {
        Some(pid) => {
            let p = prop::Entity::find_by_id(pid)
                .one(&state.db)
                .await
                .db()?
                .ok_or(AppError::NotFound { entity: "proposal" })?;
            if p.status != "included" {
                return Err(AppError::validation(
                    "proposalId",
                    "state",
                    "Hanya usulan yang masuk rencana (RKPD) dapat menjadi baris rencana.",
                    "Only a proposal included in the plan (RKPD) can be a line of the plan.",
                ));
            }
            let c = cycle::Entity::find_by_id(p.cycle_id)
                .one(&state.db)
                .await
                .db()?;
            (
                p.region_id,
                c.map(|c| c.year).unwrap_or(state.now().year()),
                p.title,
                p.cost_sen,
            )
        }
        None => {
            let title = text(
                &mut errors,
                "title",
                n.title.as_deref().unwrap_or(""),
                300,
                true,
            );
            let region = n.region_id.unwrap_or_default();
            if state.regions.read().await.get(region).is_none() {
                errors.push(FieldError::new(
                    "regionId",
                    "unknown",
                    "Wilayah tidak dikenal.",
                    "Unknown region.",
                ));
            }
            let budget = match n.budget {
                Some(b) => money_sen("budget", b)
                    .map_err(|_| {
                        errors.push(FieldError::new(
                            "budget",
                            "money",
                            "Pagu tidak valid.",
                            "Invalid budget.",
                        ))
                    })
                    .unwrap_or(0),
                None => {
                    errors.push(FieldError::new(
                        "budget",
                        "required",
                        "Isi pagu kegiatan.",
                        "Give the activity's budget.",
                    ));
                    0
                }
            };
            let year = n.year.unwrap_or(state.now().year());
            if !(2000..=2100).contains(&year) {
                errors.push(FieldError::new(
                    "year",
                    "range",
                    "Tahun antara 2000 dan 2100.",
                    "A year between 2000 and 2100.",
                ));
            }
            (region, year, title, budget)
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let path = state.known_region_path(region_id).await?;
    // One of the OPDs serving the region, where it lists them; an OPD's staff enter their own.
    let opd = mufakat_kernel::services::opds::check_code(state, &state.db, region_id, "opd", &opd)
        .await?;
    state
        .authz
        .require_for_opd(user, &path, perms::PLAN_LINE_CREATE, Some(&opd))?;
    // The role that allowed it, for the trail.
    let holding = state.authz.roles_with(perms::PLAN_LINE_CREATE);
    let acting_role = state
        .authz
        .roles_in(user, &path)
        .into_iter()
        .find(|r| holding.contains(r))
        .unwrap_or_default();
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    if let Some(pid) = n.proposal_id {
        let exists = line::Entity::find()
            .filter(line::Column::ProposalId.eq(pid))
            .one(&txn)
            .await
            .db()?;
        if exists.is_some() {
            return Err(AppError::conflict(
                "Usulan ini sudah menjadi baris rencana.",
                "This proposal is already a line of the plan.",
            ));
        }
    }
    let l = line::ActiveModel {
        region_id: Set(region_id),
        year: Set(year),
        title: Set(title),
        opd: Set(opd),
        budget_sen: Set(budget_sen),
        proposal_id: Set(n.proposal_id),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    chain
        .append(
            &txn,
            AuditDraft {
                actor: user.id.to_string(),
                role: acting_role,
                workflow: "procurement.plan".into(),
                workflow_version: "1".into(),
                instance_id: format!("line-{}", l.id),
                transition: "create_line".into(),
                from_state: String::new(),
                to_state: "planned".into(),
                input: json!({
                    "proposal": l.proposal_id.map(|p| p.to_string()),
                    "region": l.region_id.to_string(),
                    "budget": from_sen(l.budget_sen).to_string(),
                    "opd": l.opd,
                }),
                comment: None,
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(l)
}

pub async fn get_line(db: &impl ConnectionTrait, id: i32) -> AppResult<line::Model> {
    line::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "line" })
}

/// The budget of a line already taken by its packages (cancelled ones give it back).
pub async fn committed_sen(db: &impl ConnectionTrait, line_id: i32) -> AppResult<i64> {
    let pagus: Vec<i64> = package::Entity::find()
        .select_only()
        .column(package::Column::PaguSen)
        .filter(package::Column::LineId.eq(line_id))
        .filter(package::Column::Status.ne("cancelled"))
        .into_tuple()
        .all(db)
        .await
        .db()?;
    Ok(pagus.iter().sum())
}

#[derive(Debug, Clone, Default)]
pub struct NewPackage {
    pub line_id: i32,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub pagu: Decimal,
    pub hps: Decimal,
    pub location: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ppk_id: i32,
    pub official_id: i32,
    pub method: Option<String>,
    pub method_reason: Option<String>,
}

/// Whether `user_id` holds `role` for data of the region with ancestors `path`.
async fn holds(
    db: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
    path: &[i32],
) -> AppResult<bool> {
    let g = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Role.eq(role.as_str()))
        .filter(role_grant::Column::RegionId.is_in(path.to_vec()))
        .one(db)
        .await
        .db()?;
    Ok(g.is_some())
}

/// Distinct active vendors whose catalogue items of `category` can be bought now.
pub async fn catalogue_vendors(db: &impl ConnectionTrait, category: &str) -> AppResult<usize> {
    if category.trim().is_empty() {
        return Ok(0);
    }
    let ids: Vec<i32> = item::Entity::find()
        .select_only()
        .column(item::Column::VendorId)
        .filter(item::Column::Category.eq(category.trim()))
        .filter(item::Column::Status.is_in(BUYABLE))
        .distinct()
        .into_tuple()
        .all(db)
        .await
        .db()?;
    if ids.is_empty() {
        return Ok(0);
    }
    let active = vendor::Entity::find()
        .filter(vendor::Column::Id.is_in(ids))
        .filter(vendor::Column::Status.eq("verified"))
        .all(db)
        .await
        .db()?;
    Ok(active.len())
}

pub async fn create_package(
    state: &AppState,
    user: &CurrentUser,
    n: NewPackage,
) -> AppResult<package::Model> {
    let rt = runtime::get(state)?;
    let l = get_line(&state.db, n.line_id).await?;
    let path = state.region_path(l.region_id).await;
    state
        .authz
        .require_for_opd(user, &path, perms::PACKAGE_CREATE, Some(&l.opd))?;
    let mut errors = vec![];
    let name = text(&mut errors, "name", &n.name, 300, true);
    let location = text(&mut errors, "location", &n.location, 300, true);
    let kind = PackageKind::parse(&n.kind)
        .map_err(|e| errors.push(e.into()))
        .ok();
    let pagu = money_sen("pagu", n.pagu)
        .map_err(|_| {
            errors.push(FieldError::new(
                "pagu",
                "money",
                "Pagu tidak valid.",
                "Invalid pagu.",
            ))
        })
        .ok();
    let hps = money_sen("hps", n.hps)
        .map_err(|_| {
            errors.push(FieldError::new(
                "hps",
                "money",
                "HPS tidak valid.",
                "Invalid HPS.",
            ))
        })
        .ok();
    if let (Some(p), Some(h)) = (pagu, hps) {
        if p <= 0 || h <= 0 || h > p {
            errors.push(FieldError::new(
                "hps",
                "range",
                "Pagu dan HPS harus lebih dari 0, dan HPS tidak melebihi pagu paket.",
                "Pagu and HPS must be above 0, and the HPS within the package's pagu.",
            ));
        }
    }
    for (f, d) in [("startsOn", n.starts_on), ("endsOn", n.ends_on)] {
        if let Err(AppError::Validation(mut e)) = super::check_date(f, d) {
            errors.append(&mut e);
        }
    }
    if n.ends_on < n.starts_on {
        errors.push(FieldError::new(
            "endsOn",
            "range",
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
            "The end date cannot be before the start date.",
        ));
    }
    if !holds(&state.db, n.ppk_id, Role::Ppk, &path).await? {
        errors.push(FieldError::new(
            "ppkId",
            "role",
            "PPK harus akun dengan peran PPK di wilayah ini.",
            "The PPK must be an account holding the PPK role in this region.",
        ));
    }
    if !holds(&state.db, n.official_id, Role::UkpbjStaff, &path).await? {
        errors.push(FieldError::new(
            "officialId",
            "role",
            "Pejabat pengadaan/Pokja harus akun UKPBJ di wilayah ini.",
            "The procurement official must be a UKPBJ account in this region.",
        ));
    }
    let (Some(kind), Some(pagu), Some(hps), true) = (kind, pagu, hps, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let hps_d = from_sen(hps);
    let vendors = catalogue_vendors(&state.db, &n.category).await?;
    let proposal = rt.thresholds.propose(kind, hps_d, vendors);
    let method = match n.method.as_deref() {
        None => proposal.method,
        Some(m) => Method::parse(m).map_err(|e| AppError::Validation(vec![e.into()]))?,
    };
    let reason = n
        .method_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if method != proposal.method {
        rt.thresholds
            .allows(kind, hps_d, method, vendors)
            .map_err(|e| AppError::Validation(vec![e.into()]))?;
        if reason.is_none() {
            return Err(AppError::validation(
                "methodReason",
                "required",
                format!(
                    "Metode yang diusulkan: {}. Tuliskan alasan memilih metode lain.",
                    proposal.method.title(mufakat_core::Lang::Id)
                ),
                format!(
                    "The proposed method is {}. Give a reason for choosing another.",
                    proposal.method.title(mufakat_core::Lang::En)
                ),
            ));
        }
    }
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    // Under the chain's lock: no other package of this line is being created meanwhile.
    let left = l.budget_sen - committed_sen(&txn, l.id).await?;
    if pagu > left {
        return Err(AppError::validation(
            "pagu",
            "budget",
            format!(
                "Pagu paket melebihi sisa pagu kegiatan: sisa {}.",
                format_rupiah(from_sen(left))
            ),
            format!(
                "The package's pagu exceeds what is left of the line's budget: {} left.",
                format_rupiah(from_sen(left))
            ),
        ));
    }
    let mut fields = Map::new();
    fields.insert("name".into(), json!(name));
    fields.insert("line".into(), json!(l.id.to_string()));
    fields.insert("kind".into(), json!(kind.as_str()));
    fields.insert("pagu".into(), json!(from_sen(pagu).to_string()));
    fields.insert("hps".into(), json!(hps_d.to_string()));
    fields.insert("method".into(), json!(method.as_str()));
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        PACKAGE_WORKFLOW,
        l.region_id,
        fields,
    )
    .await?;
    let p = package::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        line_id: Set(l.id),
        region_id: Set(l.region_id),
        name: Set(name),
        kind: Set(kind.as_str().into()),
        category: Set(n.category.trim().to_owned()),
        pagu_sen: Set(pagu),
        hps_sen: Set(hps),
        location: Set(location),
        starts_on: Set(n.starts_on),
        ends_on: Set(n.ends_on),
        ppk_id: Set(n.ppk_id),
        official_id: Set(n.official_id),
        method: Set(method.as_str().into()),
        proposed_method: Set(proposal.method.as_str().into()),
        method_reason: Set(if method != proposal.method {
            reason
        } else {
            None
        }),
        status: Set(fired.case.state.clone()),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(p)
}

pub async fn get_package(db: &impl ConnectionTrait, id: i32) -> AppResult<package::Model> {
    package::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "package" })
}

/// `announce` or `cancel` a package (the workflow's roles in the package's region).
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    package_id: i32,
    action: &str,
    comment: Option<String>,
) -> AppResult<package::Model> {
    if !matches!(action, "announce" | "cancel") {
        return Err(AppError::validation(
            "action",
            "unknown",
            "Tindakan tidak dikenal.",
            "Unknown action.",
        ));
    }
    let p = get_package(&state.db, package_id).await?;
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        action,
        Map::new(),
        comment,
    )
    .await?;
    set_status(&txn, p.id, &fired.case.state).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_package(&state.db, p.id).await
}

pub async fn set_status(db: &impl ConnectionTrait, package_id: i32, status: &str) -> AppResult<()> {
    package::Entity::update_many()
        .col_expr(package::Column::Status, Expr::value(status))
        .col_expr(package::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(package::Column::Id.eq(package_id))
        .exec(db)
        .await
        .db()?;
    Ok(())
}

/// Who may see a package before it is announced: staff of its region with `package:create`.
pub async fn may_see(
    state: &AppState,
    user: Option<&CurrentUser>,
    p: &package::Model,
) -> AppResult<bool> {
    if PUBLIC.contains(&p.status.as_str()) {
        return Ok(true);
    }
    let Some(u) = user else { return Ok(false) };
    let path = state.region_path(p.region_id).await;
    Ok(state.authz.allowed(u, &path, perms::PACKAGE_CREATE)?
        || state.authz.allowed(u, &path, perms::FLAGS_READ)?
        || u.id == p.ppk_id
        || u.id == p.official_id)
}

/// Packages, newest first: the public plan (announced and later) for everyone; with
/// `all`, also the planned and cancelled ones of the regions where the user creates packages
/// or reads red flags.
pub async fn list(
    state: &AppState,
    user: Option<&CurrentUser>,
    line_id: Option<i32>,
    all: bool,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<package::Model>> {
    let mut q = package::Entity::find().order_by_desc(package::Column::Id);
    if let Some(l) = line_id {
        q = q.filter(package::Column::LineId.eq(l));
    }
    // Staff see the planned and cancelled packages of the regions they work in.
    let mut mine = vec![];
    if let (true, Some(u)) = (all, user) {
        mine = super::vendors::regions_where(state, u, perms::PACKAGE_CREATE).await?;
        mine.extend(super::vendors::regions_where(state, u, perms::FLAGS_READ).await?);
    }
    q = q.filter(
        sea_orm::Condition::any()
            .add(package::Column::Status.is_in(PUBLIC))
            .add(package::Column::RegionId.is_in(mine)),
    );
    q.limit(limit).offset(offset).all(&state.db).await.db()
}

/// How many public packages of a region (and below) are at each stage, with their pagu: the
/// situation room's procurement figures. `(status, packages, pagu in sen)`, in the order of
/// [`PUBLIC`].
pub async fn stages(state: &AppState, region_id: i32) -> AppResult<Vec<(String, i64, i64)>> {
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let rows: Vec<(String, i32, i64)> = package::Entity::find()
        .select_only()
        .column(package::Column::Status)
        .column(package::Column::Id)
        .column(package::Column::PaguSen)
        .filter(package::Column::Status.is_in(PUBLIC))
        .filter(package::Column::RegionId.is_in(within))
        .into_tuple()
        .all(&state.db)
        .await
        .db()?;
    Ok(PUBLIC
        .iter()
        .map(|s| {
            let of: Vec<&(String, i32, i64)> = rows.iter().filter(|r| r.0 == *s).collect();
            (s.to_string(), of.len() as i64, of.iter().map(|r| r.2).sum())
        })
        .collect())
}

/// Packages that look split to stay under a threshold (pemecahan paket), for auditors and
/// UKPBJ staff.
pub async fn split_warnings(state: &AppState, user: &CurrentUser) -> AppResult<Vec<SplitFlag>> {
    let regions = super::vendors::regions_where(state, user, perms::FLAGS_READ).await?;
    if regions.is_empty() {
        return Err(AppError::Forbidden);
    }
    let rt = runtime::get(state)?;
    let facts: Vec<PackageFacts> = package::Entity::find()
        .filter(package::Column::Status.ne("cancelled"))
        .filter(package::Column::RegionId.is_in(regions))
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .filter_map(|p| {
            Some(PackageFacts {
                id: p.id,
                line: p.line_id.to_string(),
                kind: PackageKind::parse(&p.kind).ok()?,
                hps: from_sen(p.hps_sen),
                created: p.created_at.date_naive(),
            })
        })
        .collect();
    Ok(split_flags(&facts, &rt.thresholds))
}
