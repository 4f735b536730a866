//! The store's small error vocabulary: callers match on meaning, not on driver errors.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, or is outside the caller's visibility (the two are the same to
    /// the caller by design: a 404 leaks nothing).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (e.g. a username taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not one Carebridge understands.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// A stored value could not be decoded into a domain value (corruption or a bug).
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    /// The database could not be reached or refused the statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite refused a statement on the native writer connection (see `native`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database cannot take the request now (the writer thread is gone).
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub(crate) fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt { table, detail: detail.to_string() }
    }

    /// True for errors a retry might cure (pool exhausted, connection dropped).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed) => true,
            Self::Unavailable(_) => true,
            Self::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

/// Map a unique-violation into `Conflict`, leave the rest as database errors.
pub(crate) fn map_unique(e: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(what.to_string());
        }
    }
    StoreError::Database(e)
}
