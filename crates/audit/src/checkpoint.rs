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

/// Checks the signature with the checkpoint's own public key. Whether that key is the
/// service's published key is for the verifier to compare.
pub fn verify_checkpoint_signature(cp: &Checkpoint) -> Result<(), CheckpointError> {
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
        let cp = s.sign_checkpoint(42, &"ab".repeat(32), Utc::now());
        verify_checkpoint_signature(&cp).unwrap();
        let again = Signer::from_pem(&s.to_pem().unwrap()).unwrap();
        assert_eq!(again.public_key_hex(), s.public_key_hex());
        let mut forged = cp.clone();
        forged.seq = 43;
        assert_eq!(
            verify_checkpoint_signature(&forged),
            Err(CheckpointError::BadSignature)
        );
    }
}
