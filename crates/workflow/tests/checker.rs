//! The checker reports each kind of problem at the right line.

use mufakat_workflow::{load_str, CheckError};

const BASE: &str = r#"name = "uji"
title = "Uji"
roles = ["resident", "kelurahan_staff"]
start_roles = ["resident"]

[fields.amount]
type = "decimal"

[fields.kind]
type = "enum"
values = ["a", "b"]

[states.open]
initial = true

[states.done]
final = true

[[transitions]]
name = "finish"
from = ["open"]
to = "done"
roles = ["kelurahan_staff"]
"#;

fn errors(text: &str) -> Vec<CheckError> {
    match load_str("uji.toml", text) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e,
    }
}

/// Asserts one error mentions `needle`, on the line of the first occurrence of `line_of`.
fn assert_error(text: &str, line_of: &str, needle: &str) {
    let line = text
        .lines()
        .position(|l| l.contains(line_of))
        .unwrap_or_else(|| panic!("no line with {line_of}"))
        + 1;
    let errs = errors(text);
    assert!(
        errs.iter()
            .any(|e| e.line == line && e.message.contains(needle)),
        "expected `{needle}` at line {line}, got:\n{}",
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_base_definition_is_valid() {
    let d = load_str("uji.toml", BASE).unwrap();
    assert_eq!(d.name, "uji");
    assert_eq!(d.file, "uji.toml");
}

#[test]
fn toml_syntax_and_unknown_keys_are_located() {
    assert_error(
        &BASE.replace("type = \"decimal\"", "type = \"decimal"),
        "type = \"decimal",
        "",
    );
    assert_error(
        &BASE.replace("type = \"decimal\"", "type = \"money\""),
        "type = \"money\"",
        "unknown variant",
    );
    assert_error(
        &BASE.replace("[states.done]\nfinal = true", "[states.done]\nfinl = true"),
        "finl = true",
        "unknown field",
    );
}

#[test]
fn unknown_states_roles_and_fields_are_located() {
    assert_error(
        &BASE.replace("to = \"done\"", "to = \"dnoe\""),
        "to = \"dnoe\"",
        "unknown state `dnoe`",
    );
    assert_error(
        &BASE.replace("from = [\"open\"]", "from = [\"opne\"]"),
        "from = [\"opne\"]",
        "unknown state `opne`",
    );
    assert_error(
        &BASE.replace("roles = [\"kelurahan_staff\"]\n", "roles = [\"lurah\"]\n"),
        "roles = [\"lurah\"]",
        "role `lurah`",
    );
    assert_error(
        &BASE.replace(
            "roles = [\"resident\", \"kelurahan_staff\"]",
            "roles = [\"resident\", \"camat\"]",
        ),
        "roles = [\"resident\", \"camat\"]",
        "unknown role `camat`",
    );
    let set = BASE.to_owned() + "set = { amout = \"input.x\" }\n";
    assert_error(&set, "amout", "unknown field `amout`");
}

#[test]
fn initial_state_problems() {
    let none = BASE.replace("initial = true", "");
    assert_error(&none, "[states.open]", "exactly one state");
    let two = BASE.replace(
        "[states.done]\nfinal = true",
        "[states.done]\ninitial = true\nfinal = true",
    );
    assert!(errors(&two)
        .iter()
        .any(|e| e.message.contains("both initial and final")));
}

#[test]
fn unreachable_and_dead_end_states_are_located() {
    let unreachable = BASE.to_owned() + "\n[states.lost]\nfinal = true\n";
    let text = unreachable; // a state table after the transitions is fine in TOML
    assert_error(&text, "[states.lost]", "cannot be reached");
    let dead = BASE.replace("[states.done]\nfinal = true", "[states.waiting]\n\n[states.done]\nfinal = true")
        + "\n[[transitions]]\nname = \"wait\"\nfrom = [\"open\"]\nto = \"waiting\"\nroles = [\"kelurahan_staff\"]\n";
    assert_error(&dead, "[states.waiting]", "no way out");
}

#[test]
fn final_states_with_outgoing_transitions() {
    let t = BASE.to_owned() + "\n[[transitions]]\nname = \"back\"\nfrom = [\"done\"]\nto = \"open\"\nroles = [\"kelurahan_staff\"]\n";
    assert_error(&t, "from = [\"done\"]", "leaves final state `done`");
}

#[test]
fn guard_type_errors_and_unknown_names_are_located() {
    let g = |guard: &str| BASE.to_owned() + &format!("guard = \"{guard}\"\n");
    assert_error(&g("fields.amount > 'banyak'"), "guard =", "cannot compare");
    assert_error(&g("fields.amout > 1"), "guard =", "unknown field `amout`");
    assert_error(&g("input.reason == 'x'"), "guard =", "no input `reason`");
    assert_error(&g("fields.kind == 'c'"), "guard =", "not a value of `kind`");
    assert_error(&g("fields.amount"), "guard =", "condition");
    assert_error(&g("fields.amount >> 1"), "guard =", "");
    // The column points at the offending name inside the string.
    let errs = errors(&g("fields.amount > 1 and fields.amout > 1"));
    let line = g("x").lines().count();
    assert_eq!((errs[0].line, errs[0].column), (line, 32), "{}", errs[0]);
    let errs = errors(&g("fields.amount > 1 and"));
    assert_eq!(errs[0].column, 31, "{}", errs[0]); // just past the end
}

#[test]
fn timer_problems_are_located() {
    let timer = |body: &str| {
        BASE.replace(
            "roles = [\"kelurahan_staff\"]\n",
            "roles = [\"kelurahan_staff\", \"system\"]\n",
        ) + "\n[[timers]]\n"
            + body
    };
    let ok = timer("state = \"open\"\nafter = \"P10D\"\ntransition = \"finish\"\n");
    load_str("uji.toml", &ok).unwrap();
    assert_error(
        &timer("state = \"open\"\nafter = \"10 days\"\ntransition = \"finish\"\n"),
        "after =",
        "not a duration",
    );
    assert_error(
        &timer("state = \"open\"\nafter = \"P1M\"\ntransition = \"finish\"\n"),
        "after =",
        "not a duration",
    );
    load_str(
        "uji.toml",
        &timer("state = \"open\"\nafter = \"P1DT12H\"\ntransition = \"finish\"\n"),
    )
    .unwrap();
    load_str(
        "uji.toml",
        &timer("state = \"open\"\nafter = \"PT2H\"\ntransition = \"finish\"\n"),
    )
    .unwrap();
    assert_error(
        &timer("state = \"nowhere\"\nafter = \"P1D\"\ntransition = \"finish\"\n"),
        "state = \"nowhere\"",
        "unknown state",
    );
    assert_error(
        &timer("state = \"open\"\nafter = \"P1D\"\ntransition = \"nope\"\n"),
        "transition = \"nope\"",
        "no transition `nope`",
    );
    assert_error(
        &timer("state = \"open\"\nat = \"amount\"\ntransition = \"finish\"\n"),
        "at = \"amount\"",
        "date or datetime field",
    );
    // The transition a timer fires must name `system`; `system` only for timer transitions.
    let no_system = BASE.to_owned()
        + "\n[[timers]]\nstate = \"open\"\nafter = \"P1D\"\ntransition = \"finish\"\n";
    assert_error(&no_system, "transition = \"finish\"", "\"system\"");
    let stray = BASE.replace(
        "roles = [\"kelurahan_staff\"]\n",
        "roles = [\"kelurahan_staff\", \"system\"]\n",
    );
    assert_error(
        &stray,
        "roles = [\"kelurahan_staff\", \"system\"]",
        "no timer fires it",
    );
    let needs_comment = timer("state = \"open\"\nafter = \"P1D\"\ntransition = \"finish\"\n")
        .replace("to = \"done\"", "to = \"done\"\ncomment = \"required\"");
    assert_error(
        &needs_comment,
        "transition = \"finish\"",
        "requires a comment",
    );
}

#[test]
fn duplicate_names_are_reported() {
    let dup = BASE.to_owned() + "\n[[transitions]]\nname = \"finish\"\nfrom = [\"open\"]\nto = \"done\"\nroles = [\"resident\"]\n";
    let errs = errors(&dup);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("defined twice") && e.line > 20),
        "{errs:?}"
    );
    let dup_key = BASE.replace("[fields.kind]", "[fields.amount]");
    assert!(!errors(&dup_key).is_empty());

    let dir = std::env::temp_dir().join(format!("mufakat-wf-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.toml"), BASE).unwrap();
    std::fs::write(dir.join("b.toml"), BASE).unwrap();
    let errs = mufakat_workflow::load_dir(&dir).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].file.ends_with("b.toml") && errs[0].message.contains("also used by"),
        "{}",
        errs[0]
    );
}

