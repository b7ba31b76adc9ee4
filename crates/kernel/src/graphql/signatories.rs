//! Who signs a region's documents: read them (anyone; they sign public documents) and appoint
//! them (admins).

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::{parse_id, require_user, state};
use crate::services::signatories::{self as svc, SignatoryView};

/// The person who signs documents for a region in an office.
#[derive(SimpleObject)]
pub struct Signatory {
    pub region_id: ID,
    /// `lurah`, `kepala_desa`, `camat`, `kepala_bappeda` or `kepala_daerah`.
    pub office: String,
    /// The account's name, as printed under the signature.
    pub name: String,
    /// Nomor Induk Pegawai (18 digits), printed under the name.
    pub nip: String,
    /// The position as printed, e.g. `Lurah Mekarsari`.
    pub position: String,
    pub appointed_at: DateTime<Utc>,
}

impl From<SignatoryView> for Signatory {
    fn from(s: SignatoryView) -> Self {
        Signatory {
            region_id: ID(s.region_id.to_string()),
            office: s.office,
            name: s.name,
            nip: s.nip,
            position: s.position,
            appointed_at: s.appointed_at,
        }
    }
}

#[derive(Default)]
pub struct SignatoryQuery;

#[Object]
impl SignatoryQuery {
    /// The signatories of a region. Public.
    async fn signatories(&self, ctx: &Context<'_>, region_id: ID) -> Result<Vec<Signatory>> {
        let st = state(ctx);
        let id = parse_id("regionId", &region_id)?;
        st.known_region_path(id).await?;
        Ok(svc::of_region(&st.db, id)
            .await?
            .into_iter()
            .map(Signatory::from)
            .collect())
    }
}

#[derive(Default)]
pub struct SignatoryMutation;

#[Object]
impl SignatoryMutation {
    /// Admins: appoints the account `username` (a staff member of the region or above) as the
    /// region's signatory in `office`, with the NIP and the position as printed; replaces the
    /// one before. Audited.
    async fn appoint_signatory(
        &self,
        ctx: &Context<'_>,
        region_id: ID,
        office: String,
        username: String,
        nip: String,
        position: String,
    ) -> Result<Signatory> {
        let user = require_user(ctx)?;
        Ok(svc::appoint(
            state(ctx),
            user,
            parse_id("regionId", &region_id)?,
            &office,
            &username,
            &nip,
            &position,
        )
        .await?
        .into())
    }
}
