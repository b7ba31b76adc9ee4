//! Signed checkpoints: the node's key, the keys a verifier trusts, the checkpoints the node
//! holds outside the database, and verifying the stored chain against all of them.
//!
//! A checkpoint is worth something only when (a) it is signed by a key the verifier trusts —
//! anyone can sign a forged history with a key of their own — and (b) a copy of it lives where
//! whoever can rewrite the database cannot reach. So every checkpoint this node signs is also
//! appended to a file in its data directory (`audit/checkpoints.jsonl`), and before it signs a
//! new head the node checks that the chain still extends the newest checkpoint it trusts (from
//! that file or from the database, signed by a trusted key), event by event up to the head.
//! When that fails the node refuses to sign, logs an error and raises an alarm that
//! `/healthz` shows, rather than putting its signature on a forged history.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use mufakat_audit::{ChainVerifier, Checkpoint, Signer, TrustedKeys};
use mufakat_core::{AppError, AppResult};
use mufakat_store::entity::audit_checkpoint;
use mufakat_store::repo::audit as repo;
use sea_orm::{ConnectionTrait, Set};

use crate::audit_log::{checkpoint_from_row, from_row};

/// Events read per page while walking the chain.
const PAGE: u64 = 2000;

/// The node's signing key, the keys it trusts, and the checkpoints it holds.
pub struct Notary {
    pub signer: Signer,
    trusted: TrustedKeys,
    /// Checkpoints this node signed, one JSON line each (`None`: kept in the database only,
    /// for throwaway test states).
    held: Option<PathBuf>,
    alarm: Mutex<Option<String>>,
}

impl Notary {
    /// `earlier_keys`: public keys (hex) the deployment signed with before a rotation; their
    /// checkpoints stay valid. `held`: the file of checkpoints this node signs.
    pub fn new(
        signer: Signer,
        earlier_keys: &[String],
        held: Option<PathBuf>,
    ) -> anyhow::Result<Notary> {
        let trusted = TrustedKeys::new(
            std::iter::once(signer.public_key_hex()).chain(earlier_keys.iter().cloned()),
        )
        .map_err(|e| anyhow::anyhow!("audit_earlier_public_keys: {e}"))?;
        Ok(Notary {
            signer,
            trusted,
            held,
            alarm: Mutex::new(None),
        })
    }

    pub fn trusted(&self) -> &TrustedKeys {
        &self.trusted
    }

    /// What is wrong with the chain, when the last attempt to sign found it broken.
    pub fn alarm(&self) -> Option<String> {
        self.alarm.lock().ok().and_then(|a| a.clone())
    }

    fn set_alarm(&self, problem: Option<String>) {
        if let Ok(mut a) = self.alarm.lock() {
            *a = problem;
        }
    }

    /// The checkpoints in the node's file, oldest first. A last line cut short (a crash while
    /// appending) is skipped; any other unreadable line is an error.
    pub fn held_checkpoints(&self) -> AppResult<Vec<Checkpoint>> {
        let Some(path) = &self.held else {
            return Ok(vec![]);
        };
        read_held(path)
    }

    /// Appends `cp` to the node's file and syncs it to disk.
    fn hold(&self, cp: &Checkpoint) -> AppResult<()> {
        let Some(path) = &self.held else {
            return Ok(());
        };
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            let mut line = vec![];
            mufakat_audit::jsonl::write_checkpoint(&mut line, cp)?;
            f.write_all(&line)?;
            f.sync_all()
        };
        write().map_err(|e| {
            AppError::internal(anyhow::anyhow!("appending to {}: {e}", path.display()))
        })
    }
}

fn read_held(path: &Path) -> AppResult<Vec<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(AppError::internal(anyhow::anyhow!(
                "reading {}: {e}",
                path.display()
            )))
        }
    };
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = vec![];
    for (i, line) in lines.iter().enumerate() {
        match mufakat_audit::jsonl::read(line.as_bytes()) {
            Ok(mut l) if l.len() == 1 => {
                if let Some(mufakat_audit::jsonl::Line::Checkpoint(cp)) = l.pop() {
                    out.push(cp);
                    continue;
                }
            }
            _ if i + 1 == lines.len() && !complete => {
                tracing::warn!(file = %path.display(), "skipping a checkpoint line cut short");
                continue;
            }
            _ => {}
        }
        return Err(AppError::internal(anyhow::anyhow!(
            "{} line {}: not a checkpoint",
            path.display(),
            i + 1
        )));
    }
    Ok(out)
}

