//! Procurement II's use cases, one file each: `procedures` (announcing a mini-competition or
//! tender with its Pokja and key pair, amendments, cancellation, failure, re-tender),
//! `clarification` (questions and answers), `bids` (sealed submission, replacement, withdrawal,
//! receipts), `opening` (the timer hooks: sealing the set of bids at the deadline, opening them
//! all at once), `evaluation` (the Pokja's evaluation, ranking, award announcement),
//! `objections` (sanggah and sanggah banding) and `contracts` (SPPBJ, signing, amendments,
//! completion, termination). What they share is here.

pub mod bids;
pub mod clarification;
pub mod contracts;
pub mod evaluation;
pub mod flags;
pub mod objections;
pub mod opening;
pub mod papers;
pub mod procedures;
pub mod publish;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveTime, TimeZone, Utc, Weekday};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;

use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};

use crate::entity::{pokja, procedure};

pub const TENDER_WORKFLOW: &str = "procurement-tender";
pub const MINI_WORKFLOW: &str = "procurement-minikompetisi";
pub const OBJECTION_WORKFLOW: &str = "procurement-sanggah";
pub const CONTRACT_WORKFLOW: &str = "procurement-kontrak";

/// The methods (a package's `method`): a mini-competition, or a tender (also for `selection`,
/// the consultancy tender).
pub const MINI: &str = "mini_competition";
pub const TENDER: &str = "tender";

pub fn workflow_of(p: &procedure::Model) -> &'static str {
    if p.method == MINI {
        MINI_WORKFLOW
    } else {
        TENDER_WORKFLOW
    }
}

/// States in which bids are still being taken.
pub const OPEN_FOR_BIDS: &str = "announced";
/// States after the opening (prices known).
pub const OPENED: [&str; 7] = [
    "opened",
    "evaluated",
    "award_announced",
    "objection_closed",
    "awarded",
    "contracted",
    "unsuccessful",
];
/// States after the award announcement (evaluation public).
pub const ANNOUNCED_AWARD: [&str; 4] = [
    "award_announced",
    "objection_closed",
    "awarded",
    "contracted",
];

/// WIB (UTC+7), the zone the regions' deadlines are stated in.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

/// The end (23:59:59 WIB) of the day `days` calendar days after `from`, moved past Saturday
/// and Sunday so that the period ends on a working day. (National holidays come with the
/// working-day calendar of the public-services issue.)
pub fn period_end(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut d = (from.with_timezone(&wib()) + Duration::days(i64::from(days))).date_naive();
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d.succ_opt().expect("a date before 9999");
    }
    let t = NaiveTime::from_hms_opt(23, 59, 59).expect("a time");
    wib()
        .from_local_datetime(&d.and_time(t))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

pub fn one(key: &str, v: impl Into<Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(key.into(), v.into());
    m
}

/// Fires a transition on one of this module's cases inside the caller's audited write (the
/// kernel checks the acting user's roles; the module has checked the rest): procurement's.
pub use mufakat_module_procurement::service::fire;

pub async fn get_procedure(db: &impl ConnectionTrait, id: i32) -> AppResult<procedure::Model> {
    procedure::Entity::find_by_id(id)
        .one(db)
        .await
        .db()?
        .ok_or(AppError::NotFound {
            entity: "procedure",
        })
}

pub async fn pokja_of(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<pokja::Model>> {
    pokja::Entity::find()
        .filter(pokja::Column::ProcedureId.eq(procedure_id))
        .order_by_desc(pokja::Column::IsChair)
        .order_by_asc(pokja::Column::Id)
        .all(db)
        .await
        .db()
}

pub async fn is_pokja(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    procedure_id: i32,
) -> AppResult<bool> {
    Ok(pokja_of(db, procedure_id)
        .await?
        .iter()
        .any(|m| m.user_id == user.id))
}

/// `FORBIDDEN` unless `user` sits on the procedure's Pokja.
pub async fn require_pokja(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    procedure_id: i32,
) -> AppResult<()> {
    if is_pokja(db, user, procedure_id).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// `CONFLICT` unless the procedure is in one of `states`.
pub fn require_state(p: &procedure::Model, states: &[&str], id: &str, en: &str) -> AppResult<()> {
    if states.contains(&p.status.as_str()) {
        Ok(())
    } else {
        Err(AppError::conflict(
            format!("{id} (status pemilihan {}: {}).", p.number, p.status),
            format!("{en} (procedure {} is {}).", p.number, p.status),
        ))
    }
}

/// Who sees what is not public of a procedure (opened bids' documents, the evaluation before
/// the award is announced): its Pokja, the package's PPK, and those who read procurement's red
/// flags in the region (auditors within an assignment, UKPBJ staff).
pub async fn is_insider(
    state: &AppState,
    user: &CurrentUser,
    p: &procedure::Model,
) -> AppResult<bool> {
    if is_pokja(&state.db, user, p.id).await? {
        return Ok(true);
    }
    let pkg =
        mufakat_module_procurement::service::packages::get_package(&state.db, p.package_id).await?;
    if pkg.ppk_id == user.id {
        return Ok(true);
    }
    let path = state.region_path(p.region_id).await;
    state.authz.allowed(user, &path, crate::perms::INSIDE_READ)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_ends_at_the_end_of_a_working_day_in_wib() {
        // Friday 4 Dec 2026 10:00 WIB + 5 days = Wednesday 9 Dec, 23:59:59 WIB.
        let from = Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap();
        assert_eq!(
            period_end(from, 5),
            Utc.with_ymd_and_hms(2026, 12, 9, 16, 59, 59).unwrap()
        );
        // Monday 7 Dec + 5 = Saturday 12 Dec → Monday 14 Dec.
        let from = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap();
        assert_eq!(
            period_end(from, 5),
            Utc.with_ymd_and_hms(2026, 12, 14, 16, 59, 59).unwrap()
        );
        // 20:00 UTC on Sunday is Monday 03:00 WIB: counted from Monday.
        let from = Utc.with_ymd_and_hms(2026, 12, 6, 20, 0, 0).unwrap();
        assert_eq!(
            period_end(from, 3),
            Utc.with_ymd_and_hms(2026, 12, 10, 16, 59, 59).unwrap()
        );
    }
}
