//! What the resolvers of every module share — the request context, coded errors, the
//! request limits, paging — and the kernel's own GraphQL roots: accounts and regions
//! ([`accounts_query`], [`accounts_mutation`]), generic cases and the audit trail ([`cases`]).
//! The server merges these with each module's roots into one schema.

pub mod accounts_mutation;
pub mod accounts_query;
pub mod cases;
pub mod clock;
pub mod errors;
pub mod limits;
pub mod opds;
pub mod publication;
pub mod signatories;
pub mod types;

use async_graphql::{Context, ID};
use mufakat_core::{AppError, AppResult, Lang};

use crate::auth::CurrentUser;
use crate::AppState;

/// Per-request data.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub lang: Lang,
    pub request_id: String,
    pub user: Option<CurrentUser>,
    pub ip: Option<std::net::IpAddr>,
}

pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub fn req<'a>(ctx: &Context<'a>) -> &'a RequestCtx {
    ctx.data_unchecked::<RequestCtx>()
}

pub fn require_user<'a>(ctx: &Context<'a>) -> AppResult<&'a CurrentUser> {
    req(ctx).user.as_ref().ok_or(AppError::Unauthenticated)
}

/// A page size given by a client: 1 to `max`, else `VALIDATION` naming the argument.
pub fn page_size(field: &str, first: i32, max: i32) -> AppResult<u64> {
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
pub const EXPENSIVE: usize = 3000;
/// Most events listed per object at once (`history(first:)`).
pub const HISTORY_MAX: i32 = 500;

pub fn parse_id(field: &str, id: &ID) -> AppResult<i32> {
    id.parse::<i32>().map_err(|_| {
        AppError::Validation(vec![mufakat_core::FieldError::new(
            field,
            "format",
            "ID tidak valid.",
            "Not a valid ID.",
        )])
    })
}
