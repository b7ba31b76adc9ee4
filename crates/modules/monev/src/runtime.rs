//! Monev's runtime: the rules (`workflows/config/monev.toml`, read once at start and checked
//! then), the live events the situation room subscribes to, and the dashboard's snapshot of
//! every activity's facts, rebuilt when monev changes (here, or on another node: the events
//! travel by PostgreSQL NOTIFY, see [`crate::listener`]).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use mufakat_kernel::AppState;
use mufakat_monev::Rules;
use serde::{Deserialize, Serialize};

/// The settings file, inside the workflows folder.
pub const SETTINGS_FILE: &str = "config/monev.toml";

/// A change the situation room hears of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonevEvent {
    /// `report_verified`, `report_submitted`, `report_late`, `flag_raised`, `flag_changed`,
    /// `activity_changed`.
    pub kind: String,
    pub activity_id: i32,
    pub region_id: i32,
    pub report_id: Option<i32>,
    pub flag_id: Option<i32>,
    pub period: Option<String>,
}

/// The module's slot in the kernel's type map.
pub struct Slot {
    rules: OnceLock<Arc<Rules>>,
    /// Bumped by every monev change this node hears of; the snapshot is as of one value.
    pub generation: AtomicU64,
    pub snapshot: Mutex<Option<(u64, Arc<crate::service::dashboard::Snapshot>)>>,
    pub events: tokio::sync::broadcast::Sender<MonevEvent>,
    /// Events of a timer's transaction, by case, heard once it committed.
    pub pending: Mutex<std::collections::HashMap<i32, Vec<MonevEvent>>>,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            rules: OnceLock::new(),
            generation: AtomicU64::new(1),
            snapshot: Mutex::new(None),
            events: tokio::sync::broadcast::channel(1024).0,
            pending: Mutex::new(Default::default()),
        }
    }
}

pub fn slot(state: &AppState) -> &Slot {
    state.modules.get::<Slot>()
}

/// This node heard of a change: the snapshot is stale, subscribers are told.
pub fn changed(state: &AppState, ev: MonevEvent) {
    let s = slot(state);
    s.generation.fetch_add(1, Ordering::SeqCst);
    let _ = s.events.send(ev);
    state.writes.changed();
}

fn read(dir: &Path) -> anyhow::Result<Option<Rules>> {
    let path = dir.join(SETTINGS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(
        Rules::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
    ))
}

/// Checks the settings in the workflows folder `dir`, if there are any; `Ok(false)` when there
/// are none (the shipped ones apply).
pub fn check(dir: &Path) -> anyhow::Result<bool> {
    Ok(read(dir)?.is_some())
}

/// Reads the settings (the folder's file, else the shipped one). Idempotent.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    let s = slot(state);
    if s.rules.get().is_some() {
        return Ok(());
    }
    let r = match read(&state.settings.workflows_dir)? {
        Some(r) => r,
        None => Rules::parse(mufakat_monev::SHIPPED_TOML)
            .map_err(|e| anyhow::anyhow!("shipped monev settings: {e}"))?,
    };
    let _ = s.rules.set(Arc::new(r));
    Ok(())
}

pub fn rules(state: &AppState) -> mufakat_core::AppResult<Arc<Rules>> {
    if let Some(r) = slot(state).rules.get() {
        return Ok(r.clone());
    }
    init(state).map_err(mufakat_core::AppError::internal)?;
    Ok(slot(state).rules.get().expect("initialised").clone())
}
