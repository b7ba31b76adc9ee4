//! The one list of modules: what each brings to the kernel (workflow files, policy lines,
//! batch kinds, runtime state) and the background tasks it runs. Their GraphQL roots are merged
//! in [`crate::graphql`]; per-request loaders are added in [`crate::http`].

use mufakat_kernel::state::Registrations;
use mufakat_kernel::AppState;

/// Every module's registrations, in this order (the batch writer writes their kinds in it).
pub fn registrations() -> Registrations {
    let r = Registrations::default();
    let r = mufakat_module_musrenbang::register(r);
    mufakat_module_allocation::register(r)
}

/// Starts every module's background tasks.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    mufakat_module_musrenbang::spawn_background(state)
}