/// Loads the signing key from `{data_dir}/secrets/audit-signing.pem`, creating it on first start.
pub fn load_or_create_signer(path: &Path) -> anyhow::Result<Signer> {
    if path.exists() {
        let pem = std::fs::read_to_string(path)?;
        return Signer::from_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let signer = Signer::generate();
    crate::secrets::write_private(path, &signer.to_pem().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    Ok(signer)
}

/// Every checkpoint the database and the node's file hold.
async fn all_checkpoints(db: &impl ConnectionTrait, notary: &Notary) -> AppResult<Vec<Checkpoint>> {
    let mut cps: Vec<Checkpoint> = repo::checkpoints(db)
        .await?
        .into_iter()
        .map(checkpoint_from_row)
        .collect();
    cps.extend(notary.held_checkpoints()?);
    Ok(cps)
}

/// Signs the current head and stores the checkpoint, after checking that the chain extends the
/// newest trusted checkpoint. Returns `None` when the chain is empty, the newest trusted
/// checkpoint when it is already at the head, and `CONFLICT` (with the alarm raised) when the
/// chain does not extend it.
pub async fn checkpoint(
    db: &impl ConnectionTrait,
    notary: &Notary,
    now: DateTime<Utc>,
) -> AppResult<Option<Checkpoint>> {
    let (seq, hash) = repo::head(db).await?;
    let trusted_cps: Vec<Checkpoint> = all_checkpoints(db, notary)
        .await?
        .into_iter()
        .filter(|cp| mufakat_audit::verify_checkpoint_signature(cp, &notary.trusted).is_ok())
        .collect();
    let anchor = trusted_cps.iter().max_by_key(|cp| cp.seq).cloned();
    if let Err(problem) = extends(db, notary, anchor.as_ref(), seq, &hash).await? {
        tracing::error!(%problem, "audit chain does not extend the last trusted checkpoint: not signing");
        notary.set_alarm(Some(problem));
        return Err(AppError::conflict(
            "Jejak audit tidak utuh sejak checkpoint terakhir yang tepercaya; kepala rantai tidak ditandatangani. Jalankan `mufakat audit verify`.",
            "The audit trail is not intact since the last trusted checkpoint; the head was not signed. Run `mufakat audit verify`.",
        ));
    }
    notary.set_alarm(None);
    if seq == 0 {
        return Ok(None);
    }
    if let Some(a) = anchor.filter(|a| a.seq == seq) {
        return Ok(Some(a));
    }
    let cp = notary.signer.sign_checkpoint(seq, &hash, now);
    repo::add_checkpoint(db, checkpoint_row(&cp)).await?;
    // After the row: a checkpoint in the file and not in the database would read as a
    // removed row.
    notary.hold(&cp)?;
    Ok(Some(cp))
}

/// The row that stores `cp`.
pub fn checkpoint_row(cp: &Checkpoint) -> audit_checkpoint::ActiveModel {
    audit_checkpoint::ActiveModel {
        seq: Set(cp.seq),
        hash: Set(cp.hash.clone()),
        signed_at: Set(cp.signed_at.clone()),
        public_key: Set(cp.public_key.clone()),
        signature: Set(cp.signature.clone()),
        ..Default::default()
    }
}

/// Whether the stored events from `anchor` (or the first event) to `head_seq` are intact and
/// end at `head_hash`: `Ok(Err(problem))` when not.
async fn extends(
    db: &impl ConnectionTrait,
    notary: &Notary,
    anchor: Option<&Checkpoint>,
    head_seq: i64,
    head_hash: &str,
) -> AppResult<Result<(), String>> {
    let mut v = match anchor {
        Some(a) => {
            let at = repo::page(db, a.seq - 1, 1).await?;
            match at.into_iter().next() {
                Some(e) if e.seq == a.seq && e.hash == a.hash => {}
                Some(e) if e.seq == a.seq => {
                    return Ok(Err(format!(
                        "event {} no longer has the hash of the checkpoint signed at it (history was rewritten)",
                        a.seq
                    )))
                }
                _ => {
                    return Ok(Err(format!(
                        "event {} of a signed checkpoint is gone (events at the end were removed, or an older backup was restored)",
                        a.seq
                    )))
                }
            }
            ChainVerifier::resume(a.seq, &a.hash, notary.trusted.clone())
        }
        None => ChainVerifier::new(notary.trusted.clone()),
    };
    if head_seq < v.count() {
        return Ok(Err(format!(
            "the head says {head_seq} events, but a signed checkpoint covers {}",
            v.count()
        )));
    }
    let mut after = v.count();
    while after < head_seq {
        let page = repo::page(db, after, PAGE.min((head_seq - after) as u64)).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            after = row.seq;
            let seq = row.seq;
            let Ok(event) = from_row(row) else {
                return Ok(Err(format!("event {seq} is unreadable")));
            };
            if let Err(e) = v.push(&event) {
                return Ok(Err(e.to_string()));
            }
        }
    }
    if v.count() != head_seq || (head_seq > 0 && v.last_hash() != Some(head_hash)) {
        return Ok(Err(format!(
            "the chain ends at event {} but its head says {head_seq}",
            v.count()
        )));
    }
    Ok(Ok(()))
}

/// The result of verifying the stored chain.
#[derive(Debug, Clone)]
pub struct Verification {
    pub ok: bool,
    pub events: i64,
    pub checkpoints: usize,
    /// The first bad event and what is wrong with it.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Streams the whole chain in pages and checks hashes, links, sequence, the head row and every
/// checkpoint (the database's and the node's file's): each must be signed by a trusted key and
/// match the chain at its event.
pub async fn verify(db: &impl ConnectionTrait, notary: &Notary) -> AppResult<Verification> {
    verify_against(db, notary, vec![]).await
}

/// [`verify`], also against checkpoints a verifier holds itself (e.g. copied from the public
/// `auditCheckpoints` or a signed report): the chain must still extend each of them, as a
/// Certificate Transparency log must extend the tree heads its monitors hold. A held
/// checkpoint beyond the chain's end means events were removed or an old backup restored.
pub async fn verify_against(
    db: &impl ConnectionTrait,
    notary: &Notary,
    held: Vec<Checkpoint>,
) -> AppResult<Verification> {
    let mut checkpoints = all_checkpoints(db, notary).await?;
    checkpoints.extend(held);
    let n_cp = checkpoints
        .iter()
        .map(|c| c.seq)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let bad = |events: i64, seq: i64, problem: String| Verification {
        ok: false,
        events,
        checkpoints: n_cp,
        first_bad_seq: Some(seq),
        problem: Some(problem),
    };
    // Each checkpoint's signature is checked here, and its hash when the walk reaches its seq.
    let mut verifier = match ChainVerifier::with_checkpoints(checkpoints, notary.trusted.clone()) {
        Ok(v) => v,
        Err(e) => return Ok(bad(0, e.seq(), e.to_string())),
    };
    let mut after = 0i64;
    loop {
        let page = repo::page(db, after, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            after = row.seq;
            let seq = row.seq;
            let event = match from_row(row) {
                Ok(e) => e,
                Err(_) => return Ok(bad(verifier.count(), seq, "unreadable event".into())),
            };
            if let Err(e) = verifier.push(&event) {
                return Ok(bad(verifier.count(), e.seq(), e.to_string()));
            }
        }
    }
    let count = verifier.count();
    let last = verifier.last_hash().map(str::to_owned);
    if let Err(e) = verifier.finish() {
        return Ok(bad(count, e.seq(), e.to_string()));
    }
    // The head row must agree with the last event (a deleted tail shows here).
    let (head_seq, head_hash) = repo::head(db).await?;
    if head_seq != count || (head_seq > 0 && Some(head_hash.as_str()) != last.as_deref()) {
        return Ok(bad(
            count,
            count + 1,
            format!("the chain ends at event {count} but its head says {head_seq}: events at the end were removed"),
        ));
    }
    Ok(Verification {
        ok: true,
        events: count,
        checkpoints: n_cp,
        first_bad_seq: None,
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_checkpoints_survive_a_torn_last_line_and_refuse_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit").join("checkpoints.jsonl");
        let s = Signer::generate();
        let notary = Notary::new(Signer::generate(), &[], Some(path.clone())).unwrap();
        assert!(notary.held_checkpoints().unwrap().is_empty());
        let a = s.sign_checkpoint(1, &"aa".repeat(32), chrono::Utc::now());
        let b = s.sign_checkpoint(2, &"bb".repeat(32), chrono::Utc::now());
        notary.hold(&a).unwrap();
        notary.hold(&b).unwrap();
        assert_eq!(
            notary.held_checkpoints().unwrap(),
            vec![a.clone(), b.clone()]
        );
        // A crash in the middle of an append.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"hash\":\"cc").unwrap();
        assert_eq!(
            notary.held_checkpoints().unwrap(),
            vec![a.clone(), b.clone()]
        );
        // Anything else unreadable is an error, not silently fewer checkpoints.
        f.write_all(b"\n{\"type\":\"checkpoint\"}\n").unwrap();
        assert!(notary.held_checkpoints().is_err());
    }

    #[test]
    fn earlier_keys_are_trusted_too_and_must_be_keys() {
        let old = Signer::generate();
        let n = Notary::new(Signer::generate(), &[old.public_key_hex()], None).unwrap();
        assert!(n.trusted().contains(&old.public_key_hex()));
        assert!(n.trusted().contains(&n.signer.public_key_hex()));
        assert!(Notary::new(Signer::generate(), &["nope".into()], None).is_err());
    }
}
