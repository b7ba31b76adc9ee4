use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;

/// How hard a commit is made durable. `Full` survives power loss (SQLite `synchronous=FULL`,
/// PostgreSQL `synchronous_commit=on`); `Normal` survives a crash of the process but may lose
/// the last commits on power loss (SQLite WAL `synchronous=NORMAL`,
/// PostgreSQL `synchronous_commit=off`). Default: `Full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    #[default]
    Full,
    Normal,
}

impl std::str::FromStr for Durability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Durability::Full),
            "normal" => Ok(Durability::Normal),
            other => Err(format!(
                "unknown durability `{other}` (use `full` or `normal`)"
            )),
        }
    }
}

/// Opens a pool. SQLite gets WAL, foreign keys, a busy timeout and the chosen `synchronous`
/// level on every connection; the file is created when missing.
pub async fn connect(url: &str, durability: Durability) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, durability, None).await
}

/// A pool of one connection, for a dedicated writer (the vote batcher) on its own thread.
pub async fn connect_single(
    url: &str,
    durability: Durability,
) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, durability, Some(1)).await
}

async fn connect_pool(
    url: &str,
    durability: Durability,
    size: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let is_sqlite = url.starts_with("sqlite:");
    let url = if is_sqlite && !url.contains("mode=") && !url.contains(":memory:") {
        format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
    } else {
        url.to_owned()
    };
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if is_sqlite {
        opts.max_connections(size.unwrap_or(8)).min_connections(1);
        opts.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .synchronous(match durability {
                    Durability::Full => SqliteSynchronous::Full,
                    Durability::Normal => SqliteSynchronous::Normal,
                })
        });
    } else {
        opts.max_connections(size.unwrap_or(16)).min_connections(1);
    }
    // PostgreSQL's level is the server's `synchronous_commit` (default `on`, i.e. `Full`); for
    // `Normal`, add `?options=-c%20synchronous_commit%3Doff` to the URL (see docs/operations.md).
    let db = Database::connect(opts).await?;
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    mufakat_migrations::Migrator::up(db, None).await
}

/// True for PostgreSQL connections.
pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}
