//! The definition file format (TOML) and its loading and checking.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::check::{CheckError, Locator};
use crate::guard::Guard;
use crate::{KNOWN_ROLES, OWNER, SYSTEM};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Decimal,
    Integer,
    Boolean,
    Date,
    #[serde(rename = "datetime")]
    DateTime,
    Region,
    /// The code of an OPD that serves the case's region (checked by the kernel against the
    /// region's list); a transition whose roles include an OPD role is then open only to staff
    /// of that OPD.
    Opd,
    Enum,
    Reference,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Decimal => "decimal",
            FieldType::Integer => "integer",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Region => "region",
            FieldType::Opd => "opd",
            FieldType::Enum => "enum",
            FieldType::Reference => "reference",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub ty: FieldType,
    pub required: bool,
    pub max_length: Option<usize>,
    /// For `enum`.
    pub values: Vec<String>,
    pub title: String,
    /// Set only by transitions, never given when a case starts.
    pub internal: bool,
}

impl FieldDef {
    pub fn type_name(&self) -> &'static str {
        self.ty.name()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StateDef {
    pub name: String,
    pub title: String,
    /// The title in English (`title_en`), where the file gives one.
    pub title_en: Option<String>,
    pub initial: bool,
    pub is_final: bool,
}

/// What `set` assigns to an instance field when a transition fires.
#[derive(Debug, Clone, PartialEq)]
pub enum SetExpr {
    Input(String),
    Field(String),
    Now,
    /// `now+P3D`, `now+P10WD`, `now+P5D:working`.
    NowPlus(crate::Span),
    Literal(serde_json::Value),
    /// The acting user's id.
    Actor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub name: String,
    pub title: String,
    /// The title in English (`title_en`), where the file gives one.
    pub title_en: Option<String>,
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<String>,
    pub comment_required: bool,
    pub input: IndexMap<String, FieldDef>,
    pub guard: Option<Guard>,
    /// Message shown when the guard says no.
    pub guard_message: Option<String>,
    /// The same in English (defaults to `guard_message`).
    pub guard_message_en: Option<String>,
    pub set: Vec<(String, SetExpr)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimerWhen {
    After(crate::Span),
    /// A date or datetime field of the instance.
    At(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimerDef {
    pub name: String,
    pub state: String,
    pub when: TimerWhen,
    pub transition: String,
}

/// A checked workflow definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub name: String,
    pub title: String,
    pub description: String,
    /// SHA-256 of the file's bytes (hex): the version's identity.
    pub hash: String,
    /// The file's text, kept so that old versions can be reloaded.
    pub source: String,
    pub file: String,
    pub roles: Vec<String>,
    pub start_roles: Vec<String>,
    pub fields: IndexMap<String, FieldDef>,
    pub states: Vec<StateDef>,
    pub transitions: Vec<Transition>,
    pub timers: Vec<TimerDef>,
    /// `[register]`: the public register of its cases, if the file has one.
    pub register: Option<crate::RegisterDef>,
    /// `[service_level]`: how the service-level report reads its cases, if it is a service.
    pub service_level: Option<crate::ServiceLevelDef>,
}

impl Definition {
    pub fn initial_state(&self) -> &StateDef {
        self.states
            .iter()
            .find(|s| s.initial)
            .expect("checked: one initial state")
    }

    pub fn state(&self, name: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The transition named `name` leaving `state`.
    pub fn transition_from(&self, name: &str, state: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.name == name && t.from.iter().any(|f| f == state))
    }

    /// Every role any transition named `name` allows.
    pub fn transition_roles(&self, name: &str) -> Vec<String> {
        let mut r: Vec<String> = self
            .transitions
            .iter()
            .filter(|t| t.name == name)
            .flat_map(|t| t.roles.clone())
            .collect();
        r.sort();
        r.dedup();
        r
    }
}

// ---- raw file format ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDef {
    name: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    roles: Spanned<Vec<Spanned<String>>>,
    start_roles: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    fields: IndexMap<String, Spanned<RawField>>,
    states: Spanned<IndexMap<String, Spanned<RawState>>>,
    #[serde(default)]
    transitions: Vec<Spanned<RawTransition>>,
    #[serde(default)]
    timers: Vec<Spanned<RawTimer>>,
    register: Option<Spanned<crate::publication::RawRegister>>,
    service_level: Option<Spanned<crate::publication::RawServiceLevel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    #[serde(rename = "type")]
    ty: FieldType,
    #[serde(default)]
    required: bool,
    max_length: Option<usize>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    internal: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    #[serde(default)]
    title: String,
    #[serde(default)]
    title_en: Option<String>,
    #[serde(default)]
    initial: bool,
    #[serde(default, rename = "final")]
    is_final: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    name: Spanned<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    title_en: Option<String>,
    from: Spanned<Vec<Spanned<String>>>,
    to: Spanned<String>,
    roles: Spanned<Vec<Spanned<String>>>,
    /// "required" or "optional" (default).
    #[serde(default)]
    comment: Option<Spanned<String>>,
    #[serde(default)]
    input: IndexMap<String, Spanned<RawField>>,
    guard: Option<Spanned<String>>,
    guard_message: Option<String>,
    guard_message_en: Option<String>,
    #[serde(default)]
    set: IndexMap<String, Spanned<String>>,
    /// `by_module = true`: the module that owns the workflow fires it as `system` in one of its
    /// own steps (a musrenbang cycle closing out its undecided proposals), not a timer.
    #[serde(default)]
    by_module: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimer {
    name: Option<String>,
    state: Spanned<String>,
    after: Option<Spanned<String>>,
    at: Option<Spanned<String>>,
    transition: Spanned<String>,
}

/// Loads and checks every `*.toml` file in `dir` (sorted by name). All problems of all files
/// are reported together.
pub fn load_dir(dir: &Path) -> Result<Vec<Definition>, Vec<CheckError>> {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            return Err(vec![CheckError {
                file: dir.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read the folder: {e}"),
            }])
        }
    };
    files.sort();
    let mut defs = vec![];
    let mut errors = vec![];
    for path in files {
        let name = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => match load_str(&name, &text) {
                Ok(d) => defs.push(d),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(CheckError {
                file: name,
                line: 0,
                column: 0,
                message: format!("cannot read the file: {e}"),
            }),
        }
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    for d in &defs {
        if let Some(other) = seen.insert(d.name.clone(), d.file.clone()) {
            errors.push(CheckError {
                file: d.file.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "workflow name `{}` is also used by {other}; names must be unique",
                    d.name
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(defs)
    } else {
        Err(errors)
    }
}

/// Parses and checks one definition.
pub fn load_str(file: &str, text: &str) -> Result<Definition, Vec<CheckError>> {
    let loc = Locator { file, text };
    let raw: RawDef = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        vec![loc.at(
            offset,
            format!(
                "{} (see docs/workflows.md for the format)",
                e.message().trim()
            ),
        )]
    })?;
    let mut raw = raw;
    // Tables come back in key order; restore the file's order (it is the order shown to users).
    raw.fields
        .sort_by(|_, a, _, b| a.span().start.cmp(&b.span().start));
    raw.states
        .get_mut()
        .sort_by(|_, a, _, b| a.span().start.cmp(&b.span().start));
    for t in raw.transitions.iter_mut() {
        let t = t.get_mut();
        t.input
            .sort_by(|_, a, _, b| a.span().start.cmp(&b.span().start));
        t.set
            .sort_by(|_, a, _, b| a.span().start.cmp(&b.span().start));
    }
    let mut errs = vec![];
    let err = |errs: &mut Vec<CheckError>, offset: usize, m: String| errs.push(loc.at(offset, m));

    let name = raw.name.get_ref().clone();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        err(
            &mut errs,
            raw.name.span().start,
            format!("workflow name `{name}`: use lower-case letters, digits and `-`"),
        );
    }

    // Roles.
    let mut roles = vec![];
    for r in raw.roles.get_ref() {
        if !KNOWN_ROLES.contains(&r.get_ref().as_str()) {
            err(
                &mut errs,
                r.span().start,
                format!(
                    "unknown role `{}`; known roles: {}",
                    r.get_ref(),
                    KNOWN_ROLES.join(", ")
                ),
            );
        }
        roles.push(r.get_ref().clone());
    }
    let role_ok = |r: &str| roles.iter().any(|x| x == r) || r == OWNER || r == SYSTEM;
    let mut start_roles = vec![];
    for r in raw.start_roles.get_ref() {
        // `system` may start cases that a timer's consequence opens (a flag raised when a
        // report is late): the module starts them in the timer's transaction.
        if !roles.iter().any(|x| x == r.get_ref()) && r.get_ref() != SYSTEM {
            err(
                &mut errs,
                r.span().start,
                format!(
                    "start role `{}` is not in `roles`; add it there",
                    r.get_ref()
                ),
            );
        }
        start_roles.push(r.get_ref().clone());
    }
    if start_roles.is_empty() {
        err(
            &mut errs,
            raw.start_roles.span().start,
            "`start_roles` is empty: name who may start a case".into(),
        );
    }

    // Fields.
    let mut fields = IndexMap::new();
    for (fname, f) in &raw.fields {
        if let Some(e) = field_problem(fname, f.get_ref()) {
            err(&mut errs, f.span().start, e);
        }
        fields.insert(fname.clone(), to_field(f.get_ref()));
    }

    // States.
    let mut states = vec![];
    for (sname, s) in raw.states.get_ref() {
        states.push(StateDef {
            name: sname.clone(),
            title: if s.get_ref().title.is_empty() {
                sname.clone()
            } else {
                s.get_ref().title.clone()
            },
            title_en: s.get_ref().title_en.clone(),
            initial: s.get_ref().initial,
            is_final: s.get_ref().is_final,
        });
        if s.get_ref().initial && s.get_ref().is_final {
            err(
                &mut errs,
                s.span().start,
                format!("state `{sname}` cannot be both initial and final"),
            );
        }
    }
    let initials: Vec<&StateDef> = states.iter().filter(|s| s.initial).collect();
    if initials.len() != 1 {
        err(
            &mut errs,
            raw.states.span().start,
            format!(
                "exactly one state must have `initial = true` (found {})",
                initials.len()
            ),
        );
    }
    if !states.iter().any(|s| s.is_final) {
        err(
            &mut errs,
            raw.states.span().start,
            "no state has `final = true`: every case must be able to end".into(),
        );
    }
    let state_exists = |n: &str| states.iter().any(|s| s.name == n);
    let is_final = |n: &str| states.iter().any(|s| s.name == n && s.is_final);

    // Transitions.
    let mut transitions = vec![];
    for t in &raw.transitions {
        let rt = t.get_ref();
        let tname = rt.name.get_ref().clone();
        let mut from = vec![];
        for f in rt.from.get_ref() {
            if !state_exists(f.get_ref()) {
                err(
                    &mut errs,
                    f.span().start,
                    format!(
                        "transition `{tname}`: unknown state `{}` in `from`",
                        f.get_ref()
                    ),
                );
            } else if is_final(f.get_ref()) {
                err(&mut errs, f.span().start, format!("transition `{tname}` leaves final state `{}`; final states have no way out", f.get_ref()));
            }
            from.push(f.get_ref().clone());
        }
        if from.is_empty() {
            err(
                &mut errs,
                rt.from.span().start,
                format!("transition `{tname}`: `from` is empty"),
            );
        }
        if !state_exists(rt.to.get_ref()) {
            err(
                &mut errs,
                rt.to.span().start,
                format!(
                    "transition `{tname}`: unknown state `{}` in `to`",
                    rt.to.get_ref()
                ),
            );
        }
        let mut troles = vec![];
        for r in rt.roles.get_ref() {
            if !role_ok(r.get_ref()) {
                err(
                    &mut errs,
                    r.span().start,
                    format!(
                        "transition `{tname}`: role `{}` is not in `roles` (nor `owner`/`system`)",
                        r.get_ref()
                    ),
                );
            }
            troles.push(r.get_ref().clone());
        }
        if troles.is_empty() {
            err(
                &mut errs,
                rt.roles.span().start,
                format!("transition `{tname}`: `roles` is empty; nobody could fire it"),
            );
        }
        let comment_required = match &rt.comment {
            None => false,
            Some(c) if c.get_ref() == "required" => true,
            Some(c) if c.get_ref() == "optional" => false,
            Some(c) => {
                err(
                    &mut errs,
                    c.span().start,
                    format!("transition `{tname}`: comment must be \"required\" or \"optional\""),
                );
                false
            }
        };
        let mut input = IndexMap::new();
        for (iname, f) in &rt.input {
            if let Some(e) = field_problem(iname, f.get_ref()) {
                err(
                    &mut errs,
                    f.span().start,
                    format!("transition `{tname}` input: {e}"),
                );
            }
            if let Some(fd) = fields.get(iname) {
                // Input named like a field is copied into it.
                if fd.ty != f.get_ref().ty {
                    err(
                        &mut errs,
                        f.span().start,
                        format!(
                            "transition `{tname}`: input `{iname}` is {} but field `{iname}` is {}; use the same type or another name",
                            f.get_ref().ty.name(),
                            fd.ty.name()
                        ),
                    );
                } else if fd.ty == FieldType::Enum
                    && f.get_ref().values.iter().any(|v| !fd.values.contains(v))
                {
                    err(&mut errs, f.span().start, format!("transition `{tname}`: input `{iname}` allows values that field `{iname}` does not"));
                }
            }
            input.insert(iname.clone(), to_field(f.get_ref()));
        }
        let guard = rt.guard.as_ref().and_then(|g| {
            let lookup = |is_input: bool, n: &str| {
                if is_input {
                    input.get(n).cloned()
                } else {
                    fields.get(n).cloned()
                }
            };
            match Guard::parse_located(g.get_ref(), &lookup) {
                Ok(g) => Some(g),
                Err((pos, e)) => {
                    // Point inside the string when it has no escapes (offsets then match).
                    let raw_text = text.get(g.span()).unwrap_or("");
                    let quote = if raw_text.starts_with("\"\"\"") || raw_text.starts_with("'''") {
                        3
                    } else {
                        1
                    };
                    let offset = if raw_text.contains('\\') {
                        g.span().start
                    } else {
                        g.span().start
                            + quote
                            + g.get_ref()
                                .chars()
                                .take(pos)
                                .map(char::len_utf8)
                                .sum::<usize>()
                    };
                    err(
                        &mut errs,
                        offset,
                        format!("transition `{tname}` guard: {e}"),
                    );
                    None
                }
            }
        });
        let mut set = vec![];
        for (target, expr) in &rt.set {
            let Some(fdef) = fields.get(target) else {
                err(&mut errs, expr.span().start, format!("transition `{tname}`: `set` names unknown field `{target}`; declare it under [fields]"));
                continue;
            };
            match parse_set(expr.get_ref(), fdef, &input, &fields) {
                Ok(s) => set.push((target.clone(), s)),
                Err(e) => err(
                    &mut errs,
                    expr.span().start,
                    format!("transition `{tname}`: set {target}: {e}"),
                ),
            }
        }
        transitions.push(Transition {
            name: tname,
            title: rt.title.clone(),
            title_en: rt.title_en.clone(),
            from,
            to: rt.to.get_ref().clone(),
            roles: troles,
            comment_required,
            input,
            guard,
            guard_message: rt.guard_message.clone(),
            guard_message_en: rt.guard_message_en.clone(),
            set,
        });
    }
    // Same name leaving the same state twice is ambiguous.
    for (i, t) in transitions.iter().enumerate() {
        for u in &transitions[..i] {
            if t.name == u.name && t.from.iter().any(|f| u.from.contains(f)) {
                err(
                    &mut errs,
                    raw.transitions[i].span().start,
                    format!(
                        "transition `{}` is defined twice for the same `from` state",
                        t.name
                    ),
                );
            }
        }
    }

    // Timers.
    let mut timers = vec![];
    for (i, t) in raw.timers.iter().enumerate() {
        let rt = t.get_ref();
        let state = rt.state.get_ref().clone();
        if !state_exists(&state) {
            err(
                &mut errs,
                rt.state.span().start,
                format!("timer: unknown state `{state}`"),
            );
        } else if is_final(&state) {
            err(
                &mut errs,
                rt.state.span().start,
                format!("timer on final state `{state}` could never fire"),
            );
        }
        let tr = rt.transition.get_ref();
        match transitions
            .iter()
            .find(|x| &x.name == tr && x.from.contains(&state))
        {
            None => err(
                &mut errs,
                rt.transition.span().start,
                format!("timer: no transition `{tr}` leaves state `{state}`"),
            ),
            Some(x) => {
                if !x.roles.iter().any(|r| r == SYSTEM) {
                    err(&mut errs, rt.transition.span().start, format!("timer: transition `{tr}` must list \"system\" in its `roles` (timers fire as `system`)"));
                }
                if x.comment_required {
                    err(&mut errs, rt.transition.span().start, format!("timer: transition `{tr}` requires a comment, which a timer cannot give"));
                }
                if let Some((n, _)) = x.input.iter().find(|(_, f)| f.required) {
                    err(&mut errs, rt.transition.span().start, format!("timer: transition `{tr}` requires input `{n}`, which a timer cannot give"));
                }
            }
        }
        let when = match (&rt.after, &rt.at) {
            (Some(a), None) => match crate::Span::parse(a.get_ref()) {
                Ok(d) => Some(TimerWhen::After(d)),
                Err(e) => {
                    err(&mut errs, a.span().start, format!("timer: {e}"));
                    None
                }
            },
            (None, Some(at)) => {
                match fields.get(at.get_ref()) {
                    Some(f) if matches!(f.ty, FieldType::Date | FieldType::DateTime) => {}
                    _ => err(
                        &mut errs,
                        at.span().start,
                        format!(
                            "timer: `at` must name a date or datetime field, not `{}`",
                            at.get_ref()
                        ),
                    ),
                }
                Some(TimerWhen::At(at.get_ref().clone()))
            }
            _ => {
                err(&mut errs, t.span().start, "timer: give exactly one of `after` (a duration) or `at` (a date/datetime field)".into());
                None
            }
        };
        if let Some(n) = &rt.name {
            if raw.timers[..i]
                .iter()
                .any(|o| o.get_ref().name.as_ref() == Some(n))
            {
                err(
                    &mut errs,
                    t.span().start,
                    format!("timer name `{n}` is used twice"),
                );
            }
        }
        if let Some(when) = when {
            timers.push(TimerDef {
                name: rt
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{state}-{tr}-{i}")),
                state,
                when,
                transition: tr.clone(),
            });
        }
    }

    // `system` only fires what timers name.
    for (i, t) in transitions.iter().enumerate() {
        if t.roles.iter().any(|r| r == SYSTEM)
            && !raw.transitions[i].get_ref().by_module
            && !timers.iter().any(|x| x.transition == t.name)
        {
            err(
                &mut errs,
                raw.transitions[i].get_ref().roles.span().start,
                format!("transition `{}` lists \"system\" but no timer fires it; add a [[timers]] entry or remove \"system\"", t.name),
            );
        }
    }

    if errs.is_empty() {
        // Reachability and ways out, on a structurally sound definition.
        let initial = states
            .iter()
            .find(|s| s.initial)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let mut reached: BTreeSet<String> = BTreeSet::from([initial.clone()]);
        let mut queue = VecDeque::from([initial]);
        while let Some(s) = queue.pop_front() {
            for t in transitions.iter().filter(|t| t.from.contains(&s)) {
                if reached.insert(t.to.clone()) {
                    queue.push_back(t.to.clone());
                }
            }
        }
        for (sname, s) in raw.states.get_ref() {
            if !reached.contains(sname) {
                err(&mut errs, s.span().start, format!("state `{sname}` cannot be reached from the initial state; add a transition into it or remove it"));
            }
            let out = transitions.iter().any(|t| t.from.contains(sname));
            if !s.get_ref().is_final && !out {
                err(&mut errs, s.span().start, format!("state `{sname}` is not final and has no way out; add a transition from it or mark it `final = true`"));
            }
        }
    }

    let mut publish_err = |offset: usize, m: String| errs.push(loc.at(offset, m));
    let register = raw
        .register
        .as_ref()
        .map(|r| crate::publication::register(r, &fields, &mut publish_err));
    let service_level = raw
        .service_level
        .as_ref()
        .map(|r| crate::publication::service_level(r, &fields, &states, &mut publish_err));

    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Definition {
        name,
        title: raw.title,
        description: raw.description,
        hash: hex::encode(Sha256::digest(text.as_bytes())),
        source: text.to_owned(),
        file: file.to_owned(),
        roles,
        start_roles,
        fields,
        states,
        transitions,
        timers,
        register,
        service_level,
    })
}

fn to_field(f: &RawField) -> FieldDef {
    FieldDef {
        ty: f.ty,
        required: f.required,
        max_length: f.max_length,
        values: f.values.clone(),
        title: f.title.clone(),
        internal: f.internal,
    }
}

fn field_problem(name: &str, f: &RawField) -> Option<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some(format!("field name `{name}`: use letters, digits and `_`"));
    }
    if f.ty == FieldType::Enum && f.values.is_empty() {
        return Some(format!("field `{name}`: an enum needs `values = [...]`"));
    }
    if f.ty != FieldType::Enum && !f.values.is_empty() {
        return Some(format!("field `{name}`: only enum fields take `values`"));
    }
    if f.max_length.is_some() && !matches!(f.ty, FieldType::Text | FieldType::Opd) {
        return Some(format!(
            "field `{name}`: only text fields take `max_length`"
        ));
    }
    if f.required && f.internal {
        return Some(format!("field `{name}`: an internal field cannot be required at start; drop `required` or `internal`"));
    }
    None
}

