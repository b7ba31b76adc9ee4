//! Telling residents what became of a proposal: every change of its status by staff (verified,
//! accepted, accepted with changes and what changed, merged, rejected or left out with the
//! reason, forwarded, prioritised, included) reaches its proposer and the residents who voted
//! for it, in the in-app list, written in the same transaction as the change. Each reads the
//! message in their language (both are stored).

use chrono::{DateTime, Utc};
use mufakat_core::{AppResult, Money};
use mufakat_store::entity::notification as n;
use mufakat_store::DbResultExt;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{proposal as prop, proposal_vote as pv};

/// Rows per insert (far below both engines' bind limits).
const CHUNK: usize = 1000;

/// What a staff action means to a resident, in Indonesian and English; `None` for actions that
/// are not news to them (the proposer's own, votes, scores).
fn what(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        "verify" => (
            "telah diverifikasi kelurahan",
            "was verified by the kelurahan",
        ),
        "accept" => (
            "diterima musrenbang kelurahan",
            "was accepted by the kelurahan forum",
        ),
        "accept_with_changes" => ("diterima dengan perubahan", "was accepted with changes"),
        "merge" => (
            "digabung ke usulan lain",
            "was merged into another proposal",
        ),
        "reject" => ("ditolak", "was rejected"),
        "return_for_revision" => (
            "dikembalikan kepada Anda untuk diperbaiki",
            "was returned to you for revision",
        ),
        "close_out" => (
            "tidak terakomodasi: tidak dibahas sampai akhir siklus",
            "was not accommodated: it was not decided before the cycle ended",
        ),
        "forward_kecamatan" => (
            "diteruskan ke musrenbang kecamatan",
            "was forwarded to the kecamatan forum",
        ),
        "prioritize" => (
            "diprioritaskan kecamatan",
            "was prioritised by the kecamatan",
        ),
        "reject_kecamatan" => (
            "tidak diprioritaskan kecamatan (tidak terakomodasi)",
            "was not prioritised by the kecamatan (not accommodated)",
        ),
        "forward_kota" => (
            "diteruskan ke forum kota",
            "was forwarded to the kota forum",
        ),
        "include" => ("masuk rencana (RKPD)", "was included in the plan (RKPD)"),
        "not_accommodate" => ("tidak terakomodasi", "was not accommodated"),
        _ => return None,
    })
}

/// A notification as an e-mail: Indonesian, then English.
fn mail_body(message_id: &str, message_en: &str) -> String {
    format!(
        "{message_id}\n\nPesan ini dikirim otomatis oleh Mufakat; semua pemberitahuan ada di akun Anda.\n\n---\n\n{message_en}\n\nThis message was sent automatically by Mufakat; every notification is in your account.\n"
    )
}

/// The change, for the notification.
pub struct Change<'a> {
    pub action: &'a str,
    /// The staff member's reason (the transition's comment).
    pub reason: Option<&'a str>,
    /// Accepted with changes: the cost before and after.
    pub cost: Option<(Money, Money)>,
    /// Merged: the target's title.
    pub merged_into: Option<&'a str>,
    pub actor_id: i32,
    pub at: DateTime<Utc>,
}

/// Notifies the proposer and the voters of `p` (not the one who acted) of `change`. A merge's
/// voters are told by the merge itself, where their votes went.
pub async fn tell(
    txn: &impl ConnectionTrait,
    p: &prop::Model,
    change: Change<'_>,
) -> AppResult<usize> {
    let Some((what_id, what_en)) = what(change.action) else {
        return Ok(0);
    };
    let mut message_id = format!("Usulan \"{}\" {what_id}.", p.title);
    let mut message_en = format!("The proposal \"{}\" {what_en}.", p.title);
    if let Some((before, after)) = change.cost {
        message_id.push_str(&format!(
            " Biaya diubah dari {} menjadi {}.",
            before.to_rupiah(),
            after.to_rupiah()
        ));
        message_en.push_str(&format!(
            " Its cost changed from {} to {}.",
            before.to_rupiah(),
            after.to_rupiah()
        ));
    }
    if let Some(target) = change.merged_into {
        message_id.push_str(&format!(" Usulan tujuan: \"{target}\"."));
        message_en.push_str(&format!(" It was merged into \"{target}\"."));
    }
    if let Some(r) = change.reason.map(str::trim).filter(|r| !r.is_empty()) {
        message_id.push_str(&format!(" Alasan: {r}"));
        message_en.push_str(&format!(" Reason: {r}"));
    }
    let mut to: Vec<i32> = p.proposer_id.into_iter().collect();
    if change.action != "merge" {
        let voters: Vec<i32> = pv::Entity::find()
            .select_only()
            .column(pv::Column::VoterId)
            .filter(pv::Column::ProposalId.eq(p.id))
            .into_tuple()
            .all(txn)
            .await
            .db()?;
        to.extend(voters);
    }
    to.sort_unstable();
    to.dedup();
    to.retain(|u| *u != change.actor_id);
    send(
        txn,
        &to,
        Notice {
            kind: &format!("proposal_{}", change.action),
            message_id: &message_id,
            message_en: &message_en,
            proposal_id: p.id,
            about: &p.title,
        },
        change.at,
    )
    .await
}

/// One notification, for [`send`].
pub struct Notice<'a> {
    pub kind: &'a str,
    pub message_id: &'a str,
    pub message_en: &'a str,
    /// The proposal it is about (the notification links to it).
    pub proposal_id: i32,
    /// Its title, for the e-mail's subject.
    pub about: &'a str,
}

/// Writes `notice` to each of `users`' in-app list, and queues it by e-mail for those who gave
/// an address, in the caller's transaction. Returns how many were told in the app.
pub async fn send(
    txn: &impl ConnectionTrait,
    users: &[i32],
    notice: Notice<'_>,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    let rows: Vec<n::ActiveModel> = users
        .iter()
        .map(|u| n::ActiveModel {
            user_id: Set(*u),
            kind: Set(notice.kind.to_owned()),
            message_id: Set(notice.message_id.to_owned()),
            message_en: Set(notice.message_en.to_owned()),
            proposal_id: Set(Some(notice.proposal_id)),
            created_at: Set(at),
            read_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        n::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .db()?;
    }
    // And by e-mail to those who gave an address, in both languages (accounts keep none).
    mufakat_kernel::services::mail::queue_for_users(
        txn,
        users,
        &format!("Mufakat: kabar usulan \"{}\"", notice.about),
        &mail_body(notice.message_id, notice.message_en),
        at,
    )
    .await?;
    Ok(rows.len())
}