#[test]
fn field_definition_problems() {
    assert_error(
        &BASE.replace("values = [\"a\", \"b\"]", ""),
        "[fields.kind]",
        "needs `values",
    );
    assert_error(
        &BASE.replace("type = \"decimal\"", "type = \"decimal\"\nmax_length = 3"),
        "[fields.amount]",
        "max_length",
    );
    assert_error(
        &BASE.replace(
            "type = \"decimal\"",
            "type = \"decimal\"\nrequired = true\ninternal = true",
        ),
        "[fields.amount]",
        "internal",
    );
    let clash = BASE.to_owned() + "[transitions.input.amount]\ntype = \"integer\"\n";
    assert_error(
        &clash,
        "[transitions.input.amount]",
        "input `amount` is integer",
    );
    let bad_set = BASE.to_owned() + "set = { amount = \"now\" }\n";
    assert_error(&bad_set, "set = {", "datetime");
    let bad_lit = BASE.to_owned() + "set = { kind = \"'c'\" }\n";
    assert_error(&bad_lit, "set = {", "one of");
}

#[test]
fn display_is_file_line_column_message() {
    let errs = errors(&BASE.replace("to = \"done\"", "to = \"dnoe\""));
    let s = errs[0].to_string();
    assert!(
        s.starts_with("uji.toml:22:6: transition `finish`: unknown state `dnoe`"),
        "{s}"
    );
}

