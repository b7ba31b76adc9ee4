//! OPDs (organisasi perangkat daerah: a region's dinas, badan and kantor) as master data. A kota,
//! kabupaten or province lists its OPDs by code and name (admins, audited as `system.opds`);
//! everything that names an OPD (a proposal's target, a plan line, an activity, a complaint's
//! routing, an audit recommendation) stores its code, checked here ([`check_code`]).
//!
//! Routing: a role grant of `opd_staff` or `kpa` may name the OPD its holder works for. Such a
//! holder acts only on what belongs to that OPD ([`crate::authz::Authz::allowed_for_opd`]); once
//! a region lists its OPDs, every new `opd_staff` grant in it must name one.
//!
//! A region that lists no OPDs keeps free text in those fields, as before the list existed, so
//! that a deployment can enter its OPDs when it is ready.

use mufakat_core::{AppError, AppResult, FieldError, RegionLevel, Role};
use mufakat_store::entity::opd;
use mufakat_store::sea_orm::{
    self, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use mufakat_store::DbResultExt;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::AppState;

/// The roles whose grants may name an OPD.
pub const OPD_ROLES: [Role; 2] = [Role::OpdStaff, Role::Kpa];

fn invalid(field: &str, rule: &'static str, id: String, en: String) -> AppError {
    AppError::Validation(vec![FieldError::new(field, rule, id, en)])
}

/// A code: 2 to 20 capital letters, digits, dots or hyphens (`DPUPR`, `DINKES`, `1.03.0.00`).
fn parse_code(code: &str) -> AppResult<String> {
    let c = code.trim().to_uppercase();
    let ok = (2..=20).contains(&c.chars().count())
        && c.chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '.' || ch == '-');
    if ok {
        Ok(c)
    } else {
        Err(invalid(
            "code",
            "invalid",
            "Kode OPD terdiri atas 2 sampai 20 huruf, angka, titik atau tanda hubung, misalnya DPUPR.".into(),
            "An OPD code is 2 to 20 letters, digits, dots or hyphens, e.g. DPUPR.".into(),
        ))
    }
}

fn parse_name(name: &str) -> AppResult<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(invalid(
            "name",
            "required",
            "Tulis nama OPD, misalnya \u{201c}Dinas Pekerjaan Umum dan Penataan Ruang\u{201d}."
                .into(),
            "Write the OPD's name, e.g. \u{201c}Dinas Pekerjaan Umum dan Penataan Ruang\u{201d}."
                .into(),
        ));
    }
    if let Some(e) = mufakat_core::text::check("name", n, 200, false) {
        return Err(AppError::Validation(vec![e]));
    }
    Ok(n.to_owned())
}

