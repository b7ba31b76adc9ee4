//! What the timers of a procedure do besides moving its case, in the timer's transaction:
//!
//! - **at the deadline** (`close`): the set of sealed bids is sealed in the audit chain — one
//!   event listing every bid's id, size and ciphertext hash, with their root hash — so that no
//!   bid can be added, changed or dropped afterwards without breaking the chain;
//! - **at once after** (`open`): the procedure's private key is unwrapped in memory and every
//!   sealed bid is decrypted together; each bid's price, technical offer and documents are
//!   stored (the documents in the blob store), and one event records each bid's vendor, price
//!   and plaintext hash (or why it could not be opened);
//! - **at the end of the objection period** (`end_objections`) and when an objection's answer
//!   is overdue: the rows follow their cases.

use bytes::Bytes;
use mufakat_core::{AppResult, Money};
use mufakat_kernel::audit_log::{AuditDraft, Chain, WriteTxn};
use mufakat_kernel::services::cases::{AfterTimer, Fired};
use mufakat_kernel::AppState;
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use sha2::Digest;

use super::{MINI_WORKFLOW, OBJECTION_WORKFLOW, TENDER_WORKFLOW};
use crate::entity::{bid, objection, procedure};
use crate::runtime;

/// The workflow name of the events this module appends beside transitions.
pub const BIDS_EVENTS: &str = "procurement.bids";

/// The root hash over a set of sealed bids: SHA-256 of `id:sha256\n` lines in order of id.
pub fn seal_root(bids: &[(i32, String)]) -> String {
    let mut h = sha2::Sha256::new();
    for (id, sha) in bids {
        h.update(format!("{id}:{sha}\n").as_bytes());
    }
    hex::encode(h.finalize())
}

pub struct ProcedureTimers;

#[async_trait::async_trait]
impl AfterTimer for ProcedureTimers {
    fn workflows(&self) -> &'static [&'static str] {
        &[TENDER_WORKFLOW, MINI_WORKFLOW]
    }

    async fn after(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
        fired: &Fired,
    ) -> AppResult<()> {
        let Some(p) = procedure::Entity::find()
            .filter(procedure::Column::InstanceId.eq(fired.case.id))
            .one(txn)
            .await
            .db()?
        else {
            return Ok(());
        };
        let to = fired.case.state.clone();
        let now = chain.now;
        match fired.outcome.transition.as_str() {
            "close" => {
                let sealed: Vec<bid::Model> = bid::Entity::find()
                    .filter(bid::Column::ProcedureId.eq(p.id))
                    .filter(bid::Column::Status.eq("sealed"))
                    .order_by_asc(bid::Column::Id)
                    .all(txn)
                    .await
                    .db()?;
                let pairs: Vec<(i32, String)> =
                    sealed.iter().map(|b| (b.id, b.sha256.clone())).collect();
                chain
                    .append(
                        txn,
                        draft(
                            &p,
                            "seal_bids",
                            &fired.outcome.from,
                            &to,
                            json!({
                                "procedure": p.id.to_string(),
                                "count": sealed.len(),
                                "root": seal_root(&pairs),
                                "bids": sealed.iter().map(|b| json!({
                                    "bid": b.id.to_string(),
                                    "sha256": b.sha256,
                                    "size_bytes": b.size_bytes,
                                    "submitted_at": b.submitted_at.to_rfc3339(),
                                })).collect::<Vec<_>>(),
                            }),
                        ),
                    )
                    .await?;
            }
            "open" => open_all(state, txn, chain, &p, &fired.outcome.from, &to).await?,
            _ => {}
        }
        super::procedures::set_state(txn, &p, &to, now, |u| {
            if fired.outcome.transition == "open" {
                u.col_expr(procedure::Column::OpenedAt, Expr::value(now))
            } else {
                u
            }
        })
        .await
    }
}

fn draft(
    p: &procedure::Model,
    transition: &str,
    from: &str,
    to: &str,
    input: serde_json::Value,
) -> AuditDraft {
    AuditDraft {
        actor: "system".into(),
        role: "system".into(),
        workflow: BIDS_EVENTS.into(),
        workflow_version: "1".into(),
        instance_id: p.instance_id.map(|i| i.to_string()).unwrap_or_default(),
        transition: transition.into(),
        from_state: from.into(),
        to_state: to.into(),
        input,
        comment: None,
    }
}

