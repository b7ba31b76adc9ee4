//! Procurement II's tables (migration `m20261209_000012_tender`). Money is whole sen.

pub mod amendment;
pub mod bid;
pub mod contract;
pub mod invite;
pub mod objection;
pub mod pokja;
pub mod procedure;
pub mod question;
pub mod release;
