//! Procurement II: competitive procedures (mini-competition, tender) with their Pokja, invited
//! vendors, clarification questions, sealed bids (only the ciphertext's hash and size here; the
//! ciphertext is in the blob store, and prices appear only after the opening), objections
//! (sanggah) and appeals, contracts and their amendments (adendum), and the OCDS releases
//! published at each stage (immutable: a change is a new release). Money is whole sen.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TenderProcedures {
    Table,
    Id,
    InstanceId,
    PackageId,
    RegionId,
    Method,
    Number,
    Title,
    HpsSen,
    Evaluation,
    QualityWeight,
    Qualification,
    Documents,
    MinBids,
    BidDeadline,
    PublicKey,
    WrappedKey,
    OpenedAt,
    AwardAt,
    ObjectionEnds,
    SppbjAt,
    WinnerBidId,
    RetenderOf,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TenderPokja {
    Table,
    Id,
    ProcedureId,
    UserId,
    IsChair,
}

#[derive(DeriveIden)]
enum TenderInvites {
    Table,
    Id,
    ProcedureId,
    VendorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TenderQuestions {
    Table,
    Id,
    ProcedureId,
    VendorId,
    Question,
    Answer,
    Amends,
    AskedBy,
    AskedAt,
    AnsweredBy,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum TenderBids {
    Table,
    Id,
    ProcedureId,
    VendorId,
    Status,
    StorageKey,
    Sha256,
    SizeBytes,
    SubmittedBy,
    SubmittedAt,
    PriceSen,
    OpenedSha256,
    Technical,
    Documents,
    AdminOk,
    TechOk,
    TechScore,
    Reason,
    Score,
    Rank,
}

#[derive(DeriveIden)]
enum TenderObjections {
    Table,
    Id,
    InstanceId,
    ProcedureId,
    VendorId,
    Kind,
    ParentId,
    Text,
    GuaranteeSen,
    Status,
    Answer,
    AnsweredBy,
    FiledBy,
    FiledAt,
    DueAt,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    Id,
    InstanceId,
    PackageId,
    ProcedureId,
    BidId,
    VendorId,
    Number,
    SppbjNumber,
    SppbjAt,
    ValueSen,
    StartsOn,
    EndsOn,
    PaymentTerms,
    Status,
    PaidSen,
    SignedBy,
    SignedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ContractAmendments {
    Table,
    Id,
    ContractId,
    Number,
    ValueSen,
    EndsOn,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OcdsReleases {
    Table,
    Id,
    Ocid,
    ReleaseId,
    Date,
    Tags,
    PackageId,
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use TenderProcedures as P;
        m.create_table(
            Table::create()
                .table(P::Table)
                .col(pk_auto(P::Id))
                .col(integer_null(P::InstanceId))
                .col(integer(P::PackageId))
                .col(integer(P::RegionId))
                .col(string(P::Method))
                .col(string(P::Number))
                .col(string(P::Title))
                .col(big_integer(P::HpsSen))
                .col(string(P::Evaluation))
                .col(integer(P::QualityWeight))
                .col(text(P::Qualification))
                .col(text(P::Documents))
                .col(integer(P::MinBids))
                .col(timestamp_with_time_zone(P::BidDeadline))
                .col(string(P::PublicKey))
                .col(text(P::WrappedKey))
                .col(timestamp_with_time_zone_null(P::OpenedAt))
                .col(timestamp_with_time_zone_null(P::AwardAt))
                .col(timestamp_with_time_zone_null(P::ObjectionEnds))
                .col(timestamp_with_time_zone_null(P::SppbjAt))
                .col(integer_null(P::WinnerBidId))
                .col(integer_null(P::RetenderOf))
                .col(string(P::Status))
                .col(integer(P::CreatedBy))
                .col(timestamp_with_time_zone(P::CreatedAt))
                .col(timestamp_with_time_zone(P::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "uq_tender_number", P::Table, &["number"], true).await?;
        index(m, "idx_tender_package", P::Table, &["package_id"], false).await?;
        index(m, "idx_tender_instance", P::Table, &["instance_id"], false).await?;
        use TenderPokja as K;
        m.create_table(
            Table::create()
                .table(K::Table)
                .col(pk_auto(K::Id))
                .col(integer(K::ProcedureId))
                .col(integer(K::UserId))
                .col(boolean(K::IsChair))
                .foreign_key(
                    ForeignKey::create()
                        .from(K::Table, K::ProcedureId)
                        .to(P::Table, P::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_tender_pokja",
            K::Table,
            &["procedure_id", "user_id"],
            true,
        )
        .await?;
        use TenderInvites as I;
        m.create_table(
            Table::create()
                .table(I::Table)
                .col(pk_auto(I::Id))
                .col(integer(I::ProcedureId))
                .col(integer(I::VendorId))
                .col(timestamp_with_time_zone(I::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(I::Table, I::ProcedureId)
                        .to(P::Table, P::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_tender_invite",
            I::Table,
            &["procedure_id", "vendor_id"],
            true,
        )
        .await?;
        use TenderQuestions as Q;
        m.create_table(
            Table::create()
                .table(Q::Table)
                .col(pk_auto(Q::Id))
                .col(integer(Q::ProcedureId))
                .col(integer(Q::VendorId))
                .col(text(Q::Question))
                .col(text_null(Q::Answer))
                .col(boolean(Q::Amends))
                .col(integer(Q::AskedBy))
                .col(timestamp_with_time_zone(Q::AskedAt))
                .col(integer_null(Q::AnsweredBy))
                .col(timestamp_with_time_zone_null(Q::AnsweredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Q::Table, Q::ProcedureId)
                        .to(P::Table, P::Id),
                )
                .to_owned(),
        )
        .await?;
        index(m, "idx_tender_question", Q::Table, &["procedure_id"], false).await?;
        use TenderBids as B;
        m.create_table(
            Table::create()
                .table(B::Table)
                .col(pk_auto(B::Id))
                .col(integer(B::ProcedureId))
                .col(integer(B::VendorId))
                .col(string(B::Status))
                .col(string(B::StorageKey))
                .col(string(B::Sha256))
                .col(big_integer(B::SizeBytes))
                .col(integer(B::SubmittedBy))
                .col(timestamp_with_time_zone(B::SubmittedAt))
                .col(big_integer_null(B::PriceSen))
                .col(string_null(B::OpenedSha256))
                .col(text_null(B::Technical))
                .col(text_null(B::Documents))
                .col(boolean_null(B::AdminOk))
                .col(boolean_null(B::TechOk))
                .col(integer_null(B::TechScore))
                .col(text_null(B::Reason))
                .col(string_null(B::Score))
                .col(integer_null(B::Rank))
                .foreign_key(
                    ForeignKey::create()
                        .from(B::Table, B::ProcedureId)
                        .to(P::Table, P::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_tender_bid",
            B::Table,
            &["procedure_id", "vendor_id"],
            false,
        )
        .await?;
        use TenderObjections as O;
        m.create_table(
            Table::create()
                .table(O::Table)
                .col(pk_auto(O::Id))
                .col(integer_null(O::InstanceId))
                .col(integer(O::ProcedureId))
                .col(integer(O::VendorId))
                .col(string(O::Kind))
                .col(integer_null(O::ParentId))
                .col(text(O::Text))
                .col(big_integer_null(O::GuaranteeSen))
                .col(string(O::Status))
                .col(text_null(O::Answer))
                .col(integer_null(O::AnsweredBy))
                .col(integer(O::FiledBy))
                .col(timestamp_with_time_zone(O::FiledAt))
                .col(timestamp_with_time_zone(O::DueAt))
                .col(timestamp_with_time_zone_null(O::AnsweredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(O::Table, O::ProcedureId)
                        .to(P::Table, P::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "idx_tender_objection",
            O::Table,
            &["procedure_id"],
            false,
        )
        .await?;
        index(
            m,
            "idx_tender_objection_instance",
            O::Table,
            &["instance_id"],
            false,
        )
        .await?;
        use Contracts as C;
        m.create_table(
            Table::create()
                .table(C::Table)
                .col(pk_auto(C::Id))
                .col(integer_null(C::InstanceId))
                .col(integer(C::PackageId))
                .col(integer_null(C::ProcedureId))
                .col(integer_null(C::BidId))
                .col(integer(C::VendorId))
                .col(string(C::Number))
                .col(string(C::SppbjNumber))
                .col(timestamp_with_time_zone(C::SppbjAt))
                .col(big_integer(C::ValueSen))
                .col(date(C::StartsOn))
                .col(date(C::EndsOn))
                .col(text(C::PaymentTerms))
                .col(string(C::Status))
                .col(big_integer_null(C::PaidSen))
                .col(integer(C::SignedBy))
                .col(timestamp_with_time_zone(C::SignedAt))
                .col(timestamp_with_time_zone(C::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "uq_contract_number", C::Table, &["number"], true).await?;
        index(m, "idx_contract_package", C::Table, &["package_id"], false).await?;
        index(
            m,
            "idx_contract_instance",
            C::Table,
            &["instance_id"],
            false,
        )
        .await?;
        use ContractAmendments as A;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(pk_auto(A::Id))
                .col(integer(A::ContractId))
                .col(integer(A::Number))
                .col(big_integer(A::ValueSen))
                .col(date(A::EndsOn))
                .col(text(A::Reason))
                .col(integer(A::CreatedBy))
                .col(timestamp_with_time_zone(A::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(A::Table, A::ContractId)
                        .to(C::Table, C::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uq_contract_amendment",
            A::Table,
            &["contract_id", "number"],
            true,
        )
        .await?;
        use OcdsReleases as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(pk_auto(R::Id))
                .col(string(R::Ocid))
                .col(string(R::ReleaseId))
                .col(timestamp_with_time_zone(R::Date))
                .col(string(R::Tags))
                .col(integer(R::PackageId))
                .col(text(R::Body))
                .to_owned(),
        )
        .await?;
        index(m, "uq_ocds_release", R::Table, &["release_id"], true).await?;
        index(m, "idx_ocds_ocid", R::Table, &["ocid", "id"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OcdsReleases::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ContractAmendments::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Contracts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderObjections::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderBids::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderQuestions::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderInvites::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderPokja::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TenderProcedures::Table).to_owned())
            .await
    }
}
