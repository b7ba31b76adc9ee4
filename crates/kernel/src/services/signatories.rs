//! Who signs a region's documents in an office: the lurah of a kelurahan, the camat of a
//! kecamatan, the kepala Bappeda or the head of region of a kota. Admins appoint an account that
//! holds a staff role there (or above), with its NIP and the position as printed; reports sign
//! with the appointed person's name and NIP instead of dotted lines. Appointments are audited
//! (`system.signatories`).

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult, FieldError, RegionLevel};
use mufakat_store::entity::{role_grant, signatory as sg, user};
use mufakat_store::sea_orm::{
    self, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use mufakat_store::DbResultExt;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::authz::perms;
use crate::AppState;

/// The offices that sign, the level of region each belongs to, and their titles.
pub const OFFICES: &[(&str, RegionLevel, &str, &str)] = &[
    (
        "lurah",
        RegionLevel::KelurahanDesa,
        "Lurah",
        "Head of kelurahan (lurah)",
    ),
    (
        "kepala_desa",
        RegionLevel::KelurahanDesa,
        "Kepala Desa",
        "Village head",
    ),
    (
        "camat",
        RegionLevel::Kecamatan,
        "Camat",
        "Head of kecamatan (camat)",
    ),
    (
        "kepala_bappeda",
        RegionLevel::KabupatenKota,
        "Kepala Bappeda",
        "Head of Bappeda",
    ),
    (
        "kepala_daerah",
        RegionLevel::KabupatenKota,
        "Bupati/Wali Kota",
        "Head of region",
    ),
];

/// A signatory as a report prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatoryView {
    pub region_id: i32,
    pub office: String,
    pub user_id: i32,
    pub name: String,
    pub nip: String,
    pub position: String,
    pub appointed_at: DateTime<Utc>,
}

fn invalid(field: &str, id: &str, en: &str) -> AppError {
    let (id, en) = (id.to_owned(), en.to_owned());
    AppError::Validation(vec![FieldError::new(field, "invalid", id, en)])
}

/// Appoints (or replaces) the signatory of `office` for a region. `VALIDATION` for an office
/// that is not of the region's level, a NIP that is not 18 digits, an empty position or an
/// account without a staff role in the region or above.
pub async fn appoint(
    state: &AppState,
    admin: &CurrentUser,
    region_id: i32,
    office: &str,
    username: &str,
    nip: &str,
    position: &str,
) -> AppResult<SignatoryView> {
    let path = state.known_region_path(region_id).await?;
    state
        .authz
        .require(admin, &path, perms::SIGNATORY_APPOINT)?;
    let level = state.regions.read().await.get(region_id).map(|r| r.level);
    let Some((office, ..)) = OFFICES
        .iter()
        .find(|(o, l, ..)| *o == office && Some(*l) == level)
    else {
        let fits: Vec<&str> = OFFICES
            .iter()
            .filter(|(_, l, ..)| Some(*l) == level)
            .map(|(o, ..)| *o)
            .collect();
        return Err(invalid(
            "office",
            &format!("Jabatan untuk wilayah ini: {}.", fits.join(", ")),
            &format!("Offices for this region: {}.", fits.join(", ")),
        ));
    };
    let nip: String = nip.chars().filter(|c| !c.is_whitespace()).collect();
    if nip.len() != 18 || !nip.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "nip",
            "NIP terdiri atas 18 angka.",
            "A NIP is 18 digits.",
        ));
    }
    let position = position.trim();
    if position.is_empty() {
        return Err(invalid(
            "position",
            "Tulis jabatan seperti tercetak, misalnya \u{201c}Lurah Mekarsari\u{201d}.",
            "Write the position as printed, e.g. \u{201c}Lurah Mekarsari\u{201d}.",
        ));
    }
    if let Some(e) = mufakat_core::text::check("position", position, 200, false) {
        return Err(AppError::Validation(vec![e]));
    }
    let person = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .one(&state.db)
        .await
        .db()?
        .filter(|u| u.is_active)
        .ok_or(AppError::NotFound { entity: "user" })?;
    let staff_here = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(person.id))
        .filter(role_grant::Column::RegionId.is_in(path.clone()))
        .all(&state.db)
        .await
        .db()?
        .iter()
        .any(|g| g.role != mufakat_core::Role::Resident.as_str());
    if !staff_here {
        return Err(invalid(
            "username",
            "Akun ini tidak memegang peran petugas di wilayah ini.",
            "This account holds no staff role in this region.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let existing = sg::Entity::find()
        .filter(sg::Column::RegionId.eq(region_id))
        .filter(sg::Column::Office.eq(*office))
        .one(&txn)
        .await
        .db()?;
    let mut row: sg::ActiveModel = match existing {
        Some(e) => e.into(),
        None => sg::ActiveModel {
            region_id: Set(region_id),
            office: Set((*office).to_owned()),
            ..Default::default()
        },
    };
    row.user_id = Set(person.id);
    row.nip = Set(nip.clone());
    row.position = Set(position.to_owned());
    row.appointed_by = Set(admin.id);
    row.appointed_at = Set(now);
    let row = row.save(&txn).await.db()?;
    let id = row.id.clone().unwrap();
    chain
        .append(
            &txn,
            crate::audit_log::AuditDraft {
                actor: admin.id.to_string(),
                role: "admin".into(),
                workflow: "system.signatories".into(),
                workflow_version: "1".into(),
                instance_id: format!("signatory-{id}"),
                transition: "appoint".into(),
                from_state: String::new(),
                to_state: "appointed".into(),
                input: json!({ "region": region_id.to_string(), "office": office, "user": person.id.to_string(), "nip": nip, "position": position }),
                comment: None,
            },
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(SignatoryView {
        region_id,
        office: (*office).to_owned(),
        user_id: person.id,
        name: person.display_name,
        nip,
        position: position.to_owned(),
        appointed_at: now,
    })
}

/// The signatories of a region (public: they sign public documents).
pub async fn of_region(
    db: &impl sea_orm::ConnectionTrait,
    region_id: i32,
) -> AppResult<Vec<SignatoryView>> {
    let rows = sg::Entity::find()
        .filter(sg::Column::RegionId.eq(region_id))
        .order_by_asc(sg::Column::Id)
        .all(db)
        .await
        .db()?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.user_id)))
        .all(db)
        .await
        .db()?;
    Ok(rows
        .into_iter()
        .map(|r| SignatoryView {
            name: users
                .iter()
                .find(|u| u.id == r.user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            region_id: r.region_id,
            office: r.office,
            user_id: r.user_id,
            nip: r.nip,
            position: r.position,
            appointed_at: r.appointed_at,
        })
        .collect())
}

/// The region's signatory in the first of `offices` that has one.
pub async fn first_of(
    db: &impl sea_orm::ConnectionTrait,
    region_id: i32,
    offices: &[&str],
) -> AppResult<Option<SignatoryView>> {
    let all = of_region(db, region_id).await?;
    Ok(offices
        .iter()
        .find_map(|o| all.iter().find(|s| s.office == *o).cloned()))
}
