//! `mufakat backup` and `mufakat restore`: the database, the keys and the node's checkpoints in
//! one folder, taken while the server runs, restored into a fresh place.
//!
//! - SQLite: `VACUUM INTO` writes a consistent copy of the database as of one moment (every
//!   write committed — so acknowledged — before it started), without stopping the server.
//! - PostgreSQL: `pg_dump --format=custom` (one snapshot of the whole database), restored with
//!   `pg_restore` into an empty database. Both must be on `PATH`.
//!
//! The folder also holds `secrets/` (the NIK key, the audit signing key and the bid key: without them the
//! restored service cannot match NIKs or sign), `audit/checkpoints.jsonl` (the checkpoints the
//! node signed, which prove the restored trail is the one it signed), `blobs/` (the uploaded
//! files, when they are kept in a folder), and `manifest.json` with each file's SHA-256.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sea_orm::ConnectionTrait;
use sha2::Digest;

use crate::config::Settings;

const SQLITE_FILE: &str = "mufakat.sqlite";
const PG_FILE: &str = "database.pgdump";
/// Files of the data directory that go with the database.
const DATA_FILES: [&str; 4] = [
    "secrets/nik.key",
    "secrets/audit-signing.pem",
    "secrets/bid.key",
    "audit/checkpoints.jsonl",
];

/// The backup's folder of uploaded files (vendors' documents and other blobs).
const BLOBS: &str = "blobs";

/// Where uploaded files are kept when that is a folder: `{data_dir}/blobs` or a `file://` URL.
/// (An S3-compatible store is backed up by its own means: docs/operations.md.)
fn blob_folder(settings: &Settings) -> Option<PathBuf> {
    match settings.blob_store_url.as_deref() {
        None => Some(settings.data_dir.join(BLOBS)),
        Some(u) => u.strip_prefix("file://").map(PathBuf::from),
    }
}

/// Every file below `dir`, as paths relative to it with `/` separators, sorted.
fn files_under(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = vec![];
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(dir.join(&rel))? {
            let e = e?;
            let r = rel.join(e.file_name());
            if e.file_type()?.is_dir() {
                stack.push(r);
            } else {
                out.push(r.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// What a backup folder holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// Path inside the folder → SHA-256 (hex).
    pub files: std::collections::BTreeMap<String, String>,
}

/// The SQLite file of a `sqlite://` URL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(hex::encode(sha2::Sha256::digest(&bytes)))
}

/// Writes a backup of the running deployment described by `settings` into `to`, which must not
/// exist yet or be empty.
pub async fn backup(settings: &Settings, to: &Path) -> anyhow::Result<Manifest> {
    if to.exists() && std::fs::read_dir(to)?.next().is_some() {
        bail!("{} is not empty; back up into a new folder", to.display());
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let url = settings.database_url();
    let mut files = std::collections::BTreeMap::new();
    // The node's checkpoints before the database: each was signed over a head committed
    // before it was written to the file, so the database copy, taken after, reaches every one.
    for rel in DATA_FILES {
        let from = settings.data_dir.join(rel);
        if !from.exists() {
            continue;
        }
        let dest = to.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(&from, &dest).with_context(|| format!("copying {}", from.display()))?;
        files.insert(rel.to_owned(), sha256_file(&dest)?);
    }
    let engine = if let Some(_db_file) = sqlite_path(&url) {
        let db = mufakat_store::connect(&url, settings.durability()?).await?;
        let target = to.join(SQLITE_FILE);
        let quoted = target.display().to_string().replace('\'', "''");
        db.execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
            .await
            .context("VACUUM INTO")?;
        db.close().await.ok();
        files.insert(SQLITE_FILE.to_owned(), sha256_file(&target)?);
        "sqlite"
    } else {
        let target = to.join(PG_FILE);
        let out = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(&target)
            .arg(&url)
            .output()
            .context("running pg_dump (is it installed and on PATH?)")?;
        if !out.status.success() {
            bail!(
                "pg_dump failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        files.insert(PG_FILE.to_owned(), sha256_file(&target)?);
        "postgres"
    };
    // Uploaded files after the database: a file's bytes are stored before the row that names
    // it commits, so every file the copy of the database names is in the folder by now.
    if let Some(dir) = blob_folder(settings).filter(|d| d.exists()) {
        for rel in files_under(&dir)? {
            let dest = to.join(BLOBS).join(&rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(dir.join(&rel), &dest)
                .with_context(|| format!("copying {}", dir.join(&rel).display()))?;
            files.insert(format!("{BLOBS}/{rel}"), sha256_file(&dest)?);
        }
    }
    let manifest = Manifest {
        created_at: mufakat_audit::format_time(chrono::Utc::now()),
        engine: engine.to_owned(),
        files,
    };
    std::fs::write(
        to.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Restores the backup in `from` into the (fresh) place `settings` describe: an absent SQLite
/// file, or an empty PostgreSQL database, and a data directory without keys.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<Manifest> {
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(from.join("manifest.json"))
            .with_context(|| format!("reading {}/manifest.json", from.display()))?,
    )?;
    for (rel, sum) in &manifest.files {
        if &sha256_file(&from.join(rel))? != sum {
            bail!("{rel} does not match the manifest's SHA-256: the backup is damaged");
        }
    }
    for rel in DATA_FILES {
        if settings.data_dir.join(rel).exists() {
            bail!(
                "{} already holds {rel}; restore into a fresh data directory",
                settings.data_dir.display()
            );
        }
    }
    let url = settings.database_url();
    match (manifest.engine.as_str(), sqlite_path(&url)) {
        ("sqlite", Some(target)) => {
            if target.exists() {
                bail!("{} exists; restore into a new place", target.display());
            }
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::copy(from.join(SQLITE_FILE), &target)?;
        }
        ("postgres", None) => {
            let db = mufakat_store::connect(&url, settings.durability()?).await?;
            let tables = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
                ))
                .await?
                .and_then(|r| r.try_get::<i64>("", "n").ok())
                .unwrap_or(0);
            db.close().await.ok();
            if tables > 0 {
                bail!("the target database is not empty; restore into a new, empty database");
            }
            let out = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(from.join(PG_FILE))
                .output()
                .context("running pg_restore (is it installed and on PATH?)")?;
            if !out.status.success() {
                bail!(
                    "pg_restore failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
        (engine, _) => bail!(
            "this backup is of a {engine} database; give a matching --database-url to restore it"
        ),
    }
    for rel in DATA_FILES {
        let src = from.join(rel);
        if !src.exists() {
            continue;
        }
        let dest = settings.data_dir.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if rel.starts_with("secrets/") {
            crate::secrets::write_private(&dest, &std::fs::read_to_string(&src)?)?;
        } else {
            std::fs::copy(&src, &dest)?;
        }
    }
    if let Some(dir) = blob_folder(settings) {
        for rel in manifest
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("blobs/"))
        {
            let dest = dir.join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(from.join(BLOBS).join(rel), &dest)?;
        }
    }
    Ok(manifest)
}
