//! The one list of modules: what each brings to the kernel's state. (Their GraphQL roots are
//! merged in [`crate::graphql`], their background tasks started in [`crate::startup`].)

use mufakat_kernel::state::Registrations;

use crate::services::musrenbang;

/// Every module's kinds of batch request and runtime state, in the order the batch writer
/// writes them.
pub fn registrations() -> Registrations {
    let mut r = Registrations::default();
    r.batch_kinds = r.batch_kinds.with(musrenbang::Votes);
    r.modules = r.modules.with(musrenbang::VoteEvents::default());
    r
}
