//! Workflows as data. A definition (a TOML file under `workflows/`, format in
//! `docs/workflows.md`) names states, transitions with the roles allowed, guards and typed
//! input, timers, and the typed fields an instance carries. [`load_dir`] parses and checks
//! definitions; [`start`] and [`fire`] compute the outcome of a transition without touching a
//! database, so the rules are testable here and the server only persists outcomes.

mod calendar;
mod check;
mod definition;
mod duration;
mod engine;
mod guard;
mod migrate;
mod publication;
mod value;

pub use calendar::{Calendar, Span};
pub use check::CheckError;
pub use definition::{
    load_dir, load_str, Definition, FieldDef, FieldType, SetExpr, StateDef, TimerDef, TimerWhen,
    Transition,
};
pub use duration::parse_duration;
pub use engine::{
    available, available_at, fire, fire_when, start, start_when, Actor, InstanceSnapshot, Outcome,
    ScheduledTimer, When, WorkflowError,
};
pub use guard::Guard;
pub use migrate::{check_plan, migrate, MigrationPlan};
pub use publication::{RegisterDef, ServiceLevelDef};

/// The roles a definition may name: `mufakat_core::Role`'s, by name. Definitions may also name
/// two pseudo-roles: [`OWNER`] (whoever started the instance) and [`SYSTEM`] (timers).
pub const KNOWN_ROLES: [&str; Role::ALL.len()] = {
    let mut names = [""; Role::ALL.len()];
    let mut i = 0;
    while i < Role::ALL.len() {
        names[i] = Role::ALL[i].as_str();
        i += 1;
    }
    names
};
pub const OWNER: &str = "owner";
pub const SYSTEM: &str = "system";

/// Message language (the one `mufakat_core` defines for every error).
pub use mufakat_core::Lang;
use mufakat_core::Role;
