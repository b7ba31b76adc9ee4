//! The audit trail of an instance or a period, with the latest signed checkpoint and the
//! result of verifying the hash chain.

use chrono::{DateTime, Utc};
use mufakat_core::Lang;
use serde::{Deserialize, Serialize};

use crate::fonts::Font;
use crate::format::{self, tr};
use crate::layout::{
    Align, Column, DocInfo, PageSetup, Report, Rgb, Table, BODY_SIZE, LINE_FACTOR,
};
use crate::ReportError;

/// What the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditScope {
    /// One case of one workflow.
    Instance {
        workflow: String,
        instance_id: String,
    },
    /// All events with `from <= at < to`.
    Period {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// The whole chain.
    All,
}

/// One event (the fields of `mufakat_audit::AuditEvent` a reader needs; input and comment
/// are left out to keep rows compact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventRow {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub workflow: String,
    pub instance_id: String,
    pub transition: String,
    /// Empty when a case starts.
    pub from_state: String,
    pub to_state: String,
    /// Full lower-case hex; printed shortened to 12 digits.
    pub hash: String,
    pub prev_hash: String,
}

/// The latest signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    pub seq: u64,
    /// Full hex hash of event `seq`.
    pub hash: String,
    pub signed_at: DateTime<Utc>,
    /// Ed25519 public key, hex.
    pub public_key: String,
}

/// The result of verifying the chain (e.g. from `mufakat_audit::ChainVerifier`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationResult {
    pub ok: bool,
    pub events_checked: u64,
    pub checkpoints_checked: u64,
    /// The first event found bad, when not ok.
    #[serde(default)]
    pub first_bad_seq: Option<u64>,
    /// The verifier's message (`OK: 10000 events ...` or the error).
    pub message: String,
    pub verified_at: DateTime<Utc>,
}

/// Input of [`audit_trail`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditTrailReport {
    /// Header line 1: the deployment's region, e.g. `Pemerintah Kota Bandung`.
    pub region: String,
    pub scope: AuditScope,
    /// In `seq` order.
    pub events: Vec<AuditEventRow>,
    #[serde(default)]
    pub checkpoint: Option<CheckpointInfo>,
    pub verification: VerificationResult,
    pub generated_at: DateTime<Utc>,
}

