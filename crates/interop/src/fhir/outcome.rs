//! FHIR errors: every failure on the FHIR facade answers with an OperationOutcome, as FHIR
//! clients expect, instead of the problem+json the rest of the API uses.
//!
//! Severity and issue type are enums so a typo cannot produce a code outside the R4 value
//! sets; the diagnostics string is what the user sees, so callers keep internals out of it.

use fhirbolt::model::r4::resources::{OperationOutcome, OperationOutcomeIssue};
use fhirbolt::model::r4::Resource;

/// `OperationOutcome.issue.severity` (R4 value set `issue-severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueSeverity {
    /// The action failed and processing stopped.
    Fatal,
    /// The action failed.
    Error,
    /// The action succeeded with a caveat.
    Warning,
    /// Purely informational.
    Information,
}

impl IssueSeverity {
    /// The FHIR code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fatal => "fatal",
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Information => "information",
        }
    }
}

/// `OperationOutcome.issue.code` (R4 value set `issue-type`), the codes a read-only facade
/// has use for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueType {
    /// Content invalid against the specification or a profile (bad search parameter value).
    Invalid,
    /// A required element is missing.
    Required,
    /// An element value is invalid.
    Value,
    /// Authentication needed or failed.
    Login,
    /// Authenticated, but not allowed.
    Forbidden,
    /// The resource does not exist (or is outside the caller's scope).
    NotFound,
    /// The interaction or search parameter is not supported.
    NotSupported,
    /// The request would cost too much (page size, result count).
    TooCostly,
    /// Too many requests.
    Throttled,
    /// The server failed; details are in the logs, not here.
    Exception,
    /// The server timed out.
    Timeout,
}

impl IssueType {
    /// The FHIR code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Required => "required",
            Self::Value => "value",
            Self::Login => "login",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::NotSupported => "not-supported",
            Self::TooCostly => "too-costly",
            Self::Throttled => "throttled",
            Self::Exception => "exception",
            Self::Timeout => "timeout",
        }
    }
}

/// An OperationOutcome (JSON) with one issue.
pub fn operation_outcome(severity: IssueSeverity, code: IssueType, diagnostics: &str) -> String {
    let outcome = outcome(&[(severity, code, diagnostics)]);
    // An outcome holds only codes and strings, the elements fhirbolt cannot fail on, so the
    // empty fallback is never taken; it exists so no input can make this function panic.
    fhirbolt::json::to_string(&Resource::OperationOutcome(Box::new(outcome)), None).unwrap_or_default()
}

/// An OperationOutcome with one issue per `(severity, code, diagnostics)`, as a typed
/// resource (for a Bundle entry).
pub(crate) fn outcome(issues: &[(IssueSeverity, IssueType, &str)]) -> OperationOutcome {
    let issue = issues
        .iter()
        .map(|(severity, code, diagnostics)| OperationOutcomeIssue {
            severity: severity.as_str().into(),
            code: code.as_str().into(),
            diagnostics: (!diagnostics.is_empty()).then(|| (*diagnostics).into()),
            ..Default::default()
        })
        .collect();
    OperationOutcome { issue, ..Default::default() }
}

/// The outcome returned in place of a resource that could not be serialised.
pub(crate) fn internal_error(diagnostics: &str) -> String {
    operation_outcome(IssueSeverity::Fatal, IssueType::Exception, diagnostics)
}
