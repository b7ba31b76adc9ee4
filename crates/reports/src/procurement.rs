//! Procurement documents: the purchase order (surat pesanan, or SPK for a direct procurement)
//! and the handover record (BAST, berita acara serah terima), each with its number, dates,
//! parties, lines and signature blocks.

use chrono::{DateTime, NaiveDate, Utc};
use mufakat_core::{Lang, Money};
use rust_decimal::Decimal;

use crate::format::{self, rupiah, tr};
use crate::layout::{Column, DocInfo, PageSetup, Report, Signatory, SignatureBlock, Table};
use crate::ReportError;

/// A party to the document (the buyer's PPK, the vendor).
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    /// E.g. `Pejabat Pembuat Komitmen Dinas PU` or `CV Maju Jaya`.
    pub role: String,
    pub name: String,
    /// Address, NPWP … one line each.
    pub details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit: String,
    pub unit_price: Money,
    pub total: Money,
}

/// Input of [`purchase_order`].
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseOrder {
    /// `SP-2027-00012`, or `SPK-…` for a direct procurement.
    pub number: String,
    /// True for a direct procurement (SPK, surat perintah kerja).
    pub direct: bool,
    pub package: String,
    pub region_name: String,
    pub date: NaiveDate,
    pub buyer: Party,
    pub vendor: Party,
    pub delivery_address: String,
    pub lines: Vec<OrderLine>,
    /// The agreed total (after negotiation it may differ from the sum of the lines).
    pub total: Money,
    /// The state of the order when printed, e.g. `Diterima penyedia`.
    pub status: String,
    pub generated_at: DateTime<Utc>,
}

fn party_block(r: &mut Report, p: &Party, lang: Lang) {
    let mut kv = vec![(p.role.clone(), p.name.clone())];
    for d in &p.details {
        kv.push((String::new(), d.clone()));
    }
    let _ = lang;
    r.key_values(&kv);
}

fn signatories(buyer: &Party, vendor: &Party, lang: Lang) -> Vec<Signatory> {
    vec![
        Signatory {
            position: vendor.role.clone(),
            name: vendor.name.clone(),
            id_number: None,
            note: Some(tr(lang, "Penyedia,", "Vendor,").into()),
        },
        Signatory {
            position: buyer.role.clone(),
            name: buyer.name.clone(),
            id_number: None,
            note: Some(tr(lang, "Pemesan,", "Buyer,").into()),
        },
    ]
}

/// The purchase order (surat pesanan) or work order (SPK).
pub fn purchase_order(po: &PurchaseOrder, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let kind = if po.direct {
        tr(lang, "SURAT PERINTAH KERJA (SPK)", "WORK ORDER (SPK)")
    } else {
        tr(
            lang,
            "SURAT PESANAN (E-PURCHASING)",
            "PURCHASE ORDER (E-PURCHASING)",
        )
    };
    let mut info = DocInfo::new(kind, &po.region_name, lang, po.generated_at);
    info.subtitle = Some(po.package.clone());
    info.subject = Some(format!("{kind} {}", po.number));
    info.keywords = vec!["pengadaan".into(), po.number.clone()];
    let mut r = Report::new(info, PageSetup::portrait());
    r.title(kind, 13.0);
    r.title(
        &format!("{}: {}", tr(lang, "Nomor", "Number"), po.number),
        10.0,
    );
    r.spacer(3.0);
    r.key_values(&[
        (tr(lang, "Paket", "Package").into(), po.package.clone()),
        (
            tr(lang, "Tanggal", "Date").into(),
            format::date(po.date, lang),
        ),
        (
            tr(lang, "Alamat pengiriman", "Delivery address").into(),
            po.delivery_address.clone(),
        ),
        (tr(lang, "Status", "Status").into(), po.status.clone()),
    ]);
    r.heading(tr(lang, "A. Para pihak", "A. Parties"));
    party_block(&mut r, &po.buyer, lang);
    party_block(&mut r, &po.vendor, lang);
    r.heading(tr(lang, "B. Rincian pesanan", "B. Order lines"));
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 4.0),
        Column::text(tr(lang, "Uraian", "Description"), 30.0),
        Column::number(tr(lang, "Jumlah", "Quantity"), 12.0),
        Column::number(tr(lang, "Harga satuan", "Unit price"), 16.0),
        Column::number(tr(lang, "Jumlah harga", "Amount"), 16.0),
    ]);
    for (i, l) in po.lines.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            l.description.clone(),
            format!("{} {}", format::decimal(l.quantity, 3, lang), l.unit),
            rupiah(l.unit_price),
            rupiah(l.total),
        ]);
    }
    let t = t.with_totals(vec![
        tr(lang, "NILAI PESANAN (disepakati)", "ORDER VALUE (agreed)").into(),
        String::new(),
        String::new(),
        String::new(),
        rupiah(po.total),
    ]);
    r.table(&t)?;
    r.paragraph(tr(
        lang,
        "Penyedia melaksanakan pesanan ini sesuai spesifikasi, jumlah, waktu dan tempat yang tercantum; serah terima dicatat dengan berita acara serah terima (BAST).",
        "The vendor fulfils this order to the specification, quantity, time and place stated; handovers are recorded in handover records (BAST).",
    ));
    r.spacer(3.0);
    r.signatures(&SignatureBlock {
        place: po.region_name.clone(),
        date: po.date,
        signatories: signatories(&po.buyer, &po.vendor, lang),
    });
    r.finish()
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoverLine {
    pub description: String,
    pub unit: String,
    pub ordered: Decimal,
    /// Received in this handover.
    pub received: Decimal,
    /// Received in all handovers up to and including this one.
    pub received_so_far: Decimal,
}

