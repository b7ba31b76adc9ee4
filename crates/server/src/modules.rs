//! The one list of modules: what each brings to the kernel (workflow files, policy lines,
//! batch kinds, runtime state) and the background tasks it runs. Their GraphQL roots are merged
//! in [`crate::graphql`]; per-request loaders are added in [`crate::http`].

use mufakat_kernel::state::Registrations;
use mufakat_kernel::AppState;

/// Every module's registrations, in this order (the batch writer writes their kinds in it).
pub fn registrations() -> Registrations {
    let r = Registrations::default();
    let r = mufakat_module_musrenbang::register(r);
    let r = mufakat_module_allocation::register(r);
    let r = mufakat_module_procurement::register(r);
    let r = mufakat_module_tender::register(r);
    let r = mufakat_module_monev::register(r);
    mufakat_module_eaudit::register(r)
}

/// Builds every module's runtime (files, stores) once the state exists; a failure stops the
/// start.
pub fn init(state: &AppState) -> anyhow::Result<()> {
    mufakat_module_procurement::init(state)?;
    mufakat_module_tender::init(state)?;
    mufakat_module_monev::init(state)?;
    mufakat_module_eaudit::init(state)
}

/// Checks the modules' configuration files beside the workflows in `dir` (`mufakat workflows
/// check`); the names of those found.
pub fn check_files(dir: &std::path::Path) -> anyhow::Result<Vec<&'static str>> {
    let mut found = vec![];
    if mufakat_module_procurement::runtime::check_thresholds(dir)? {
        found.push(mufakat_module_procurement::runtime::THRESHOLDS_FILE);
    }
    if mufakat_module_procurement::runtime::check_kbli(dir)? {
        found.push(mufakat_module_procurement::runtime::KBLI_FILE);
    }
    if mufakat_module_tender::runtime::check(dir)? {
        found.push(mufakat_module_tender::runtime::SETTINGS_FILE);
    }
    if mufakat_module_monev::runtime::check(dir)? {
        found.push(mufakat_module_monev::runtime::SETTINGS_FILE);
    }
    if mufakat_module_eaudit::runtime::check(dir)? {
        found.push(mufakat_module_eaudit::runtime::SETTINGS_FILE);
    }
    Ok(found)
}

/// The modules' HTTP routes beside `/graphql` (uploads, downloads).
pub fn routes(state: &AppState) -> axum::Router {
    mufakat_module_procurement::http::routes(state.clone())
        .merge(mufakat_module_tender::http::routes(state.clone()))
        .merge(mufakat_module_monev::http::routes(state.clone()))
        .merge(mufakat_module_eaudit::http::routes(state.clone()))
}

/// Starts every module's background tasks.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = mufakat_module_musrenbang::spawn_background(state);
    tasks.extend(mufakat_module_procurement::spawn_background(state));
    tasks.extend(mufakat_module_monev::spawn_background(state));
    tasks
}

#[cfg(test)]
mod tests {
    /// A binary run outside the source tree deploys the built-in definitions: they must be every
    /// file of `workflows/`, with the same text (a missing one fails the demo's seed there).
    #[test]
    fn the_built_in_workflows_are_the_files_of_the_workflows_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
        let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        on_disk.sort();
        let mut built_in: Vec<(String, String)> = mufakat_kernel::workflows::SHIPPED
            .iter()
            .chain(super::registrations().workflows.iter())
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect();
        built_in.sort();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&built_in), names(&on_disk));
        assert_eq!(built_in, on_disk);
    }
}
