//! Workflows as data. A definition (a TOML file under `workflows/`, format in
//! `docs/workflows.md`) names states, transitions with the roles allowed, guards and typed
//! input, timers, and the typed fields an instance carries. [`load_dir`] parses and checks
//! definitions; [`start`] and [`fire`] compute the outcome of a transition without touching a
//! database, so the rules are testable here and the server only persists outcomes.

mod check;
mod definition;
mod duration;
mod engine;
mod guard;
mod value;

pub use check::CheckError;
pub use definition::{
    load_dir, load_str, Definition, FieldDef, FieldType, SetExpr, StateDef, TimerDef, TimerWhen,
    Transition,
};
pub use duration::parse_duration;
pub use engine::{
    available, available_at, fire, start, Actor, InstanceSnapshot, Outcome, ScheduledTimer,
    WorkflowError,
};
pub use guard::Guard;

/// The roles a definition may name (the server's roles), plus two pseudo-roles: `owner`
/// (whoever started the instance) and `system` (timers).
pub const KNOWN_ROLES: [&str; 8] = [
    "resident",
    "kelurahan_staff",
    "kecamatan_staff",
    "bappeda_planner",
    "opd_staff",
    "vendor",
    "auditor",
    "admin",
];
pub const OWNER: &str = "owner";
pub const SYSTEM: &str = "system";

/// Message language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}
