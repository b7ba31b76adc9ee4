//! The deployed workflow definitions: every version ever deployed, by id, and the newest per
//! name. Loaded at start from `workflows_dir`; a changed file becomes a new version, running
//! instances keep the version they started on.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use mufakat_store::entity::workflow_definition as wd;
use mufakat_workflow::Definition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

#[derive(Debug)]
pub struct Deployed {
    pub id: i32,
    pub version: i32,
    pub loaded_at: DateTime<Utc>,
    pub def: Definition,
}

#[derive(Debug, Default)]
pub struct Registry {
    by_id: HashMap<i32, Arc<Deployed>>,
    latest: HashMap<String, i32>,
}

impl Registry {
    pub fn get(&self, id: i32) -> Option<Arc<Deployed>> {
        self.by_id.get(&id).cloned()
    }

    pub fn latest(&self, name: &str) -> Option<Arc<Deployed>> {
        self.latest.get(name).and_then(|id| self.get(*id))
    }

    /// A state as people read it: its title in the newest definition of `workflow` (`title`, in
    /// Indonesian, or `title_en`); in English without a `title_en`, the state's name in words.
    pub fn state_title(&self, workflow: &str, status: &str, lang: mufakat_core::Lang) -> String {
        let d = self.latest(workflow);
        let s = d
            .as_ref()
            .and_then(|d| d.def.states.iter().find(|s| s.name == status));
        match (lang, s) {
            (mufakat_core::Lang::Id, Some(s)) => s.title.clone(),
            (mufakat_core::Lang::En, Some(s)) if s.title_en.is_some() => {
                s.title_en.clone().unwrap_or_default()
            }
            _ => status.replace('_', " "),
        }
    }

    /// A transition as people read it, like [`Registry::state_title`].
    pub fn transition_title(&self, workflow: &str, name: &str, lang: mufakat_core::Lang) -> String {
        if name == "start" {
            // A case's first event: it was made.
            return match lang {
                mufakat_core::Lang::Id => "Dibuat",
                mufakat_core::Lang::En => "Created",
            }
            .to_owned();
        }
        let d = self.latest(workflow);
        let t = d
            .as_ref()
            .and_then(|d| d.def.transitions.iter().find(|t| t.name == name));
        match (lang, t) {
            (mufakat_core::Lang::Id, Some(t)) => t.title.clone(),
            (mufakat_core::Lang::En, Some(t)) if t.title_en.is_some() => {
                t.title_en.clone().unwrap_or_default()
            }
            _ => name.replace('_', " "),
        }
    }

    /// Every version, newest first within each name, names sorted.
    pub fn all(&self) -> Vec<Arc<Deployed>> {
        let mut v: Vec<_> = self.by_id.values().cloned().collect();
        v.sort_by(|a, b| a.def.name.cmp(&b.def.name).then(b.version.cmp(&a.version)));
        v
    }

    pub fn is_latest(&self, d: &Deployed) -> bool {
        self.latest.get(&d.def.name) == Some(&d.id)
    }
}

/// The generic services' definitions shipped in `workflows/` (modules bring their own),
/// built into the binary: used when the configured folder does not exist (a binary run outside
/// the source tree).
pub const SHIPPED: [(&str, &str); 3] = [
    (
        "lapor-complaint.toml",
        include_str!("../../../workflows/lapor-complaint.toml"),
    ),
    (
        "perizinan.toml",
        include_str!("../../../workflows/perizinan.toml"),
    ),
    (
        "ppid-permohonan.toml",
        include_str!("../../../workflows/ppid-permohonan.toml"),
    ),
];

fn shipped(modules: &[(&str, &str)]) -> anyhow::Result<Vec<Definition>> {
    SHIPPED
        .iter()
        .chain(modules)
        .map(|(name, text)| {
            mufakat_workflow::load_str(&format!("(built in) {name}"), text)
                .map_err(|e| anyhow::anyhow!("built-in workflow {name} is invalid: {:?}", e))
        })
        .collect()
}

