//! Who reported which comment: a resident reports a comment once (the count of reports is what
//! moderators see; one person cannot inflate it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CommentReports {
    Table,
    CommentId,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CommentReports as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(integer(C::CommentId))
                    .col(integer(C::UserId))
                    .col(timestamp_with_time_zone(C::CreatedAt))
                    .primary_key(Index::create().col(C::CommentId).col(C::UserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CommentReports::Table).to_owned())
            .await
    }
}
