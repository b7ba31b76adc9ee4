use serde_json::Value;

/// Canonical JSON: object keys sorted (by Unicode code point), no whitespace, strings escaped
/// exactly as Python's `json.dumps(..., ensure_ascii=False)` does (`\"`, `\\`, `\n`, `\r`,
/// `\t`, `\b`, `\f`, other control characters as `\u00xx`; everything else raw UTF-8).
/// Integers are written in full; floats as Python's `repr` writes them (shortest round-trip
/// digits, exponent form `1e+20` / `1e-05` outside 1e-4 ≤ |x| < 1e16). Inputs should carry
/// decimals as strings anyway: a float is not an exact amount.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

pub(crate) fn write(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => out.push_str(&python_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_str(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, x);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.chars().cmp(b.chars()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write(out, &m[k]);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(float)`.
fn python_float(f: f64) -> String {
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{:e}", f.abs());
    let (mant, exp) = sci.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let (int, frac) = if exp >= 0 {
            let e = exp as usize;
            let padded = format!("{digits:0<width$}", width = e + 1);
            (padded[..e + 1].to_owned(), padded[e + 1..].to_owned())
        } else {
            (
                "0".to_owned(),
                format!("{}{digits}", "0".repeat((-exp - 1) as usize)),
            )
        };
        let frac = if frac.is_empty() {
            "0".to_owned()
        } else {
            frac
        };
        format!("{sign}{int}.{frac}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!(
            "{sign}{m}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_recursively_and_escapes_like_python() {
        let v = json!({ "b": 1, "a": { "z": [true, null], "y": "Perbaikan jalan — RT 03 \"x\"\n\u{1}" } });
        assert_eq!(canonical_json(&v), "{\"a\":{\"y\":\"Perbaikan jalan — RT 03 \\\"x\\\"\\n\\u0001\",\"z\":[true,null]},\"b\":1}");
    }

    #[test]
    fn floats_are_written_as_python_repr() {
        for (f, py) in [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123.456, "123.456"),
            (-2.5e300, "-2.5e+300"),
            (1234567.125, "1234567.125"),
        ] {
            assert_eq!(canonical_json(&json!(f)), py, "{f}");
        }
        assert_eq!(canonical_json(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(canonical_json(&json!(-42)), "-42");
    }
}
