use mufakat_core::{AppError, Localized};
use sea_orm::{DbErr, SqlErr};

/// Maps database errors to the one error model.
pub fn map_db_err(e: DbErr, on_unique: Option<&Localized>) -> AppError {
    if let (Some(SqlErr::UniqueConstraintViolation(_)), Some(msg)) = (e.sql_err(), on_unique) {
        return AppError::Conflict(msg.clone());
    }
    AppError::Internal(anyhow::Error::new(e))
}

pub trait DbResultExt<T> {
    /// Any database error becomes `INTERNAL` (cause logged by the server, never shown).
    fn db(self) -> Result<T, AppError>;
    /// A unique-constraint violation becomes `CONFLICT` with this message.
    fn db_unique(self, id: &'static str, en: &'static str) -> Result<T, AppError>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn db(self) -> Result<T, AppError> {
        self.map_err(|e| map_db_err(e, None))
    }

    fn db_unique(self, id: &'static str, en: &'static str) -> Result<T, AppError> {
        self.map_err(|e| map_db_err(e, Some(&Localized::new(id, en))))
    }
}
