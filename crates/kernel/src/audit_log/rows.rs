//! The audit chain's rows: an event as a row and back, an object's history, the export for the
//! independent verifier.

use mufakat_audit::{AuditEvent, Checkpoint};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{audit_checkpoint, audit_event};
use mufakat_store::repo::audit as repo;
use sea_orm::ConnectionTrait;

pub fn to_row(e: &AuditEvent) -> audit_event::Model {
    audit_event::Model {
        seq: e.seq,
        at: mufakat_audit::format_time(e.at),
        actor: e.actor.clone(),
        role: e.role.clone(),
        workflow: e.workflow.clone(),
        workflow_version: e.workflow_version.clone(),
        instance_id: e.instance_id.clone(),
        transition: e.transition.clone(),
        from_state: e.from_state.clone(),
        to_state: e.to_state.clone(),
        input: mufakat_audit::canonical_json(&e.input),
        comment: e.comment.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

/// The events of one case (`workflow`, `instance_id`), oldest first.
/// A page of one case's events in order: those after `after_seq`, at most `limit`.
pub async fn history(
    db: &impl ConnectionTrait,
    workflow: &str,
    instance_id: &str,
    after_seq: i64,
    limit: u64,
) -> AppResult<Vec<AuditEvent>> {
    repo::for_instance_page(db, workflow, instance_id, after_seq, limit)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

pub fn from_row(r: audit_event::Model) -> AppResult<AuditEvent> {
    let at = mufakat_audit::parse_time(&r.at)
        .map_err(|e| AppError::internal(anyhow::anyhow!("audit event {}: bad time: {e}", r.seq)))?;
    let input = serde_json::from_str(&r.input).map_err(|e| {
        AppError::internal(anyhow::anyhow!("audit event {}: bad input: {e}", r.seq))
    })?;
    Ok(AuditEvent {
        seq: r.seq,
        at,
        actor: r.actor,
        role: r.role,
        workflow: r.workflow,
        workflow_version: r.workflow_version,
        instance_id: r.instance_id,
        transition: r.transition,
        from_state: r.from_state,
        to_state: r.to_state,
        input,
        comment: r.comment,
        prev_hash: r.prev_hash,
        hash: r.hash,
    })
}

pub fn checkpoint_from_row(r: audit_checkpoint::Model) -> Checkpoint {
    Checkpoint {
        seq: r.seq,
        hash: r.hash,
        signed_at: r.signed_at,
        public_key: r.public_key,
        signature: r.signature,
    }
}

/// Writes every event, then every checkpoint, as JSON Lines in the format of
/// `mufakat_audit::jsonl` (docs/audit-verification.md). Streams in pages.
pub async fn export(db: &impl ConnectionTrait, out: &mut dyn std::io::Write) -> AppResult<i64> {
    let mut after = 0i64;
    let mut n = 0;
    loop {
        let page = repo::page(db, after, 2000).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            after = row.seq;
            let e = from_row(row)?;
            mufakat_audit::jsonl::write_event(out, &e).map_err(AppError::internal)?;
            n += 1;
        }
    }
    for cp in repo::checkpoints(db).await? {
        mufakat_audit::jsonl::write_checkpoint(out, &checkpoint_from_row(cp))
            .map_err(AppError::internal)?;
    }
    Ok(n)
}
