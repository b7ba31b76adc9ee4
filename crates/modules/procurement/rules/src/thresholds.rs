//! Method of choosing the vendor by value: the ceilings of pengadaan langsung per package kind
//! (Perpres 16/2018 as amended by Perpres 12/2021 and 46/2025), read from
//! `workflows/config/procurement-thresholds.toml`; the proposed method for a package and the check of a
//! method staff chose.

use std::collections::BTreeMap;
use std::str::FromStr;

use mufakat_core::Lang;
use rust_decimal::Decimal;
use serde::Deserialize;

pub use crate::kinds::{Method, PackageKind};
pub use crate::method_error::MethodError;
pub use crate::rupiah::format_rupiah;

/// The shipped thresholds file, built in; [`Thresholds::default`] is this file.
pub const SHIPPED_TOML: &str =
    include_str!("../../../../../workflows/config/procurement-thresholds.toml");

/// Checked thresholds: every ceiling > 0 with at most two decimals, at least two vendors for a
/// mini-competition, a splitting window of 1 to 366 days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    direct_ceiling: BTreeMap<PackageKind, Decimal>,
    mini_competition_min_vendors: usize,
    window_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    mini_competition_min_vendors: i64,
    direct_ceiling: RawCeilings,
    splitting: RawSplitting,
}

/// Strings, not TOML numbers: a float would not be exact.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCeilings {
    goods: String,
    construction: String,
    consultancy: String,
    other_services: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSplitting {
    window_days: i64,
}

fn ceiling(kind: PackageKind, raw: &str) -> Result<Decimal, String> {
    let key = format!("direct_ceiling.{}", kind.as_str());
    let d = Decimal::from_str(raw.trim())
        .map_err(|_| format!("{key}: {raw:?} is not a decimal number"))?
        .normalize();
    if d <= Decimal::ZERO {
        return Err(format!("{key}: must be greater than zero, found {raw}"));
    }
    if d.scale() > 2 {
        return Err(format!("{key}: at most two decimals (sen), found {raw}"));
    }
    Ok(d)
}

