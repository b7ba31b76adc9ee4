//! Monitoring and evaluation (monev) rules. No HTTP, no database: the module crate stores and
//! serves; this crate decides.
//!
//! - [`period`]: reporting periods (months), their ends and the reports' due times (WIB).
//! - [`plan`]: an activity's plan, the planned S-curve (cumulative physical progress in percent
//!   and disbursement per month), its sub-activities' weights, and its checks.
//! - [`deviation`]: the deviation rules (kontrak kritis after the Public Works rule, spending
//!   ahead of progress, indicators below target, a late report, an activity not started), read
//!   from `workflows/config/monev.toml`.
//! - [`dashboard`]: the aggregates the situation room shows (pagu, contracted, disbursed,
//!   weighted progress against plan, flags, reporting rates) and S-curves of any group.
//!
//! Percentages are `Decimal` with at most two decimals, 0 to 100; money is `Decimal` rupiah.

pub mod dashboard;
pub mod deviation;
pub mod period;
pub mod plan;

pub use dashboard::{aggregate, curve, ActivityFacts, Group, GroupBy, ReportFacts, Row};
pub use deviation::{Detected, FlagKind, PeriodFacts, Rules, Severity, SHIPPED_TOML};
pub use period::Period;
pub use plan::{percent, Indicator, Plan, PlanError, PlanPoint, SubActivity};
