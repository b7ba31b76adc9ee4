//! e-Musrenbang: planning cycles, proposals (usulan), votes, scores and comments.
//! Money columns are BIGINT sen (see `mufakat_core::Money`); decimals that are not money
//! (volume, coordinates, scores) are exact decimal text.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MusrenbangCycles {
    Table,
    Id,
    Name,
    Year,
    RegionId,
    InstanceId,
    Settings,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Proposals {
    Table,
    Id,
    CycleId,
    InstanceId,
    Title,
    Description,
    Category,
    RegionId,
    RtRw,
    Latitude,
    Longitude,
    Volume,
    Unit,
    UnitPriceSen,
    CostSen,
    ComputedCostSen,
    OriginalCostSen,
    CostOverrideReason,
    TargetOpd,
    Source,
    ProposerId,
    ParentId,
    Status,
    Level,
    VoteCount,
    Score,
    Attachments,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProposalVotes {
    Table,
    Id,
    CycleId,
    ProposalId,
    VoterId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProposalScores {
    Table,
    Id,
    ProposalId,
    Level,
    ScorerId,
    Criteria,
    Score,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProposalComments {
    Table,
    Id,
    ProposalId,
    AuthorId,
    Body,
    Hidden,
    HiddenReason,
    HiddenBy,
    Reports,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WorkflowInstances {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MusrenbangCycles::Table)
                .col(pk_auto(MusrenbangCycles::Id))
                .col(string(MusrenbangCycles::Name))
                .col(integer(MusrenbangCycles::Year))
                .col(integer(MusrenbangCycles::RegionId))
                .col(integer_null(MusrenbangCycles::InstanceId))
                .col(text(MusrenbangCycles::Settings))
                .col(timestamp_with_time_zone(MusrenbangCycles::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(MusrenbangCycles::Table, MusrenbangCycles::RegionId)
                        .to(Regions::Table, Regions::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MusrenbangCycles::Table, MusrenbangCycles::InstanceId)
                        .to(WorkflowInstances::Table, WorkflowInstances::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Proposals::Table)
                .col(pk_auto(Proposals::Id))
                .col(integer(Proposals::CycleId))
                .col(integer_null(Proposals::InstanceId))
                .col(string(Proposals::Title))
                .col(text(Proposals::Description))
                .col(string(Proposals::Category))
                .col(integer(Proposals::RegionId))
                .col(string_null(Proposals::RtRw))
                .col(string_null(Proposals::Latitude))
                .col(string_null(Proposals::Longitude))
                .col(string(Proposals::Volume))
                .col(string(Proposals::Unit))
                .col(big_integer(Proposals::UnitPriceSen))
                .col(big_integer(Proposals::CostSen))
                .col(big_integer(Proposals::ComputedCostSen))
                .col(big_integer_null(Proposals::OriginalCostSen))
                .col(text_null(Proposals::CostOverrideReason))
                .col(string_null(Proposals::TargetOpd))
                .col(string(Proposals::Source))
                .col(integer_null(Proposals::ProposerId))
                .col(integer_null(Proposals::ParentId))
                .col(string(Proposals::Status))
                .col(string(Proposals::Level))
                .col(integer(Proposals::VoteCount).default(0))
                .col(string_null(Proposals::Score))
                .col(text(Proposals::Attachments))
                .col(timestamp_with_time_zone(Proposals::CreatedAt))
                .col(timestamp_with_time_zone(Proposals::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Proposals::Table, Proposals::CycleId)
                        .to(MusrenbangCycles::Table, MusrenbangCycles::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Proposals::Table, Proposals::RegionId)
                        .to(Regions::Table, Regions::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Proposals::Table, Proposals::ProposerId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Proposals::Table, Proposals::ParentId)
                        .to(Proposals::Table, Proposals::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Proposals::Table, Proposals::InstanceId)
                        .to(WorkflowInstances::Table, WorkflowInstances::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_proposals_cycle_region",
                vec![Proposals::CycleId, Proposals::RegionId],
            ),
            (
                "idx_proposals_cycle_status",
                vec![Proposals::CycleId, Proposals::Status],
            ),
            ("idx_proposals_proposer", vec![Proposals::ProposerId]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Proposals::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table(ProposalVotes::Table)
                .col(pk_auto(ProposalVotes::Id))
                .col(integer(ProposalVotes::CycleId))
                .col(integer(ProposalVotes::ProposalId))
                .col(integer(ProposalVotes::VoterId))
                .col(timestamp_with_time_zone(ProposalVotes::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ProposalVotes::Table, ProposalVotes::ProposalId)
                        .to(Proposals::Table, Proposals::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ProposalVotes::Table, ProposalVotes::VoterId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        // One person, one vote per proposal: enforced by the database, also under concurrency.
        m.create_index(
            Index::create()
                .name("uq_votes_proposal_voter")
                .table(ProposalVotes::Table)
                .col(ProposalVotes::ProposalId)
                .col(ProposalVotes::VoterId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_votes_cycle_voter")
                .table(ProposalVotes::Table)
                .col(ProposalVotes::CycleId)
                .col(ProposalVotes::VoterId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProposalScores::Table)
                .col(pk_auto(ProposalScores::Id))
                .col(integer(ProposalScores::ProposalId))
                .col(string(ProposalScores::Level))
                .col(integer(ProposalScores::ScorerId))
                .col(text(ProposalScores::Criteria))
                .col(string(ProposalScores::Score))
                .col(timestamp_with_time_zone(ProposalScores::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ProposalScores::Table, ProposalScores::ProposalId)
                        .to(Proposals::Table, Proposals::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_scores_proposal_level")
                .table(ProposalScores::Table)
                .col(ProposalScores::ProposalId)
                .col(ProposalScores::Level)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProposalComments::Table)
                .col(pk_auto(ProposalComments::Id))
                .col(integer(ProposalComments::ProposalId))
                .col(integer(ProposalComments::AuthorId))
                .col(text(ProposalComments::Body))
                .col(boolean(ProposalComments::Hidden).default(false))
                .col(text_null(ProposalComments::HiddenReason))
                .col(integer_null(ProposalComments::HiddenBy))
                .col(integer(ProposalComments::Reports).default(0))
                .col(timestamp_with_time_zone(ProposalComments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ProposalComments::Table, ProposalComments::ProposalId)
                        .to(Proposals::Table, Proposals::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_comments_proposal")
                .table(ProposalComments::Table)
                .col(ProposalComments::ProposalId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ProposalComments::Table.into_iden(),
            ProposalScores::Table.into_iden(),
            ProposalVotes::Table.into_iden(),
            Proposals::Table.into_iden(),
            MusrenbangCycles::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
