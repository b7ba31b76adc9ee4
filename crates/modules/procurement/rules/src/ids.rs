//! Vendor (penyedia) identifiers and codes, parsed into types that cannot hold invalid values:
//! NPWP (tax number), NIB (business number), KBLI (business field), company form and bank
//! account ([`crate::bank`]). [`IdError`] is also the error of every `parse` of a fixed list
//! of codes in this crate ([`IdError::Unknown`]).

use std::fmt;

use mufakat_core::{FieldError, Lang};

pub use crate::bank::BankAccount;

/// A parse failure, naming the input field (as in the API) and the broken rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("npwp: not 15 or 16 digits")]
    Npwp,
    #[error("nib: not 13 digits")]
    Nib,
    #[error("kbli: not 5 digits")]
    Kbli,
    #[error("bank_name: not 2-100 characters")]
    BankName,
    #[error("account_number: not 5-30 digits")]
    AccountNumber,
    #[error("account_holder: not 2-200 characters")]
    AccountHolder,
    /// A value outside a fixed list (company form, package kind, method, document kind).
    #[error("{field}: unknown value {value:?}")]
    Unknown {
        field: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
}

impl IdError {
    /// The input field, as named in the API.
    pub fn field(&self) -> &'static str {
        match self {
            IdError::Npwp => "npwp",
            IdError::Nib => "nib",
            IdError::Kbli => "kbli",
            IdError::BankName => "bank_name",
            IdError::AccountNumber => "account_number",
            IdError::AccountHolder => "account_holder",
            IdError::Unknown { field, .. } => field,
        }
    }

    /// The stable rule name (`format`, `length` or `unknown`).
    pub fn rule(&self) -> &'static str {
        match self {
            IdError::BankName | IdError::AccountHolder => "length",
            IdError::Unknown { .. } => "unknown",
            _ => "format",
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
        let s = |id: &str, en: &str| (id.to_owned(), en.to_owned());
        match self {
            IdError::Npwp => s(
                "NPWP harus 15 atau 16 angka (titik, tanda hubung dan spasi boleh).",
                "The NPWP must be 15 or 16 digits (dots, hyphens and spaces are allowed).",
            ),
            IdError::Nib => s(
                "NIB harus terdiri dari 13 angka.",
                "The NIB must be exactly 13 digits.",
            ),
            IdError::Kbli => s(
                "Kode KBLI harus terdiri dari 5 angka.",
                "A KBLI code must be exactly 5 digits.",
            ),
            IdError::BankName => s(
                "Nama bank harus 2-100 karakter.",
                "The bank name must have 2-100 characters.",
            ),
            IdError::AccountNumber => s(
                "Nomor rekening harus 5-30 angka (spasi dan tanda hubung boleh).",
                "The account number must be 5-30 digits (spaces and hyphens are allowed).",
            ),
            IdError::AccountHolder => s(
                "Nama pemilik rekening harus 2-200 karakter.",
                "The account holder's name must have 2-200 characters.",
            ),
            IdError::Unknown { allowed, .. } => (
                format!("Nilai tidak dikenal. Pilihan: {}.", allowed.join(", ")),
                format!("Unknown value. Choose one of: {}.", allowed.join(", ")),
            ),
        }
    }
}

impl From<IdError> for FieldError {
    fn from(e: IdError) -> FieldError {
        let (id, en) = e.texts();
        FieldError::new(e.field(), e.rule(), id, en)
    }
}

/// Keeps the ASCII digits of `raw` after dropping the characters in `separators`; `None` when
/// anything else is left.
pub(crate) fn digits_only(raw: &str, separators: &[char]) -> Option<String> {
    let kept: String = raw
        .trim()
        .chars()
        .filter(|c| !separators.contains(c))
        .collect();
    kept.chars().all(|c| c.is_ascii_digit()).then_some(kept)
}

/// Nomor Pokok Wajib Pajak, the tax number: 15 digits (the old form, often written
/// `01.234.567.8-901.000`) or 16 digits (the form since 2024). For a person the 16-digit NPWP
/// *is* their NIK, which Mufakat must not keep in the clear; see [`Npwp::may_be_nik`].
/// `Debug` shows only the last four digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Npwp(String);

impl Npwp {
    /// Drops `.`, `-` and spaces; then 15 or 16 digits.
    pub fn parse(raw: &str) -> Result<Npwp, IdError> {
        let d = digits_only(raw, &['.', '-', ' ']).ok_or(IdError::Npwp)?;
        if d.len() == 15 || d.len() == 16 {
            Ok(Npwp(d))
        } else {
            Err(IdError::Npwp)
        }
    }

    /// The digits only, as entered (15 or 16).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 16-digit form: a 15-digit NPWP gets a leading `0` (how the tax office, DJP, turned
    /// entities' numbers into 16 digits), so both forms of one number compare equal.
    pub fn sixteen_digits(&self) -> String {
        if self.0.len() == 15 {
            format!("0{}", self.0)
        } else {
            self.0.clone()
        }
    }

    /// 16 digits not starting with `0`: the NPWP of a person, equal to their NIK.
    pub fn may_be_nik(&self) -> bool {
        self.0.len() == 16 && !self.0.starts_with('0')
    }
}

impl fmt::Display for Npwp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Npwp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Npwp(****{})", &self.0[self.0.len() - 4..])
    }
}

/// Nomor Induk Berusaha: the 13-digit business number issued through OSS (the online single
/// submission licensing system). Whitespace is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nib(String);

