//! The GraphQL schema. Resolvers are thin: parse input, call a service, map the result.
//! Errors are `AppError`s carried as the error's source and turned into coded, localised
//! errors in one place ([`errors::finish_response`]).

mod allocation;
mod cases;
pub mod errors;
pub mod limits;
pub mod musrenbang;
mod mutation;
pub mod parse_cache;
mod query;
pub mod response_cache;
mod types;

use async_graphql::{Context, MergedObject, MergedSubscription, Schema, ID};
use mufakat_core::{AppError, AppResult, Lang};

use crate::auth::CurrentUser;
use crate::AppState;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    query::AccountsQuery,
    cases::CasesQuery,
    musrenbang::MusrenbangQuery,
    allocation::AllocationQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::AccountsMutation,
    cases::CasesMutation,
    musrenbang::MusrenbangMutation,
    allocation::AllocationMutation,
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(musrenbang::MusrenbangSubscription);

pub type MufakatSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Per-request data.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub lang: Lang,
    pub request_id: String,
    pub user: Option<CurrentUser>,
    pub ip: Option<std::net::IpAddr>,
}

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
    .extension(limits::FieldBudget { max: max_fields });
    if let Some(s) = state {
        b = b.data(s);
    }
    b.finish()
}

/// The SDL checked in at `graphql/schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, usize::MAX, usize::MAX, u64::MAX).sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub(crate) fn req<'a>(ctx: &Context<'a>) -> &'a RequestCtx {
    ctx.data_unchecked::<RequestCtx>()
}

pub(crate) fn require_user<'a>(ctx: &Context<'a>) -> AppResult<&'a CurrentUser> {
    req(ctx).user.as_ref().ok_or(AppError::Unauthenticated)
}

/// A page size given by a client: 1 to `max`, else `VALIDATION` naming the argument.
pub(crate) fn page_size(field: &str, first: i32, max: i32) -> AppResult<u64> {
    if (1..=max).contains(&first) {
        return Ok(first as u64);
    }
    Err(AppError::Validation(vec![mufakat_core::FieldError::new(
        field,
        "range",
        format!("`{field}` harus 1 sampai {max}."),
        format!("`{field}` must be 1 to {max}."),
    )]))
}

/// The complexity of a field that reads the whole audit trail (`verifyAuditTrail`): more than
/// half the default limit, so a request holds at most one.
pub(crate) const EXPENSIVE: usize = 3000;
/// Most events listed per object at once (`history(first:)`).
pub(crate) const HISTORY_MAX: i32 = 500;

pub(crate) fn parse_id(field: &str, id: &ID) -> AppResult<i32> {
    id.parse::<i32>().map_err(|_| {
        AppError::Validation(vec![mufakat_core::FieldError::new(
            field,
            "format",
            "ID tidak valid.",
            "Not a valid ID.",
        )])
    })
}
