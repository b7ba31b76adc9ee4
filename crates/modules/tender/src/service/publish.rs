//! Publishing OCDS releases: each stage of a procedure stores its release once, in the
//! transaction of the stage (a stage that rolls back publishes nothing; a release is never
//! changed: a change is the next release). One ocid per package (`{prefix}-{package id}`): a
//! re-tender continues the same contracting process. Reading them back: paged releases, and
//! records with their compiled release.

use chrono::{DateTime, Utc};
use mufakat_core::{AppError, AppResult};
use mufakat_kernel::AppState;
use mufakat_module_procurement::entity::{package, vendor};
use mufakat_module_procurement::service::packages::{get_line, get_package};
use mufakat_module_procurement::service::{from_sen, get_vendor};
use mufakat_store::DbResultExt;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use crate::entity::{bid, procedure, release};
use crate::ocds::{self, Party, Process};
use crate::runtime;

pub fn ocid(state: &AppState, package_id: i32) -> AppResult<String> {
    Ok(format!(
        "{}-{package_id}",
        runtime::get(state)?.settings.ocds.ocid_prefix
    ))
}

/// The buyer of a package: the region's government (and the OPD of its plan line).
pub async fn process(
    state: &AppState,
    db: &impl ConnectionTrait,
    pkg: &package::Model,
) -> AppResult<Process> {
    let line = get_line(db, pkg.line_id).await?;
    let region = state
        .regions
        .read()
        .await
        .get(pkg.region_id)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let name = if line.opd.is_empty() {
        region
    } else {
        format!("{} — {region}", line.opd)
    };
    Ok(Process {
        ocid: ocid(state, pkg.id)?,
        buyer: Party {
            id: format!("buyer-{}-{}", pkg.region_id, slug(&line.opd)),
            name,
            roles: vec!["buyer"],
            identifier: None,
            address: None,
        },
    })
}

fn slug(s: &str) -> String {
    let s: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "pemda".into()
    } else {
        s
    }
}

pub fn vendor_party(v: &vendor::Model, role: &'static str) -> Party {
    Party {
        id: format!("ID-NIB-{}", v.nib),
        name: v.name.clone(),
        roles: vec![role],
        identifier: Some(("ID-NIB".into(), v.nib.clone())),
        address: Some(v.address.clone()),
    }
}

pub fn procuring_entity(region_id: i32) -> Party {
    Party {
        id: format!("ukpbj-{region_id}"),
        name: "UKPBJ (Unit Kerja Pengadaan Barang/Jasa)".into(),
        roles: vec!["procuringEntity"],
        identifier: None,
        address: None,
    }
}

/// The next release number of a process.
async fn next_seq(db: &impl ConnectionTrait, ocid: &str) -> AppResult<u32> {
    Ok(release::Entity::find()
        .filter(release::Column::Ocid.eq(ocid))
        .count(db)
        .await
        .db()? as u32
        + 1)
}

