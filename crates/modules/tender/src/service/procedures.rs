//! Announcing a competitive procedure of an announced package: its Pokja (UKPBJ staff of the
//! region, the announcer chairs it), its invited vendors (a mini-competition: catalogue
//! vendors), the schedule checked against the method's settings, and its own key pair, whose
//! public key is published in the announcement's audit event. Then amendments (which move a
//! deadline that is too near), cancellation, failure (too few bids, or none compliant) and a
//! re-tender of a failed one. The package's case moves with its procedure.

use chrono::{DateTime, Datelike, Duration, Utc};
use mufakat_core::{AppError, AppResult, FieldError, Role};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::services::cases;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages::{get_package, set_status};
use mufakat_module_procurement::service::{from_sen, get_vendor, require_active_vendor, text};
use mufakat_store::entity::role_grant;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Map};

use super::{
    fire, get_procedure, one, require_pokja, require_state, workflow_of, MINI, OPEN_FOR_BIDS,
    TENDER,
};
use crate::entity::{bid, invite, pokja, procedure};
use crate::{perms, runtime};

/// What announcing a procedure takes.
#[derive(Debug, Clone)]
pub struct NewProcedure {
    pub package_id: i32,
    pub title: String,
    /// `lowest_price` or `quality_cost`.
    pub evaluation: String,
    /// With `quality_cost`: the technical score's weight, 1 to 99 percent.
    pub quality_weight: i32,
    pub qualification: String,
    pub documents: String,
    pub bid_deadline: DateTime<Utc>,
    /// Further Pokja members (UKPBJ staff of the region); the announcer chairs it.
    pub pokja: Vec<i32>,
    /// A mini-competition's invited vendors.
    pub invited: Vec<i32>,
    /// The failed procedure this one repeats.
    pub retender_of: Option<i32>,
}

pub const EVALUATIONS: [&str; 2] = ["lowest_price", "quality_cost"];

/// The procedure a package's method calls for.
fn method_for(package_method: &str) -> Option<&'static str> {
    match package_method {
        "mini_competition" => Some(MINI),
        "tender" | "selection" => Some(TENDER),
        _ => None,
    }
}

/// Whether `user_id` holds `role` in the region path `path`.
pub async fn holds(
    db: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
    path: &[i32],
) -> AppResult<bool> {
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Role.eq(role.as_str()))
        .filter(role_grant::Column::RegionId.is_in(path.iter().copied()))
        .count(db)
        .await
        .db()?
        > 0)
}

/// Announces a procedure.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    n: NewProcedure,
) -> AppResult<procedure::Model> {
    create_with(state, user, n, true).await
}

