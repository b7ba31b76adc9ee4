//! Checks of an uploaded vendor document before it is stored: not empty, not too large, and
//! really one of the allowed types (judged by its first bytes, not by what the browser says).

use mufakat_core::{FieldError, Lang};

use crate::IdError;

/// The allow-list of upload types.
pub struct AllowedTypes;

impl AllowedTypes {
    /// MIME types, in the order they are listed to users.
    pub const LIST: [&'static str; 4] =
        ["application/pdf", "image/png", "image/jpeg", "image/webp"];

    pub fn contains(mime: &str) -> bool {
        Self::LIST.contains(&mime)
    }

    /// The list in words, as users know the formats.
    pub fn in_words(lang: Lang) -> &'static str {
        match lang {
            Lang::Id => "PDF, PNG, JPEG atau WEBP",
            Lang::En => "PDF, PNG, JPEG or WEBP",
        }
    }
}

/// The type of a file by its magic bytes: `%PDF-`, the PNG signature, JPEG `FF D8 FF`,
/// `RIFF????WEBP`. `None` for anything else (including a too-short head).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(PNG) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The declared (`Content-Type`) type in the form `sniff` returns: lower case, parameters
/// (`; name=...`) dropped, `image/jpg` and `image/pjpeg` read as `image/jpeg`.
fn normalise_declared(declared: &str) -> String {
    let base = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match base.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
        _ => base,
    }
}

/// An upload refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("empty file")]
    Empty,
    #[error("file larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("file type not allowed")]
    TypeNotAllowed,
    #[error("declared type {declared:?} but the content is {detected}")]
    TypeMismatch {
        declared: String,
        detected: &'static str,
    },
}

/// `max_bytes` in MB (1 MB = 1024 × 1024 bytes), at most one decimal, with the language's
/// decimal mark: `10`, `2,5` / `2.5`.
fn megabytes(max_bytes: usize, lang: Lang) -> String {
    let tenths = (max_bytes as u128 * 10 + 524_288) / 1_048_576;
    let (whole, frac) = (tenths / 10, tenths % 10);
    let mark = match lang {
        Lang::Id => ',',
        Lang::En => '.',
    };
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}{mark}{frac}")
    }
}

impl UploadError {
    /// Always `file`.
    pub fn field(&self) -> &'static str {
        "file"
    }

    pub fn rule(&self) -> &'static str {
        match self {
            UploadError::Empty => "required",
            UploadError::TooLarge { .. } => "too_large",
            UploadError::TypeNotAllowed => "type",
            UploadError::TypeMismatch { .. } => "type_mismatch",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (UploadError::Empty, Lang::Id) => "Berkas kosong.".into(),
            (UploadError::Empty, Lang::En) => "The file is empty.".into(),
            (UploadError::TooLarge { max_bytes }, Lang::Id) => {
                format!("Berkas terlalu besar; paling besar {} MB.", megabytes(*max_bytes, lang))
            }
            (UploadError::TooLarge { max_bytes }, Lang::En) => {
                format!("The file is too large; the limit is {} MB.", megabytes(*max_bytes, lang))
            }
            (UploadError::TypeNotAllowed, _) => match lang {
                Lang::Id => format!(
                    "Jenis berkas tidak diterima. Unggah berkas {}.",
                    AllowedTypes::in_words(lang)
                ),
                Lang::En => format!(
                    "This file type is not accepted. Upload a {} file.",
                    AllowedTypes::in_words(lang)
                ),
            },
            (UploadError::TypeMismatch { .. }, Lang::Id) => {
                "Isi berkas tidak sesuai dengan jenis yang disebutkan (mis. nama berakhiran .pdf padahal isinya gambar).".into()
            }
            (UploadError::TypeMismatch { .. }, Lang::En) => {
                "The file's content does not match its stated type (e.g. named .pdf but an image inside).".into()
            }
        }
    }
}

