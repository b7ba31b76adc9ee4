//! Workflow definitions (versioned), instances (optimistic concurrency), timers, and the
//! append-only, hash-chained audit log with its head row and signed checkpoints.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WorkflowDefinitions {
    Table,
    Id,
    Name,
    Version,
    Hash,
    Title,
    Source,
    LoadedAt,
}

#[derive(DeriveIden)]
enum WorkflowInstances {
    Table,
    Id,
    DefinitionId,
    Workflow,
    State,
    Fields,
    RegionId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    StateEnteredAt,
    Version,
    IsFinal,
}

#[derive(DeriveIden)]
enum WorkflowTimers {
    Table,
    Id,
    InstanceId,
    Name,
    Transition,
    ArmedInState,
    DueAt,
    FiredAt,
}

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

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    Seq,
    Hash,
    SignedAt,
    PublicKey,
    Signature,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WorkflowDefinitions::Table)
                .col(pk_auto(WorkflowDefinitions::Id))
                .col(string(WorkflowDefinitions::Name))
                .col(integer(WorkflowDefinitions::Version))
                .col(string(WorkflowDefinitions::Hash))
                .col(string(WorkflowDefinitions::Title))
                .col(text(WorkflowDefinitions::Source))
                .col(timestamp_with_time_zone(WorkflowDefinitions::LoadedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_workflow_name_version")
                .table(WorkflowDefinitions::Table)
                .col(WorkflowDefinitions::Name)
                .col(WorkflowDefinitions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_workflow_name_hash")
                .table(WorkflowDefinitions::Table)
                .col(WorkflowDefinitions::Name)
                .col(WorkflowDefinitions::Hash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WorkflowInstances::Table)
                .col(pk_auto(WorkflowInstances::Id))
                .col(integer(WorkflowInstances::DefinitionId))
                .col(string(WorkflowInstances::Workflow))
                .col(string(WorkflowInstances::State))
                .col(text(WorkflowInstances::Fields))
                .col(integer(WorkflowInstances::RegionId))
                .col(integer_null(WorkflowInstances::CreatedBy))
                .col(timestamp_with_time_zone(WorkflowInstances::CreatedAt))
                .col(timestamp_with_time_zone(WorkflowInstances::UpdatedAt))
                .col(timestamp_with_time_zone(WorkflowInstances::StateEnteredAt))
                .col(integer(WorkflowInstances::Version))
                .col(boolean(WorkflowInstances::IsFinal))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkflowInstances::Table, WorkflowInstances::DefinitionId)
                        .to(WorkflowDefinitions::Table, WorkflowDefinitions::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkflowInstances::Table, WorkflowInstances::RegionId)
                        .to(Regions::Table, Regions::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_instances_workflow_state")
                .table(WorkflowInstances::Table)
                .col(WorkflowInstances::Workflow)
                .col(WorkflowInstances::State)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_instances_region")
                .table(WorkflowInstances::Table)
                .col(WorkflowInstances::RegionId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WorkflowTimers::Table)
                .col(pk_auto(WorkflowTimers::Id))
                .col(integer(WorkflowTimers::InstanceId))
                .col(string(WorkflowTimers::Name))
                .col(string(WorkflowTimers::Transition))
                .col(string(WorkflowTimers::ArmedInState))
                .col(timestamp_with_time_zone(WorkflowTimers::DueAt))
                .col(timestamp_with_time_zone_null(WorkflowTimers::FiredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkflowTimers::Table, WorkflowTimers::InstanceId)
                        .to(WorkflowInstances::Table, WorkflowInstances::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_timers_due")
                .table(WorkflowTimers::Table)
                .col(WorkflowTimers::FiredAt)
                .col(WorkflowTimers::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_timers_instance")
                .table(WorkflowTimers::Table)
                .col(WorkflowTimers::InstanceId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
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
                .col(string_uniq(AuditEvents::Hash))
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
        .await?;

        // One row: the chain's head. Every audited transaction locks it first, which serialises
        // appends across processes (PostgreSQL row lock; SQLite write lock).
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::Hash))
                .col(string(AuditHead::UpdatedAt))
                .to_owned(),
        )
        .await?;
        let genesis = "0".repeat(64);
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([
                    AuditHead::Id,
                    AuditHead::Seq,
                    AuditHead::Hash,
                    AuditHead::UpdatedAt,
                ])
                .values_panic([1.into(), 0i64.into(), genesis.into(), "".into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditCheckpoints::Table)
                .col(pk_auto(AuditCheckpoints::Id))
                .col(big_integer(AuditCheckpoints::Seq))
                .col(string(AuditCheckpoints::Hash))
                .col(string(AuditCheckpoints::SignedAt))
                .col(string(AuditCheckpoints::PublicKey))
                .col(string(AuditCheckpoints::Signature))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditCheckpoints::Table.into_iden(),
            AuditHead::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            WorkflowTimers::Table.into_iden(),
            WorkflowInstances::Table.into_iden(),
            WorkflowDefinitions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
