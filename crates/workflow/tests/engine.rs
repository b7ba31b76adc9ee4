//! Engine rules on a small definition: roles, comments, typed input, guards, set, errors.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use mufakat_workflow::{fire, load_str, start, Actor, InstanceSnapshot, Lang, WorkflowError};
use serde_json::{json, Map, Value};

const DEF: &str = r#"
name = "anggaran"
title = "Usulan anggaran"
roles = ["resident", "bappeda_planner", "opd_staff"]
start_roles = ["resident"]

[fields.title]
type = "text"
required = true
max_length = 20

[fields.cost]
type = "decimal"
required = true

[fields.households]
type = "integer"

[fields.sector]
type = "enum"
values = ["jalan", "air"]

[fields.reviewer]
type = "text"
internal = true

[fields.score]
type = "integer"
internal = true

[states.draft]
initial = true

[states.scored]

[states.funded]
final = true

[states.dropped]
final = true

[[transitions]]
name = "score"
from = ["draft"]
to = "scored"
roles = ["bappeda_planner"]
set = { reviewer = "actor", cost = "input.revised_cost" }

[transitions.input.score]
type = "integer"
required = true

[transitions.input.revised_cost]
type = "decimal"

[[transitions]]
name = "fund"
from = ["scored"]
to = "funded"
roles = ["bappeda_planner"]
guard = "fields.score >= 70 and fields.cost <= 250000000.00"
comment = "optional"

[[transitions]]
name = "drop"
from = ["draft", "scored"]
to = "dropped"
roles = ["bappeda_planner", "owner"]
comment = "required"
"#;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap()
}

