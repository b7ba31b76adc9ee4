//! What services publish about their cases, as their workflow files declare it
//! ([`mufakat_workflow::RegisterDef`], [`mufakat_workflow::ServiceLevelDef`]): the public register
//! of cases and outcomes (names withheld), and the service-level report per unit (OPD). Both are
//! public: they carry no personal data, only the fields a file lists and counts.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{audit_event as ae, workflow_instance as wi};
use mufakat_store::DbResultExt;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Map, Value};

use crate::AppState;

/// One case in a public register.
pub struct RegisterEntry {
    /// The case number.
    pub number: i32,
    pub received_at: DateTime<Utc>,
    pub state: String,
    pub state_title: String,
    pub state_since: DateTime<Utc>,
    pub is_final: bool,
    pub region: String,
    /// Only the fields the file's `[register]` lists (those the case has).
    pub fields: Map<String, Value>,
}

pub struct RegisterPage {
    pub entries: Vec<RegisterEntry>,
    /// Whether older entries follow (ask again with `before` = the last number).
    pub has_more: bool,
}

fn region_subtree(
    tree: &mufakat_core::RegionTree,
    region_id: Option<i32>,
) -> AppResult<Option<Vec<i32>>> {
    match region_id {
        None => Ok(None),
        Some(r) if tree.get(r).is_some() => Ok(Some(tree.descendants_inclusive(r))),
        Some(_) => Err(AppError::NotFound { entity: "region" }),
    }
}

/// The public register of `workflow`'s cases, newest first, in `region` and below.
pub async fn register(
    state: &AppState,
    workflow: &str,
    region_id: Option<i32>,
    first: u64,
    before: Option<i32>,
) -> AppResult<RegisterPage> {
    let latest = state
        .workflows
        .latest(workflow)
        .filter(|d| d.def.register.is_some())
        .ok_or(AppError::NotFound { entity: "register" })?;
    let mut q = wi::Entity::find()
        .filter(wi::Column::Workflow.eq(workflow))
        .order_by_desc(wi::Column::Id);
    if let Some(b) = before {
        q = q.filter(wi::Column::Id.lt(b));
    }
    let names: HashMap<i32, String> = {
        let tree = state.regions.read().await;
        if let Some(ids) = region_subtree(&tree, region_id)? {
            q = q.filter(wi::Column::RegionId.is_in(ids));
        }
        tree.all().map(|r| (r.id, r.name.clone())).collect()
    };
    let first = first.clamp(1, 100);
    let rows = q.limit(first + 1).all(&state.db).await.db()?;
    let has_more = rows.len() as u64 > first;
    let mut entries = vec![];
    for m in rows.into_iter().take(first as usize) {
        // Each case by its own version's register (a newer version may list other fields).
        let d = state
            .workflows
            .get(m.definition_id)
            .unwrap_or_else(|| latest.clone());
        let listed = d
            .def
            .register
            .as_ref()
            .or(latest.def.register.as_ref())
            .map(|r| r.fields.clone())
            .unwrap_or_default();
        let all: Map<String, Value> =
            serde_json::from_str(&m.fields).map_err(AppError::internal)?;
        let fields = listed
            .iter()
            .filter_map(|f| {
                all.get(f)
                    .filter(|v| !v.is_null())
                    .map(|v| (f.clone(), v.clone()))
            })
            .collect();
        entries.push(RegisterEntry {
            number: m.id,
            received_at: m.created_at,
            state_title: d
                .def
                .state(&m.state)
                .map(|s| s.title.clone())
                .unwrap_or_else(|| m.state.clone()),
            state: m.state,
            state_since: m.state_entered_at,
            is_final: m.is_final,
            region: names.get(&m.region_id).cloned().unwrap_or_default(),
            fields,
        });
    }
    Ok(RegisterPage { entries, has_more })
}

/// One line of the service-level report: a workflow's cases served by one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLevelRow {
    pub workflow: String,
    pub workflow_title: String,
    /// The unit (OPD) that serves them; `None` for cases not yet given to one.
    pub unit: Option<String>,
    /// Cases received in the period.
    pub received: u32,
    /// Of those, served (answered, resolved, decided) by now.
    pub served: u32,
    /// Served without missing a service level.
    pub on_time: u32,
    /// That missed a service level: escalated, served after the deadline, or still unserved
    /// past it.
    pub late: u32,
    /// Not served yet.
    pub open: u32,
    /// Median working days from receipt to service, of the served ones.
    pub median_working_days: Option<Decimal>,
}

/// The period as times: from the start of `from` to the end of `to`, in the calendar's time.
fn period(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    if to < from || (to - from).num_days() > 366 * 5 {
        return Err(AppError::validation(
            "to",
            "range",
            "Periode laporan tidak valid (paling lama 5 tahun, akhir tidak sebelum awal).",
            "The report's period is not valid (at most 5 years, the end not before the start).",
        ));
    }
    let tz = state.calendar.offset_for(&[]);
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no local midnight on {d}")))
    };
    let end_day = to.succ_opt().ok_or_else(|| {
        AppError::validation(
            "to",
            "range",
            "Tanggal akhir tidak valid.",
            "The end date is not valid.",
        )
    })?;
    Ok((start(from)?, start(end_day)?))
}

