//! What the module needs at run time besides the database: the blob store for uploaded files
//! and the method thresholds, built once at start from the settings ([`init`]) and checked
//! then, so that a bad thresholds file or an unreachable blob folder stops the start.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use bytes::Bytes;
use mufakat_kernel::AppState;
use mufakat_procurement::Thresholds;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

/// The file the thresholds are read from, inside the workflows folder (beside the workflow
/// files, outside the folder the workflow loader reads).
pub const THRESHOLDS_FILE: &str = "config/procurement-thresholds.toml";
/// The business fields (KBLI codes) vendors and catalogue items may have.
pub const KBLI_FILE: &str = "config/kbli.toml";
/// The shipped KBLI list (the same file as in `workflows/`).
pub const SHIPPED_KBLI: &str = include_str!("../../../../workflows/config/kbli.toml");

/// The list of business fields: code → title.
pub type Kbli = std::collections::BTreeMap<String, String>;

/// Parses a KBLI list (`[[fields]] code, title`): five-digit codes, each once, titles given.
pub fn parse_kbli(text: &str) -> Result<Kbli, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        fields: Vec<Field>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Field {
        code: String,
        title: String,
    }
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Kbli::new();
    for x in f.fields {
        mufakat_procurement::Kbli::parse(&x.code)
            .map_err(|_| format!("`{}` is not a five-digit KBLI code", x.code))?;
        if x.title.trim().is_empty() {
            return Err(format!("KBLI {} has no title", x.code));
        }
        if out
            .insert(x.code.clone(), x.title.trim().to_owned())
            .is_some()
        {
            return Err(format!("KBLI {} is listed twice", x.code));
        }
    }
    if out.is_empty() {
        return Err("the list of business fields is empty".into());
    }
    Ok(out)
}

fn read_kbli(dir: &Path) -> anyhow::Result<Option<Kbli>> {
    let path = dir.join(KBLI_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(
        parse_kbli(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
    ))
}

/// Checks the KBLI list in the workflows folder `dir`, if there is one.
pub fn check_kbli(dir: &Path) -> anyhow::Result<bool> {
    Ok(read_kbli(dir)?.is_some())
}

/// Where uploaded bytes live: a folder (the default) or an S3-compatible bucket, both through
/// `object_store`. Keys are content addresses (`sha256/ab/abcdef…`), so the same file uploaded
/// twice is stored once.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    /// What the store is, for logs (`folder /…` or `s3://bucket`).
    pub describe: String,
}

impl BlobStore {
    /// The store `url` names (`None`: the folder `{data_dir}/blobs`).
    pub fn open(url: Option<&str>, data_dir: &Path) -> anyhow::Result<BlobStore> {
        match url {
            Some(u) if u.starts_with("s3://") => {
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_url(u)
                    .build()
                    .with_context(|| format!("blob store {u}"))?;
                Ok(BlobStore {
                    inner: Arc::new(s3),
                    describe: u.to_owned(),
                })
            }
            Some(u) if u.starts_with("file://") => Self::folder(Path::new(&u["file://".len()..])),
            Some(u) => {
                anyhow::bail!("MUFAKAT_BLOB_STORE_URL={u}: expected file:///PATH or s3://BUCKET")
            }
            None => Self::folder(&data_dir.join("blobs")),
        }
    }

    fn folder(dir: &Path) -> anyhow::Result<BlobStore> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("blob folder {}", dir.display()))?;
        Ok(BlobStore {
            inner: Arc::new(fs),
            describe: format!("folder {}", dir.display()),
        })
    }

    /// The key of bytes whose SHA-256 is `sha256` (hex).
    pub fn key_for(sha256: &str) -> String {
        format!("sha256/{}/{}", &sha256[..2], sha256)
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing blob {key}"))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let r = self
            .inner
            .get(&ObjectPath::from(key))
            .await
            .with_context(|| format!("reading blob {key}"))?;
        Ok(r.bytes().await?)
    }
}