impl Nib {
    pub fn parse(raw: &str) -> Result<Nib, IdError> {
        match digits_only(raw, &[' ']) {
            Some(d) if d.len() == 13 => Ok(Nib(d)),
            _ => Err(IdError::Nib),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A KBLI code (Klasifikasi Baku Lapangan Usaha Indonesia, the standard classification of
/// business fields): exactly 5 digits, e.g. `41011` (building construction).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kbli(String);

impl Kbli {
    pub fn parse(raw: &str) -> Result<Kbli, IdError> {
        match digits_only(raw, &[]) {
            Some(d) if d.len() == 5 => Ok(Kbli(d)),
            _ => Err(IdError::Kbli),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kbli {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The legal form of a vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompanyForm {
    /// Perseroan Terbatas: limited company.
    Pt,
    /// Commanditaire Vennootschap: limited partnership.
    Cv,
    /// Cooperative.
    Koperasi,
    /// Sole trader (an individual).
    Perorangan,
    /// General partnership.
    Firma,
    Other,
}

impl CompanyForm {
    pub const ALL: [CompanyForm; 6] = [
        CompanyForm::Pt,
        CompanyForm::Cv,
        CompanyForm::Koperasi,
        CompanyForm::Perorangan,
        CompanyForm::Firma,
        CompanyForm::Other,
    ];
    const NAMES: &'static [&'static str] =
        &["pt", "cv", "koperasi", "perorangan", "firma", "other"];

    /// Case-insensitive, trimmed.
    pub fn parse(raw: &str) -> Result<CompanyForm, IdError> {
        let s = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| IdError::Unknown {
                field: "company_form",
                value: raw.to_owned(),
                allowed: Self::NAMES,
            })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npwp_accepts_both_lengths_and_separators() {
        let n = Npwp::parse("01.234.567.8-901.000").unwrap();
        assert_eq!(n.as_str(), "012345678901000");
        assert_eq!(n.to_string(), "012345678901000");
        assert_eq!(n.sixteen_digits(), "0012345678901000");
        assert!(!n.may_be_nik());
        let n16 = Npwp::parse(" 0012 3456 7890 1000 ").unwrap();
        assert_eq!(n16.as_str(), "0012345678901000");
        assert_eq!(n16.sixteen_digits(), n.sixteen_digits());
        assert!(!n16.may_be_nik());
        assert!(Npwp::parse("3578014507900001").unwrap().may_be_nik());
    }

    #[test]
    fn npwp_rejects_other_lengths_and_characters() {
        for bad in [
            "",
            "   ",
            "12345678901234",
            "12345678901234567",
            "01.234.567.8-901.00a",
            "01/234/567/8/901/000",
            "01_234_567_8_901_000",
            "０１２３４５６７８９０１０００",
            "+012345678901000",
        ] {
            assert_eq!(Npwp::parse(bad), Err(IdError::Npwp), "{bad}");
        }
    }

    #[test]
    fn npwp_debug_hides_the_digits() {
        let n = Npwp::parse("3578014507900001").unwrap();
        let dbg = format!("{n:?}");
        assert!(!dbg.contains("35780145"));
        assert!(dbg.ends_with("0001)"));
    }

    #[test]
    fn nib_is_thirteen_digits() {
        assert_eq!(
            Nib::parse("1234567890123").unwrap().as_str(),
            "1234567890123"
        );
        assert_eq!(
            Nib::parse(" 12345 67890 123 ").unwrap().to_string(),
            "1234567890123"
        );
        for bad in [
            "",
            "123456789012",
            "12345678901234",
            "12345678901a3",
            "1234-567890123",
        ] {
            assert_eq!(Nib::parse(bad), Err(IdError::Nib), "{bad}");
        }
    }

    #[test]
    fn kbli_is_five_digits() {
        assert_eq!(Kbli::parse(" 41011 ").unwrap().as_str(), "41011");
        for bad in ["", "4101", "410111", "4101a", "41 011", "41.01"] {
            assert_eq!(Kbli::parse(bad), Err(IdError::Kbli), "{bad}");
        }
    }

    #[test]
    fn company_form_round_trips() {
        for f in CompanyForm::ALL {
            assert_eq!(CompanyForm::parse(f.as_str()), Ok(f));
        }
        assert_eq!(CompanyForm::parse(" PT "), Ok(CompanyForm::Pt));
        assert_eq!(CompanyForm::Perorangan.as_str(), "perorangan");
        let e = CompanyForm::parse("llc").unwrap_err();
        assert_eq!(e.field(), "company_form");
        assert_eq!(e.rule(), "unknown");
        assert!(e.message(Lang::Id).contains("pt, cv, koperasi"));
        assert!(e.message(Lang::En).contains("Choose one of"));
        assert!(CompanyForm::parse("").is_err());
    }

    #[test]
    fn errors_name_their_field_in_both_languages() {
        let cases = [
            (IdError::Npwp, "npwp", "format"),
            (IdError::Nib, "nib", "format"),
            (IdError::Kbli, "kbli", "format"),
            (IdError::BankName, "bank_name", "length"),
            (IdError::AccountNumber, "account_number", "format"),
            (IdError::AccountHolder, "account_holder", "length"),
        ];
        for (e, field, rule) in cases {
            assert_eq!(e.field(), field);
            assert_eq!(e.rule(), rule);
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
            let fe: FieldError = e.clone().into();
            assert_eq!(fe.field, field);
            assert_eq!(fe.message.get(Lang::En), e.message(Lang::En));
        }
    }
}
