use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
#[cfg(test)]
use serde_json::json;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    #[serde(with = "time_format")]
    pub at: DateTime<Utc>,
    /// A user id, `system`, or a pseudonym (votes).
    pub actor: String,
    pub role: String,
    /// The workflow name, or `system.*` for events outside workflows (e.g. `system.accounts`).
    pub workflow: String,
    pub workflow_version: String,
    pub instance_id: String,
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    pub input: Value,
    pub comment: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// RFC 3339, UTC, microseconds, `Z`: `2026-11-24T16:18:42.123456Z`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_time(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}

mod time_format {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_time(&s).map_err(serde::de::Error::custom)
    }
}

/// The bytes that are hashed: the canonical JSON of every field except `hash` — an object
/// whose keys are sorted by code point, as [`canonical_json`](crate::canonical_json) writes
/// it. Written field by field
/// (the keys are fixed, so their order is too) rather than through a `serde_json::Value`: this
/// runs once per event in the writer that seals events and once per event when the chain is
/// verified. A test keeps it equal to `canonical_json` of the event as a JSON object.
pub fn canonical_bytes(e: &AuditEvent) -> Vec<u8> {
    use crate::canonical::{write, write_str};
    enum Field<'a> {
        Str(&'a str),
        Json(&'a Value),
    }
    let at = format_time(e.at);
    let seq = Value::from(e.seq);
    let comment = e.comment.as_deref().map_or(Value::Null, Value::from);
    // Sorted by code point.
    let fields = [
        ("actor", Field::Str(&e.actor)),
        ("at", Field::Str(&at)),
        ("comment", Field::Json(&comment)),
        ("from_state", Field::Str(&e.from_state)),
        ("input", Field::Json(&e.input)),
        ("instance_id", Field::Str(&e.instance_id)),
        ("prev_hash", Field::Str(&e.prev_hash)),
        ("role", Field::Str(&e.role)),
        ("seq", Field::Json(&seq)),
        ("to_state", Field::Str(&e.to_state)),
        ("transition", Field::Str(&e.transition)),
        ("workflow", Field::Str(&e.workflow)),
        ("workflow_version", Field::Str(&e.workflow_version)),
    ];
    let mut out = String::with_capacity(320);
    for (i, (key, value)) in fields.iter().enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        write_str(&mut out, key);
        out.push(':');
        match value {
            Field::Str(s) => write_str(&mut out, s),
            Field::Json(v) => write(&mut out, v),
        }
    }
    out.push('}');
    out.into_bytes()
}

/// Hex SHA-256 of [`canonical_bytes`].
pub fn compute_hash(e: &AuditEvent) -> String {
    hex::encode(Sha256::digest(canonical_bytes(e)))
}

/// Links `e` after `prev_hash` and computes its hash. Time is truncated to microseconds so that
/// the stored text form hashes the same.
pub fn seal(mut e: AuditEvent, prev_hash: &str) -> AuditEvent {
    e.at = parse_time(&format_time(e.at)).expect("own format parses");
    e.prev_hash = prev_hash.to_owned();
    e.hash = compute_hash(&e);
    e
}

#[cfg(test)]
pub(crate) fn sample(seq: i64, prev: &str) -> AuditEvent {
    use chrono::TimeZone;
    seal(
        AuditEvent {
            seq,
            at: Utc
                .with_ymd_and_hms(2026, 11, 24, 10, 0, seq as u32 % 60)
                .unwrap(),
            actor: "7".into(),
            role: "kelurahan_staff".into(),
            workflow: "lapor-complaint".into(),
            workflow_version: "1".into(),
            instance_id: format!("{}", seq % 3 + 1),
            transition: "route".into(),
            from_state: "submitted".into(),
            to_state: "routed".into(),
            input: json!({ "opd": "Dinas PU", "amount": "1250000.50", "note": "Jalan — RT 03" }),
            comment: Some("segera".into()),
            prev_hash: String::new(),
            hash: String::new(),
        },
        prev,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let e = sample(1, GENESIS_HASH);
        assert_eq!(e.hash.len(), 64);
        let mut changed = e.clone();
        changed.comment = None;
        assert_ne!(compute_hash(&changed), e.hash);
        let relinked = seal(e.clone(), &"1".repeat(64));
        assert_ne!(relinked.hash, e.hash);
    }

    /// The field-by-field encoding is the canonical JSON of the event as an object, for odd
    /// strings, missing comments and nested inputs alike.
    #[test]
    fn hashed_bytes_are_the_canonical_json_of_the_event() {
        let as_object = |e: &AuditEvent| {
            crate::canonical_json(&json!({
                "seq": e.seq,
                "at": format_time(e.at),
                "actor": e.actor,
                "role": e.role,
                "workflow": e.workflow,
                "workflow_version": e.workflow_version,
                "instance_id": e.instance_id,
                "transition": e.transition,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "input": e.input,
                "comment": e.comment,
                "prev_hash": e.prev_hash,
            }))
        };
        let mut e = sample(7, GENESIS_HASH);
        for (i, odd) in ["", "é — \"q\" \\ \n\t\u{1}\u{7f}", "🙂", "a\u{0}b"]
            .iter()
            .enumerate()
        {
            e.seq = -3 + i as i64 * 1_000_000_007;
            e.actor = odd.to_string();
            e.comment = (i % 2 == 0).then(|| odd.to_string());
            e.input =
                json!({ "z": [1, 2.5, null, { "b": odd, "a": true }], "Z": odd, "é": {}, "": [] });
            e.workflow_version = format!("{odd}{i}");
            assert_eq!(
                String::from_utf8(canonical_bytes(&e)).unwrap(),
                as_object(&e),
                "{e:?}"
            );
        }
    }

    #[test]
    fn times_are_microsecond_rfc3339() {
        let e = sample(1, GENESIS_HASH);
        assert_eq!(format_time(e.at), "2026-11-24T10:00:01.000000Z");
    }
}
