//! RFC 9457 problem details: every error this server sends is `application/problem+json` with
//! `type`, `title`, `status`, `detail`, and for invalid input an `errors` array of
//! `{pointer, detail}`. What the caller sees is not what is logged: 5xx bodies carry only the
//! request id; the cause goes to the log.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use carebridge_domain::FieldError;
use carebridge_service::ServiceError;
use serde::Serialize;

/// Base of our problem type URIs.
pub const TYPE_BASE: &str = "https://carebridge.example/problems/";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub www_authenticate: bool,
    /// Seconds for a `Retry-After` header (429).
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            type_: format!("{TYPE_BASE}{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            request_id: None,
            www_authenticate: false,
            retry_after: None,
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors.iter().map(|e| format!("{}: {}", e.pointer, e.detail)).collect::<Vec<_>>().join("; ");
        Self { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", detail) }
    }

    pub fn field(status: StatusCode, slug: &str, title: &str, pointer: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self { errors: vec![FieldError::new(pointer, detail.clone())], ..Self::new(status, slug, title, detail) }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", "No such resource, or it is outside your scope.")
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self {
            www_authenticate: true,
            ..Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required", detail)
        }
    }

    pub fn internal(request_id: Option<String>) -> Self {
        Self {
            request_id,
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "Something went wrong on our side; it has been logged. Quote the request id when reporting it.",
            )
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.www_authenticate {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"carebridge\""));
        }
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(v) => Problem::invalid(v.0),
            ServiceError::Unauthenticated(m) => Problem::unauthenticated(m),
            ServiceError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", m),
            ServiceError::NotFound => Problem::not_found(),
            ServiceError::Conflict(m) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", m),
            ServiceError::ConstraintsBroken(errors) => {
                let names: Vec<&str> = errors.iter().filter_map(|e| e.constraint.as_deref()).collect();
                let detail = format!(
                    "The facility breaks hard constraints for this patient: {}. Choose another facility, or \
                     direct with `override` naming every one of them and a reason.",
                    names.join(", ")
                );
                Problem {
                    errors,
                    ..Problem::new(StatusCode::CONFLICT, "hard-constraints", "Hard constraints broken", detail)
                }
            }
            ServiceError::PreconditionFailed { current } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                format!("The resource changed: it is now at version {current} (ETag \"{current}\"). Fetch it again and reapply your change."),
            ),
            ServiceError::TooManyRequests { retry_after_secs, detail } => Problem {
                retry_after: Some(retry_after_secs),
                ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests", detail)
            },
            ServiceError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", "The database is unreachable; retry shortly.")
            }
            ServiceError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                Problem::internal(None)
            }
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ),
            JsonRejection::JsonSyntaxError(e) => {
                Problem::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", e.body_text())
            }
            JsonRejection::JsonDataError(e) => Problem::invalid(vec![FieldError::new("", e.body_text())]),
            JsonRejection::BytesRejection(b) => Problem::from(b),
            other => Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", other.body_text()),
        }
    }
}

impl From<BytesRejection> for Problem {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Payload too large",
                "The body is larger than this endpoint accepts.",
            )
        } else {
            Problem::new(r.status(), "bad-request", "Bad request", r.body_text())
        }
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        // serde_urlencoded names the parameter in its message; keep it as the pointer's detail.
        Problem::field(StatusCode::BAD_REQUEST, "invalid-query", "Invalid query parameter", "/query", text)
    }
}

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", r.body_text())
    }
}

/// Result type for handlers.
pub type ApiResult<T> = Result<T, Problem>;
