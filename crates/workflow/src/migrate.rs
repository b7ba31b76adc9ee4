//! Moving a running case to a newer version of its definition (as Camunda 8's process instance
//! migration does): a plan maps states that were renamed (others keep their name) and gives
//! defaults for fields the new version requires; each case either moves — its fields checked
//! against the new version's rules, its timers armed by the new definition from the moment of
//! the migration — or is left where it is with the reason.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::engine::{timers_for, Outcome};
use crate::value::coerce;
use crate::{Definition, InstanceSnapshot, When};

/// What a migration does to every case it moves.
#[derive(Debug, Clone, Default)]
pub struct MigrationPlan {
    /// Old state → new state, for states the new version renamed; other states keep their name.
    pub states: BTreeMap<String, String>,
    /// Values for fields the case lacks (fields the new version added, required ones above all).
    pub defaults: Map<String, Value>,
}

/// Why a plan cannot be used with a definition at all (before any case is looked at).
pub fn check_plan(new: &Definition, plan: &MigrationPlan) -> Result<(), (String, String)> {
    for to in plan.states.values() {
        if new.state(to).is_none() {
            return Err((
                format!("Status `{to}` tidak ada di versi baru."),
                format!("State `{to}` does not exist in the new version."),
            ));
        }
    }
    for (k, v) in &plan.defaults {
        let Some(f) = new.fields.get(k) else {
            return Err((
                format!("Isian `{k}` tidak ada di versi baru."),
                format!("Field `{k}` does not exist in the new version."),
            ));
        };
        if let Err(m) = coerce(f, v) {
            return Err((
                format!("Nilai bawaan `{k}` {}.", m.0),
                format!("The default for `{k}` {}.", m.1),
            ));
        }
    }
    Ok(())
}

/// The case as it would be on `new`: an outcome (`migrate`, from → to, all fields, the new
/// state's timers) to persist, or why it cannot move (Indonesian, English).
pub fn migrate(
    new: &Definition,
    inst: &InstanceSnapshot,
    plan: &MigrationPlan,
    when: &When<'_>,
) -> Result<Outcome, (String, String)> {
    let to = plan
        .states
        .get(&inst.state)
        .cloned()
        .unwrap_or_else(|| inst.state.clone());
    let Some(target) = new.state(&to) else {
        return Err((
            format!("Status `{to}` tidak ada di versi baru; petakan ke status yang ada."),
            format!("State `{to}` does not exist in the new version; map it to one that does."),
        ));
    };
    let mut fields = BTreeMap::new();
    for (k, v) in &inst.fields {
        let Some(f) = new.fields.get(k) else {
            return Err((
                format!("Isian `{k}` tidak ada di versi baru."),
                format!("Field `{k}` does not exist in the new version."),
            ));
        };
        match coerce(f, v) {
            Ok(Value::Null) => {}
            Ok(v) => {
                fields.insert(k.clone(), v);
            }
            Err(m) => {
                return Err((
                    format!("Isian `{k}` {} menurut versi baru.", m.0),
                    format!("Field `{k}` {} under the new version.", m.1),
                ))
            }
        }
    }
    let mut changed = vec![];
    for (k, v) in &plan.defaults {
        if !fields.contains_key(k) {
            if let (Some(f), false) = (new.fields.get(k), v.is_null()) {
                let v = coerce(f, v).map_err(|m| (m.0.to_string(), m.1.to_string()))?;
                fields.insert(k.clone(), v);
                changed.push(k.clone());
            }
        }
    }
    if let Some((k, _)) = new
        .fields
        .iter()
        .find(|(k, f)| f.required && !f.internal && !fields.contains_key(*k))
    {
        return Err((
            format!("Versi baru mewajibkan isian `{k}` yang tidak dimiliki kasus ini; beri nilai bawaan."),
            format!("The new version requires field `{k}`, which this case lacks; give a default."),
        ));
    }
    Ok(Outcome {
        transition: "migrate".into(),
        from: inst.state.clone(),
        to: to.clone(),
        changed_fields: changed,
        input: Value::Null,
        comment: None,
        timers: timers_for(new, &to, &fields, when),
        retimed: vec![],
        fields,
        is_final: target.is_final,
    })
}
