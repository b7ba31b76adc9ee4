//! The layout layer every report is built on.
//!
//! A [`Report`] is a cursor over A4 pages (portrait or landscape). Blocks — headings,
//! word-wrapped paragraphs, key-value blocks, [`Table`]s that split across pages and repeat
//! their header row, horizontal [`BarChart`]s and [`SignatureBlock`]s — are laid out top to
//! bottom; a block that does not fit continues on a new page. The page header (logo box,
//! region, title) and the footer (`Halaman x dari y`) are drawn in [`Report::finish`], once the
//! page count is known.
//!
//! Coordinates are points (1/72 inch) measured from the top-left corner of the page; they are
//! the only floats in the crate (money and scores stay `Decimal` until a bar's length is drawn).
//! Output is deterministic: the same input and `generated_at` give the same bytes.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use mufakat_core::Lang;
use printpdf::{
    Color, Line, LinePoint, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, TextItem,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fonts::{text_width, to_win_ansi, Font};
use crate::format::{self, tr};
use crate::ReportError;

/// Millimetres to points.
pub fn mm(v: f64) -> f64 {
    v * 72.0 / 25.4
}

/// Body text size in points.
pub const BODY_SIZE: f64 = 9.5;
/// Heading size in points.
pub const HEADING_SIZE: f64 = 11.5;
/// Line height as a multiple of the font size.
pub const LINE_FACTOR: f64 = 1.25;

/// An RGB colour, components 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
    pub const TEXT_MUTED: Rgb = Rgb(0.35, 0.35, 0.35);
    pub const RULE: Rgb = Rgb(0.55, 0.55, 0.55);
    pub const GRID: Rgb = Rgb(0.75, 0.75, 0.75);
    pub const HEADER_FILL: Rgb = Rgb(0.86, 0.89, 0.93);
    pub const TOTAL_FILL: Rgb = Rgb(0.93, 0.93, 0.93);
    pub const ZEBRA_FILL: Rgb = Rgb(0.965, 0.965, 0.965);
    /// Bars that count (funded, within the ceiling).
    pub const PRIMARY: Rgb = Rgb(0.16, 0.42, 0.66);
    /// Bars that do not.
    pub const MUTED: Rgb = Rgb(0.72, 0.74, 0.77);
    pub const OK: Rgb = Rgb(0.10, 0.50, 0.22);
    pub const BAD: Rgb = Rgb(0.72, 0.12, 0.12);

    fn pdf(self) -> Color {
        Color::Rgb(printpdf::Rgb {
            r: self.0,
            g: self.1,
            b: self.2,
            icc_profile: None,
        })
    }
}

/// Page orientation (always A4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// Paper and margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSetup {
    pub orientation: Orientation,
    /// Margins in millimetres: top, right, bottom, left.
    pub margins_mm: [f64; 4],
}

impl Default for PageSetup {
    fn default() -> Self {
        PageSetup {
            orientation: Orientation::Portrait,
            margins_mm: [12.0, 15.0, 12.0, 18.0],
        }
    }
}

impl PageSetup {
    pub fn portrait() -> Self {
        Self::default()
    }
    pub fn landscape() -> Self {
        PageSetup {
            orientation: Orientation::Landscape,
            margins_mm: [10.0, 12.0, 10.0, 12.0],
        }
    }
}

/// What the page header and the PDF metadata say.
#[derive(Debug, Clone, PartialEq)]
pub struct DocInfo {
    /// Report title: header line 2 and the PDF title.
    pub title: String,
    /// Header line 1, e.g. `Pemerintah Kota Bandung — Kelurahan Sukamaju`.
    pub region: String,
    /// Header line 3 (optional), e.g. the cycle or the period.
    pub subtitle: Option<String>,
    pub lang: Lang,
    /// The PDF creation date and the footer's "generated" time. Fixed input ⇒ fixed bytes.
    pub generated_at: DateTime<Utc>,
    /// PDF subject (optional).
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// The office's letterhead (kop surat). With one, the page header is the letterhead and the
    /// title opens the first page's body; without, the header holds region and title.
    pub letterhead: Option<Letterhead>,
    /// Under a letterhead, whether the title and subtitle open the body (`true` by default;
    /// a report with a title block of its own, such as the berita acara, sets `false`).
    pub title_in_body: bool,
}

/// A kop surat: the government's and the office's names, the address, and the region's logo.
#[derive(Debug, Clone, PartialEq)]
pub struct Letterhead {
    /// E.g. `PEMERINTAH KOTA MUFAKAT`.
    pub government: String,
    /// E.g. `BADAN PERENCANAAN PEMBANGUNAN DAERAH`.
    pub office: String,
    /// E.g. `Jl. Merdeka No. 1, Mufakat 12345 · Telp. (021) 123456`.
    pub address: Option<String>,
    pub logo: Option<Logo>,
}

/// A logo's pixels (RGB, 8 bits, transparency flattened onto white), as embedded in the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Logo {
    /// Most pixels a logo may have (2000 × 2000): a letterhead needs no more.
    pub const MAX_PIXELS: usize = 4_000_000;

    /// Decodes a PNG file (any colour type; 16-bit channels are reduced to 8).
    pub fn from_png(bytes: &[u8]) -> Result<Logo, ReportError> {
        let bad = |e: String| ReportError::Invalid(format!("logo: {e}"));
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;
        let (w, h) = {
            let i = reader.info();
            (i.width as usize, i.height as usize)
        };
        if w == 0 || h == 0 || w.saturating_mul(h) > Self::MAX_PIXELS {
            return Err(bad(format!(
                "{w}×{h} pixels; at most {} in all",
                Self::MAX_PIXELS
            )));
        }
        let mut buf = vec![0; reader.output_buffer_size()];
        let frame = reader
            .next_frame(&mut buf)
            .map_err(|e| bad(e.to_string()))?;
        buf.truncate(frame.buffer_size());
        let over_white =
            |c: u8, a: u8| ((c as u16 * a as u16 + 255 * (255 - a as u16)) / 255) as u8;
        let rgb: Vec<u8> = match frame.color_type {
            png::ColorType::Rgb => buf,
            png::ColorType::Rgba => buf
                .chunks_exact(4)
                .flat_map(|p| {
                    [
                        over_white(p[0], p[3]),
                        over_white(p[1], p[3]),
                        over_white(p[2], p[3]),
                    ]
                })
                .collect(),
            png::ColorType::Grayscale => buf.iter().flat_map(|g| [*g, *g, *g]).collect(),
            png::ColorType::GrayscaleAlpha => buf
                .chunks_exact(2)
                .flat_map(|p| {
                    let g = over_white(p[0], p[1]);
                    [g, g, g]
                })
                .collect(),
            png::ColorType::Indexed => return Err(bad("indexed colours were not expanded".into())),
        };
        if rgb.len() != w * h * 3 {
            return Err(bad("unexpected pixel data".into()));
        }
        Ok(Logo {
            width: w,
            height: h,
            rgb,
        })
    }
}

