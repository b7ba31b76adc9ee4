use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use mufakat_core::domain::{DisplayName, Nik, Password, Username};
use mufakat_core::{AppError, AppResult, FieldError, RegionLevel, Role};
use mufakat_store::entity::{role_grant, user};
use mufakat_store::repo::{grants, sessions, users};
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::audit_log::AuditDraft;
use crate::auth::{self, CurrentUser};
use crate::authz::perms;
use crate::AppState;

/// A user as the API shows it. Never carries the password hash or the NIK hash.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub home_region_id: Option<i32>,
    pub grants: Vec<(Role, i32)>,
    /// The OPD (its id) each of `grants` names, where one does.
    pub grant_opds: Vec<Option<i32>>,
    pub created_at: DateTime<Utc>,
    /// Shown only to the user themself (the GraphQL `User.email`).
    pub email: Option<String>,
}

fn view(u: user::Model, g: Vec<role_grant::Model>) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        home_region_id: u.home_region_id,
        grant_opds: g
            .iter()
            .filter(|g| g.role.parse::<Role>().is_ok())
            .map(|g| g.opd_id)
            .collect(),
        grants: parse_grants(g),
        created_at: u.created_at,
        email: u.email,
    }
}

fn parse_grants(g: Vec<role_grant::Model>) -> Vec<(Role, i32)> {
    g.into_iter()
        .filter_map(|g| Some((g.role.parse::<Role>().ok()?, g.region_id)))
        .collect()
}

pub struct RegisterResident {
    pub username: String,
    pub name: String,
    pub nik: String,
    pub kelurahan_id: i32,
    pub password: String,
}

/// Collects every field's problem at once, so the user fixes the form in one go.
fn collect<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

pub async fn register_resident(
    state: &AppState,
    input: RegisterResident,
    ip: Option<IpAddr>,
) -> AppResult<UserView> {
    state.register_limiter.attempt(ip).await?;
    let mut errors = vec![];
    let username = collect(&mut errors, Username::parse("username", &input.username));
    let name = collect(&mut errors, DisplayName::parse("name", &input.name));
    let nik = collect(&mut errors, Nik::parse("nik", &input.nik));
    let password = collect(&mut errors, Password::parse("password", &input.password));
    let region_ok = {
        let tree = state.regions.read().await;
        tree.get(input.kelurahan_id)
            .is_some_and(|r| r.level == RegionLevel::KelurahanDesa)
    };
    if !region_ok {
        errors.push(FieldError::new(
            "kelurahanId",
            "unknown",
            "Kelurahan/desa tidak dikenal. Pilih dari daftar wilayah.",
            "Unknown kelurahan/desa. Choose one from the list of regions.",
        ));
    }
    let (Some(username), Some(name), Some(nik), Some(password), true) =
        (username, name, nik, password, region_ok)
    else {
        return Err(AppError::Validation(errors));
    };
    let password_hash = auth::hash_password(password.expose().to_owned()).await?;
    let nik_hash = auth::nik_hash(&state.nik_key, nik.expose());

    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
    let u = users::create(
        &txn,
        users::NewUser {
            username: username.as_str(),
            display_name: name.as_str(),
            nik_hash: Some(nik_hash),
            home_region_id: Some(input.kelurahan_id),
            password_hash,
        },
    )
    .await?;
    let g = grants::grant(&txn, u.id, Role::Resident, input.kelurahan_id, None, None).await?;
    chain
        .append(&txn, account_event(&u.id.to_string(), "resident", u.id, "register", json!({ "username": u.username, "role": "resident", "region": input.kelurahan_id.to_string() })))
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    tracing::info!(user = u.id, "resident registered");
    Ok(view(u, vec![g]))
}

