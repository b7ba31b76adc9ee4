//! Monev: activities (a line of the plan, perhaps under contract) with their plan as JSON
//! (months with cumulative physical percent and disbursement), sub-activities and the last
//! verified figures; their indicators; monthly progress reports; the reports' photos (metadata;
//! the bytes are in the blob store); deviation flags; and the supervisors named on an activity.
//! Money is whole sen (`BIGINT`); percentages are hundredths of a percent (`INTEGER`, 0 to
//! 10000); indicator values are exact decimals as text.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MonevActivities {
    Table,
    Id,
    InstanceId,
    PlanLineId,
    ContractId,
    ProposalId,
    CycleId,
    RegionId,
    Year,
    Title,
    Opd,
    Category,
    FundingSource,
    PaguSen,
    ContractedSen,
    StartsOn,
    EndsOn,
    Plan,
    SubActivities,
    Status,
    ActualBp,
    DisbursedSen,
    LastPeriod,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MonevIndicators {
    Table,
    Id,
    ActivityId,
    Outcome,
    Name,
    Unit,
    Baseline,
    HigherIsBetter,
    Targets,
}

#[derive(DeriveIden)]
enum MonevReports {
    Table,
    Id,
    InstanceId,
    ActivityId,
    Period,
    DueAt,
    Status,
    PhysicalBp,
    SubProgress,
    SpentSen,
    Actuals,
    Notes,
    ReturnNote,
    SubmittedBy,
    SubmittedAt,
    FirstSubmittedAt,
    VerifiedBy,
    VerifiedAt,
    LateAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MonevPhotos {
    Table,
    Id,
    ReportId,
    Name,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    TakenAt,
    Latitude,
    Longitude,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MonevFlags {
    Table,
    Id,
    InstanceId,
    ActivityId,
    ReportId,
    Kind,
    Severity,
    Period,
    Evidence,
    MessageId,
    MessageEn,
    Status,
    Note,
    RaisedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MonevSupervisors {
    Table,
    Id,
    ActivityId,
    UserId,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use MonevActivities as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(pk_auto(A::Id))
                .col(integer_null(A::InstanceId))
                .col(integer(A::PlanLineId))
                .col(integer_null(A::ContractId))
                .col(integer_null(A::ProposalId))
                .col(integer_null(A::CycleId))
                .col(integer(A::RegionId))
                .col(integer(A::Year))
                .col(string(A::Title))
                .col(string(A::Opd))
                .col(string(A::Category))
                .col(string(A::FundingSource))
                .col(big_integer(A::PaguSen))
                .col(big_integer_null(A::ContractedSen))
                .col(date(A::StartsOn))
                .col(date(A::EndsOn))
                .col(text(A::Plan))
                .col(text(A::SubActivities))
                .col(string(A::Status))
                .col(integer_null(A::ActualBp))
                .col(big_integer(A::DisbursedSen))
                .col(string_null(A::LastPeriod))
                .col(integer(A::CreatedBy))
                .col(timestamp_with_time_zone(A::CreatedAt))
                .col(timestamp_with_time_zone(A::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_monev_activity_line",
            A::Table,
            &["plan_line_id"],
            true,
        )
        .await?;
        index(
            m,
            "idx_monev_activity_region",
            A::Table,
            &["region_id", "year"],
            false,
        )
        .await?;
        index(
            m,
            "idx_monev_activity_proposal",
            A::Table,
            &["proposal_id"],
            false,
        )
        .await?;
        index(
            m,
            "idx_monev_activity_contract",
            A::Table,
            &["contract_id"],
            false,
        )
        .await?;

        use MonevIndicators as I;
        m.create_table(
            Table::create()
                .table(I::Table)
                .col(pk_auto(I::Id))
                .col(integer(I::ActivityId))
                .col(boolean(I::Outcome))
                .col(string(I::Name))
                .col(string(I::Unit))
                .col(string(I::Baseline))
                .col(boolean(I::HigherIsBetter))
                .col(text(I::Targets))
                .foreign_key(
                    ForeignKey::create()
                        .from(I::Table, I::ActivityId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_monev_indicator_activity",
            I::Table,
            &["activity_id"],
            false,
        )
        .await?;

        use MonevReports as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(pk_auto(R::Id))
                .col(integer_null(R::InstanceId))
                .col(integer(R::ActivityId))
                .col(string(R::Period))
                .col(timestamp_with_time_zone(R::DueAt))
                .col(string(R::Status))
                .col(integer_null(R::PhysicalBp))
                .col(text_null(R::SubProgress))
                .col(big_integer_null(R::SpentSen))
                .col(text(R::Actuals))
                .col(text(R::Notes))
                .col(text_null(R::ReturnNote))
                .col(integer_null(R::SubmittedBy))
                .col(timestamp_with_time_zone_null(R::SubmittedAt))
                .col(timestamp_with_time_zone_null(R::FirstSubmittedAt))
                .col(integer_null(R::VerifiedBy))
                .col(timestamp_with_time_zone_null(R::VerifiedAt))
                .col(timestamp_with_time_zone_null(R::LateAt))
                .col(timestamp_with_time_zone(R::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(R::Table, R::ActivityId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_monev_report_period",
            R::Table,
            &["activity_id", "period"],
            true,
        )
        .await?;
        index(
            m,
            "idx_monev_report_instance",
            R::Table,
            &["instance_id"],
            false,
        )
        .await?;

        use MonevPhotos as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(pk_auto(P::Id))
                .col(integer(P::ReportId))
                .col(string(P::Name))
                .col(string(P::ContentType))
                .col(big_integer(P::SizeBytes))
                .col(string(P::Sha256))
                .col(string(P::StorageKey))
                .col(timestamp_with_time_zone_null(P::TakenAt))
                .col(string_null(P::Latitude))
                .col(string_null(P::Longitude))
                .col(integer(P::UploadedBy))
                .col(timestamp_with_time_zone(P::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(P::Table, P::ReportId)
                        .to(R::Table, R::Id),
                )
                .to_owned(),
        )
        .await?;
        index(m, "idx_monev_photo_report", P::Table, &["report_id"], false).await?;

        use MonevFlags as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(pk_auto(F::Id))
                .col(integer_null(F::InstanceId))
                .col(integer(F::ActivityId))
                .col(integer_null(F::ReportId))
                .col(string(F::Kind))
                .col(string(F::Severity))
                .col(string(F::Period))
                .col(text(F::Evidence))
                .col(text(F::MessageId))
                .col(text(F::MessageEn))
                .col(string(F::Status))
                .col(text_null(F::Note))
                .col(timestamp_with_time_zone(F::RaisedAt))
                .col(timestamp_with_time_zone(F::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(F::Table, F::ActivityId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_monev_flag_activity",
            F::Table,
            &["activity_id", "kind"],
            false,
        )
        .await?;
        index(
            m,
            "idx_monev_flag_instance",
            F::Table,
            &["instance_id"],
            false,
        )
        .await?;

        use MonevSupervisors as S;
        m.create_table(
            Table::create()
                .table(S::Table)
                .col(pk_auto(S::Id))
                .col(integer(S::ActivityId))
                .col(integer(S::UserId))
                .col(integer(S::CreatedBy))
                .col(timestamp_with_time_zone(S::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(S::Table, S::ActivityId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_monev_supervisor",
            S::Table,
            &["activity_id", "user_id"],
            true,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            MonevSupervisors::Table.into_iden(),
            MonevFlags::Table.into_iden(),
            MonevPhotos::Table.into_iden(),
            MonevReports::Table.into_iden(),
            MonevIndicators::Table.into_iden(),
            MonevActivities::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