impl DocInfo {
    pub fn new(
        title: impl Into<String>,
        region: impl Into<String>,
        lang: Lang,
        generated_at: DateTime<Utc>,
    ) -> Self {
        DocInfo {
            title: title.into(),
            region: region.into(),
            subtitle: None,
            lang,
            generated_at,
            subject: None,
            keywords: vec![],
            letterhead: None,
            title_in_body: true,
        }
    }
}

/// Horizontal alignment in a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A table column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Relative width: the columns share the content width in proportion to these.
    pub weight: f64,
    pub align: Align,
    /// Wrap long cells onto more lines (default) or cut them with `…` (compact tables).
    pub wrap: bool,
}

impl Column {
    /// Left-aligned, wrapping text column.
    pub fn text(header: impl Into<String>, weight: f64) -> Self {
        Column {
            header: header.into(),
            weight,
            align: Align::Left,
            wrap: true,
        }
    }
    /// Right-aligned column for numbers and money (`Money::to_rupiah()` strings).
    pub fn number(header: impl Into<String>, weight: f64) -> Self {
        Column {
            header: header.into(),
            weight,
            align: Align::Right,
            wrap: true,
        }
    }
    /// Centred column.
    pub fn center(header: impl Into<String>, weight: f64) -> Self {
        Column {
            header: header.into(),
            weight,
            align: Align::Center,
            wrap: true,
        }
    }
    /// Cut instead of wrapping.
    pub fn nowrap(mut self) -> Self {
        self.wrap = false;
        self
    }
}

/// A table: header row repeated on every page it spans, rows split across pages (a row taller
/// than a page is split between its lines), optional bold totals row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Totals row: its first cell is the label and spans the following empty cells.
    pub totals: Option<Vec<String>>,
    /// Font size in points (default 8).
    pub font_size: f64,
    /// Less padding (for long listings such as the audit trail).
    pub compact: bool,
    /// Shade every other row.
    pub zebra: bool,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: vec![],
            totals: None,
            font_size: 8.0,
            compact: false,
            zebra: false,
        }
    }
    pub fn row(&mut self, cells: Vec<String>) -> &mut Self {
        self.rows.push(cells);
        self
    }
    pub fn with_totals(mut self, cells: Vec<String>) -> Self {
        self.totals = Some(cells);
        self
    }
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The value the bar length is scaled from (exactly: `value / max × width`). Negative
    /// values are drawn as empty bars.
    pub value: Decimal,
    /// The text printed after the bar (e.g. `1.234 suara` or a Rupiah amount).
    pub display: String,
    /// Primary colour (true) or muted (false), e.g. funded / not funded.
    pub highlight: bool,
}

/// A horizontal bar chart drawn as vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: Option<String>,
    pub bars: Vec<Bar>,
    /// Legend entries: label and whether it explains the primary (true) or muted colour.
    pub legend: Vec<(String, bool)>,
}

/// A person who signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Jabatan, e.g. `Lurah Sukamaju`, `Notulis`, `Wakil Warga`.
    pub position: String,
    pub name: String,
    /// NIP or another identifier printed under the name.
    #[serde(default)]
    pub id_number: Option<String>,
    /// A line above the position, e.g. `Mengetahui,`.
    #[serde(default)]
    pub note: Option<String>,
}

/// Signatures: the place and date line, then up to three signatories per row with space to sign.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureBlock {
    pub place: String,
    pub date: NaiveDate,
    pub signatories: Vec<Signatory>,
}

/// The columns' widths: in proportion to their weights, except that a wrapping column is
/// widened to its longest word (cells, and the header at the 70 % it may shrink to), taking the
/// room from columns that have more than they need, so that words are not broken in two. When
/// the words cannot all fit, the weights stand as given.
fn column_widths(table: &Table, tw: f64, total_weight: f64, pad_x: f64) -> Vec<f64> {
    let mut widths: Vec<f64> = table
        .columns
        .iter()
        .map(|c| tw * c.weight.max(0.0) / total_weight)
        .collect();
    let word = |text: &str, font: Font, size: f64| {
        text.split_whitespace()
            .map(|w| text_width(&to_win_ansi(w), font, size))
            .fold(0.0, f64::max)
    };
    let need: Vec<f64> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if !c.wrap {
                return 0.0;
            }
            let cells = table
                .rows
                .iter()
                .chain(table.totals.iter())
                .enumerate()
                .map(|(ri, r)| {
                    let totals = table.totals.is_some() && ri == table.rows.len();
                    // A totals label spans the empty cells after it: it needs no room of its own.
                    if totals && i == 0 {
                        return 0.0;
                    }
                    let font = if totals { Font::Bold } else { Font::Regular };
                    word(r.get(i).map_or("", String::as_str), font, table.font_size)
                })
                .fold(0.0, f64::max);
            let header = word(&c.header, Font::Bold, table.font_size) * 0.7;
            cells.max(header) + 2.0 * pad_x + 0.5
        })
        .collect();
    if need.iter().sum::<f64>() > tw {
        return widths;
    }
    for _ in 0..4 {
        let short: f64 = widths
            .iter()
            .zip(&need)
            .map(|(w, n)| (n - w).max(0.0))
            .sum();
        if short <= 0.0 {
            break;
        }
        let slack: f64 = widths
            .iter()
            .zip(&need)
            .map(|(w, n)| (w - n).max(0.0))
            .sum();
        let take = short.min(slack) / slack.max(f64::MIN_POSITIVE);
        for (w, n) in widths.iter_mut().zip(&need) {
            if *w < *n {
                *w = *n;
            } else {
                *w -= (*w - n) * take;
            }
        }
    }
    widths
}

