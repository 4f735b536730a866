//! `Idempotency-Key` on creating POSTs: the same key and body replay the first response; the
//! same key with another body is refused with 422; a key whose first request is still running
//! answers 409. Keys are per principal (the token's user), so two users cannot collide.
//!
//! The key is reserved before the handler runs and the response stored after it; a 5xx
//! releases the reservation so a retry can run the work again (nothing was committed).

use crate::auth::Caller;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carebridge_store::idempotency::{self, Reservation};
use sha2::{Digest, Sha256};

/// Largest body we hash and store; larger bodies are refused by the body limit anyway.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Headers worth replaying.
const KEPT_HEADERS: &[&str] = &["content-type", "location", "etag"];

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Only creating POSTs: sign-in creates no resource, and its response (a token) must never
    // be stored.
    if req.method() != Method::POST || req.uri().path().ends_with("/auth/token") {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").cloned() else {
        return next.run(req).await;
    };
    // The principal is the user behind the token (tokens are re-issued; users stay), left by
    // the bearer layer outside this one. None means no credentials: the handler answers 401
    // before anything else; no key is checked or reserved for nobody.
    let Some(principal) = req.extensions().get::<Caller>().map(|c| c.principal.user_id.to_string()) else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b)) => k.to_string(),
        _ => {
            return Problem::field(
                StatusCode::BAD_REQUEST,
                "invalid-idempotency-key",
                "Invalid Idempotency-Key",
                "/headers/idempotency-key",
                "must be 1–255 visible ASCII characters",
            )
            .into_response()
        }
    };
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Payload too large",
                "The body is too large.",
            )
            .into_response()
        }
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(parts.uri.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let now = state.cb.now();
    match idempotency::reserve(&state.cb.store, &principal, &key, &hash, now).await {
        Err(e) => return Problem::from(carebridge_service::ServiceError::from(e)).into_response(),
        Ok(Reservation::Mismatch) => {
            return Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "/headers/idempotency-key",
                "this key was used with a different request body",
            )
            .into_response()
        }
        Ok(Reservation::InProgress) => {
            return Problem::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                "Request in progress",
                "A request with this Idempotency-Key is still being processed; retry shortly.",
            )
            .into_response()
        }
        Ok(Reservation::Replay { status, headers, body }) => return replay(status, &headers, body),
        Ok(Reservation::Reserved) => {}
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = res.status();
    if status.is_server_error() {
        let _ = idempotency::release(&state.cb.store, &principal, &key).await;
        return res;
    }
    let (res_parts, res_body) = res.into_parts();
    let body = match to_bytes(res_body, MAX_BODY * 8).await {
        Ok(b) => b,
        Err(_) => {
            let _ = idempotency::release(&state.cb.store, &principal, &key).await;
            return Problem::internal(None).into_response();
        }
    };
    let kept = encode_headers(&res_parts.headers);
    let text = String::from_utf8_lossy(&body).to_string();
    if let Err(e) = idempotency::complete(&state.cb.store, &principal, &key, status.as_u16(), &kept, &text).await {
        tracing::error!(error = %e, "storing an idempotent response");
    }
    Response::from_parts(res_parts, Body::from(body))
}

fn encode_headers(h: &HeaderMap) -> String {
    let mut out = serde_json::Map::new();
    for name in KEPT_HEADERS {
        if let Some(v) = h.get(*name).and_then(|v| v.to_str().ok()) {
            out.insert((*name).to_string(), serde_json::Value::String(v.to_string()));
        }
    }
    serde_json::Value::Object(out).to_string()
}

fn replay(status: u16, headers: &str, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(headers) {
        for (k, v) in map {
            if let (Ok(name), Some(Ok(value))) =
                (HeaderName::try_from(k.as_str()), v.as_str().map(HeaderValue::from_str))
            {
                res.headers_mut().insert(name, value);
            }
        }
    }
    res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}
