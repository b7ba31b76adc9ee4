//! An e-mail address a person gave, checked for its shape (not for existence: nothing is sent
//! to check it, and a wrong one only means no mail arrives).

use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let s = raw.trim();
        let bad = || {
            FieldError::new(
                field,
                "format",
                "Alamat surel tidak valid (contoh: nama@contoh.id).",
                "Not a valid e-mail address (for example: name@example.id).",
            )
        };
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@')
            && s.chars().all(|c| c.is_ascii_graphic())
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !ok {
            return Err(bad());
        }
        // The domain is case-insensitive; the local part is kept as given.
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_for_their_shape() {
        assert_eq!(
            Email::parse("email", " Siti@Contoh.ID ").unwrap().as_str(),
            "Siti@contoh.id"
        );
        for bad in [
            "",
            "siti",
            "siti@",
            "@contoh.id",
            "siti@contoh",
            "siti@@contoh.id",
            "si ti@contoh.id",
            "siti@contoh..id",
            "siti@-contoh.id\n",
            "siti@con_toh.id",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?}");
        }
    }
}
