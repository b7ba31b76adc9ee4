//! Procurement's tables (migration `m20261207_000010_procurement`).

pub mod catalogue_item;
pub mod catalogue_price;
pub mod document;
pub mod order;
pub mod order_line;
pub mod order_offer;
pub mod package;
pub mod payment;
pub mod plan_line;
pub mod receipt;
pub mod vendor;
pub mod vendor_member;
