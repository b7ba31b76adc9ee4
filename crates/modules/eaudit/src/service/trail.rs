//! The audit trail as auditors browse it: events filtered by case, workflow, actor, role,
//! transition, time and the text of the comment, newest first and paged by `seq`, always within
//! an assignment the reader works on (its modules and its audited period); actors resolved to
//! names and roles (pseudonymous voters stay pseudonyms); the history of one object across the
//! workflows that touched it; a range of the chain verified with the checkpoints inside it; and
//! the selection exported as JSON Lines for the independent verifier.

use chrono::{DateTime, Duration, Utc};
use mufakat_audit::{compute_hash, AuditEvent, Checkpoint, GENESIS_HASH};
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_kernel::audit_log::{checkpoint_from_row, from_row};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_store::entity::{audit_checkpoint, audit_event as ev, role_grant, user};
use mufakat_store::DbResultExt;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{get_assignment, require_working, texts};
use crate::entity::assignment;

/// What to look for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The case (`instance_id` as recorded: a case number, or e.g. `line-4`, `user-7`).
    pub case: Option<String>,
    pub workflow: Option<String>,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub transition: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Words in the comment (case-insensitive).
    pub text: Option<String>,
    /// Any of these cases (an object's history).
    pub cases: Vec<String>,
}

/// The actor of an event as an auditor sees it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// As recorded: a user id, a pseudonym, `system`, `operator`.
    pub recorded: String,
    /// The user's name, when the actor is a user.
    pub name: Option<String>,
    /// The user's roles now (`role@region`), when the actor is a user.
    pub roles: Vec<String>,
}

pub struct Page {
    pub events: Vec<(AuditEvent, Actor)>,
    /// More events older than the last one.
    pub has_more: bool,
}

const MAX_FILTER: usize = 200;

