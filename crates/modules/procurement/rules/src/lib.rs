//! Procurement (pengadaan barang/jasa pemerintah) domain rules, after Perpres 16/2018 as
//! amended by Perpres 12/2021 and Perpres 46/2025. No HTTP, no database: the module crate
//! stores and serves; this crate decides.
//!
//! Terms used throughout (code names in English, Indonesian here once):
//!
//! - **Penyedia**: the vendor, a business (PT, CV, koperasi, ...) or a person supplying goods
//!   or services under contract. Identified by NPWP (tax number), NIB (business number) and
//!   its KBLI fields of business ([`ids`]).
//! - **HPS** (harga perkiraan sendiri): the owner's estimate of a package's value, set by the
//!   commitment officer (PPK); it decides the method.
//! - **Pagu**: the budget ceiling of the funded activity, from the regional budget (APBD). The
//!   HPS of its packages may not exceed it (checked by the module, which knows the budget).
//! - **Pengadaan langsung** (direct procurement): buying straight from one qualified vendor,
//!   allowed only up to a ceiling per kind of package ([`thresholds`]).
//! - **E-purchasing**: ordering from the electronic catalogue (katalog elektronik) of vetted
//!   vendors and prices; **mini-kompetisi** (mini-competition): the catalogue vendors of an
//!   item bid against each other.
//! - **Tender**: an open competition for goods, construction works and other services above
//!   the direct ceiling; **seleksi** (selection): the same for consultancy services.
//! - **Pemecahan paket** (package splitting): dividing one need into packages to stay under
//!   the direct ceiling, forbidden; [`splitting`] flags likely cases.
//!
//! Also: catalogue price statistics ([`prices`]), checks of uploaded vendor documents
//! ([`files`]) and red flags of contracting processes from their OCDS compiled releases, after
//! the Open Contracting Partnership's Cardinal ([`flags`]). The thresholds live in
//! `workflows/config/procurement-thresholds.toml`.

pub mod bank;
pub mod files;
pub mod flags;
pub mod ids;
pub mod kinds;
pub mod method_error;
pub mod prices;
pub mod rupiah;
pub mod splitting;
pub mod thresholds;

pub use files::{check_upload, sniff, AllowedTypes, DocumentKind, UploadError};
pub use flags::{
    compute as compute_flags, compute_with_meta as compute_flags_with_meta, CatalogueKey,
    CatalogueMedians, Evidence, Fence, Flag, Indicator, Report, Scope, Settings as FlagSettings,
};
pub use ids::{BankAccount, CompanyForm, IdError, Kbli, Nib, Npwp};
pub use prices::{stats, PriceStats};
pub use splitting::{split_flags, PackageFacts, SplitFlag};
pub use thresholds::{
    format_rupiah, Method, MethodError, PackageKind, Proposal, Thresholds, SHIPPED_TOML,
};
