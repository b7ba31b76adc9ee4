//! The audit trail: every state change appends one event; each event's hash covers the
//! previous event's hash, so altering, inserting, deleting or reordering any event breaks the
//! chain from that event on. Signed checkpoints (Ed25519) pin the head at points in time.
//!
//! The encoding is specified in `docs/audit-verification.md` and reproducible with Python's
//! standard library (`json.dumps(obj, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)`, then SHA-256 of the UTF-8 bytes).

mod canonical;
mod checkpoint;
mod event;
pub mod jsonl;
mod receipt;
mod verify;

pub use canonical::canonical_json;
pub use checkpoint::{
    verify_checkpoint_signature, Checkpoint, CheckpointError, Signer, TrustedKeys,
};
pub use event::{compute_hash, format_time, parse_time, seal, AuditEvent, GENESIS_HASH};
pub use receipt::{Receipt, ReceiptError};
pub use verify::{verify_chain, verify_checkpoint, ChainError, ChainVerifier, VerifySummary};
