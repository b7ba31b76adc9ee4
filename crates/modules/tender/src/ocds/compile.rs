//! The compiled release of a record, by OCDS's merge rules: releases in order of date; each
//! field's latest value wins; objects merge field by field; an array of objects that all have
//! an `id` merges by `id` (an entry keeps its place, a new one is appended); any other array
//! is replaced whole; `null` removes a field. The compiled release has the tag `compiled` and
//! the id `{ocid}-compiled`.

use serde_json::{Map, Value};

/// Merges `new` into `into` by the rules above.
pub fn merge(into: &mut Value, new: &Value) {
    match (into, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                    continue;
                }
                match a.get_mut(k) {
                    Some(old) => merge(old, v),
                    None => {
                        let mut fresh = Value::Null;
                        merge(&mut fresh, v);
                        a.insert(k.clone(), fresh);
                    }
                }
            }
        }
        (a @ Value::Array(_), Value::Array(items))
            if all_have_ids(items) && a.as_array().is_some_and(|x| all_have_ids(x)) =>
        {
            let list = a.as_array_mut().expect("an array");
            for item in items {
                let id = item["id"].clone();
                match list.iter_mut().find(|x| x["id"] == id) {
                    Some(old) => merge(old, item),
                    None => list.push(item.clone()),
                }
            }
        }
        (a, b) => *a = b.clone(),
    }
}

fn all_have_ids(items: &[Value]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|i| i.get("id").is_some_and(|id| !id.is_null()))
}

/// The compiled release of one process's releases.
pub fn compile(releases: &[Value]) -> Value {
    let mut sorted: Vec<&Value> = releases.iter().collect();
    sorted.sort_by(|a, b| a["date"].as_str().cmp(&b["date"].as_str()));
    let mut out = Value::Object(Map::new());
    for r in &sorted {
        let mut r = (*r).clone();
        if let Value::Object(m) = &mut r {
            m.remove("tag");
            m.remove("id");
        }
        merge(&mut out, &r);
    }
    if let Value::Object(m) = &mut out {
        let ocid = m
            .get("ocid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        m.insert("id".into(), Value::String(format!("{ocid}-compiled")));
        m.insert("tag".into(), serde_json::json!(["compiled"]));
        if let Some(d) = sorted.last().and_then(|r| r.get("date")) {
            m.insert("date".into(), d.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_with_ids_merge_by_id_and_others_are_replaced() {
        let r1 = json!({ "ocid": "o", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"], "tender": { "id": "t", "status": "active", "items": [1, 2] }, "parties": [{ "id": "a", "roles": ["buyer"] }] });
        let r2 = json!({ "ocid": "o", "id": "2", "date": "2026-01-02T00:00:00Z", "tag": ["award"], "tender": { "status": "complete", "items": [3] }, "parties": [{ "id": "b", "roles": ["supplier"] }, { "id": "a", "name": "Kota" }] });
        // Out of order: compiled by date.
        let c = compile(&[r2, r1]);
        assert_eq!(c["id"], "o-compiled");
        assert_eq!(c["tag"], json!(["compiled"]));
        assert_eq!(
            c["tender"],
            json!({ "id": "t", "status": "complete", "items": [3] })
        );
        assert_eq!(
            c["parties"],
            json!([{ "id": "a", "roles": ["buyer"], "name": "Kota" }, { "id": "b", "roles": ["supplier"] }])
        );
        assert_eq!(c["date"], "2026-01-02T00:00:00Z");
    }
}
