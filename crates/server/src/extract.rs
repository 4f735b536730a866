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
/// callers and tests).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            if let Err(e) = de.end() {
                return Err(Problem::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", e.to_string()));
            }
            Ok(v)
        }
        Err(e) => {
            let ptr = pointer(e.path());
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    let msg = inner.to_string();
                    // Drop serde_json's " at line 1 column 9" tail: the pointer says where.
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    // A missing field is reported at its parent; point at the field itself.
                    let ptr = match msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                        Some(field) => format!("{ptr}/{field}"),
                        None => ptr,
                    };
                    Err(Problem::invalid(vec![FieldError::new(ptr, msg)]))
                }
                _ => Err(Problem::new(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", inner.to_string())),
            }
        }
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
