//! Budget ceilings (pagu indikatif) and allocation runs with their inputs, results and
//! overrides.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BudgetCeilings {
    Table,
    Id,
    CycleId,
    RegionId,
    Scope,
    AmountSen,
    SetBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AllocationRuns {
    Table,
    Id,
    CycleId,
    RegionId,
    Level,
    Rule,
    Options,
    ElectionPb,
    BudgetSen,
    Result,
    CreatedBy,
    CreatedAt,
    AdoptedAt,
    AdoptedBy,
}

#[derive(DeriveIden)]
enum AllocationOverrides {
    Table,
    Id,
    RunId,
    ProposalId,
    Funded,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MusrenbangCycles {
    Table,
    Id,
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
                .table(BudgetCeilings::Table)
                .col(pk_auto(BudgetCeilings::Id))
                .col(integer(BudgetCeilings::CycleId))
                .col(integer(BudgetCeilings::RegionId))
                .col(string(BudgetCeilings::Scope))
                .col(big_integer(BudgetCeilings::AmountSen))
                .col(integer(BudgetCeilings::SetBy))
                .col(timestamp_with_time_zone(BudgetCeilings::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(BudgetCeilings::Table, BudgetCeilings::CycleId)
                        .to(MusrenbangCycles::Table, MusrenbangCycles::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(BudgetCeilings::Table, BudgetCeilings::RegionId)
                        .to(Regions::Table, Regions::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_ceiling_scope")
                .table(BudgetCeilings::Table)
                .col(BudgetCeilings::CycleId)
                .col(BudgetCeilings::RegionId)
                .col(BudgetCeilings::Scope)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AllocationRuns::Table)
                .col(pk_auto(AllocationRuns::Id))
                .col(integer(AllocationRuns::CycleId))
                .col(integer(AllocationRuns::RegionId))
                .col(string(AllocationRuns::Level))
                .col(string(AllocationRuns::Rule))
                .col(text(AllocationRuns::Options))
                .col(text(AllocationRuns::ElectionPb))
                .col(big_integer(AllocationRuns::BudgetSen))
                .col(text(AllocationRuns::Result))
                .col(integer(AllocationRuns::CreatedBy))
                .col(timestamp_with_time_zone(AllocationRuns::CreatedAt))
                .col(timestamp_with_time_zone_null(AllocationRuns::AdoptedAt))
                .col(integer_null(AllocationRuns::AdoptedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(AllocationRuns::Table, AllocationRuns::CycleId)
                        .to(MusrenbangCycles::Table, MusrenbangCycles::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AllocationOverrides::Table)
                .col(pk_auto(AllocationOverrides::Id))
                .col(integer(AllocationOverrides::RunId))
                .col(integer(AllocationOverrides::ProposalId))
                .col(boolean(AllocationOverrides::Funded))
                .col(text(AllocationOverrides::Reason))
                .col(integer(AllocationOverrides::CreatedBy))
                .col(timestamp_with_time_zone(AllocationOverrides::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AllocationOverrides::Table, AllocationOverrides::RunId)
                        .to(AllocationRuns::Table, AllocationRuns::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_override_run_proposal")
                .table(AllocationOverrides::Table)
                .col(AllocationOverrides::RunId)
                .col(AllocationOverrides::ProposalId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AllocationOverrides::Table.into_iden(),
            AllocationRuns::Table.into_iden(),
            BudgetCeilings::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
