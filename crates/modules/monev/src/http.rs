pub fn routes(_s: mufakat_kernel::AppState) -> axum::Router {
    axum::Router::new()
}
