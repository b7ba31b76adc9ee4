//! Procurement I: vendors (penyedia) and their members, uploaded documents (metadata; the bytes
//! are in the blob store), the local e-catalogue with its price history and full-text search
//! (FTS5 on SQLite, a `tsvector` column on PostgreSQL), plan lines, packages, and orders
//! (e-purchasing and direct procurement) with their lines, offers, receipts (BAST) and payments.
//! Money is whole sen (`BIGINT`); quantities are exact decimal text.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Vendors {
    Table,
    Id,
    InstanceId,
    Name,
    Form,
    Nib,
    Npwp,
    Address,
    RegionId,
    Kbli,
    ContactName,
    ContactPhone,
    ContactEmail,
    BankName,
    BankAccount,
    BankHolder,
    Status,
    StatusReason,
    BlacklistedUntil,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VendorMembers {
    Table,
    Id,
    VendorId,
    UserId,
    IsAdmin,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProcurementDocuments {
    Table,
    Id,
    OwnerKind,
    OwnerId,
    Kind,
    Name,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CatalogueItems {
    Table,
    Id,
    InstanceId,
    VendorId,
    Name,
    Specification,
    Unit,
    Category,
    Regions,
    DeliveryDays,
    MinOrder,
    Stock,
    PriceSen,
    ValidUntil,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CataloguePrices {
    Table,
    Id,
    ItemId,
    PriceSen,
    ValidUntil,
    Status,
    Reason,
    ProposedBy,
    ProposedAt,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum PlanLines {
    Table,
    Id,
    RegionId,
    Year,
    Title,
    Opd,
    BudgetSen,
    ProposalId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Packages {
    Table,
    Id,
    InstanceId,
    LineId,
    RegionId,
    Name,
    Kind,
    Category,
    PaguSen,
    HpsSen,
    Location,
    StartsOn,
    EndsOn,
    PpkId,
    OfficialId,
    Method,
    ProposedMethod,
    MethodReason,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    InstanceId,
    PackageId,
    Method,
    VendorId,
    Number,
    DeliveryAddress,
    TotalSen,
    PaidSen,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    ItemId,
    Description,
    Unit,
    Quantity,
    UnitPriceSen,
    TotalSen,
    Received,
}

#[derive(DeriveIden)]
enum OrderOffers {
    Table,
    Id,
    OrderId,
    ByVendor,
    TotalSen,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Receipts {
    Table,
    Id,
    OrderId,
    Number,
    Lines,
    Note,
    ReceivedBy,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    OrderId,
    AmountSen,
    Reference,
    RecordedBy,
    PaidAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Vendors::Table)
                .col(pk_auto(Vendors::Id))
                .col(integer_null(Vendors::InstanceId))
                .col(string(Vendors::Name))
                .col(string(Vendors::Form))
                .col(string(Vendors::Nib))
                .col(string(Vendors::Npwp))
                .col(text(Vendors::Address))
                .col(integer(Vendors::RegionId))
                .col(text(Vendors::Kbli))
                .col(string(Vendors::ContactName))
                .col(string(Vendors::ContactPhone))
                .col(string(Vendors::ContactEmail))
                .col(string(Vendors::BankName))
                .col(string(Vendors::BankAccount))
                .col(string(Vendors::BankHolder))
                .col(string(Vendors::Status))
                .col(text_null(Vendors::StatusReason))
                .col(timestamp_with_time_zone_null(Vendors::BlacklistedUntil))
                .col(integer(Vendors::CreatedBy))
                .col(timestamp_with_time_zone(Vendors::CreatedAt))
                .col(timestamp_with_time_zone(Vendors::UpdatedAt))
                .to_owned(),
        )
        .await?;
        index(m, "uq_vendor_npwp", Vendors::Table, &["npwp"], true).await?;
        index(m, "ix_vendor_status", Vendors::Table, &["status"], false).await?;

        m.create_table(
            Table::create()
                .table(VendorMembers::Table)
                .col(pk_auto(VendorMembers::Id))
                .col(integer(VendorMembers::VendorId))
                .col(integer(VendorMembers::UserId))
                .col(boolean(VendorMembers::IsAdmin))
                .col(timestamp_with_time_zone(VendorMembers::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(VendorMembers::Table, VendorMembers::VendorId)
                        .to(Vendors::Table, Vendors::Id),
                )
                .to_owned(),
        )
        .await?;
        // One company per user account.
        index(
            m,
            "uq_vendor_member_user",
            VendorMembers::Table,
            &["user_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_vendor_member_vendor",
            VendorMembers::Table,
            &["vendor_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProcurementDocuments::Table)
                .col(pk_auto(ProcurementDocuments::Id))
                .col(string(ProcurementDocuments::OwnerKind))
                .col(integer(ProcurementDocuments::OwnerId))
                .col(string(ProcurementDocuments::Kind))
                .col(string(ProcurementDocuments::Name))
                .col(string(ProcurementDocuments::ContentType))
                .col(big_integer(ProcurementDocuments::SizeBytes))
                .col(string(ProcurementDocuments::Sha256))
                .col(string(ProcurementDocuments::StorageKey))
                .col(integer(ProcurementDocuments::UploadedBy))
                .col(timestamp_with_time_zone(ProcurementDocuments::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_document_owner",
            ProcurementDocuments::Table,
            &["owner_kind", "owner_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CatalogueItems::Table)
                .col(pk_auto(CatalogueItems::Id))
                .col(integer_null(CatalogueItems::InstanceId))
                .col(integer(CatalogueItems::VendorId))
                .col(string(CatalogueItems::Name))
                .col(text(CatalogueItems::Specification))
                .col(string(CatalogueItems::Unit))
                .col(string(CatalogueItems::Category))
                .col(text(CatalogueItems::Regions))
                .col(integer(CatalogueItems::DeliveryDays))
                .col(string(CatalogueItems::MinOrder))
                .col(big_integer_null(CatalogueItems::Stock))
                .col(big_integer(CatalogueItems::PriceSen))
                .col(date(CatalogueItems::ValidUntil))
                .col(string(CatalogueItems::Status))
                .col(timestamp_with_time_zone(CatalogueItems::CreatedAt))
                .col(timestamp_with_time_zone(CatalogueItems::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CatalogueItems::Table, CatalogueItems::VendorId)
                        .to(Vendors::Table, Vendors::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_item_status_price",
            CatalogueItems::Table,
            &["status", "price_sen"],
            false,
        )
        .await?;
        index(
            m,
            "ix_item_category_price",
            CatalogueItems::Table,
            &["category", "price_sen"],
            false,
        )
        .await?;
        index(
            m,
            "ix_item_vendor",
            CatalogueItems::Table,
            &["vendor_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CataloguePrices::Table)
                .col(pk_auto(CataloguePrices::Id))
                .col(integer(CataloguePrices::ItemId))
                .col(big_integer(CataloguePrices::PriceSen))
                .col(date(CataloguePrices::ValidUntil))
                .col(string(CataloguePrices::Status))
                .col(text_null(CataloguePrices::Reason))
                .col(integer(CataloguePrices::ProposedBy))
                .col(timestamp_with_time_zone(CataloguePrices::ProposedAt))
                .col(integer_null(CataloguePrices::DecidedBy))
                .col(timestamp_with_time_zone_null(CataloguePrices::DecidedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CataloguePrices::Table, CataloguePrices::ItemId)
                        .to(CatalogueItems::Table, CatalogueItems::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_price_item",
            CataloguePrices::Table,
            &["item_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlanLines::Table)
                .col(pk_auto(PlanLines::Id))
                .col(integer(PlanLines::RegionId))
                .col(integer(PlanLines::Year))
                .col(string(PlanLines::Title))
                .col(string(PlanLines::Opd))
                .col(big_integer(PlanLines::BudgetSen))
                .col(integer_null(PlanLines::ProposalId))
                .col(integer(PlanLines::CreatedBy))
                .col(timestamp_with_time_zone(PlanLines::CreatedAt))
                .to_owned(),
        )
        .await?;
        // A funded proposal is one line of the plan.
        index(
            m,
            "uq_plan_line_proposal",
            PlanLines::Table,
            &["proposal_id"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Packages::Table)
                .col(pk_auto(Packages::Id))
                .col(integer_null(Packages::InstanceId))
                .col(integer(Packages::LineId))
                .col(integer(Packages::RegionId))
                .col(string(Packages::Name))
                .col(string(Packages::Kind))
                .col(string(Packages::Category))
                .col(big_integer(Packages::PaguSen))
                .col(big_integer(Packages::HpsSen))
                .col(string(Packages::Location))
                .col(date(Packages::StartsOn))
                .col(date(Packages::EndsOn))
                .col(integer(Packages::PpkId))
                .col(integer(Packages::OfficialId))
                .col(string(Packages::Method))
                .col(string(Packages::ProposedMethod))
                .col(text_null(Packages::MethodReason))
                .col(string(Packages::Status))
                .col(integer(Packages::CreatedBy))
                .col(timestamp_with_time_zone(Packages::CreatedAt))
                .col(timestamp_with_time_zone(Packages::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Packages::Table, Packages::LineId)
                        .to(PlanLines::Table, PlanLines::Id),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ix_package_line", Packages::Table, &["line_id"], false).await?;
        index(m, "ix_package_status", Packages::Table, &["status"], false).await?;

        m.create_table(
            Table::create()
                .table(Orders::Table)
                .col(pk_auto(Orders::Id))
                .col(integer_null(Orders::InstanceId))
                .col(integer(Orders::PackageId))
                .col(string(Orders::Method))
                .col(integer(Orders::VendorId))
                .col(string(Orders::Number))
                .col(text(Orders::DeliveryAddress))
                .col(big_integer(Orders::TotalSen))
                .col(big_integer_null(Orders::PaidSen))
                .col(string(Orders::Status))
                .col(integer(Orders::CreatedBy))
                .col(timestamp_with_time_zone(Orders::CreatedAt))
                .col(timestamp_with_time_zone(Orders::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Orders::Table, Orders::PackageId)
                        .to(Packages::Table, Packages::Id),
                )
                .to_owned(),
        )
        .await?;
        index(m, "ix_order_package", Orders::Table, &["package_id"], false).await?;
        index(m, "ix_order_vendor", Orders::Table, &["vendor_id"], false).await?;

        m.create_table(
            Table::create()
                .table(OrderLines::Table)
                .col(pk_auto(OrderLines::Id))
                .col(integer(OrderLines::OrderId))
                .col(integer_null(OrderLines::ItemId))
                .col(string(OrderLines::Description))
                .col(string(OrderLines::Unit))
                .col(string(OrderLines::Quantity))
                .col(big_integer(OrderLines::UnitPriceSen))
                .col(big_integer(OrderLines::TotalSen))
                .col(string(OrderLines::Received))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderLines::Table, OrderLines::OrderId)
                        .to(Orders::Table, Orders::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_order_line_order",
            OrderLines::Table,
            &["order_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OrderOffers::Table)
                .col(pk_auto(OrderOffers::Id))
                .col(integer(OrderOffers::OrderId))
                .col(boolean(OrderOffers::ByVendor))
                .col(big_integer(OrderOffers::TotalSen))
                .col(text(OrderOffers::Note))
                .col(integer(OrderOffers::CreatedBy))
                .col(timestamp_with_time_zone(OrderOffers::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_order_offer_order",
            OrderOffers::Table,
            &["order_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Receipts::Table)
                .col(pk_auto(Receipts::Id))
                .col(integer(Receipts::OrderId))
                .col(string(Receipts::Number))
                .col(text(Receipts::Lines))
                .col(text(Receipts::Note))
                .col(integer(Receipts::ReceivedBy))
                .col(timestamp_with_time_zone(Receipts::ReceivedAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_receipt_order", Receipts::Table, &["order_id"], false).await?;

        m.create_table(
            Table::create()
                .table(Payments::Table)
                .col(pk_auto(Payments::Id))
                .col(integer(Payments::OrderId))
                .col(big_integer(Payments::AmountSen))
                .col(string(Payments::Reference))
                .col(integer(Payments::RecordedBy))
                .col(timestamp_with_time_zone(Payments::PaidAt))
                .to_owned(),
        )
        .await?;
        index(m, "ix_payment_order", Payments::Table, &["order_id"], false).await?;

        // Full-text search over the catalogue's names and specifications.
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for sql in [
                    "CREATE VIRTUAL TABLE catalogue_fts USING fts5(name, specification, \
                     content='catalogue_items', content_rowid='id', \
                     tokenize='unicode61 remove_diacritics 2')",
                    "CREATE TRIGGER catalogue_fts_insert AFTER INSERT ON catalogue_items BEGIN \
                     INSERT INTO catalogue_fts(rowid, name, specification) \
                     VALUES (new.id, new.name, new.specification); END",
                    "CREATE TRIGGER catalogue_fts_delete AFTER DELETE ON catalogue_items BEGIN \
                     INSERT INTO catalogue_fts(catalogue_fts, rowid, name, specification) \
                     VALUES ('delete', old.id, old.name, old.specification); END",
                    "CREATE TRIGGER catalogue_fts_update AFTER UPDATE OF name, specification \
                     ON catalogue_items BEGIN \
                     INSERT INTO catalogue_fts(catalogue_fts, rowid, name, specification) \
                     VALUES ('delete', old.id, old.name, old.specification); \
                     INSERT INTO catalogue_fts(rowid, name, specification) \
                     VALUES (new.id, new.name, new.specification); END",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {
                for sql in [
                    "ALTER TABLE catalogue_items ADD COLUMN search tsvector GENERATED ALWAYS AS \
                     (to_tsvector('simple', name || ' ' || specification)) STORED",
                    "CREATE INDEX ix_catalogue_search ON catalogue_items USING GIN (search)",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Sqlite {
            for sql in [
                "DROP TRIGGER IF EXISTS catalogue_fts_insert",
                "DROP TRIGGER IF EXISTS catalogue_fts_delete",
                "DROP TRIGGER IF EXISTS catalogue_fts_update",
                "DROP TABLE IF EXISTS catalogue_fts",
            ] {
                m.get_connection().execute_unprepared(sql).await?;
            }
        }
        for t in [
            Payments::Table.into_iden(),
            Receipts::Table.into_iden(),
            OrderOffers::Table.into_iden(),
            OrderLines::Table.into_iden(),
            Orders::Table.into_iden(),
            Packages::Table.into_iden(),
            PlanLines::Table.into_iden(),
            CataloguePrices::Table.into_iden(),
            CatalogueItems::Table.into_iden(),
            ProcurementDocuments::Table.into_iden(),
            VendorMembers::Table.into_iden(),
            Vendors::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
