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
    connect_pool(url, durability, None, Journals::Default).await
}

/// A pool of one connection, for a dedicated task: the WAL checkpointer.
pub async fn connect_single(
    url: &str,
    durability: Durability,
) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, durability, Some(1), Journals::Default).await
}

/// The batch writer's own connection (a pool of one). On SQLite its statement and savepoint
/// journals always stay in memory (`temp_store = MEMORY`): a batch's transaction runs a few
/// multi-row statements, each of which journals the pages it changes that the transaction
/// had already written; a large batch outgrows what other connections keep in memory
/// (`JOURNAL_IN_MEMORY_BYTES`, 128 KiB) and would spill to a temporary file, writing each such page
/// twice more.
/// A batch is bounded (the server's `MAX_BATCH` requests), so this memory is too. Connections
/// that may run unbounded statements (migrations, reports, the requests' pool) keep the
/// default, which spills.
pub async fn connect_writer(
    url: &str,
    durability: Durability,
) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, durability, Some(1), Journals::InMemory).await
}

/// Where a SQLite connection keeps its statement journals and other temporary data.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Journals {
    /// In memory up to [`JOURNAL_IN_MEMORY_BYTES`], then in a temporary file.
    Default,
    /// Always in memory (`temp_store = MEMORY`), for connections whose statements are bounded.
    InMemory,
}

async fn connect_pool(
    url: &str,
    durability: Durability,
    size: Option<u32>,
    journals: Journals,
) -> Result<DatabaseConnection, DbErr> {
    let is_sqlite = url.starts_with("sqlite:");
    if is_sqlite {
        sqlite_process_config();
    }
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
            let o = match journals {
                Journals::InMemory => o.pragma("temp_store", "MEMORY"),
                Journals::Default => o,
            };
            o.journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // Checkpoints are the server's background job (`checkpoint_wal`); a commit
                // checkpoints by itself only if the WAL grows past this (a safety net).
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
                .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string())
                // Reads map the file instead of copying each page through a syscall into the
                // connection's small page cache: a catalogue search reading 2,500 rows by id
                // took 10-20 ms without, 4 ms with (docs/benchmarks.md, catalogue search).
                .pragma("mmap_size", MMAP_SIZE_BYTES.to_string())
                .synchronous(match durability {
                    Durability::Full => SqliteSynchronous::Full,
                    Durability::Normal => SqliteSynchronous::Normal,
                })
        });
        opts.map_sqlx_sqlite_pool_opts(|o| {
            o.after_connect(|conn, _| Box::pin(async move { stable_plans(conn).await }))
        });
    } else {
        opts.max_connections(size.unwrap_or(16)).min_connections(1);
    }
    // PostgreSQL's level is the server's `synchronous_commit` (default `on`, i.e. `Full`); for
    // `Normal`, add `?options=-c%20synchronous_commit%3Doff` to the URL (see docs/operations.md).
    let db = Database::connect(opts).await?;
    Ok(db)
}

/// WAL pages after which a committing SQLite connection checkpoints by itself (SQLite's
/// default is 1,000). The server checkpoints in the background ([`checkpoint_wal`]) long
/// before this; at SQLite's default, one commit in eight under load also copied the WAL into
/// the database and synced it, which tripled that commit's time (and the wait of every
/// request in its group commit).
pub const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// How much of the SQLite file each connection maps into memory for reading (the pages are the
/// OS's file cache, shared by every connection, not extra memory per connection).
pub const MMAP_SIZE_BYTES: u64 = 1024 * 1024 * 1024;

/// Size the WAL file is cut back to after a checkpoint let it start over (it otherwise keeps
/// the size of its largest burst).
pub const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// What one [`checkpoint_wal`] did: WAL frames in the log and how many of them are now in
/// the database file. All of them means the next writer starts the WAL over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalCheckpoint {
    pub busy: bool,
    pub log_frames: i64,
    pub checkpointed_frames: i64,
}

/// Copies committed WAL frames into the SQLite database file (`wal_checkpoint(PASSIVE)`:
/// waits for no reader or writer, copies what no open read still needs). `None` on
/// PostgreSQL. The server runs this every few hundred milliseconds so that no request's
/// commit does the copying.
pub async fn checkpoint_wal(db: &DatabaseConnection) -> Result<Option<WalCheckpoint>, DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA wal_checkpoint(PASSIVE)",
        ))
        .await?;
    let Some(row) = row else { return Ok(None) };
    let busy: i64 = row.try_get_by_index(0)?;
    Ok(Some(WalCheckpoint {
        busy: busy != 0,
        log_frames: row.try_get_by_index(1)?,
        checkpointed_frames: row.try_get_by_index(2)?,
    }))
}

