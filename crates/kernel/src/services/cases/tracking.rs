//! Tracking codes: a resident follows a public-service case (a complaint, a permit) by a code
//! printed when it starts, without an account, as a permit portal lets one check a permit's
//! progress. The code is the case's id and a keyed MAC of it (`1234-7KQ2M9XA`), so it cannot
//! be guessed from another case's code; what it shows is the case's workflow, its state and
//! the steps it went through, never who acted, their comments or the fields.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use mufakat_core::{AppError, AppResult, Lang};
use mufakat_store::entity::workflow_instance as wi;
use mufakat_store::DbResultExt;
use sea_orm::EntityTrait;
use sha2::Sha256;

use crate::AppState;

/// Letters and digits that are not misread (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn mac(state: &AppState, case_id: i32) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(&state.nik_key).expect("any key length");
    m.update(b"mufakat-case-tracking|");
    m.update(case_id.to_string().as_bytes());
    let bytes = m.finalize().into_bytes();
    // 40 bits, 8 characters of 5 bits.
    let mut v: u64 = 0;
    for b in &bytes[..5] {
        v = (v << 8) | u64::from(*b);
    }
    (0..8)
        .rev()
        .map(|i| ALPHABET[((v >> (i * 5)) & 31) as usize] as char)
        .collect()
}

pub fn code(state: &AppState, case_id: i32) -> String {
    format!("{case_id}-{}", mac(state, case_id))
}

/// The case a code names, when the code is right (spaces and case ignored).
pub fn parse(state: &AppState, code: &str) -> Option<i32> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let (id, m) = code.split_once('-')?;
    let id: i32 = id.parse().ok()?;
    let want = mac(state, id);
    (want.len() == m.len() && want.bytes().zip(m.bytes()).all(|(a, b)| a == b)).then_some(id)
}

pub struct Step {
    pub at: DateTime<Utc>,
    pub title: String,
    pub state_title: String,
}

/// A deadline still pending on a case: what happens when (a timer's transition and its time).
pub struct Deadline {
    pub at: DateTime<Utc>,
    pub transition: String,
    pub title: String,
}

/// The pending deadlines of a case, soonest first.
pub async fn deadlines(
    state: &AppState,
    case_id: i32,
    workflow: &str,
    lang: Lang,
) -> AppResult<Vec<Deadline>> {
    use mufakat_store::entity::workflow_timer as wt;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let rows = wt::Entity::find()
        .filter(wt::Column::InstanceId.eq(case_id))
        .filter(wt::Column::FiredAt.is_null())
        .order_by_asc(wt::Column::DueAt)
        .all(&state.db)
        .await
        .db()?;
    Ok(rows
        .into_iter()
        .map(|t| Deadline {
            at: t.due_at,
            title: state
                .workflows
                .transition_title(workflow, &t.transition, lang),
            transition: t.transition,
        })
        .collect())
}

pub struct Tracked {
    pub code: String,
    pub workflow: String,
    pub workflow_title: String,
    pub state: String,
    pub state_title: String,
    pub is_final: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub steps: Vec<Step>,
    pub deadlines: Vec<Deadline>,
}

/// What a code shows. A wrong code and a case of a module's own workflow (those have their own
/// pages) are both `NOT_FOUND`.
pub async fn track(state: &AppState, code: &str, lang: Lang) -> AppResult<Tracked> {
    let not_found = || AppError::NotFound { entity: "instance" };
    let id = parse(state, code).ok_or_else(not_found)?;
    let m = wi::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .db()?
        .ok_or_else(not_found)?;
    let d = state.workflows.get(m.definition_id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("definition {} not loaded", m.definition_id))
    })?;
    if state.owned_workflows.iter().any(|w| w.name == d.def.name) {
        return Err(not_found());
    }
    let events = crate::audit_log::history(&state.db, &d.def.name, &id.to_string(), 0, 200).await?;
    let pending = deadlines(state, id, &d.def.name, lang).await?;
    let reg = &state.workflows;
    let is_final = d.def.states.iter().any(|s| s.name == m.state && s.is_final);
    Ok(Tracked {
        code: super::tracking::code(state, id),
        workflow: d.def.name.clone(),
        workflow_title: d.def.title.clone(),
        state_title: reg.state_title(&d.def.name, &m.state, lang),
        state: m.state,
        is_final,
        created_at: m.created_at,
        updated_at: m.updated_at,
        steps: events
            .into_iter()
            .map(|e| Step {
                at: e.at,
                title: if e.transition == "start" || e.from_state.is_empty() {
                    match lang {
                        Lang::Id => "Diajukan".to_owned(),
                        Lang::En => "Submitted".to_owned(),
                    }
                } else {
                    reg.transition_title(&d.def.name, &e.transition, lang)
                },
                state_title: reg.state_title(&d.def.name, &e.to_state, lang),
            })
            .collect(),
        deadlines: pending,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_alphabet_has_no_letters_people_misread() {
        let a = std::str::from_utf8(super::ALPHABET).unwrap();
        assert_eq!(a.len(), 32);
        for c in ['I', 'L', 'O', 'U'] {
            assert!(!a.contains(c));
        }
    }
}
