//! Storage for Mufakat: sea-orm entities and small repositories over SQLite (the embedded
//! default) and PostgreSQL (production, multi-node). Repositories return the core
//! [`mufakat_core::AppError`], so unique-constraint violations become clear `CONFLICT`s here,
//! in one place.

pub mod db;
pub mod entity;
pub mod error;
pub mod repo;
pub mod testing;

pub use db::{connect, migrate, Durability};
pub use error::DbResultExt;
pub use sea_orm;
pub use sea_orm::DatabaseConnection;
