//! What a musrenbang forum decided and who signs for it: the officials who sign documents for a
//! region (`signatories`: lurah, camat, kepala Bappeda, with their NIP), a forum's record
//! (`forum_records`: date, place, agenda, notes, attendance), and each proposal's result at a
//! level when it moved on (`proposal_level_results`), so that a level's list and berita acara
//! still show what that forum agreed after the proposals went up.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Signatories {
    Table,
    Id,
    RegionId,
    Office,
    UserId,
    Nip,
    Position,
    AppointedBy,
    AppointedAt,
}

#[derive(DeriveIden)]
enum ForumRecords {
    Table,
    Id,
    CycleId,
    RegionId,
    Number,
    HeldOn,
    TimeText,
    Place,
    Agenda,
    Notes,
    Attendance,
    RecordedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProposalLevelResults {
    Table,
    Id,
    ProposalId,
    CycleId,
    RegionId,
    Level,
    Score,
    CostSen,
    Votes,
    DecidedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Signatories as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(pk_auto(S::Id))
                    .col(integer(S::RegionId))
                    .col(string(S::Office))
                    .col(integer(S::UserId))
                    .col(string(S::Nip))
                    .col(string(S::Position))
                    .col(integer(S::AppointedBy))
                    .col(timestamp_with_time_zone(S::AppointedAt))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_signatories_office",
            S::Table,
            &["region_id", "office"],
            true,
        )
        .await?;
        use ForumRecords as F;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .col(pk_auto(F::Id))
                    .col(integer(F::CycleId))
                    .col(integer(F::RegionId))
                    .col(string(F::Number))
                    .col(string(F::HeldOn))
                    .col(string_null(F::TimeText))
                    .col(string(F::Place))
                    .col(text(F::Agenda))
                    .col(text(F::Notes))
                    .col(text(F::Attendance))
                    .col(integer(F::RecordedBy))
                    .col(timestamp_with_time_zone(F::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_forum_records_forum",
            F::Table,
            &["cycle_id", "region_id"],
            true,
        )
        .await?;
        use ProposalLevelResults as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(pk_auto(P::Id))
                    .col(integer(P::ProposalId))
                    .col(integer(P::CycleId))
                    .col(integer(P::RegionId))
                    .col(string(P::Level))
                    .col(string_null(P::Score))
                    .col(big_integer(P::CostSen))
                    .col(big_integer(P::Votes))
                    .col(timestamp_with_time_zone(P::DecidedAt))
                    .to_owned(),
            )
            .await?;
        crate::index(
            manager,
            "idx_proposal_level_results_proposal",
            P::Table,
            &["proposal_id", "level"],
            true,
        )
        .await?;
        crate::index(
            manager,
            "idx_proposal_level_results_cycle",
            P::Table,
            &["cycle_id", "level"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Signatories::Table.into_iden(),
            ForumRecords::Table.into_iden(),
            ProposalLevelResults::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
