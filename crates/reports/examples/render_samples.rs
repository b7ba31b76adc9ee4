//! Writes the sample reports to a folder (default `target/report-samples`) for previewing:
//! `cargo run -p mufakat-reports --example render_samples -- /tmp/out`.

use mufakat_reports::{samples, Lang};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/report-samples".into());
    std::fs::create_dir_all(&dir)?;
    for lang in [Lang::Id, Lang::En] {
        let sfx = if lang == Lang::En { "en" } else { "id" };
        let out = [
            (
                "berita_acara",
                mufakat_reports::berita_acara(&samples::berita_acara(14), lang)?,
            ),
            (
                "priority_list",
                mufakat_reports::priority_list(&samples::priority_list(30), lang)?,
            ),
            (
                "allocation",
                mufakat_reports::allocation(&samples::allocation(20), lang)?,
            ),
            (
                "audit_trail",
                mufakat_reports::audit_trail(&samples::audit_trail(120), lang)?,
            ),
        ];
        // The berita acara under a letterhead with a logo.
        let mut ba = samples::berita_acara(14);
        ba.letterhead = Some(mufakat_reports::Letterhead {
            government: "Pemerintah Kota Bandung".into(),
            office: "Kelurahan Sukamaju".into(),
            address: Some("Jl. Sukamaju No. 5, Bandung 40132".into()),
            logo: Some(mufakat_reports::Logo::from_png(include_bytes!(
                "../../../tests/api/fixtures/logo.png"
            ))?),
        });
        let kop = (
            "berita_acara_kop",
            mufakat_reports::berita_acara(&ba, lang)?,
        );
        for (name, bytes) in out.into_iter().chain([kop]) {
            let path = format!("{dir}/{name}_{sfx}.pdf");
            std::fs::write(&path, &bytes)?;
            println!("{path}: {} bytes", bytes.len());
        }
    }
    Ok(())
}
