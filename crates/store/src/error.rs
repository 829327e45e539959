//! The store's error: what a caller can act on (not found, a conflict with a
//! named constraint, a stale version, the database out of reach), with the
//! driver's own error kept as text for logs.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; the text names it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A row referenced elsewhere could not be removed, or a reference points
    /// at nothing.
    #[error("still referenced: {0}")]
    Referenced(String),
    /// The row changed since it was read (optimistic version check).
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    /// The row is not there.
    #[error("not found")]
    NotFound,
    /// The database cannot be reached or refused the connection.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database URL cannot be understood.
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    /// Migrating the schema failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The database was migrated by a newer Gatehouse than this one: it is
    /// not touched.
    #[error(
        "the database's schema is version {database}, newer than this Gatehouse knows (version {binary}): \
         a newer Gatehouse has upgraded it; run that version, or restore a backup taken before the upgrade"
    )]
    SchemaTooNew {
        /// The newest migration the database has.
        database: i64,
        /// The newest migration this binary has.
        binary: i64,
    },
    /// The operation is not one this engine does (the text says what to
    /// use instead).
    #[error("{0}")]
    Unsupported(String),
    /// The database cannot hold the text given (PostgreSQL refuses the NUL
    /// character in text, which SQLite stores): bad input, not a failure.
    #[error("text may not contain the NUL character (\\0)")]
    BadText(String),
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Anything else the driver reported.
    #[error("database error: {0}")]
    Other(String),
}

/// The store's result.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(
                db.constraint()
                    .map_or_else(|| db.message().to_string(), str::to_string),
            ),
            // 22021: character not in repertoire (NUL), 22P05: untranslatable.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("22021" | "22P05")) =>
            {
                StoreError::BadText(db.message().to_string())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Referenced(
                db.constraint()
                    .map_or_else(|| db.message().to_string(), str::to_string),
            ),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

/// A record read as it is stored converts without failing.
impl From<std::convert::Infallible> for StoreError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(e.to_string())
    }
}