fn check(f: &Filter) -> AppResult<()> {
    let mut errors = vec![];
    for (name, v) in [
        ("case", &f.case),
        ("workflow", &f.workflow),
        ("actor", &f.actor),
        ("role", &f.role),
        ("transition", &f.transition),
        ("text", &f.text),
    ] {
        if v.as_ref().is_some_and(|v| v.chars().count() > MAX_FILTER) {
            errors.push(FieldError::new(
                name,
                "length",
                format!("Paling banyak {MAX_FILTER} karakter."),
                format!("At most {MAX_FILTER} characters."),
            ));
        }
    }
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if b < a {
            errors.push(FieldError::new(
                "to",
                "range",
                "Akhir rentang waktu tidak boleh sebelum awalnya.",
                "The end of the time range cannot be before its start.",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The assignment's bounds as a condition: its modules (a workflow is in module `m` when its
/// name is `m` or starts with `m-` or `m.`) and its audited period (whole days, UTC).
///
/// On SQLite the period is compared as `+at`, which keeps the planner off the time index for
/// the assignment's bounds (they cover most of the trail, and taking that index would sort
/// every event in the period to find the newest 20); a time range the reader asks for uses it.
/// PostgreSQL's planner knows from its statistics how much of the trail a range covers.
fn scope(a: &assignment::Model, backend: sea_orm::DbBackend) -> Condition {
    let mut c = Condition::all();
    let modules = texts(&a.modules);
    if !modules.is_empty() {
        let mut any = Condition::any();
        for m in modules {
            any = any
                .add(ev::Column::Workflow.eq(m.clone()))
                .add(ev::Column::Workflow.starts_with(format!("{m}-")))
                .add(ev::Column::Workflow.starts_with(format!("{m}.")));
        }
        c = c.add(any);
    }
    let from = a
        .period_from
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let to = (a.period_to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let (from, to) = (
        mufakat_audit::format_time(from),
        mufakat_audit::format_time(to),
    );
    if backend == sea_orm::DbBackend::Sqlite {
        c.add(Expr::cust_with_values("+\"at\" >= ?", [from]))
            .add(Expr::cust_with_values("+\"at\" < ?", [to]))
    } else {
        c.add(ev::Column::At.gte(from)).add(ev::Column::At.lt(to))
    }
}

/// Time ranges up to this long are served from the time index on SQLite (see [`condition`]).
const SHORT_RANGE_DAYS: i64 = 31;

/// Whether the reader asks for a time range of a month or less.
fn short_range(f: &Filter) -> bool {
    match (f.from, f.to) {
        (Some(a), Some(b)) => b - a <= Duration::days(SHORT_RANGE_DAYS),
        _ => false,
    }
}

/// The reader's filter as a condition. SQLite plans with bound values it cannot see, so the
/// query says which index fits: a short time range (a month or less) is read from the time
/// index — the other columns compared as `+col`, which keeps the planner off their indexes
/// (a workflow's index would walk all its events newest first to find those of one week) —
/// while a long or open one is compared as `+at` and the workflow, actor or case indexes serve.
fn condition(f: &Filter, backend: sea_orm::DbBackend) -> Condition {
    let sqlite = backend == sea_orm::DbBackend::Sqlite;
    let short = short_range(f);
    let mut c = Condition::all();
    let eq = |c: Condition, col: ev::Column, name: &str, v: &Option<String>, hint: bool| match v {
        Some(v) if !v.trim().is_empty() => {
            if hint {
                c.add(Expr::cust_with_values(
                    format!("+\"{name}\" = ?"),
                    [v.trim().to_owned()],
                ))
            } else {
                c.add(col.eq(v.trim()))
            }
        }
        _ => c,
    };
    let plus = sqlite && short;
    c = eq(c, ev::Column::InstanceId, "instance_id", &f.case, false);
    c = eq(c, ev::Column::Workflow, "workflow", &f.workflow, plus);
    c = eq(c, ev::Column::Actor, "actor", &f.actor, plus);
    c = eq(c, ev::Column::Role, "role", &f.role, plus);
    c = eq(c, ev::Column::Transition, "transition", &f.transition, plus);
    if !f.cases.is_empty() {
        c = c.add(ev::Column::InstanceId.is_in(f.cases.clone()));
    }
    let at = |op: &str, t: DateTime<Utc>| {
        let t = mufakat_audit::format_time(t);
        if sqlite && !short {
            Expr::cust_with_values(format!("+\"at\" {op} ?"), [t])
        } else if op == ">=" {
            Expr::col(ev::Column::At).gte(t)
        } else {
            Expr::col(ev::Column::At).lte(t)
        }
    };
    if let Some(t) = f.from {
        c = c.add(at(">=", t));
    }
    if let Some(t) = f.to {
        c = c.add(at("<=", t));
    }
    if let Some(t) = f.text.as_ref().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        // LIKE with its wildcards escaped; lower() on both sides for both engines.
        let escaped = t
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        c = c.add(
            Expr::expr(Func::lower(Expr::col(ev::Column::Comment)))
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    c
}

/// A page of the trail within assignment `assignment_id`: `first` events (1 to 200) older than
/// `before` (a `seq`), newest first. For its team and the inspector while it is active or
/// reporting; `FORBIDDEN` otherwise.
pub async fn search(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    f: &Filter,
    first: u64,
    before: Option<i64>,
) -> AppResult<Page> {
    check(f)?;
    let a = get_assignment(&state.db, assignment_id).await?;
    require_working(state, reader, &a, false).await?;
    let mut q = ev::Entity::find()
        .filter(scope(&a, state.db.get_database_backend()))
        .filter(condition(f, state.db.get_database_backend()));
    if let Some(b) = before {
        q = q.filter(ev::Column::Seq.lt(b));
    }
    // A short time range is read from the time index on both engines: its seqs first, found
    // and ordered from the index alone (ordered by `seq + 0`, which no index gives, so that
    // PostgreSQL does not walk the whole trail backwards by `seq` hoping to meet a range that
    // lies in the past: 750,000 rows for a week, measured), then the page's rows. Otherwise one
    // query, newest first along an index.
    let (rows, has_more) = if short_range(f) {
        let mut seqs: Vec<i64> = q
            .select_only()
            .column(ev::Column::Seq)
            .order_by(Expr::cust("\"seq\" + 0"), sea_orm::Order::Desc)
            .limit(first + 1)
            .into_tuple()
            .all(&state.db)
            .await
            .db()?;
        let has_more = seqs.len() as u64 > first;
        seqs.truncate(first as usize);
        let rows = ev::Entity::find()
            .filter(ev::Column::Seq.is_in(seqs))
            .order_by_desc(ev::Column::Seq)
            .all(&state.db)
            .await
            .db()?;
        (rows, has_more)
    } else {
        let mut rows = q
            .order_by_desc(ev::Column::Seq)
            .limit(first + 1)
            .all(&state.db)
            .await
            .db()?;
        let has_more = rows.len() as u64 > first;
        rows.truncate(first as usize);
        (rows, has_more)
    };
    let events: Vec<AuditEvent> = rows.into_iter().map(from_row).collect::<AppResult<_>>()?;
    let actors = resolve(state, &events).await?;
    Ok(Page {
        events: events.into_iter().zip(actors).collect(),
        has_more,
    })
}

/// Names and roles of the users among the events' actors: from a short-lived cache, the
/// others in two queries.
async fn resolve(state: &AppState, events: &[AuditEvent]) -> AppResult<Vec<Actor>> {
    let mut ids: Vec<i32> = events.iter().filter_map(|e| e.actor.parse().ok()).collect();
    ids.sort();
    ids.dedup();
    let cache = crate::runtime::actors(state);
    let mut known = cache.get_many(&ids);
    let missing: Vec<i32> = ids
        .iter()
        .copied()
        .filter(|i| !known.contains_key(i))
        .collect();
    if !missing.is_empty() {
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(missing.clone()))
            .all(&state.db)
            .await
            .db()?;
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.is_in(missing))
            .order_by_asc(role_grant::Column::Id)
            .all(&state.db)
            .await
            .db()?;
        let regions = state.regions.read().await;
        for u in users {
            let roles: Vec<String> = grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| {
                    let r = regions
                        .get(g.region_id)
                        .map(|r| r.name.as_str())
                        .unwrap_or("-");
                    format!("{}@{}", g.role, r)
                })
                .collect();
            let v = (u.display_name, roles);
            cache.put(u.id, v.clone());
            known.insert(u.id, v);
        }
    }
    Ok(events
        .iter()
        .map(|e| {
            let u = e.actor.parse::<i32>().ok().and_then(|id| known.get(&id));
            Actor {
                recorded: e.actor.clone(),
                name: u.map(|(n, _)| n.clone()),
                roles: u.map(|(_, r)| r.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

/// Every event of the selection (no paging), oldest first, for the export. At most `limit`.
pub async fn select_all(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    f: &Filter,
    limit: u64,
) -> AppResult<Vec<AuditEvent>> {
    check(f)?;
    let a = get_assignment(&state.db, assignment_id).await?;
    require_working(state, reader, &a, false).await?;
    ev::Entity::find()
        .filter(scope(&a, state.db.get_database_backend()))
        .filter(condition(f, state.db.get_database_backend()))
        .order_by_asc(ev::Column::Seq)
        .limit(limit)
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .map(from_row)
        .collect()
}

/// The most events one export holds; a larger selection is refused (narrow the filters).
pub const EXPORT_MAX_EVENTS: u64 = 100_000;

fn too_many(n: u64, max: u64) -> AppResult<()> {
    if n > max {
        return Err(AppError::validation(
            "filter",
            "too_many",
            format!("Pilihan ini memuat lebih dari {max} peristiwa: persempit saringannya (mis. rentang waktu)."),
            format!("This selection holds more than {max} events: narrow the filter (e.g. the time range)."),
        ));
    }
    Ok(())
}

/// The selection as JSON Lines: each event as `mufakat audit export` writes it, then the
/// signed checkpoints at events within it. Each line's hash can be recomputed from its fields
/// and each event links to the one before it; `crates/audit/verify_export.py` checks a whole
/// chain from event 1, so a selection is checked event by event (docs/e-audit.md).
pub async fn export_jsonl(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    f: &Filter,
) -> AppResult<Vec<u8>> {
    let mut events = select_all(state, reader, assignment_id, f, EXPORT_MAX_EVENTS + 1).await?;
    too_many(events.len() as u64, EXPORT_MAX_EVENTS)?;
    events.truncate(EXPORT_MAX_EVENTS as usize);
    let mut out = Vec::new();
    for e in &events {
        mufakat_audit::jsonl::write_event(&mut out, e).map_err(AppError::internal)?;
    }
    let seqs: std::collections::BTreeSet<i64> = events.iter().map(|e| e.seq).collect();
    for cp in mufakat_store::repo::audit::checkpoints(&state.db).await? {
        let cp = checkpoint_from_row(cp);
        if seqs.contains(&cp.seq) {
            mufakat_audit::jsonl::write_checkpoint(&mut out, &cp).map_err(AppError::internal)?;
        }
    }
    Ok(out)
}

/// What a range verification found.
#[derive(Debug, Clone)]
pub struct RangeCheck {
    pub ok: bool,
    pub from_seq: i64,
    pub to_seq: i64,
    pub events: i64,
    /// The signed checkpoints inside the range, each checked against the chain at its event.
    pub checkpoints: Vec<Checkpoint>,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// The most events one range verification reads.
pub const MAX_RANGE: i64 = 1_000_000;

/// Verifies events `from_seq..=to_seq`: each hash recomputed, each linked to the one before
/// (the first to the event before the range), no gap, and every checkpoint inside the range
/// signed by a trusted key and equal to the chain at its event. For the team of a working
/// assignment and the inspector (as [`search`]).
pub async fn verify_range(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    from_seq: i64,
    to_seq: i64,
) -> AppResult<RangeCheck> {
    let a = get_assignment(&state.db, assignment_id).await?;
    require_working(state, reader, &a, false).await?;
    if from_seq < 1 || to_seq < from_seq || to_seq - from_seq >= MAX_RANGE {
        return Err(AppError::validation(
            "toSeq",
            "range",
            format!("Rentang 1 ≤ dari ≤ sampai, paling banyak {MAX_RANGE} peristiwa."),
            format!("A range 1 ≤ from ≤ to of at most {MAX_RANGE} events."),
        ));
    }
    let (head, _) = mufakat_store::repo::audit::head(&state.db).await?;
    if to_seq > head {
        return Err(AppError::validation(
            "toSeq",
            "range",
            format!("Jejak audit baru sampai peristiwa #{head}."),
            format!("The audit trail ends at event #{head}."),
        ));
    }
    let prev = if from_seq == 1 {
        GENESIS_HASH.to_owned()
    } else {
        ev::Entity::find_by_id(from_seq - 1)
            .one(&state.db)
            .await
            .db()?
            .map(|e| e.hash)
            .ok_or(AppError::NotFound { entity: "event" })?
    };
    let cps: Vec<Checkpoint> = audit_checkpoint::Entity::find()
        .filter(audit_checkpoint::Column::Seq.between(from_seq, to_seq))
        .order_by_asc(audit_checkpoint::Column::Seq)
        .all(&state.db)
        .await
        .db()?
        .into_iter()
        .map(checkpoint_from_row)
        .collect();
    let mut r = RangeCheck {
        ok: true,
        from_seq,
        to_seq,
        events: 0,
        checkpoints: cps.clone(),
        first_bad_seq: None,
        problem: None,
    };
    let bad = |mut r: RangeCheck, seq: i64, p: String| {
        r.ok = false;
        r.first_bad_seq = Some(seq);
        r.problem = Some(p);
        r
    };
    for cp in &cps {
        if let Err(e) = mufakat_audit::verify_checkpoint_signature(cp, state.notary.trusted()) {
            return Ok(bad(r, cp.seq, format!("checkpoint at #{}: {e}", cp.seq)));
        }
    }
    let mut expect_prev = prev;
    let mut next = from_seq;
    const PAGE: u64 = 5_000;
    while next <= to_seq {
        let rows = ev::Entity::find()
            .filter(ev::Column::Seq.between(next, to_seq))
            .order_by_asc(ev::Column::Seq)
            .limit(PAGE)
            .all(&state.db)
            .await
            .db()?;
        if rows.is_empty() {
            return Ok(bad(r, next, format!("event #{next} is missing")));
        }
        for row in rows {
            let seq = row.seq;
            if seq != next {
                return Ok(bad(r, next, format!("event #{next} is missing")));
            }
            let e = from_row(row)?;
            if e.prev_hash != expect_prev {
                return Ok(bad(r, seq, "does not link to the event before it".into()));
            }
            if compute_hash(&e) != e.hash {
                return Ok(bad(r, seq, "its hash does not match its content".into()));
            }
            if let Some(cp) = cps.iter().find(|c| c.seq == seq) {
                if cp.hash != e.hash {
                    return Ok(bad(r, seq, "differs from the signed checkpoint".into()));
                }
            }
            expect_prev = e.hash;
            next += 1;
            r.events += 1;
        }
    }
    Ok(r)
}

/// The cases (as events record them) of one object and of what followed from it: a proposal's
/// own case, its line of the plan, the line's packages and their orders; a package's case and
/// its orders; an order's, a vendor's or an assignment's case (with its findings and their
/// recommendations).
pub async fn object_cases(state: &AppState, kind: &str, id: i32) -> AppResult<Vec<String>> {
    use mufakat_module_musrenbang::entity::proposal;
    use mufakat_module_procurement::entity::{order, package, plan_line, vendor};
    let db = &state.db;
    let not_found = |entity: &'static str| AppError::NotFound { entity };
    let mut out: Vec<String> = vec![];
    let mut push = |i: Option<i32>| {
        if let Some(i) = i {
            out.push(i.to_string());
        }
    };
    let mut packages: Vec<package::Model> = vec![];
    let mut lines: Vec<String> = vec![];
    // Lines and monev activities whose monitoring follows (the golden thread's end).
    let mut line_ids: Vec<i32> = vec![];
    let mut activity_ids: Vec<i32> = vec![];
    let mut contract_monitored: Option<i32> = None;
    match kind {
        "case" => push(Some(id)),
        "proposal" => {
            let p = proposal::Entity::find_by_id(id)
                .one(db)
                .await
                .db()?
                .ok_or(not_found("proposal"))?;
            push(p.instance_id);
            if let Some(l) = plan_line::Entity::find()
                .filter(plan_line::Column::ProposalId.eq(p.id))
                .one(db)
                .await
                .db()?
            {
                lines.push(format!("line-{}", l.id));
                line_ids.push(l.id);
                packages = package::Entity::find()
                    .filter(package::Column::LineId.eq(l.id))
                    .all(db)
                    .await
                    .db()?;
            }
        }
        "package" => {
            packages.push(
                package::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .db()?
                    .ok_or(not_found("package"))?,
            );
        }
        "order" => {
            let o = order::Entity::find_by_id(id)
                .one(db)
                .await
                .db()?
                .ok_or(not_found("order"))?;
            push(o.instance_id);
        }
        "vendor" => {
            let v = vendor::Entity::find_by_id(id)
                .one(db)
                .await
                .db()?
                .ok_or(not_found("vendor"))?;
            push(v.instance_id);
        }
                "procedure" => {
            let p = mufakat_module_tender::service::get_procedure(db, id).await?;
            push(p.instance_id);
            for o in mufakat_module_tender::service::objections::of_procedure(db, p.id).await? {
                push(o.instance_id);
            }
            if let Some(c) = mufakat_module_tender::service::contracts::of_procedure(db, p.id).await? {
                push(c.instance_id);
            }
        }
        "contract" => {
            let c = mufakat_module_tender::service::contracts::get(db, id).await?;
            push(c.instance_id);
            if let Some(p) = c.procedure_id {
                push(mufakat_module_tender::service::get_procedure(db, p).await?.instance_id);
            }
            // Its monitoring (the activity under this contract).
            contract_monitored = Some(c.id);
        }
        "activity" => {
            mufakat_module_monev::service::get_activity(db, id).await?;
            activity_ids.push(id);
        }
        "assignment" => {
            use crate::entity::{finding, recommendation};
            let a = get_assignment(db, id).await?;
            push(a.instance_id);
            let fs = finding::Entity::find()
                .filter(finding::Column::AssignmentId.eq(a.id))
                .all(db)
                .await
                .db()?;
            let recs = recommendation::Entity::find()
                .filter(recommendation::Column::FindingId.is_in(fs.iter().map(|f| f.id)))
                .all(db)
                .await
                .db()?;
            for f in fs {
                push(f.instance_id);
            }
            for r in recs {
                push(r.instance_id);
            }
        }
        _ => {
            return Err(AppError::validation(
                "kind",
                "enum",
                                "Jenis objek: case, proposal, package, order, procedure, contract, activity, vendor atau assignment.",
                "Kind of object: case, proposal, package, order, procedure, contract, activity, vendor or assignment.",
            ))
        }
    }
    let orders = order::Entity::find()
        .filter(order::Column::PackageId.is_in(packages.iter().map(|p| p.id)))
        .all(db)
        .await
        .db()?;
    let package_ids: Vec<i32> = packages.iter().map(|p| p.id).collect();
    for p in packages {
        push(p.instance_id);
    }
    for o in orders {
        push(o.instance_id);
    }
    // The golden thread on: the package's competitive procedures, their objections and
    // contracts.
    use mufakat_module_tender::entity::{contract, objection, procedure};
    let procedures = procedure::Entity::find()
        .filter(procedure::Column::PackageId.is_in(package_ids.clone()))
        .all(db)
        .await
        .db()?;
    let objections = objection::Entity::find()
        .filter(objection::Column::ProcedureId.is_in(procedures.iter().map(|p| p.id)))
        .all(db)
        .await
        .db()?;
    let contracts = contract::Entity::find()
        .filter(contract::Column::PackageId.is_in(package_ids))
        .all(db)
        .await
        .db()?;
    for p in procedures {
        push(p.instance_id);
    }
    for o in objections {
        push(o.instance_id);
    }
    let mut contract_ids: Vec<i32> = contracts.iter().map(|c| c.id).collect();
    contract_ids.extend(contract_monitored);
    for c in contracts {
        push(c.instance_id);
    }
    // And on to monitoring: the monev activity of the line or contract, its monthly reports
    // and its flags.
    for c in super::triage::monev_cases(db, line_ids, contract_ids, activity_ids).await? {
        push(c);
    }
    out.extend(lines);
    Ok(out)
}

/// The most events one PDF of a selection holds.
pub const PDF_MAX_EVENTS: u64 = 20_000;

/// The selection as PDF: its events (at most [`PDF_MAX_EVENTS`]), the verification of the
/// range of the chain that holds them and the latest signed checkpoint.
pub async fn export_pdf(
    state: &AppState,
    reader: &CurrentUser,
    assignment_id: i32,
    f: &Filter,
    lang: mufakat_core::Lang,
) -> AppResult<Vec<u8>> {
    use mufakat_reports as r;
    let mut events = select_all(state, reader, assignment_id, f, PDF_MAX_EVENTS + 1).await?;
    too_many(events.len() as u64, PDF_MAX_EVENTS)?;
    events.truncate(PDF_MAX_EVENTS as usize);
    let a = get_assignment(&state.db, assignment_id).await?;
    let now = state.now();
    let verification = match (events.first(), events.last()) {
        (Some(first), Some(last)) if last.seq - first.seq < MAX_RANGE => {
            let v = verify_range(state, reader, assignment_id, first.seq, last.seq).await?;
            r::VerificationResult {
                ok: v.ok,
                events_checked: v.events as u64,
                checkpoints_checked: v.checkpoints.len() as u64,
                first_bad_seq: v.first_bad_seq.map(|s| s as u64),
                message: if v.ok {
                    format!(
                        "OK: #{}–#{}, {} events, {} checkpoint(s)",
                        v.from_seq,
                        v.to_seq,
                        v.events,
                        v.checkpoints.len()
                    )
                } else {
                    v.problem.unwrap_or_default()
                },
                verified_at: now,
            }
        }
        _ => r::VerificationResult {
            ok: true,
            events_checked: 0,
            checkpoints_checked: 0,
            first_bad_seq: None,
            message: "-".into(),
            verified_at: now,
        },
    };
    let checkpoint = mufakat_store::repo::audit::latest_checkpoint(&state.db)
        .await?
        .map(|c| r::CheckpointInfo {
            seq: c.seq as u64,
            hash: c.hash,
            signed_at: mufakat_audit::parse_time(&c.signed_at).unwrap_or(now),
            public_key: c.public_key,
        });
    let region = state
        .regions
        .read()
        .await
        .get(a.region_id)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let day = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let report = r::AuditTrailReport {
        region: format!("{region} — {}", a.number),
        scope: r::AuditScope::Period {
            from: f.from.unwrap_or(day(a.period_from)),
            to: f.to.unwrap_or(day(a.period_to + Duration::days(1))),
        },
        events: events
            .into_iter()
            .map(|e| r::AuditEventRow {
                seq: e.seq as u64,
                at: e.at,
                actor: e.actor,
                role: e.role,
                workflow: e.workflow,
                instance_id: e.instance_id,
                transition: e.transition,
                from_state: e.from_state,
                to_state: e.to_state,
                hash: e.hash,
                prev_hash: e.prev_hash,
            })
            .collect(),
        checkpoint,
        verification,
        generated_at: now,
    };
    r::audit_trail(&report, lang).map_err(AppError::internal)
}
