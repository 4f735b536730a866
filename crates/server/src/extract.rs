//! Request extractors whose every rejection is a problem document naming the field.

use crate::problem::Problem;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use bytes::Bytes;
use carebridge_domain::FieldError;
use carebridge_service::RequestMeta;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

/// A JSON body. Syntax errors are 400; type errors, unknown and missing fields are 422 with a
/// JSON pointer to the field; a wrong content type is 415; an oversize body 413.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

fn pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

/// Parse JSON bytes into `T` with problem-shaped errors (also used by the idempotency layer's
/// callers and tests). Syntax errors are 400; everything else 422 with a pointer.
///
/// The body is read as a `Value` first so that a number with a zero fraction (`250.0`) counts
/// as the integer it is: JSON Schema, and so our OpenAPI document, calls `250.0` an integer,
/// and a client (or a language without integers) that writes it so must not be refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", e.to_string()))?;
    integral_floats_as_integers(&mut value);
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let ptr = pointer(e.path());
        let msg = e.into_inner().to_string();
        // A missing field is reported at its parent; point at the field itself.
        let ptr = match msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            Some(field) => format!("{ptr}/{field}"),
            None => ptr,
        };
        Problem::invalid(vec![FieldError::new(ptr, msg)])
    })
}

/// Turn every number with a zero fraction that an integer can hold exactly (|x| < 2^53) into
/// that integer. Fields of type `f64` still read it (an integer is a valid float).
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < EXACT) {
                // Exact by the bound above.
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        hours: i64,
        lon: f64,
        #[serde(default)]
        counts: Vec<u32>,
    }

    #[test]
    fn integral_floats_are_integers_and_floats_stay_floats() {
        let s: Sample = parse_json(br#"{"hours": 250.0, "lon": 114.0, "counts": [1.0, 2]}"#).unwrap();
        assert_eq!((s.hours, s.lon, s.counts), (250, 114.0, vec![1, 2]));
        let s: Sample = parse_json(br#"{"hours": 1, "lon": 114.25}"#).unwrap();
        assert_eq!(s.lon, 114.25);
    }

    #[test]
    fn errors_name_the_field_and_syntax_is_a_400() {
        let e = parse_json::<Sample>(br#"{"hours": 2.5, "lon": 1}"#).unwrap_err();
        assert_eq!((e.status, e.errors[0].pointer.as_str()), (422, "/hours"));
        let e = parse_json::<Sample>(br#"{"lon": 1}"#).unwrap_err();
        assert_eq!(e.errors[0].pointer, "/hours");
        let e = parse_json::<Sample>(br#"{"hours": 1, "lon": 1, "extra": 0}"#).unwrap_err();
        assert_eq!(e.status, 422);
        let e = parse_json::<Sample>(br#"{"hours": 1, "lon": "#).unwrap_err();
        assert_eq!(e.status, 400);
        let e = parse_json::<Sample>(br#"{"hours": 1, "lon": 1} trailing"#).unwrap_err();
        assert_eq!(e.status, 400);
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if mime != "application/json" && !mime.ends_with("+json") {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Query parameters with a problem rejection naming the parameter.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        // No parameter carries control characters (the document says so for every free-text
        // one): a NUL, for one, cannot even be sent to PostgreSQL.
        if let Some((name, _)) = form_urlencoded::parse(q.as_bytes()).find(|(_, v)| v.chars().any(char::is_control)) {
            let ptr = format!("/query/{name}");
            return Err(Problem::field(
                StatusCode::BAD_REQUEST,
                "invalid-query",
                "Invalid query parameter",
                &ptr,
                "must not contain control characters",
            ));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de).map(ApiQuery).map_err(|e| {
            let ptr = pointer(e.path());
            let msg = e.into_inner().to_string();
            let ptr = if ptr.is_empty() { "/query".to_string() } else { ptr };
            Problem::field(StatusCode::BAD_REQUEST, "invalid-query", "Invalid query parameter", &ptr, msg)
        })
    }
}

/// The request id set by the request-id layer, for audit records.
#[derive(Debug, Clone)]
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        Ok(Meta(RequestMeta { request_id }))
    }
}