/// Word-wraps `text` into lines no wider than `max_w` points. `\n` starts a new line; a word
/// wider than the line is broken between characters. Always returns at least one line.
pub fn wrap_text(text: &str, font: Font, size: f64, max_w: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let space_w = text_width(" ", font, size);
    for hard in text.split('\n') {
        let hard = to_win_ansi(hard);
        let mut cur = String::new();
        let mut cur_w = 0.0;
        for word in hard.split_whitespace() {
            let w = text_width(word, font, size);
            if !cur.is_empty() && cur_w + space_w + w <= max_w {
                cur.push(' ');
                cur.push_str(word);
                cur_w += space_w + w;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            if w <= max_w {
                cur.push_str(word);
                cur_w = w;
            } else {
                // Break a long word (a hash, a URL) between characters.
                cur_w = 0.0;
                for c in word.chars() {
                    let cw = text_width(c.encode_utf8(&mut [0; 4]), font, size);
                    if !cur.is_empty() && cur_w + cw > max_w {
                        lines.push(std::mem::take(&mut cur));
                        cur_w = 0.0;
                    }
                    cur.push(c);
                    cur_w += cw;
                }
            }
        }
        lines.push(cur);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Cuts `text` to fit `max_w` points, ending it with `…` when cut.
pub fn fit_text(text: &str, font: Font, size: f64, max_w: f64) -> String {
    let text = to_win_ansi(text);
    if text_width(&text, font, size) <= max_w {
        return text;
    }
    let ell = text_width("\u{2026}", font, size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), font, size);
        if w + cw + ell > max_w {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('\u{2026}');
    out
}

/// Length of a bar: `value / max × width`, the ratio computed exactly in `Decimal` and only
/// then turned into points. Zero for non-positive values or maximum.
pub fn bar_length(value: Decimal, max: Decimal, width: f64) -> f64 {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return 0.0;
    }
    (value.min(max) / max).to_f64().unwrap_or(0.0) * width
}

#[derive(Debug, Clone)]
struct Run {
    x: f64,
    /// Baseline, from the top of the page.
    y: f64,
    font: Font,
    size: f64,
    color: Rgb,
    text: String,
}

#[derive(Debug, Clone)]
enum Shape {
    Fill {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Rgb,
    },
    Stroke {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Rgb,
        width: f64,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        color: Rgb,
        width: f64,
    },
}

#[derive(Debug, Clone, Default)]
struct PageBuf {
    shapes: Vec<Shape>,
    runs: Vec<Run>,
    /// Where the letterhead's logo goes: x, top, width, height.
    logo: Option<(f64, f64, f64, f64)>,
}

#[derive(Debug, Clone, Copy)]
struct Geometry {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    margin_top: f64,
    margin_bottom: f64,
    body_top: f64,
    body_bottom: f64,
}

const HEADER_H_MM: f64 = 19.0;
const FOOTER_H_MM: f64 = 9.0;

/// A report being laid out. See the module documentation.
pub struct Report {
    info: DocInfo,
    geo: Geometry,
    pages: Vec<PageBuf>,
    y: f64,
}

impl Report {
    pub fn new(info: DocInfo, setup: PageSetup) -> Self {
        let (w, h) = match setup.orientation {
            Orientation::Portrait => (mm(210.0), mm(297.0)),
            Orientation::Landscape => (mm(297.0), mm(210.0)),
        };
        let [t, r, b, l] = setup.margins_mm;
        let geo = Geometry {
            w,
            h,
            left: mm(l),
            right: w - mm(r),
            margin_top: mm(t),
            margin_bottom: h - mm(b),
            body_top: mm(t) + mm(HEADER_H_MM) + mm(5.0),
            body_bottom: h - mm(b) - mm(FOOTER_H_MM),
        };
        let mut r = Report {
            info,
            geo,
            pages: vec![PageBuf::default()],
            y: geo.body_top,
        };
        // Under a letterhead the title opens the body, as on a letter.
        if r.info.letterhead.is_some() && r.info.title_in_body {
            let (title, subtitle) = (r.info.title.clone(), r.info.subtitle.clone());
            r.title(&title, 12.5);
            if let Some(s) = subtitle {
                r.text_block(&s, Font::Regular, 9.0, Align::Center, 0.0);
            }
            r.spacer(3.0);
        }
        r
    }

    pub fn lang(&self) -> Lang {
        self.info.lang
    }

    // ----- geometry and cursor -------------------------------------------------------------

    /// Left edge of the content area.
    pub fn left(&self) -> f64 {
        self.geo.left
    }
    /// Width of the content area.
    pub fn content_width(&self) -> f64 {
        self.geo.right - self.geo.left
    }
    /// The cursor: where the next block starts, from the top of the page.
    pub fn cursor(&self) -> f64 {
        self.y
    }
    /// Space left on this page below the cursor.
    pub fn remaining(&self) -> f64 {
        self.geo.body_bottom - self.y
    }
    /// Height of an empty page's body.
    pub fn body_height(&self) -> f64 {
        self.geo.body_bottom - self.geo.body_top
    }
    /// Number of pages so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.pages.push(PageBuf::default());
        self.y = self.geo.body_top;
    }

    /// Starts a new page unless `h` points fit below the cursor.
    pub fn ensure_space(&mut self, h: f64) {
        if self.y + h > self.geo.body_bottom && self.y > self.geo.body_top + 0.01 {
            self.page_break();
        }
    }

    /// Vertical space in millimetres (never carried over to a new page).
    pub fn spacer(&mut self, v_mm: f64) {
        self.y = (self.y + mm(v_mm)).min(self.geo.body_bottom);
    }

    // ----- primitives (page coordinates, points from the top-left) --------------------------

    fn page(&mut self) -> &mut PageBuf {
        self.pages.last_mut().expect("a report always has a page")
    }

    /// Draws `text` with its baseline at `y`.
    pub fn text_at(&mut self, x: f64, y: f64, text: &str, font: Font, size: f64, color: Rgb) {
        if text.is_empty() {
            return;
        }
        let text = to_win_ansi(text);
        self.page().runs.push(Run {
            x,
            y,
            font,
            size,
            color,
            text,
        });
    }

    /// Draws `text` aligned within `[x, x + w]`.
    #[allow(clippy::too_many_arguments)]
    pub fn text_aligned(
        &mut self,
        x: f64,
        w: f64,
        y: f64,
        text: &str,
        font: Font,
        size: f64,
        align: Align,
        color: Rgb,
    ) {
        let tw = text_width(&to_win_ansi(text), font, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (w - tw) / 2.0,
            Align::Right => x + w - tw,
        };
        self.text_at(x, y, text, font, size, color);
    }

    /// A filled rectangle with its top-left corner at `(x, y)`.
    pub fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: Rgb) {
        if w > 0.0 && h > 0.0 {
            self.page().shapes.push(Shape::Fill { x, y, w, h, color });
        }
    }

    /// A stroked rectangle.
    pub fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: Rgb, width: f64) {
        self.page().shapes.push(Shape::Stroke {
            x,
            y,
            w,
            h,
            color,
            width,
        });
    }

    /// A straight line.
    #[allow(clippy::too_many_arguments)]
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, color: Rgb, width: f64) {
        self.page().shapes.push(Shape::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
        });
    }

    // ----- blocks ---------------------------------------------------------------------------

    /// Lines of text at the cursor, wrapped to the content width, continuing on new pages.
    pub fn text_block(&mut self, text: &str, font: Font, size: f64, align: Align, indent: f64) {
        let lh = size * LINE_FACTOR;
        let x = self.geo.left + indent;
        let w = self.content_width() - indent;
        for line in wrap_text(text, font, size, w) {
            self.ensure_space(lh);
            self.text_aligned(x, w, self.y + size, &line, font, size, align, Rgb::BLACK);
            self.y += lh;
        }
    }

    /// A body paragraph, followed by a small gap.
    pub fn paragraph(&mut self, text: &str) {
        self.text_block(text, Font::Regular, BODY_SIZE, Align::Left, 0.0);
        self.y += BODY_SIZE * 0.5;
    }

    /// A bulleted or numbered item: `marker` hangs in the left margin of the wrapped text.
    pub fn list_item(&mut self, marker: &str, text: &str) {
        let indent = mm(6.0);
        let lh = BODY_SIZE * LINE_FACTOR;
        let lines = wrap_text(
            text,
            Font::Regular,
            BODY_SIZE,
            self.content_width() - indent,
        );
        for (i, line) in lines.iter().enumerate() {
            self.ensure_space(lh);
            if i == 0 {
                let (x, y) = (self.geo.left, self.y + BODY_SIZE);
                self.text_at(x, y, marker, Font::Regular, BODY_SIZE, Rgb::BLACK);
            }
            let (x, y) = (self.geo.left + indent, self.y + BODY_SIZE);
            self.text_at(x, y, line, Font::Regular, BODY_SIZE, Rgb::BLACK);
            self.y += lh;
        }
        self.y += BODY_SIZE * 0.2;
    }

    /// A section heading; kept on the same page as the next few lines.
    pub fn heading(&mut self, text: &str) {
        if self.y > self.geo.body_top + 0.01 {
            self.y += HEADING_SIZE * 0.6;
        }
        self.ensure_space(HEADING_SIZE * LINE_FACTOR + BODY_SIZE * LINE_FACTOR * 3.0);
        self.text_block(text, Font::Bold, HEADING_SIZE, Align::Left, 0.0);
        let (l, r, y) = (self.geo.left, self.geo.right, self.y);
        self.line(l, y, r, y, Rgb::GRID, 0.5);
        self.y += HEADING_SIZE * 0.35;
    }

    /// A centred bold title line (e.g. `BERITA ACARA`).
    pub fn title(&mut self, text: &str, size: f64) {
        self.text_block(text, Font::Bold, size, Align::Center, 0.0);
    }

    /// Label : value pairs; labels in one column, values wrapped beside them.
    pub fn key_values(&mut self, pairs: &[(String, String)]) {
        let size = BODY_SIZE;
        let lh = size * LINE_FACTOR;
        let widest = pairs
            .iter()
            .map(|(k, _)| text_width(&to_win_ansi(k), Font::Regular, size))
            .fold(0.0, f64::max);
        let label_w = (widest + mm(3.0)).min(self.content_width() * 0.4);
        let colon_w = mm(4.0);
        let value_x = self.geo.left + label_w + colon_w;
        let value_w = self.geo.right - value_x;
        for (k, v) in pairs {
            let klines = wrap_text(k, Font::Regular, size, label_w - mm(1.0));
            let vlines = wrap_text(v, Font::Regular, size, value_w);
            let n = klines.len().max(vlines.len());
            for i in 0..n {
                self.ensure_space(lh);
                let base = self.y + size;
                if let Some(l) = klines.get(i) {
                    self.text_at(self.geo.left, base, l, Font::Regular, size, Rgb::BLACK);
                }
                if i == 0 {
                    self.text_at(
                        self.geo.left + label_w,
                        base,
                        ":",
                        Font::Regular,
                        size,
                        Rgb::BLACK,
                    );
                }
                if let Some(l) = vlines.get(i) {
                    self.text_at(value_x, base, l, Font::Regular, size, Rgb::BLACK);
                }
                self.y += lh;
            }
        }
        self.y += size * 0.5;
    }

    /// Draws a table at the cursor. See [`Table`].
    pub fn table(&mut self, table: &Table) -> Result<(), ReportError> {
        let ncols = table.columns.len();
        if ncols == 0 {
            return Err(ReportError::Invalid(
                "a table needs at least one column".into(),
            ));
        }
        for (i, row) in table.rows.iter().enumerate() {
            if row.len() != ncols {
                return Err(ReportError::RowWidth {
                    row: i,
                    got: row.len(),
                    expected: ncols,
                });
            }
        }
        if let Some(t) = &table.totals {
            if t.len() != ncols {
                return Err(ReportError::RowWidth {
                    row: table.rows.len(),
                    got: t.len(),
                    expected: ncols,
                });
            }
        }
        let total_weight: f64 = table.columns.iter().map(|c| c.weight.max(0.0)).sum();
        if total_weight <= 0.0 {
            return Err(ReportError::Invalid(
                "table column weights must be positive".into(),
            ));
        }
        let tw = self.content_width();
        let pad_x = if table.compact { 2.0 } else { 3.0 };
        let widths = column_widths(table, tw, total_weight, pad_x);
        let mut xs = Vec::with_capacity(ncols + 1);
        let mut x = self.geo.left;
        for w in &widths {
            xs.push(x);
            x += w;
        }
        xs.push(self.geo.right);
        let t = TableGeom {
            xs,
            size: table.font_size,
            lh: table.font_size * if table.compact { 1.18 } else { 1.22 },
            pad_x,
            pad_y: if table.compact { 1.2 } else { 2.6 },
        };

        let header_cells: Vec<CellBox> = (0..ncols)
            .map(|i| {
                let w = t.xs[i + 1] - t.xs[i];
                let inner = w - 2.0 * t.pad_x;
                let text = &table.columns[i].header;
                // Set the header smaller (down to 70 %) rather than break a word in two.
                let widest = text
                    .split_whitespace()
                    .map(|word| text_width(&to_win_ansi(word), Font::Bold, t.size))
                    .fold(0.0, f64::max);
                let size = if widest > inner && widest > 0.0 {
                    ((t.size * inner / widest * 100.0).floor() / 100.0).max(t.size * 0.7)
                } else {
                    t.size
                };
                CellBox {
                    size,
                    x: t.xs[i],
                    w,
                    align: match table.columns[i].align {
                        Align::Right => Align::Right,
                        _ => Align::Center,
                    },
                    lines: wrap_text(text, Font::Bold, size, inner),
                }
            })
            .collect();
        let header_h = header_cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(1) as f64
            * t.lh
            + 2.0 * t.pad_y;

        // Start the table on a page with room for the header and a row.
        self.ensure_space(header_h + t.lh * 2.0 + 2.0 * t.pad_y);
        let mut seg_top = self.y;
        self.draw_table_header(&t, &header_cells, header_h);

        for (ri, row) in table.rows.iter().enumerate() {
            let cells: Vec<CellBox> = (0..ncols)
                .map(|i| {
                    let col = &table.columns[i];
                    let w = t.xs[i + 1] - t.xs[i];
                    let inner = w - 2.0 * t.pad_x;
                    let (lines, size) =
                        cell_lines(&row[i], Font::Regular, t.size, inner, col.align, col.wrap);
                    CellBox {
                        size,
                        x: t.xs[i],
                        w,
                        align: col.align,
                        lines,
                    }
                })
                .collect();
            let fill = if table.zebra && ri % 2 == 1 {
                Some(Rgb::ZEBRA_FILL)
            } else {
                None
            };
            self.draw_table_row(
                &t,
                cells,
                Font::Regular,
                fill,
                &mut seg_top,
                &header_cells,
                header_h,
            );
        }
        self.close_table_segment(&t, seg_top, self.y);

        if let Some(tot) = &table.totals {
            // The label spans the empty cells after it.
            let mut cells = Vec::new();
            let span_end = (1..ncols).find(|&i| !tot[i].is_empty()).unwrap_or(ncols);
            let w = t.xs[span_end] - t.xs[0];
            cells.push(CellBox {
                size: t.size,
                x: t.xs[0],
                w,
                align: Align::Left,
                lines: wrap_text(&tot[0], Font::Bold, t.size, w - 2.0 * t.pad_x),
            });
            for (i, text) in tot.iter().enumerate().skip(span_end) {
                let w = t.xs[i + 1] - t.xs[i];
                let align = table.columns[i].align;
                let (lines, size) =
                    cell_lines(text, Font::Bold, t.size, w - 2.0 * t.pad_x, align, true);
                cells.push(CellBox {
                    size,
                    x: t.xs[i],
                    w,
                    align,
                    lines,
                });
            }
            let h = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1) as f64 * t.lh
                + 2.0 * t.pad_y;
            if self.y + h > self.geo.body_bottom {
                self.page_break();
                let top = self.y;
                self.draw_table_header(&t, &header_cells, header_h);
                self.close_table_segment(&t, top, self.y);
            }
            let top = self.y;
            self.fill_rect(t.xs[0], top, t.xs[ncols] - t.xs[0], h, Rgb::TOTAL_FILL);
            for c in &cells {
                self.draw_cell_lines(&t, c, &c.lines, Font::Bold, top);
                self.line(c.x, top, c.x, top + h, Rgb::RULE, 0.5);
            }
            let (l, r) = (t.xs[0], t.xs[ncols]);
            self.line(r, top, r, top + h, Rgb::RULE, 0.5);
            self.line(l, top, r, top, Rgb::RULE, 0.9);
            self.line(l, top + h, r, top + h, Rgb::RULE, 0.9);
            self.y += h;
        }
        self.y += BODY_SIZE * 0.6;
        Ok(())
    }

    fn draw_table_header(&mut self, t: &TableGeom, cells: &[CellBox], h: f64) {
        let top = self.y;
        let (l, r) = (t.xs[0], *t.xs.last().unwrap());
        self.fill_rect(l, top, r - l, h, Rgb::HEADER_FILL);
        for c in cells {
            self.draw_cell_lines(t, c, &c.lines, Font::Bold, top);
        }
        self.line(l, top, r, top, Rgb::RULE, 0.8);
        self.line(l, top + h, r, top + h, Rgb::RULE, 0.8);
        self.y += h;
    }

    fn draw_cell_lines(
        &mut self,
        t: &TableGeom,
        c: &CellBox,
        lines: &[String],
        font: Font,
        top: f64,
    ) {
        for (i, line) in lines.iter().enumerate() {
            let base = top + t.pad_y + i as f64 * t.lh + t.size * 0.93;
            self.text_aligned(
                c.x + t.pad_x,
                c.w - 2.0 * t.pad_x,
                base,
                line,
                font,
                c.size,
                c.align,
                Rgb::BLACK,
            );
        }
    }

    /// Vertical rules of one page's part of a table.
    fn close_table_segment(&mut self, t: &TableGeom, top: f64, bottom: f64) {
        for &x in &t.xs {
            self.line(x, top, x, bottom, Rgb::RULE, 0.5);
        }
        let (l, r) = (t.xs[0], *t.xs.last().unwrap());
        self.line(l, bottom, r, bottom, Rgb::RULE, 0.8);
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_table_row(
        &mut self,
        t: &TableGeom,
        cells: Vec<CellBox>,
        font: Font,
        fill: Option<Rgb>,
        seg_top: &mut f64,
        header_cells: &[CellBox],
        header_h: f64,
    ) {
        let mut start = 0usize; // lines already drawn (when a tall row is split)
        let max_lines = cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(1)
            .max(1);
        loop {
            let left = max_lines - start;
            let need = left as f64 * t.lh + 2.0 * t.pad_y;
            let avail = self.geo.body_bottom - self.y;
            let fresh_page = self.y <= *seg_top + header_h + 0.01;
            let take = if need <= avail {
                left
            } else if !fresh_page && need <= self.body_height() - header_h {
                0 // the whole row fits on the next page
            } else {
                (((avail - 2.0 * t.pad_y) / t.lh).floor().max(0.0) as usize).min(left)
            };
            if take == 0 && !fresh_page {
                self.close_table_segment(t, *seg_top, self.y);
                self.page_break();
                *seg_top = self.y;
                self.draw_table_header(t, header_cells, header_h);
                continue;
            }
            let take = take.max(1);
            let h = take as f64 * t.lh + 2.0 * t.pad_y;
            let top = self.y;
            let (l, r) = (t.xs[0], *t.xs.last().unwrap());
            if let Some(color) = fill {
                self.fill_rect(l, top, r - l, h, color);
            }
            for c in &cells {
                let end = (start + take).min(c.lines.len());
                if start < end {
                    self.draw_cell_lines(t, c, &c.lines[start..end], font, top);
                }
            }
            self.y += h;
            self.line(l, self.y, r, self.y, Rgb::GRID, 0.3);
            start += take;
            if start >= max_lines {
                return;
            }
            self.close_table_segment(t, *seg_top, self.y);
            self.page_break();
            *seg_top = self.y;
            self.draw_table_header(t, header_cells, header_h);
        }
    }

    /// A horizontal bar chart at the cursor. Bar lengths are `value / max × width`, computed
    /// in `Decimal` and converted to points only to draw.
    pub fn bar_chart(&mut self, chart: &BarChart) {
        let lang = self.info.lang;
        let size = 7.5;
        let row_h = 12.0;
        let bar_h = 8.0;
        let label_w = self.content_width() * 0.34;
        let value_w = self.content_width() * 0.20;
        let bar_x = self.geo.left + label_w + mm(2.0);
        let bar_w = self.geo.right - value_w - bar_x;
        let max = chart
            .bars
            .iter()
            .map(|b| b.value)
            .filter(|v| *v > Decimal::ZERO)
            .max()
            .unwrap_or(Decimal::ZERO);

        let draw_title = |r: &mut Report, cont: bool| {
            if let Some(title) = &chart.title {
                let t = if cont {
                    format!("{title} ({})", tr(lang, "lanjutan", "continued"))
                } else {
                    title.clone()
                };
                r.text_block(&t, Font::Bold, BODY_SIZE, Align::Left, 0.0);
                r.y += 3.0;
            }
        };
        let title_h = if chart.title.is_some() {
            BODY_SIZE * LINE_FACTOR + 3.0
        } else {
            0.0
        };
        self.ensure_space(title_h + row_h * 3.0);
        draw_title(self, false);
        let mut seg_top = self.y;
        for bar in &chart.bars {
            if self.y + row_h > self.geo.body_bottom {
                self.line(bar_x, seg_top, bar_x, self.y, Rgb::RULE, 0.6);
                self.page_break();
                draw_title(self, true);
                seg_top = self.y;
            }
            let top = self.y;
            let base = top + (row_h + size * 0.7) / 2.0;
            let label = fit_text(&bar.label, Font::Regular, size, label_w);
            self.text_aligned(
                self.geo.left,
                label_w,
                base,
                &label,
                Font::Regular,
                size,
                Align::Right,
                Rgb::BLACK,
            );
            let len = bar_length(bar.value, max, bar_w);
            let color = if bar.highlight {
                Rgb::PRIMARY
            } else {
                Rgb::MUTED
            };
            self.fill_rect(bar_x, top + (row_h - bar_h) / 2.0, len, bar_h, color);
            self.text_at(
                bar_x + len + 3.0,
                base,
                &bar.display,
                Font::Regular,
                size,
                Rgb::BLACK,
            );
            self.y += row_h;
        }
        self.line(bar_x, seg_top, bar_x, self.y, Rgb::RULE, 0.6);
        if !chart.legend.is_empty() {
            self.y += 4.0;
            self.ensure_space(row_h);
            let mut x = bar_x;
            let base = self.y + size;
            for (label, primary) in &chart.legend {
                let color = if *primary { Rgb::PRIMARY } else { Rgb::MUTED };
                self.fill_rect(x, self.y + 1.0, 8.0, 7.0, color);
                let label = to_win_ansi(label);
                self.text_at(x + 11.0, base, &label, Font::Regular, size, Rgb::BLACK);
                x += 11.0 + text_width(&label, Font::Regular, size) + 14.0;
            }
            self.y += row_h;
        }
        self.y += BODY_SIZE * 0.6;
    }

    /// Signature blocks, kept together on one page: `Place, date` over the last column, then
    /// for each signatory the note, the position, room to sign, the name underlined and the NIP.
    pub fn signatures(&mut self, block: &SignatureBlock) {
        let lang = self.info.lang;
        let size = BODY_SIZE;
        let lh = size * LINE_FACTOR;
        let per_row = block.signatories.len().clamp(1, 3);
        let col_w = self.content_width() / per_row as f64;
        let inner = col_w - mm(6.0);
        let sign_space = mm(20.0);
        let rows: Vec<&[Signatory]> = block.signatories.chunks(per_row).collect();
        let place_date = format!("{}, {}", block.place, format::date(block.date, lang));
        for (ri, row) in rows.iter().enumerate() {
            let pos_lines: Vec<Vec<String>> = row
                .iter()
                .map(|s| {
                    let mut l = Vec::new();
                    if let Some(n) = &s.note {
                        l.extend(wrap_text(n, Font::Regular, size, inner));
                    }
                    l.extend(wrap_text(&s.position, Font::Regular, size, inner));
                    l
                })
                .collect();
            let n_pos = pos_lines.iter().map(|l| l.len()).max().unwrap_or(1);
            let block_h = (if ri == 0 { lh } else { 0.0 })
                + n_pos as f64 * lh
                + sign_space
                + lh * 2.0
                + mm(4.0);
            self.ensure_space(block_h);
            if ri == 0 {
                let x = self.geo.left + col_w * (per_row - 1) as f64;
                self.text_aligned(
                    x,
                    col_w,
                    self.y + size,
                    &place_date,
                    Font::Regular,
                    size,
                    Align::Center,
                    Rgb::BLACK,
                );
                self.y += lh;
            }
            let top = self.y;
            for (ci, s) in row.iter().enumerate() {
                let x = self.geo.left + col_w * ci as f64;
                // Bottom-align the position lines so the positions share a baseline.
                let skip = n_pos - pos_lines[ci].len();
                for (li, l) in pos_lines[ci].iter().enumerate() {
                    let base = top + (skip + li) as f64 * lh + size;
                    self.text_aligned(
                        x,
                        col_w,
                        base,
                        l,
                        Font::Regular,
                        size,
                        Align::Center,
                        Rgb::BLACK,
                    );
                }
                let name_base = top + n_pos as f64 * lh + sign_space + size;
                let name = fit_text(&s.name, Font::Bold, size, inner);
                let nw = text_width(&name, Font::Bold, size);
                self.text_aligned(
                    x,
                    col_w,
                    name_base,
                    &name,
                    Font::Bold,
                    size,
                    Align::Center,
                    Rgb::BLACK,
                );
                let ux = x + (col_w - nw) / 2.0;
                self.line(
                    ux,
                    name_base + 1.5,
                    ux + nw,
                    name_base + 1.5,
                    Rgb::BLACK,
                    0.6,
                );
                if let Some(id) = &s.id_number {
                    let id = fit_text(id, Font::Regular, size, inner);
                    self.text_aligned(
                        x,
                        col_w,
                        name_base + lh,
                        &id,
                        Font::Regular,
                        size,
                        Align::Center,
                        Rgb::BLACK,
                    );
                }
            }
            self.y = top + n_pos as f64 * lh + sign_space + lh * 2.0 + mm(4.0);
        }
    }

    // ----- finishing ------------------------------------------------------------------------

    fn decorate(&mut self) {
        let n = self.pages.len();
        let lang = self.info.lang;
        let g = self.geo;
        let logo = mm(HEADER_H_MM - 2.0);
        let tx = g.left + logo + mm(4.0);
        let tw = g.right - tx;
        let region = fit_text(&self.info.region, Font::Bold, 10.0, tw);
        let title = fit_text(&self.info.title, Font::Bold, 12.5, tw);
        let subtitle = self
            .info
            .subtitle
            .as_ref()
            .map(|s| fit_text(s, Font::Regular, 8.5, tw));
        let generated = format!(
            "{} {}",
            tr(lang, "Dibuat oleh Mufakat pada", "Generated by Mufakat on"),
            format::datetime(self.info.generated_at, lang)
        );
        for i in 0..n {
            let mut header = Report {
                info: self.info.clone(),
                geo: g,
                pages: vec![PageBuf::default()],
                y: 0.0,
            };
            let top = g.margin_top;
            let mut logo_at = None;
            match &self.info.letterhead {
                Some(lh) => {
                    if let Some(img) = &lh.logo {
                        // Fitted into the square, centred, keeping its shape.
                        let scale = logo / img.width.max(img.height) as f64;
                        let (w, h) = (img.width as f64 * scale, img.height as f64 * scale);
                        logo_at = Some((g.left + (logo - w) / 2.0, top + (logo - h) / 2.0, w, h));
                    }
                    let gov = fit_text(&lh.government.to_uppercase(), Font::Bold, 10.5, tw);
                    let office = fit_text(&lh.office.to_uppercase(), Font::Bold, 12.5, tw);
                    header.text_aligned(
                        tx,
                        tw,
                        top + 11.0,
                        &gov,
                        Font::Bold,
                        10.5,
                        Align::Center,
                        Rgb::BLACK,
                    );
                    header.text_aligned(
                        tx,
                        tw,
                        top + 26.0,
                        &office,
                        Font::Bold,
                        12.5,
                        Align::Center,
                        Rgb::BLACK,
                    );
                    if let Some(a) = &lh.address {
                        let a = fit_text(a, Font::Regular, 8.0, tw);
                        header.text_aligned(
                            tx,
                            tw,
                            top + 38.5,
                            &a,
                            Font::Regular,
                            8.0,
                            Align::Center,
                            Rgb::TEXT_MUTED,
                        );
                    }
                }
                None => {
                    header.stroke_rect(g.left, top, logo, logo, Rgb::RULE, 0.8);
                    header.text_aligned(
                        g.left,
                        logo,
                        top + logo / 2.0 + 2.5,
                        "LOGO",
                        Font::Bold,
                        7.0,
                        Align::Center,
                        Rgb::RULE,
                    );
                    header.text_at(tx, top + 10.0, &region, Font::Bold, 10.0, Rgb::BLACK);
                    header.text_at(tx, top + 25.0, &title, Font::Bold, 12.5, Rgb::BLACK);
                    if let Some(s) = &subtitle {
                        header.text_at(tx, top + 37.5, s, Font::Regular, 8.5, Rgb::TEXT_MUTED);
                    }
                }
            }
            let rule_y = top + mm(HEADER_H_MM);
            header.line(g.left, rule_y, g.right, rule_y, Rgb::BLACK, 1.4);
            header.line(g.left, rule_y + 2.2, g.right, rule_y + 2.2, Rgb::BLACK, 0.5);

            let fy = g.margin_bottom;
            header.line(g.left, fy - 11.0, g.right, fy - 11.0, Rgb::GRID, 0.5);
            header.text_at(
                g.left,
                fy - 2.0,
                &generated,
                Font::Regular,
                7.0,
                Rgb::TEXT_MUTED,
            );
            let page_label = match lang {
                Lang::Id => format!("Halaman {} dari {}", i + 1, n),
                Lang::En => format!("Page {} of {}", i + 1, n),
            };
            header.text_aligned(
                g.left,
                g.right - g.left,
                fy - 2.0,
                &page_label,
                Font::Regular,
                7.5,
                Align::Right,
                Rgb::BLACK,
            );
            let deco = header.pages.pop().unwrap();
            let page = &mut self.pages[i];
            page.shapes.extend(deco.shapes);
            page.runs.extend(deco.runs);
            page.logo = logo_at;
        }
    }

    /// Adds the page headers and footers and writes the PDF.
    pub fn finish(mut self) -> Result<Vec<u8>, ReportError> {
        self.decorate();
        let (w, h) = (self.geo.w, self.geo.h);
        let logo_px = self
            .info
            .letterhead
            .as_ref()
            .and_then(|l| l.logo.as_ref())
            .map(|l| l.width);
        let pages: Vec<PdfPage> = self
            .pages
            .iter()
            .map(|p| {
                PdfPage::new(
                    printpdf::Mm((w * 25.4 / 72.0) as f32),
                    printpdf::Mm((h * 25.4 / 72.0) as f32),
                    page_ops(p, h, logo_px),
                )
            })
            .collect();
        let mut doc = PdfDocument::new(&self.info.title);
        if let Some(img) = self.info.letterhead.as_ref().and_then(|l| l.logo.as_ref()) {
            // A fixed id (printpdf's own are random): the same input gives the same bytes.
            doc.resources.xobjects.map.insert(
                printpdf::XObjectId(LOGO_ID.into()),
                printpdf::XObject::Image(printpdf::RawImage {
                    pixels: printpdf::RawImageData::U8(img.rgb.clone()),
                    width: img.width,
                    height: img.height,
                    data_format: printpdf::RawImageFormat::RGB8,
                    tag: vec![],
                }),
            );
        }
        let when = pdf_date(self.info.generated_at);
        let meta = &mut doc.metadata.info;
        meta.author = "Mufakat".into();
        meta.creator = "Mufakat".into();
        meta.producer = "mufakat-reports (printpdf)".into();
        meta.subject = self.info.subject.clone().unwrap_or_default();
        meta.keywords = self.info.keywords.clone();
        meta.creation_date = when;
        meta.modification_date = when;
        meta.metadata_date = when;
        let mut warnings = Vec::new();
        let bytes = doc
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut warnings);
        if bytes.is_empty() {
            return Err(ReportError::Pdf(format!("{warnings:?}")));
        }
        Ok(fix_document_id(bytes))
    }
}

