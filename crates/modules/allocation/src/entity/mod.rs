//! Allocation's tables (sea-orm entities, one module per table; their migrations are in the
//! shared `migrations` crate). Money columns are `i64` sen (see `mufakat_core::Money`).

pub mod allocation_override;
pub mod allocation_run;
pub mod budget_ceiling;