/// Checks every file in `dir` (refusing to start on any error), records new versions, and
/// loads all versions. Without `dir`, deploys the built-in definitions: the kernel's and the
/// modules' (`modules`).
pub async fn deploy(
    db: &DatabaseConnection,
    dir: &Path,
    modules: &[(&str, &str)],
) -> anyhow::Result<Registry> {
    let defs = if dir.exists() {
        mufakat_workflow::load_dir(dir).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            anyhow::anyhow!(
                "invalid workflow definitions in {}:\n{}",
                dir.display(),
                list.join("\n")
            )
        })?
    } else {
        tracing::info!(dir = %dir.display(), "workflows folder not found; using the built-in definitions");
        shipped(modules)?
    };
    let now = chrono::Utc::now();
    for d in &defs {
        let existing = wd::Entity::find()
            .filter(wd::Column::Name.eq(d.name.as_str()))
            .filter(wd::Column::Hash.eq(d.hash.as_str()))
            .one(db)
            .await?;
        if existing.is_none() {
            let max = wd::Entity::find()
                .filter(wd::Column::Name.eq(d.name.as_str()))
                .order_by_desc(wd::Column::Version)
                .one(db)
                .await?
                .map(|r| r.version)
                .unwrap_or(0);
            // Two nodes starting at once may race here; the unique index makes one fail, and
            // the loser simply loads what the winner wrote.
            let res = wd::ActiveModel {
                name: Set(d.name.clone()),
                version: Set(max + 1),
                hash: Set(d.hash.clone()),
                title: Set(d.title.clone()),
                source: Set(d.source.clone()),
                loaded_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await;
            match res {
                Ok(r) => {
                    tracing::info!(workflow = %d.name, version = r.version, "deployed a new workflow version")
                }
                Err(e) => {
                    tracing::warn!(workflow = %d.name, error = %e, "workflow version recorded concurrently")
                }
            }
        }
    }
    let mut reg = Registry::default();
    let rows = wd::Entity::find()
        .order_by_asc(wd::Column::Name)
        .order_by_asc(wd::Column::Version)
        .all(db)
        .await?;
    for r in rows {
        let def = match defs.iter().find(|d| d.name == r.name && d.hash == r.hash) {
            Some(d) => d.clone(),
            None => {
                match mufakat_workflow::load_str(&format!("{}@v{}", r.name, r.version), &r.source) {
                    Ok(d) => d,
                    Err(errors) => {
                        tracing::error!(workflow = %r.name, version = r.version, ?errors, "a stored workflow version no longer loads; its instances cannot move");
                        continue;
                    }
                }
            }
        };
        // Newest deployed = highest version whose file is present now.
        if defs.iter().any(|d| d.name == r.name && d.hash == r.hash) {
            reg.latest.insert(r.name.clone(), r.id);
        }
        reg.by_id.insert(
            r.id,
            Arc::new(Deployed {
                id: r.id,
                version: r.version,
                loaded_at: r.loaded_at,
                def,
            }),
        );
    }
    Ok(reg)
}

/// The working calendar shipped in `workflows/config/calendar.toml`, built into the binary for
/// use outside the source tree.
const SHIPPED_CALENDAR: &str = include_str!("../../../workflows/config/calendar.toml");

/// The working calendar: `{dir}/config/calendar.toml`, or the shipped one when the folder has
/// none. A file that does not parse stops the start, like a bad workflow.
pub fn load_calendar(dir: &Path) -> anyhow::Result<mufakat_workflow::Calendar> {
    let path = dir.join("config").join("calendar.toml");
    let (text, from) = match std::fs::read_to_string(&path) {
        Ok(t) => (t, path.display().to_string()),
        Err(_) => (
            SHIPPED_CALENDAR.to_owned(),
            "the built-in calendar".to_owned(),
        ),
    };
    let cal =
        mufakat_workflow::Calendar::from_toml(&text).map_err(|e| anyhow::anyhow!("{from}: {e}"))?;
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    if !cal.years().contains(&this_year) {
        tracing::warn!(calendar = %from, year = this_year, "the working calendar lists no holidays for this year: working-day deadlines count weekends only");
    }
    Ok(cal)
}

/// `mufakat workflows check DIR`: every problem, one per line.
pub fn check(dir: &Path) -> anyhow::Result<usize> {
    let defs = mufakat_workflow::load_dir(dir).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("{} problem(s):\n{}", list.len(), list.join("\n"))
    });
    let defs = defs.with_context(|| format!("checking {}", dir.display()))?;
    load_calendar(dir).context("checking the working calendar")?;
    Ok(defs.len())
}
