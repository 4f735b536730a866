//! What the facade sends: a FHIR JSON document with the FHIR media type, or an
//! OperationOutcome with the matching HTTP status; plus the content negotiation every route
//! goes through (we speak JSON only).

use crate::problem::Problem;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carebridge_interop::fhir::{operation_outcome, IssueSeverity, IssueType};
use carebridge_service::ServiceError;

/// The `Content-Type` of every answer under `/fhir`.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A FHIR JSON document, answered with 200.
#[derive(Debug)]
pub struct Fhir(pub String);

impl IntoResponse for Fhir {
    fn into_response(self) -> Response {
        (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))], self.0).into_response()
    }
}

/// A failed FHIR interaction: the HTTP status and the one issue of the OperationOutcome sent.
///
/// `diagnostics` is shown to the caller, so it never carries internals (those are logged).
#[derive(Debug, Clone)]
pub struct FhirProblem {
    pub status: StatusCode,
    pub code: IssueType,
    pub diagnostics: String,
    /// Send `WWW-Authenticate: Bearer` (on 401).
    pub challenge: bool,
}

/// What a handler returns.
pub type FhirResult = Result<Fhir, FhirProblem>;

impl FhirProblem {
    pub fn new(status: StatusCode, code: IssueType, diagnostics: impl Into<String>) -> Self {
        Self { status, code, diagnostics: diagnostics.into(), challenge: false }
    }

    /// 404: no such resource, or outside the caller's scope (indistinguishable on purpose).
    pub fn not_found(resource_type: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            IssueType::NotFound,
            format!("{resource_type}/{id} is not known, or is outside your scope"),
        )
    }

    /// The failure of reading `{resource_type}/{id}`: a not-found names the resource.
    pub fn of_read(e: ServiceError, resource_type: &str, id: &str) -> Self {
        match e {
            ServiceError::NotFound => Self::not_found(resource_type, id),
            e => e.into(),
        }
    }

    /// 400: a search parameter this server does not support.
    pub fn unsupported_param(name: &str, detail: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, IssueType::NotSupported, format!("parameter `{name}`: {detail}"))
    }

    /// 400: a supported parameter with a value we cannot use.
    pub fn bad_value(name: &str, detail: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, IssueType::Value, format!("parameter `{name}`: {detail}"))
    }

    /// 500: details go to the log, the caller gets a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "FHIR facade failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            IssueType::Exception,
            "something went wrong on our side; it has been logged",
        )
    }
}

impl IntoResponse for FhirProblem {
    fn into_response(self) -> Response {
        let body = operation_outcome(IssueSeverity::Error, self.code, &self.diagnostics);
        let mut res =
            (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))], body).into_response();
        if self.challenge {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"carebridge\""));
        }
        res
    }
}

/// The name of the FHIR parameter behind a service-layer field pointer, for messages.
fn parameter_of(pointer: &str) -> &str {
    match pointer {
        "/cursor" => "_page_token",
        "/limit" => "_count",
        other => other.trim_start_matches('/'),
    }
}

impl From<ServiceError> for FhirProblem {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(v) => {
                let detail =
                    v.0.iter().map(|e| format!("`{}` {}", parameter_of(&e.pointer), e.detail)).collect::<Vec<_>>();
                Self::new(StatusCode::BAD_REQUEST, IssueType::Value, detail.join("; "))
            }
            ServiceError::Unauthenticated(m) => {
                Self { challenge: true, ..Self::new(StatusCode::UNAUTHORIZED, IssueType::Login, m) }
            }
            ServiceError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, IssueType::Forbidden, m),
            ServiceError::NotFound => {
                Self::new(StatusCode::NOT_FOUND, IssueType::NotFound, "no such resource, or it is outside your scope")
            }
            ServiceError::TooManyRequests { detail, .. } => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, IssueType::Throttled, detail)
            }
            ServiceError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    IssueType::Exception,
                    "the database is unreachable; retry shortly",
                )
            }
            // A read-only facade cannot conflict or fail a precondition; if it ever does, it is
            // a bug worth a log line.
            e @ (ServiceError::Conflict(_)
            | ServiceError::ConstraintsBroken(_)
            | ServiceError::PreconditionFailed { .. }
            | ServiceError::Internal(_)) => Self::internal(e),
        }
    }
}

