//! What Procurement II needs at run time besides the database: the procedures' settings
//! (`workflows/config/procurement-procedures.toml`) and the deployment's bid key (the file
//! `{data_dir}/secrets/bid.key`, made at the first start; every node of a deployment must share
//! it, and backups take it). Read once at start ([`init`]); a bad file stops the start.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use mufakat_kernel::AppState;
use serde::Deserialize;

use crate::seal::BidKey;

/// The settings file, inside the workflows folder (outside the folder the loader reads).
pub const SETTINGS_FILE: &str = "config/procurement-procedures.toml";
/// The shipped settings (the same file as in `workflows/`).
pub const SHIPPED: &str = include_str!("../../../../workflows/config/procurement-procedures.toml");
/// The bid key's file under the data directory.
pub const BID_KEY_FILE: &str = "secrets/bid.key";

/// One method's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSettings {
    pub min_bids: u32,
    #[serde(default)]
    pub min_invited: u32,
    pub min_submission_days: u32,
    pub amendment_min_days: u32,
    pub objection_days: u32,
    pub objection_answer_days: u32,
    #[serde(default)]
    pub appeal_days: u32,
    #[serde(default)]
    pub appeal_answer_days: u32,
    #[serde(default)]
    pub appeal_guarantee_percent: u32,
}

/// How the region publishes its contracting data (OCDS).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcdsSettings {
    /// The ocid prefix registered with the Open Contracting Partnership (`ocds-` and six
    /// characters); each process's ocid is `{prefix}-{package id}`.
    pub ocid_prefix: String,
    pub publisher: String,
    /// The publisher's address, and the base of the packages' `uri`.
    pub uri: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub mini_competition: MethodSettings,
    pub tender: MethodSettings,
    pub ocds: OcdsSettings,
    /// The red-flag indicators' settings (Cardinal's defaults when absent), read by
    /// `mufakat_procurement::FlagSettings::from_toml` from this same file.
    #[serde(default)]
    pub flags: Option<toml::Value>,
}

impl Settings {
    pub fn of(&self, method: &str) -> &MethodSettings {
        if method == crate::service::MINI {
            &self.mini_competition
        } else {
            &self.tender
        }
    }
}

/// Parses and checks the settings: at least one bid, periods of 1 to 90 days.
pub fn parse(text: &str) -> Result<Settings, String> {
    let s: Settings = toml::from_str(text).map_err(|e| e.to_string())?;
    mufakat_procurement::FlagSettings::from_toml(text).map_err(|e| format!("[flags]: {e}"))?;
    for (name, m) in [
        ("mini_competition", &s.mini_competition),
        ("tender", &s.tender),
    ] {
        if m.min_bids == 0 || m.min_bids > 50 {
            return Err(format!(
                "{name}.min_bids = {}: expected 1 to 50",
                m.min_bids
            ));
        }
        for (k, v) in [
            ("min_submission_days", m.min_submission_days),
            ("amendment_min_days", m.amendment_min_days),
            ("objection_days", m.objection_days),
            ("objection_answer_days", m.objection_answer_days),
        ] {
            if !(1..=90).contains(&v) {
                return Err(format!("{name}.{k} = {v}: expected 1 to 90"));
            }
        }
        if m.appeal_guarantee_percent > 10 {
            return Err(format!("{name}.appeal_guarantee_percent: at most 10"));
        }
    }
    let prefix = &s.ocds.ocid_prefix;
    if !prefix.starts_with("ocds-")
        || prefix.len() != 11
        || !prefix[5..].chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "ocds.ocid_prefix = {prefix:?}: expected `ocds-` and six letters or digits"
        ));
    }
    if !s.ocds.uri.starts_with("http") {
        return Err("ocds.uri: expected an http(s) address".into());
    }
    if s.mini_competition.min_invited < 2 {
        return Err("mini_competition.min_invited: at least 2 vendors are invited".into());
    }
    Ok(s)
}

fn read(dir: &Path) -> anyhow::Result<Option<Settings>> {
    let path = dir.join(SETTINGS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(
        parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
    ))
}

/// Checks the settings file in the workflows folder `dir`, if there is one.
pub fn check(dir: &Path) -> anyhow::Result<bool> {
    Ok(read(dir)?.is_some())
}

/// Reads the bid key, or makes it (owner-only permissions) on a first start.
pub fn load_or_create_bid_key(path: &Path) -> anyhow::Result<BidKey> {
    if path.exists() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return BidKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = BidKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(key.to_file_text().as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!(file = %path.display(), "made the bid key");
            Ok(key)
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_bid_key(path),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

pub struct Runtime {
    pub settings: Settings,
    pub bid_key: BidKey,
}

#[derive(Default)]
pub struct Slot(OnceLock<Arc<Runtime>>);

/// Reads the settings and the bid key. Idempotent; called by the server at start.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    let slot = state.modules.get::<Slot>();
    if slot.0.get().is_some() {
        return Ok(());
    }
    let settings = match read(&state.settings.workflows_dir)? {
        Some(s) => s,
        None => parse(SHIPPED).map_err(|e| anyhow::anyhow!("shipped procedure settings: {e}"))?,
    };
    let bid_key = load_or_create_bid_key(&state.settings.data_dir.join(BID_KEY_FILE))?;
    let _ = slot.0.set(Arc::new(Runtime { settings, bid_key }));
    Ok(())
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_settings_parse_and_bad_ones_are_refused() {
        let s = super::parse(super::SHIPPED).unwrap();
        assert_eq!(s.tender.min_bids, 3);
        assert_eq!(s.mini_competition.min_invited, 2);
        let bad = super::SHIPPED.replace("min_bids = 2", "min_bids = 0");
        assert!(super::parse(&bad).unwrap_err().contains("min_bids"));
    }
}
