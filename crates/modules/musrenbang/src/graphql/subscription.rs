//! The subscription root: live vote counts.

use async_graphql::{Context, Result, Subscription, ID};
use futures_util::Stream;

use super::VoteCount;
use crate::service as svc;
use mufakat_kernel::graphql::{parse_id, state};

#[derive(Default)]
pub struct MusrenbangSubscription;

#[Subscription]
impl MusrenbangSubscription {
    /// Live vote counts of proposals in a region (and below): the situation room.
    async fn vote_counts(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<impl Stream<Item = VoteCount>> {
        let st = state(ctx).clone();
        let region = parse_id("regionId", &region_id)?;
        let mut rx = st.modules.get::<svc::VoteEvents>().0.subscribe();
        Ok(async_stream::stream! {
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        if st.regions.read().await.is_within(ev.region_id, region) {
                            yield VoteCount { proposal_id: ID(ev.proposal_id.to_string()), region_id: ID(ev.region_id.to_string()), cycle_id: ID(ev.cycle_id.to_string()), votes: ev.votes };
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        })
    }
}
