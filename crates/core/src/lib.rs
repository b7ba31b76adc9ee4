//! Domain types shared by every Mufakat crate: money, regions, roles, parsed inputs and the
//! one error model. Nothing here knows about HTTP, GraphQL or the database.

pub mod clock;
pub mod domain;
pub mod error;
pub mod lang;
pub mod money;
pub mod region;
pub mod region_tree;
pub mod role;
pub mod text;

pub use clock::Clock;
pub use error::{AppError, AppResult, FieldError, Localized};
pub use lang::Lang;
pub use money::Money;
pub use region::RegionLevel;
pub use region_tree::{RegionNode, RegionTree};
pub use role::Role;
