//! When a cycle closes, by its timer or early by hand (`fireTransition`), the proposals still undecided (submitted, returned for
//! revision, verified, accepted but not forwarded, waiting at the kecamatan or the kota forum)
//! are closed out by their `close_out` transition, as the system, with the reason as the
//! comment, in the timer's transaction: none stays open for ever, and their proposers and
//! voters are told.

use mufakat_core::AppResult;
use mufakat_kernel::audit_log::{Chain, WriteTxn};
use mufakat_kernel::services::cases::{self, Acting, AfterTimer, Fired};
use mufakat_kernel::AppState;
use mufakat_store::sea_orm::sea_query::Expr;
use mufakat_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use mufakat_store::DbResultExt;

use super::CYCLE_WORKFLOW;
use crate::entity::{musrenbang_cycle as cyc, proposal as prop};

/// The reason recorded on each closed-out proposal.
pub const REASON: &str = "Tidak dibahas sampai akhir siklus.";

const UNDECIDED: [&str; 8] = [
    "submitted",
    "revision",
    "verified",
    "accepted",
    "accepted_with_changes",
    "forwarded_kecamatan",
    "prioritized",
    "forwarded_kota",
];

pub struct CloseOut;

#[async_trait::async_trait]
impl AfterTimer for CloseOut {
    fn workflows(&self) -> &'static [&'static str] {
        &[CYCLE_WORKFLOW]
    }

    /// Bappeda may close a cycle before its date (`fireTransition(close)`): the same close-out.
    fn by_hand_too(&self) -> bool {
        true
    }

    async fn after(
        &self,
        state: &AppState,
        txn: &WriteTxn,
        chain: &mut Chain,
        fired: &Fired,
    ) -> AppResult<()> {
        if fired.case.state != "closed" {
            return Ok(());
        }
        let Some(cycle) = cyc::Entity::find()
            .filter(cyc::Column::InstanceId.eq(fired.case.id))
            .one(txn)
            .await
            .db()?
        else {
            return Ok(());
        };
        let open = prop::Entity::find()
            .filter(prop::Column::CycleId.eq(cycle.id))
            .filter(prop::Column::Status.is_in(UNDECIDED))
            .all(txn)
            .await
            .db()?;
        let now = fired.event.at;
        for p in open {
            let Some(instance) = p.instance_id else {
                continue;
            };
            let step = cases::fire_in(
                state,
                txn,
                chain,
                Acting::System,
                instance,
                "close_out",
                Default::default(),
                Some(REASON.into()),
                None,
                false,
            )
            .await?;
            prop::Entity::update_many()
                .col_expr(prop::Column::Status, Expr::value(step.case.state.clone()))
                .col_expr(prop::Column::UpdatedAt, Expr::value(now))
                .filter(prop::Column::Id.eq(p.id))
                .exec(txn)
                .await
                .db()?;
            super::notices::tell(
                txn,
                &p,
                super::notices::Change {
                    action: "close_out",
                    reason: None,
                    cost: None,
                    merged_into: None,
                    actor_id: 0,
                    at: now,
                },
            )
            .await?;
        }
        Ok(())
    }
}
