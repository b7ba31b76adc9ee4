//! What the PDF tests share: poppler's `pdftotext` and `pdfinfo` on a generated PDF (each test
//! that reads text back checks [`have_poppler`] first), and the assertions on page footers and
//! contents.
#![allow(dead_code)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use mufakat_reports::Lang;

static N: AtomicUsize = AtomicUsize::new(0);

pub fn have_poppler() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !ok {
        eprintln!("SKIPPED: pdftotext/pdfinfo not found (apt-get install -y poppler-utils)");
    }
    ok
}

pub fn write_tmp(bytes: &[u8]) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!(
        "mufakat-reports-test-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn pdftotext(bytes: &[u8], args: &[&str]) -> String {
    let p = write_tmp(bytes);
    let out = Command::new("pdftotext")
        .args(args)
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    std::fs::remove_file(&p).ok();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of each page (`pdftotext -layout`, split at form feeds).
pub fn pages(bytes: &[u8]) -> Vec<String> {
    let text = pdftotext(bytes, &["-layout"]);
    let mut v: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if v.last().is_some_and(|s| s.trim().is_empty()) {
        v.pop();
    }
    v
}

pub fn pdfinfo(bytes: &[u8]) -> String {
    let p = write_tmp(bytes);
    let out = Command::new("pdfinfo").arg(&p).output().unwrap();
    std::fs::remove_file(&p).ok();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

pub fn page_count(bytes: &[u8]) -> usize {
    pdfinfo(bytes)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap()
}

/// The right edge of the rightmost word on any page (`pdftotext -bbox`), in points.
pub fn max_x(bytes: &[u8]) -> f64 {
    let p = write_tmp(bytes);
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&p)
        .arg("-")
        .output()
        .unwrap();
    std::fs::remove_file(&p).ok();
    String::from_utf8(out.stdout)
        .unwrap()
        .split("xMax=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max)
}

pub fn assert_footers(pages: &[String], lang: Lang) {
    let n = pages.len();
    for (i, p) in pages.iter().enumerate() {
        let want = match lang {
            Lang::Id => format!("Halaman {} dari {n}", i + 1),
            Lang::En => format!("Page {} of {n}", i + 1),
        };
        assert!(p.contains(&want), "page {} lacks {want:?}", i + 1);
    }
}

pub fn assert_contains_all(all: &str, wanted: &[&str]) {
    for s in wanted {
        assert!(all.contains(s), "missing {s:?}");
    }
}

/// Renders in both languages, checks the PDF header, determinism, page counts and footers,
/// and returns the text of each (Id, En), or `None` without poppler.
pub fn render_both<T>(
    input: &T,
    f: fn(&T, Lang) -> Result<Vec<u8>, mufakat_reports::ReportError>,
) -> Option<(String, String)> {
    let id = f(input, Lang::Id).unwrap();
    let en = f(input, Lang::En).unwrap();
    for pdf in [&id, &en] {
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    }
    assert_eq!(id, f(input, Lang::Id).unwrap(), "deterministic");
    if !have_poppler() {
        return None;
    }
    let (pi, pe) = (pages(&id), pages(&en));
    assert_eq!(pi.len(), page_count(&id));
    assert_eq!(pe.len(), page_count(&en));
    assert_footers(&pi, Lang::Id);
    assert_footers(&pe, Lang::En);
    let (id, en) = (pi.concat(), pe.concat());
    assert!(!en.contains("Halaman"), "Indonesian footer in English");
    Some((id, en))
}
