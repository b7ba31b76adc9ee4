//! The one error model. Every failure a user can meet is an [`AppError`] with a stable code
//! (sent in GraphQL `extensions.code`) and a message in Bahasa Indonesia and English.
//! Internal causes are kept for the log and never shown.

use std::borrow::Cow;

use crate::Lang;

/// A user-facing text in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized {
    pub id: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Localized {
    pub fn new(id: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input field, as named in the API (e.g. `nik`, `password`).
    pub field: String,
    /// A stable machine-readable rule name (e.g. `required`, `too_short`, `format`).
    pub rule: &'static str,
    pub message: Localized,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: &'static str,
        id: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            field: field.into(),
            rule,
            message: Localized::new(id, en),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials: missing, malformed, expired or revoked token.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Username or password wrong. Deliberately does not say which.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    /// Not allowed, for a reason the person can act on (`FORBIDDEN` with its own message).
    #[error("forbidden: {0:?}")]
    ForbiddenBecause(Localized),
    #[error("not found: {entity}")]
    NotFound { entity: &'static str },
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// The request clashes with the current state (duplicate, stale version, wrong state).
    #[error("conflict: {0:?}")]
    Conflict(Localized),
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// Anything else. The cause goes to the log only.
    #[error("internal error: {0:#}")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => "UNAUTHENTICATED",
            AppError::Forbidden | AppError::ForbiddenBecause(_) => "FORBIDDEN",
            AppError::NotFound { .. } => "NOT_FOUND",
            AppError::Validation(_) => "VALIDATION",
            AppError::Conflict(_) => "CONFLICT",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// One field's error; the messages may be fixed text or made for the case (`format!`).
    pub fn validation(
        field: impl Into<String>,
        rule: &'static str,
        id: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Self {
        AppError::Validation(vec![FieldError::new(field, rule, id, en)])
    }

    pub fn conflict(id: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        AppError::Conflict(Localized::new(id, en))
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    /// The message shown to the user. `request_id` is quoted in internal errors so that
    /// an operator can find the logged cause.
    pub fn message(&self, lang: Lang, request_id: &str) -> String {
        let l = |id: &str, en: &str| match lang {
            Lang::Id => id.to_owned(),
            Lang::En => en.to_owned(),
        };
        match self {
            AppError::Unauthenticated => l(
                "Anda belum masuk atau sesi Anda sudah berakhir. Silakan masuk kembali.",
                "You are not signed in or your session has expired. Please sign in again.",
            ),
            AppError::InvalidCredentials => l(
                "Nama pengguna atau kata sandi salah.",
                "The username or password is wrong.",
            ),
            AppError::Forbidden => l(
                "Anda tidak berwenang melakukan tindakan ini.",
                "You are not allowed to do this.",
            ),
            AppError::NotFound { entity } => {
                let (id, en) = entity_names(entity);
                l(&format!("{id} tidak ditemukan."), &format!("{en} not found."))
            }
            AppError::Validation(fields) => {
                let head = l("Data yang dikirim belum benar", "Some input is not valid");
                let details: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message.get(lang)))
                    .collect();
                format!("{head}: {}", details.join("; "))
            }
            AppError::Conflict(msg) | AppError::ForbiddenBecause(msg) => msg.get(lang).to_owned(),
            AppError::RateLimited { retry_after_secs } => l(
                &format!("Terlalu banyak percobaan. Coba lagi dalam {retry_after_secs} detik."),
                &format!("Too many attempts. Try again in {retry_after_secs} seconds."),
            ),
            AppError::Internal(_) => l(
                &format!("Terjadi kesalahan pada sistem. Sebutkan kode {request_id} bila menghubungi petugas."),
                &format!("Something went wrong on our side. Quote reference {request_id} when contacting support."),
            ),
        }
    }
}

fn entity_names(entity: &str) -> (&'static str, String) {
    match entity {
        "user" => ("Pengguna", "User".into()),
        "region" => ("Wilayah", "Region".into()),
        "instance" => ("Proses", "Case".into()),
        "workflow" => ("Alur kerja", "Workflow".into()),
        "proposal" => ("Usulan", "Proposal".into()),
        "report" => ("Laporan", "Report".into()),
        _ => ("Data", capitalise(entity)),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_the_cause() {
        let e = AppError::internal(anyhow::anyhow!("connection refused to 10.0.0.3"));
        let msg = e.message(Lang::En, "req-42");
        assert!(msg.contains("req-42"));
        assert!(!msg.contains("10.0.0.3"));
        assert_eq!(e.code(), "INTERNAL");
    }

    #[test]
    fn validation_lists_fields_in_the_chosen_language() {
        let e = AppError::validation(
            "nik",
            "format",
            "NIK harus 16 angka",
            "NIK must be 16 digits",
        );
        assert!(e.message(Lang::Id, "x").contains("nik: NIK harus 16 angka"));
        assert!(e
            .message(Lang::En, "x")
            .contains("nik: NIK must be 16 digits"));
    }
}
