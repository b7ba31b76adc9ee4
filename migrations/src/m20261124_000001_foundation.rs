//! Regions, accounts, role grants and login sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    Code,
    Name,
    Level,
    ParentId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    NikHash,
    HomeRegionId,
    PasswordHash,
    IsActive,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    Id,
    UserId,
    Role,
    RegionId,
    GrantedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(pk_auto(Regions::Id))
                    .col(string_uniq(Regions::Code))
                    .col(string(Regions::Name))
                    .col(string(Regions::Level))
                    .col(integer_null(Regions::ParentId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Regions::Table, Regions::ParentId)
                            .to(Regions::Table, Regions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent")
                    .table(Regions::Table)
                    .col(Regions::ParentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(string_uniq(Users::Username))
                    .col(string(Users::DisplayName))
                    .col(string_null(Users::NikHash).unique_key())
                    .col(integer_null(Users::HomeRegionId))
                    .col(string(Users::PasswordHash))
                    .col(boolean(Users::IsActive).default(true))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::HomeRegionId)
                            .to(Regions::Table, Regions::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleGrants::Table)
                    .col(pk_auto(RoleGrants::Id))
                    .col(integer(RoleGrants::UserId))
                    .col(string(RoleGrants::Role))
                    .col(integer(RoleGrants::RegionId))
                    .col(integer_null(RoleGrants::GrantedBy))
                    .col(timestamp_with_time_zone(RoleGrants::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrants::Table, RoleGrants::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrants::Table, RoleGrants::RegionId)
                            .to(Regions::Table, Regions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_role_grants")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::UserId)
                    .col(RoleGrants::Role)
                    .col(RoleGrants::RegionId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_auto(Sessions::Id))
                    .col(string_uniq(Sessions::TokenHash))
                    .col(integer(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Sessions::Table.into_iden(),
            RoleGrants::Table.into_iden(),
            Users::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
