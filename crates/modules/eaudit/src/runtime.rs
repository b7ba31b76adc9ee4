//! e-Audit's settings (`workflows/config/eaudit.toml`: the follow-up days and the finding
//! codes), read once at start ([`init`]) and checked then, so that a bad file stops the start.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use mufakat_kernel::AppState;

/// The settings file, inside the workflows folder (outside the folder the loader reads).
pub const SETTINGS_FILE: &str = "config/eaudit.toml";
/// The shipped settings (the same file as in `workflows/`).
pub const SHIPPED: &str = include_str!("../../../../workflows/config/eaudit.toml");

#[derive(Debug, Clone)]
pub struct Settings {
    /// Days an OPD has to follow a recommendation up, from the finding's issue.
    pub followup_days: u32,
    /// Finding code → title.
    pub codes: BTreeMap<String, String>,
    /// Whether everyone may read the findings and follow-up rate per OPD.
    pub publish_figures: bool,
}

/// Parses the settings: 1 to 365 days; codes of digits and dots, each once, titles given.
pub fn parse(text: &str) -> Result<Settings, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        followup_days: u32,
        #[serde(default)]
        publish_figures: bool,
        codes: Vec<Code>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Code {
        code: String,
        title: String,
    }
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    if !(1..=365).contains(&f.followup_days) {
        return Err(format!(
            "followup_days = {}: expected 1 to 365",
            f.followup_days
        ));
    }
    let mut codes = BTreeMap::new();
    for c in f.codes {
        let code = c.code.trim();
        let ok = !code.is_empty()
            && code.len() <= 20
            && code.chars().all(|ch| ch.is_ascii_digit() || ch == '.')
            && !code.starts_with('.')
            && !code.ends_with('.');
        if !ok {
            return Err(format!(
                "`{}` is not a finding code (digits and dots)",
                c.code
            ));
        }
        if c.title.trim().is_empty() {
            return Err(format!("finding code {code} has no title"));
        }
        if codes
            .insert(code.to_owned(), c.title.trim().to_owned())
            .is_some()
        {
            return Err(format!("finding code {code} is listed twice"));
        }
    }
    if codes.is_empty() {
        return Err("the list of finding codes is empty".into());
    }
    Ok(Settings {
        followup_days: f.followup_days,
        codes,
        publish_figures: f.publish_figures,
    })
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

/// Checks the settings in the workflows folder `dir`, if there are any (`mufakat workflows
/// check`); `Ok(false)` when there are none (the shipped ones apply).
pub fn check(dir: &Path) -> anyhow::Result<bool> {
    Ok(read(dir)?.is_some())
}

/// The module's slot in the kernel's type map, filled by [`init`], and the cache of actors.
#[derive(Default)]
pub struct Slot(OnceLock<Arc<Settings>>, OnceLock<ActorCache>);

/// How long the trail shows a user's name and roles as they were read.
pub const ACTOR_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// Users' names and roles (`role@region`) as the trail shows them, each kept [`ACTOR_TTL`]:
/// a page of 20 events names the same few actors again and again.
pub struct ActorCache(
    std::sync::Mutex<std::collections::HashMap<i32, (std::time::Instant, (String, Vec<String>))>>,
);

impl ActorCache {
    /// The fresh entries among `ids`.
    pub fn get_many(&self, ids: &[i32]) -> std::collections::HashMap<i32, (String, Vec<String>)> {
        let now = std::time::Instant::now();
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        ids.iter()
            .filter_map(|i| {
                m.get(i)
                    .filter(|(t, _)| now.duration_since(*t) < ACTOR_TTL)
                    .map(|(_, v)| (*i, v.clone()))
            })
            .collect()
    }

    pub fn put(&self, id: i32, v: (String, Vec<String>)) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: when full, the stale entries go; if none is stale, all do.
        if m.len() >= 100_000 {
            let now = std::time::Instant::now();
            m.retain(|_, (t, _)| now.duration_since(*t) < ACTOR_TTL);
            if m.len() >= 100_000 {
                m.clear();
            }
        }
        m.insert(id, (std::time::Instant::now(), v));
    }
}

/// The cache of actors' names and roles.
pub fn actors(state: &AppState) -> &ActorCache {
    state
        .modules
        .get::<Slot>()
        .1
        .get_or_init(|| ActorCache(Default::default()))
}

/// Reads the settings (the folder's file, else the shipped one). Idempotent.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    let slot = state.modules.get::<Slot>();
    if slot.0.get().is_some() {
        return Ok(());
    }
    let s = match read(&state.settings.workflows_dir)? {
        Some(s) => s,
        None => parse(SHIPPED).map_err(|e| anyhow::anyhow!("shipped e-audit settings: {e}"))?,
    };
    let _ = slot.0.set(Arc::new(s));
    Ok(())
}

pub fn get(state: &AppState) -> mufakat_core::AppResult<Arc<Settings>> {
    if let Some(s) = state.modules.get::<Slot>().0.get() {
        return Ok(s.clone());
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
    use super::*;

    #[test]
    fn the_shipped_settings_parse() {
        let s = parse(SHIPPED).unwrap();
        assert_eq!(s.followup_days, 60);
        assert!(s.codes.contains_key("1.01.03"));
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let one =
            |c: &str| format!("followup_days = 60\n[[codes]]\ncode = \"{c}\"\ntitle = \"x\"\n");
        assert!(parse(&one("1.a"))
            .unwrap_err()
            .contains("not a finding code"));
        assert!(parse(&one(".1")).is_err());
        let twice = format!("{}[[codes]]\ncode = \"1.01\"\ntitle = \"y\"\n", one("1.01"));
        assert!(parse(&twice).unwrap_err().contains("twice"));
        assert!(parse("followup_days = 0\ncodes = []")
            .unwrap_err()
            .contains("1 to 365"));
        assert!(parse("followup_days = 60\ncodes = []")
            .unwrap_err()
            .contains("empty"));
        assert!(parse("followup_days = 60\nextra = 1\ncodes = []").is_err());
    }
}
