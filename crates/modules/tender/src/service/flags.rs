//! Red flags of the competitive procedures (the pure indicators are
//! `mufakat_procurement::flags`, as Cardinal documents them), computed two ways that must
//! agree: from the **exported** data (the stored OCDS releases of each process, compiled by the
//! merge rules — what anyone running Cardinal on `mufakat ocds export --records` reads) and
//! from the **live** rows (each process's compiled release built afresh from its procedures,
//! bids, awards and contracts). Who reads them: those who read procurement's red flags in a
//! process's region (auditors within an assignment, UKPBJ staff).

use std::collections::BTreeMap;

use mufakat_core::{AppError, AppResult};
use mufakat_kernel::auth::CurrentUser;
use mufakat_kernel::AppState;
use mufakat_module_procurement::service::packages::get_package;
use mufakat_procurement::{compute_flags, CatalogueMedians, Flag, FlagSettings, Scope};
use mufakat_store::DbResultExt;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::Value;

use super::publish::{self, award_of, bids_of, contract_of, planning_of, tender_of};
use crate::entity::{contract, procedure, release};
use crate::ocds;

/// Where the flags are computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Live,
    Export,
}

/// Every process's compiled release from its stored releases.
pub async fn compiled_from_export(db: &impl ConnectionTrait) -> AppResult<Vec<Value>> {
    let rows = release::Entity::find()
        .order_by_asc(release::Column::Ocid)
        .order_by_asc(release::Column::Id)
        .all(db)
        .await
        .db()?;
    let mut by: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in rows {
        by.entry(r.ocid.clone())
            .or_default()
            .push(serde_json::from_str(&r.body).map_err(AppError::internal)?);
    }
    Ok(by.values().map(|rs| ocds::compile(rs)).collect())
}

/// Every process's compiled release built from its rows now.
pub async fn compiled_live(state: &AppState, db: &impl ConnectionTrait) -> AppResult<Vec<Value>> {
    let procs = procedure::Entity::find()
        .order_by_asc(procedure::Column::PackageId)
        .order_by_asc(procedure::Column::Id)
        .all(db)
        .await
        .db()?;
    let contracts = contract::Entity::find().all(db).await.db()?;
    let mut by: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
    for p in &procs {
        let pkg = get_package(db, p.package_id).await?;
        let pr = publish::process(state, db, &pkg).await?;
        let list = by.entry(pkg.id).or_default();
        let mut seq = list.len() as u32;
        let mut next = || {
            seq += 1;
            seq
        };
        let planning = planning_of(db, &pkg).await?;
        let tender = tender_of(db, p).await?;
        list.push(ocds::tender_release(&pr, next(), &planning, &tender));
        if let Some(at) = p.opened_at {
            // At the opening every readable bid was valid; the award announcement then judged them.
            let mut bids = bids_of(db, p).await?;
            if p.award_at.is_none() {
                for b in &mut bids {
                    if b.price.is_some() {
                        b.status = "valid";
                    }
                }
            }
            list.push(ocds::opening_release(&pr, next(), at, &p.number, &bids));
            if let Some(aat) = p.award_at {
                let award = award_of(db, p, "pending", aat).await?;
                list.push(ocds::award_release(&pr, next(), aat, &award, &bids, false));
            }
        }
        if let Some(sat) = p.sppbj_at {
            let award = award_of(db, p, "active", sat).await?;
            list.push(ocds::award_release(&pr, next(), sat, &award, &[], true));
        }
        if matches!(p.status.as_str(), "unsuccessful" | "cancelled") {
            list.push(ocds::tender_status_release(
                &pr,
                next(),
                p.updated_at,
                &p.number,
                &p.status,
                "",
            ));
        }
        for c in contracts.iter().filter(|c| c.procedure_id == Some(p.id)) {
            let oc = contract_of(db, c).await?;
            list.push(ocds::contract_release(&pr, next(), c.signed_at, &oc));
            if c.status == "completed" {
                let payee = publish::vendor_party(
                    &mufakat_module_procurement::service::get_vendor(db, c.vendor_id).await?,
                    "payee",
                );
                let paid =
                    mufakat_module_procurement::service::from_sen(c.paid_sen.unwrap_or_default());
                list.push(ocds::implementation_release(
                    &pr,
                    next(),
                    c.updated_at,
                    &oc,
                    Some((paid, &payee)),
                    None,
                ));
            } else if c.status == "terminated" {
                list.push(ocds::implementation_release(
                    &pr,
                    next(),
                    c.updated_at,
                    &oc,
                    None,
                    Some(""),
                ));
            }
        }
    }
    Ok(by.values().map(|rs| ocds::compile(rs)).collect())
}

/// The indicators' settings: Cardinal's defaults, or the `[flags]` table of the procedures'
/// settings file.
pub fn settings(state: &AppState) -> AppResult<FlagSettings> {
    let path = state
        .settings
        .workflows_dir
        .join(crate::runtime::SETTINGS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => FlagSettings::from_toml(&text)
            .map_err(|e| AppError::internal(anyhow::anyhow!("{}: {e}", path.display()))),
        Err(_) => Ok(FlagSettings::default()),
    }
}

/// The flags from `source`, over every process (the quartile-based fences need the whole set).
pub async fn all(state: &AppState, source: Source) -> AppResult<Vec<Flag>> {
    let compiled = match source {
        Source::Live => compiled_live(state, &state.db).await?,
        Source::Export => compiled_from_export(&state.db).await?,
    };
    Ok(compute_flags(
        &compiled,
        &settings(state)?,
        &CatalogueMedians::new(),
    ))
}

/// The flags `reader` may read: a process's where it reads procurement's red flags in the
/// process's region; an organisation's when it may read them somewhere. `FORBIDDEN` when
/// nowhere.
pub async fn for_reader(
    state: &AppState,
    reader: &CurrentUser,
    source: Source,
) -> AppResult<Vec<Flag>> {
    let flags = all(state, source).await?;
    let prefix = format!("{}-", crate::runtime::get(state)?.settings.ocds.ocid_prefix);
    let mut allowed_somewhere = false;
    for (_, region) in &reader.grants {
        if state.authz.allowed(
            reader,
            &state.region_path(*region).await,
            mufakat_module_procurement::perms::FLAGS_READ,
        )? {
            allowed_somewhere = true;
        }
    }
    if !allowed_somewhere {
        return Err(AppError::Forbidden);
    }
    let mut out = vec![];
    for f in flags {
        let ok = match (&f.scope, &f.ocid) {
            (Scope::ContractingProcess, Some(ocid)) => match ocid
                .strip_prefix(&prefix)
                .and_then(|n| n.parse::<i32>().ok())
            {
                Some(pid) => {
                    let pkg = get_package(&state.db, pid).await?;
                    state.authz.allowed(
                        reader,
                        &state.region_path(pkg.region_id).await,
                        mufakat_module_procurement::perms::FLAGS_READ,
                    )?
                }
                None => false,
            },
            _ => true,
        };
        if ok {
            out.push(f);
        }
    }
    Ok(out)
}
