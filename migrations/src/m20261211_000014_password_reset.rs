//! One-time codes for resetting a resident's password at the kelurahan office: staff check the
//! person, issue a code, and the resident sets a new password with it. Only the code's SHA-256
//! is kept; a code is used once and expires.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PasswordResetCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    IssuedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use PasswordResetCodes as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(pk_auto(P::Id))
                    .col(integer(P::UserId))
                    .col(string(P::CodeHash))
                    .col(integer(P::IssuedBy))
                    .col(timestamp_with_time_zone(P::CreatedAt))
                    .col(timestamp_with_time_zone(P::ExpiresAt))
                    .col(timestamp_with_time_zone_null(P::UsedAt))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_password_reset_user",
            P::Table,
            &["user_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PasswordResetCodes::Table).to_owned())
            .await
    }
}
