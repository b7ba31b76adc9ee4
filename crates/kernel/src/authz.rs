//! Authorization through casbin, deny by default.
//!
//! Policies (`role, object, action`) are data: the kernel's in `policy/policy.csv`, each
//! module's in its own `policy.csv`, given to [`Authz::new`]; casbin decides which
//! roles hold a permission. A user's role grants (`role` in `region:ID`) come with the
//! authenticated user ([`CurrentUser::grants`], read from the database when a token is
//! authenticated and again after `session_cache_secs`, see `auth::SessionCache`), so every
//! node decides on current grants. A grant in region G holds for data of region R when G is R
//! or an ancestor of R: a role granted in a kecamatan holds for its kelurahan.
//!
//! The enforcer holds the policy only, never users: it does not grow with the residents who
//! have logged in, and a login never takes a lock that other requests wait on.

use std::collections::BTreeSet;

use casbin::{CoreApi, DefaultModel, Enforcer, MgmtApi, StringAdapter};
use mufakat_core::{AppError, AppResult, Role};

use crate::auth::CurrentUser;

pub const MODEL: &str = include_str!("../policy/model.conf");
pub const POLICY: &str = include_str!("../policy/policy.csv");

pub struct Authz {
    enforcer: Enforcer,
}

/// What is being done: an object kind and an action, as named in `policy.csv`.
#[derive(Debug, Clone, Copy)]
pub struct Permission {
    pub object: &'static str,
    pub action: &'static str,
}

impl Authz {
    /// The kernel's policy and the modules' `policies`.
    pub async fn new(policies: &[&str]) -> anyhow::Result<Authz> {
        let model = DefaultModel::from_str(MODEL).await?;
        let policy: String = std::iter::once(POLICY)
            .chain(policies.iter().copied())
            .flat_map(str::lines)
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let adapter = StringAdapter::new(policy);
        let mut enforcer = Enforcer::new(model, adapter).await?;
        enforcer.enable_auto_save(false);
        Ok(Authz { enforcer })
    }