/// [`create`]; the demo and the deadline-rush benchmark (and nothing served) announce with a
/// submission period of seconds.
pub async fn create_with(
    state: &AppState,
    user: &CurrentUser,
    n: NewProcedure,
    check_period: bool,
) -> AppResult<procedure::Model> {
    let mut n = n;
    // Workflow datetimes are whole seconds: the row, the case and its timer agree on the same
    // instant (a deadline of 10:00:00.5 is 10:00:00).
    n.bid_deadline = whole_seconds(n.bid_deadline);
    let pkg = get_package(&state.db, n.package_id).await?;
    let path = state.region_path(pkg.region_id).await;
    state.authz.require(user, &path, perms::PROCEDURE_CREATE)?;
    let Some(method) = method_for(&pkg.method) else {
        return Err(AppError::validation(
            "packageId",
            "method",
            format!(
                "Metode paket ini {}: mini-kompetisi dan tender hanya untuk paket bermetode mini-kompetisi, tender atau seleksi.",
                pkg.method
            ),
            format!(
                "This package's method is {}: mini-competitions and tenders are for packages whose method is one of those.",
                pkg.method
            ),
        ));
    };
    if pkg.status != "announced" {
        return Err(AppError::conflict(
            format!("Paket harus sudah diumumkan di RUP dan belum dalam pemilihan; paket ini {}.", pkg.status),
            format!("The package must be announced in the public plan and not in a selection; it is {}.", pkg.status),
        ));
    }
    let rt = runtime::get(state)?;
    let set = rt.settings.of(method);
    let now = state.now();
    let mut errors: Vec<FieldError> = vec![];
    let title = text(&mut errors, "title", &n.title, 300, false);
    let title = if title.is_empty() {
        pkg.name.clone()
    } else {
        title
    };
    let qualification = text(&mut errors, "qualification", &n.qualification, 4000, true);
    let documents = text(&mut errors, "documents", &n.documents, 20_000, true);
    if !EVALUATIONS.contains(&n.evaluation.as_str()) {
        errors.push(FieldError::new(
            "evaluation",
            "enum",
            "Metode evaluasi: lowest_price (harga terendah) atau quality_cost (kualitas dan biaya).",
            "Evaluation: lowest_price or quality_cost.",
        ));
    }
    let quality_weight = if n.evaluation == "quality_cost" {
        if !(1..=99).contains(&n.quality_weight) {
            errors.push(FieldError::new(
                "qualityWeight",
                "range",
                "Bobot teknis 1 sampai 99 persen.",
                "The technical weight is 1 to 99 percent.",
            ));
        }
        n.quality_weight
    } else {
        0
    };
    let earliest = now + Duration::days(i64::from(set.min_submission_days));
    if check_period && n.bid_deadline < earliest {
        errors.push(FieldError::new(
            "bidDeadline",
            "period",
            format!(
                "Masa pemasukan penawaran paling singkat {} hari: batas akhir paling cepat {}.",
                set.min_submission_days,
                earliest
                    .with_timezone(&super::wib())
                    .format("%d-%m-%Y %H:%M WIB")
            ),
            format!(
                "The submission period is at least {} days: the deadline is {} at the earliest.",
                set.min_submission_days,
                earliest.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    if n.bid_deadline > now + Duration::days(365) {
        errors.push(FieldError::new(
            "bidDeadline",
            "range",
            "Batas akhir paling lambat satu tahun lagi.",
            "The deadline is within a year.",
        ));
    }
    let mut members = vec![user.id];
    for m in &n.pokja {
        if !members.contains(m) {
            members.push(*m);
        }
    }
    if members.len() > 9 {
        errors.push(FieldError::new(
            "pokja",
            "count",
            "Pokja paling banyak 9 orang.",
            "A Pokja has at most 9 members.",
        ));
    }
    for (i, m) in members.iter().enumerate() {
        if !holds(&state.db, *m, Role::UkpbjStaff, &path).await? {
            errors.push(FieldError::new(
                format!("pokja[{i}]"),
                "role",
                "Anggota Pokja harus petugas UKPBJ di wilayah paket.",
                "Pokja members must be UKPBJ staff in the package's region.",
            ));
        }
    }
    let mut invited = vec![];
    if method == MINI {
        for v in &n.invited {
            if !invited.contains(v) {
                invited.push(*v);
            }
        }
        if invited.len() < set.min_invited as usize {
            errors.push(FieldError::new(
                "invited",
                "count",
                format!(
                    "Undang paling sedikit {} penyedia katalog.",
                    set.min_invited
                ),
                format!("Invite at least {} catalogue vendors.", set.min_invited),
            ));
        }
    } else if !n.invited.is_empty() {
        errors.push(FieldError::new(
            "invited",
            "method",
            "Tender terbuka bagi semua penyedia terverifikasi: tidak ada undangan.",
            "A tender is open to every verified vendor: no invitations.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    for (i, vid) in invited.iter().enumerate() {
        let v = get_vendor(&state.db, *vid).await?;
        require_active_vendor(&v, now)?;
        if !super::bids::in_catalogue(&state.db, v.id).await? {
            return Err(AppError::validation(
                format!("invited[{i}]"),
                "catalogue",
                format!(
                    "{} tidak memiliki produk tayang di e-katalog lokal.",
                    v.name
                ),
                format!("{} has no item listed in the local e-catalogue.", v.name),
            ));
        }
    }
    if let Some(prev) = n.retender_of {
        let old = get_procedure(&state.db, prev).await?;
        if old.package_id != pkg.id || !matches!(old.status.as_str(), "unsuccessful" | "cancelled")
        {
            return Err(AppError::validation(
                "retenderOf",
                "state",
                "Pemilihan ulang hanya untuk pemilihan paket ini yang gagal atau dibatalkan.",
                "A re-tender repeats a failed or cancelled procedure of the same package.",
            ));
        }
    }
    let key = rt
        .bid_key
        .new_procedure_key()
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    // The package is re-read in the write's turn: two announcements at once cannot both start.
    let pkg = get_package(&txn, pkg.id).await?;
    if pkg.status != "announced" {
        return Err(AppError::conflict(
            "Paket ini baru saja masuk pemilihan.",
            "This package has just entered a selection.",
        ));
    }
    let mut fields = Map::new();
    fields.insert("package".into(), json!(pkg.id.to_string()));
    fields.insert("hps".into(), json!(from_sen(pkg.hps_sen).to_string()));
    fields.insert("bid_deadline".into(), json!(n.bid_deadline.to_rfc3339()));
    fields.insert("public_key".into(), json!(key.public_key.clone()));
    let workflow = if method == MINI {
        super::MINI_WORKFLOW
    } else {
        super::TENDER_WORKFLOW
    };
    let fired = cases::start_in(
        state,
        &txn,
        &mut chain,
        user,
        workflow,
        pkg.region_id,
        fields,
    )
    .await?;
    let now = chain.now;
    let p = procedure::ActiveModel {
        instance_id: Set(Some(fired.case.id)),
        package_id: Set(pkg.id),
        region_id: Set(pkg.region_id),
        method: Set(method.into()),
        number: Set(format!("tmp-{}", fired.case.id)),
        title: Set(title),
        hps_sen: Set(pkg.hps_sen),
        evaluation: Set(n.evaluation.clone()),
        quality_weight: Set(quality_weight),
        qualification: Set(qualification),
        documents: Set(documents),
        min_bids: Set(set.min_bids as i32),
        bid_deadline: Set(n.bid_deadline),
        public_key: Set(key.public_key),
        wrapped_key: Set(key.wrapped),
        opened_at: Set(None),
        award_at: Set(None),
        objection_ends: Set(None),
        sppbj_at: Set(None),
        winner_bid_id: Set(None),
        retender_of: Set(n.retender_of),
        status: Set(fired.case.state.clone()),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .db()?;
    let prefix = if method == MINI { "MK" } else { "TD" };
    let number = format!("{prefix}-{}-{:05}", now.year(), p.id);
    procedure::Entity::update_many()
        .col_expr(procedure::Column::Number, Expr::value(number))
        .filter(procedure::Column::Id.eq(p.id))
        .exec(&txn)
        .await
        .db()?;
    for (i, m) in members.iter().enumerate() {
        pokja::ActiveModel {
            procedure_id: Set(p.id),
            user_id: Set(*m),
            is_chair: Set(i == 0),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    for v in &invited {
        invite::ActiveModel {
            procedure_id: Set(p.id),
            vendor_id: Set(*v),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .db()?;
    }
    let pf = mufakat_module_procurement::service::fire(
        state,
        &txn,
        &mut chain,
        user,
        pkg.instance_id,
        "start_competition",
        one("procedure", p.id.to_string()),
        None,
    )
    .await?;
    set_status(&txn, pkg.id, &pf.case.state).await?;
    let row = get_procedure(&txn, p.id).await?;
    let tender = super::publish::tender_of(&txn, &row).await?;
    let planning = super::publish::planning_of(&txn, &pkg).await?;
    super::publish::publish(state, &txn, pkg.id, |pr, seq| {
        crate::ocds::tender_release(pr, seq, &planning, &tender)
    })
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, p.id).await
}

/// Copies the case's state to the procedure's row, with other columns that moved.
pub async fn set_state(
    db: &impl ConnectionTrait,
    p: &procedure::Model,
    status: &str,
    now: DateTime<Utc>,
    extra: impl FnOnce(sea_orm::UpdateMany<procedure::Entity>) -> sea_orm::UpdateMany<procedure::Entity>,
) -> AppResult<()> {
    let upd = procedure::Entity::update_many()
        .col_expr(procedure::Column::Status, Expr::value(status))
        .col_expr(procedure::Column::UpdatedAt, Expr::value(now))
        .filter(procedure::Column::Id.eq(p.id));
    extra(upd).exec(db).await.db()?;
    Ok(())
}

/// `t` without its fraction of a second.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    t.with_nanosecond(0).unwrap_or(t)
}

/// The deadline an amendment at `now` leaves: the one asked for, but never nearer than the
/// method's `amendment_min_days` from now.
pub fn deadline_after_amendment(
    current: DateTime<Utc>,
    asked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    min_days: u32,
) -> DateTime<Utc> {
    let floor = now + Duration::days(i64::from(min_days));
    asked.unwrap_or(current).max(floor)
}

/// An amendment of the documents (adendum), with its reason; the deadline moves when asked,
/// and at least to `amendment_min_days` from now when it is nearer.
pub async fn amend(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    documents: Option<String>,
    deadline: Option<DateTime<Utc>>,
    reason: &str,
) -> AppResult<procedure::Model> {
    require_pokja(&state.db, user, procedure_id).await?;
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 2000, true);
    let documents = documents.map(|d| text(&mut errors, "documents", &d, 20_000, true));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    amend_in(
        state, &txn, &mut chain, user, &p, documents, deadline, reason, false,
    )
    .await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

/// [`amend`] inside the caller's write (also for a clarification answer that amends).
#[allow(clippy::too_many_arguments)]
pub async fn amend_in(
    state: &AppState,
    txn: &mufakat_kernel::audit_log::WriteTxn,
    chain: &mut mufakat_kernel::audit_log::Chain,
    user: &CurrentUser,
    p: &procedure::Model,
    documents: Option<String>,
    deadline: Option<DateTime<Utc>>,
    reason: String,
    enquiry: bool,
) -> AppResult<DateTime<Utc>> {
    require_state(
        p,
        &[OPEN_FOR_BIDS],
        "Dokumen hanya dapat diubah sebelum batas akhir penawaran",
        "Documents can be amended only before the deadline",
    )?;
    let now = state.now();
    if now >= p.bid_deadline {
        return Err(super::bids::too_late(p));
    }
    if let Some(d) = deadline {
        if d <= now || d > now + Duration::days(365) {
            return Err(AppError::validation(
                "bidDeadline",
                "range",
                "Batas akhir baru harus di masa depan (paling lambat satu tahun lagi).",
                "The new deadline must be in the future (within a year).",
            ));
        }
    }
    let rt = runtime::get(state)?;
    let new_deadline = whole_seconds(deadline_after_amendment(
        p.bid_deadline,
        deadline,
        now,
        rt.settings.of(&p.method).amendment_min_days,
    ));
    let mut input = Map::new();
    if new_deadline != p.bid_deadline {
        input.insert("bid_deadline".into(), json!(new_deadline.to_rfc3339()));
    }
    let fired = fire(
        state,
        txn,
        chain,
        user,
        p.instance_id,
        "amend",
        input,
        Some(reason.clone()),
    )
    .await?;
    set_state(txn, p, &fired.case.state, now, |u| {
        let u = u.col_expr(procedure::Column::BidDeadline, Expr::value(new_deadline));
        match documents {
            Some(d) => u.col_expr(procedure::Column::Documents, Expr::value(d)),
            None => u,
        }
    })
    .await?;
    let at = chain.now;
    super::publish::publish(state, txn, p.package_id, |pr, seq| {
        crate::ocds::amendment_release(pr, seq, at, &p.number, seq, new_deadline, &reason, enquiry)
    })
    .await?;
    Ok(new_deadline)
}

/// Bids that count at the opening: opened and readable.
pub async fn opened_bids(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<bid::Model>> {
    bid::Entity::find()
        .filter(bid::Column::ProcedureId.eq(procedure_id))
        .filter(bid::Column::Status.eq("opened"))
        .order_by_asc(bid::Column::Id)
        .all(db)
        .await
        .db()
}

/// Declares an opened procedure unsuccessful: fewer readable bids than its minimum, or none
/// compliant after evaluation. The package goes back to its announced state, to be re-tendered.
pub async fn fail(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    reason: &str,
    judged: Vec<super::evaluation::Judgement>,
) -> AppResult<procedure::Model> {
    require_pokja(&state.db, user, procedure_id).await?;
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 2000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    // An evaluation in which every bid fails is recorded with the failure.
    if !judged.is_empty() {
        require_state(
            &p,
            &["opened"],
            "Evaluasi dilakukan setelah pembukaan penawaran",
            "Evaluation comes after the opening",
        )?;
        super::evaluation::record(&txn, &p, &judged).await?;
    }
    require_state(
        &p,
        &["opened", "evaluated"],
        "Pemilihan dinyatakan gagal setelah pembukaan",
        "A procedure is declared unsuccessful after the opening",
    )?;
    let bids = opened_bids(&txn, p.id).await?;
    let compliant = bids
        .iter()
        .filter(|b| super::evaluation::compliant(b))
        .count();
    let evaluated = bids.iter().any(|b| b.admin_ok.is_some());
    if bids.len() >= p.min_bids as usize && (!evaluated || compliant > 0) {
        return Err(AppError::conflict(
            format!("Pemilihan ini memiliki {} penawaran (minimum {}) dan belum semuanya gugur: evaluasi dulu.", bids.len(), p.min_bids),
            format!("This procedure has {} bids (minimum {}) and not all are disqualified: evaluate them first.", bids.len(), p.min_bids),
        ));
    }
    let now = state.now();
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "fail",
        Map::new(),
        Some(reason.clone()),
    )
    .await?;
    set_state(&txn, &p, &fired.case.state, now, |u| u).await?;
    let at = chain.now;
    super::publish::publish(state, &txn, p.package_id, |pr, seq| {
        crate::ocds::tender_status_release(pr, seq, at, &p.number, "unsuccessful", &reason)
    })
    .await?;
    reopen_package(state, &txn, &mut chain, user, p.package_id, &reason).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

/// Cancels a procedure before its contract (Pokja or the package's PPK), with the reason.
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    procedure_id: i32,
    reason: &str,
) -> AppResult<procedure::Model> {
    let p = get_procedure(&state.db, procedure_id).await?;
    let pkg = get_package(&state.db, p.package_id).await?;
    if pkg.ppk_id != user.id {
        require_pokja(&state.db, user, procedure_id).await?;
    }
    let mut errors = vec![];
    let reason = text(&mut errors, "reason", reason, 2000, true);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (txn, mut chain) = mufakat_kernel::audit_log::open(state, state.now()).await?;
    let p = get_procedure(&txn, procedure_id).await?;
    let now = state.now();
    let fired = fire(
        state,
        &txn,
        &mut chain,
        user,
        p.instance_id,
        "cancel",
        Map::new(),
        Some(reason.clone()),
    )
    .await?;
    set_state(&txn, &p, &fired.case.state, now, |u| u).await?;
    let at = chain.now;
    super::publish::publish(state, &txn, p.package_id, |pr, seq| {
        crate::ocds::tender_status_release(pr, seq, at, &p.number, "cancelled", &reason)
    })
    .await?;
    reopen_package(state, &txn, &mut chain, user, p.package_id, &reason).await?;
    mufakat_kernel::audit_log::commit(txn, chain).await?;
    get_procedure(&state.db, procedure_id).await
}

async fn reopen_package(
    state: &AppState,
    txn: &mufakat_kernel::audit_log::WriteTxn,
    chain: &mut mufakat_kernel::audit_log::Chain,
    user: &CurrentUser,
    package_id: i32,
    reason: &str,
) -> AppResult<()> {
    let pkg = get_package(txn, package_id).await?;
    if pkg.status == "in_selection" {
        let pf = mufakat_module_procurement::service::fire(
            state,
            txn,
            chain,
            user,
            pkg.instance_id,
            "reopen",
            Map::new(),
            Some(reason.to_owned()),
        )
        .await?;
        set_status(txn, pkg.id, &pf.case.state).await?;
    }
    Ok(())
}

/// Procedures newest first: of a package, or all (at most 200).
pub async fn list(
    db: &impl ConnectionTrait,
    package_id: Option<i32>,
    status: Option<&str>,
) -> AppResult<Vec<procedure::Model>> {
    let mut q = procedure::Entity::find().order_by_desc(procedure::Column::Id);
    if let Some(p) = package_id {
        q = q.filter(procedure::Column::PackageId.eq(p));
    }
    if let Some(s) = status {
        q = q.filter(procedure::Column::Status.eq(s));
    }
    use sea_orm::QuerySelect;
    q.limit(200).all(db).await.db()
}

pub async fn invited(
    db: &impl ConnectionTrait,
    procedure_id: i32,
) -> AppResult<Vec<invite::Model>> {
    invite::Entity::find()
        .filter(invite::Column::ProcedureId.eq(procedure_id))
        .order_by_asc(invite::Column::Id)
        .all(db)
        .await
        .db()
}

pub fn workflow(p: &procedure::Model) -> &'static str {
    workflow_of(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_amendment_near_the_deadline_moves_it() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
        let far = now + Duration::days(10);
        let near = now + Duration::days(1);
        // Far enough: the deadline stays, or moves where asked.
        assert_eq!(deadline_after_amendment(far, None, now, 3), far);
        assert_eq!(
            deadline_after_amendment(far, Some(far + Duration::days(2)), now, 3),
            far + Duration::days(2)
        );
        // Too near: at least three days from the amendment.
        assert_eq!(
            deadline_after_amendment(near, None, now, 3),
            now + Duration::days(3)
        );
        assert_eq!(
            deadline_after_amendment(near, Some(near), now, 3),
            now + Duration::days(3)
        );
        assert_eq!(
            deadline_after_amendment(near, Some(now + Duration::days(5)), now, 3),
            now + Duration::days(5)
        );
    }
}