fn actor(id: &str, role: &str) -> Actor {
    Actor {
        id: id.into(),
        roles: [role.to_string()].into(),
        is_system: false,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn snap(state: &str, fields: Value) -> InstanceSnapshot {
    let fields: BTreeMap<String, Value> = obj(fields).into_iter().collect();
    InstanceSnapshot {
        id: "7".into(),
        state: state.into(),
        fields,
        created_by: Some("100".into()),
        state_entered_at: now(),
    }
}

#[test]
fn start_types_and_normalises_input_exactly() {
    let d = load_str("anggaran.toml", DEF).unwrap();
    let o = start(&d, &actor("100", "resident"), &obj(json!({ "title": " Sumur bor ", "cost": "150000000.10", "households": "42", "sector": "air" })), now()).unwrap();
    assert_eq!(o.fields["title"], json!("Sumur bor"));
    assert_eq!(o.fields["cost"], json!("150000000.1"));
    assert_eq!(o.fields["households"], json!(42));
    assert_eq!(
        o.input,
        json!({ "title": "Sumur bor", "cost": "150000000.1", "households": 42, "sector": "air" })
    );
    // A JSON number is read from its digits, never through binary floating point.
    let o = start(
        &d,
        &actor("100", "resident"),
        &obj(json!({ "title": "x", "cost": 0.1 })),
        now(),
    )
    .unwrap();
    assert_eq!(o.fields["cost"], json!("0.1"));

    let e = start(&d, &actor("100", "resident"), &obj(json!({ "title": "sangat panjang sekali judulnya", "cost": "dua juta", "households": 1.5, "sector": "laut", "extra": 1 })), now()).unwrap_err();
    let fields: Vec<String> = e.field_errors().into_iter().map(|(f, _, _)| f).collect();
    assert_eq!(fields, ["extra", "title", "cost", "households", "sector"]);
    assert_eq!(e.kind(), "VALIDATION");
    assert!(
        e.message(Lang::Id)
            .contains("cost: harus berupa angka desimal"),
        "{}",
        e.message(Lang::Id)
    );
    assert!(e
        .message(Lang::En)
        .contains("sector: must be one of: jalan, air"));
    let missing = start(&d, &actor("100", "resident"), &Map::new(), now()).unwrap_err();
    assert_eq!(missing.field_errors().len(), 2);
    // Only start roles start.
    let e = start(
        &d,
        &actor("9", "opd_staff"),
        &obj(json!({ "title": "x", "cost": "1" })),
        now(),
    )
    .unwrap_err();
    assert_eq!((e.code(), e.kind()), ("FORBIDDEN", "NOT_ALLOWED"));
}

#[test]
fn roles_owner_and_comments_are_enforced() {
    let d = load_str("anggaran.toml", DEF).unwrap();
    let s = snap("draft", json!({ "title": "x", "cost": "1000" }));
    let e = fire(
        &d,
        &s,
        "score",
        &actor("9", "opd_staff"),
        &obj(json!({ "score": 80 })),
        None,
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
    assert!(e.message(Lang::En).contains("bappeda_planner"));
    // The owner may drop their own proposal, with a reason; another resident may not.
    assert_eq!(
        fire(
            &d,
            &s,
            "drop",
            &actor("100", "resident"),
            &Map::new(),
            None,
            now()
        )
        .unwrap_err(),
        WorkflowError::CommentRequired
    );
    assert!(fire(
        &d,
        &s,
        "drop",
        &actor("100", "resident"),
        &Map::new(),
        Some("Sudah dibangun desa"),
        now()
    )
    .is_ok());
    assert_eq!(
        fire(
            &d,
            &s,
            "drop",
            &actor("101", "resident"),
            &Map::new(),
            Some("x"),
            now()
        )
        .unwrap_err()
        .code(),
        "FORBIDDEN"
    );
    // A system actor fires only timer transitions (there are none here).
    let sys = Actor {
        id: "system".into(),
        roles: ["system".to_string()].into(),
        is_system: true,
    };
    assert_eq!(
        fire(&d, &s, "drop", &sys, &Map::new(), Some("x"), now())
            .unwrap_err()
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        fire(
            &d,
            &s,
            "teleport",
            &actor("1", "bappeda_planner"),
            &Map::new(),
            None,
            now()
        )
        .unwrap_err()
        .code(),
        "NOT_FOUND"
    );
    let e = fire(
        &d,
        &s,
        "fund",
        &actor("1", "bappeda_planner"),
        &Map::new(),
        None,
        now(),
    )
    .unwrap_err();
    assert_eq!((e.code(), e.kind()), ("CONFLICT", "NOT_AVAILABLE_IN_STATE"));
}

#[test]
fn set_and_guards_use_exact_values() {
    let d = load_str("anggaran.toml", DEF).unwrap();
    let planner = actor("55", "bappeda_planner");
    let s = snap("draft", json!({ "title": "x", "cost": "300000000" }));
    let o = fire(
        &d,
        &s,
        "score",
        &planner,
        &obj(json!({ "score": "85", "revised_cost": "250000000.004" })),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(
        o.fields["score"],
        json!(85),
        "input named like a field is copied"
    );
    assert_eq!(o.fields["reviewer"], json!("55"));
    assert_eq!(o.fields["cost"], json!("250000000.004"));
    assert_eq!(o.changed_fields, ["score", "reviewer", "cost"]);
    let scored = snap(
        "scored",
        Value::Object(o.fields.clone().into_iter().collect()),
    );
    // 250000000.004 > 250000000.00: the guard holds back, exactly.
    let e = fire(&d, &scored, "fund", &planner, &Map::new(), None, now()).unwrap_err();
    assert_eq!(e.kind(), "GUARD_FAILED");
    assert!(e.message(Lang::Id).contains("fields.score >= 70"));
    let mut ok = scored.clone();
    ok.fields.insert("cost".into(), json!("250000000"));
    let o = fire(
        &d,
        &ok,
        "fund",
        &planner,
        &Map::new(),
        Some("Prioritas"),
        now(),
    )
    .unwrap();
    assert!(o.is_final);
    // Optional input not given leaves the field as it was.
    let o = fire(
        &d,
        &s,
        "score",
        &planner,
        &obj(json!({ "score": 60 })),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(o.fields["cost"], json!("300000000"));
}

const DEADLINE: &str = r#"
name = "lelang"
title = "Lelang"
roles = ["ukpbj_staff"]
start_roles = ["ukpbj_staff"]

[fields.deadline]
type = "datetime"
required = true

[fields.note]
type = "text"

[states.open]
initial = true

[states.closed]
final = true

[[transitions]]
name = "amend"
from = ["open"]
to = "open"
roles = ["ukpbj_staff"]

[transitions.input.deadline]
type = "datetime"

[transitions.input.note]
type = "text"

[transitions.set]
deadline = "input.deadline"
note = "input.note"

[[transitions]]
name = "close"
from = ["open"]
to = "closed"
roles = ["system"]

[[timers]]
name = "at_deadline"
state = "open"
at = "deadline"
transition = "close"
"#;

#[test]
fn staying_in_a_state_rearms_only_the_timers_whose_field_changed() {
    let d = load_str("lelang.toml", DEADLINE).unwrap();
    let pokja = actor("1", "ukpbj_staff");
    let started = start(
        &d,
        &pokja,
        &obj(json!({ "deadline": "2026-12-01T10:00:00Z" })),
        now(),
    )
    .unwrap();
    assert_eq!(started.timers.len(), 1);
    let s = snap("open", json!({ "deadline": "2026-12-01T10:00:00Z" }));
    // A note alone keeps the armed timer.
    let o = fire(
        &d,
        &s,
        "amend",
        &pokja,
        &obj(json!({ "note": "x" })),
        None,
        now(),
    )
    .unwrap();
    assert!(o.retimed.is_empty() && o.timers.is_empty());
    // A new deadline re-arms the deadline's timer at the new time.
    let o = fire(
        &d,
        &s,
        "amend",
        &pokja,
        &obj(json!({ "deadline": "2026-12-04T10:00:00Z" })),
        None,
        now(),
    )
    .unwrap();
    assert_eq!(o.retimed, ["at_deadline"]);
    assert_eq!(o.timers.len(), 1);
    assert_eq!(
        o.timers[0].due_at,
        Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap()
    );
}

/// The system starts a case only of a workflow that names `system` among its start roles (a
/// flag a timer raises); people never start as the system.
#[test]
fn the_system_starts_only_what_names_it() {
    let d = load_str("anggaran.toml", DEF).unwrap();
    let system = Actor {
        id: "system".into(),
        roles: ["system".to_string()].into(),
        is_system: true,
    };
    let input = obj(json!({ "title": "x", "cost": "1" }));
    assert!(matches!(
        start(&d, &system, &input, now()),
        Err(WorkflowError::NotAllowed { .. })
    ));
    let with = DEF.replace(
        r#"start_roles = ["resident"]"#,
        r#"start_roles = ["resident", "system"]"#,
    );
    let d = load_str("anggaran.toml", &with).unwrap();
    assert_eq!(start(&d, &system, &input, now()).unwrap().to, "draft");
    // A person holding no start role is still refused.
    assert!(start(&d, &actor("7", "opd_staff"), &input, now()).is_err());
}