impl Thresholds {
    /// Parses and checks a thresholds file. The error is one line for the operator (English,
    /// with the key; TOML errors carry line and column).
    pub fn from_toml(text: &str) -> Result<Thresholds, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let c = &raw.direct_ceiling;
        let mut direct_ceiling = BTreeMap::new();
        for (kind, value) in [
            (PackageKind::Goods, &c.goods),
            (PackageKind::Construction, &c.construction),
            (PackageKind::Consultancy, &c.consultancy),
            (PackageKind::OtherServices, &c.other_services),
        ] {
            direct_ceiling.insert(kind, ceiling(kind, value)?);
        }
        let min = raw.mini_competition_min_vendors;
        if min < 2 {
            return Err(format!(
                "mini_competition_min_vendors: at least 2, found {min}"
            ));
        }
        let window = raw.splitting.window_days;
        if !(1..=366).contains(&window) {
            return Err(format!("splitting.window_days: 1 to 366, found {window}"));
        }
        Ok(Thresholds {
            direct_ceiling,
            mini_competition_min_vendors: usize::try_from(min)
                .map_err(|_| format!("mini_competition_min_vendors: too large: {min}"))?,
            window_days: window as u32,
        })
    }

    /// The highest HPS (inclusive) for pengadaan langsung of this kind.
    pub fn direct_ceiling(&self, kind: PackageKind) -> Decimal {
        self.direct_ceiling[&kind]
    }

    pub fn mini_competition_min_vendors(&self) -> usize {
        self.mini_competition_min_vendors
    }

    /// The splitting check's window in days.
    pub fn window_days(&self) -> u32 {
        self.window_days
    }

    /// The method the system proposes for a package of `kind` with this HPS, when
    /// `catalogue_vendors` vendors offer it in the electronic catalogue:
    /// 1. enough catalogue vendors and HPS above the ceiling: mini-competition;
    /// 2. any catalogue vendor: e-purchasing;
    /// 3. HPS up to the ceiling: direct procurement;
    /// 4. otherwise selection (consultancy) or tender.
    ///
    /// The HPS is expected non-negative (the caller parses it as `Money`).
    pub fn propose(&self, kind: PackageKind, hps: Decimal, catalogue_vendors: usize) -> Proposal {
        let ceiling = self.direct_ceiling(kind);
        let above = hps > ceiling;
        let (h, c) = (format_rupiah(hps), format_rupiah(ceiling));
        let (kid, ken) = (kind.title(Lang::Id), kind.title(Lang::En));
        let min = self.mini_competition_min_vendors;
        let n = catalogue_vendors;
        let (method, reason_id, reason_en) = if n >= min && above {
            (
                Method::MiniCompetition,
                format!("HPS {h} melebihi batas pengadaan langsung {kid} {c} dan ada {n} penyedia di katalog elektronik: mini-kompetisi di antara mereka."),
                format!("The HPS {h} exceeds the direct-procurement ceiling for {ken} of {c} and {n} vendors offer it in the e-catalogue: a mini-competition among them."),
            )
        } else if n >= 1 && above {
            (
                Method::EPurchasing,
                format!("HPS {h} melebihi batas pengadaan langsung {kid} {c}, tetapi hanya {n} penyedia di katalog elektronik (mini-kompetisi butuh paling sedikit {min}): e-purchasing."),
                format!("The HPS {h} exceeds the direct-procurement ceiling for {ken} of {c}, but only {n} vendor(s) offer it in the e-catalogue (a mini-competition needs at least {min}): e-purchasing."),
            )
        } else if n >= 1 {
            (
                Method::EPurchasing,
                format!("Tersedia di katalog elektronik ({n} penyedia); HPS {h}, batas pengadaan langsung {kid} {c}: e-purchasing."),
                format!("Offered in the e-catalogue ({n} vendor(s)); HPS {h}, direct-procurement ceiling for {ken} {c}: e-purchasing."),
            )
        } else if !above {
            (
                Method::DirectProcurement,
                format!("Tidak ada di katalog elektronik dan HPS {h} tidak melebihi batas pengadaan langsung {kid} {c}: pengadaan langsung."),
                format!("Not in the e-catalogue and the HPS {h} is within the direct-procurement ceiling for {ken} of {c}: direct procurement."),
            )
        } else {
            let m = if kind == PackageKind::Consultancy {
                Method::Selection
            } else {
                Method::Tender
            };
            let (mid, men) = (
                m.title(Lang::Id).to_lowercase(),
                m.title(Lang::En).to_lowercase(),
            );
            (
                m,
                format!("Tidak ada di katalog elektronik dan HPS {h} melebihi batas pengadaan langsung {kid} {c}: {mid}."),
                format!("Not in the e-catalogue and the HPS {h} exceeds the direct-procurement ceiling for {ken} of {c}: {men}."),
            )
        };
        Proposal {
            method,
            reason_id,
            reason_en,
        }
    }

    /// Whether `method` may be used: direct procurement only up to the ceiling, e-purchasing
    /// with at least one catalogue vendor, mini-competition with at least
    /// `mini_competition_min_vendors`; tender and selection always. A negative HPS is refused.
    pub fn allows(
        &self,
        kind: PackageKind,
        hps: Decimal,
        method: Method,
        catalogue_vendors: usize,
    ) -> Result<(), MethodError> {
        if hps.is_sign_negative() && !hps.is_zero() {
            return Err(MethodError::NegativeHps);
        }
        let ceiling = self.direct_ceiling(kind);
        match method {
            Method::DirectProcurement if hps > ceiling => {
                Err(MethodError::AboveDirectCeiling { kind, hps, ceiling })
            }
            Method::EPurchasing | Method::MiniCompetition if catalogue_vendors == 0 => {
                Err(MethodError::NotInCatalogue)
            }
            Method::MiniCompetition if catalogue_vendors < self.mini_competition_min_vendors => {
                Err(MethodError::TooFewCatalogueVendors {
                    found: catalogue_vendors,
                    needed: self.mini_competition_min_vendors,
                })
            }
            _ => Ok(()),
        }
    }
}

