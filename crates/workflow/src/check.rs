//! Problems found while loading a definition, located in the file.

use std::fmt;

/// One problem in a definition file. Displays as `file:line:col: message`; the message says
/// what is wrong and, where it helps, what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    pub file: String,
    /// 1-based; 0 when the problem is with the file as a whole (cannot be read).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CheckError {}

/// Turns byte offsets in a file into line and column.
pub(crate) struct Locator<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Locator<'_> {
    /// (line, column), both 1-based; the column counts characters.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        (line, before[line_start..].chars().count() + 1)
    }

    pub fn at(&self, offset: usize, message: impl Into<String>) -> CheckError {
        let (line, column) = self.position(offset);
        CheckError {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let l = Locator {
            file: "f.toml",
            text: "a = 1\njudul = \"Jalan — RT\" x\n",
        };
        assert_eq!(l.position(0), (1, 1));
        assert_eq!(l.position(6), (2, 1));
        let x = l.text.find(" x").unwrap() + 1;
        assert_eq!(l.position(x), (2, 22));
        assert_eq!(l.at(6, "m").to_string(), "f.toml:2:1: m");
    }
}
