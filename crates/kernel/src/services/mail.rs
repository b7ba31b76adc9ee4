//! E-mail: a user's optional address, the outbox written in the same transaction as what a
//! message tells of, and the sender that drains it over SMTP (`smtp_url`). The in-app list
//! (notifications) stays the record; mail is a copy for those who gave an address. A message
//! that cannot be sent is tried again, at most `MAX_ATTEMPTS` times, and its error kept for the
//! operator (never shown to users).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use mufakat_core::domain::Email;
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::{mail_outbox as mo, user};
use mufakat_store::DbResultExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use super::accounts::{account_event, actor_of};
use crate::auth::CurrentUser;
use crate::AppState;

/// After this many failures a message is left unsent (and shown in the log). The waits
/// between tries double from 30 seconds: about two hours in all.
pub const MAX_ATTEMPTS: i32 = 8;

/// Sets (or with `None` or an empty text, removes) the signed-in user's e-mail address.
pub async fn set_email(
    state: &AppState,
    user: &CurrentUser,
    raw: Option<&str>,
) -> AppResult<Option<String>> {
    let email = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(Email::parse("email", s).map_err(|e| AppError::Validation(vec![e]))?),
        None => None,
    };
    let value = email.as_ref().map(|e| e.as_str().to_owned());
    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
    user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(value.clone()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await
        .db()?;
    let (actor, role) = actor_of(Some(user));
    // The trail says that it changed, not the address.
    chain
        .append(
            &txn,
            account_event(
                &actor,
                &role,
                user.id,
                "set_email",
                json!({ "set": value.is_some() }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(value)
}

/// Queues a message for each of `users` who gave an address, in the caller's transaction.
pub async fn queue_for_users(
    txn: &impl ConnectionTrait,
    users: &[i32],
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    if users.is_empty() {
        return Ok(0);
    }
    let mut n = 0;
    for chunk in users.chunks(1000) {
        let addresses: Vec<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Email)
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .filter(user::Column::Email.is_not_null())
            .into_tuple::<Option<String>>()
            .all(txn)
            .await
            .db()?
            .into_iter()
            .flatten()
            .collect();
        let rows: Vec<mo::ActiveModel> = addresses
            .into_iter()
            .map(|to| mo::ActiveModel {
                to_address: Set(to),
                subject: Set(subject.to_owned()),
                body: Set(body.to_owned()),
                created_at: Set(now),
                claimed_until: Set(None),
                attempts: Set(0),
                sent_at: Set(None),
                last_error: Set(None),
                ..Default::default()
            })
            .collect();
        n += rows.len();
        if !rows.is_empty() {
            mo::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await
                .db()?;
        }
    }
    Ok(n)
}

/// What sends a message: SMTP in the server ([`SmtpMailer`]), anything in tests.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// Sends over SMTP with `lettre`: `smtp://host:port` (plain, for a relay on the same network),
/// `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:password@host` (TLS).
pub struct SmtpMailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
        use anyhow::Context;
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .context("smtp_url")?
            .build();
        let from = from.parse().context("mail_from")?;
        Ok(SmtpMailer { transport, from })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        use lettre::AsyncTransport;
        let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("address: {e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Sends what is due: unsent messages that no sender holds, oldest first, at most `limit`.
/// Each is claimed (for a minute) before it is sent, so two nodes never send one twice in
/// that time. Returns how many were sent.
pub async fn send_due(state: &AppState, mailer: &Arc<dyn Mailer>, limit: u64) -> AppResult<usize> {
    let now = state.now();
    let due = mo::Entity::find()
        .filter(mo::Column::SentAt.is_null())
        .filter(mo::Column::Attempts.lt(MAX_ATTEMPTS))
        .filter(
            sea_orm::Condition::any()
                .add(mo::Column::ClaimedUntil.is_null())
                .add(mo::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(mo::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await
        .db()?;
    let mut sent = 0;
    for m in due {
        let claimed = mo::Entity::update_many()
            .col_expr(
                mo::Column::ClaimedUntil,
                Expr::value(Some(now + Duration::minutes(1))),
            )
            .filter(mo::Column::Id.eq(m.id))
            .filter(mo::Column::SentAt.is_null())
            .filter(
                sea_orm::Condition::any()
                    .add(mo::Column::ClaimedUntil.is_null())
                    .add(mo::Column::ClaimedUntil.lt(now)),
            )
            .exec(&state.db)
            .await
            .db()?;
        if claimed.rows_affected != 1 {
            continue;
        }
        match mailer.send(&m.to_address, &m.subject, &m.body).await {
            Ok(()) => {
                mo::Entity::update_many()
                    .col_expr(mo::Column::SentAt, Expr::value(Some(state.now())))
                    .filter(mo::Column::Id.eq(m.id))
                    .exec(&state.db)
                    .await
                    .db()?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(mail = m.id, attempt = m.attempts + 1, error = %e, "sending mail failed");
                mo::Entity::update_many()
                    .col_expr(mo::Column::Attempts, Expr::value(m.attempts + 1))
                    .col_expr(mo::Column::LastError, Expr::value(Some(e)))
                    .col_expr(
                        mo::Column::ClaimedUntil,
                        Expr::value(Some(now + Duration::seconds(30 << m.attempts.clamp(0, 10)))),
                    )
                    .filter(mo::Column::Id.eq(m.id))
                    .exec(&state.db)
                    .await
                    .db()?;
            }
        }
    }
    Ok(sent)
}
