use std::sync::Arc;
use std::time::Duration;

use mufakat_core::{AppError, AppResult, RegionLevel, RegionNode, RegionTree};
use mufakat_store::{repo, DatabaseConnection};
use tokio::sync::RwLock;

use crate::auth::SessionCache;
use crate::authz::Authz;
use crate::config::Settings;
use crate::rate_limit::{AttemptLimiter, Counters, LoginLimiter};

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub authz: Authz,
    pub regions: RwLock<RegionTree>,
    pub login_limiter: LoginLimiter,
    /// Resident registrations per client address.
    pub register_limiter: AttemptLimiter,
    /// Anonymous PDF downloads per client address (`public_reports_max_per_ip`).
    pub public_report_limiter: AttemptLimiter,
    /// Recently authenticated tokens (see [`SessionCache`]).
    pub sessions: SessionCache,
    pub nik_key: Vec<u8>,
    /// Every deployed workflow version.
    pub workflows: crate::workflows::Registry,
    /// The working calendar (`workflows/config/calendar.toml`): working-day deadlines.
    pub calendar: Arc<mufakat_workflow::Calendar>,
    /// The one clock this server takes its time from (a travelling one in test mode).
    pub clock: mufakat_core::Clock,
    /// Signs audit checkpoints; the keys and checkpoints a verifier trusts.
    pub notary: crate::notary::Notary,
    /// Statements run on the pool (for tests and metrics).
    pub queries: Arc<std::sync::atomic::AtomicU64>,
    /// Votes, case starts and users' transitions waiting for the batch writer.
    pub batches: crate::writer::Queue,
    /// The kinds of request the batch writer takes, in the order it writes them.
    pub batch_kinds: crate::writer::Kinds,
    /// Audited writes queue here and commit in groups (see [`crate::audit_log::open`]).
    pub writes: Arc<crate::audit_log::WriteQueue>,
    /// The node's metrics (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Each module's own runtime state (e.g. musrenbang's live vote counts), by type.
    pub modules: Extensions,
    /// Workflows whose cases only their module's API may start (or move).
    pub owned_workflows: Vec<OwnedWorkflow>,
    /// The modules' hooks after timer transitions (see [`crate::services::cases::AfterTimer`]).
    pub after_timers: Vec<Arc<dyn crate::services::cases::AfterTimer>>,
}

/// The modules' runtime state, one value per type, put there when the state is built: the
/// kernel holds it without knowing what it is.
#[derive(Default)]
pub struct Extensions(
    std::collections::HashMap<std::any::TypeId, Box<dyn std::any::Any + Send + Sync>>,
);

impl Extensions {
    /// Adds `value` (one per type).
    pub fn with<T: std::any::Any + Send + Sync>(mut self, value: T) -> Extensions {
        let previous = self.0.insert(std::any::TypeId::of::<T>(), Box::new(value));
        assert!(
            previous.is_none(),
            "{} registered twice",
            std::any::type_name::<T>()
        );
        self
    }

    /// The value of type `T`. Panics when no module put one there: a module asking for its own
    /// state that the server did not register is a programming error, found by any test.
    pub fn get<T: std::any::Any + Send + Sync>(&self) -> &T {
        self.0
            .get(&std::any::TypeId::of::<T>())
            .and_then(|b| b.downcast_ref::<T>())
            .unwrap_or_else(|| panic!("{} is not registered", std::any::type_name::<T>()))
    }
}

/// What the modules bring to the kernel: their workflow files and policy lines, the workflows
/// whose cases only their own API may move, their kinds of batch request and their runtime
/// state. The server builds one from its list of modules.
#[derive(Default)]
pub struct Registrations {
    /// Workflow files built into the binary, `(file name, text)`: deployed when the configured
    /// folder does not exist (see [`crate::workflows::deploy`]).
    pub workflows: Vec<(&'static str, &'static str)>,
    /// Lines of casbin policy (`p, role, object, action`), as in `policy.csv`.
    pub policies: Vec<&'static str>,
    pub owned_workflows: Vec<OwnedWorkflow>,
    pub batch_kinds: crate::writer::Kinds,
    pub modules: Extensions,
    /// What modules do after a timer moved one of their cases, in the timer's transaction.
    pub after_timers: Vec<Arc<dyn crate::services::cases::AfterTimer>>,
}

/// A workflow whose cases belong to a module with rows of its own: the generic `startCase`
/// may not start them (the module's API keeps its rows in step), nor `fireTransition` move them
/// unless `generic_fire`.
#[derive(Debug, Clone)]
pub struct OwnedWorkflow {
    pub name: &'static str,
    /// Whether `fireTransition` may still move its cases (the musrenbang cycle: its phase
    /// lives in the case alone).
    pub generic_fire: bool,
    /// The module's operations to use instead, named in the error.
    pub api: &'static str,
    /// Who the generic case reads (`instance`, `cases`) show its cases to.
    pub reads: CaseReads,
}

