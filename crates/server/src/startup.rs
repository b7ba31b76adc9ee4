//! Builds the application: settings -> database (migrated) -> keys -> state -> router.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::{http, secrets, AppState};

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let state = build_state(settings).await?;
        let listener = TcpListener::bind(state.settings.listen)
            .await
            .with_context(|| format!("binding {}", state.settings.listen))?;
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        // Other nodes may add regions; re-read the (small) region tree now and then.
        let reload = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                if let Err(e) = state.reload_regions().await {
                    tracing::warn!(error = %e, "reloading regions failed");
                }
            }
        });
        let timers = tokio::spawn(timer_loop(self.state.clone()));
        let mail = tokio::spawn(mail_loop(self.state.clone()));
        let modules = crate::modules::spawn_background(&self.state);
        let checkpoints = tokio::spawn(checkpoint_loop(self.state.clone()));
        let wal = tokio::spawn(wal_loop(self.state.clone()));
        let app = http::router(self.state.clone());
        let res = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        reload.abort();
        timers.abort();
        mail.abort();
        for task in modules {
            task.abort();
        }
        checkpoints.abort();
        wal.abort();
        res
    }
}

/// Fires due workflow timers every `timer_poll_secs`.
async fn timer_loop(state: AppState) {
    let mut tick =
        tokio::time::interval(Duration::from_secs(state.settings.timer_poll_secs.max(1)));
    loop {
        tick.tick().await;
        match crate::services::cases::fire_due_timers(&state, state.now()).await {
            Ok(0) => {}
            Ok(n) => {
                state.metrics.timers_fired.inc_by(n as u64);
                tracing::info!(fired = n, "workflow timers fired")
            }
            Err(e) => tracing::warn!(error = %e, "firing timers failed"),
        }
    }
}

/// Sends the outbox over SMTP every `mail_poll_ms`, when `smtp_url` is set.
async fn mail_loop(state: AppState) {
    let Some(url) = state.settings.smtp_url.clone() else {
        return;
    };
    let mailer: std::sync::Arc<dyn mufakat_kernel::services::mail::Mailer> =
        match mufakat_kernel::services::mail::SmtpMailer::new(&url, &state.settings.mail_from) {
            Ok(m) => std::sync::Arc::new(m),
            Err(e) => {
                tracing::error!(error = %e, "e-mail is off: smtp_url or mail_from is not valid");
                return;
            }
        };
    let mut tick =
        tokio::time::interval(Duration::from_millis(state.settings.mail_poll_ms.max(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match mufakat_kernel::services::mail::send_due(&state, &mailer, 50).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "e-mail sent"),
            Err(e) => tracing::warn!(error = %e, "sending e-mail failed"),
        }
    }
}

/// On SQLite, copies the WAL into the database file every 100 ms, off the requests' path
/// (see `mufakat_store::db::checkpoint_wal`). The commit that meets a checkpoint's fsync is
/// slowed; smaller, more frequent checkpoints slow it less (docs/benchmarks.md, seventh
/// session: 250 ms before).
async fn wal_loop(state: AppState) {
    if mufakat_store::db::is_postgres(&state.db) {
        return;
    }
    // A connection of its own: a checkpoint neither waits for nor holds one of the requests'
    // connections (nor counts among their statements, `AppState::queries`).
    // (An in-memory database is private to its connection: there, the pool's.)
    let url = state.settings.database_url();
    let own = match state.settings.durability() {
        Ok(durability) if !url.contains(":memory:") => {
            mufakat_store::db::connect_single(&url, durability)
                .await
                .ok()
        }
        _ => None,
    };
    let db = own.as_ref().unwrap_or(&state.db);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut warned = false;
    loop {
        tick.tick().await;
        match mufakat_store::db::checkpoint_wal(db).await {
            Ok(Some(cp)) => {
                // Reads that never stop can keep a PASSIVE checkpoint from finishing and the
                // WAL from starting over; say so once while it lasts.
                let behind = cp.log_frames - cp.checkpointed_frames;
                if cp.log_frames > i64::from(mufakat_store::db::WAL_AUTOCHECKPOINT_PAGES)
                    && behind > 0
                {
                    if !warned {
                        tracing::warn!(
                            log_frames = cp.log_frames,
                            behind,
                            "the SQLite WAL keeps growing: checkpoints cannot finish"
                        );
                        warned = true;
                    }
                } else {
                    warned = false;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// Signs the audit head every `checkpoint_interval_secs` (when it moved).
async fn checkpoint_loop(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(
        state.settings.checkpoint_interval_secs.max(10),
    ));
    loop {
        tick.tick().await;
        match crate::notary::checkpoint(&state.db, &state.notary, state.now()).await {
            // A chain that fails its check is logged as an error there, with the alarm raised.
            Ok(_) | Err(mufakat_core::AppError::Conflict(_)) => {}
            Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
        }
    }
}

/// Database connected and migrated, keys loaded: what `serve`, `seed` and `users` share.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    crate::services::musrenbang_reports::check_letterhead(&settings)?;
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    let url = settings.database_url();
    let db = mufakat_store::connect(&url, settings.durability()?)
        .await
        .with_context(|| format!("connecting to {}", redact(&url)))?;
    mufakat_store::migrate(&db)
        .await
        .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    let nik_key = match &settings.nik_hash_key {
        Some(hexkey) => hex::decode(hexkey.trim()).context("MUFAKAT_NIK_HASH_KEY is not hex")?,
        None => secrets::load_or_create_key(&settings.data_dir.join("secrets").join("nik.key"))?,
    };
    let registrations = crate::modules::registrations();
    let workflows =
        crate::workflows::deploy(&db, &settings.workflows_dir, &registrations.workflows).await?;
    let signer = crate::notary::load_or_create_signer(
        &settings.data_dir.join("secrets").join("audit-signing.pem"),
    )?;
    let notary = crate::notary::Notary::new(
        signer,
        &settings.audit_earlier_public_keys,
        Some(settings.data_dir.join("audit").join("checkpoints.jsonl")),
    )?;
    let state = AppState::new(
        db,
        settings,
        nik_key,
        workflows,
        notary,
        crate::modules::registrations(),
    )
    .await?;
    crate::modules::init(&state)?;
    Ok(state)
}

/// Hides a password in a database URL for log lines.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("sqlite://data/x.sqlite"),
            "sqlite://data/x.sqlite"
        );
    }
}
