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
        // The local part's plain characters (RFC 5322 dot-atom; no quoting), and a domain of
        // letter-digit-hyphen labels.
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let ok = local_ok && domain_ok && s.len() <= 254;
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
