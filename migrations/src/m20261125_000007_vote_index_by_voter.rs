//! Vote rows indexed for the way they are written: one unique index led by the voter instead
//! of two (proposal, voter) and (cycle, voter), plus a cycle index that new votes append to.
//!
//! Each vote used to land on two random index pages, both placed by voter or by proposal; a
//! group commit of votes wrote about 15.7 KiB to storage per vote, now 12.6 KiB (SQLite, the
//! standard `bench load` run; docs/benchmarks.md). The one unique index serves every lookup by
//! voter — a ballot (`voter, cycle`), "did I vote for these" (`voter`, then proposals) — and
//! is the double-vote guard: a proposal belongs to one cycle, so (voter, cycle, proposal)
//! is unique exactly when (proposal, voter) is. Reads by proposal (allocation's ballots, a
//! merge carrying votes over) go through the cycle index; they read a cycle's votes anyway.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ProposalVotes {
    Table,
    CycleId,
    ProposalId,
    VoterId,
}

/// (name, columns, unique)
type VoteIndex = (&'static str, &'static [ProposalVotes], bool);

const NEW: [VoteIndex; 2] = [
    (
        "uq_votes_voter_cycle_proposal",
        &[
            ProposalVotes::VoterId,
            ProposalVotes::CycleId,
            ProposalVotes::ProposalId,
        ],
        true,
    ),
    ("idx_votes_cycle", &[ProposalVotes::CycleId], false),
];

/// As migration 3 made them.
const OLD: [VoteIndex; 2] = [
    (
        "uq_votes_proposal_voter",
        &[ProposalVotes::ProposalId, ProposalVotes::VoterId],
        true,
    ),
    (
        "idx_votes_cycle_voter",
        &[ProposalVotes::CycleId, ProposalVotes::VoterId],
        false,
    ),
];

/// Creates `create` (before dropping anything: the double-vote guard never lapses), then
/// drops `drop`.
async fn swap(
    m: &SchemaManager<'_>,
    create: &[VoteIndex],
    drop: &[VoteIndex],
) -> Result<(), DbErr> {
    for (name, cols, unique) in create {
        let mut idx = Index::create();
        idx.name(*name).table(ProposalVotes::Table);
        for c in *cols {
            idx.col(*c);
        }
        if *unique {
            idx.unique();
        }
        m.create_index(idx.to_owned()).await?;
    }
    for (name, _, _) in drop {
        m.drop_index(
            Index::drop()
                .name(*name)
                .table(ProposalVotes::Table)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        swap(m, &NEW, &OLD).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        swap(m, &OLD, &NEW).await
    }
}