fn due_of(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let s = v?.as_str()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // A date means 00:00 UTC (docs/workflows.md, timers).
    s.parse::<NaiveDate>()
        .ok()
        .map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")))
}

/// The median of whole numbers, with a half when there are two middles.
pub fn median(mut v: Vec<i64>) -> Option<Decimal> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        Decimal::from(v[n / 2])
    } else {
        (Decimal::from(v[n / 2 - 1]) + Decimal::from(v[n / 2])) / Decimal::from(2)
    })
}

/// The service-level report: every workflow with a `[service_level]`, its cases received from
/// `from` to `to` (inclusive, in the calendar's time) in `region` and below, per unit.
pub async fn service_levels(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
    region_id: Option<i32>,
) -> AppResult<Vec<ServiceLevelRow>> {
    let (start, end) = period(state, from, to)?;
    let regions = region_subtree(&*state.regions.read().await, region_id)?;
    let now = state.now();
    let mut codes: HashMap<i32, Vec<String>> = HashMap::new();
    let mut out = vec![];
    let mut services: Vec<_> = state
        .workflows
        .all()
        .into_iter()
        .filter(|d| state.workflows.is_latest(d) && d.def.service_level.is_some())
        .collect();
    services.sort_by(|a, b| a.def.name.cmp(&b.def.name));
    for d in services {
        let sl = d.def.service_level.clone().expect("filtered above");
        let mut q = wi::Entity::find()
            .filter(wi::Column::Workflow.eq(d.def.name.as_str()))
            .filter(wi::Column::CreatedAt.gte(start))
            .filter(wi::Column::CreatedAt.lt(end));
        if let Some(ids) = &regions {
            q = q.filter(wi::Column::RegionId.is_in(ids.clone()));
        }
        let cases = q.all(&state.db).await.db()?;
        // When each case was first served: its first event into a served state.
        let mut served_at: HashMap<i32, DateTime<Utc>> = HashMap::new();
        for chunk in cases.chunks(500) {
            let ids: Vec<String> = chunk.iter().map(|c| c.id.to_string()).collect();
            let events: Vec<(String, String)> = ae::Entity::find()
                .select_only()
                .column(ae::Column::InstanceId)
                .column(ae::Column::At)
                .filter(ae::Column::Workflow.eq(d.def.name.as_str()))
                .filter(ae::Column::InstanceId.is_in(ids))
                .filter(ae::Column::ToState.is_in(sl.served.clone()))
                .into_tuple()
                .all(&state.db)
                .await
                .db()?;
            for (id, at) in events {
                let (Ok(id), Ok(at)) = (id.parse::<i32>(), mufakat_audit::parse_time(&at)) else {
                    continue;
                };
                let e = served_at.entry(id).or_insert(at);
                if at < *e {
                    *e = at;
                }
            }
        }
        let mut units: BTreeMap<Option<String>, (ServiceLevelRow, Vec<i64>)> = BTreeMap::new();
        for c in &cases {
            let fields: Map<String, Value> =
                serde_json::from_str(&c.fields).map_err(AppError::internal)?;
            let unit = sl.unit_of(&fields);
            let (row, days) = units.entry(unit.clone()).or_insert_with(|| {
                (
                    ServiceLevelRow {
                        workflow: d.def.name.clone(),
                        workflow_title: d.def.title.clone(),
                        unit,
                        received: 0,
                        served: 0,
                        on_time: 0,
                        late: 0,
                        open: 0,
                        median_working_days: None,
                    },
                    vec![],
                )
            });
            let served = served_at.get(&c.id).copied();
            let flagged = sl
                .late_field
                .as_ref()
                .is_some_and(|f| fields.get(f) == Some(&Value::Bool(true)));
            let past_due = sl
                .due_field
                .as_ref()
                .and_then(|f| due_of(fields.get(f)))
                .is_some_and(|due| served.unwrap_or(now) > due);
            let late = flagged || past_due;
            row.received += 1;
            row.late += u32::from(late);
            match served {
                Some(at) => {
                    row.served += 1;
                    row.on_time += u32::from(!late);
                    if !codes.contains_key(&c.region_id) {
                        codes.insert(c.region_id, state.region_codes(c.region_id).await);
                    }
                    days.push(state.calendar.working_days_between(
                        c.created_at,
                        at,
                        &codes[&c.region_id],
                    ));
                }
                None => row.open += 1,
            }
        }
        for (_, (mut row, days)) in units {
            row.median_working_days = median(days);
            out.push(row);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_whole_days() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(Decimal::from(7)));
        assert_eq!(median(vec![9, 1, 4]), Some(Decimal::from(4)));
        assert_eq!(median(vec![5, 1, 4, 2]), Some(Decimal::new(30, 1)));
        assert_eq!(median(vec![1, 2]), Some(Decimal::new(15, 1)));
    }

    #[test]
    fn a_due_field_is_a_time_or_a_date() {
        assert_eq!(
            due_of(Some(&Value::from("2026-12-07T09:00:00Z"))),
            Some(Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap())
        );
        assert_eq!(
            due_of(Some(&Value::from("2026-12-07"))),
            Some(Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap())
        );
        assert_eq!(due_of(Some(&Value::Null)), None);
        assert_eq!(due_of(None), None);
    }
}
