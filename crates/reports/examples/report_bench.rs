//! Benchmark of the report layer: a 10,000-event audit trail and a 2,000-proposal priority
//! list, rendered repeatedly; prints pages/second and output size. Also writes the inputs as
//! JSON so `bench/weasyprint_bench.py` can render the same content from HTML.
//!
//! ```text
//! cargo run --release -p mufakat-reports --example report_bench -- [OUT_DIR] [ITERATIONS] [all|audit|priority]
//! ```
//!
//! The third argument limits the run to one report (to measure its peak memory with
//! `/usr/bin/time -v`).

use std::time::Instant;

use mufakat_reports::{samples, Lang};

fn page_count(pdf: &[u8]) -> usize {
    // Page objects are written as `/Type/Page` (the tree node is `/Type/Pages`).
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

fn bench(name: &str, iters: usize, mut f: impl FnMut() -> Vec<u8>) -> Vec<u8> {
    let pdf = f(); // warm-up
    let pages = page_count(&pdf);
    let t0 = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    let secs = t0.elapsed().as_secs_f64() / iters as f64;
    println!(
        "{name:<28} pages={pages:<5} size={:>9} bytes ({:.1} KiB/page)  time={:>8.1} ms/doc  {:>8.0} pages/s",
        pdf.len(),
        pdf.len() as f64 / 1024.0 / pages as f64,
        secs * 1000.0,
        pages as f64 / secs
    );
    pdf
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/report-bench".into());
    let iters: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let only = args.next().unwrap_or_else(|| "all".into());
    std::fs::create_dir_all(&dir)?;

    let t0 = Instant::now();
    let audit = samples::audit_trail(10_000);
    let list = samples::priority_list(2_000);
    println!(
        "inputs built in {:.1} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    std::fs::write(
        format!("{dir}/audit_trail_10000.json"),
        serde_json::to_vec(&audit)?,
    )?;
    std::fs::write(
        format!("{dir}/priority_list_2000.json"),
        serde_json::to_vec(&list)?,
    )?;

    if only == "all" || only == "audit" {
        let a = bench("audit_trail (10,000 events)", iters, || {
            mufakat_reports::audit_trail(&audit, Lang::Id).unwrap()
        });
        std::fs::write(format!("{dir}/audit_trail_10000.pdf"), a)?;
    }
    if only == "all" || only == "priority" {
        let p = bench("priority_list (2,000 rows)", iters, || {
            mufakat_reports::priority_list(&list, Lang::Id).unwrap()
        });
        std::fs::write(format!("{dir}/priority_list_2000.pdf"), p)?;
    }
    println!("inputs (JSON) and PDFs written to {dir}");
    Ok(())
}