struct TableGeom {
    xs: Vec<f64>,
    size: f64,
    lh: f64,
    pad_x: f64,
    pad_y: f64,
}

struct CellBox {
    /// Font size of this cell (a number squeezed to stay on one line may be smaller).
    size: f64,
    x: f64,
    w: f64,
    align: Align,
    lines: Vec<String>,
}

/// The lines of a cell and their font size. A right-aligned cell (a number, a Rupiah amount)
/// that is slightly too wide is set smaller (down to 70 %) rather than broken over two lines;
/// other cells wrap, or are cut with `…` when the column does not wrap.
fn cell_lines(
    text: &str,
    font: Font,
    size: f64,
    inner: f64,
    align: Align,
    wrap: bool,
) -> (Vec<String>, f64) {
    if !wrap {
        return (vec![fit_text(text, font, size, inner)], size);
    }
    if align == Align::Right && !text.contains('\n') {
        let t = to_win_ansi(text);
        let w = text_width(&t, font, size);
        if w > inner && w > 0.0 {
            let smaller = size * inner / w;
            if smaller >= size * 0.7 {
                return (vec![t], (smaller * 100.0).floor() / 100.0);
            }
        }
    }
    (wrap_text(text, font, size, inner), size)
}

fn pdf_date(t: DateTime<Utc>) -> printpdf::DateTime {
    printpdf::DateTime {
        date: printpdf::Date {
            year: t.year(),
            month: t.month() as u8,
            day: t.day() as u8,
        },
        time: printpdf::Time {
            hour: t.hour() as u8,
            minute: t.minute() as u8,
            second: t.second() as u8,
            millisecond: 0,
        },
        offset: printpdf::Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    }
}