/// Checks the thresholds file in the workflows folder `dir`, if there is one (`mufakat
/// workflows check`); `Ok(false)` when there is none (the shipped defaults apply).
pub fn check_thresholds(dir: &Path) -> anyhow::Result<bool> {
    let path = dir.join(THRESHOLDS_FILE);
    if !path.exists() {
        return Ok(false);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Thresholds::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(true)
}

pub struct Runtime {
    pub blobs: BlobStore,
    pub thresholds: Thresholds,
    pub kbli: Kbli,
    pub upload_max_bytes: usize,
    /// The node's snapshot of the catalogue, which buyers' searches read.
    pub catalogue: Arc<crate::service::catalogue_index::Snapshot>,
}

/// An upload checked and stored: its detected type, its SHA-256 (hex) and its key.
pub struct Stored {
    pub content_type: &'static str,
    pub sha256: String,
    pub key: String,
}

impl Runtime {
    /// Checks an upload (not empty, within the size limit, an allowed type by its content,
    /// as declared) and stores its bytes under their content address. Stored before the
    /// caller writes its row: a failed transaction leaves an unreferenced blob (harmless, the
    /// same bytes get the same key), never a row without its bytes.
    pub async fn store(&self, declared: &str, bytes: &Bytes) -> mufakat_core::AppResult<Stored> {
        let head = &bytes[..bytes.len().min(64)];
        let content_type =
            mufakat_procurement::check_upload(declared, bytes.len(), head, self.upload_max_bytes)
                .map_err(|e| mufakat_core::AppError::Validation(vec![e.into()]))?;
        let (sha256, key) = self.put(bytes).await?;
        Ok(Stored {
            content_type,
            sha256,
            key,
        })
    }

    /// Stores bytes the server made itself (a frozen report) under their content address,
    /// without an upload's checks; returns their SHA-256 (hex) and key.
    pub async fn put(&self, bytes: &Bytes) -> mufakat_core::AppResult<(String, String)> {
        use sha2::Digest;
        let sha256 = hex::encode(sha2::Sha256::digest(bytes));
        let key = BlobStore::key_for(&sha256);
        self.blobs
            .put(&key, bytes.clone())
            .await
            .map_err(mufakat_core::AppError::internal)?;
        Ok((sha256, key))
    }
}

/// The module's slot in the kernel's type map, filled by [`init`].
#[derive(Default)]
pub struct Slot(OnceLock<Arc<Runtime>>);

/// Reads the thresholds (the file in the workflows folder when there is one, else the shipped
/// defaults) and opens the blob store. Idempotent; called by the server at start.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    let slot = state.modules.get::<Slot>();
    if slot.0.get().is_some() {
        return Ok(());
    }
    let s = &state.settings;
    let path = s.workflows_dir.join(THRESHOLDS_FILE);
    let thresholds = if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Thresholds::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
    } else {
        Thresholds::default()
    };
    let kbli = match read_kbli(&s.workflows_dir)? {
        Some(k) => k,
        None => parse_kbli(SHIPPED_KBLI).map_err(|e| anyhow::anyhow!("shipped KBLI list: {e}"))?,
    };
    let blobs = BlobStore::open(s.blob_store_url.as_deref(), &s.data_dir)?;
    tracing::info!(store = %blobs.describe, "procurement blob store");
    let _ = slot.0.set(Arc::new(Runtime {
        blobs,
        thresholds,
        kbli,
        upload_max_bytes: s.upload_max_bytes,
        catalogue: Default::default(),
    }));
    Ok(())
}

/// The runtime built by [`init`] (built now if the server did not).
pub fn get(state: &AppState) -> mufakat_core::AppResult<Arc<Runtime>> {
    if let Some(r) = state.modules.get::<Slot>().0.get() {
        return Ok(r.clone());
    }
    init(state).map_err(mufakat_core::AppError::internal)?;
    Ok(state
        .modules
        .get::<Slot>()
        .0
        .get()
        .expect("initialised")
        .clone())
}
