//! Monev's tables (migration `m20261210_000013_monev`).

pub mod activity;
pub mod flag;
pub mod indicator;
pub mod photo;
pub mod report;
pub mod supervisor;
