//! e-Audit's tables (migration `m20261208_000011_eaudit`).

pub mod assignment;
pub mod document;
pub mod evidence;
pub mod finding;
pub mod followup;
pub mod recommendation;
pub mod team;