/// Process-wide SQLite settings, made once before the first connection opens (SQLite takes
/// them only before it initialises). Memory statistics off: with them on (the bundled
/// library's default), every allocation SQLite makes takes one global mutex that all
/// connections' threads share; nothing here reads those statistics. This is one of the
/// options SQLite's documentation recommends for speed.
///
/// Statement and savepoint journals stay in memory up to [`JOURNAL_IN_MEMORY_BYTES`] (SQLite's
/// default: 64 KiB); see there for why not more.
fn sqlite_process_config() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` with MEMSTATUS takes one int. It is not thread-safe: no
        // other SQLite call may run meanwhile. None can: this process opens every SQLite
        // connection through `connect_pool`, which waits for this `Once` first. Had SQLite
        // been initialised already, it returns SQLITE_MISUSE and changes nothing.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite memory statistics stay on (already initialised)");
        }
        // SAFETY: as above; STMTJRNL_SPILL takes one int (bytes).
        let rc = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_STMTJRNL_SPILL,
                JOURNAL_IN_MEMORY_BYTES,
            )
        };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::debug!(rc, "SQLite's journal spill size stays at its default");
        }
    });
}

/// How much of a statement or savepoint journal SQLite keeps in memory before it moves it to
/// a temporary file: the largest that works, 128 KiB less one byte. A grouped write (the
/// requests' group commit, `audit_log` in the server) journals each page it changes once,
/// about 60 KiB for a proposal submitted, which at SQLite's default of 64 KiB often spilled,
/// and the journal then stayed a file for the rest of the group (docs/benchmarks.md, ninth
/// session).
///
/// Not more: SQLite moves a journal to its file in chunks of this size, one write each, and
/// its unix VFS writes at most 128 KiB − 1 per call (it masks the length with `0x1ffff`). With
/// 8 MiB (the fourth to eighth sessions) a journal that outgrew it came back from that write
/// short, which SQLite reports as SQLITE_FULL, "database or disk is full", with the disk far
/// from full: migration 8 on a trail of a million events did. The storage test
/// `a_statement_rewriting_many_existing_pages_commits` makes a journal spill.
const JOURNAL_IN_MEMORY_BYTES: std::ffi::c_int = 0x1ffff;

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for a
/// new connection. Without it, a statement whose plan may depend on a bound value — since
/// SQLite 3.4x every `LIMIT ?`/`OFFSET ?`, which sea-orm always binds — is marked expired
/// whenever that value is bound, so every execution of a cached statement parsed and planned
/// it again (`sqlite3Reprepare`: 14 % of the server's CPU when listing proposals under load).
/// We keep no `sqlite_stat4` data, so bound values never improved a plan here anyway.
async fn stable_plans(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the connection's open handle, locked away from its worker thread for
    // the duration of the call; ENABLE_QPSG takes an int and an optional int* for the result.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        tracing::warn!(
            rc,
            "could not enable SQLite's query planner stability guarantee"
        );
    }
    Ok(())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    mufakat_migrations::Migrator::up(db, None).await
}

/// True for PostgreSQL connections.
pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh SQLite database in a temporary folder of its own (removed by the caller).
    async fn fresh_sqlite(
        name: &str,
        durability: Durability,
    ) -> (std::path::PathBuf, DatabaseConnection) {
        let dir = std::env::temp_dir().join(format!("mufakat-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("t.sqlite").display());
        let db = connect(&url, durability).await.unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn the_wal_is_checkpointed_on_request_not_by_commits() {
        use sea_orm::{ConnectionTrait, Statement};
        let (dir, db) = fresh_sqlite("wal", Durability::Normal).await;
        let pages = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_autocheckpoint",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            pages.try_get_by_index::<i64>(0).unwrap(),
            WAL_AUTOCHECKPOINT_PAGES as i64
        );
        db.execute_unprepared("CREATE TABLE t (x TEXT)")
            .await
            .unwrap();
        // More than SQLite's default threshold of 1,000 pages, in many commits.
        for _ in 0..1_200 {
            db.execute_unprepared("INSERT INTO t VALUES (zeroblob(3000))")
                .await
                .unwrap();
        }
        let cp = checkpoint_wal(&db).await.unwrap().unwrap();
        assert!(
            cp.log_frames > 1_000,
            "no commit checkpointed by itself: {cp:?}"
        );
        assert_eq!(cp.checkpointed_frames, cp.log_frames, "{cp:?}");
        assert!(!cp.busy);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn sqlite_keeps_no_memory_statistics() {
        let (dir, db) = fresh_sqlite("memstat", Durability::Full).await;
        migrate(&db).await.unwrap();
        // SAFETY: a plain read of SQLite's global counter.
        let used = unsafe { libsqlite3_sys::sqlite3_memory_used() };
        assert_eq!(
            used, 0,
            "SQLite tracks no memory (no global mutex per allocation)"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn sqlite_connections_keep_their_plans() {
        let (dir, db) = fresh_sqlite("qpsg", Durability::Full).await;
        let mut conn = db.get_sqlite_connection_pool().acquire().await.unwrap();
        let mut handle = conn.lock_handle().await.unwrap();
        let mut on: std::ffi::c_int = -1;
        // SAFETY: the locked handle of an open connection; -1 only reads the setting.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_db_config(
                handle.as_raw_handle().as_ptr(),
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1 as std::ffi::c_int,
                &mut on as *mut std::ffi::c_int,
            )
        };
        assert_eq!(rc, libsqlite3_sys::SQLITE_OK);
        assert_eq!(on, 1, "query planner stability guarantee is on");
        drop(handle);
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
