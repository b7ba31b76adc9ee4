//! Free text a person types (titles, units, comments): bounded in length and free of control
//! characters, which no field needs and which break the PDFs, the `.pb` files and log lines
//! they end up in. (A NUL or a string over 64 KiB is refused earlier, for every argument, by
//! the GraphQL layer.)

use crate::FieldError;

/// `None` when `value` has at most `max` characters and no control characters (line breaks
/// and tabs are allowed when `multiline`); else the field's error.
pub fn check(field: &str, value: &str, max: usize, multiline: bool) -> Option<FieldError> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if value.chars().count() > max {
        return Some(FieldError::new(
            field,
            "length",
            format!("Paling banyak {max} karakter."),
            format!("At most {max} characters."),
        ));
    }
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Some(FieldError::new(
            field,
            "characters",
            "Berisi karakter yang tidak dapat ditampilkan.",
            "Contains characters that cannot be shown.",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn length_and_control_characters() {
        assert!(check("unit", "meter", 40, false).is_none());
        assert!(check("unit", &"m".repeat(41), 40, false).is_some());
        assert!(check("comment", "baris satu\nbaris dua\tok", 100, true).is_none());
        assert!(check("title", "baris\nbaru", 100, false).is_some());
        assert!(check("comment", "bel\u{7}", 100, true).is_some());
        assert!(check("comment", "escape \u{1b}[31m", 100, true).is_some());
        // Characters, not bytes.
        assert!(check("name", &"é".repeat(40), 40, false).is_none());
    }
}
