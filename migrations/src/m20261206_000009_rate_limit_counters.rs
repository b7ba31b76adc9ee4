//! Counters of the login and registration limits, shared by every node on one PostgreSQL
//! database (`mufakat_kernel::rate_limit`). A key (`ip:…`, `u:…`, `ui:…|…`, `reg:…`), its count
//! and when its window ends (Unix milliseconds). SQLite deployments are one node and keep the
//! counters in the process; the table exists there too, unused, so both engines have one schema.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimitCounters {
    Table,
    Key,
    Count,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimitCounters::Table)
                    .col(string(RateLimitCounters::Key).primary_key())
                    .col(integer(RateLimitCounters::Count))
                    .col(big_integer(RateLimitCounters::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateLimitCounters::Table).to_owned())
            .await
    }
}
