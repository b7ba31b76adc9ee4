//! sea-orm entities: one module per table. Money columns are `i64` sen (see `mufakat_core::Money`).

pub mod region;
pub mod role_grant;
pub mod session;
pub mod user;
