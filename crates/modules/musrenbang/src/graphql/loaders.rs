//! The per-request data loaders (cycles, proposals, the signed-in user's votes, proposers'
//! names), so that a list reads each kind of row in one query.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::entity::{proposal as prop, proposal_vote as pv};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Result};
use mufakat_core::AppError;
use mufakat_store::entity::user;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::service::{self as svc, CycleView};
use mufakat_kernel::AppState;

/// Loads cycles by id (one query per request, not per proposal).
pub struct CycleLoader(pub AppState);

impl Loader<i32> for CycleLoader {
    type Value = Arc<CycleView>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let cycles = svc::cycles_by_id(&self.0.db, keys)
            .await
            .map_err(Arc::new)?;
        Ok(cycles.into_iter().map(|c| (c.id, Arc::new(c))).collect())
    }
}

/// Proposals by id (for lists that refer to proposals, such as allocation runs).
pub struct ProposalLoader(pub AppState);

impl Loader<i32> for ProposalLoader {
    type Value = prop::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, prop::Model>, Self::Error> {
        let rows = prop::Entity::find()
            .filter(prop::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Which of these proposals the signed-in user voted for.
pub struct MyVoteLoader(pub AppState, pub i32);

impl Loader<i32> for MyVoteLoader {
    type Value = bool;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, bool>, Self::Error> {
        let rows = pv::Entity::find()
            .filter(pv::Column::VoterId.eq(self.1))
            .filter(pv::Column::ProposalId.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        let voted: HashSet<i32> = rows.into_iter().map(|r| r.proposal_id).collect();
        Ok(keys.iter().map(|k| (*k, voted.contains(k))).collect())
    }
}

/// Proposers' display names.
pub struct UserNameLoader(pub AppState);

impl Loader<i32> for UserNameLoader {
    type Value = String;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, String>, Self::Error> {
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0.db)
            .await
            .db()
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|u| (u.id, u.display_name)).collect())
    }
}

/// The per-request loaders.
pub struct Loaders {
    pub cycles: DataLoader<CycleLoader>,
    pub proposals: DataLoader<ProposalLoader>,
    pub names: DataLoader<UserNameLoader>,
    pub my_votes: Option<DataLoader<MyVoteLoader>>,
}

impl Loaders {
    pub fn new(state: &AppState, user: Option<i32>) -> Loaders {
        Loaders {
            cycles: DataLoader::new(CycleLoader(state.clone()), tokio::spawn),
            proposals: DataLoader::new(ProposalLoader(state.clone()), tokio::spawn),
            names: DataLoader::new(UserNameLoader(state.clone()), tokio::spawn),
            my_votes: user.map(|u| DataLoader::new(MyVoteLoader(state.clone(), u), tokio::spawn)),
        }
    }
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

pub fn err(e: Arc<AppError>) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(e) => e.into(),
        Err(e) => AppError::internal(anyhow::anyhow!("{e}")).into(),
    }
}
