//! OPDs (organisasi perangkat daerah, a region's agencies) as master data: each kota or
//! kabupaten lists its OPDs by code and name, and a role grant may name the OPD its holder works
//! for (`role_grants.opd_id`), so that an OPD's staff act only on what is routed to their OPD.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Opds {
    Table,
    Id,
    RegionId,
    Code,
    Name,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    OpdId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Opds::Table)
                    .col(pk_auto(Opds::Id))
                    .col(integer(Opds::RegionId))
                    .col(string(Opds::Code))
                    .col(string(Opds::Name))
                    .col(boolean(Opds::Active).default(true))
                    .col(timestamp_with_time_zone(Opds::CreatedAt))
                    .col(timestamp_with_time_zone(Opds::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_opds_code",
            Opds::Table,
            &["region_id", "code"],
            true,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RoleGrants::Table)
                    .add_column(integer_null(RoleGrants::OpdId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RoleGrants::Table)
                    .drop_column(RoleGrants::OpdId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Opds::Table).to_owned())
            .await
    }
}
