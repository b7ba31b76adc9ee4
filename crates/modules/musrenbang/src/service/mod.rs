//! e-Musrenbang on the workflow engine. A cycle is a `musrenbang-siklus` case whose timers move
//! it through the phases; each proposal (usulan) is a `musrenbang-usulan` case. Every status
//! change, vote and score is a transition of those cases, appended to the audit chain in the
//! same transaction as the module's own rows.
//!
//! The use cases, one file each: `cycles` (creating and reading cycles), `proposals` (filing
//! and reading proposals), `drafts` (editing a draft), `actions` (proposal transitions and merges), `votes` (casting
//! votes through the batch writer), `scores`, `priority` (priority lists) and `comments`.
//! What they share (phase checks, money fields) is here.

mod actions;
pub mod close_out;
mod comments;
mod cycles;
mod drafts;
pub mod forums;
pub mod notices;
mod priority;
pub(crate) mod proposals;
mod scores;
mod votes;

pub use actions::{act, ActInput};
pub use comments::{add_comment, comments, hide_comment, report_comment};
pub use cycles::{
    create_cycle, current_cycle, cycles_by_id, get_cycle, list_cycles, CycleSettings, CycleView,
    NewCycle,
};
pub use drafts::edit_draft;
pub use priority::{check_level, on_level_list, priority_list, PriorityEntry};
pub use proposals::{
    create_proposal, get_proposal, status_title, visible, Attachment, NewProposal, SOURCES,
};
pub use scores::score;
pub use votes::{
    pseudonym, unvote, vote, write_votes, VoteCountChanged, VoteEvents, VoteReceipt, VoteRequest,
    Votes, VOTE_CHANNEL,
};

use mufakat_core::{AppError, AppResult, FieldError, Money};
use rust_decimal::Decimal;

pub const CYCLE_WORKFLOW: &str = "musrenbang-siklus";
pub const PROPOSAL_WORKFLOW: &str = "musrenbang-usulan";

fn phase_closed(needed: &str, current: &str) -> AppError {
    let label = |p: &str| match p {
        "scheduled" => "belum dimulai",
        "submission" => "pengajuan usulan",
        "voting" => "pemungutan suara",
        "kelurahan_deliberation" => "musrenbang kelurahan",
        "kecamatan_deliberation" => "musrenbang kecamatan",
        "kota_forum" => "forum kota",
        "closed" => "ditutup",
        _ => "lain",
    };
    AppError::conflict(
        format!(
            "Tindakan ini hanya dapat dilakukan pada tahap {}; tahap sekarang: {}.",
            label(needed),
            label(current)
        ),
        format!("This can only be done in the {needed} phase; the cycle is now in {current}."),
    )
}

fn money_field(field: &str, d: Decimal) -> Result<Money, FieldError> {
    Money::new(d).map_err(|e| match e {
        mufakat_core::money::MoneyError::TooPrecise => FieldError::new(
            field,
            "money",
            "Jumlah uang paling banyak dua angka desimal.",
            "An amount has at most two decimals.",
        ),
        _ => too_large(field),
    })
}

fn too_large(field: &str) -> FieldError {
    FieldError::new(
        field,
        "range",
        "Jumlah terlalu besar: paling banyak 16 angka sebelum koma.",
        "The amount is too large: at most 16 digits before the decimal point.",
    )
}

/// A cost that does not hold, named by the field that is wrong, in both languages.
/// `reason_field` names where the override's reason comes from (`costOverrideReason` when
/// filing, the transition's `comment` when staff change the cost).
fn cost_error(e: mufakat_musrenbang::CostError, reason_field: &str) -> FieldError {
    use mufakat_musrenbang::CostError as E;
    match e {
        E::VolumeNotPositive => FieldError::new(
            "volume",
            "range",
            "Volume harus lebih dari nol.",
            "The volume must be greater than zero.",
        ),
        E::NegativePrice => FieldError::new(
            "unitPrice",
            "range",
            "Harga satuan tidak boleh negatif.",
            "The unit price must not be negative.",
        ),
        E::NegativeOverride => FieldError::new(
            "costOverride",
            "range",
            "Biaya pengganti tidak boleh negatif.",
            "The cost override must not be negative.",
        ),
        E::OverrideWithoutReason => FieldError::new(
            reason_field,
            "required",
            "Biaya pengganti memerlukan alasan.",
            "A cost override needs a reason.",
        ),
        E::OutOfRange => FieldError::new(
            "volume",
            "range",
            "Volume × harga satuan terlalu besar: biaya paling banyak 16 angka sebelum koma.",
            "Volume × unit price is too large: a cost has at most 16 digits before the decimal point.",
        ),
    }
}

/// A cost in sen (minor units) for storage; `VALIDATION` on `unitPrice` when it does not fit.
fn sen(m: Money) -> AppResult<i64> {
    m.to_minor_units().map_err(|_| {
        AppError::validation(
            "unitPrice",
            "range",
            "Jumlah terlalu besar.",
            "Amount too large.",
        )
    })
}
