//! A receipt: what a person keeps to check later that their action is in the trail. It names
//! the event by its place in the chain and its hash, `<seq>-<hash>` (e.g.
//! `41234-9f86d081…`), so that a check reads one event by its sequence number and compares
//! the hash — no index of hashes, whose random keys cost a page write per event — and anyone
//! holding the published trail can check it by hand: event number `seq` has this hash.

use std::fmt;

/// An event's place in the chain and its hash, written `<seq>-<hash>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub seq: i64,
    /// 64 lowercase hexadecimal digits (SHA-256).
    pub hash: String,
}

/// Why a text is not a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// Only a hash: receipts name the event's sequence number too.
    #[error("a receipt is the event's number, a hyphen and its hash; this is only a hash")]
    HashOnly,
    #[error("a receipt is the event's number, a hyphen and a 64-digit hexadecimal hash")]
    Malformed,
}

impl Receipt {
    pub fn new(seq: i64, hash: impl Into<String>) -> Self {
        Receipt {
            seq,
            hash: hash.into(),
        }
    }

    /// Reads `<seq>-<hash>`, ignoring surrounding blanks and the case of the hash.
    pub fn parse(text: &str) -> Result<Receipt, ReceiptError> {
        let text = text.trim();
        let is_hash = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let Some((seq, hash)) = text.split_once('-') else {
            return Err(if is_hash(text) {
                ReceiptError::HashOnly
            } else {
                ReceiptError::Malformed
            });
        };
        let seq_ok = !seq.is_empty() && seq.len() <= 18 && seq.bytes().all(|b| b.is_ascii_digit());
        if !seq_ok || !is_hash(hash) {
            return Err(ReceiptError::Malformed);
        }
        Ok(Receipt {
            seq: seq.parse().map_err(|_| ReceiptError::Malformed)?,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.seq, self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn a_receipt_reads_back_what_it_writes() {
        let r = Receipt::new(41234, H);
        assert_eq!(r.to_string(), format!("41234-{H}"));
        assert_eq!(Receipt::parse(&r.to_string()), Ok(r.clone()));
        let upper = format!("  41234-{}\n", H.to_ascii_uppercase());
        assert_eq!(Receipt::parse(&upper), Ok(r));
    }

    #[test]
    fn a_hash_alone_is_told_apart_from_garbage() {
        assert_eq!(Receipt::parse(H), Err(ReceiptError::HashOnly));
        for bad in [
            "",
            "-",
            "12-",
            &format!("-{H}"),
            &format!("x1-{H}"),
            &format!("1-{}", &H[1..]),
            &format!("1-{H}0"),
            &format!("1-{}g", &H[1..]),
            &format!("-1-{H}"),
            &format!("1234567890123456789-{H}"),
            "ini bukan tanda terima",
        ] {
            assert_eq!(Receipt::parse(bad), Err(ReceiptError::Malformed), "{bad:?}");
        }
    }
}
