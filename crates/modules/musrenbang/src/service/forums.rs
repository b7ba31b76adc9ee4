//! The record of a forum (a kelurahan's or kecamatan's musrenbang, or the kota forum) in a
//! cycle: when and where it met, its agenda, its notes and agreements, and who attended (those
//! marked `signs` sign the berita acara beside the official). Staff of the region record it and
//! may correct it; each save is an audit event (`system.forum`). The berita acara prints it.

use chrono::NaiveDate;
use mufakat_core::{AppError, AppResult, FieldError, RegionLevel};
use mufakat_kernel::audit_log::AuditDraft;
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_store::sea_orm::{
    self, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use mufakat_store::DbResultExt;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::get_cycle;
use crate::entity::forum_record as fr;
use crate::perms;

/// One person who attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub name: String,
    /// What they attended as: `Ketua RT 03`, `Tokoh perempuan`, `Notulis`, `Wakil warga`.
    pub role: String,
    /// Signs the berita acara (the notulis, the delegates of the residents).
    #[serde(default)]
    pub signs: bool,
}

/// A forum's record as given and as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forum {
    pub cycle_id: i32,
    pub region_id: i32,
    /// The berita acara's number: the one staff give (from the office's register), else the
    /// one assigned at the first save from `document_number_pattern`, kept after.
    pub number: Option<String>,
    pub held_on: NaiveDate,
    pub time: Option<String>,
    pub place: String,
    pub agenda: Vec<String>,
    pub notes: Vec<String>,
    pub attendance: Vec<Attendee>,
}

/// The level whose forum a region holds: `kelurahan`, `kecamatan` or `kota`.
pub fn forum_level(level: RegionLevel) -> Option<&'static str> {
    match level {
        RegionLevel::KelurahanDesa => Some("kelurahan"),
        RegionLevel::Kecamatan => Some("kecamatan"),
        RegionLevel::KabupatenKota => Some("kota"),
        _ => None,
    }
}

fn check(f: &Forum) -> Vec<FieldError> {
    let mut errors = vec![];
    let text = |field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>| {
        if let Some(e) = mufakat_core::text::check(field, v, max, true) {
            errors.push(e);
        }
    };
    if f.place.trim().is_empty() {
        errors.push(FieldError::new(
            "place",
            "required",
            "Tempat musyawarah wajib diisi.",
            "The place of the forum is required.",
        ));
    }
    text("place", &f.place, 200, &mut errors);
    if let Some(t) = &f.time {
        text("time", t, 60, &mut errors);
    }
    if let Some(n) = &f.number {
        text("number", n, 100, &mut errors);
    }
    for (field, items, max_items) in [("agenda", &f.agenda, 30), ("notes", &f.notes, 50)] {
        if items.len() > max_items {
            errors.push(FieldError::new(
                field,
                "count",
                format!("Paling banyak {max_items} butir."),
                format!("At most {max_items} items."),
            ));
        }
        for (i, it) in items.iter().enumerate() {
            if it.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{field}[{i}]"),
                    "required",
                    "Butir kosong.",
                    "An empty item.",
                ));
            }
            text(&format!("{field}[{i}]"), it, 2000, &mut errors);
        }
    }
    if f.attendance.len() > 500 {
        errors.push(FieldError::new(
            "attendance",
            "count",
            "Paling banyak 500 peserta.",
            "At most 500 attendees.",
        ));
    }
    for (i, a) in f.attendance.iter().enumerate() {
        if a.name.trim().is_empty() || a.role.trim().is_empty() {
            errors.push(FieldError::new(
                format!("attendance[{i}]"),
                "required",
                "Nama dan keterangan peserta wajib diisi.",
                "An attendee's name and role are required.",
            ));
        }
        text(&format!("attendance[{i}].name"), &a.name, 200, &mut errors);
        text(&format!("attendance[{i}].role"), &a.role, 200, &mut errors);
    }
    if f.attendance.iter().filter(|a| a.signs).count() > 8 {
        errors.push(FieldError::new(
            "attendance",
            "signs",
            "Paling banyak 8 peserta ikut menandatangani.",
            "At most 8 attendees sign.",
        ));
    }
    errors
}

