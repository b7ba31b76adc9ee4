//! The subscription root: monev's live changes (the situation room).

use async_graphql::{Context, Result, Subscription, ID};
use futures_util::Stream;
use mufakat_kernel::graphql::{parse_id, state};

use super::types::MonevChange;
use crate::runtime;

#[derive(Default)]
pub struct MonevSubscription;

#[Subscription]
impl MonevSubscription {
    /// Changes of activities in a region (and below): a report submitted, verified, returned
    /// or late, a flag raised or acted on. Heard from every node (PostgreSQL NOTIFY).
    async fn monev_changes(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
    ) -> Result<impl Stream<Item = MonevChange>> {
        let st = state(ctx).clone();
        let region = parse_id("regionId", &region_id)?;
        let mut rx = runtime::slot(&st).events.subscribe();
        Ok(async_stream::stream! {
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        if st.regions.read().await.is_within(ev.region_id, region) {
                            yield MonevChange {
                                kind: ev.kind,
                                activity_id: ID(ev.activity_id.to_string()),
                                region_id: ID(ev.region_id.to_string()),
                                report_id: ev.report_id.map(|i| ID(i.to_string())),
                                flag_id: ev.flag_id.map(|i| ID(i.to_string())),
                                period: ev.period,
                            };
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                }
            }
        })
    }
}
