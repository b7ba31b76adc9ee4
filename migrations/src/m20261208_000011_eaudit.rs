//! e-Audit: assignments (surat tugas) and their teams, findings (temuan) with their evidence,
//! recommendations, follow-ups with the auditor's rating, and uploaded documents (metadata; the
//! bytes are in the blob store). Money is whole sen (`BIGINT`). Indexes on the audit trail for
//! the auditors' filters (by workflow, by actor, by time); each is appended to in order of
//! `seq` or nearly so.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EauditAssignments {
    Table,
    Id,
    InstanceId,
    Number,
    Title,
    RegionId,
    Opds,
    Modules,
    PeriodFrom,
    PeriodTo,
    StartsOn,
    EndsOn,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EauditTeam {
    Table,
    Id,
    AssignmentId,
    UserId,
    IsLead,
    GrantId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EauditFindings {
    Table,
    Id,
    InstanceId,
    AssignmentId,
    Number,
    Title,
    Condition,
    Criteria,
    Cause,
    Effect,
    Code,
    LossSen,
    Severity,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EauditEvidence {
    Table,
    Id,
    FindingId,
    Kind,
    Reference,
    Note,
    AddedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EauditRecommendations {
    Table,
    Id,
    InstanceId,
    FindingId,
    Number,
    Text,
    Opd,
    RegionId,
    DueAt,
    DueGiven,
    Status,
    EscalatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EauditFollowups {
    Table,
    Id,
    RecommendationId,
    Answer,
    Documents,
    AnsweredBy,
    AnsweredAt,
    Rating,
    RatingNote,
    RatedBy,
    RatedAt,
}

#[derive(DeriveIden)]
enum EauditDocuments {
    Table,
    Id,
    OwnerKind,
    OwnerId,
    Name,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use EauditAssignments as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(pk_auto(A::Id))
                .col(integer_null(A::InstanceId))
                .col(string(A::Number))
                .col(string(A::Title))
                .col(integer(A::RegionId))
                .col(text(A::Opds))
                .col(text(A::Modules))
                .col(date(A::PeriodFrom))
                .col(date(A::PeriodTo))
                .col(date(A::StartsOn))
                .col(date(A::EndsOn))
                .col(string(A::Status))
                .col(integer(A::CreatedBy))
                .col(timestamp_with_time_zone(A::CreatedAt))
                .col(timestamp_with_time_zone(A::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_eaudit_assignment_number",
            A::Table,
            &["number"],
            true,
        )
        .await?;

        use EauditTeam as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(pk_auto(T::Id))
                .col(integer(T::AssignmentId))
                .col(integer(T::UserId))
                .col(boolean(T::IsLead))
                .col(integer_null(T::GrantId))
                .col(timestamp_with_time_zone(T::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(T::Table, T::AssignmentId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_eaudit_team_member",
            T::Table,
            &["assignment_id", "user_id"],
            true,
        )
        .await?;
        index(m, "idx_eaudit_team_user", T::Table, &["user_id"], false).await?;

        use EauditFindings as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(pk_auto(F::Id))
                .col(integer_null(F::InstanceId))
                .col(integer(F::AssignmentId))
                .col(integer(F::Number))
                .col(string(F::Title))
                .col(text(F::Condition))
                .col(text(F::Criteria))
                .col(text(F::Cause))
                .col(text(F::Effect))
                .col(string(F::Code))
                .col(big_integer_null(F::LossSen))
                .col(string(F::Severity))
                .col(string(F::Status))
                .col(integer(F::CreatedBy))
                .col(timestamp_with_time_zone(F::CreatedAt))
                .col(timestamp_with_time_zone(F::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(F::Table, F::AssignmentId)
                        .to(A::Table, A::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_eaudit_finding_number",
            F::Table,
            &["assignment_id", "number"],
            true,
        )
        .await?;

        use EauditEvidence as E;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(pk_auto(E::Id))
                .col(integer(E::FindingId))
                .col(string(E::Kind))
                .col(string(E::Reference))
                .col(text_null(E::Note))
                .col(integer(E::AddedBy))
                .col(timestamp_with_time_zone(E::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(E::Table, E::FindingId)
                        .to(F::Table, F::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_eaudit_evidence_finding",
            E::Table,
            &["finding_id"],
            false,
        )
        .await?;

        use EauditRecommendations as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(pk_auto(R::Id))
                .col(integer_null(R::InstanceId))
                .col(integer(R::FindingId))
                .col(integer(R::Number))
                .col(text(R::Text))
                .col(string(R::Opd))
                .col(integer(R::RegionId))
                .col(timestamp_with_time_zone(R::DueAt))
                .col(boolean(R::DueGiven))
                .col(string(R::Status))
                .col(timestamp_with_time_zone_null(R::EscalatedAt))
                .col(timestamp_with_time_zone(R::CreatedAt))
                .col(timestamp_with_time_zone(R::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(R::Table, R::FindingId)
                        .to(F::Table, F::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_eaudit_rec_number",
            R::Table,
            &["finding_id", "number"],
            true,
        )
        .await?;
        index(
            m,
            "idx_eaudit_rec_opd",
            R::Table,
            &["region_id", "opd"],
            false,
        )
        .await?;

        use EauditFollowups as U;
        m.create_table(
            Table::create()
                .table(U::Table)
                .col(pk_auto(U::Id))
                .col(integer(U::RecommendationId))
                .col(text(U::Answer))
                .col(text(U::Documents))
                .col(integer(U::AnsweredBy))
                .col(timestamp_with_time_zone(U::AnsweredAt))
                .col(string_null(U::Rating))
                .col(text_null(U::RatingNote))
                .col(integer_null(U::RatedBy))
                .col(timestamp_with_time_zone_null(U::RatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(U::Table, U::RecommendationId)
                        .to(R::Table, R::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_eaudit_followup_rec",
            U::Table,
            &["recommendation_id"],
            false,
        )
        .await?;

        use EauditDocuments as D;
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(pk_auto(D::Id))
                .col(string(D::OwnerKind))
                .col(integer(D::OwnerId))
                .col(string(D::Name))
                .col(string(D::ContentType))
                .col(big_integer(D::SizeBytes))
                .col(string(D::Sha256))
                .col(string(D::StorageKey))
                .col(integer(D::UploadedBy))
                .col(timestamp_with_time_zone(D::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_eaudit_document_owner",
            D::Table,
            &["owner_kind", "owner_id"],
            false,
        )
        .await?;

        // The auditors' filters on the trail (paged newest first by `seq`).
        let ev = Alias::new("audit_events");
        index(
            m,
            "idx_audit_workflow_seq",
            ev.clone(),
            &["workflow", "seq"],
            false,
        )
        .await?;
        index(
            m,
            "idx_audit_actor_seq",
            ev.clone(),
            &["actor", "seq"],
            false,
        )
        .await?;
        // Time with the workflow and seq: a week's events in an assignment's modules are found
        // and ordered from the index alone (PostgreSQL's indexes hold no key of the row, so seq
        // is in it); only the page's rows are read.
        index(
            m,
            "idx_audit_at",
            ev.clone(),
            &["at", "workflow", "seq"],
            false,
        )
        .await?;
        // A case's events whatever their workflow (the object history, the `case` filter),
        // in order; it serves the case history by workflow too, so it replaces
        // (workflow, instance_id), which PostgreSQL cannot search by case alone.
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_audit_instance")
            .await?;
        index(m, "idx_audit_case_seq", ev, &["instance_id", "seq"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_audit_instance ON audit_events (workflow, instance_id)",
            )
            .await?;
        for name in [
            "idx_audit_case_seq",
            "idx_audit_workflow_seq",
            "idx_audit_actor_seq",
            "idx_audit_at",
        ] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(Alias::new("audit_events"))
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            EauditDocuments::Table.into_iden(),
            EauditFollowups::Table.into_iden(),
            EauditRecommendations::Table.into_iden(),
            EauditEvidence::Table.into_iden(),
            EauditFindings::Table.into_iden(),
            EauditTeam::Table.into_iden(),
            EauditAssignments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
