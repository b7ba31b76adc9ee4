//! The pure engine: `(definition, instance, transition, actor, input, when) -> outcome`, where
//! `when` is the time and the working calendar of the case's region.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::definition::{Definition, SetExpr, TimerWhen, Transition};
use crate::value::{coerce, format_datetime, parse_datetime};
use crate::{Calendar, Lang, OWNER, SYSTEM};

/// What the engine needs to know about an instance.
#[derive(Debug, Clone)]
pub struct InstanceSnapshot {
    pub id: String,
    pub state: String,
    pub fields: BTreeMap<String, Value>,
    /// The user who started it (for the `owner` pseudo-role).
    pub created_by: Option<String>,
    pub state_entered_at: DateTime<Utc>,
}

/// Who fires: their id and the roles they hold for the instance's region (the server decides
/// those, through casbin).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub roles: BTreeSet<String>,
    pub is_system: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledTimer {
    pub name: String,
    pub transition: String,
    pub due_at: DateTime<Utc>,
}

/// The result of a transition, for the server to persist atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub transition: String,
    pub from: String,
    pub to: String,
    /// The instance's fields after the transition (all of them).
    pub fields: BTreeMap<String, Value>,
    pub changed_fields: Vec<String>,
    /// The validated, normalised input (a JSON object; decimals as strings).
    pub input: Value,
    pub comment: Option<String>,
    /// Timers to arm for the new state (when the state changed), or, on a transition back
    /// into the same state, the timers whose `at` field it changed, armed at their new time.
    pub timers: Vec<ScheduledTimer>,
    /// On a transition back into the same state: the timers whose `at` field it changed. Their
    /// pending rows are cancelled and `timers` holds their new schedule (none when the field
    /// was unset).
    pub retimed: Vec<String>,
    pub is_final: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkflowError {
    #[error("unknown transition `{0}`")]
    UnknownTransition(String),
    #[error("transition `{transition}` is not possible in state `{state}`")]
    NotAvailableInState {
        transition: String,
        state: String,
        /// The titles people read (the names when the file has none for them), and in English
        /// (`title_en`, or the names in words).
        transition_title: String,
        state_title: String,
        transition_title_en: String,
        state_title_en: String,
    },
    #[error("not allowed: `{transition}` needs one of the roles {roles:?}")]
    NotAllowed {
        transition: String,
        roles: Vec<String>,
    },
    #[error("guard failed: {guard}")]
    GuardFailed {
        guard: String,
        message: Option<String>,
        message_en: Option<String>,
    },
    #[error("invalid input")]
    Validation(Vec<(String, String, String)>),
    #[error("a comment is required")]
    CommentRequired,
    #[error("the case is finished")]
    Finished,
}

