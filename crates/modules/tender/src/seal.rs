//! Sealed bids: each procedure has its own age X25519 key pair, made at its announcement. Its
//! public key (`age1…`) is published with the announcement and bids are encrypted to it — by
//! the vendor's `mufakat bid seal` before they leave the vendor's machine, or by the server
//! before anything is stored or logged. Its private key is kept only wrapped: encrypted to the
//! deployment's bid key, a file outside the database (`{data_dir}/secrets/bid.key`, like the
//! NIK key), and unwrapped only by the opening, in memory, at the deadline. docs/security.md
//! says which threats this stops and which it does not.
//!
//! What is encrypted is an [`Envelope`]: the price, the technical offer and the documents'
//! bytes, as JSON. Nothing here touches HTTP or the database.

use std::io::{Read, Write};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use base64::Engine;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The largest sealed bid accepted (its ciphertext): documents included.
pub const MAX_SEALED_BYTES: usize = 32 * 1024 * 1024;

/// A procedure's key pair: the public key to publish and the private key wrapped under the
/// deployment's bid key (base64 of the age ciphertext).
pub struct ProcedureKey {
    pub public_key: String,
    pub wrapped: String,
}

/// The deployment's key that wraps procedures' private keys.
pub struct BidKey(age::x25519::Identity);

impl BidKey {
    pub fn generate() -> BidKey {
        BidKey(age::x25519::Identity::generate())
    }

    /// Parses the key file's text (`AGE-SECRET-KEY-1…`, comment lines allowed).
    pub fn parse(text: &str) -> Result<BidKey, String> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or("the bid key file holds no key")?;
        age::x25519::Identity::from_str(line)
            .map(BidKey)
            .map_err(|e| format!("not an age X25519 secret key: {e}"))
    }

    /// The key file's text.
    pub fn to_file_text(&self) -> String {
        format!(
            "# Mufakat bid key: unwraps the keys that open sealed bids. Keep it secret, back it up,\n# share it between the nodes of one deployment. Public key: {}\n{}\n",
            self.0.to_public(),
            self.0.to_string().expose_secret()
        )
    }

    /// A new procedure's key pair, its private key wrapped under this key.
    pub fn new_procedure_key(&self) -> Result<ProcedureKey, String> {
        let id = age::x25519::Identity::generate();
        let secret = id.to_string();
        let wrapped = encrypt_to(&self.0.to_public(), secret.expose_secret().as_bytes())?;
        Ok(ProcedureKey {
            public_key: id.to_public().to_string(),
            wrapped: base64::engine::general_purpose::STANDARD.encode(wrapped),
        })
    }

    /// Unwraps a procedure's private key (at the opening).
    pub fn unwrap(&self, wrapped: &str) -> Result<OpeningKey, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(wrapped)
            .map_err(|e| format!("wrapped key: {e}"))?;
        let secret = decrypt_with(&self.0, &bytes)?;
        let text = String::from_utf8(secret).map_err(|_| "wrapped key: not text".to_string())?;
        age::x25519::Identity::from_str(text.trim())
            .map(OpeningKey)
            .map_err(|e| format!("wrapped key: {e}"))
    }
}

/// A procedure's private key, unwrapped for its opening.
pub struct OpeningKey(age::x25519::Identity);

impl OpeningKey {
    /// Decrypts one sealed bid and reads its envelope.
    pub fn open(&self, sealed: &[u8]) -> Result<Opened, String> {
        let plain = decrypt_with(&self.0, sealed)?;
        let sha256 = hex::encode(sha2::Sha256::digest(&plain));
        let envelope: Envelope =
            serde_json::from_slice(&plain).map_err(|e| format!("not a bid envelope: {e}"))?;
        Ok(Opened { envelope, sha256 })
    }
}

/// A bid decrypted: what it says and the SHA-256 of its plaintext (recorded at the opening).
pub struct Opened {
    pub envelope: Envelope,
    pub sha256: String,
}

