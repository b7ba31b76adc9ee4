//! Scoring and the priority list.
//!
//! Score of a proposal: the weighted mean of its criteria values (each 1-5):
//! `score = Σ(weight_i × value_i) / Σ weight_i` (exact Decimal).
//! Priority: `w_score × score / 5 + w_votes × votes / max_votes`, where `max_votes` is the
//! largest vote count in the list (the vote term is 0 when nobody voted). Both weights are
//! configurable per cycle (default 0.6 and 0.4). Unscored proposals have score 0.
//! Ties are broken deterministically: higher priority, then higher score, then more votes, then
//! lower cost, then the lower proposal id (the older proposal).

use std::collections::BTreeMap;

use mufakat_core::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: Decimal,
}

pub fn default_criteria() -> Vec<Criterion> {
    vec![
        Criterion {
            key: "urgency".into(),
            name: "Tingkat kedaruratan".into(),
            weight: Decimal::from(3),
        },
        Criterion {
            key: "beneficiaries".into(),
            name: "Jumlah penerima manfaat".into(),
            weight: Decimal::from(2),
        },
        Criterion {
            key: "alignment".into(),
            name: "Kesesuaian dengan prioritas daerah".into(),
            weight: Decimal::from(2),
        },
        Criterion {
            key: "feasibility".into(),
            name: "Kelayakan pelaksanaan".into(),
            weight: Decimal::from(1),
        },
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityFormula {
    pub score_weight: Decimal,
    pub votes_weight: Decimal,
}

impl Default for PriorityFormula {
    fn default() -> Self {
        PriorityFormula {
            score_weight: Decimal::new(6, 1),
            votes_weight: Decimal::new(4, 1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("unknown criterion `{0}`")]
    UnknownCriterion(String),
    #[error("criterion `{0}` must be scored 1 to 5")]
    OutOfRange(String),
    #[error("criterion `{0}` is missing")]
    Missing(String),
}

/// The weighted score (1-5) from one set of values; every criterion must be scored.
pub fn weighted_score(
    criteria: &[Criterion],
    values: &BTreeMap<String, u8>,
) -> Result<Decimal, ScoreError> {
    for k in values.keys() {
        if !criteria.iter().any(|c| &c.key == k) {
            return Err(ScoreError::UnknownCriterion(k.clone()));
        }
    }
    let mut num = Decimal::ZERO;
    let mut den = Decimal::ZERO;
    for c in criteria {
        let v = *values
            .get(&c.key)
            .ok_or_else(|| ScoreError::Missing(c.key.clone()))?;
        if !(1..=5).contains(&v) {
            return Err(ScoreError::OutOfRange(c.key.clone()));
        }
        num += c.weight * Decimal::from(v);
        den += c.weight;
    }
    if den.is_zero() {
        return Ok(Decimal::ZERO);
    }
    Ok((num / den).round_dp(4))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreInput {
    pub id: i32,
    pub score: Option<Decimal>,
    pub votes: u64,
    pub cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankedProposal {
    pub rank: u32,
    pub id: i32,
    pub score: Decimal,
    pub votes: u64,
    pub cost: Money,
    pub priority: Decimal,
}

pub fn rank(items: &[ScoreInput], formula: PriorityFormula) -> Vec<RankedProposal> {
    let max_votes = items.iter().map(|i| i.votes).max().unwrap_or(0);
    let five = Decimal::from(5);
    let mut out: Vec<RankedProposal> = items
        .iter()
        .map(|i| {
            let score = i.score.unwrap_or(Decimal::ZERO);
            let vote_term = if max_votes == 0 {
                Decimal::ZERO
            } else {
                Decimal::from(i.votes) / Decimal::from(max_votes)
            };
            let priority = (formula.score_weight * score / five + formula.votes_weight * vote_term)
                .round_dp(6);
            RankedProposal {
                rank: 0,
                id: i.id,
                score,
                votes: i.votes,
                cost: i.cost,
                priority,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.score.cmp(&a.score))
            .then(b.votes.cmp(&a.votes))
            .then(a.cost.cmp(&b.cost))
            .then(a.id.cmp(&b.id))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn weighted_score_is_exact() {
        let c = default_criteria();
        let v: BTreeMap<String, u8> = [
            ("urgency", 5),
            ("beneficiaries", 4),
            ("alignment", 3),
            ("feasibility", 2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // (15 + 8 + 6 + 2) / 8 = 3.875
        assert_eq!(weighted_score(&c, &v).unwrap(), Decimal::new(3875, 3));
        let mut bad = v.clone();
        bad.insert("urgency".into(), 6);
        assert!(matches!(
            weighted_score(&c, &bad),
            Err(ScoreError::OutOfRange(_))
        ));
        let mut missing = v;
        missing.remove("alignment");
        assert!(matches!(
            weighted_score(&c, &missing),
            Err(ScoreError::Missing(_))
        ));
    }

    #[test]
    fn ranking_combines_score_and_votes_with_deterministic_ties() {
        let items = vec![
            ScoreInput {
                id: 1,
                score: Some(Decimal::from(4)),
                votes: 10,
                cost: m("100"),
            },
            ScoreInput {
                id: 2,
                score: Some(Decimal::from(5)),
                votes: 0,
                cost: m("100"),
            },
            ScoreInput {
                id: 3,
                score: Some(Decimal::from(4)),
                votes: 10,
                cost: m("50"),
            },
            ScoreInput {
                id: 4,
                score: None,
                votes: 20,
                cost: m("10"),
            },
        ];
        let r = rank(&items, PriorityFormula::default());
        // id1/id3: 0.6*0.8 + 0.4*0.5 = 0.68; id2: 0.6; id4: 0.4
        assert_eq!(r.iter().map(|x| x.id).collect::<Vec<_>>(), vec![3, 1, 2, 4]);
        assert_eq!(r[0].rank, 1);
        assert_eq!(r[0].priority, Decimal::new(68, 2));
    }
}
