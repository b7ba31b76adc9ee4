use crate::FieldError;

/// Nomor Induk Kependudukan: the 16-digit national identity number. Mufakat never stores it;
/// only a keyed hash (see the server's `nik_hash`). `Debug` hides the digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Nik(String);

impl Nik {
    pub fn parse(field: &str, raw: &str) -> Result<Nik, FieldError> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 16 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                "format",
                "NIK harus terdiri dari 16 angka.",
                "The NIK must be exactly 16 digits.",
            ));
        }
        // Digits 7-12 hold the birth date (day + 40 for women) and month.
        let day: u32 = digits[6..8].parse().unwrap_or(0);
        let month: u32 = digits[8..10].parse().unwrap_or(0);
        let day = if day > 40 { day - 40 } else { day };
        if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
            return Err(FieldError::new(
                field,
                "format",
                "NIK tidak valid: tanggal lahir di dalamnya tidak mungkin.",
                "The NIK is not valid: the birth date in it is impossible.",
            ));
        }
        Ok(Nik(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nik(****{})", &self.0[12..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sixteen_digits_with_plausible_date() {
        assert!(Nik::parse("nik", "3578014507900001").is_ok()); // woman born 05-07-90
        assert!(Nik::parse("nik", "3578 0105 0790 0001").is_ok());
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "123",
            "35780145079000012",
            "357801450790000a",
            "3578019913900001",
        ] {
            assert!(Nik::parse("nik", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_does_not_leak() {
        let n = Nik::parse("nik", "3578014507900001").unwrap();
        assert!(!format!("{n:?}").contains("35780145"));
    }
}