fn parse_set(
    expr: &str,
    target: &FieldDef,
    input: &IndexMap<String, FieldDef>,
    fields: &IndexMap<String, FieldDef>,
) -> Result<SetExpr, String> {
    let e = expr.trim();
    let compatible = |a: FieldType, b: FieldType| {
        a == b
            || matches!(
                (a, b),
                (FieldType::Text, FieldType::Enum)
                    | (FieldType::Enum, FieldType::Text)
                    | (FieldType::Opd, FieldType::Text)
            )
    };
    if let Some(n) = e.strip_prefix("input.") {
        let f = input
            .get(n)
            .ok_or_else(|| format!("this transition has no input `{n}`"))?;
        if !compatible(f.ty, target.ty) {
            return Err(format!(
                "input `{n}` is {} but the field is {}",
                f.ty.name(),
                target.ty.name()
            ));
        }
        return Ok(SetExpr::Input(n.to_owned()));
    }
    if let Some(n) = e.strip_prefix("fields.") {
        let f = fields
            .get(n)
            .ok_or_else(|| format!("unknown field `{n}`"))?;
        if !compatible(f.ty, target.ty) {
            return Err(format!(
                "field `{n}` is {} but the target is {}",
                f.ty.name(),
                target.ty.name()
            ));
        }
        return Ok(SetExpr::Field(n.to_owned()));
    }
    if e == "actor" {
        return if matches!(target.ty, FieldType::Text | FieldType::Reference) {
            Ok(SetExpr::Actor)
        } else {
            Err("`actor` is text".into())
        };
    }
    if e == "now" || e.starts_with("now +") || e.starts_with("now+") {
        if target.ty != FieldType::DateTime {
            return Err("`now` needs a datetime field".into());
        }
        let rest = e
            .trim_start_matches("now")
            .trim()
            .trim_start_matches('+')
            .trim();
        if rest.is_empty() {
            return Ok(SetExpr::Now);
        }
        return crate::Span::parse(rest).map(SetExpr::NowPlus);
    }
    if (e.starts_with('\'') && e.ends_with('\'') && e.len() >= 2)
        || e == "null"
        || e == "true"
        || e == "false"
        || e.parse::<f64>().is_ok()
    {
        let lit = if e.starts_with('\'') {
            serde_json::Value::String(e[1..e.len() - 1].to_owned())
        } else if e == "null" {
            serde_json::Value::Null
        } else if e == "true" || e == "false" {
            serde_json::Value::Bool(e == "true")
        } else {
            serde_json::Value::String(e.to_owned())
        };
        let v =
            crate::value::coerce(target, &lit).map_err(|(_, en)| format!("literal {e}: {en}"))?;
        return Ok(SetExpr::Literal(v));
    }
    Err(format!("`{e}` is not input.NAME, fields.NAME, now, now + DURATION, actor or a literal ('text', a number, true, false, null)"))
}
