//! Inputs parsed into types that cannot hold invalid values ("parse, don't validate").

mod email;
mod nik;
mod person;

pub use email::Email;
pub use nik::Nik;
pub use person::{DisplayName, Password, Username};