/// Input of [`handover`].
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    /// `BAST-12-1`.
    pub number: String,
    pub order_number: String,
    pub package: String,
    pub region_name: String,
    pub date: NaiveDate,
    pub buyer: Party,
    pub vendor: Party,
    pub lines: Vec<HandoverLine>,
    pub note: String,
    pub generated_at: DateTime<Utc>,
}

/// The handover record (BAST) of one receipt.
pub fn handover(h: &Handover, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(
        lang,
        "BERITA ACARA SERAH TERIMA (BAST)",
        "HANDOVER RECORD (BAST)",
    );
    let mut info = DocInfo::new(title, &h.region_name, lang, h.generated_at);
    info.subtitle = Some(h.package.clone());
    info.subject = Some(format!("BAST {}", h.number));
    info.keywords = vec!["pengadaan".into(), "bast".into(), h.number.clone()];
    let mut r = Report::new(info, PageSetup::portrait());
    r.title(title, 13.0);
    r.title(
        &format!("{}: {}", tr(lang, "Nomor", "Number"), h.number),
        10.0,
    );
    r.spacer(3.0);
    let weekday = format::weekday(h.date, lang);
    let date = format::date(h.date, lang);
    let opening = match lang {
        Lang::Id => format!(
            "Pada hari ini, {weekday}, tanggal {date}, penyedia menyerahkan dan pemesan menerima barang/jasa pesanan nomor {} untuk paket {} dengan rincian berikut.",
            h.order_number, h.package
        ),
        Lang::En => format!(
            "On {weekday}, {date}, the vendor handed over and the buyer received the goods or services of order {} for the package {}, as follows.",
            h.order_number, h.package
        ),
    };
    r.paragraph(&opening);
    r.heading(tr(lang, "A. Para pihak", "A. Parties"));
    party_block(&mut r, &h.buyer, lang);
    party_block(&mut r, &h.vendor, lang);
    r.heading(tr(
        lang,
        "B. Barang/jasa yang diterima",
        "B. Goods or services received",
    ));
    let mut t = Table::new(vec![
        Column::center(tr(lang, "No", "No"), 4.0),
        Column::text(tr(lang, "Uraian", "Description"), 30.0),
        Column::number(tr(lang, "Dipesan", "Ordered"), 14.0),
        Column::number(tr(lang, "Diterima kali ini", "Received now"), 14.0),
        Column::number(tr(lang, "Diterima s.d. ini", "Received to date"), 14.0),
    ]);
    for (i, l) in h.lines.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            l.description.clone(),
            format!("{} {}", format::decimal(l.ordered, 3, lang), l.unit),
            format!("{} {}", format::decimal(l.received, 3, lang), l.unit),
            format!("{} {}", format::decimal(l.received_so_far, 3, lang), l.unit),
        ]);
    }
    r.table(&t)?;
    if !h.note.trim().is_empty() {
        r.paragraph(&format!(
            "{}: {}",
            tr(lang, "Catatan", "Note"),
            h.note.trim()
        ));
    }
    r.paragraph(tr(
        lang,
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.",
        "This record was drawn up truthfully, to be used as appropriate.",
    ));
    r.spacer(3.0);
    r.signatures(&SignatureBlock {
        place: h.region_name.clone(),
        date: h.date,
        signatories: signatories(&h.buyer, &h.vendor, lang),
    });
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(role: &str, name: &str) -> Party {
        Party {
            role: role.into(),
            name: name.into(),
            details: vec!["Jl. Merdeka 1".into()],
        }
    }

    #[test]
    fn both_documents_render_in_both_languages() {
        let at = DateTime::parse_from_rfc3339("2027-03-01T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let po = PurchaseOrder {
            number: "SP-2027-00001".into(),
            direct: false,
            package: "Pengadaan semen".into(),
            region_name: "Kota Mufakat".into(),
            date: at.date_naive(),
            buyer: party("PPK Dinas PU", "Budi"),
            vendor: party("Direktur", "CV Maju"),
            delivery_address: "Gudang".into(),
            lines: vec![OrderLine {
                description: "Semen 50 kg".into(),
                quantity: Decimal::new(25, 1),
                unit: "sak".into(),
                unit_price: Money::parse("65000").unwrap(),
                total: Money::parse("162500").unwrap(),
            }],
            total: Money::parse("162500").unwrap(),
            status: "Diterima penyedia".into(),
            generated_at: at,
        };
        let h = Handover {
            number: "BAST-1-1".into(),
            order_number: po.number.clone(),
            package: po.package.clone(),
            region_name: po.region_name.clone(),
            date: po.date,
            buyer: po.buyer.clone(),
            vendor: po.vendor.clone(),
            lines: vec![HandoverLine {
                description: "Semen 50 kg".into(),
                unit: "sak".into(),
                ordered: Decimal::new(25, 1),
                received: Decimal::ONE,
                received_so_far: Decimal::ONE,
            }],
            note: "Tahap 1".into(),
            generated_at: at,
        };
        for lang in [Lang::Id, Lang::En] {
            let a = purchase_order(&po, lang).unwrap();
            assert!(a.starts_with(b"%PDF-"));
            assert_eq!(a, purchase_order(&po, lang).unwrap(), "deterministic");
            assert!(handover(&h, lang).unwrap().starts_with(b"%PDF-"));
        }
    }
}
