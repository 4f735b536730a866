//! A 413 that every client reads.
//!
//! Refusing an oversized body by simply not reading it is not enough: a client that writes its
//! whole body before it reads (Python's `urllib`, most simple HTTP libraries) is still writing
//! when the server answers and closes, the kernel meets unread data and resets the connection,
//! and the client sees "connection reset" instead of our problem. So:
//!
//! - `Content-Length` over the limit and `Expect: 100-continue`: answer 413 at once; the
//!   client has not sent the body and will not (hyper only sends `100 Continue` once the body
//!   is read);
//! - `Content-Length` over the limit otherwise: read and discard the body, up to
//!   [`DRAIN_MAX`] bytes and [`DRAIN_FOR`], then answer 413 with `Connection: close`;
//! - no `Content-Length` (chunked): read up to the limit; past it, drain as above and answer
//!   413. A body within the limit is handed on, already read.
//!
//! axum's `DefaultBodyLimit` stays behind this as the extractors' own bound.

use crate::auth::bearer::answer;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use std::time::Duration;

/// The most bytes of a refused body we read so the client can then read the 413; beyond it,
/// the connection is closed with the rest unread.
pub const DRAIN_MAX: u64 = 64 * 1024 * 1024;

/// The longest we spend draining a refused body.
pub const DRAIN_FOR: Duration = Duration::from_secs(10);

/// The layer.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.body_limit as u64;
    let path = req.uri().path().to_string();
    match declared_length(req.headers()) {
        Some(n) if n > limit => {
            let expects_continue = req
                .headers()
                .get(header::EXPECT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
            if !expects_continue {
                drain(req.into_body(), 0).await;
            }
            too_large(&path, Some(n), limit)
        }
        Some(_) => next.run(req).await,
        None if !is_chunked(req.headers()) => next.run(req).await,
        None => {
            let (parts, body) = req.into_parts();
            match read_within(body, limit).await {
                Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
                Err(Overflow) => too_large(&path, None, limit),
            }
        }
    }
}

/// The `Content-Length` a request declares, if it declares one we can read (hyper has already
/// refused contradictory or malformed ones).
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

fn is_chunked(headers: &HeaderMap) -> bool {
    headers.get(header::TRANSFER_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("chunked"))
}

/// A chunked body went past the limit (and was drained).
struct Overflow;

/// Read a body of unknown length if it stays within `limit`; past it, drain the rest.
async fn read_within(body: Body, limit: u64) -> Result<bytes::Bytes, Overflow> {
    let mut body = body;
    let mut kept = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // The client went away or broke the chunking: hand on what we have; the
            // extractor will fail on it as it would have on the original stream.
            break;
        };
        if let Ok(data) = frame.into_data() {
            if kept.len() as u64 + data.len() as u64 > limit {
                drain(body, kept.len() as u64 + data.len() as u64).await;
                return Err(Overflow);
            }
            kept.extend_from_slice(&data);
        }
    }
    Ok(kept.freeze())
}

/// Read and discard what is left of `body`, having already read `already` bytes, up to
/// [`DRAIN_MAX`] in all and for at most [`DRAIN_FOR`].
async fn drain(mut body: Body, already: u64) {
    let read = async {
        let mut total = already;
        while total < DRAIN_MAX {
            match body.frame().await {
                Some(Ok(frame)) => total += frame.data_ref().map_or(0, |d| d.len() as u64),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_FOR, read).await;
}

fn too_large(path: &str, declared: Option<u64>, limit: u64) -> Response {
    let detail = match declared {
        Some(n) => format!("The body is {n} bytes; this server accepts at most {limit} bytes per request."),
        None => format!("The body is longer than the {limit} bytes this server accepts per request."),
    };
    let problem = Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Payload too large", detail);
    let mut res = answer(path, problem);
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