/// Adds an OPD to a kota, kabupaten or province. Admins (`opd:manage`). `CONFLICT` when the
/// region already has the code.
/// `admin = None` is the CLI/seed with operator rights.
pub async fn create(
    state: &AppState,
    admin: Option<&CurrentUser>,
    region_id: i32,
    code: &str,
    name: &str,
) -> AppResult<opd::Model> {
    let path = state.known_region_path(region_id).await?;
    if let Some(admin) = admin {
        state.authz.require(admin, &path, perms::OPD_MANAGE)?;
    }
    let level = state.regions.read().await.get(region_id).map(|r| r.level);
    if !matches!(
        level,
        Some(RegionLevel::KabupatenKota | RegionLevel::Provinsi)
    ) {
        return Err(invalid(
            "regionId",
            "level",
            "OPD dimiliki kabupaten/kota atau provinsi, bukan kecamatan atau kelurahan.".into(),
            "OPDs belong to a kabupaten/kota or a province, not to a kecamatan or kelurahan."
                .into(),
        ));
    }
    let code = parse_code(code)?;
    let name = parse_name(name)?;
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let row = opd::ActiveModel {
        region_id: Set(region_id),
        code: Set(code.clone()),
        name: Set(name.clone()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db_unique(
        "Kode OPD ini sudah dipakai di wilayah ini.",
        "This OPD code is already used in this region.",
    )?;
    chain
        .append(
            &txn,
            event(
                admin,
                row.id,
                "create",
                "",
                "active",
                json!({ "region": region_id.to_string(), "code": code, "name": name }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(row)
}

/// Renames an OPD, or retires it (`active = false`: it keeps what names it but takes nothing
/// new) or brings it back. Its code never changes. Admins; audited.
pub async fn update(
    state: &AppState,
    admin: &CurrentUser,
    id: i32,
    name: Option<&str>,
    active: Option<bool>,
) -> AppResult<opd::Model> {
    let row = get(&state.db, id).await?;
    let path = state.region_path(row.region_id).await;
    state.authz.require(admin, &path, perms::OPD_MANAGE)?;
    let name = name.map(parse_name).transpose()?;
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let before = if row.active { "active" } else { "retired" };
    let mut m: opd::ActiveModel = row.clone().into();
    if let Some(n) = &name {
        m.name = Set(n.clone());
    }
    if let Some(a) = active {
        m.active = Set(a);
    }
    m.updated_at = Set(now);
    let m = m.update(&txn).await.db()?;
    let after = if m.active { "active" } else { "retired" };
    chain
        .append(
            &txn,
            event(
                Some(admin),
                id,
                "update",
                before,
                after,
                json!({ "code": m.code, "name": m.name, "nameBefore": row.name }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(m)
}

fn event(
    admin: Option<&CurrentUser>,
    id: i32,
    transition: &str,
    from: &str,
    to: &str,
    input: serde_json::Value,
) -> crate::audit_log::AuditDraft {
    crate::audit_log::AuditDraft {
        actor: admin.map_or_else(|| "operator".into(), |a| a.id.to_string()),
        role: if admin.is_some() { "admin" } else { "operator" }.into(),
        workflow: "system.opds".into(),
        workflow_version: "1".into(),
        instance_id: format!("opd-{id}"),
        transition: transition.into(),
        from_state: from.into(),
        to_state: to.into(),
        input,
        comment: None,
    }
}

pub async fn get(db: &impl sea_orm::ConnectionTrait, id: i32) -> AppResult<opd::Model> {
    opd::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound { entity: "opd" })
}

/// The OPDs that serve region `path[0]`: those of the region and of the regions above it (a
/// kelurahan is served by its kota's OPDs), by code.
pub async fn serving(
    db: &impl sea_orm::ConnectionTrait,
    path: &[i32],
) -> AppResult<Vec<opd::Model>> {
    opd::Entity::find()
        .filter(opd::Column::RegionId.is_in(path.to_vec()))
        .order_by_asc(opd::Column::Code)
        .all(db)
        .await
        .db()
}

/// The OPD a field names, for data of region `region_id`: its code, from the code (any case) or
/// the exact name of an active OPD serving the region. Where the region lists no OPDs, the text
/// as given (trimmed). `VALIDATION` on `field`, listing the codes, otherwise.
pub async fn check_code(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    region_id: i32,
    field: &str,
    value: &str,
) -> AppResult<String> {
    let v = value.trim();
    let path = state.region_path(region_id).await;
    let listed = serving(db, &path).await?;
    if listed.is_empty() {
        return Ok(v.to_owned());
    }
    let found = listed
        .iter()
        .filter(|o| o.active)
        .find(|o| o.code.eq_ignore_ascii_case(v) || o.name.to_lowercase() == v.to_lowercase());
    match found {
        Some(o) => Ok(o.code.clone()),
        None => {
            let codes: Vec<&str> = listed
                .iter()
                .filter(|o| o.active)
                .map(|o| o.code.as_str())
                .collect();
            Err(invalid(
                field,
                "unknown",
                format!(
                    "OPD tidak dikenal. Pilih salah satu kode: {}.",
                    codes.join(", ")
                ),
                format!(
                    "Unknown OPD. Choose one of the codes: {}.",
                    codes.join(", ")
                ),
            ))
        }
    }
}

/// Checks the OPD a new grant names (`opd_id`) for `role` in `region_id`: only the
/// [`OPD_ROLES`] take one; it must be an active OPD serving the region; an `opd_staff` grant
/// in a region that lists OPDs must name one. `field` is the input's name for errors.
pub async fn check_grant(
    state: &AppState,
    db: &impl sea_orm::ConnectionTrait,
    field: &str,
    role: Role,
    region_id: i32,
    opd_id: Option<i32>,
) -> AppResult<()> {
    let path = state.region_path(region_id).await;
    match opd_id {
        Some(_) if !OPD_ROLES.contains(&role) => Err(invalid(
            field,
            "invalid",
            "Hanya peran staf OPD dan KPA yang bekerja untuk satu OPD.".into(),
            "Only the OPD staff and KPA roles work for one OPD.".into(),
        )),
        Some(id) => {
            let o = opd::Entity::find_by_id(id).one(db).await.db()?;
            if o.is_some_and(|o| o.active && path.contains(&o.region_id)) {
                Ok(())
            } else {
                Err(invalid(
                    field,
                    "unknown",
                    "OPD ini tidak melayani wilayah tersebut.".into(),
                    "This OPD does not serve that region.".into(),
                ))
            }
        }
        None if role == Role::OpdStaff && !serving(db, &path).await?.is_empty() => Err(invalid(
            field,
            "required",
            "Pilih OPD tempat petugas ini bekerja.".into(),
            "Choose the OPD this staff member works for.".into(),
        )),
        None => Ok(()),
    }
}

/// The codes of the OPDs that `grants` name: `(role, region, code)` for each grant that names
/// one, what [`CurrentUser::opd_grants`] holds.
pub async fn codes_of(
    db: &impl sea_orm::ConnectionTrait,
    grants: &[mufakat_store::entity::role_grant::Model],
) -> AppResult<Vec<(Role, i32, String)>> {
    let ids: Vec<i32> = grants.iter().filter_map(|g| g.opd_id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let opds = opd::Entity::find()
        .filter(opd::Column::Id.is_in(ids))
        .all(db)
        .await
        .db()?;
    Ok(grants
        .iter()
        .filter_map(|g| {
            let o = opds.iter().find(|o| Some(o.id) == g.opd_id)?;
            Some((g.role.parse().ok()?, g.region_id, o.code.clone()))
        })
        .collect())
}

/// The name of the OPD `code` serving region `path[0]` (`path`: the region and those above
/// it), for printing; the code itself where the region lists no such OPD (free text from before
/// the list).
pub async fn name_of(
    db: &impl sea_orm::ConnectionTrait,
    path: &[i32],
    code: &str,
) -> AppResult<String> {
    Ok(serving(db, path)
        .await?
        .into_iter()
        .find(|o| o.code == code)
        .map_or_else(|| code.to_owned(), |o| o.name))
}