/// Hundredths of a point: positions are rounded to these so relative text moves add up exactly.
fn centi(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

fn pt(c: i64) -> Pt {
    Pt(c as f32 / 100.0)
}

/// One page's content stream: all shapes, then one text object whose runs are placed with
/// relative `Td` moves (compact, and the font/colour is only set when it changes).
const LOGO_ID: &str = "MufakatLogo";

fn page_ops(p: &PageBuf, page_h: f64, logo_px: Option<usize>) -> Vec<Op> {
    let mut ops = Vec::with_capacity(p.shapes.len() * 2 + p.runs.len() * 2 + 8);
    if let (Some((x, top, w, h)), Some(px_w)) = (p.logo, logo_px) {
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::UseXobject {
            id: printpdf::XObjectId(LOGO_ID.into()),
            transform: printpdf::XObjectTransform {
                translate_x: Some(Pt(x as f32)),
                translate_y: Some(Pt((page_h - top - h) as f32)),
                // At this resolution the image is `w` points wide.
                dpi: Some((px_w as f64 * 72.0 / w) as f32),
                ..Default::default()
            },
        });
        ops.push(Op::RestoreGraphicsState);
    }
    ops.push(Op::SaveGraphicsState);
    let mut fill: Option<Rgb> = None;
    let mut stroke: Option<(Rgb, i64)> = None;
    let y = |v: f64| page_h - v;
    for s in &p.shapes {
        match *s {
            Shape::Fill {
                x,
                y: top,
                w,
                h,
                color,
            } => {
                if fill != Some(color) {
                    ops.push(Op::SetFillColor { col: color.pdf() });
                    fill = Some(color);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: pt(centi(x)),
                        y: pt(centi(y(top + h))),
                        width: pt(centi(w)),
                        height: pt(centi(h)),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Shape::Stroke {
                x,
                y: top,
                w,
                h,
                color,
                width,
            } => {
                set_stroke(&mut ops, &mut stroke, color, width);
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: pt(centi(x)),
                        y: pt(centi(y(top + h))),
                        width: pt(centi(w)),
                        height: pt(centi(h)),
                        mode: Some(PaintMode::Stroke),
                        winding_order: None,
                    },
                });
            }
            Shape::Line {
                x1,
                y1,
                x2,
                y2,
                color,
                width,
            } => {
                set_stroke(&mut ops, &mut stroke, color, width);
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point {
                                    x: pt(centi(x1)),
                                    y: pt(centi(y(y1))),
                                },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: pt(centi(x2)),
                                    y: pt(centi(y(y2))),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
        }
    }
    if !p.runs.is_empty() {
        ops.push(Op::StartTextSection);
        let mut font: Option<(Font, i64)> = None;
        let mut color: Option<Rgb> = fill;
        let (mut cx, mut cy) = (0i64, 0i64);
        for r in &p.runs {
            let size_c = centi(r.size);
            if font != Some((r.font, size_c)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::Builtin(r.font.builtin()),
                    size: pt(size_c),
                });
                font = Some((r.font, size_c));
            }
            if color != Some(r.color) {
                ops.push(Op::SetFillColor { col: r.color.pdf() });
                color = Some(r.color);
            }
            let (nx, ny) = (centi(r.x), centi(y(r.y)));
            ops.push(Op::SetTextCursor {
                pos: Point {
                    x: pt(nx - cx),
                    y: pt(ny - cy),
                },
            });
            (cx, cy) = (nx, ny);
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(r.text.clone())],
            });
        }
        ops.push(Op::EndTextSection);
    }
    ops.push(Op::RestoreGraphicsState);
    ops
}

