//! The independent Python verifier agrees with the Rust one on good and tampered exports.

use std::process::Command;

use chrono::{TimeZone, Utc};
use mufakat_audit::{jsonl, seal, AuditEvent, Signer, GENESIS_HASH};
use serde_json::json;

fn chain(n: i64) -> Vec<AuditEvent> {
    let mut out: Vec<AuditEvent> = vec![];
    for seq in 1..=n {
        let prev = out
            .last()
            .map(|e| e.hash.clone())
            .unwrap_or_else(|| GENESIS_HASH.to_owned());
        out.push(seal(
            AuditEvent {
                seq,
                at: Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap() + chrono::Duration::microseconds(seq * 1234567),
                actor: if seq % 2 == 0 { "system".into() } else { format!("{seq}") },
                role: "kelurahan_staff".into(),
                workflow: "musrenbang-usulan".into(),
                workflow_version: "1".into(),
                instance_id: (seq % 4).to_string(),
                transition: "verify".into(),
                from_state: "submitted".into(),
                to_state: "verified".into(),
                input: json!({ "judul": "Perbaikan jalan — RT 03/RW 05 \"Gang Mawar\"\n", "biaya": "1250000.50", "z": [1, {"b": null, "a": true}], "ünï": "çødé ✓ 🚧" }),
                comment: if seq % 3 == 0 { None } else { Some("tab\there \u{1} ctrl".into()) },
                prev_hash: String::new(),
                hash: String::new(),
            },
            &prev,
        ));
    }
    out
}

fn export(events: &[AuditEvent], cps: &[mufakat_audit::Checkpoint]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for e in events {
        jsonl::write_event(&mut f, e).unwrap();
    }
    for c in cps {
        jsonl::write_checkpoint(&mut f, c).unwrap();
    }
    f
}

fn run(file: &tempfile::NamedTempFile) -> Option<(bool, String)> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/verify_export.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(file.path())
        .output()
        .ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

#[test]
fn python_verifier_accepts_a_good_export_and_locates_tampering() {
    let events = chain(12);
    let signer = Signer::generate();
    let cp = signer.sign_checkpoint(12, &events[11].hash, Utc::now());
    let Some((ok, out)) = run(&export(&events, std::slice::from_ref(&cp))) else {
        eprintln!("python3 not found; skipping the independent verifier test");
        return;
    };
    assert!(ok, "{out}");
    assert!(out.starts_with("OK: 12 events, 1 checkpoint"), "{out}");

    let mut altered = events.clone();
    altered[6].input = json!({ "biaya": "9999999" });
    let (ok, out) = run(&export(&altered, std::slice::from_ref(&cp))).unwrap();
    assert!(
        !ok && out.contains("event 7") && out.contains("altered"),
        "{out}"
    );

    let mut deleted = events.clone();
    deleted.remove(3);
    let (ok, out) = run(&export(&deleted, std::slice::from_ref(&cp))).unwrap();
    assert!(!ok && out.contains("event 5"), "{out}");

    let mut reordered = events.clone();
    reordered.swap(8, 9);
    let (ok, out) = run(&export(&reordered, std::slice::from_ref(&cp))).unwrap();
    assert!(!ok && out.contains("event 10"), "{out}");

    let truncated: Vec<_> = events.iter().take(10).cloned().collect();
    let (ok, out) = run(&export(&truncated, &[cp])).unwrap();
    assert!(!ok && out.contains("tail was removed"), "{out}");
}

#[test]
fn canonical_encoding_is_byte_identical_to_python_json_dumps() {
    let mut values = vec![
        json!("Perbaikan jalan — RT 03/RW 05"),
        json!("çødé ✓ 🚧 \u{7f} \u{80} \u{2028} \u{2029} \u{feff} \\ / \""),
        json!({ "b": [1, -2, 18446744073709551615u64, -9223372036854775808i64], "a": { "ä": 1, "z": 2, "A": 3, "é": 4, "🚧": 5, "": 6 } }),
        json!([
            0.1,
            1.0,
            -0.0,
            1e20,
            1e16,
            1e15,
            1.5e-7,
            0.0001,
            0.00001,
            123.456,
            -2.5e300,
            5e-324,
            1.7976931348623157e308
        ]),
        json!([null, true, false, {}, []]),
    ];
    let controls: String = (0u32..0x20).filter_map(char::from_u32).collect();
    values.push(json!({ "ctrl": controls }));
    let mut f = tempfile::NamedTempFile::new().unwrap();
    use std::io::Write;
    for v in &values {
        writeln!(f, "{}", serde_json::to_string(v).unwrap()).unwrap();
    }
    let script = "import json,sys\nfor l in open(sys.argv[1], encoding='utf-8'):\n    sys.stdout.write(json.dumps(json.loads(l), sort_keys=True, separators=(',', ':'), ensure_ascii=False) + '\\n')\n";
    let Ok(out) = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(f.path())
        .output()
    else {
        eprintln!("python3 not found; skipping");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let py = String::from_utf8(out.stdout).unwrap();
    for (v, line) in values.iter().zip(py.lines()) {
        assert_eq!(mufakat_audit::canonical_json(v), line);
    }
    assert_eq!(py.lines().count(), values.len());
}