    /// The grants of `user` that hold for data of region `region_path[0]`; `region_path` is
    /// that region followed by its ancestors.
    fn grants_in<'u>(
        user: &'u CurrentUser,
        region_path: &'u [i32],
    ) -> impl Iterator<Item = Role> + 'u {
        user.grants
            .iter()
            .filter(|(_, region)| region_path.contains(region))
            .map(|(role, _)| *role)
    }

    /// Whether `user` may do `perm` on data of region `region_path[0]`; `region_path` is that
    /// region followed by its ancestors.
    pub fn allowed(
        &self,
        user: &CurrentUser,
        region_path: &[i32],
        perm: Permission,
    ) -> AppResult<bool> {
        for role in Self::grants_in(user, region_path) {
            if self
                .enforcer
                .enforce((role.as_str(), perm.object, perm.action))
                .map_err(casbin_err)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The grants of `user` that hold for data of region `region_path[0]` that belongs to the
    /// OPD with code `opd` (`None`: not routed to one yet): a grant that names an OPD holds only
    /// for that OPD's data ([`CurrentUser::opd_grants`]).
    fn grants_for_opd<'u>(
        user: &'u CurrentUser,
        region_path: &'u [i32],
        opd: Option<&'u str>,
    ) -> impl Iterator<Item = Role> + 'u {
        user.grants
            .iter()
            .filter(|(_, region)| region_path.contains(region))
            .filter(move |(role, region)| {
                user.opd_grants
                    .iter()
                    .find(|(r, g, _)| r == role && g == region)
                    .is_none_or(|(_, _, code)| Some(code.as_str()) == opd)
            })
            .map(|(role, _)| *role)
    }

    /// Whether `user` may do `perm` on data of region `region_path[0]` that belongs to the OPD
    /// with code `opd`: like [`Authz::allowed`], but a grant that names another OPD (or data
    /// routed to none) does not count.
    pub fn allowed_for_opd(
        &self,
        user: &CurrentUser,
        region_path: &[i32],
        perm: Permission,
        opd: Option<&str>,
    ) -> AppResult<bool> {
        for role in Self::grants_for_opd(user, region_path, opd) {
            if self
                .enforcer
                .enforce((role.as_str(), perm.object, perm.action))
                .map_err(casbin_err)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Like [`Authz::allowed_for_opd`], but `FORBIDDEN` when not.
    pub fn require_for_opd(
        &self,
        user: &CurrentUser,
        region_path: &[i32],
        perm: Permission,
        opd: Option<&str>,
    ) -> AppResult<()> {
        if self.allowed_for_opd(user, region_path, perm, opd)? {
            Ok(())
        } else {
            tracing::info!(user = user.id, ?perm, region = ?region_path.first(), opd, "authorization denied (OPD)");
            Err(AppError::Forbidden)
        }
    }

    /// The roles `user` holds for data of region `region_path[0]` that belongs to OPD `opd`
    /// (see [`Authz::allowed_for_opd`]): what a workflow with an `opd` field is given.
    pub fn roles_for_opd(
        &self,
        user: &CurrentUser,
        region_path: &[i32],
        opd: Option<&str>,
    ) -> BTreeSet<String> {
        Self::grants_for_opd(user, region_path, opd)
            .map(|r| r.as_str().to_owned())
            .collect()
    }

    /// Like [`Authz::allowed`], but `FORBIDDEN` when not.
    pub fn require(
        &self,
        user: &CurrentUser,
        region_path: &[i32],
        perm: Permission,
    ) -> AppResult<()> {
        if self.allowed(user, region_path, perm)? {
            Ok(())
        } else {
            tracing::info!(user = user.id, ?perm, region = ?region_path.first(), "authorization denied");
            Err(AppError::Forbidden)
        }
    }

    /// The roles `user` holds for data of region `region_path[0]` (granted there or above).
    /// Workflow transitions name the roles allowed; this is what the engine is given.
    pub fn roles_in(&self, user: &CurrentUser, region_path: &[i32]) -> BTreeSet<String> {
        Self::grants_in(user, region_path)
            .map(|r| r.as_str().to_owned())
            .collect()
    }

    /// The roles (from `policy.csv`) that hold `perm`, for docs and the authorization matrix test.
    pub fn roles_with(&self, perm: Permission) -> Vec<String> {
        self.enforcer
            .get_filtered_policy(1, vec![perm.object.to_owned(), perm.action.to_owned()])
            .into_iter()
            .map(|p| p[0].clone())
            .collect()
    }
}

fn casbin_err(e: casbin::Error) -> AppError {
    AppError::internal(anyhow::anyhow!("casbin: {e}"))
}

/// Every permission the kernel checks (each module has its own `perms`). Adding a mutation
/// means adding its permission there and its rows in that `policy.csv`.
pub mod perms {
    use super::Permission;
    pub const REGION_CREATE: Permission = Permission {
        object: "region",
        action: "create",
    };
    pub const STAFF_ACCOUNT_CREATE: Permission = Permission {
        object: "staff_account",
        action: "create",
    };
    pub const ROLE_GRANT_CREATE: Permission = Permission {
        object: "role_grant",
        action: "create",
    };
    pub const ROLE_GRANT_REVOKE: Permission = Permission {
        object: "role_grant",
        action: "revoke",
    };
    pub const RESIDENT_LIST: Permission = Permission {
        object: "resident",
        action: "list",
    };
    pub const AUDIT_VERIFY: Permission = Permission {
        object: "audit",
        action: "verify",
    };
    pub const AUDIT_CHECKPOINT: Permission = Permission {
        object: "audit",
        action: "checkpoint",
    };
    pub const WORKFLOW_MIGRATE: Permission = Permission {
        object: "workflow",
        action: "migrate",
    };
    pub const SERVICE_LEVEL_REPORT: Permission = Permission {
        object: "service_level",
        action: "report",
    };
    pub const PASSWORD_RESET_ISSUE: Permission = Permission {
        object: "password_reset",
        action: "issue",
    };
    pub const CLOCK_ADVANCE: Permission = Permission {
        object: "clock",
        action: "advance",
    };
    pub const SIGNATORY_APPOINT: Permission = Permission {
        object: "signatory",
        action: "appoint",
    };
    pub const OPD_MANAGE: Permission = Permission {
        object: "opd",
        action: "manage",
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i32, grants: &[(Role, i32)]) -> CurrentUser {
        CurrentUser {
            id,
            username: "u".into(),
            display_name: "U".into(),
            home_region_id: None,
            grants: grants.to_vec(),
            opd_grants: vec![],
            token_hash: String::new(),
        }
    }

    #[tokio::test]
    async fn grants_hold_below_their_region_and_nowhere_else() {
        let a = Authz::new(&[]).await.unwrap();
        // Region 1 = kota, 2 = kecamatan under 1, 3 and 4 = kelurahan under 2.
        let u = user(7, &[(Role::KelurahanStaff, 3)]);
        assert!(a.allowed(&u, &[3, 2, 1], perms::RESIDENT_LIST).unwrap());
        assert!(!a.allowed(&u, &[4, 2, 1], perms::RESIDENT_LIST).unwrap());
        assert!(!a.allowed(&u, &[3, 2, 1], perms::REGION_CREATE).unwrap());
        assert_eq!(
            a.roles_in(&u, &[3, 2, 1]),
            BTreeSet::from(["kelurahan_staff".to_string()])
        );
        assert!(a.roles_in(&u, &[4, 2, 1]).is_empty());

        let u = user(7, &[(Role::KecamatanStaff, 2)]);
        assert!(a.allowed(&u, &[4, 2, 1], perms::RESIDENT_LIST).unwrap());
        assert!(!a.allowed(&u, &[1], perms::RESIDENT_LIST).unwrap());

        let u = user(7, &[]);
        assert!(!a.allowed(&u, &[3, 2, 1], perms::RESIDENT_LIST).unwrap());
    }

    #[tokio::test]
    async fn a_grant_that_names_an_opd_holds_only_for_that_opds_data() {
        let a = Authz::new(&["p, opd_staff, monev_activity, manage"])
            .await
            .unwrap();
        let mut u = user(8, &[(Role::OpdStaff, 1)]);
        let manage = Permission {
            object: "monev_activity",
            action: "manage",
        };
        // No OPD named: every OPD of the region.
        assert!(a
            .allowed_for_opd(&u, &[3, 2, 1], manage, Some("DINKES"))
            .unwrap());
        u.opd_grants = vec![(Role::OpdStaff, 1, "DPUPR".into())];
        assert!(a
            .allowed_for_opd(&u, &[3, 2, 1], manage, Some("DPUPR"))
            .unwrap());
        assert!(!a
            .allowed_for_opd(&u, &[3, 2, 1], manage, Some("DINKES"))
            .unwrap());
        assert!(!a.allowed_for_opd(&u, &[3, 2, 1], manage, None).unwrap());
        assert!(a.roles_for_opd(&u, &[3, 2, 1], Some("DINKES")).is_empty());
    }

    #[tokio::test]
    async fn unknown_users_are_denied() {
        let a = Authz::new(&[]).await.unwrap();
        assert!(!a
            .allowed(&user(99, &[]), &[1], perms::REGION_CREATE)
            .unwrap());
        assert_eq!(
            a.roles_with(perms::REGION_CREATE),
            vec!["admin".to_string()]
        );
    }
}
