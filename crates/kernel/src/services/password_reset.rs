//! Resetting a forgotten password: by a code sent to the account's e-mail address where it has
//! one ([`request_by_email`]), or at the kelurahan office, for the many residents without an
//! e-mail address: staff check the person (KTP in hand), issue a one-time code, and the resident
//! sets a new password with it, on the web app or through the API. Issuing and using a code are
//! audited (never the code); a code is used once, expires after a day, and a new one replaces
//! the old. Wrong codes count against the login limit of the account and of the address.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use mufakat_core::domain::Password;
use mufakat_core::{AppError, AppResult, FieldError};
use mufakat_store::entity::{password_reset_code as prc, user};
use mufakat_store::repo::{sessions, users};
use mufakat_store::DbResultExt;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::accounts::{account_event, actor_of};
use crate::auth::{self, CurrentUser};
use crate::authz::perms;
use crate::AppState;

/// How long a code stays valid.
pub const CODE_HOURS: i64 = 24;
/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub struct IssuedCode {
    /// `XXXXX-XXXXX`: shown once, to the staff member, to hand to the resident.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// The stored form: the code without separators or case, tied to its account.
fn code_hash(user_id: i32, code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(format!("{user_id}:{norm}").as_bytes()))
}

/// Staff issue a code for `username` (a resident of their region; admins for anyone).
pub async fn issue(state: &AppState, staff: &CurrentUser, username: &str) -> AppResult<IssuedCode> {
    let target = users::by_username(&state.db, &username.trim().to_lowercase())
        .await?
        .filter(|u| u.is_active)
        .ok_or(AppError::NotFound { entity: "user" })?;
    let path = match target.home_region_id {
        Some(r) => state.region_path(r).await,
        // Staff accounts have no home: only those who may act at the top.
        None => state.regions.read().await.roots().map(|r| r.id).collect(),
    };
    state
        .authz
        .require(staff, &path, perms::PASSWORD_RESET_ISSUE)?;
    if target.id == staff.id {
        return Err(AppError::conflict(
            "Kode pemulihan tidak dapat dibuat untuk akun Anda sendiri; gunakan ubah kata sandi.",
            "You cannot issue a recovery code for your own account; change your password instead.",
        ));
    }
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let (code, expires_at) = replace_code(&txn, target.id, staff.id, now).await?;
    let (actor, role) = actor_of(Some(staff));
    chain
        .append(
            &txn,
            account_event(
                &actor,
                &role,
                target.id,
                "issue_reset_code",
                json!({ "expires_at": mufakat_audit::format_time(expires_at) }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(IssuedCode { code, expires_at })
}

/// A new code for the account, replacing any earlier one: (the code, when it expires).
async fn replace_code(
    txn: &impl sea_orm::ConnectionTrait,
    user_id: i32,
    issued_by: i32,
    now: DateTime<Utc>,
) -> AppResult<(String, DateTime<Utc>)> {
    let code = new_code();
    let expires_at = now + Duration::hours(CODE_HOURS);
    prc::Entity::update_many()
        .col_expr(prc::Column::UsedAt, Expr::value(Some(now)))
        .filter(prc::Column::UserId.eq(user_id))
        .filter(prc::Column::UsedAt.is_null())
        .exec(txn)
        .await
        .db()?;
    prc::Entity::insert(prc::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(code_hash(user_id, &code)),
        issued_by: Set(issued_by),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await
    .db()?;
    Ok((code, expires_at))
}

/// Someone who forgot the password asks for a code by e-mail. When the account exists, is
/// active and has an address, a code is issued (as by the account itself) and sent there, in
/// the same transaction as its audit event; otherwise nothing happens. The answer is the same
/// either way, so that no one learns which accounts exist or have an address. Requests count
/// against the login limit of the address they come from and of a key of their own per
/// account (not the account's login limit: a stranger cannot lock the owner out).
pub async fn request_by_email(
    state: &AppState,
    username: &str,
    ip: Option<IpAddr>,
) -> AppResult<()> {
    let username = username.trim().to_lowercase();
    state
        .login_limiter
        .begin(&format!("reset-by-mail:{username}"), ip)
        .await?;
    let Some(u) = users::by_username(&state.db, &username)
        .await?
        .filter(|u| u.is_active && u.email.is_some())
    else {
        return Ok(());
    };
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    let (code, expires_at) = replace_code(&txn, u.id, u.id, now).await?;
    let subject = "Kode pemulihan kata sandi / Password recovery code";
    let body = format!(
        "Kode pemulihan kata sandi akun {name} ({username}): {code}\n\nMasukkan kode ini di halaman \"Atur ulang kata sandi\" dalam {CODE_HOURS} jam. Bila Anda tidak memintanya, abaikan pesan ini; kata sandi Anda tidak berubah.\n\n---\n\nThe password recovery code of the account {name} ({username}): {code}\n\nEnter it on the \"Reset password\" page within {CODE_HOURS} hours. If you did not ask for it, ignore this message; your password has not changed.\n",
        name = u.display_name,
    );
    super::mail::queue_for_users(&txn, &[u.id], subject, &body, now).await?;
    chain
        .append(
            &txn,
            account_event(
                &u.id.to_string(),
                "resident",
                u.id,
                "issue_reset_code",
                json!({ "expires_at": mufakat_audit::format_time(expires_at), "by": "email" }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    Ok(())
}

fn refused() -> AppError {
    AppError::Validation(vec![FieldError::new(
        "code",
        "invalid",
        "Kode pemulihan tidak berlaku: salah, sudah dipakai, atau kedaluwarsa. Mintalah kode baru lewat e-mail atau di kantor kelurahan.",
        "The recovery code is not valid: wrong, already used or expired. Ask for a new one by e-mail or at the kelurahan office.",
    )])
}

/// The resident sets a new password with a code. Every session of the account ends.
pub async fn reset(
    state: &AppState,
    username: &str,
    code: &str,
    new_password: &str,
    ip: Option<IpAddr>,
) -> AppResult<()> {
    let username = username.trim().to_lowercase();
    // Counted before anything is checked, as a login is.
    state.login_limiter.begin(&username, ip).await?;
    let password =
        Password::parse("newPassword", new_password).map_err(|e| AppError::Validation(vec![e]))?;
    let Some(u) = users::by_username(&state.db, &username)
        .await?
        .filter(|u| u.is_active)
    else {
        return Err(refused());
    };
    let now = state.now();
    let live = prc::Entity::find()
        .filter(prc::Column::UserId.eq(u.id))
        .filter(prc::Column::UsedAt.is_null())
        .filter(prc::Column::ExpiresAt.gt(now))
        .order_by_desc(prc::Column::Id)
        .one(&state.db)
        .await
        .db()?;
    let Some(c) = live.filter(|c| c.code_hash == code_hash(u.id, code)) else {
        return Err(refused());
    };
    state.login_limiter.succeeded(&username, ip).await?;
    let password_hash = auth::hash_password(password.expose().to_owned()).await?;
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    // Used once: only the update that finds it unused goes on.
    let used = prc::Entity::update_many()
        .col_expr(prc::Column::UsedAt, Expr::value(Some(now)))
        .filter(prc::Column::Id.eq(c.id))
        .filter(prc::Column::UsedAt.is_null())
        .exec(&txn)
        .await
        .db()?;
    if used.rows_affected != 1 {
        return Err(refused());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await
        .db()?;
    sessions::revoke_all_for_user(&txn, u.id, now).await?;
    chain
        .append(
            &txn,
            account_event(
                &u.id.to_string(),
                "resident",
                u.id,
                "reset_password",
                json!({ "issued_by": c.issued_by.to_string() }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    state.sessions.forget_user(u.id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unambiguous_and_read_the_same_however_they_are_typed() {
        let c = new_code();
        assert_eq!(c.len(), 11);
        assert!(c
            .chars()
            .filter(|c| *c != '-')
            .all(|c| ALPHABET.contains(&(c as u8))));
        assert_eq!(
            code_hash(7, &c),
            code_hash(7, &c.to_lowercase().replace('-', " "))
        );
        assert_ne!(code_hash(7, &c), code_hash(8, &c), "tied to its account");
        assert_ne!(new_code(), new_code());
    }
}
