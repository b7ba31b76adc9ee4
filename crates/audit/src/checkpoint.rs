use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::format_time;

/// A signed statement "the chain had `seq` events and its head hash was `hash` at `signed_at`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub signed_at: String,
    /// Ed25519 public key, hex (32 bytes).
    pub public_key: String,
    /// Ed25519 signature of [`Checkpoint::message`], hex (64 bytes).
    pub signature: String,
}

impl Checkpoint {
    /// The signed bytes: `mufakat-checkpoint-v1\n{seq}\n{hash}\n{signed_at}`.
    pub fn message(seq: i64, hash: &str, signed_at: &str) -> Vec<u8> {
        format!("mufakat-checkpoint-v1\n{seq}\n{hash}\n{signed_at}").into_bytes()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the key is not valid: {0}")]
    Key(String),
    #[error("the signature does not verify")]
    BadSignature,
    #[error("signed by a key that is not trusted")]
    UntrustedKey,
}

/// The public keys whose checkpoints a verifier accepts: the deployment's published key (and
/// keys it used before a rotation). A signature that verifies under a key outside this set
/// proves nothing: anyone can make one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedKeys(std::collections::BTreeSet<String>);

impl TrustedKeys {
    /// Keys as hex (32 bytes each; case is ignored).
    pub fn new<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> Result<Self, CheckpointError> {
        let mut set = std::collections::BTreeSet::new();
        for k in keys {
            let k = k.as_ref().trim().to_ascii_lowercase();
            let bytes: [u8; 32] = hex::decode(&k)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| CheckpointError::Key(format!("{k:?} is not 32 hex bytes")))?;
            VerifyingKey::from_bytes(&bytes).map_err(|e| CheckpointError::Key(e.to_string()))?;
            set.insert(k);
        }
        Ok(TrustedKeys(set))
    }

    pub fn contains(&self, public_key_hex: &str) -> bool {
        self.0.contains(&public_key_hex.to_ascii_lowercase())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// The service's signing key.
pub struct Signer {
    key: SigningKey,
}

impl Signer {
    pub fn generate() -> Signer {
        Signer {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn from_pem(pem: &str) -> Result<Signer, CheckpointError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|key| Signer { key })
            .map_err(|e| CheckpointError::Key(e.to_string()))
    }

    /// PKCS#8 PEM; keep it private.
    pub fn to_pem(&self) -> Result<String, CheckpointError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|p| p.to_string())
            .map_err(|e| CheckpointError::Key(e.to_string()))
    }

    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn sign_checkpoint(&self, seq: i64, hash: &str, at: DateTime<Utc>) -> Checkpoint {
        let signed_at = format_time(at);
        let sig = self.key.sign(&Checkpoint::message(seq, hash, &signed_at));
        Checkpoint {
            seq,
            hash: hash.to_owned(),
            signed_at,
            public_key: self.public_key_hex(),
            signature: hex::encode(sig.to_bytes()),
        }
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer(public {})", self.public_key_hex())
    }
}

/// Checks that the checkpoint names a trusted key and that its signature verifies under it.
pub fn verify_checkpoint_signature(
    cp: &Checkpoint,
    trusted: &TrustedKeys,
) -> Result<(), CheckpointError> {
    if !trusted.contains(&cp.public_key) {
        return Err(CheckpointError::UntrustedKey);
    }
    let pk: [u8; 32] = hex::decode(&cp.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CheckpointError::Key("public key is not 32 hex bytes".into()))?;
    let vk = VerifyingKey::from_bytes(&pk).map_err(|e| CheckpointError::Key(e.to_string()))?;
    let sig: [u8; 64] = hex::decode(&cp.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(CheckpointError::BadSignature)?;
    vk.verify(
        &Checkpoint::message(cp.seq, &cp.hash, &cp.signed_at),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| CheckpointError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_survives_pem() {
        let s = Signer::generate();
        let trusted = TrustedKeys::new([s.public_key_hex()]).unwrap();
        let cp = s.sign_checkpoint(42, &"ab".repeat(32), Utc::now());
        verify_checkpoint_signature(&cp, &trusted).unwrap();
        let again = Signer::from_pem(&s.to_pem().unwrap()).unwrap();
        assert_eq!(again.public_key_hex(), s.public_key_hex());
        let mut forged = cp.clone();
        forged.seq = 43;
        assert_eq!(
            verify_checkpoint_signature(&forged, &trusted),
            Err(CheckpointError::BadSignature)
        );
    }

    #[test]
    fn a_valid_signature_by_another_key_is_refused() {
        let ours = Signer::generate();
        let theirs = Signer::generate();
        let cp = theirs.sign_checkpoint(7, &"cd".repeat(32), Utc::now());
        let trusted = TrustedKeys::new([ours.public_key_hex()]).unwrap();
        assert_eq!(
            verify_checkpoint_signature(&cp, &trusted),
            Err(CheckpointError::UntrustedKey)
        );
        assert_eq!(
            verify_checkpoint_signature(&cp, &TrustedKeys::default()),
            Err(CheckpointError::UntrustedKey)
        );
        // Upper-case hex names the same key.
        let upper = TrustedKeys::new([theirs.public_key_hex().to_uppercase()]).unwrap();
        verify_checkpoint_signature(&cp, &upper).unwrap();
        assert!(TrustedKeys::new(["abc"]).is_err());
    }
}
