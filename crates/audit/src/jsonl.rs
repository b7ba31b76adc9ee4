//! JSON Lines export: one object per line, keys sorted. Events carry `"type":"event"` and
//! every field of [`AuditEvent`]; checkpoints carry `"type":"checkpoint"` and come after the
//! events.

use std::io::{BufRead, Write};

use serde_json::Value;

use crate::{canonical_json, AuditEvent, Checkpoint};

pub fn write_event(out: &mut dyn Write, e: &AuditEvent) -> std::io::Result<()> {
    let mut v = serde_json::to_value(e).map_err(std::io::Error::other)?;
    v.as_object_mut()
        .expect("object")
        .insert("type".into(), Value::from("event"));
    writeln!(out, "{}", canonical_json(&v))
}

pub fn write_checkpoint(out: &mut dyn Write, cp: &Checkpoint) -> std::io::Result<()> {
    let mut v = serde_json::to_value(cp).map_err(std::io::Error::other)?;
    v.as_object_mut()
        .expect("object")
        .insert("type".into(), Value::from("checkpoint"));
    writeln!(out, "{}", canonical_json(&v))
}

#[allow(clippy::large_enum_variant)]
pub enum Line {
    Event(AuditEvent),
    Checkpoint(Checkpoint),
}

/// Reads an export back; errors name the line.
pub fn read(input: impl BufRead) -> Result<Vec<Line>, String> {
    let mut out = vec![];
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut v: Value =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let kind = v
            .as_object_mut()
            .and_then(|o| o.remove("type"))
            .and_then(|t| t.as_str().map(str::to_owned));
        match kind.as_deref() {
            Some("event") => out.push(Line::Event(
                serde_json::from_value(v).map_err(|e| format!("line {}: {e}", i + 1))?,
            )),
            Some("checkpoint") => out.push(Line::Checkpoint(
                serde_json::from_value(v).map_err(|e| format!("line {}: {e}", i + 1))?,
            )),
            _ => {
                return Err(format!(
                    "line {}: no \"type\" of event or checkpoint",
                    i + 1
                ))
            }
        }
    }
    Ok(out)
}
