use async_graphql::{Context, InputObject, Object, Result, ID};

use super::types::{AuthPayload, Region, RegionLevelGql, RoleGql, User};
use super::{parse_id, req, require_user, state};
use crate::services::{accounts, regions};

#[derive(Default)]
pub struct AccountsMutation;

#[derive(InputObject)]
pub struct RegisterResidentInput {
    pub username: String,
    /// Full name.
    pub name: String,
    /// The 16-digit NIK. Only a keyed hash is kept, to ensure one account per person.
    pub nik: String,
    /// The kelurahan/desa of residence.
    pub kelurahan_id: ID,
    /// At least 10 characters.
    pub password: String,
}

#[derive(InputObject)]
pub struct RoleGrantInput {
    pub role: RoleGql,
    pub region_id: ID,
    /// For `OPD_STAFF` and `KPA`: the OPD the holder works for (from `opds`); they then act
    /// only on what is routed to it. Required for `OPD_STAFF` where the region lists OPDs.
    pub opd_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CreateStaffInput {
    pub username: String,
    pub name: String,
    pub password: String,
    pub roles: Vec<RoleGrantInput>,
}

#[derive(InputObject)]
pub struct CreateRegionInput {
    /// The official region code (kode wilayah), unique.
    pub code: String,
    pub name: String,
    pub level: RegionLevelGql,
    pub parent_id: Option<ID>,
}

#[Object]
impl AccountsMutation {
    /// A resident creates an account and is signed in.
    async fn register_resident(
        &self,
        ctx: &Context<'_>,
        input: RegisterResidentInput,
    ) -> Result<AuthPayload> {
        let st = state(ctx);
        let kelurahan_id = parse_id("kelurahanId", &input.kelurahan_id)?;
        let password = input.password.clone();
        let u = accounts::register_resident(
            st,
            accounts::RegisterResident {
                username: input.username,
                name: input.name,
                nik: input.nik,
                kelurahan_id,
                password: input.password,
            },
            req(ctx).ip,
        )
        .await?;
        let r = accounts::login(st, &u.username, &password, req(ctx).ip).await?;
        Ok(AuthPayload {
            token: r.token,
            expires_at: r.expires_at,
            user: User(r.user),
        })
    }

    /// Signs in. Repeated failures lock the username for a while (`RATE_LIMITED`).
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> Result<AuthPayload> {
        let r = accounts::login(state(ctx), &username, &password, req(ctx).ip).await?;
        Ok(AuthPayload {
            token: r.token,
            expires_at: r.expires_at,
            user: User(r.user),
        })
    }

    /// Changes the signed-in user's password. Every session of the user ends; the answer
    /// carries a new token for this one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<AuthPayload> {
        let user = require_user(ctx)?;
        let r = accounts::change_password(
            state(ctx),
            user,
            &current_password,
            &new_password,
            req(ctx).ip,
        )
        .await?;
        Ok(AuthPayload {
            token: r.token,
            expires_at: r.expires_at,
            user: User(r.user),
        })
    }

    /// Kelurahan staff (of the resident's kelurahan) or admins: a one-time code with which the
    /// resident named sets a new password (`resetPassword`), after staff checked the person.
    /// Valid for 24 hours and once; a new code replaces the old. Shown only in this answer.
    async fn issue_password_reset_code(
        &self,
        ctx: &Context<'_>,
        username: String,
    ) -> Result<PasswordResetCode> {
        let user = require_user(ctx)?;
        let c = crate::services::password_reset::issue(state(ctx), user, &username).await?;
        Ok(PasswordResetCode {
            code: c.code,
            expires_at: c.expires_at,
        })
    }

    /// Someone who forgot the password asks for a recovery code by e-mail: it is sent to the
    /// account's address, when the account has one. Always `true`, so that no one learns which
    /// accounts exist or have an address; without an address, the kelurahan office issues the
    /// code. Requests count against the login limit of the address they come from.
    async fn request_password_reset(&self, ctx: &Context<'_>, username: String) -> Result<bool> {
        crate::services::password_reset::request_by_email(state(ctx), &username, req(ctx).ip)
            .await?;
        Ok(true)
    }

    /// A resident who forgot the password sets a new one with the code from the e-mail or the
    /// kelurahan office. Every session of the account ends; log in with the new password. Wrong codes
    /// count against the login limit.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        username: String,
        code: String,
        new_password: String,
    ) -> Result<bool> {
        crate::services::password_reset::reset(
            state(ctx),
            &username,
            &code,
            &new_password,
            req(ctx).ip,
        )
        .await?;
        Ok(true)
    }

    /// Sets the signed-in user's e-mail address (null or empty removes it): notifications are
    /// then also sent there. Shown only to the user (`me { email }`).
    async fn set_email(&self, ctx: &Context<'_>, email: Option<String>) -> Result<User> {
        let user = require_user(ctx)?;
        crate::services::mail::set_email(state(ctx), user, email.as_deref()).await?;
        Ok(User(accounts::me(state(ctx), user).await?))
    }

    /// Revokes the token of this request.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let user = require_user(ctx)?;
        Ok(accounts::logout(state(ctx), user).await?)
    }

    /// Revokes every token of the signed-in user; returns how many.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<i32> {
        let user = require_user(ctx)?;
        Ok(accounts::logout_everywhere(state(ctx), user).await? as i32)
    }

    /// Admin: creates a staff account with role grants.
    async fn create_staff_user(&self, ctx: &Context<'_>, input: CreateStaffInput) -> Result<User> {
        let user = require_user(ctx)?;
        let mut grants = vec![];
        for (i, g) in input.roles.iter().enumerate() {
            grants.push((
                g.role.into(),
                parse_id(&format!("roles[{i}].regionId"), &g.region_id)?,
                g.opd_id
                    .as_ref()
                    .map(|o| parse_id(&format!("roles[{i}].opdId"), o))
                    .transpose()?,
            ));
        }
        let u = accounts::create_staff(
            state(ctx),
            Some(user),
            accounts::CreateStaff {
                username: input.username,
                name: input.name,
                password: input.password,
                grants,
            },
        )
        .await?;
        Ok(User(u))
    }

    /// Admin: grants a role to a user within a region. `opdId`, for `OPD_STAFF` and `KPA`: the
    /// OPD the holder works for (required for `OPD_STAFF` where the region lists OPDs).
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        role: RoleGql,
        region_id: ID,
        opd_id: Option<ID>,
    ) -> Result<User> {
        let user = require_user(ctx)?;
        let target = parse_id("userId", &user_id)?;
        let region = parse_id("regionId", &region_id)?;
        let opd = opd_id.as_ref().map(|o| parse_id("opdId", o)).transpose()?;
        Ok(User(
            accounts::grant_role(state(ctx), user, target, role.into(), region, opd).await?,
        ))
    }

    /// Admin: adds a region under a parent.
    async fn create_region(&self, ctx: &Context<'_>, input: CreateRegionInput) -> Result<Region> {
        let user = require_user(ctx)?;
        let parent_id = input
            .parent_id
            .as_ref()
            .map(|p| parse_id("parentId", p))
            .transpose()?;
        let r = regions::create(
            state(ctx),
            Some(user),
            regions::CreateRegion {
                code: input.code,
                name: input.name,
                level: input.level.into(),
                parent_id,
            },
        )
        .await?;
        Ok(Region(r))
    }
}

/// A one-time password-reset code, to hand to the resident.
#[derive(async_graphql::SimpleObject)]
pub struct PasswordResetCode {
    pub code: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
