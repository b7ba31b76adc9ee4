use crate::FieldError;

/// A login name: 3-64 characters of lower-case letters, digits, `.`, `_`, `-` (an e-mail
/// address also fits after lower-casing: `@` is allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Username, FieldError> {
        let s = raw.trim().to_lowercase();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_@+".contains(c));
        if s.chars().count() < 3 || s.chars().count() > 64 || !ok_chars {
            return Err(FieldError::new(
                field,
                "format",
                "Nama pengguna 3-64 karakter: huruf, angka, titik, garis bawah, tanda hubung atau @.",
                "A username has 3-64 characters: letters, digits, dot, underscore, hyphen or @.",
            ));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown to others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, raw: &str) -> Result<DisplayName, FieldError> {
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(FieldError::new(
                field,
                "required",
                "Nama wajib diisi.",
                "The name is required.",
            ));
        }
        if s.chars().count() > 120 || s.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(
                field,
                "format",
                "Nama paling banyak 120 karakter tanpa karakter kontrol.",
                "A name has at most 120 characters and no control characters.",
            ));
        }
        Ok(DisplayName(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 128 characters. `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(field: &str, raw: &str) -> Result<Password, FieldError> {
        let n = raw.chars().count();
        if n < 10 {
            return Err(FieldError::new(
                field,
                "too_short",
                "Kata sandi minimal 10 karakter.",
                "The password needs at least 10 characters.",
            ));
        }
        if n > 128 {
            return Err(FieldError::new(
                field,
                "too_long",
                "Kata sandi paling banyak 128 karakter.",
                "The password has at most 128 characters.",
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(
            Username::parse("u", " Siti.Aminah ").unwrap().as_str(),
            "siti.aminah"
        );
        assert!(Username::parse("u", "ab").is_err());
        assert!(Username::parse("u", "has space").is_err());
    }

    #[test]
    fn names_collapse_whitespace() {
        assert_eq!(
            DisplayName::parse("n", "  Siti   Aminah ")
                .unwrap()
                .as_str(),
            "Siti Aminah"
        );
        assert!(DisplayName::parse("n", "   ").is_err());
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(Password::parse("p", "short").is_err());
        assert!(Password::parse("p", "cukup-panjang-123").is_ok());
        assert!(
            !format!("{:?}", Password::parse("p", "cukup-panjang-123").unwrap()).contains("cukup")
        );
    }
}
