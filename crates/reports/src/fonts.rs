//! Text measurement for the two built-in fonts we use (Helvetica, Helvetica-Bold).
//!
//! Built-in PDF fonts carry no metrics in printpdf, so the advance widths of the WinAnsi
//! characters are embedded here (Adobe Core14 AFM values, 1/1000 em). Text is first reduced
//! to what WinAnsi can show ([`to_win_ansi`]); widths are then exact, so right alignment and
//! word wrapping match what a viewer draws.

/// The fonts the layout layer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    pub(crate) fn builtin(self) -> printpdf::BuiltinFont {
        match self {
            Font::Regular => printpdf::BuiltinFont::Helvetica,
            Font::Bold => printpdf::BuiltinFont::HelveticaBold,
        }
    }

    fn table(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }
}

/// The WinAnsi byte of `c`, if the encoding has it.
pub(crate) fn win_ansi_byte(c: char) -> Option<u8> {
    match c as u32 {
        cp @ 0x20..=0x7E => return Some(cp as u8),
        cp @ 0xA0..=0xFF => return Some(cp as u8),
        _ => {}
    }
    Some(match c {
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        _ => return None,
    })
}

/// Reduces `text` to characters WinAnsi can show: tabs and line breaks become spaces, a few
/// common symbols get ASCII spellings (`→` becomes `->`), anything else becomes `?`.
pub fn to_win_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if win_ansi_byte(c).is_some() {
            out.push(c);
            continue;
        }
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{2192}' => out.push_str("->"),
            '\u{2190}' => out.push_str("<-"),
            '\u{2264}' => out.push_str("<="),
            '\u{2265}' => out.push_str(">="),
            '\u{2260}' => out.push_str("!="),
            '\u{2212}' => out.push('-'),
            '\u{00A0}' | '\u{2009}' | '\u{202F}' => out.push(' '),
            '\u{2713}' | '\u{2714}' => out.push('v'),
            '\u{2717}' | '\u{2718}' => out.push('x'),
            _ => out.push('?'),
        }
    }
    out
}

/// Advance width of `c` in 1/1000 em (characters outside WinAnsi measure as `?`).
pub(crate) fn char_width(font: Font, c: char) -> u32 {
    let b = win_ansi_byte(c).unwrap_or(b'?');
    font.table()[(b as usize).saturating_sub(32).min(223)] as u32
}

/// Width of `text` in points at `size` points.
pub fn text_width(text: &str, font: Font, size: f64) -> f64 {
    let units: u32 = text.chars().map(|c| char_width(font, c)).sum();
    units as f64 * size / 1000.0
}

// Generated from the Adobe Core14 AFM advance widths (WinAnsiEncoding), 1/1000 em.
// Index = WinAnsi byte - 32 (bytes 32..=255). Undefined codes use 278.
pub(crate) static HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48..=63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80..=95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // 96..=111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    278, // 112..=127
    556, 278, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 278, 611,
    278, // 128..=143
    278, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 278, 500,
    667, // 144..=159
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737,
    333, // 160..=175
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834,
    611, // 176..=191
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278,
    278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278,
    278, // 224..=239
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556,
    500, // 240..=255
];

pub(crate) static HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 48..=63
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 80..=95
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611,
    611, // 96..=111
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    278, // 112..=127
    556, 278, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 278, 611,
    278, // 128..=143
    278, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 278, 500,
    667, // 144..=159
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737,
    333, // 160..=175
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834,
    611, // 176..=191
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278,
    278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278,
    278, // 224..=239
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611,
    556, // 240..=255
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_text_to_win_ansi() {
        assert_eq!(
            to_win_ansi("diajukan → diverifikasi"),
            "diajukan -> diverifikasi"
        );
        assert_eq!(
            to_win_ansi("Rp 1.250.000,00 – é €"),
            "Rp 1.250.000,00 – é €"
        );
        assert_eq!(to_win_ansi("a\tb\nc"), "a b c");
        assert_eq!(to_win_ansi("漢"), "?");
        assert_eq!(
            char_width(Font::Regular, '漢'),
            char_width(Font::Regular, '?')
        );
    }
}
