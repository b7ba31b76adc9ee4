//! What a workflow file publishes about its cases, declared in the file (no Rust per service):
//!
//! - `[register]`: a public register of the cases and their outcomes, names withheld (the PPID
//!   register of UU 14/2008). Only the fields listed are shown, never who asked or acted.
//! - `[service_level]`: how the service-level report (received, served on time, late, median
//!   working days, per unit) reads the cases.

use serde::Deserialize;
use toml::Spanned;

use crate::definition::{FieldDef, FieldType, StateDef};

/// `[register]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterDef {
    /// The fields shown for each case, in this order.
    pub fields: Vec<String>,
}

/// `[service_level]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLevelDef {
    /// The unit that serves every case of the workflow (e.g. `PPID Utama`), unless
    /// `unit_field` names one per case.
    pub unit: Option<String>,
    /// A text field naming the unit (OPD) that serves the case (LAPOR's `opd`).
    pub unit_field: Option<String>,
    /// States that count as served: the first time a case enters one is its service time.
    pub served: Vec<String>,
    /// A boolean field the file sets when a service level was missed.
    pub late_field: Option<String>,
    /// A date or datetime field with the deadline: served after it (or unserved past it) is
    /// late.
    pub due_field: Option<String>,
}

impl ServiceLevelDef {
    /// The unit a case is served by, from its fields.
    pub fn unit_of(&self, fields: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
        match &self.unit_field {
            Some(f) => fields
                .get(f)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            None => self.unit.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegister {
    fields: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServiceLevel {
    unit: Option<String>,
    unit_field: Option<Spanned<String>>,
    served: Spanned<Vec<Spanned<String>>>,
    late_field: Option<Spanned<String>>,
    due_field: Option<Spanned<String>>,
}

/// Checks `[register]`: every field exists. Problems go to `err(offset, message)`.
pub(crate) fn register(
    raw: &Spanned<RawRegister>,
    fields: &indexmap::IndexMap<String, FieldDef>,
    err: &mut dyn FnMut(usize, String),
) -> RegisterDef {
    let r = raw.get_ref();
    if r.fields.is_empty() {
        err(
            raw.span().start,
            "[register] lists no `fields`: name what the public register shows".into(),
        );
    }
    for f in &r.fields {
        if !fields.contains_key(f.get_ref()) {
            err(
                f.span().start,
                format!(
                    "[register] field `{}` is not a field of this workflow",
                    f.get_ref()
                ),
            );
        }
    }
    RegisterDef {
        fields: r.fields.iter().map(|f| f.get_ref().clone()).collect(),
    }
}

/// Checks `[service_level]` against the file's fields and states.
pub(crate) fn service_level(
    raw: &Spanned<RawServiceLevel>,
    fields: &indexmap::IndexMap<String, FieldDef>,
    states: &[StateDef],
    err: &mut dyn FnMut(usize, String),
) -> ServiceLevelDef {
    let r = raw.get_ref();
    let mut field_of = |f: &Option<Spanned<String>>, types: &[FieldType], what: &str| {
        if let Some(f) = f {
            match fields.get(f.get_ref()) {
                Some(def) if types.contains(&def.ty) => {}
                Some(def) => err(
                    f.span().start,
                    format!(
                        "[service_level] `{what}` names `{}`, a {} field; it must be {}",
                        f.get_ref(),
                        def.type_name(),
                        types
                            .iter()
                            .map(|t| t.name())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                ),
                None => err(
                    f.span().start,
                    format!(
                        "[service_level] `{what}`: `{}` is not a field of this workflow",
                        f.get_ref()
                    ),
                ),
            }
        }
        f.as_ref().map(|f| f.get_ref().clone())
    };
    let unit_field = field_of(
        &r.unit_field,
        &[FieldType::Text, FieldType::Enum, FieldType::Opd],
        "unit_field",
    );
    let late_field = field_of(&r.late_field, &[FieldType::Boolean], "late_field");
    let due_field = field_of(
        &r.due_field,
        &[FieldType::Date, FieldType::DateTime],
        "due_field",
    );
    if r.unit.is_some() == unit_field.is_some() {
        err(
            raw.span().start,
            "[service_level] needs exactly one of `unit` (one unit serves every case) and `unit_field`".into(),
        );
    }
    if late_field.is_none() && due_field.is_none() {
        err(
            raw.span().start,
            "[service_level] needs `late_field` or `due_field` to tell a late case".into(),
        );
    }
    if r.served.get_ref().is_empty() {
        err(
            r.served.span().start,
            "[service_level] `served` is empty: name the states that count as served".into(),
        );
    }
    for s in r.served.get_ref() {
        match states.iter().find(|x| &x.name == s.get_ref()) {
            Some(st) if st.initial => err(
                s.span().start,
                format!(
                    "[service_level] `served`: `{}` is the initial state",
                    s.get_ref()
                ),
            ),
            Some(_) => {}
            None => err(
                s.span().start,
                format!(
                    "[service_level] `served`: `{}` is not a state of this workflow",
                    s.get_ref()
                ),
            ),
        }
    }
    ServiceLevelDef {
        unit: r.unit.clone(),
        unit_field,
        served: r
            .served
            .get_ref()
            .iter()
            .map(|s| s.get_ref().clone())
            .collect(),
        late_field,
        due_field,
    }
}
