use std::collections::BTreeMap;

use crate::{compute_hash, AuditEvent, Checkpoint, CheckpointError, TrustedKeys, GENESIS_HASH};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq}: expected sequence number {expected} (an event is missing, inserted or out of order)")]
    Sequence { seq: i64, expected: i64 },
    #[error("event {seq}: prev_hash does not match the hash of event {} (an event before it was removed, inserted or reordered)", seq - 1)]
    Link { seq: i64 },
    #[error("event {seq}: content does not match its hash (the event was altered)")]
    Content { seq: i64 },
    #[error("checkpoint at event {seq}: the signed hash does not match the chain")]
    CheckpointMismatch { seq: i64 },
    #[error("checkpoint at event {seq}: the signature is not valid")]
    CheckpointSignature { seq: i64 },
    #[error(
        "checkpoint at event {seq}: signed by a key that is not trusted (not the published key)"
    )]
    CheckpointUntrustedKey { seq: i64 },
    #[error(
        "checkpoint at event {seq}: the chain ends before it (events at the end were removed)"
    )]
    CheckpointBeyondEnd { seq: i64 },
}

impl ChainError {
    /// The first bad event (or the checkpoint's event).
    pub fn seq(&self) -> i64 {
        match self {
            ChainError::Sequence { seq, .. }
            | ChainError::Link { seq }
            | ChainError::Content { seq }
            | ChainError::CheckpointMismatch { seq }
            | ChainError::CheckpointSignature { seq }
            | ChainError::CheckpointUntrustedKey { seq }
            | ChainError::CheckpointBeyondEnd { seq } => *seq,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    pub events: i64,
    pub last_hash: Option<String>,
    pub checkpoints: usize,
}

/// Streams through a chain in order, in constant memory (plus the checkpoints given).
pub struct ChainVerifier {
    count: i64,
    last_hash: Option<String>,
    checkpoints: BTreeMap<i64, Checkpoint>,
    checked: usize,
    trusted: TrustedKeys,
}

/// A checkpoint's signature under the trusted keys, as a chain error.
fn check_signature(cp: &Checkpoint, trusted: &TrustedKeys) -> Result<(), ChainError> {
    crate::verify_checkpoint_signature(cp, trusted).map_err(|e| match e {
        CheckpointError::UntrustedKey => ChainError::CheckpointUntrustedKey { seq: cp.seq },
        _ => ChainError::CheckpointSignature { seq: cp.seq },
    })
}

impl ChainVerifier {
    /// A verifier accepting checkpoints signed by `trusted` keys only.
    pub fn new(trusted: TrustedKeys) -> Self {
        ChainVerifier {
            count: 0,
            last_hash: None,
            checkpoints: BTreeMap::new(),
            checked: 0,
            trusted,
        }
    }

    /// A verifier that continues a chain known up to event `seq` with hash `hash` (e.g. a
    /// trusted checkpoint): the next event pushed must be `seq + 1` and link to `hash`.
    pub fn resume(seq: i64, hash: &str, trusted: TrustedKeys) -> Self {
        let mut v = Self::new(trusted);
        v.count = seq;
        v.last_hash = (seq > 0).then(|| hash.to_owned());
        v
    }

    /// Also checks these checkpoints: signature by a trusted key, and hash at their sequence
    /// number. Two checkpoints at one sequence number must agree.
    pub fn with_checkpoints(
        cps: impl IntoIterator<Item = Checkpoint>,
        trusted: TrustedKeys,
    ) -> Result<Self, ChainError> {
        let mut v = Self::new(trusted);
        for cp in cps {
            check_signature(&cp, &v.trusted)?;
            if let Some(known) = v.checkpoints.get(&cp.seq) {
                if known.hash != cp.hash {
                    return Err(ChainError::CheckpointMismatch { seq: cp.seq });
                }
                continue;
            }
            v.checkpoints.insert(cp.seq, cp);
        }
        Ok(v)
    }

    pub fn push(&mut self, e: &AuditEvent) -> Result<(), ChainError> {
        let expected = self.count + 1;
        if e.seq != expected {
            return Err(ChainError::Sequence {
                seq: e.seq,
                expected,
            });
        }
        let prev = self.last_hash.as_deref().unwrap_or(GENESIS_HASH);
        if e.prev_hash != prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if compute_hash(e) != e.hash {
            return Err(ChainError::Content { seq: e.seq });
        }
        if let Some(cp) = self.checkpoints.get(&e.seq) {
            if cp.hash != e.hash {
                return Err(ChainError::CheckpointMismatch { seq: e.seq });
            }
            self.checked += 1;
        }
        self.count = e.seq;
        self.last_hash = Some(e.hash.clone());
        Ok(())
    }

    /// Checks a checkpoint against the events pushed so far (it must be at or before the end).
    pub fn check_checkpoint(&self, cp: &Checkpoint) -> Result<(), ChainError> {
        check_signature(cp, &self.trusted)?;
        if cp.seq > self.count {
            return Err(ChainError::CheckpointBeyondEnd { seq: cp.seq });
        }
        match self.checkpoints.get(&cp.seq) {
            Some(known) if known.hash == cp.hash => Ok(()),
            Some(_) => Err(ChainError::CheckpointMismatch { seq: cp.seq }),
            None if cp.seq == self.count && self.last_hash.as_deref() == Some(cp.hash.as_str()) => {
                Ok(())
            }
            None => Err(ChainError::CheckpointMismatch { seq: cp.seq }),
        }
    }

    /// Ends the walk: checkpoints past the last event mean the tail was removed.
    pub fn finish(self) -> Result<VerifySummary, ChainError> {
        if let Some((seq, _)) = self.checkpoints.range(self.count + 1..).next() {
            return Err(ChainError::CheckpointBeyondEnd { seq: *seq });
        }
        Ok(VerifySummary {
            events: self.count,
            last_hash: self.last_hash,
            checkpoints: self.checked,
        })
    }

    pub fn count(&self) -> i64 {
        self.count
    }

    pub fn last_hash(&self) -> Option<&str> {
        self.last_hash.as_deref()
    }
}

/// Checks one checkpoint on its own: its signature, and that its hash is `hash_at_seq`, the
/// hash of event `cp.seq` as recomputed from the chain (or read from the stored chain).
pub fn verify_checkpoint(
    cp: &Checkpoint,
    hash_at_seq: &str,
    trusted: &TrustedKeys,
) -> Result<(), ChainError> {
    check_signature(cp, trusted)?;
    if cp.hash != hash_at_seq {
        return Err(ChainError::CheckpointMismatch { seq: cp.seq });
    }
    Ok(())
}

/// Verifies a whole chain with its checkpoints, streaming: memory does not grow with the
/// number of events.
pub fn verify_chain(
    events: impl IntoIterator<Item = AuditEvent>,
    checkpoints: Vec<Checkpoint>,
    trusted: TrustedKeys,
) -> Result<VerifySummary, ChainError> {
    let mut v = ChainVerifier::with_checkpoints(checkpoints, trusted)?;
    for e in events {
        v.push(&e)?;
    }
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::sample;
    use crate::{seal, Signer};

    fn none() -> TrustedKeys {
        TrustedKeys::default()
    }

    fn trusting(s: &Signer) -> TrustedKeys {
        TrustedKeys::new([s.public_key_hex()]).unwrap()
    }

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut out: Vec<AuditEvent> = vec![];
        for seq in 1..=n {
            let prev = out
                .last()
                .map(|e| e.hash.clone())
                .unwrap_or_else(|| GENESIS_HASH.to_owned());
            out.push(sample(seq, &prev));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(10);
        let s = verify_chain(c.clone(), vec![], none()).unwrap();
        assert_eq!(s.events, 10);
        assert_eq!(s.last_hash.as_deref(), Some(c[9].hash.as_str()));
    }

    #[test]
    fn an_altered_event_is_located() {
        let mut c = chain(10);
        c[4].comment = Some("diubah".into());
        assert_eq!(
            verify_chain(c, vec![], none()).unwrap_err(),
            ChainError::Content { seq: 5 }
        );
    }

    #[test]
    fn an_altered_and_rehashed_event_breaks_the_next_link() {
        let mut c = chain(10);
        c[4].comment = Some("diubah".into());
        let prev = c[3].hash.clone();
        c[4] = seal(c[4].clone(), &prev);
        assert_eq!(
            verify_chain(c, vec![], none()).unwrap_err(),
            ChainError::Link { seq: 6 }
        );
    }

    #[test]
    fn a_deleted_event_is_located() {
        let mut c = chain(10);
        c.remove(6);
        assert_eq!(
            verify_chain(c, vec![], none()).unwrap_err(),
            ChainError::Sequence {
                seq: 8,
                expected: 7
            }
        );
    }

    #[test]
    fn an_inserted_event_is_located() {
        let mut c = chain(10);
        let mut fake = c[3].clone();
        fake.comment = Some("sisipan".into());
        c.insert(4, fake);
        assert_eq!(
            verify_chain(c, vec![], none()).unwrap_err(),
            ChainError::Sequence {
                seq: 4,
                expected: 5
            }
        );
    }

    #[test]
    fn reordered_events_are_located() {
        let mut c = chain(10);
        c.swap(2, 3);
        assert_eq!(
            verify_chain(c, vec![], none()).unwrap_err(),
            ChainError::Sequence {
                seq: 4,
                expected: 3
            }
        );
    }

    #[test]
    fn a_renumbered_deletion_breaks_the_link() {
        // Delete event 5 and renumber the rest: sequence fine, link broken at the new 5.
        let mut c = chain(10);
        c.remove(4);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify_chain(c, vec![], none()).unwrap_err().seq(), 5);
    }

    #[test]
    fn checkpoints_pin_the_chain_and_catch_a_truncated_tail() {
        let c = chain(10);
        let signer = Signer::generate();
        let cp = signer.sign_checkpoint(10, &c[9].hash, c[9].at);
        verify_chain(c.clone(), vec![cp.clone()], trusting(&signer)).unwrap();
        let truncated: Vec<_> = c.iter().take(8).cloned().collect();
        assert_eq!(
            verify_chain(truncated, vec![cp.clone()], trusting(&signer)).unwrap_err(),
            ChainError::CheckpointBeyondEnd { seq: 10 }
        );
        // A rewritten chain (everything re-sealed after a change) no longer matches the checkpoint.
        let mut rewritten = c.clone();
        rewritten[0].comment = None;
        let mut prev = GENESIS_HASH.to_owned();
        for e in rewritten.iter_mut() {
            *e = seal(e.clone(), &prev);
            prev = e.hash.clone();
        }
        assert_eq!(
            verify_chain(rewritten.clone(), vec![cp], trusting(&signer)).unwrap_err(),
            ChainError::CheckpointMismatch { seq: 10 }
        );
        // Re-signed by the forger's own key: the signature is valid, the key is not trusted.
        let forger = Signer::generate();
        let forged = forger.sign_checkpoint(10, &rewritten[9].hash, rewritten[9].at);
        assert_eq!(
            verify_chain(rewritten.clone(), vec![forged.clone()], trusting(&signer)).unwrap_err(),
            ChainError::CheckpointUntrustedKey { seq: 10 }
        );
        assert_eq!(
            verify_chain(rewritten, vec![forged], none()).unwrap_err(),
            ChainError::CheckpointUntrustedKey { seq: 10 }
        );
    }

    #[test]
    fn a_walk_resumes_from_a_known_event() {
        let c = chain(6);
        let mut v = ChainVerifier::resume(3, &c[2].hash, none());
        for e in &c[3..] {
            v.push(e).unwrap();
        }
        assert_eq!(v.finish().unwrap().events, 6);
        let mut v = ChainVerifier::resume(3, &c[1].hash, none());
        assert_eq!(v.push(&c[3]).unwrap_err(), ChainError::Link { seq: 4 });
    }

    #[test]
    fn two_checkpoints_at_one_event_must_agree() {
        let c = chain(4);
        let signer = Signer::generate();
        let a = signer.sign_checkpoint(3, &c[2].hash, c[2].at);
        let b = signer.sign_checkpoint(3, &c[3].hash, c[3].at);
        verify_chain(c.clone(), vec![a.clone(), a.clone()], trusting(&signer)).unwrap();
        assert_eq!(
            verify_chain(c, vec![a, b], trusting(&signer)).unwrap_err(),
            ChainError::CheckpointMismatch { seq: 3 }
        );
    }

    #[test]
    fn a_single_checkpoint_verifies_against_the_hash_at_its_seq() {
        let c = chain(5);
        let signer = Signer::generate();
        let cp = signer.sign_checkpoint(3, &c[2].hash, c[2].at);
        let trusted = trusting(&signer);
        verify_checkpoint(&cp, &c[2].hash, &trusted).unwrap();
        assert_eq!(
            verify_checkpoint(&cp, &c[3].hash, &trusted),
            Err(ChainError::CheckpointMismatch { seq: 3 })
        );
        let mut forged = cp.clone();
        forged.hash = c[3].hash.clone();
        assert_eq!(
            verify_checkpoint(&forged, &c[3].hash, &trusted),
            Err(ChainError::CheckpointSignature { seq: 3 })
        );
    }

    #[test]
    fn a_long_chain_streams() {
        // Events are produced on the fly and dropped after checking.
        let mut prev = GENESIS_HASH.to_owned();
        let events = (1..=20_000).map(move |seq| {
            let e = sample(seq, &prev);
            prev = e.hash.clone();
            e
        });
        assert_eq!(verify_chain(events, vec![], none()).unwrap().events, 20_000);
    }
}
