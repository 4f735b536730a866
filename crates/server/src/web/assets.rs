//! Static assets, embedded in the binary so the server is one file with nothing to deploy
//! beside it: the one stylesheet, the icon and the one script (the desk inbox's countdown).
//! They change only with a new build, so they may be cached for a day; the ETag is the
//! content's hash so a new build is picked up at once.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const STYLE: &str = include_str!("../../assets/style.css");
const FAVICON: &str = include_str!("../../assets/favicon.svg");
const COUNTDOWN: &str = include_str!("../../assets/countdown.js");

fn etag(body: &str, cell: &'static OnceLock<String>) -> &'static str {
    cell.get_or_init(|| format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..16]))
}

fn serve(headers: &HeaderMap, body: &'static str, content_type: &'static str, tag: &'static str) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut res = if matches { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    res
}

/// `GET /assets/style.css`.
pub async fn style(headers: HeaderMap) -> Response {
    static TAG: OnceLock<String> = OnceLock::new();
    serve(&headers, STYLE, "text/css; charset=utf-8", etag(STYLE, &TAG))
}

/// `GET /assets/favicon.svg`.
pub async fn favicon(headers: HeaderMap) -> Response {
    static TAG: OnceLock<String> = OnceLock::new();
    serve(&headers, FAVICON, "image/svg+xml", etag(FAVICON, &TAG))
}

/// `GET /assets/countdown.js`.
pub async fn countdown(headers: HeaderMap) -> Response {
    static TAG: OnceLock<String> = OnceLock::new();
    serve(&headers, COUNTDOWN, "text/javascript; charset=utf-8", etag(COUNTDOWN, &TAG))
}
