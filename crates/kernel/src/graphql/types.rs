use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use mufakat_core::{RegionLevel, RegionNode, Role};

use super::state;
use crate::services::accounts::UserView;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "RegionLevel")]
pub enum RegionLevelGql {
    Provinsi,
    KabupatenKota,
    Kecamatan,
    KelurahanDesa,
}

impl From<RegionLevel> for RegionLevelGql {
    fn from(l: RegionLevel) -> Self {
        match l {
            RegionLevel::Provinsi => Self::Provinsi,
            RegionLevel::KabupatenKota => Self::KabupatenKota,
            RegionLevel::Kecamatan => Self::Kecamatan,
            RegionLevel::KelurahanDesa => Self::KelurahanDesa,
        }
    }
}

impl From<RegionLevelGql> for RegionLevel {
    fn from(l: RegionLevelGql) -> Self {
        match l {
            RegionLevelGql::Provinsi => Self::Provinsi,
            RegionLevelGql::KabupatenKota => Self::KabupatenKota,
            RegionLevelGql::Kecamatan => Self::Kecamatan,
            RegionLevelGql::KelurahanDesa => Self::KelurahanDesa,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Role")]
pub enum RoleGql {
    Resident,
    KelurahanStaff,
    KecamatanStaff,
    BappedaPlanner,
    OpdStaff,
    Vendor,
    UkpbjStaff,
    Ppk,
    FinanceStaff,
    Kpa,
    Supervisor,
    Ppid,
    PpidSuperior,
    Inspector,
    InspectorateStaff,
    Auditor,
    Admin,
}

impl From<Role> for RoleGql {
    fn from(r: Role) -> Self {
        match r {
            Role::Resident => Self::Resident,
            Role::KelurahanStaff => Self::KelurahanStaff,
            Role::KecamatanStaff => Self::KecamatanStaff,
            Role::BappedaPlanner => Self::BappedaPlanner,
            Role::OpdStaff => Self::OpdStaff,
            Role::Vendor => Self::Vendor,
            Role::UkpbjStaff => Self::UkpbjStaff,
            Role::Ppk => Self::Ppk,
            Role::FinanceStaff => Self::FinanceStaff,
            Role::Kpa => Self::Kpa,
            Role::Supervisor => Self::Supervisor,
            Role::Ppid => Self::Ppid,
            Role::PpidSuperior => Self::PpidSuperior,
            Role::Inspector => Self::Inspector,
            Role::InspectorateStaff => Self::InspectorateStaff,
            Role::Auditor => Self::Auditor,
            Role::Admin => Self::Admin,
        }
    }
}

impl From<RoleGql> for Role {
    fn from(r: RoleGql) -> Self {
        match r {
            RoleGql::Resident => Self::Resident,
            RoleGql::KelurahanStaff => Self::KelurahanStaff,
            RoleGql::KecamatanStaff => Self::KecamatanStaff,
            RoleGql::BappedaPlanner => Self::BappedaPlanner,
            RoleGql::OpdStaff => Self::OpdStaff,
            RoleGql::Vendor => Self::Vendor,
            RoleGql::UkpbjStaff => Self::UkpbjStaff,
            RoleGql::Ppk => Self::Ppk,
            RoleGql::FinanceStaff => Self::FinanceStaff,
            RoleGql::Kpa => Self::Kpa,
            RoleGql::Supervisor => Self::Supervisor,
            RoleGql::Ppid => Self::Ppid,
            RoleGql::PpidSuperior => Self::PpidSuperior,
            RoleGql::Inspector => Self::Inspector,
            RoleGql::InspectorateStaff => Self::InspectorateStaff,
            RoleGql::Auditor => Self::Auditor,
            RoleGql::Admin => Self::Admin,
        }
    }
}

/// A region of the administrative hierarchy (kabupaten/kota, kecamatan, kelurahan/desa).
pub struct Region(pub RegionNode);

impl Region {
    /// Region `id` from the server's region tree (cached in memory), if it exists.
    pub async fn by_id(ctx: &async_graphql::Context<'_>, id: i32) -> Option<Region> {
        crate::graphql::state(ctx)
            .regions
            .read()
            .await
            .get(id)
            .cloned()
            .map(Region)
    }
}

#[Object]
impl Region {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The official region code (kode wilayah Kemendagri).
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn level(&self) -> RegionLevelGql {
        self.0.level.into()
    }
    async fn parent(&self, ctx: &Context<'_>) -> Option<Region> {
        let p = self.0.parent_id?;
        state(ctx).regions.read().await.get(p).cloned().map(Region)
    }
    async fn children(&self, ctx: &Context<'_>) -> Vec<Region> {
        let tree = state(ctx).regions.read().await;
        let mut c: Vec<Region> = tree.children(self.0.id).cloned().map(Region).collect();
        c.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        c
    }
}

/// A role held within a region (and every region below it).
pub struct RoleGrant {
    pub role: Role,
    pub region_id: i32,
    pub opd_id: Option<i32>,
}

#[Object]
impl RoleGrant {
    async fn role(&self) -> RoleGql {
        self.role.into()
    }
    async fn region(&self, ctx: &Context<'_>) -> Option<Region> {
        Region::by_id(ctx, self.region_id).await
    }
    /// The OPD the holder works for, where the grant names one: they act only on what is
    /// routed to it.
    async fn opd(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::opds::Opd>> {
        let Some(id) = self.opd_id else {
            return Ok(None);
        };
        Ok(Some(super::opds::Opd(
            crate::services::opds::get(&state(ctx).db, id).await?,
        )))
    }
}

pub struct User(pub UserView);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// The kelurahan/desa of residence (residents only).
    async fn home_region(&self, ctx: &Context<'_>) -> Option<Region> {
        let r = self.0.home_region_id?;
        state(ctx).regions.read().await.get(r).cloned().map(Region)
    }
    async fn roles(&self) -> Vec<RoleGrant> {
        self.0
            .grants
            .iter()
            .zip(
                self.0
                    .grant_opds
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(None)),
            )
            .map(|((role, region_id), opd_id)| RoleGrant {
                role: *role,
                region_id: *region_id,
                opd_id,
            })
            .collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The e-mail address where the user is also told of changes: shown only to the user.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        let me = super::req(ctx).user.as_ref()?;
        (me.id == self.0.id)
            .then_some(self.0.email.as_deref())
            .flatten()
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}
