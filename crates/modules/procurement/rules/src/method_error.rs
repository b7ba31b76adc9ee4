//! Why a chosen method may not be used for a package. Re-exported from [`crate::thresholds`].

use mufakat_core::{FieldError, Lang};
use rust_decimal::Decimal;

use crate::kinds::PackageKind;
use crate::rupiah::format_rupiah;

/// A method that may not be used for a package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MethodError {
    #[error("direct procurement above the ceiling")]
    AboveDirectCeiling {
        kind: PackageKind,
        hps: Decimal,
        ceiling: Decimal,
    },
    #[error("not in the e-catalogue")]
    NotInCatalogue,
    #[error("too few catalogue vendors: {found} < {needed}")]
    TooFewCatalogueVendors { found: usize, needed: usize },
    #[error("negative HPS")]
    NegativeHps,
}

impl MethodError {
    /// The input field at fault: `hps` for a negative HPS, `method` otherwise.
    pub fn field(&self) -> &'static str {
        match self {
            MethodError::NegativeHps => "hps",
            _ => "method",
        }
    }

    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            MethodError::AboveDirectCeiling { .. } => "above_ceiling",
            MethodError::NotInCatalogue => "not_in_catalogue",
            MethodError::TooFewCatalogueVendors { .. } => "too_few_vendors",
            MethodError::NegativeHps => "negative",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let (id, en) = self.texts();
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    fn texts(&self) -> (String, String) {
        match self {
            MethodError::AboveDirectCeiling { kind, hps, ceiling } => {
                let (h, c) = (format_rupiah(*hps), format_rupiah(*ceiling));
                (
                    format!("Pengadaan langsung tidak boleh: HPS {h} melebihi batas {kind_id} {c}.", kind_id = kind.title(Lang::Id)),
                    format!("Direct procurement is not allowed: the HPS {h} exceeds the ceiling for {kind_en} of {c}.", kind_en = kind.title(Lang::En)),
                )
            }
            MethodError::NotInCatalogue => (
                "E-purchasing dan mini-kompetisi hanya untuk barang/jasa yang ada di katalog elektronik.".into(),
                "E-purchasing and mini-competition are only for items offered in the e-catalogue.".into(),
            ),
            MethodError::TooFewCatalogueVendors { found, needed } => (
                format!("Mini-kompetisi butuh paling sedikit {needed} penyedia di katalog elektronik; baru ada {found}."),
                format!("A mini-competition needs at least {needed} vendors in the e-catalogue; there are {found}."),
            ),
            MethodError::NegativeHps => (
                "HPS tidak boleh negatif.".into(),
                "The HPS must not be negative.".into(),
            ),
        }
    }
}

impl From<MethodError> for FieldError {
    fn from(e: MethodError) -> FieldError {
        let (id, en) = e.texts();
        FieldError::new(e.field(), e.rule(), id, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn method_errors_in_both_languages() {
        let errors = [
            MethodError::AboveDirectCeiling {
                kind: PackageKind::Consultancy,
                hps: d("150000000"),
                ceiling: d("100000000"),
            },
            MethodError::NotInCatalogue,
            MethodError::TooFewCatalogueVendors {
                found: 1,
                needed: 2,
            },
            MethodError::NegativeHps,
        ];
        for e in errors {
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
            let fe: FieldError = e.clone().into();
            assert_eq!(fe.field, e.field());
            assert_eq!(fe.rule, e.rule());
        }
        let e = MethodError::AboveDirectCeiling {
            kind: PackageKind::Consultancy,
            hps: d("150000000"),
            ceiling: d("100000000"),
        };
        assert!(e
            .message(Lang::Id)
            .contains("jasa konsultansi Rp100.000.000"));
        assert!(e.message(Lang::En).contains("Rp150.000.000"));
        assert_eq!(MethodError::NegativeHps.field(), "hps");
    }
}
