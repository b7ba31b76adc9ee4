//! Audit events without an index of their hashes.
//!
//! Migration 2 made `audit_events.hash` unique, which indexes it. A hash is random, so every
//! appended event landed on a random page of that index: one page write (WAL frame, then its
//! checkpoint) per event, about half of what a vote or a case start wrote to storage, and the
//! busiest source of checkpoint I/O, whose fsyncs made the slowest commits (docs/benchmarks.md,
//! eighth session). Its one reader was `checkReceipt`, which now finds the event by its
//! sequence number (a receipt is `<seq>-<hash>`) and compares the hash. The chain itself never
//! needed the constraint: events are ordered by `seq` and linked by `prev_hash`.
//!
//! PostgreSQL drops the constraint. SQLite cannot drop a constraint written in `CREATE TABLE`,
//! so the table is rebuilt without it: every row copied, in one transaction with the
//! migration's record. (Binaries before the ninth session failed here on a trail of a million
//! events with SQLITE_FULL, the disk far from full: the process-wide statement-journal setting
//! then in `mufakat_store::db`, not this migration; see `sqlite_process_config` there.)

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    At,
    Actor,
    Role,
    Workflow,
    WorkflowVersion,
    InstanceId,
    Transition,
    FromState,
    ToState,
    Input,
    Comment,
    PrevHash,
    Hash,
}

/// The table as migration 2 made it, under `name`, with its hash unique or not.
fn audit_events(name: &str, hash_unique: bool) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(big_integer(AuditEvents::Seq).primary_key())
        .col(string(AuditEvents::At))
        .col(string(AuditEvents::Actor))
        .col(string(AuditEvents::Role))
        .col(string(AuditEvents::Workflow))
        .col(string(AuditEvents::WorkflowVersion))
        .col(string(AuditEvents::InstanceId))
        .col(string(AuditEvents::Transition))
        .col(string(AuditEvents::FromState))
        .col(string(AuditEvents::ToState))
        .col(text(AuditEvents::Input))
        .col(text_null(AuditEvents::Comment))
        .col(string(AuditEvents::PrevHash))
        .col(if hash_unique {
            string_uniq(AuditEvents::Hash)
        } else {
            string(AuditEvents::Hash)
        })
        .to_owned()
}

/// SQLite: rebuilds `audit_events` with its hash unique or not (rows, order and the instance
/// index kept).
async fn rebuild_sqlite(m: &SchemaManager<'_>, hash_unique: bool) -> Result<(), DbErr> {
    const NEW: &str = "audit_events_rebuilt";
    m.create_table(audit_events(NEW, hash_unique)).await?;
    let db = m.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO {NEW} SELECT seq, at, actor, role, workflow, workflow_version, instance_id, \
         transition, from_state, to_state, input, comment, prev_hash, hash FROM audit_events \
         ORDER BY seq"
    ))
    .await?;
    m.drop_table(Table::drop().table(AuditEvents::Table).to_owned())
        .await?;
    m.rename_table(
        Table::rename()
            .table(Alias::new(NEW), AuditEvents::Table)
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_audit_instance")
            .table(AuditEvents::Table)
            .col(AuditEvents::Workflow)
            .col(AuditEvents::InstanceId)
            .to_owned(),
    )
    .await
}

/// Makes `audit_events.hash` unique (as migration 2 made it) or an ordinary column.
async fn set_hash_unique(m: &SchemaManager<'_>, unique: bool) -> Result<(), DbErr> {
    if m.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Sqlite {
        return rebuild_sqlite(m, unique).await;
    }
    m.get_connection()
        .execute_unprepared(if unique {
            "ALTER TABLE audit_events ADD CONSTRAINT audit_events_hash_key UNIQUE (hash)"
        } else {
            "ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_hash_key"
        })
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on both engines: the rebuilt table and the migration's record together.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_hash_unique(m, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_hash_unique(m, true).await
    }
}
