//! Typed values: parsing input JSON into the canonical JSON form stored on instances.
//! Decimals are strings (exact), integers numbers, dates `YYYY-MM-DD`, datetimes RFC 3339 UTC.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::definition::{FieldDef, FieldType};

/// (Indonesian, English) message.
pub type Msg = (String, String);

fn msg(id: impl Into<String>, en: impl Into<String>) -> Msg {
    (id.into(), en.into())
}

/// Checks and normalises one value for a field. `Value::Null` is "not given".
pub fn coerce(def: &FieldDef, v: &Value) -> Result<Value, Msg> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    match def.ty {
        FieldType::Text | FieldType::Region | FieldType::Opd | FieldType::Reference => {
            let s = match v {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) if def.ty != FieldType::Text => n.to_string(),
                _ => return Err(msg("harus berupa teks", "must be text")),
            };
            if let Some(max) = def.max_length {
                if s.chars().count() > max {
                    return Err(msg(
                        format!("paling banyak {max} karakter"),
                        format!("at most {max} characters"),
                    ));
                }
            }
            if s.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(msg(
                    "mengandung karakter kontrol",
                    "contains control characters",
                ));
            }
            if s.is_empty() {
                return Ok(Value::Null);
            }
            Ok(Value::String(s))
        }
        FieldType::Enum => {
            let s = v
                .as_str()
                .ok_or_else(|| msg("harus berupa teks", "must be text"))?;
            if !def.values.iter().any(|x| x == s) {
                return Err(msg(
                    format!("harus salah satu dari: {}", def.values.join(", ")),
                    format!("must be one of: {}", def.values.join(", ")),
                ));
            }
            Ok(Value::String(s.to_owned()))
        }
        FieldType::Decimal => {
            let d = match v {
                Value::String(s) => Decimal::from_str(s.trim()).ok(),
                // A JSON number is read from its text, never through a float.
                Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
                _ => None,
            }
            .ok_or_else(|| {
                msg(
                    "harus berupa angka desimal, misalnya \"1250000.50\"",
                    "must be a decimal number, e.g. \"1250000.50\"",
                )
            })?;
            Ok(Value::String(d.normalize().to_string()))
        }
        FieldType::Integer => {
            let i = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| msg("harus berupa bilangan bulat", "must be a whole number"))?;
            Ok(Value::from(i))
        }
        FieldType::Boolean => v
            .as_bool()
            .map(Value::from)
            .ok_or_else(|| msg("harus true atau false", "must be true or false")),
        FieldType::Date => {
            let s = v.as_str().unwrap_or_default();
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| {
                    msg(
                        "harus berupa tanggal TTTT-BB-HH",
                        "must be a date YYYY-MM-DD",
                    )
                })
        }
        FieldType::DateTime => {
            let s = v.as_str().unwrap_or_default();
            DateTime::parse_from_rfc3339(s.trim())
                .map(|d| Value::String(format_datetime(d.with_timezone(&Utc))))
                .map_err(|_| {
                    msg(
                        "harus berupa waktu RFC 3339, misalnya 2026-12-01T09:00:00+07:00",
                        "must be an RFC 3339 time, e.g. 2026-12-01T09:00:00+07:00",
                    )
                })
        }
    }
}

pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_datetime(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(ty: FieldType) -> FieldDef {
        FieldDef {
            ty,
            required: false,
            max_length: None,
            values: vec!["a".into()],
            title: String::new(),
            internal: false,
        }
    }

    #[test]
    fn decimals_stay_exact() {
        assert_eq!(
            coerce(&f(FieldType::Decimal), &json!("1250000.50")).unwrap(),
            json!("1250000.5")
        );
        assert_eq!(
            coerce(&f(FieldType::Decimal), &json!(0.1)).unwrap(),
            json!("0.1")
        );
        assert!(coerce(&f(FieldType::Decimal), &json!("satu")).is_err());
    }

    #[test]
    fn types_are_enforced() {
        assert_eq!(
            coerce(&f(FieldType::Integer), &json!("42")).unwrap(),
            json!(42)
        );
        assert!(coerce(&f(FieldType::Integer), &json!(1.5)).is_err());
        assert!(coerce(&f(FieldType::Enum), &json!("b")).is_err());
        assert_eq!(
            coerce(&f(FieldType::Date), &json!("2026-01-05")).unwrap(),
            json!("2026-01-05")
        );
        assert_eq!(
            coerce(&f(FieldType::DateTime), &json!("2026-01-05T09:00:00+07:00")).unwrap(),
            json!("2026-01-05T02:00:00Z")
        );
        assert!(coerce(&f(FieldType::Boolean), &json!("yes")).is_err());
    }
}
