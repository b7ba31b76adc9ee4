//! Database migrations for Mufakat, run by `mufakat migrate` and at `serve` start.
//! One file per migration, named `mYYYYMMDD_HHMMSS_name.rs`; never edit a landed one.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_foundation;
mod m20261124_000002_workflows_audit;
mod m20261124_000003_musrenbang;
mod m20261124_000004_allocation;
mod m20261124_000005_notifications;
mod m20261124_000006_proposal_sort_indexes;
mod m20261125_000007_vote_index_by_voter;
mod m20261125_000008_audit_hash_not_indexed;
mod m20261206_000009_rate_limit_counters;
mod m20261207_000010_procurement;
mod m20261208_000011_eaudit;
mod m20261209_000012_tender;
mod m20261210_000013_monev;
mod m20261211_000014_password_reset;
mod m20261212_000015_comment_reports;
mod m20261213_000016_mail;
mod m20261214_000017_forums;
mod m20261215_000018_opds;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_foundation::Migration),
            Box::new(m20261124_000002_workflows_audit::Migration),
            Box::new(m20261124_000003_musrenbang::Migration),
            Box::new(m20261124_000004_allocation::Migration),
            Box::new(m20261124_000005_notifications::Migration),
            Box::new(m20261124_000006_proposal_sort_indexes::Migration),
            Box::new(m20261125_000007_vote_index_by_voter::Migration),
            Box::new(m20261125_000008_audit_hash_not_indexed::Migration),
            Box::new(m20261206_000009_rate_limit_counters::Migration),
            Box::new(m20261207_000010_procurement::Migration),
            Box::new(m20261208_000011_eaudit::Migration),
            Box::new(m20261209_000012_tender::Migration),
            Box::new(m20261210_000013_monev::Migration),
            Box::new(m20261211_000014_password_reset::Migration),
            Box::new(m20261212_000015_comment_reports::Migration),
            Box::new(m20261213_000016_mail::Migration),
            Box::new(m20261214_000017_forums::Migration),
            Box::new(m20261215_000018_opds::Migration),
        ]
    }
}

/// Creates index `name` on `cols` of `table` (unique when `unique`): the migrations' one way.
pub(crate) async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}