#[test]
fn register_and_service_level_sections_are_checked() {
    let good = format!(
        "{BASE}\n[register]\nfields = [\"kind\"]\n\n[service_level]\nunit = \"PPID\"\nserved = [\"done\"]\ndue_field = \"amount_due\"\n\n[fields.amount_due]\ntype = \"date\"\n"
    );
    let d = load_str("uji.toml", &good).unwrap();
    assert_eq!(d.register.unwrap().fields, ["kind"]);
    let sl = d.service_level.unwrap();
    assert_eq!(sl.served, ["done"]);
    assert_eq!(sl.unit_of(&serde_json::Map::new()).as_deref(), Some("PPID"));

    let t = format!("{BASE}\n[register]\nfields = [\"requester\"]\n");
    assert_error(&t, "requester", "not a field of this workflow");
    let t = format!(
        "{BASE}\n[service_level]\nunit = \"PPID\"\nserved = [\"nowhere\"]\nlate_field = \"kind\"\n"
    );
    assert_error(&t, "nowhere", "is not a state");
    assert_error(&t, "late_field", "it must be boolean");
    let t = format!("{BASE}\n[service_level]\nserved = [\"open\"]\ndue_field = \"amount\"\n");
    assert_error(&t, "served = [\"open\"]", "the initial state");
    assert_error(&t, "[service_level]", "exactly one of `unit`");
    assert_error(&t, "due_field", "it must be date or datetime");
}