/// What a bid holds, encrypted as one JSON document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The procedure's number, so that a bid sealed for one procedure cannot be replayed in
    /// another encrypted to a key that happens to be reused.
    pub procedure: String,
    /// The price offered (Rupiah, exact).
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    /// The technical offer in words.
    #[serde(default)]
    pub technical: String,
    #[serde(default)]
    pub documents: Vec<EnvelopeDocument>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeDocument {
    pub name: String,
    pub content_type: String,
    /// The bytes, base64.
    pub data: String,
}

impl EnvelopeDocument {
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.data)
            .map_err(|e| format!("document {}: {e}", self.name))
    }
}

/// Parses a published public key (`age1…`).
pub fn parse_public_key(text: &str) -> Result<age::x25519::Recipient, String> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|e| format!("not an age public key: {e}"))
}

/// Seals an envelope to a procedure's public key: the bytes to submit.
pub fn seal(public_key: &str, envelope: &Envelope) -> Result<Vec<u8>, String> {
    let r = parse_public_key(public_key)?;
    let plain = serde_json::to_vec(envelope).map_err(|e| e.to_string())?;
    encrypt_to(&r, &plain)
}

/// Whether `bytes` look like an age file (its binary header), before they are stored.
pub fn looks_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/v1\n")
}

/// The SHA-256 (hex) of a sealed bid: the vendor's receipt and the audit event's hash.
pub fn receipt_hash(sealed: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(sealed))
}

fn encrypt_to(r: &age::x25519::Recipient, plain: &[u8]) -> Result<Vec<u8>, String> {
    let enc = age::Encryptor::with_recipients(std::iter::once(r as &dyn age::Recipient))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = enc.wrap_output(&mut out).map_err(|e| e.to_string())?;
    w.write_all(plain).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

fn decrypt_with(id: &age::x25519::Identity, sealed: &[u8]) -> Result<Vec<u8>, String> {
    let dec = age::Decryptor::new(sealed).map_err(|e| format!("not an age file: {e}"))?;
    let mut r = dec
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .map_err(|e| format!("cannot decrypt: {e}"))?;
    let mut out = vec![];
    r.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(price: &str) -> Envelope {
        Envelope {
            procedure: "T-2026-00001".into(),
            price: price.parse().unwrap(),
            technical: "Aspal hotmix 5 cm".into(),
            documents: vec![EnvelopeDocument {
                name: "rab.pdf".into(),
                content_type: "application/pdf".into(),
                data: base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 harga 123"),
            }],
        }
    }

    #[test]
    fn a_bid_sealed_to_a_procedure_opens_only_with_its_unwrapped_key() {
        let bid_key = BidKey::generate();
        let k = bid_key.new_procedure_key().unwrap();
        let sealed = seal(&k.public_key, &env("123456789.50")).unwrap();
        assert!(looks_sealed(&sealed));
        // Neither the price nor the document is readable in the ciphertext or the wrapped key.
        let raw = String::from_utf8_lossy(&sealed);
        assert!(!raw.contains("123456789") && !raw.contains("harga"));
        assert!(!k.wrapped.contains("AGE-SECRET-KEY"));
        let opened = bid_key.unwrap(&k.wrapped).unwrap().open(&sealed).unwrap();
        assert_eq!(opened.envelope, env("123456789.50"));
        assert_eq!(opened.sha256.len(), 64);
        // Another deployment's key cannot unwrap it; another procedure's key cannot open it.
        assert!(BidKey::generate().unwrap(&k.wrapped).is_err());
        let other = bid_key.new_procedure_key().unwrap();
        assert!(bid_key
            .unwrap(&other.wrapped)
            .unwrap()
            .open(&sealed)
            .is_err());
        // The key file round-trips.
        let again = BidKey::parse(&bid_key.to_file_text()).unwrap();
        assert!(again.unwrap(&k.wrapped).is_ok());
        assert_eq!(receipt_hash(&sealed).len(), 64);
    }
}