/// The audit trail on A4 landscape: the scope, the verification result, the latest signed
/// checkpoint and how to verify independently, then one compact row per event.
pub fn audit_trail(input: &AuditTrailReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = tr(lang, "Jejak Audit", "Audit Trail");
    let scope = match &input.scope {
        AuditScope::Instance {
            workflow,
            instance_id,
        } => {
            format!(
                "{}: {workflow} / {instance_id}",
                tr(lang, "Instans", "Instance")
            )
        }
        AuditScope::Period { from, to } => format!(
            "{}: {} – {}",
            tr(lang, "Periode", "Period"),
            format::datetime(*from, lang),
            format::datetime(*to, lang)
        ),
        AuditScope::All => tr(lang, "Seluruh rantai", "The whole chain").to_string(),
    };
    let mut info = DocInfo::new(title, &input.region, lang, input.generated_at);
    info.subtitle = Some(scope.clone());
    info.subject = Some(format!("{title} — {scope}"));
    info.keywords = vec!["audit".into(), "hash chain".into()];
    let mut r = Report::new(info, PageSetup::landscape());

    r.heading(tr(lang, "Ringkasan", "Summary"));
    let mut kv = vec![
        (tr(lang, "Cakupan", "Scope").to_string(), scope),
        (
            tr(lang, "Jumlah kejadian", "Events").to_string(),
            format::int(input.events.len() as u64, lang),
        ),
    ];
    if let (Some(first), Some(last)) = (input.events.first(), input.events.last()) {
        kv.push((
            tr(lang, "Nomor urut", "Sequence numbers").into(),
            format!(
                "{} – {}",
                format::int(first.seq, lang),
                format::int(last.seq, lang)
            ),
        ));
        kv.push((
            tr(lang, "Waktu", "Time").into(),
            format!(
                "{} – {}",
                format::datetime(first.at, lang),
                format::datetime(last.at, lang)
            ),
        ));
    }
    r.key_values(&kv);

    r.heading(tr(lang, "Hasil verifikasi", "Verification result"));
    let v = &input.verification;
    let (status, color) = if v.ok {
        (
            tr(
                lang,
                "UTUH — rantai hash terverifikasi",
                "INTACT — hash chain verified",
            ),
            Rgb::OK,
        )
    } else {
        (
            tr(
                lang,
                "GAGAL — rantai hash tidak utuh",
                "FAILED — hash chain broken",
            ),
            Rgb::BAD,
        )
    };
    r.ensure_space(BODY_SIZE * LINE_FACTOR * 2.0);
    let (x, y, w) = (r.left(), r.cursor(), r.content_width());
    r.text_aligned(x, w, y + 11.0, status, Font::Bold, 11.0, Align::Left, color);
    r.spacer(6.0);
    let mut kv = vec![
        (
            tr(lang, "Kejadian diperiksa", "Events checked").to_string(),
            format::int(v.events_checked, lang),
        ),
        (
            tr(lang, "Checkpoint diperiksa", "Checkpoints checked").to_string(),
            format::int(v.checkpoints_checked, lang),
        ),
    ];
    if let Some(s) = v.first_bad_seq {
        kv.push((
            tr(lang, "Kejadian pertama yang rusak", "First bad event").into(),
            format::int(s, lang),
        ));
    }
    kv.push((
        tr(lang, "Pesan pemeriksa", "Verifier message").into(),
        v.message.clone(),
    ));
    kv.push((
        tr(lang, "Diverifikasi pada", "Verified at").into(),
        format::datetime(v.verified_at, lang),
    ));
    r.key_values(&kv);

    r.heading(tr(
        lang,
        "Checkpoint bertanda tangan terakhir",
        "Latest signed checkpoint",
    ));
    match &input.checkpoint {
        Some(c) => r.key_values(&[
            (
                tr(lang, "Nomor urut", "Sequence number").into(),
                format::int(c.seq, lang),
            ),
            ("Hash".into(), c.hash.clone()),
            (
                tr(lang, "Ditandatangani pada", "Signed at").into(),
                c.signed_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            (
                tr(lang, "Kunci publik (Ed25519)", "Public key (Ed25519)").into(),
                c.public_key.clone(),
            ),
        ]),
        None => r.paragraph(tr(
            lang,
            "Belum ada checkpoint bertanda tangan.",
            "No signed checkpoint yet.",
        )),
    }

    r.heading(tr(
        lang,
        "Cara memverifikasi secara mandiri",
        "How to verify independently",
    ));
    let steps: [&str; 3] = match lang {
        Lang::Id => [
            "Ekspor rantai: mufakat audit export -o audit.jsonl. Di server, mufakat audit verify memeriksa seluruh rantai di basis data.",
            "Tanpa mempercayai kode Mufakat: python3 crates/audit/verify_export.py audit.jsonl --public-key HEX (Python 3, pustaka standar saja; lihat docs/audit-verification.md). Skrip ini memeriksa kesinambungan nomor urut, setiap prev_hash, setiap hash (SHA-256 atas JSON kanonis) dan tanda tangan checkpoint.",
            "Bandingkan kunci publik dan hash checkpoint di atas dengan salinan yang diumumkan pemerintah daerah. Hash di tabel dipersingkat menjadi 12 digit heksadesimal pertama.",
        ],
        Lang::En => [
            "Export the chain: mufakat audit export -o audit.jsonl. On the server, mufakat audit verify checks the whole chain in the database.",
            "Without trusting Mufakat's code: python3 crates/audit/verify_export.py audit.jsonl --public-key HEX (Python 3 standard library only; see docs/audit-verification.md). It checks sequence continuity, every prev_hash, every hash (SHA-256 over the canonical JSON) and the checkpoint signatures.",
            "Compare the public key and the checkpoint hash above with the copy published by the regional government. Hashes in the table are shortened to their first 12 hex digits.",
        ],
    };
    for (i, s) in steps.iter().enumerate() {
        r.list_item(&format!("{}.", i + 1), s);
    }

    r.heading(tr(lang, "Daftar kejadian", "Events"));
    let mut t = Table::new(vec![
        Column::number(tr(lang, "No. urut", "Seq"), 5.0).nowrap(),
        Column::text(tr(lang, "Waktu (UTC)", "Time (UTC)"), 11.0).nowrap(),
        Column::text(tr(lang, "Pelaku", "Actor"), 10.0).nowrap(),
        Column::text(tr(lang, "Peran", "Role"), 8.0).nowrap(),
        Column::text(
            tr(lang, "Alur kerja / instans", "Workflow / instance"),
            15.0,
        )
        .nowrap(),
        Column::text(tr(lang, "Transisi", "Transition"), 10.0).nowrap(),
        Column::text(tr(lang, "Dari -> ke", "From -> to"), 14.0).nowrap(),
        Column::text("Hash", 8.5).nowrap(),
        Column::text(tr(lang, "Hash sebelumnya", "Previous hash"), 8.5).nowrap(),
    ]);
    t.font_size = 6.8;
    t.compact = true;
    t.zebra = true;
    t.rows.reserve(input.events.len());
    for e in &input.events {
        let from = if e.from_state.is_empty() {
            "-"
        } else {
            &e.from_state
        };
        t.rows.push(vec![
            e.seq.to_string(),
            format::timestamp(e.at),
            e.actor.clone(),
            e.role.clone(),
            format!("{} / {}", e.workflow, e.instance_id),
            e.transition.clone(),
            format!("{from} -> {}", e.to_state),
            format::short_hash(&e.hash),
            format::short_hash(&e.prev_hash),
        ]);
    }
    r.table(&t)?;
    r.finish()
}