fn set_stroke(ops: &mut Vec<Op>, cur: &mut Option<(Rgb, i64)>, color: Rgb, width: f64) {
    let w = centi(width);
    match cur {
        Some((c, cw)) if *c == color && *cw == w => {}
        _ => {
            if cur.map(|(c, _)| c) != Some(color) {
                ops.push(Op::SetOutlineColor { col: color.pdf() });
            }
            if cur.map(|(_, cw)| cw) != Some(w) {
                ops.push(Op::SetOutlineThickness { pt: pt(w) });
            }
            *cur = Some((color, w));
        }
    }
}

/// printpdf writes a random `/ID` into the trailer. Replace it (same length, so offsets stay
/// valid) by one derived from the rest of the file, making the output deterministic.
fn fix_document_id(mut bytes: Vec<u8>) -> Vec<u8> {
    let Some(pos) = find_last(&bytes, b"/ID") else {
        return bytes;
    };
    // Locate the two literal strings `(...)` after /ID.
    let mut spans = Vec::new();
    let mut i = pos + 3;
    while i < bytes.len() && spans.len() < 2 {
        if bytes[i] == b'(' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != b')' {
                j += 1;
            }
            spans.push((start, j));
            i = j;
        }
        i += 1;
    }
    if spans.len() != 2 {
        return bytes;
    }
    for &(s, e) in &spans {
        for b in &mut bytes[s..e] {
            *b = b'A';
        }
    }
    // FNV-1a over the whole file (with the ID blanked), spread over the ID's letters.
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in &bytes {
        hash ^= *b as u64;
        hash = hash.wrapping_mul(0x100000001b3);
    }
    for &(s, e) in &spans {
        let mut h = hash;
        for b in &mut bytes[s..e] {
            *b = b'A' + (h % 16) as u8;
            h = h.rotate_right(4) ^ (h >> 7);
        }
    }
    bytes
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries_and_breaks_long_words() {
        let lines = wrap_text(
            "Pembangunan jalan lingkungan RT 03 RW 05",
            Font::Regular,
            10.0,
            100.0,
        );
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l, Font::Regular, 10.0) <= 100.0, "{l}");
        }
        assert_eq!(lines.join(" "), "Pembangunan jalan lingkungan RT 03 RW 05");
        let hash = "a".repeat(64);
        let lines = wrap_text(&hash, Font::Regular, 10.0, 60.0);
        assert!(lines.len() > 3);
        assert_eq!(lines.concat(), hash);
        assert_eq!(
            wrap_text("", Font::Regular, 10.0, 60.0),
            vec![String::new()]
        );
        assert_eq!(wrap_text("a\nb", Font::Regular, 10.0, 60.0), vec!["a", "b"]);
    }

    #[test]
    fn fits_with_an_ellipsis() {
        let s = fit_text(
            "Rehabilitasi saluran drainase sepanjang 300 meter",
            Font::Regular,
            8.0,
            60.0,
        );
        assert!(s.ends_with('\u{2026}'));
        assert!(text_width(&s, Font::Regular, 8.0) <= 60.0);
        assert_eq!(fit_text("abc", Font::Regular, 8.0, 60.0), "abc");
    }

    #[test]
    fn bars_scale_exactly_from_decimals() {
        let max = Decimal::new(400, 0);
        assert_eq!(bar_length(Decimal::new(400, 0), max, 300.0), 300.0);
        assert_eq!(bar_length(Decimal::new(100, 0), max, 300.0), 75.0);
        assert!((bar_length(Decimal::new(1, 0), Decimal::new(3, 0), 300.0) - 100.0).abs() < 1e-9);
        assert_eq!(bar_length(Decimal::ZERO, max, 300.0), 0.0);
        assert_eq!(bar_length(Decimal::new(-5, 0), max, 300.0), 0.0);
        // Money-sized values keep their ratio: Rp 1.250.000,50 of Rp 2.500.001,00 is exactly half.
        assert_eq!(
            bar_length(
                Decimal::new(125000050, 2),
                Decimal::new(250000100, 2),
                200.0
            ),
            100.0
        );
    }

    #[test]
    fn output_is_deterministic_and_has_metadata() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 14, 8, 30, 0).unwrap();
        let make = || {
            let mut r = Report::new(
                DocInfo::new("Uji", "Kelurahan Uji", Lang::Id, at),
                PageSetup::default(),
            );
            r.paragraph("Satu dua tiga.");
            r.finish().unwrap()
        };
        let (a, b) = (make(), make());
        assert_eq!(a, b);
        assert!(a.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&a);
        assert!(text.contains("/ID"));
        assert!(
            text.contains("D:20260314083000"),
            "creation date in the info dictionary"
        );
    }

    #[test]
    fn rejects_ragged_tables() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 14, 8, 30, 0).unwrap();
        let mut r = Report::new(
            DocInfo::new("Uji", "Kelurahan Uji", Lang::Id, at),
            PageSetup::default(),
        );
        let mut t = Table::new(vec![Column::text("A", 1.0), Column::number("B", 1.0)]);
        t.row(vec!["x".into()]);
        assert_eq!(
            r.table(&t),
            Err(ReportError::RowWidth {
                row: 0,
                got: 1,
                expected: 2
            })
        );
    }

    #[test]
    fn widths_match_the_afm_tables() {
        // "Rp" = R(722) + p(556) in Helvetica; digits are 556 in both weights.
        assert!((text_width("Rp", Font::Regular, 1000.0) - 1278.0).abs() < 1e-9);
        assert!((text_width("0123456789", Font::Bold, 1000.0) - 5560.0).abs() < 1e-9);
        assert!((text_width("W", Font::Bold, 1000.0) - 944.0).abs() < 1e-9);
    }
}
