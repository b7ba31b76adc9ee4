//! The node's metrics in the Prometheus text format (`GET /metrics`): requests by operation and
//! outcome with their latency, the batch writer's batches, the audited writes' wait for their
//! turn and their group commits, workflow timers, and the database pool.
//!
//! Labels take a bounded set of values only: an operation is a root field of the schema (a
//! request naming a field the schema lacks never reaches a resolver), an outcome is `ok` or
//! `error`, a batch kind is a registered one. A client cannot grow the registry by sending
//! made-up names.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    /// `query`, `mutation` or `subscription`.
    pub kind: &'static str,
    /// The root field, e.g. `proposals`, `vote`.
    pub operation: String,
    /// `ok` or `error`.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    /// A batch kind's name (`votes`, `case_starts`, ...).
    pub kind: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    // 0.5 ms .. ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

fn sizes() -> Histogram {
    // 1 .. 512 requests.
    Histogram::new(exponential_buckets(1.0, 2.0, 10))
}

/// Every metric of the node, registered once when the state is built.
pub struct Metrics {
    registry: Registry,
    pub operations: Family<OperationLabels, Counter>,
    pub operation_seconds: HistogramFamily<OperationLabels>,
    pub batch_requests: HistogramFamily<KindLabels>,
    pub batches: Counter,
    pub batch_seconds: Histogram,
    pub write_wait_seconds: Histogram,
    pub group_writes: Histogram,
    pub timers_fired: Counter,
    pub timers_due: Gauge<i64, AtomicI64>,
    pub pool_connections: Gauge<i64, AtomicI64>,
    pub pool_idle: Gauge<i64, AtomicI64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut m = Metrics {
            operations: Family::default(),
            operation_seconds: Family::new_with_constructor(seconds as fn() -> Histogram),
            batch_requests: Family::new_with_constructor(sizes as fn() -> Histogram),
            batches: Counter::default(),
            batch_seconds: seconds(),
            write_wait_seconds: seconds(),
            group_writes: sizes(),
            timers_fired: Counter::default(),
            timers_due: Gauge::default(),
            pool_connections: Gauge::default(),
            pool_idle: Gauge::default(),
            registry: Registry::with_prefix("mufakat"),
        };
        m.registry.register(
            "operations",
            "GraphQL root fields resolved, by operation and outcome",
            m.operations.clone(),
        );
        m.registry.register(
            "operation_seconds",
            "Time to resolve a GraphQL root field, by operation and outcome",
            m.operation_seconds.clone(),
        );
        m.registry.register(
            "batch_requests",
            "Requests in one batch of the batch writer, by kind",
            m.batch_requests.clone(),
        );
        m.registry.register(
            "batches",
            "Batches the batch writer committed",
            m.batches.clone(),
        );
        m.registry.register(
            "batch_seconds",
            "Time to write and commit one batch",
            m.batch_seconds.clone(),
        );
        m.registry.register(
            "write_wait_seconds",
            "Time an audited write waited for its turn at the chain head",
            m.write_wait_seconds.clone(),
        );
        m.registry.register(
            "group_commit_writes",
            "Audited writes committed together in one group commit",
            m.group_writes.clone(),
        );
        m.registry.register(
            "timers_fired",
            "Workflow timers fired by this node",
            m.timers_fired.clone(),
        );
        m.registry.register(
            "timers_due",
            "Workflow timers due and not yet fired (read at scrape)",
            m.timers_due.clone(),
        );
        m.registry.register(
            "db_pool_connections",
            "Connections open in the database pool (read at scrape)",
            m.pool_connections.clone(),
        );
        m.registry.register(
            "db_pool_idle",
            "Idle connections in the database pool (read at scrape)",
            m.pool_idle.clone(),
        );
        m
    }

    /// The text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Reads the values taken at scrape time (due timers, the pool) and encodes everything.
pub async fn scrape(state: &crate::AppState) -> String {
    let m = &state.metrics;
    match mufakat_store::repo::instances::due_timer_count(&state.db, state.now()).await {
        Ok(n) => {
            m.timers_due.set(n as i64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: counting due timers failed"),
    }
    let (size, idle) = if mufakat_store::db::is_postgres(&state.db) {
        let p = state.db.get_postgres_connection_pool();
        (p.size(), p.num_idle())
    } else {
        let p = state.db.get_sqlite_connection_pool();
        (p.size(), p.num_idle())
    };
    m.pool_connections.set(size as i64);
    m.pool_idle.set(idle as i64);
    m.encode()
}

/// A GraphQL extension that counts and times every root field (see [`Metrics::operations`]).
pub struct OperationMetrics;

impl async_graphql::extensions::ExtensionFactory for OperationMetrics {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(OperationMetricsExtension)
    }
}

struct OperationMetricsExtension;

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for OperationMetricsExtension {
    async fn resolve(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        info: async_graphql::extensions::ResolveInfo<'_>,
        next: async_graphql::extensions::NextResolve<'_>,
    ) -> async_graphql::ServerResult<Option<async_graphql::Value>> {
        let kind = match info.parent_type {
            "QueryRoot" => "query",
            "MutationRoot" => "mutation",
            "SubscriptionRoot" => "subscription",
            _ => return next.run(ctx, info).await,
        };
        if info.path_node.parent.is_some() {
            return next.run(ctx, info).await;
        }
        let Some(state) = ctx.data_opt::<crate::AppState>() else {
            return next.run(ctx, info).await;
        };
        let operation = info.name.to_owned();
        let started = std::time::Instant::now();
        let res = next.run(ctx, info).await;
        let labels = OperationLabels {
            kind,
            operation,
            outcome: if res.is_ok() { "ok" } else { "error" },
        };
        state
            .metrics
            .operation_seconds
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        state.metrics.operations.get_or_create(&labels).inc();
        res
    }
}
