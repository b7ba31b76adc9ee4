//! The GraphQL schema. Resolvers are thin: parse input, call a service, map the result.
//! Errors are `AppError`s carried as the error's source and turned into coded, localised
//! errors in one place ([`errors::finish_response`]).

pub use mufakat_module_allocation::graphql as allocation;
pub use mufakat_module_eaudit::graphql as eaudit;
pub use mufakat_module_monev::graphql as monev;
pub use mufakat_module_musrenbang::graphql as musrenbang;
pub use mufakat_module_procurement::graphql as procurement;
pub use mufakat_module_tender::graphql as tender;
pub mod parse_cache;
pub mod response_cache;

use mufakat_kernel::graphql::{accounts_mutation as mutation, accounts_query as query};
pub use mufakat_kernel::graphql::{
    cases, clock, errors, limits, opds, page_size, parse_id, publication, req, require_user,
    signatories, state, types, RequestCtx, EXPENSIVE, HISTORY_MAX,
};

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::AppState;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    query::AccountsQuery,
    cases::CasesQuery,
    clock::ClockQuery,
    publication::PublicationQuery,
    signatories::SignatoryQuery,
    opds::OpdQuery,
    musrenbang::MusrenbangQuery,
    allocation::AllocationQuery,
    procurement::ProcurementQuery,
    tender::TenderQuery,
    monev::MonevQuery,
    eaudit::EauditQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::AccountsMutation,
    cases::CasesMutation,
    clock::ClockMutation,
    signatories::SignatoryMutation,
    opds::OpdMutation,
    musrenbang::MusrenbangMutation,
    allocation::AllocationMutation,
    procurement::ProcurementMutation,
    tender::TenderMutation,
    monev::MonevMutation,
    eaudit::EauditMutation,
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(musrenbang::MusrenbangSubscription, monev::MonevSubscription);

pub type MufakatSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

pub fn build_schema(
    state: Option<AppState>,
    max_depth: usize,
    max_complexity: usize,
    max_fields: u64,
) -> MufakatSchema {
    let mut b = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(max_depth)
    .limit_complexity(max_complexity)
    .limit_recursive_depth(64)
    .limit_directives(16)
    .extension(limits::FieldBudget { max: max_fields })
    .extension(mufakat_kernel::metrics::OperationMetrics);
    if let Some(s) = state {
        b = b.data(s);
    }
    b.finish()
}

/// The SDL checked in at `graphql/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, usize::MAX, usize::MAX, u64::MAX).sdl()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The WebSocket endpoint runs requests as streams: the same extension refuses them there.
    #[tokio::test]
    async fn the_schema_refuses_a_bomb_on_every_transport() {
        use futures_util::StreamExt;
        let schema = build_schema(None, 16, 1000, 2000);
        let resp = schema.execute(limits::bomb(40)).await;
        assert!(
            resp.errors[0].message.contains(limits::TOO_MANY_FIELDS),
            "{resp:?}"
        );
        let mut stream = schema.execute_stream(limits::bomb(40));
        let first = stream.next().await.unwrap();
        assert!(
            first.errors[0].message.contains(limits::TOO_MANY_FIELDS),
            "{first:?}"
        );
        // Within the limit it runs.
        let ok = schema.execute(limits::bomb(8)).await;
        assert!(ok.errors.is_empty(), "{ok:?}");
    }
}
