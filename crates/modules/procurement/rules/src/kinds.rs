//! The kind of a procurement package (jenis pengadaan) and the method of choosing the vendor
//! (metode pemilihan penyedia). Re-exported from [`crate::thresholds`].

use mufakat_core::Lang;
use serde::{Deserialize, Serialize};

use crate::IdError;

fn unknown(field: &'static str, raw: &str, allowed: &'static [&'static str]) -> IdError {
    IdError::Unknown {
        field,
        value: raw.to_owned(),
        allowed,
    }
}

/// What is bought. The Perpres sets a different direct-procurement ceiling per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// Barang.
    Goods,
    /// Pekerjaan konstruksi: construction works.
    Construction,
    /// Jasa konsultansi: consultancy services (design, supervision, studies).
    Consultancy,
    /// Jasa lainnya: other services (cleaning, catering, rentals, ...).
    OtherServices,
}

impl PackageKind {
    pub const ALL: [PackageKind; 4] = [
        PackageKind::Goods,
        PackageKind::Construction,
        PackageKind::Consultancy,
        PackageKind::OtherServices,
    ];
    const NAMES: &'static [&'static str] =
        &["goods", "construction", "consultancy", "other_services"];

    /// The code (`goods`, ...), trimmed and case-insensitive. Field name in errors: `kind`.
    pub fn parse(raw: &str) -> Result<PackageKind, IdError> {
        let s = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| unknown("kind", raw, Self::NAMES))
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Lower-case, for use inside a sentence ("batas pengadaan langsung barang").
    pub fn title(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Id, PackageKind::Goods) => "barang",
            (Lang::Id, PackageKind::Construction) => "pekerjaan konstruksi",
            (Lang::Id, PackageKind::Consultancy) => "jasa konsultansi",
            (Lang::Id, PackageKind::OtherServices) => "jasa lainnya",
            (Lang::En, PackageKind::Goods) => "goods",
            (Lang::En, PackageKind::Construction) => "construction works",
            (Lang::En, PackageKind::Consultancy) => "consultancy services",
            (Lang::En, PackageKind::OtherServices) => "other services",
        }
    }
}

/// How the vendor is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Method {
    /// Pengadaan langsung: buying directly from one vendor, only up to the ceiling. Code
    /// `direct`.
    #[serde(rename = "direct")]
    DirectProcurement,
    /// E-purchasing: ordering from the electronic catalogue (katalog elektronik).
    #[serde(rename = "e_purchasing")]
    EPurchasing,
    /// Mini-kompetisi: the catalogue vendors of the item bid against each other.
    #[serde(rename = "mini_competition")]
    MiniCompetition,
    /// Tender: open competition, for goods, construction and other services.
    #[serde(rename = "tender")]
    Tender,
    /// Seleksi: open competition for consultancy services.
    #[serde(rename = "selection")]
    Selection,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::DirectProcurement,
        Method::EPurchasing,
        Method::MiniCompetition,
        Method::Tender,
        Method::Selection,
    ];
    const NAMES: &'static [&'static str] = &[
        "direct",
        "e_purchasing",
        "mini_competition",
        "tender",
        "selection",
    ];

    /// The code (`direct`, ...), trimmed and case-insensitive. Field name in errors: `method`.
    pub fn parse(raw: &str) -> Result<Method, IdError> {
        let s = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| unknown("method", raw, Self::NAMES))
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The name as a heading (capitalised).
    pub fn title(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Id, Method::DirectProcurement) => "Pengadaan langsung",
            (Lang::Id, Method::EPurchasing) => "E-purchasing",
            (Lang::Id, Method::MiniCompetition) => "Mini-kompetisi",
            (Lang::Id, Method::Tender) => "Tender",
            (Lang::Id, Method::Selection) => "Seleksi",
            (Lang::En, Method::DirectProcurement) => "Direct procurement",
            (Lang::En, Method::EPurchasing) => "E-purchasing",
            (Lang::En, Method::MiniCompetition) => "Mini-competition",
            (Lang::En, Method::Tender) => "Tender",
            (Lang::En, Method::Selection) => "Selection",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_kinds_round_trip() {
        for k in PackageKind::ALL {
            assert_eq!(PackageKind::parse(k.as_str()), Ok(k));
            assert_ne!(k.title(Lang::Id), k.title(Lang::En));
        }
        assert_eq!(PackageKind::OtherServices.as_str(), "other_services");
        assert_eq!(PackageKind::parse(" Goods "), Ok(PackageKind::Goods));
        let e = PackageKind::parse("services").unwrap_err();
        assert_eq!(e.field(), "kind");
        assert!(e.message(Lang::En).contains("other_services"));
        assert!(PackageKind::parse("").is_err());
    }

    #[test]
    fn methods_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Ok(m));
        }
        assert_eq!(Method::DirectProcurement.as_str(), "direct");
        assert_eq!(Method::EPurchasing.as_str(), "e_purchasing");
        assert_eq!(Method::MiniCompetition.as_str(), "mini_competition");
        assert_eq!(Method::Tender.as_str(), "tender");
        assert_eq!(Method::Selection.as_str(), "selection");
        assert_eq!(Method::parse("TENDER"), Ok(Method::Tender));
        let e = Method::parse("direct_procurement").unwrap_err();
        assert_eq!(e.field(), "method");
    }

    #[test]
    fn method_titles() {
        assert_eq!(
            Method::DirectProcurement.title(Lang::Id),
            "Pengadaan langsung"
        );
        assert_eq!(
            Method::DirectProcurement.title(Lang::En),
            "Direct procurement"
        );
        assert_eq!(Method::MiniCompetition.title(Lang::Id), "Mini-kompetisi");
        assert_eq!(Method::Selection.title(Lang::Id), "Seleksi");
        assert_eq!(Method::Selection.title(Lang::En), "Selection");
    }

    #[test]
    fn serde_uses_the_codes() {
        // The same strings as `as_str`, so stored JSON and API codes agree.
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Row {
            kind: PackageKind,
            method: Method,
        }
        let text = "kind = \"other_services\"\nmethod = \"e_purchasing\"\n";
        let row: Row = toml::from_str(text).unwrap();
        assert_eq!(
            row,
            Row {
                kind: PackageKind::OtherServices,
                method: Method::EPurchasing
            }
        );
    }
}