impl From<UploadError> for FieldError {
    fn from(e: UploadError) -> FieldError {
        FieldError::new(
            e.field(),
            e.rule(),
            e.message(Lang::Id),
            e.message(Lang::En),
        )
    }
}

/// Checks an upload of `bytes_len` bytes whose first bytes are `head` (a few dozen suffice;
/// the whole file works too). In order: empty, larger than `max_bytes`, content not an allowed
/// type, declared type (normalised: case, parameters, `image/jpg`) differing from the
/// content. Returns the detected type, the one to store.
pub fn check_upload(
    declared_type: &str,
    bytes_len: usize,
    head: &[u8],
    max_bytes: usize,
) -> Result<&'static str, UploadError> {
    if bytes_len == 0 {
        return Err(UploadError::Empty);
    }
    if bytes_len > max_bytes {
        return Err(UploadError::TooLarge { max_bytes });
    }
    let detected = sniff(head)
        .filter(|t| AllowedTypes::contains(t))
        .ok_or(UploadError::TypeNotAllowed)?;
    if normalise_declared(declared_type) != detected {
        return Err(UploadError::TypeMismatch {
            declared: declared_type.to_owned(),
            detected,
        });
    }
    Ok(detected)
}

/// What a vendor document proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// Akta pendirian/perubahan: the deed of establishment (or of its amendments).
    Deed,
    /// The NIB certificate.
    Nib,
    /// The NPWP card or certificate.
    Npwp,
    /// Izin usaha: a business permit (e.g. a construction business certificate).
    Permit,
    /// Pengalaman: proof of past work (contracts, hand-over reports).
    Experience,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Deed,
        DocumentKind::Nib,
        DocumentKind::Npwp,
        DocumentKind::Permit,
        DocumentKind::Experience,
        DocumentKind::Other,
    ];
    const NAMES: &'static [&'static str] =
        &["deed", "nib", "npwp", "permit", "experience", "other"];

    /// The code, trimmed and case-insensitive. Field name in errors: `document_kind`.
    pub fn parse(raw: &str) -> Result<DocumentKind, IdError> {
        let s = raw.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| IdError::Unknown {
                field: "document_kind",
                value: raw.to_owned(),
                allowed: Self::NAMES,
            })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Id, DocumentKind::Deed) => "Akta pendirian/perubahan",
            (Lang::Id, DocumentKind::Nib) => "NIB",
            (Lang::Id, DocumentKind::Npwp) => "NPWP",
            (Lang::Id, DocumentKind::Permit) => "Izin usaha",
            (Lang::Id, DocumentKind::Experience) => "Pengalaman kerja",
            (Lang::Id, DocumentKind::Other) => "Lainnya",
            (Lang::En, DocumentKind::Deed) => "Deed of establishment",
            (Lang::En, DocumentKind::Nib) => "NIB (business number)",
            (Lang::En, DocumentKind::Npwp) => "NPWP (tax number)",
            (Lang::En, DocumentKind::Permit) => "Business permit",
            (Lang::En, DocumentKind::Experience) => "Work experience",
            (Lang::En, DocumentKind::Other) => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF";
    const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 ";
    const MB: usize = 1_048_576;

    #[test]
    fn sniffs_by_magic_bytes() {
        assert_eq!(sniff(PDF), Some("application/pdf"));
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(JPEG), Some("image/jpeg"));
        assert_eq!(sniff(WEBP), Some("image/webp"));
        for other in [
            &b""[..],
            b"%PDF",
            b"%pdf-1.4",
            b"\x89PNG\r\n",
            b"\xFF\xD8",
            b"RIFF\x24\0\0\0WAVEfmt ",
            b"RIFF\x24\0\0\0WEB",
            b"GIF89a",
            b"PK\x03\x04",
            b"MZ\x90\0",
            b"<html>",
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn accepts_allowed_types_and_returns_the_sniffed_one() {
        assert_eq!(
            check_upload("application/pdf", 100, PDF, MB),
            Ok("application/pdf")
        );
        assert_eq!(check_upload("image/png", MB, PNG, MB), Ok("image/png"));
        assert_eq!(check_upload("IMAGE/JPEG", 5, JPEG, MB), Ok("image/jpeg"));
        assert_eq!(check_upload("image/jpg", 5, JPEG, MB), Ok("image/jpeg"));
        assert_eq!(check_upload("image/pjpeg", 5, JPEG, MB), Ok("image/jpeg"));
        assert_eq!(
            check_upload(" image/webp ; q=1", 5, WEBP, MB),
            Ok("image/webp")
        );
        for t in AllowedTypes::LIST {
            assert!(AllowedTypes::contains(t));
        }
        assert!(!AllowedTypes::contains("image/gif"));
    }

    #[test]
    fn refuses_in_order() {
        assert_eq!(
            check_upload("application/pdf", 0, PDF, MB),
            Err(UploadError::Empty)
        );
        assert_eq!(check_upload("x", 0, b"", 0), Err(UploadError::Empty));
        assert_eq!(
            check_upload("application/pdf", MB + 1, PDF, MB),
            Err(UploadError::TooLarge { max_bytes: MB })
        );
        assert_eq!(
            check_upload("image/gif", 10, b"GIF89a", MB),
            Err(UploadError::TypeNotAllowed)
        );
        assert_eq!(
            check_upload("application/pdf", 10, b"", MB),
            Err(UploadError::TypeNotAllowed)
        );
        assert_eq!(
            check_upload("application/pdf", 10, PNG, MB),
            Err(UploadError::TypeMismatch {
                declared: "application/pdf".into(),
                detected: "image/png"
            })
        );
        assert!(check_upload("", 10, PDF, MB).is_err());
        assert!(check_upload("application/octet-stream", 10, PDF, MB).is_err());
    }

    #[test]
    fn too_large_names_the_limit_in_mb() {
        let e = |max| UploadError::TooLarge { max_bytes: max };
        assert!(e(10 * MB).message(Lang::Id).contains("10 MB"));
        assert!(e(10 * MB).message(Lang::En).contains("10 MB"));
        assert!(e(5 * MB / 2).message(Lang::Id).contains("2,5 MB"));
        assert!(e(5 * MB / 2).message(Lang::En).contains("2.5 MB"));
        assert!(e(500_000).message(Lang::En).contains("0.5 MB"));
        assert!(e(0).message(Lang::En).contains("0 MB"));
        assert!(e(usize::MAX).message(Lang::En).contains("MB"));
    }

    #[test]
    fn type_errors_list_the_allowed_types_in_words() {
        let id = UploadError::TypeNotAllowed.message(Lang::Id);
        let en = UploadError::TypeNotAllowed.message(Lang::En);
        assert!(id.contains("PDF, PNG, JPEG atau WEBP"), "{id}");
        assert!(en.contains("PDF, PNG, JPEG or WEBP"), "{en}");
        for e in [
            UploadError::Empty,
            UploadError::TooLarge { max_bytes: MB },
            UploadError::TypeNotAllowed,
            UploadError::TypeMismatch {
                declared: "a".into(),
                detected: "image/png",
            },
        ] {
            assert_ne!(e.message(Lang::Id), e.message(Lang::En));
            let fe: FieldError = e.clone().into();
            assert_eq!((fe.field.as_str(), fe.rule), ("file", e.rule()));
        }
    }

    #[test]
    fn document_kinds_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Ok(k));
            assert_ne!(k.title(Lang::Id), k.title(Lang::En));
        }
        assert_eq!(DocumentKind::Deed.as_str(), "deed");
        assert_eq!(DocumentKind::Experience.as_str(), "experience");
        assert_eq!(DocumentKind::parse(" NPWP "), Ok(DocumentKind::Npwp));
        let e = DocumentKind::parse("akta").unwrap_err();
        assert_eq!(e.field(), "document_kind");
    }
}
