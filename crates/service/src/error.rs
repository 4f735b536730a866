//! The service's error vocabulary: what the caller did wrong or what failed, never a driver
//! error. The server maps each variant to one HTTP status and problem type.

use carebridge_domain::ValidationErrors;
use carebridge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is malformed; each field says why.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// No credentials, or bad/expired/revoked ones.
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    /// Signed in, but this role may not do this at all.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Absent, or outside the caller's scope (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule (e.g. username taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A directed placement breaks hard constraints the coordinator did not override: each
    /// names the field whose value breaks it (`/facility_id`).
    #[error("hard constraints broken: {}", .0.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>().join("; "))]
    ConstraintsBroken(Vec<carebridge_domain::FieldError>),
    /// `If-Match` named an old version.
    #[error("precondition failed: the resource is at version {current}")]
    PreconditionFailed { current: i64 },
    /// Too many requests of this kind from this caller; retry after this many seconds.
    #[error("too many requests: {detail}")]
    TooManyRequests { retry_after_secs: u64, detail: String },
    /// The database could not be reached.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corruption; details go to the log, not the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(m) => Self::Conflict(m),
            e if e.is_unavailable() => Self::Unavailable(e.to_string()),
            e => Self::Internal(e.to_string()),
        }
    }
}

impl ServiceError {
    pub fn invalid(pointer: &str, detail: impl Into<String>) -> Self {
        Self::Invalid(ValidationErrors::single(pointer, detail))
    }
}