impl WorkflowError {
    /// The server's error code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::UnknownTransition(_) => "NOT_FOUND",
            WorkflowError::NotAvailableInState { .. } | WorkflowError::Finished => "CONFLICT",
            WorkflowError::NotAllowed { .. } => "FORBIDDEN",
            WorkflowError::GuardFailed { .. }
            | WorkflowError::Validation(_)
            | WorkflowError::CommentRequired => "VALIDATION",
        }
    }

    /// A stable code naming the variant, for clients and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            WorkflowError::UnknownTransition(_) => "UNKNOWN_TRANSITION",
            WorkflowError::NotAvailableInState { .. } => "NOT_AVAILABLE_IN_STATE",
            WorkflowError::NotAllowed { .. } => "NOT_ALLOWED",
            WorkflowError::GuardFailed { .. } => "GUARD_FAILED",
            WorkflowError::Validation(_) => "VALIDATION",
            WorkflowError::CommentRequired => "COMMENT_REQUIRED",
            WorkflowError::Finished => "FINISHED",
        }
    }

    /// `(field, Indonesian, English)` for validation errors.
    pub fn field_errors(&self) -> Vec<(String, String, String)> {
        match self {
            WorkflowError::Validation(v) => v.clone(),
            WorkflowError::CommentRequired => vec![(
                "comment".into(),
                "Alasan/komentar wajib diisi.".into(),
                "A comment is required.".into(),
            )],
            _ => vec![],
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let (id, en) = match self {
            WorkflowError::UnknownTransition(t) => (format!("Tindakan `{t}` tidak dikenal."), format!("Unknown action `{t}`.")),
            WorkflowError::NotAvailableInState { transition_title, state_title, transition_title_en, state_title_en, .. } => (
                format!("Tindakan “{transition_title}” tidak dapat dilakukan pada status “{state_title}”. Muat ulang untuk melihat status terbaru."),
                format!("The action “{transition_title_en}” is not possible in the status “{state_title_en}”. Reload to see the current status."),
            ),
            WorkflowError::NotAllowed { transition, roles } => {
                let who = roles.iter().map(|r| if r == OWNER { "pembuat/pemohon" } else { r.as_str() }).collect::<Vec<_>>().join(", ");
                let who_en = roles.iter().map(|r| if r == OWNER { "the applicant" } else { r.as_str() }).collect::<Vec<_>>().join(", ");
                (
                    format!("Anda tidak berwenang melakukan `{transition}`; hanya: {who}."),
                    format!("You are not allowed to do `{transition}`; only: {who_en}."),
                )
            }
            WorkflowError::GuardFailed { guard, message, message_en } => match message {
                Some(m) => (m.clone(), message_en.clone().unwrap_or_else(|| m.clone())),
                None => (format!("Syarat belum terpenuhi: {guard}"), format!("A condition is not met: {guard}")),
            },
            WorkflowError::Validation(v) => (
                v.iter().map(|(f, id, _)| format!("{f}: {id}")).collect::<Vec<_>>().join("; "),
                v.iter().map(|(f, _, en)| format!("{f}: {en}")).collect::<Vec<_>>().join("; "),
            ),
            WorkflowError::CommentRequired => ("Alasan/komentar wajib diisi.".into(), "A comment is required.".into()),
            WorkflowError::Finished => ("Proses ini sudah selesai.".into(), "This case is finished.".into()),
        };
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

fn may_fire(t: &Transition, actor: &Actor, owner: bool) -> bool {
    if actor.is_system {
        return t.roles.iter().any(|r| r == SYSTEM);
    }
    t.roles
        .iter()
        .any(|r| actor.roles.contains(r) || (r == OWNER && owner))
}

fn validate(
    defs: &indexmap::IndexMap<String, crate::FieldDef>,
    input: &Map<String, Value>,
    errors: &mut Vec<(String, String, String)>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for k in input.keys() {
        if !defs.contains_key(k) {
            errors.push((
                k.clone(),
                "isian ini tidak dikenal".into(),
                "unknown input".into(),
            ));
        }
    }
    for (name, def) in defs {
        let raw = input.get(name).cloned().unwrap_or(Value::Null);
        match coerce(def, &raw) {
            Ok(Value::Null) if def.required => {
                errors.push((name.clone(), "wajib diisi".into(), "is required".into()))
            }
            Ok(Value::Null) => {}
            Ok(v) => {
                out.insert(name.clone(), v);
            }
            Err((id, en)) => errors.push((name.clone(), id, en)),
        }
    }
    out
}

pub(crate) fn timers_for(
    def: &Definition,
    state: &str,
    fields: &BTreeMap<String, Value>,
    when: &When<'_>,
) -> Vec<ScheduledTimer> {
    def.timers
        .iter()
        .filter(|t| t.state == state)
        .filter_map(|t| {
            let due_at = match &t.when {
                TimerWhen::After(d) => d.after(when.now, when.calendar, when.region),
                TimerWhen::At(f) => parse_datetime(fields.get(f)?)?,
            };
            Some(ScheduledTimer {
                name: t.name.clone(),
                transition: t.transition.clone(),
                due_at,
            })
        })
        .collect()
}

/// The moment a transition happens, with the working calendar of the case's region (its
/// codes from the top, for regional days off).
pub struct When<'a> {
    pub now: DateTime<Utc>,
    pub calendar: &'a Calendar,
    pub region: &'a [String],
}

impl When<'static> {
    /// `now` on [`Calendar::plain`] (Monday to Friday, no holidays).
    pub fn plain(now: DateTime<Utc>) -> When<'static> {
        static PLAIN: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
        When {
            now,
            calendar: PLAIN.get_or_init(Calendar::plain),
            region: &[],
        }
    }
}