async fn open_all(
    state: &AppState,
    txn: &WriteTxn,
    chain: &mut Chain,
    p: &procedure::Model,
    from: &str,
    to: &str,
) -> AppResult<()> {
    let rt = runtime::get(state)?;
    let blobs = mufakat_module_procurement::runtime::get(state)?;
    let key = rt.bid_key.unwrap(&p.wrapped_key).map_err(|e| {
        mufakat_core::AppError::internal(anyhow::anyhow!("procedure {}: {e}", p.id))
    })?;
    let sealed: Vec<bid::Model> = bid::Entity::find()
        .filter(bid::Column::ProcedureId.eq(p.id))
        .filter(bid::Column::Status.eq("sealed"))
        .order_by_asc(bid::Column::Id)
        .all(txn)
        .await
        .db()?;
    let mut record = vec![];
    for b in sealed {
        let bytes = blobs
            .blobs
            .get(&b.storage_key)
            .await
            .map_err(mufakat_core::AppError::internal)?;
        // The stored bytes are those sealed at the deadline, or the opening stops here.
        if seal::receipt_hash(&bytes) != b.sha256 {
            return Err(mufakat_core::AppError::internal(anyhow::anyhow!(
                "bid {}: stored ciphertext does not match its hash",
                b.id
            )));
        }
        let upd = bid::Entity::update_many().filter(bid::Column::Id.eq(b.id));
        let opened = key.open(&bytes).and_then(|o| {
            if o.envelope.procedure != p.number {
                return Err(format!(
                    "sealed for {}, not {}",
                    o.envelope.procedure, p.number
                ));
            }
            let m = Money::new(o.envelope.price)
                .map_err(|_| "price with more than two decimals".to_string())?;
            if m.amount() <= rust_decimal::Decimal::ZERO {
                return Err("price not above 0".into());
            }
            let sen = m
                .to_minor_units()
                .map_err(|_| "price too large".to_string())?;
            Ok((o, sen))
        });
        match opened {
            Ok((o, sen)) => {
                let mut docs = vec![];
                for d in &o.envelope.documents {
                    let data = d
                        .bytes()
                        .map_err(|e| mufakat_core::AppError::internal(anyhow::anyhow!(e)))?;
                    let size = data.len();
                    let (sha, k) = blobs.put(&Bytes::from(data)).await?;
                    docs.push(json!({"name": d.name, "content_type": d.content_type, "size_bytes": size, "sha256": sha, "key": k}));
                }
                upd.col_expr(bid::Column::Status, Expr::value("opened"))
                    .col_expr(bid::Column::PriceSen, Expr::value(sen))
                    .col_expr(bid::Column::OpenedSha256, Expr::value(o.sha256.clone()))
                    .col_expr(
                        bid::Column::Technical,
                        Expr::value(o.envelope.technical.clone()),
                    )
                    .col_expr(
                        bid::Column::Documents,
                        Expr::value(serde_json::to_string(&docs).unwrap_or_default()),
                    )
                    .exec(txn)
                    .await
                    .db()?;
                record.push(json!({
                    "bid": b.id.to_string(),
                    "vendor": b.vendor_id.to_string(),
                    "sha256": b.sha256,
                    "opened_sha256": o.sha256,
                    "price": o.envelope.price.to_string(),
                    "documents": docs.len(),
                }));
            }
            Err(why) => {
                upd.col_expr(bid::Column::Status, Expr::value("unreadable"))
                    .col_expr(
                        bid::Column::Reason,
                        Expr::value(format!("Penawaran tidak dapat dibuka: {why}")),
                    )
                    .exec(txn)
                    .await
                    .db()?;
                record.push(json!({
                    "bid": b.id.to_string(),
                    "vendor": b.vendor_id.to_string(),
                    "sha256": b.sha256,
                    "error": why,
                }));
            }
        }
    }
    chain
        .append(
            txn,
            draft(
                p,
                "open_bids",
                from,
                to,
                json!({ "procedure": p.id.to_string(), "bids": record }),
            ),
        )
        .await?;
    let bids = super::publish::bids_of(txn, p).await?;
    let at = chain.now;
    super::publish::publish(state, txn, p.package_id, |pr, seq| {
        crate::ocds::opening_release(pr, seq, at, &p.number, &bids)
    })
    .await?;
    Ok(())
}

use crate::seal;

/// An objection whose answer is overdue: its row follows.
pub struct ObjectionTimers;

#[async_trait::async_trait]
impl AfterTimer for ObjectionTimers {
    fn workflows(&self) -> &'static [&'static str] {
        &[OBJECTION_WORKFLOW]
    }

    async fn after(
        &self,
        _state: &AppState,
        txn: &WriteTxn,
        _chain: &mut Chain,
        fired: &Fired,
    ) -> AppResult<()> {
        objection::Entity::update_many()
            .col_expr(
                objection::Column::Status,
                Expr::value(fired.case.state.clone()),
            )
            .filter(objection::Column::InstanceId.eq(fired.case.id))
            .exec(txn)
            .await
            .db()?;
        Ok(())
    }
}