/// Who reads a module's cases through the generic case queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseReads {
    /// The case's creator and whoever holds one of the workflow's roles (or `auditor`, `admin`)
    /// in its region.
    ByRole,
    /// Only the creator, auditors and admins: the module decides who else sees what (a vendor
    /// sees its own company's orders, not another's).
    Private,
    /// Only the creator and admins: the module's own queries are the way in (e-audit: another
    /// assignment's auditors must not read a draft finding).
    ModuleOnly,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The time now, by the server's clock ([`Inner::clock`]).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub async fn new(
        db: DatabaseConnection,
        settings: Settings,
        nik_key: Vec<u8>,
        workflows: crate::workflows::Registry,
        notary: crate::notary::Notary,
        registrations: Registrations,
    ) -> anyhow::Result<AppState> {
        let authz = Authz::new(&registrations.policies).await?;
        let calendar = crate::workflows::load_calendar(&settings.workflows_dir)?;
        let queries = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut db = db;
        let counter = queries.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        // On PostgreSQL the limits' counters are in the database, so they hold across nodes.
        let login_limiter = LoginLimiter::new(
            settings.login_max_failures,
            settings.login_max_failures_per_ip,
            Duration::from_secs(settings.login_lockout_secs),
            Counters::for_database(&db),
        );
        let register_limiter = AttemptLimiter::new(
            "reg",
            settings.register_max_per_ip,
            Duration::from_secs(settings.register_window_secs),
            Counters::for_database(&db),
        );
        let public_report_limiter = AttemptLimiter::new(
            "rpt",
            settings.public_reports_max_per_ip,
            Duration::from_secs(settings.public_reports_window_secs),
            Counters::for_database(&db),
        );
        let sessions = SessionCache::new(Duration::from_secs(settings.session_cache_secs));
        let (batches, batch_queue) = tokio::sync::mpsc::channel(4096);
        let clock = if settings.test_clock {
            tracing::warn!("test mode: this server's clock can be moved forward (test_clock)");
            mufakat_core::Clock::travelling()
        } else {
            mufakat_core::Clock::system()
        };
        let state = AppState(Arc::new(Inner {
            db,
            settings,
            authz,
            regions: RwLock::new(RegionTree::default()),
            login_limiter,
            register_limiter,
            public_report_limiter,
            sessions,
            nik_key,
            workflows,
            calendar: Arc::new(calendar),
            clock,
            notary,
            queries,
            batches,
            // The modules' kinds first: a transition of a case reads it as their requests
            // (votes) left it.
            batch_kinds: registrations
                .batch_kinds
                .with(crate::services::cases::CaseStarts)
                .with(crate::services::cases::CaseFires),
            writes: Default::default(),
            modules: registrations.modules,
            metrics: crate::metrics::Metrics::new(),
            owned_workflows: registrations.owned_workflows,
            after_timers: registrations.after_timers,
        }));
        state.writes.set_metrics(crate::audit_log::QueueMetrics {
            wait_seconds: state.metrics.write_wait_seconds.clone(),
            group_writes: state.metrics.group_writes.clone(),
        });
        state
            .reload_regions()
            .await
            .map_err(|e| anyhow::anyhow!("loading regions: {e}"))?;
        crate::writer::spawn(&state, batch_queue)?;
        Ok(state)
    }

    /// Re-reads the region tree (after a change here, and periodically for changes made by
    /// other nodes).
    pub async fn reload_regions(&self) -> AppResult<()> {
        let rows = repo::regions::all(&self.db).await?;
        let tree = RegionTree::new(rows.into_iter().filter_map(|r| {
            Some(RegionNode {
                id: r.id,
                code: r.code,
                name: r.name,
                level: r.level.parse::<RegionLevel>().ok()?,
                parent_id: r.parent_id,
            })
        }));
        *self.regions.write().await = tree;
        Ok(())
    }

    /// The codes of a region and its ancestors, from the top (for the calendar's regional
    /// days off).
    pub async fn region_codes(&self, region_id: i32) -> Vec<String> {
        let path = self.region_path(region_id).await;
        let tree = self.regions.read().await;
        path.iter()
            .filter_map(|id| tree.get(*id).map(|r| r.code.clone()))
            .collect()
    }

    pub async fn region_path(&self, region_id: i32) -> Vec<i32> {
        self.regions.read().await.ancestors_inclusive(region_id)
    }

    /// Like [`AppState::region_path`], but a `VALIDATION` error on `regionId` for a region that
    /// does not exist.
    pub async fn known_region_path(&self, region_id: i32) -> AppResult<Vec<i32>> {
        let path = self.region_path(region_id).await;
        if path.is_empty() {
            return Err(AppError::validation(
                "regionId",
                "unknown",
                "Wilayah tidak dikenal.",
                "Unknown region.",
            ));
        }
        Ok(path)
    }
}
