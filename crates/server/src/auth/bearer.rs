//! RFC 6750 on every route: a request that carries credentials is judged on them before any
//! handler runs, public routes included.
//!
//! - no `Authorization` header: the request goes on anonymous; a route that needs a caller
//!   answers 401 with a bare `WWW-Authenticate: Bearer realm="carebridge"` (§3.1: no error
//!   code when no credentials were sent);
//! - another scheme (`Basic …`, a bare word): 401 with the bare challenge, public routes too
//!   (§3.1: an unsupported authentication method gets no error code);
//! - `Bearer` with a token that is unknown, expired, revoked, or not even token-shaped (empty,
//!   characters outside RFC 6750's `b64token`): 401, `error="invalid_token"`. §3.1 lets a
//!   malformed request be a 400, but a bearer token of the wrong shape is, to the client, one
//!   more token that does not work, and the OpenAPI bearer scheme cannot state a token syntax,
//!   so a 400 there would answer a request the document calls valid with a status it cannot
//!   predict;
//! - a request that is malformed as a whole (two `Authorization` headers, bytes that are not
//!   visible ASCII): 400, `error="invalid_request"`;
//! - a good token: the caller is put in the request's extensions, where [`Caller`] finds it
//!   (so a request is authenticated once, whatever the extractors and layers ask).
//!
//! Without this, a forged or expired token on a public route was served the anonymous view:
//! the client believed it was signed in and saw less than it was entitled to, with no hint why.
//! Errors are in the dialect of the router hit: OperationOutcome under `/fhir`, problem+json
//! elsewhere.

use super::Caller;
use crate::fhir::FhirProblem;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carebridge_service::ServiceError;

/// The realm every challenge names.
pub const REALM: &str = "carebridge";

/// What a request's `Authorization` header amounts to.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials<'a> {
    /// No header at all: the public view.
    None,
    /// `Bearer <token>` with a token of RFC 6750's `b64token` syntax.
    Bearer(&'a str),
    /// `Bearer` with no token or one no server could have issued; the reason is shown.
    BadBearer(&'static str),
    /// A scheme other than Bearer.
    OtherScheme,
    /// The header is malformed as a whole; the reason is shown.
    Malformed(&'static str),
}

/// Read the `Authorization` header(s) of a request.
pub fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Malformed("send one Authorization header, not several");
    }
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed("the Authorization header is not visible ASCII");
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::OtherScheme;
    }
    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Credentials::BadBearer("the bearer token is empty");
    }
    if !is_b64token(token) {
        return Credentials::BadBearer("the bearer token has characters a token cannot have");
    }
    Credentials::Bearer(token)
}

/// RFC 6750 §2.1: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// The `WWW-Authenticate` value of a refusal. `description` is ours (never the caller's
/// text), but is still made quoted-string safe.
pub fn challenge(error: Option<&str>, description: &str) -> HeaderValue {
    let value = match error {
        None => format!("Bearer realm=\"{REALM}\""),
        Some(error) => {
            let description: String =
                description.chars().filter(|c| (' '..='~').contains(c) && *c != '"' && *c != '\\').collect();
            format!("Bearer realm=\"{REALM}\", error=\"{error}\", error_description=\"{description}\"")
        }
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=\"carebridge\""))
}

/// Whether a path belongs to the FHIR facade (its errors are OperationOutcomes).
pub fn is_fhir(path: &str) -> bool {
    path == "/fhir" || path.starts_with("/fhir/")
}

/// A problem in the dialect of the router `path` belongs to.
pub fn answer(path: &str, problem: Problem) -> Response {
    if is_fhir(path) {
        FhirProblem::from(problem).into_response()
    } else {
        problem.into_response()
    }
}

/// The layer: judge the credentials, then pass the request on or refuse it.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let (status, error, why) = match credentials(req.headers()) {
        Credentials::None => return next.run(req).await,
        Credentials::Malformed(why) => (StatusCode::BAD_REQUEST, Some("invalid_request"), why.to_string()),
        Credentials::OtherScheme => (
            StatusCode::UNAUTHORIZED,
            None,
            "only the Bearer scheme is accepted (`Authorization: Bearer <token>`)".into(),
        ),
        Credentials::BadBearer(why) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), why.to_string()),
        Credentials::Bearer(token) => match state.cb.authenticate(token).await {
            Ok(principal) => {
                let caller = Caller { principal, token: token.to_string() };
                req.extensions_mut().insert(caller);
                return next.run(req).await;
            }
            Err(ServiceError::Unauthenticated(why)) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), why),
            Err(other) => return answer(&path, Problem::from(other)),
        },
    };
    let (slug, title) = match error {
        Some("invalid_request") => ("invalid-request", "Malformed credentials"),
        Some(_) => ("invalid-token", "Invalid token"),
        None => ("unauthenticated", "Authentication required"),
    };
    let detail =
        format!("{why}. Send no Authorization header for the public view, or a token from POST /api/v1/auth/token.");
    let mut res = answer(&path, Problem::new(status, slug, title, detail));
    res.headers_mut().insert(header::WWW_AUTHENTICATE, challenge(error, &why));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_one_well_formed_bearer_header_is_a_token() {
        assert_eq!(credentials(&headers(&[])), Credentials::None);
        assert_eq!(
            credentials(&headers(&["Bearer cb_abc-DEF_1.2~3+4/5=="])),
            Credentials::Bearer("cb_abc-DEF_1.2~3+4/5==")
        );
        assert_eq!(
            credentials(&headers(&["bearer cb_x"])),
            Credentials::Bearer("cb_x"),
            "the scheme is case-insensitive"
        );
        for bad in ["Bearer", "Bearer ", "Bearer =", "Bearer a b", "Bearer a\"b", "Bearer a=b", "Bearer !"] {
            assert!(matches!(credentials(&headers(&[bad])), Credentials::BadBearer(_)), "{bad:?}");
        }
        for other in ["Basic dXNlcjpwdw==", "cb_token", "Token abc", "Bearerx y"] {
            assert_eq!(credentials(&headers(&[other])), Credentials::OtherScheme, "{other:?}");
        }
        assert!(matches!(credentials(&headers(&["Bearer a", "Bearer b"])), Credentials::Malformed(_)));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_bytes(b"Bearer caf\xc3\xa9").unwrap());
        assert!(matches!(credentials(&h), Credentials::Malformed(_)), "not visible ASCII");
    }

    #[test]
    fn challenges_are_quoted_string_safe() {
        assert_eq!(challenge(None, "ignored"), "Bearer realm=\"carebridge\"");
        let v = challenge(Some("invalid_token"), "the \"token\" is\\ unknown\n");
        assert_eq!(
            v,
            "Bearer realm=\"carebridge\", error=\"invalid_token\", error_description=\"the token is unknown\""
        );
    }
}