impl Default for Thresholds {
    /// The shipped `workflows/config/procurement-thresholds.toml`.
    fn default() -> Self {
        Thresholds::from_toml(SHIPPED_TOML).expect("the shipped procurement thresholds are valid")
    }
}

/// The proposed method and why, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub method: Method,
    pub reason_id: String,
    pub reason_en: String,
}

impl Proposal {
    pub fn reason(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.reason_id,
            Lang::En => &self.reason_en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn with(key_line: &str, replacement: &str) -> String {
        assert!(SHIPPED_TOML.contains(key_line), "{key_line}");
        SHIPPED_TOML.replace(key_line, replacement)
    }

    #[test]
    fn default_is_the_shipped_file() {
        let t = Thresholds::default();
        assert_eq!(t.direct_ceiling(PackageKind::Goods), d("200000000"));
        assert_eq!(t.direct_ceiling(PackageKind::Construction), d("400000000"));
        assert_eq!(t.direct_ceiling(PackageKind::Consultancy), d("100000000"));
        assert_eq!(t.direct_ceiling(PackageKind::OtherServices), d("200000000"));
        assert_eq!(t.mini_competition_min_vendors(), 2);
        assert_eq!(t.window_days(), 90);
    }

    #[test]
    fn refuses_bad_files() {
        let goods = "goods = \"200000000\"";
        let cases = [
            with(goods, "goods = \"-1\""),
            with(goods, "goods = \"0\""),
            with(goods, "goods = \"200000000.001\""),
            with(goods, "goods = \"dua ratus juta\""),
            with(goods, "goods = 200000000"),
            with(goods, ""),
            with(goods, "goods = \"1\"\nfood = \"1\""),
            with(
                "mini_competition_min_vendors = 2",
                "mini_competition_min_vendors = 1",
            ),
            with(
                "mini_competition_min_vendors = 2",
                "mini_competition_min_vendors = -2",
            ),
            with("mini_competition_min_vendors = 2", ""),
            with("window_days = 90", "window_days = 0"),
            with("window_days = 90", "window_days = -90"),
            with("window_days = 90", "window_days = 367"),
            with("window_days = 90", "window_days = 90\nwindow_weeks = 1"),
            with("[splitting]\nwindow_days = 90", ""),
            format!("{SHIPPED_TOML}\n[extra]\nx = 1\n"),
            "not toml at all [".to_owned(),
        ];
        for text in &cases {
            assert!(Thresholds::from_toml(text).is_err(), "{text}");
        }
        let e = Thresholds::from_toml(&with(goods, "goods = \"-1\"")).unwrap_err();
        assert!(e.contains("direct_ceiling.goods"), "{e}");
    }

    #[test]
    fn accepts_sen_and_other_values() {
        let t = Thresholds::from_toml(&with("goods = \"200000000\"", "goods = \"150000000.50\""))
            .unwrap();
        assert_eq!(t.direct_ceiling(PackageKind::Goods), d("150000000.5"));
        let t = Thresholds::from_toml(&with("window_days = 90", "window_days = 366")).unwrap();
        assert_eq!(t.window_days(), 366);
    }

    #[test]
    fn proposes_by_catalogue_then_value() {
        let t = Thresholds::default();
        let p = |k, h: &str, n| t.propose(k, d(h), n).method;
        use Method::*;
        use PackageKind::*;
        // Not in the catalogue: ceiling is inclusive.
        assert_eq!(p(Goods, "200000000", 0), DirectProcurement);
        assert_eq!(p(Goods, "200000000.01", 0), Tender);
        assert_eq!(p(Construction, "400000000", 0), DirectProcurement);
        assert_eq!(p(Construction, "400000001", 0), Tender);
        assert_eq!(p(OtherServices, "200000001", 0), Tender);
        assert_eq!(p(Consultancy, "100000000", 0), DirectProcurement);
        assert_eq!(p(Consultancy, "100000001", 0), Selection);
        assert_eq!(p(Goods, "0", 0), DirectProcurement);
        // In the catalogue.
        assert_eq!(p(Goods, "1000", 1), EPurchasing);
        assert_eq!(p(Goods, "1000", 5), EPurchasing);
        assert_eq!(p(Goods, "200000000", 2), EPurchasing);
        assert_eq!(p(Goods, "200000001", 1), EPurchasing);
        assert_eq!(p(Goods, "200000001", 2), MiniCompetition);
        assert_eq!(p(Consultancy, "100000001", 3), MiniCompetition);
    }

    #[test]
    fn reasons_quote_ceiling_and_value_in_rupiah() {
        let t = Thresholds::default();
        let p = t.propose(PackageKind::Goods, d("250000000.5"), 0);
        assert_eq!(p.method, Method::Tender);
        assert!(p.reason_id.contains("Rp250.000.000,50"), "{}", p.reason_id);
        assert!(p.reason_id.contains("Rp200.000.000"));
        assert!(p.reason_id.contains("barang"));
        assert!(p.reason_en.contains("Rp250.000.000,50"));
        assert!(p.reason_en.contains("tender"));
        assert_eq!(p.reason(Lang::En), p.reason_en);
        assert_eq!(p.reason(Lang::Id), p.reason_id);
        for (h, n) in [
            ("1", 0),
            ("1", 1),
            ("300000000", 1),
            ("300000000", 2),
            ("300000000", 0),
        ] {
            let p = t.propose(PackageKind::Consultancy, d(h), n);
            assert!(p.reason_id.contains("Rp100.000.000"), "{}", p.reason_id);
            assert!(p.reason_en.contains("Rp100.000.000"), "{}", p.reason_en);
            assert!(p.reason_id.contains(&format_rupiah(d(h))));
        }
        let p = t.propose(PackageKind::Consultancy, d("300000000"), 0);
        assert!(p.reason_id.ends_with("seleksi."), "{}", p.reason_id);
    }

    #[test]
    fn allows_checks_each_method() {
        let t = Thresholds::default();
        let a = |m, h: &str, n| t.allows(PackageKind::Goods, d(h), m, n);
        assert_eq!(a(Method::DirectProcurement, "200000000", 0), Ok(()));
        assert_eq!(
            a(Method::DirectProcurement, "200000000.01", 5),
            Err(MethodError::AboveDirectCeiling {
                kind: PackageKind::Goods,
                hps: d("200000000.01"),
                ceiling: d("200000000"),
            })
        );
        assert_eq!(a(Method::EPurchasing, "900000000", 1), Ok(()));
        assert_eq!(
            a(Method::EPurchasing, "1", 0),
            Err(MethodError::NotInCatalogue)
        );
        assert_eq!(
            a(Method::MiniCompetition, "1", 0),
            Err(MethodError::NotInCatalogue)
        );
        assert_eq!(
            a(Method::MiniCompetition, "1", 1),
            Err(MethodError::TooFewCatalogueVendors {
                found: 1,
                needed: 2
            })
        );
        assert_eq!(a(Method::MiniCompetition, "1", 2), Ok(()));
        for m in [Method::Tender, Method::Selection] {
            assert_eq!(a(m, "0", 0), Ok(()));
            assert_eq!(a(m, "999999999999", 0), Ok(()));
        }
        assert_eq!(a(Method::Tender, "-1", 0), Err(MethodError::NegativeHps));
        assert_eq!(
            t.allows(
                PackageKind::Construction,
                d("400000000"),
                Method::DirectProcurement,
                0
            ),
            Ok(())
        );
    }

    #[test]
    fn the_proposal_is_always_allowed() {
        let t = Thresholds::default();
        for k in PackageKind::ALL {
            for h in [
                "0",
                "100000000",
                "100000000.01",
                "200000000",
                "400000000",
                "4000000000",
            ] {
                for n in 0..4 {
                    let m = t.propose(k, d(h), n).method;
                    assert_eq!(t.allows(k, d(h), m, n), Ok(()), "{k:?} {h} {n} {m:?}");
                }
            }
        }
    }
}
