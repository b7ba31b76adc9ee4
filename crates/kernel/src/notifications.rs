//! PostgreSQL's LISTEN/NOTIFY for the modules: what one node writes, the others hear (vote
//! counts, monev's changes, the catalogue's). A module NOTIFYs in its write's transaction and
//! runs [`listen`] as a background task; on SQLite (one node) there is nothing to hear.

use std::time::Duration;

use crate::AppState;

/// On PostgreSQL, calls `on_message` with the payload of every notification on `channel`, and
/// `on_listening` each time listening (re)starts, since what was sent while not listening is
/// unknown. Reconnects after a pause when the connection drops; returns at once on SQLite.
pub async fn listen(
    state: &AppState,
    channel: &str,
    mut on_listening: impl FnMut(),
    mut on_message: impl FnMut(&str),
) {
    if !mufakat_store::db::is_postgres(&state.db) {
        return;
    }
    loop {
        let pool = state.db.get_postgres_connection_pool().clone();
        let mut l =
            match mufakat_store::sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, channel, "cannot LISTEN; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
        if let Err(e) = l.listen(channel).await {
            tracing::warn!(error = %e, channel, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        on_listening();
        loop {
            match l.recv().await {
                Ok(n) => on_message(n.payload()),
                Err(e) => {
                    tracing::warn!(error = %e, channel, "notifications interrupted; reconnecting");
                    break;
                }
            }
        }
    }
}
