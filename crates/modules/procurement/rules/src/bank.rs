//! The bank account a vendor is paid into (rekening bank). Re-exported from [`crate::ids`].

use crate::ids::{digits_only, IdError};

/// Trims and collapses inner whitespace; `None` when the result has control characters or a
/// length outside `min..=max` characters.
fn clean_text(raw: &str, min: usize, max: usize) -> Option<String> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = s.chars().count();
    ((min..=max).contains(&n) && !s.chars().any(char::is_control)).then_some(s)
}

/// A bank account for payments to a vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    bank: String,
    number: String,
    holder: String,
}

impl BankAccount {
    /// Bank name 2-100 characters, number 5-30 digits (spaces and hyphens dropped), holder
    /// 2-200 characters; names are trimmed with inner whitespace collapsed. The first broken
    /// rule is reported.
    pub fn parse(bank: &str, number: &str, holder: &str) -> Result<BankAccount, IdError> {
        let bank = clean_text(bank, 2, 100).ok_or(IdError::BankName)?;
        let number = match digits_only(number, &[' ', '-']) {
            Some(d) if (5..=30).contains(&d.len()) => d,
            _ => return Err(IdError::AccountNumber),
        };
        let holder = clean_text(holder, 2, 200).ok_or(IdError::AccountHolder)?;
        Ok(BankAccount {
            bank,
            number,
            holder,
        })
    }

    pub fn bank(&self) -> &str {
        &self.bank
    }

    /// Digits only.
    pub fn number(&self) -> &str {
        &self.number
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_account_checks_each_part() {
        let a = BankAccount::parse("  Bank  Jatim ", "0123-4567 89", " Budi  Santoso ").unwrap();
        assert_eq!(a.bank(), "Bank Jatim");
        assert_eq!(a.number(), "0123456789");
        assert_eq!(a.holder(), "Budi Santoso");
        assert!(BankAccount::parse("BR", "12345", "Al").is_ok());
        assert!(BankAccount::parse(&"b".repeat(100), &"1".repeat(30), &"h".repeat(200)).is_ok());

        let err = |b: &str, n: &str, h: &str| BankAccount::parse(b, n, h).unwrap_err();
        assert_eq!(err("B", "12345", "Budi"), IdError::BankName);
        assert_eq!(err(&"b".repeat(101), "12345", "Budi"), IdError::BankName);
        assert_eq!(err("BRI\u{7}", "12345", "Budi"), IdError::BankName);
        assert_eq!(err("BRI", "1234", "Budi"), IdError::AccountNumber);
        assert_eq!(err("BRI", &"1".repeat(31), "Budi"), IdError::AccountNumber);
        assert_eq!(err("BRI", "12.345", "Budi"), IdError::AccountNumber);
        assert_eq!(err("BRI", "", "Budi"), IdError::AccountNumber);
        assert_eq!(err("BRI", "12345", "B"), IdError::AccountHolder);
        assert_eq!(
            err("BRI", "12345", &"h".repeat(201)),
            IdError::AccountHolder
        );
        // The first broken rule wins.
        assert_eq!(err("", "", ""), IdError::BankName);
    }
}