/// A rejection of the shared extractors (the bearer-token `Caller`), re-shaped as an
/// OperationOutcome.
impl From<Problem> for FhirProblem {
    fn from(p: Problem) -> Self {
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = match status {
            StatusCode::UNAUTHORIZED => IssueType::Login,
            StatusCode::FORBIDDEN => IssueType::Forbidden,
            StatusCode::NOT_FOUND => IssueType::NotFound,
            StatusCode::TOO_MANY_REQUESTS => IssueType::Throttled,
            s if s.is_client_error() => IssueType::Invalid,
            _ => IssueType::Exception,
        };
        Self {
            challenge: p.www_authenticate || status == StatusCode::UNAUTHORIZED,
            ..Self::new(status, code, p.detail)
        }
    }
}

/// Any path under `/fhir` we do not route: an unknown resource type or interaction.
pub async fn unknown_route(uri: Uri) -> FhirProblem {
    FhirProblem::new(
        StatusCode::NOT_FOUND,
        IssueType::NotSupported,
        format!(
            "`{}` is not supported here; this facade serves Organization, Location, HealthcareService, \
             MeasureReport, ServiceRequest, Task, Schedule, Slot and Appointment (read and search), \
             /metadata and /$bulk-publish",
            uri.path()
        ),
    )
}

/// Anything but GET (and HEAD): the facade is read-only.
pub async fn method_not_allowed() -> Response {
    let mut res = FhirProblem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        IssueType::NotSupported,
        "this FHIR facade is read-only: only GET is supported",
    )
    .into_response();
    res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    res
}

/// Refuse, with 406, a request that asks for a format other than FHIR JSON, through
/// `_format` (which wins, as FHIR specifies) or `Accept`.
pub async fn negotiate(req: Request, next: Next) -> Response {
    let format = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "_format" && !v.trim().is_empty())
            .map(|(_, v)| v.into_owned())
    });
    let acceptable = match &format {
        Some(f) => format_is_json(f),
        None => {
            let mut ranges = req.headers().get_all(header::ACCEPT).iter().map(|v| v.to_str().unwrap_or("")).peekable();
            ranges.peek().is_none() || ranges.any(|accept| accept.trim().is_empty() || accept_allows_json(accept))
        }
    };
    if acceptable {
        next.run(req).await
    } else {
        FhirProblem::new(
            StatusCode::NOT_ACCEPTABLE,
            IssueType::NotSupported,
            "this server answers FHIR R4 JSON only: accept application/fhir+json (or use _format=json)",
        )
        .into_response()
    }
}

/// `_format` values meaning FHIR JSON: the `json` shorthand or a JSON media type.
fn format_is_json(value: &str) -> bool {
    let value = value.trim();
    value.eq_ignore_ascii_case("json") || media_type_is_json(value, true)
}

/// Whether an `Accept` header admits FHIR JSON: any range matching it with a non-zero q.
fn accept_allows_json(accept: &str) -> bool {
    accept.split(',').any(|range| media_type_is_json(range, false))
}

/// One media range against FHIR R4 JSON. `exact` refuses the wildcards (`_format` names a
/// type, it is not a range). A `fhirVersion` parameter must name R4 (4.0); `q=0` refuses.
fn media_type_is_json(range: &str, exact: bool) -> bool {
    let mut parts = range.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    for param in parts {
        let Some((name, value)) = param.split_once('=') else { continue };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().trim_matches('"'));
        if name == "q" && value.parse::<f32>().is_ok_and(|q| q <= 0.0) {
            return false;
        }
        if name == "fhirversion" && !(value == "4.0" || value.starts_with("4.0.")) {
            return false;
        }
    }
    match essence.as_str() {
        "application/fhir+json" | "application/json" | "application/json+fhir" => true,
        "*/*" | "application/*" => !exact,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_accepts_json_and_wildcards_only() {
        for ok in [
            "application/fhir+json",
            "application/json",
            "application/fhir+json; fhirVersion=4.0",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/*",
        ] {
            assert!(accept_allows_json(ok), "{ok}");
        }
        for bad in
            ["application/fhir+xml", "text/html", "application/fhir+json;q=0", "application/fhir+json; fhirVersion=3.0"]
        {
            assert!(!accept_allows_json(bad), "{bad}");
        }
        assert!(format_is_json("json"));
        assert!(format_is_json("application/fhir+json"));
        assert!(!format_is_json("xml"));
        assert!(!format_is_json("*/*"));
    }
}