/// Builds a release with the process's next number and stores it.
pub async fn publish(
    state: &AppState,
    db: &impl ConnectionTrait,
    package_id: i32,
    build: impl FnOnce(&Process, u32) -> Value,
) -> AppResult<()> {
    let pkg = get_package(db, package_id).await?;
    let p = process(state, db, &pkg).await?;
    let seq = next_seq(db, &p.ocid).await?;
    let mut body = build(&p, seq);
    let mut date: DateTime<Utc> = body["date"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("release without a date")))?;
    // A process's releases are dated in the order they were published (the merge rules order
    // them by date): never before the previous one, whatever the clocks of the nodes said.
    let last = release::Entity::find()
        .filter(release::Column::Ocid.eq(p.ocid.as_str()))
        .order_by_desc(release::Column::Id)
        .one(db)
        .await
        .db()?;
    if let Some(l) = last.filter(|l| l.date > date) {
        date = l.date;
        body["date"] = Value::String(date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let tags: Vec<&str> = body["tag"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    release::ActiveModel {
        ocid: Set(p.ocid.clone()),
        release_id: Set(body["id"].as_str().unwrap_or_default().to_owned()),
        date: Set(date),
        tags: Set(tags.join(",")),
        package_id: Set(package_id),
        body: Set(body.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await
    .db()?;
    Ok(())
}

/// The tender as announced (for the first release).
pub async fn tender_of(db: &impl ConnectionTrait, p: &procedure::Model) -> AppResult<ocds::Tender> {
    let pkg = get_package(db, p.package_id).await?;
    let mut invited = vec![];
    for i in super::procedures::invited(db, p.id).await? {
        invited.push(vendor_party(
            &get_vendor(db, i.vendor_id).await?,
            "tenderer",
        ));
    }
    Ok(ocds::Tender {
        id: p.number.clone(),
        title: p.title.clone(),
        method: p.method.clone(),
        kind: pkg.kind.clone(),
        hps: from_sen(p.hps_sen),
        evaluation: p.evaluation.clone(),
        description: p.documents.clone(),
        eligibility: p.qualification.clone(),
        announced_at: p.created_at,
        deadline: p.bid_deadline,
        procuring_entity: procuring_entity(p.region_id),
        invited,
    })
}

pub async fn planning_of(
    db: &impl ConnectionTrait,
    pkg: &package::Model,
) -> AppResult<ocds::Planning> {
    let line = get_line(db, pkg.line_id).await?;
    Ok(ocds::Planning {
        line_id: line.id,
        title: line.title.clone(),
        year: line.year,
        budget: from_sen(line.budget_sen),
        proposal_id: line.proposal_id,
        package_name: pkg.name.clone(),
        package_pagu: from_sen(pkg.pagu_sen),
    })
}

/// The opened bids as OCDS sees them: `valid` until evaluated, then by the evaluation.
pub async fn bids_of(db: &impl ConnectionTrait, p: &procedure::Model) -> AppResult<Vec<ocds::Bid>> {
    let mut out = vec![];
    for b in super::bids::of_procedure(db, p.id).await? {
        if !matches!(b.status.as_str(), "opened" | "unreadable") {
            continue;
        }
        out.push(ocds::Bid {
            id: format!("{}-bid-{}", p.number, b.id),
            tenderer: vendor_party(&get_vendor(db, b.vendor_id).await?, "tenderer"),
            submitted_at: b.submitted_at,
            price: b.price_sen.map(from_sen),
            status: bid_status(&b),
        });
    }
    Ok(out)
}

fn bid_status(b: &bid::Model) -> &'static str {
    if b.status == "unreadable" || b.reason.is_some() {
        "disqualified"
    } else {
        "valid"
    }
}

pub fn award_id(p: &procedure::Model) -> String {
    format!("{}-award", p.number)
}

/// The award of a procedure with a winner.
pub async fn award_of(
    db: &impl ConnectionTrait,
    p: &procedure::Model,
    status: &'static str,
    at: DateTime<Utc>,
) -> AppResult<ocds::Award> {
    let w = super::bids::get_bid(
        db,
        p.winner_bid_id
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no winner")))?,
    )
    .await?;
    Ok(ocds::Award {
        id: award_id(p),
        tender_id: p.number.clone(),
        title: p.title.clone(),
        status,
        date: at,
        value: from_sen(w.price_sen.unwrap_or_default()),
        supplier: vendor_party(&get_vendor(db, w.vendor_id).await?, "supplier"),
    })
}

/// One page of releases in the order they were published.
pub async fn releases(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> AppResult<Vec<release::Model>> {
    release::Entity::find()
        .filter(release::Column::Id.gt(after))
        .order_by_asc(release::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .db()
}

/// The releases of one process.
pub async fn of_ocid(db: &impl ConnectionTrait, ocid: &str) -> AppResult<Vec<Value>> {
    release::Entity::find()
        .filter(release::Column::Ocid.eq(ocid))
        .order_by_asc(release::Column::Id)
        .all(db)
        .await
        .db()?
        .iter()
        .map(|r| serde_json::from_str(&r.body).map_err(AppError::internal))
        .collect()
}

pub fn publisher(state: &AppState) -> AppResult<ocds::Publisher> {
    let s = &runtime::get(state)?.settings.ocds;
    Ok(ocds::Publisher {
        name: s.publisher.clone(),
        uri: s.uri.clone(),
    })
}

/// A contract as OCDS sees it.
pub async fn contract_of(
    db: &impl ConnectionTrait,
    c: &crate::entity::contract::Model,
) -> AppResult<ocds::Contract> {
    let award = match c.procedure_id {
        Some(p) => award_id(&super::get_procedure(db, p).await?),
        None => String::new(),
    };
    let pkg = get_package(db, c.package_id).await?;
    Ok(ocds::Contract {
        id: c.number.clone(),
        award_id: award,
        title: pkg.name,
        status: if c.status == "signed" {
            "active"
        } else {
            "terminated"
        },
        value: from_sen(c.value_sen),
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        signed_at: c.signed_at,
    })
}

/// Writes every release (`records`: every record, with its compiled release) as one OCDS
/// package, streamed: the releases are written as they were stored. Returns how many
/// releases (or records) were written.
pub async fn export(
    state: &AppState,
    out: &mut (dyn std::io::Write + Send),
    records: bool,
) -> AppResult<usize> {
    let now = state.now();
    let publisher = publisher(state)?;
    let uri = format!(
        "{}/ocds/{}.json",
        publisher.uri,
        if records { "records" } else { "releases" }
    );
    let head = if records {
        ocds::record_package(vec![], &publisher, now, &uri)
    } else {
        ocds::release_package(vec![], &publisher, now, &uri)
    };
    let key = if records { "records" } else { "releases" };
    let text = head.to_string();
    let open = format!("\"{key}\":[]");
    let at = text
        .find(&open)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("package shape")))?;
    let io = |e: std::io::Error| AppError::internal(e);
    out.write_all(text[..at + open.len() - 1].as_bytes())
        .map_err(io)?;
    let mut n = 0usize;
    let mut after = 0;
    let mut current: Option<(String, Vec<Value>)> = None;
    loop {
        let page = if records {
            release::Entity::find()
                .order_by_asc(release::Column::Ocid)
                .order_by_asc(release::Column::Id)
                .offset(after as u64)
                .limit(1000)
                .all(&state.db)
                .await
                .db()?
        } else {
            releases(&state.db, after, 1000).await?
        };
        if page.is_empty() {
            break;
        }
        for r in &page {
            if records {
                let body: Value = serde_json::from_str(&r.body).map_err(AppError::internal)?;
                match &mut current {
                    Some((ocid, list)) if *ocid == r.ocid => list.push(body),
                    _ => {
                        if let Some((ocid, list)) = current.take() {
                            if n > 0 {
                                out.write_all(b",").map_err(io)?;
                            }
                            out.write_all(ocds::record(&ocid, list).to_string().as_bytes())
                                .map_err(io)?;
                            n += 1;
                        }
                        current = Some((r.ocid.clone(), vec![body]));
                    }
                }
            } else {
                if n > 0 {
                    out.write_all(b",").map_err(io)?;
                }
                out.write_all(r.body.as_bytes()).map_err(io)?;
                n += 1;
            }
        }
        after = if records {
            after + page.len() as i32
        } else {
            page.last().map(|r| r.id).unwrap_or(after)
        };
    }
    if let Some((ocid, list)) = current.take() {
        if n > 0 {
            out.write_all(b",").map_err(io)?;
        }
        out.write_all(ocds::record(&ocid, list).to_string().as_bytes())
            .map_err(io)?;
        n += 1;
    }
    out.write_all(text[at + open.len() - 1..].as_bytes())
        .map_err(io)?;
    Ok(n)
}
