//! The cycle type: a planning cycle with its phase, windows and settings.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, SimpleObject, ID};
use mufakat_musrenbang::VoteScope;
use rust_decimal::Decimal;

use crate::service::CycleView;
use mufakat_kernel::graphql::types::Region;

pub struct Cycle(pub CycleView);

#[Object(name = "MusrenbangCycle")]
impl Cycle {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.0.region_id).await
    }
    /// `scheduled`, `submission`, `voting`, `kelurahan_deliberation`, `kecamatan_deliberation`,
    /// `kota_forum` or `closed`; moved by timers at the window times (the cycle's case).
    async fn phase(&self) -> &str {
        &self.0.phase
    }
    /// The case that carries the phases: fire `fireTransition` on it to move a phase early.
    async fn case_id(&self) -> ID {
        ID(self.0.instance_id.to_string())
    }
    /// When each phase opens (RFC 3339), and `closes_at`.
    async fn windows(&self) -> async_graphql::Json<&BTreeMap<String, serde_json::Value>> {
        async_graphql::Json(&self.0.fields)
    }
    async fn max_votes_per_voter(&self) -> i32 {
        self.0.settings.voting.max_per_voter as i32
    }
    async fn vote_scope(&self) -> &str {
        match self.0.settings.voting.scope {
            VoteScope::Kelurahan => "kelurahan",
            VoteScope::Kecamatan => "kecamatan",
        }
    }
    async fn categories(&self) -> &[String] {
        &self.0.settings.categories
    }
    async fn criteria(&self) -> Vec<CriterionGql> {
        self.0
            .settings
            .criteria
            .iter()
            .map(|c| CriterionGql {
                key: c.key.clone(),
                name: c.name.clone(),
                weight: c.weight,
            })
            .collect()
    }
    /// priority = scoreWeight × score / 5 + votesWeight × votes / max votes in the list.
    async fn score_weight(&self) -> Decimal {
        self.0.settings.formula.score_weight
    }
    async fn votes_weight(&self) -> Decimal {
        self.0.settings.formula.votes_weight
    }
}

#[derive(SimpleObject)]
#[graphql(name = "ScoringCriterion")]
pub struct CriterionGql {
    pub key: String,
    pub name: String,
    pub weight: Decimal,
}
