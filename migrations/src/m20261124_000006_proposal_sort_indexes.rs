//! Indexes for the proposal listing's sort orders (`proposals(sort: VOTES | NEWEST | COST |
//! SCORE)`), so that a page is read in order and the scan stops after it, instead of sorting
//! every proposal of the cycle on every request.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Proposals {
    Table,
    Id,
    VoteCount,
    CreatedAt,
    CostSen,
    Score,
}

const INDEXES: [(&str, Proposals); 4] = [
    ("idx_proposals_votes", Proposals::VoteCount),
    ("idx_proposals_created", Proposals::CreatedAt),
    ("idx_proposals_cost", Proposals::CostSen),
    ("idx_proposals_score", Proposals::Score),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, col) in INDEXES {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Proposals::Table)
                    .col(col)
                    .col(Proposals::Id)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Proposals::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
