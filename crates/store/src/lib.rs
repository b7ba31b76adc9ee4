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

/// Pads a list to the next power of two by repeating its last element. Statements over lists
/// of varying length (`IN (…)`, multi-row inserts, `CASE` updates) then take only a few
/// distinct shapes, each prepared once per connection and cached, instead of a new prepared
/// statement (parse, plan, describe: extra round trips on PostgreSQL) for almost every batch.
/// Repeats are harmless in `IN` lists and `CASE` branches; multi-row inserts skip them with
/// `ON CONFLICT DO NOTHING` and check the number of rows written.
pub fn pad_pow2<T: Clone>(mut v: Vec<T>) -> Vec<T> {
    if let Some(last) = v.last().cloned() {
        v.resize(v.len().next_power_of_two(), last);
    }
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn pads_to_a_power_of_two_with_the_last_element() {
        assert_eq!(super::pad_pow2(Vec::<i32>::new()), Vec::<i32>::new());
        assert_eq!(super::pad_pow2(vec![7]), vec![7]);
        assert_eq!(super::pad_pow2(vec![1, 2, 3]), vec![1, 2, 3, 3]);
        assert_eq!(super::pad_pow2(vec![1, 2, 3, 4, 5]).len(), 8);
    }
}