pub struct LoginResult {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> AppResult<LoginResult> {
    let username = username.trim().to_lowercase();
    state.login_limiter.begin(&username, ip).await?;
    let found = users::by_username(&state.db, &username)
        .await?
        .filter(|u| u.is_active);
    let ok = auth::verify_password(
        password.to_owned(),
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(u) = found.filter(|_| ok) else {
        return Err(AppError::InvalidCredentials);
    };
    state.login_limiter.succeeded(&username, ip).await?;
    let (token, hash) = auth::new_token();
    let expires_at = state.now() + Duration::hours(state.settings.token_ttl_hours);
    sessions::create(&state.db, hash, u.id, expires_at).await?;
    let g = grants::for_user(&state.db, u.id).await?;
    Ok(LoginResult {
        token,
        expires_at,
        user: view(u, g),
    })
}

/// Resolves a bearer token to its user, with fresh role grants.
pub async fn authenticate(state: &AppState, token: &str) -> AppResult<CurrentUser> {
    if !auth::token_well_formed(token) {
        return Err(AppError::Unauthenticated);
    }
    let hash = auth::token_hash(token);
    if let Some(user) = state.sessions.get(&hash) {
        return Ok(user);
    }
    // Concurrent requests with this token wait here and read the one lookup's result.
    let _gate = state.sessions.gate(&hash).await;
    if let Some(user) = state.sessions.get(&hash) {
        return Ok(user);
    }
    let epoch = state.sessions.epoch();
    let now = state.now();
    let session = sessions::find_active(&state.db, &hash, now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let u = users::get(&state.db, session.user_id).await?;
    if !u.is_active {
        return Err(AppError::Unauthenticated);
    }
    let user = current_user(state, u, hash).await?;
    let left = (session.expires_at - now).to_std().unwrap_or_default();
    state.sessions.put(&user, left, epoch);
    Ok(user)
}

/// The acting user with fresh role grants.
async fn current_user(
    state: &AppState,
    u: user::Model,
    token_hash: String,
) -> AppResult<CurrentUser> {
    let rows = grants::for_user(&state.db, u.id).await?;
    let opd_grants = super::opds::codes_of(&state.db, &rows).await?;
    Ok(CurrentUser {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        home_region_id: u.home_region_id,
        grants: parse_grants(rows),
        opd_grants,
        token_hash,
    })
}

/// Acts as an existing account without a token: for the seed and the benchmarks, which run
/// with operator rights on the server.
pub async fn acting_as(state: &AppState, username: &str) -> AppResult<CurrentUser> {
    let u = users::by_username(&state.db, username)
        .await?
        .ok_or(AppError::NotFound { entity: "user" })?;
    current_user(state, u, String::new()).await
}

pub async fn logout(state: &AppState, user: &CurrentUser) -> AppResult<bool> {
    let revoked = sessions::revoke(&state.db, &user.token_hash, state.now()).await?;
    state.sessions.forget_token(&user.token_hash);
    Ok(revoked)
}

pub async fn logout_everywhere(state: &AppState, user: &CurrentUser) -> AppResult<u64> {
    let revoked = sessions::revoke_all_for_user(&state.db, user.id, state.now()).await?;
    state.sessions.forget_user(user.id);
    Ok(revoked)
}

/// Changes the signed-in user's password: the current one must be right (guesses count as
/// failed logins), the new one passes the same rules as at registration. Every session of the
/// user ends, this one included, and a new one is returned; the change is an audit event
/// (never the password itself).
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    current: &str,
    new: &str,
    ip: Option<IpAddr>,
) -> AppResult<LoginResult> {
    let u = users::get(&state.db, user.id).await?;
    state.login_limiter.begin(&u.username, ip).await?;
    let ok = auth::verify_password(current.to_owned(), Some(u.password_hash.clone())).await?;
    let mut errors = vec![];
    if !ok {
        errors.push(FieldError::new(
            "currentPassword",
            "wrong",
            "Kata sandi sekarang salah.",
            "The current password is wrong.",
        ));
    }
    let password = collect(&mut errors, Password::parse("newPassword", new));
    let (Some(password), true) = (password, ok) else {
        return Err(AppError::Validation(errors));
    };
    state.login_limiter.succeeded(&u.username, ip).await?;
    let password_hash = auth::hash_password(password.expose().to_owned()).await?;
    let now = state.now();
    let (txn, mut chain) = crate::audit_log::open(state, now).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await
        .db()?;
    sessions::revoke_all_for_user(&txn, u.id, now).await?;
    let (token, hash) = auth::new_token();
    let expires_at = now + Duration::hours(state.settings.token_ttl_hours);
    sessions::create(&txn, hash, u.id, expires_at).await?;
    let (actor, role) = actor_of(Some(user));
    chain
        .append(
            &txn,
            account_event(&actor, &role, u.id, "change_password", json!({})),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    state.sessions.forget_user(u.id);
    let g = grants::for_user(&state.db, u.id).await?;
    Ok(LoginResult {
        token,
        expires_at,
        user: view(users::get(&state.db, u.id).await?, g),
    })
}

pub async fn me(state: &AppState, user: &CurrentUser) -> AppResult<UserView> {
    let u = users::get(&state.db, user.id).await?;
    Ok(view(u, grants::for_user(&state.db, user.id).await?))
}

pub struct CreateStaff {
    pub username: String,
    pub name: String,
    pub password: String,
    /// Role, region and the OPD the holder works for (see [`super::opds::check_grant`]).
    pub grants: Vec<(Role, i32, Option<i32>)>,
}

/// Creates a staff account with its role grants. The actor needs `staff_account:create` in the
/// region of every grant; `actor = None` is the CLI/seed with operator rights.
pub async fn create_staff(
    state: &AppState,
    actor: Option<&CurrentUser>,
    input: CreateStaff,
) -> AppResult<UserView> {
    let mut errors = vec![];
    let username = collect(&mut errors, Username::parse("username", &input.username));
    let name = collect(&mut errors, DisplayName::parse("name", &input.name));
    let password = collect(&mut errors, Password::parse("password", &input.password));
    if input.grants.is_empty() {
        errors.push(FieldError::new(
            "roles",
            "required",
            "Berikan paling sedikit satu peran.",
            "Grant at least one role.",
        ));
    }
    for (i, (role, region, opd)) in input.grants.iter().enumerate() {
        if state.regions.read().await.get(*region).is_none() {
            errors.push(FieldError::new(
                format!("roles[{i}].regionId"),
                "unknown",
                "Wilayah tidak dikenal.",
                "Unknown region.",
            ));
        } else {
            match super::opds::check_grant(
                state,
                &state.db,
                &format!("roles[{i}].opdId"),
                *role,
                *region,
                *opd,
            )
            .await
            {
                Ok(()) => {}
                Err(AppError::Validation(e)) => errors.extend(e),
                Err(e) => return Err(e),
            }
        }
    }
    let (Some(username), Some(name), Some(password), true) =
        (username, name, password, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    if let Some(actor) = actor {
        for (_, region, _) in &input.grants {
            let path = state.region_path(*region).await;
            state
                .authz
                .require(actor, &path, perms::STAFF_ACCOUNT_CREATE)?;
        }
    }
    let password_hash = auth::hash_password(password.expose().to_owned()).await?;
    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
    let u = users::create(
        &txn,
        users::NewUser {
            username: username.as_str(),
            display_name: name.as_str(),
            nik_hash: None,
            home_region_id: None,
            password_hash,
        },
    )
    .await?;
    let mut made = vec![];
    for (role, region, opd) in &input.grants {
        made.push(grants::grant(&txn, u.id, *role, *region, *opd, actor.map(|a| a.id)).await?);
    }
    let roles: Vec<String> = input
        .grants
        .iter()
        .map(|(r, g, o)| match o {
            Some(o) => format!("{r}@{g}/opd-{o}"),
            None => format!("{r}@{g}"),
        })
        .collect();
    let (who, as_role) = actor_of(actor);
    chain
        .append(
            &txn,
            account_event(
                &who,
                &as_role,
                u.id,
                "create_staff",
                json!({ "username": u.username, "roles": roles }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    tracing::info!(user = u.id, by = ?actor.map(|a| a.id), "staff account created");
    Ok(view(u, made))
}

pub async fn grant_role(
    state: &AppState,
    actor: &CurrentUser,
    user_id: i32,
    role: Role,
    region_id: i32,
    opd_id: Option<i32>,
) -> AppResult<UserView> {
    let path = state.region_path(region_id).await;
    if path.is_empty() {
        return Err(AppError::NotFound { entity: "region" });
    }
    state
        .authz
        .require(actor, &path, perms::ROLE_GRANT_CREATE)?;
    let u = users::get(&state.db, user_id).await?;
    super::opds::check_grant(state, &state.db, "opdId", role, region_id, opd_id).await?;
    let (txn, mut chain) = crate::audit_log::open(state, state.now()).await?;
    grants::grant(&txn, user_id, role, region_id, opd_id, Some(actor.id)).await?;
    let (who, as_role) = actor_of(Some(actor));
    chain
        .append(
            &txn,
            account_event(
                &who,
                &as_role,
                user_id,
                "grant_role",
                json!({ "role": role.as_str(), "region": region_id.to_string(), "opd": opd_id.map(|o| o.to_string()) }),
            ),
        )
        .await?;
    crate::audit_log::commit(txn, chain).await?;
    // The new role holds from the user's next request on this node.
    state.sessions.forget_user(user_id);
    Ok(view(u, grants::for_user(&state.db, user_id).await?))
}

/// Residents registered in `region_id` or below it. Needs `resident:list` there.
pub async fn list_residents(
    state: &AppState,
    actor: &CurrentUser,
    region_id: i32,
) -> AppResult<Vec<UserView>> {
    let path = state.region_path(region_id).await;
    if path.is_empty() {
        return Err(AppError::NotFound { entity: "region" });
    }
    state.authz.require(actor, &path, perms::RESIDENT_LIST)?;
    let within = state.regions.read().await.descendants_inclusive(region_id);
    let rows = user::Entity::find()
        .filter(user::Column::HomeRegionId.is_in(within))
        .order_by_asc(user::Column::DisplayName)
        .all(&state.db)
        .await
        .db()?;
    Ok(rows.into_iter().map(|u| view(u, vec![])).collect())
}

/// Who did an account change: a user and their first role, or the operator (CLI, seed).
pub(crate) fn actor_of(actor: Option<&CurrentUser>) -> (String, String) {
    match actor {
        Some(a) => (
            a.id.to_string(),
            a.grants
                .first()
                .map(|(r, _)| r.as_str().to_owned())
                .unwrap_or_default(),
        ),
        None => ("operator".into(), "operator".into()),
    }
}

/// Account changes are recorded in the audit trail as `system.accounts` events (never the
/// password, never the NIK).
pub(crate) fn account_event(
    actor: &str,
    role: &str,
    user_id: i32,
    transition: &str,
    input: serde_json::Value,
) -> AuditDraft {
    AuditDraft {
        actor: actor.to_owned(),
        role: role.to_owned(),
        workflow: "system.accounts".into(),
        workflow_version: "1".into(),
        instance_id: format!("user-{user_id}"),
        transition: transition.into(),
        from_state: String::new(),
        to_state: "active".into(),
        input,
        comment: None,
    }
}