/// Records (or corrects) a forum's record: staff who may report on the region
/// (`report:musrenbang` there). `NOT_FOUND` for an unknown cycle; `VALIDATION` for a region that
/// holds no forum or a region outside the cycle's kota.
pub async fn record_forum(state: &AppState, user: &CurrentUser, f: Forum) -> AppResult<Forum> {
    let path = state.known_region_path(f.region_id).await?;
    let cycle = get_cycle(&state.db, f.cycle_id).await?;
    state.authz.require(user, &path, perms::FORUM_RECORD)?;
    let level = state.regions.read().await.get(f.region_id).map(|r| r.level);
    if level.and_then(forum_level).is_none() || !path.contains(&cycle.region_id) {
        return Err(AppError::validation(
            "regionId",
            "level",
            "Pilih kelurahan/desa, kecamatan atau kabupaten/kota dari siklus ini.",
            "Choose a kelurahan/desa, kecamatan or kabupaten/kota of this cycle.",
        ));
    }
    let errors = check(&f);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let clean = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>();
    let f = Forum {
        place: f.place.trim().to_owned(),
        time: f
            .time
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        number: f.number.map(|n| n.trim().to_owned()),
        agenda: clean(&f.agenda),
        notes: clean(&f.notes),
        attendance: f
            .attendance
            .into_iter()
            .map(|a| Attendee {
                name: a.name.trim().to_owned(),
                role: a.role.trim().to_owned(),
                signs: a.signs,
            })
            .collect(),
        ..f
    };
    let now = state.now();
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, now).await?;
    let existing = fr::Entity::find()
        .filter(fr::Column::CycleId.eq(f.cycle_id))
        .filter(fr::Column::RegionId.eq(f.region_id))
        .one(&txn)
        .await
        .db()?;
    let given = f.number.clone().filter(|n| !n.is_empty());
    let (mut row, number): (fr::ActiveModel, String) = match existing {
        Some(e) => {
            let number = given.unwrap_or_else(|| e.number.clone());
            (e.into(), number)
        }
        None => {
            let number = match given {
                Some(n) => n,
                None => {
                    // Counted in the write's transaction: the chain's lock orders writers.
                    let seq = fr::Entity::find()
                        .filter(fr::Column::CycleId.eq(f.cycle_id))
                        .count(&txn)
                        .await
                        .db()?
                        + 1;
                    let node = state.regions.read().await.get(f.region_id).cloned();
                    let (code, level) = node
                        .map(|n| (n.code, n.level))
                        .unwrap_or((String::new(), RegionLevel::KabupatenKota));
                    document_number(
                        &state.settings.document_number_pattern,
                        seq,
                        cycle.year,
                        f.held_on,
                        &code,
                        level,
                    )
                }
            };
            (
                fr::ActiveModel {
                    cycle_id: Set(f.cycle_id),
                    region_id: Set(f.region_id),
                    ..Default::default()
                },
                number,
            )
        }
    };
    let f = Forum {
        number: Some(number.clone()),
        ..f
    };
    row.number = Set(number);
    row.held_on = Set(f.held_on.to_string());
    row.time_text = Set(f.time.clone());
    row.place = Set(f.place.clone());
    row.agenda = Set(json_text(&f.agenda));
    row.notes = Set(json_text(&f.notes));
    row.attendance = Set(json_text(&f.attendance));
    row.recorded_by = Set(user.id);
    row.updated_at = Set(now);
    let row = row.save(&txn).await.db()?;
    let id = row.id.clone().unwrap();
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
                workflow: "system.forum".into(),
                workflow_version: "1".into(),
                instance_id: format!("forum-{id}"),
                transition: "record".into(),
                from_state: String::new(),
                to_state: "recorded".into(),
                input: json!({ "cycle": f.cycle_id.to_string(), "region": f.region_id.to_string(), "number": f.number, "held_on": f.held_on.to_string(), "place": f.place, "agenda": f.agenda, "notes": f.notes, "attendance": f.attendance }),
                comment: None,
            },
        )
        .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    Ok(f)
}

/// A number from the pattern: `{seq}`, `{seq:03}`, `{year}`, `{month_roman}`, `{region_code}`,
/// `{level}`.
pub fn document_number(
    pattern: &str,
    seq: u64,
    year: i32,
    held_on: NaiveDate,
    region_code: &str,
    level: RegionLevel,
) -> String {
    use chrono::Datelike;
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let level = match level {
        RegionLevel::KelurahanDesa => "KEL",
        RegionLevel::Kecamatan => "KEC",
        _ => "KOTA",
    };
    pattern
        .replace("{seq:03}", &format!("{seq:03}"))
        .replace("{seq}", &seq.to_string())
        .replace("{year}", &year.to_string())
        .replace("{month_roman}", ROMAN[held_on.month0() as usize])
        .replace("{region_code}", region_code)
        .replace("{level}", level)
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A forum's record, if one was made. Public: a forum of a public process.
pub async fn forum(
    db: &impl sea_orm::ConnectionTrait,
    cycle_id: i32,
    region_id: i32,
) -> AppResult<Option<Forum>> {
    let Some(r) = fr::Entity::find()
        .filter(fr::Column::CycleId.eq(cycle_id))
        .filter(fr::Column::RegionId.eq(region_id))
        .one(db)
        .await
        .db()?
    else {
        return Ok(None);
    };
    Ok(Some(Forum {
        cycle_id: r.cycle_id,
        region_id: r.region_id,
        number: Some(r.number),
        held_on: r.held_on.parse().map_err(AppError::internal)?,
        time: r.time_text,
        place: r.place,
        agenda: serde_json::from_str(&r.agenda).map_err(AppError::internal)?,
        notes: serde_json::from_str(&r.notes).map_err(AppError::internal)?,
        attendance: serde_json::from_str(&r.attendance).map_err(AppError::internal)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_pattern() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
        assert_eq!(
            document_number(
                "{seq:03}/BA-MUSRENBANG/{level}/{month_roman}/{year}",
                5,
                2027,
                d,
                "35.99.01.1001",
                RegionLevel::KelurahanDesa
            ),
            "005/BA-MUSRENBANG/KEL/III/2027"
        );
        assert_eq!(
            document_number(
                "{region_code}-{seq}",
                12,
                2027,
                d,
                "35.99",
                RegionLevel::KabupatenKota
            ),
            "35.99-12"
        );
    }
}
