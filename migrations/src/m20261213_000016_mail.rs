//! E-mail: an optional address on an account (a resident who gave one is also told by e-mail),
//! and the outbox the sender drains. Mail is written in the same transaction as what it tells
//! of, and sent afterwards, so a change never waits for, nor is lost with, an SMTP server.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Email,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    ToAddress,
    Subject,
    Body,
    CreatedAt,
    ClaimedUntil,
    Attempts,
    SentAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_null(Users::Email))
                    .to_owned(),
            )
            .await?;
        use MailOutbox as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .col(pk_auto(M::Id))
                    .col(string(M::ToAddress))
                    .col(string(M::Subject))
                    .col(text(M::Body))
                    .col(timestamp_with_time_zone(M::CreatedAt))
                    .col(timestamp_with_time_zone_null(M::ClaimedUntil))
                    .col(integer(M::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(M::SentAt))
                    .col(text_null(M::LastError))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_mail_outbox_unsent",
            M::Table,
            &["sent_at", "id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Email)
                    .to_owned(),
            )
            .await
    }
}
