//! Triage lists for an assignment's team while it works: procurement's red flags (packages
//! that look split to stay under a threshold) and monev's deviation flags, within the
//! assignment's region and below, when its scope has the module (or names none); and the
//! monitoring cases an object's history follows on to.

use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{get_assignment, require_working, texts};

/// Procurement's red flags (packages that look split to stay under a threshold) within the
/// assignment: packages in its region and below, when procurement is in its scope. For its
/// team and its inspector while it works (they hold the auditor role then).
pub async fn red_flags(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
) -> AppResult<Vec<mufakat_procurement::SplitFlag>> {
    use mufakat_module_procurement::entity::package;
    let a = get_assignment(&state.db, assignment_id).await?;
    require_working(state, reader, &a, false).await?;
    let modules = texts(&a.modules);
    if !modules.is_empty() && !modules.iter().any(|m| m == "procurement") {
        return Ok(vec![]);
    }
    let flags =
        match mufakat_module_procurement::service::packages::split_warnings(state, reader).await {
            Ok(f) => f,
            // The inspector holds no auditor role, so procurement shows them no flags: an
            // empty list, as docs/e-audit.md says.
            Err(AppError::Forbidden) => return Ok(vec![]),
            Err(e) => return Err(e),
        };
    let within = state
        .regions
        .read()
        .await
        .descendants_inclusive(a.region_id);
    let ids: Vec<i32> = flags.iter().flat_map(|f| f.package_ids.clone()).collect();
    let inside: Vec<i32> = package::Entity::find()
        .filter(package::Column::Id.is_in(ids))
        .filter(package::Column::RegionId.is_in(within))
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok(flags
        .into_iter()
        .filter(|f| f.package_ids.iter().all(|p| inside.contains(p)))
        .collect())
}

/// Monev's deviation flags (behind plan, kontrak kritis, spending ahead, indicators below
/// target, late reports, not started) of activities in the assignment's region and below, when
/// monev is in its scope; newest first, the open ones only with `open_only`.
pub async fn monev_flags(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    open_only: bool,
) -> AppResult<Vec<mufakat_module_monev::entity::flag::Model>> {
    use mufakat_module_monev::entity::{activity, flag};
    let a = get_assignment(&state.db, assignment_id).await?;
    require_working(state, reader, &a, false).await?;
    let modules = texts(&a.modules);
    if !modules.is_empty() && !modules.iter().any(|m| m == "monev") {
        return Ok(vec![]);
    }
    let within = state
        .regions
        .read()
        .await
        .descendants_inclusive(a.region_id);
    let ids: Vec<i32> = activity::Entity::find()
        .filter(activity::Column::RegionId.is_in(within))
        .select_only()
        .column(activity::Column::Id)
        .into_tuple()
        .all(&state.db)
        .await
        .db()?;
    let mut q = flag::Entity::find().filter(flag::Column::ActivityId.is_in(ids));
    if open_only {
        q = q.filter(flag::Column::Status.is_not_in(mufakat_module_monev::service::flags::SETTLED));
    }
    q.order_by_desc(flag::Column::Id)
        .limit(500)
        .all(&state.db)
        .await
        .db()
}

/// The cases of the monev activities of lines `line_ids`, under contracts `contract_ids` or
/// among `activity_ids`, of their monthly reports and of their flags (for an object's history).
pub async fn monev_cases(
    db: &impl sea_orm::ConnectionTrait,
    line_ids: Vec<i32>,
    contract_ids: Vec<i32>,
    activity_ids: Vec<i32>,
) -> AppResult<Vec<Option<i32>>> {
    use mufakat_module_monev::entity::{activity, flag, report};
    use sea_orm::Condition;
    let acts = activity::Entity::find()
        .filter(
            Condition::any()
                .add(activity::Column::PlanLineId.is_in(line_ids))
                .add(activity::Column::ContractId.is_in(contract_ids))
                .add(activity::Column::Id.is_in(activity_ids)),
        )
        .all(db)
        .await
        .db()?;
    let ids: Vec<i32> = acts.iter().map(|a| a.id).collect();
    let mut out: Vec<Option<i32>> = acts.into_iter().map(|a| a.instance_id).collect();
    out.extend(
        report::Entity::find()
            .filter(report::Column::ActivityId.is_in(ids.clone()))
            .all(db)
            .await
            .db()?
            .into_iter()
            .map(|r| r.instance_id),
    );
    out.extend(
        flag::Entity::find()
            .filter(flag::Column::ActivityId.is_in(ids))
            .all(db)
            .await
            .db()?
            .into_iter()
            .map(|f| f.instance_id),
    );
    Ok(out)
}