/// [`start_when`] on the plain calendar.
pub fn start(
    def: &Definition,
    actor: &Actor,
    input: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<Outcome, WorkflowError> {
    start_when(def, actor, input, &When::plain(now))
}

/// Starts an instance: input is checked against the definition's fields.
pub fn start_when(
    def: &Definition,
    actor: &Actor,
    input: &Map<String, Value>,
    when: &When<'_>,
) -> Result<Outcome, WorkflowError> {
    // The system starts only what names it among the start roles; people only what names one
    // of their roles.
    let allowed = if actor.is_system {
        def.start_roles.iter().any(|r| r == crate::SYSTEM)
    } else {
        def.start_roles.iter().any(|r| actor.roles.contains(r))
    };
    if !allowed {
        return Err(WorkflowError::NotAllowed {
            transition: "start".into(),
            roles: def.start_roles.clone(),
        });
    }
    let open: indexmap::IndexMap<String, crate::FieldDef> = def
        .fields
        .iter()
        .filter(|(_, f)| !f.internal)
        .map(|(k, f)| (k.clone(), f.clone()))
        .collect();
    let mut errors = vec![];
    let fields = validate(&open, input, &mut errors);
    for e in errors.iter_mut() {
        if def.fields.get(&e.0).is_some_and(|f| f.internal) {
            e.1 = "diisi oleh petugas dalam proses, bukan saat pengajuan".into();
            e.2 = "is set during the process, not when starting".into();
        }
    }
    if !errors.is_empty() {
        return Err(WorkflowError::Validation(errors));
    }
    let fields: BTreeMap<String, Value> = fields.into_iter().collect();
    let initial = def.initial_state();
    Ok(Outcome {
        transition: "start".into(),
        from: String::new(),
        to: initial.name.clone(),
        changed_fields: fields.keys().cloned().collect(),
        input: Value::Object(fields.clone().into_iter().collect()),
        timers: timers_for(def, &initial.name, &fields, when),
        retimed: vec![],
        fields,
        comment: None,
        is_final: false,
    })
}

/// [`fire_when`] on the plain calendar.
pub fn fire(
    def: &Definition,
    inst: &InstanceSnapshot,
    transition: &str,
    actor: &Actor,
    input: &Map<String, Value>,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome, WorkflowError> {
    fire_when(
        def,
        inst,
        transition,
        actor,
        input,
        comment,
        &When::plain(now),
    )
}

/// Fires `transition` on `inst`.
pub fn fire_when(
    def: &Definition,
    inst: &InstanceSnapshot,
    transition: &str,
    actor: &Actor,
    input: &Map<String, Value>,
    comment: Option<&str>,
    when: &When<'_>,
) -> Result<Outcome, WorkflowError> {
    let now = when.now;
    if !def.transitions.iter().any(|t| t.name == transition) {
        return Err(WorkflowError::UnknownTransition(transition.to_owned()));
    }
    if def.state(&inst.state).is_some_and(|s| s.is_final) {
        return Err(WorkflowError::Finished);
    }
    let t = def
        .transition_from(transition, &inst.state)
        .ok_or_else(|| {
            let named = def.transitions.iter().find(|t| t.name == transition);
            let state = def.state(&inst.state);
            let words = |n: &str| n.replace('_', " ");
            WorkflowError::NotAvailableInState {
                transition: transition.to_owned(),
                state: inst.state.clone(),
                transition_title: named.map_or_else(|| transition.to_owned(), |t| t.title.clone()),
                state_title: state.map_or_else(|| inst.state.clone(), |s| s.title.clone()),
                transition_title_en: named
                    .and_then(|t| t.title_en.clone())
                    .unwrap_or_else(|| words(transition)),
                state_title_en: state
                    .and_then(|s| s.title_en.clone())
                    .unwrap_or_else(|| words(&inst.state)),
            }
        })?;
    let owner = !actor.is_system && inst.created_by.as_deref() == Some(actor.id.as_str());
    if !may_fire(t, actor, owner) {
        return Err(WorkflowError::NotAllowed {
            transition: t.name.clone(),
            roles: t.roles.iter().filter(|r| *r != SYSTEM).cloned().collect(),
        });
    }
    let comment = comment
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if t.comment_required && comment.is_none() {
        return Err(WorkflowError::CommentRequired);
    }
    if let Some(c) = &comment {
        if c.chars().count() > 4000 {
            return Err(WorkflowError::Validation(vec![(
                "comment".into(),
                "paling banyak 4000 karakter".into(),
                "at most 4000 characters".into(),
            )]));
        }
    }
    let mut errors = vec![];
    let clean = validate(&t.input, input, &mut errors);
    if !errors.is_empty() {
        return Err(WorkflowError::Validation(errors));
    }
    let field_map: Map<String, Value> = inst.fields.clone().into_iter().collect();
    if let Some(g) = &t.guard {
        if !g.eval(&field_map, &clean, now) {
            return Err(WorkflowError::GuardFailed {
                guard: g.source.clone(),
                message: t.guard_message.clone(),
                message_en: t.guard_message_en.clone(),
            });
        }
    }
    // Input named like a field is copied into it; `set` then assigns computed values. Every
    // value is checked against the target field's own rules (e.g. a shorter max_length).
    let mut assignments: Vec<(&String, Value, Option<&String>)> = vec![];
    for (k, v) in &clean {
        if let Some(k) = def.fields.keys().find(|f| *f == k) {
            assignments.push((k, v.clone(), Some(k)));
        }
    }
    for (target, expr) in &t.set {
        let (v, from_input) = match expr {
            // Optional input not given leaves the field as it is.
            SetExpr::Input(n) => match clean.get(n) {
                Some(v) => (v.clone(), Some(n)),
                None => continue,
            },
            SetExpr::Field(n) => (inst.fields.get(n).cloned().unwrap_or(Value::Null), None),
            SetExpr::Now => (Value::String(format_datetime(now)), None),
            SetExpr::NowPlus(d) => (
                Value::String(format_datetime(d.after(now, when.calendar, when.region))),
                None,
            ),
            SetExpr::Literal(v) => (v.clone(), None),
            SetExpr::Actor => (Value::String(actor.id.clone()), None),
        };
        assignments.push((target, v, from_input));
    }
    let mut fields = inst.fields.clone();
    let mut changed: Vec<String> = vec![];
    for (target, v, from_input) in assignments {
        let v = match def.fields.get(target) {
            Some(fd) => match coerce(fd, &v) {
                Ok(v) => v,
                Err((id, en)) => {
                    errors.push((from_input.unwrap_or(target).clone(), id, en));
                    continue;
                }
            },
            None => v,
        };
        if fields.get(target) != Some(&v) {
            if v.is_null() {
                fields.remove(target);
            } else {
                fields.insert(target.clone(), v);
            }
            if !changed.contains(target) {
                changed.push(target.clone());
            }
        }
    }
    if !errors.is_empty() {
        return Err(WorkflowError::Validation(errors));
    }
    let moved = t.to != inst.state;
    // Staying in the state keeps its timers, except those waiting for a field this transition
    // changed (a deadline moved by an amendment): they are armed again at the new time.
    let retimed: Vec<String> = if moved {
        vec![]
    } else {
        def.timers
            .iter()
            .filter(|d| d.state == t.to)
            .filter(|d| matches!(&d.when, TimerWhen::At(f) if changed.contains(f)))
            .map(|d| d.name.clone())
            .collect()
    };
    let timers = if moved {
        timers_for(def, &t.to, &fields, when)
    } else {
        timers_for(def, &t.to, &fields, when)
            .into_iter()
            .filter(|s| retimed.contains(&s.name))
            .collect()
    };
    Ok(Outcome {
        transition: t.name.clone(),
        from: inst.state.clone(),
        to: t.to.clone(),
        fields,
        changed_fields: changed,
        input: Value::Object(clean),
        comment,
        timers,
        retimed,
        is_final: def.state(&t.to).is_some_and(|s| s.is_final),
    })
}

/// Transitions `actor` may fire from the instance's state, judged at the current time. See
/// [`available_at`].
pub fn available<'a>(
    def: &'a Definition,
    inst: &InstanceSnapshot,
    actor: &Actor,
) -> Vec<&'a Transition> {
    available_at(def, inst, actor, Utc::now())
}

/// Transitions `actor` may fire from the instance's state at `now`: state and role match, and
/// the guard holds when it can be judged without input (transitions taking input are listed;
/// their guard is checked when fired). Timer-only transitions are not listed.
pub fn available_at<'a>(
    def: &'a Definition,
    inst: &InstanceSnapshot,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<&'a Transition> {
    let owner = !actor.is_system && inst.created_by.as_deref() == Some(actor.id.as_str());
    let fields: Map<String, Value> = inst.fields.clone().into_iter().collect();
    def.transitions
        .iter()
        .filter(|t| t.from.contains(&inst.state))
        .filter(|t| !t.roles.iter().all(|r| r == SYSTEM))
        .filter(|t| may_fire(t, actor, owner))
        .filter(|t| match &t.guard {
            Some(g) if t.input.is_empty() => g.eval(&fields, &Map::new(), now),
            _ => true,
        })
        .collect()
}
