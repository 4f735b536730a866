//! Cookies for the pages: the session (`cb_session`, the same bearer token the API takes, kept
//! HttpOnly so page scripts never see it), the language (`cb_lang`) and the CSRF token
//! (`cb_csrf`).
//!
//! CSRF uses the double-submit pattern: a form carries a hidden copy of the random `cb_csrf`
//! cookie, and a POST is accepted only when both are present and equal. Another site can make a
//! browser send the cookie (SameSite=Strict already stops most of that) but cannot read it to
//! copy it into the form. Cookies are parsed and written by hand: three cookies with fixed
//! attributes do not justify a dependency.

use crate::auth::SESSION_COOKIE;
use base64::Engine as _;
use rand::RngCore;

/// The cookie remembering the chosen language.
pub const LANG_COOKIE: &str = "cb_lang";
/// The double-submit CSRF cookie.
pub const CSRF_COOKIE: &str = "cb_csrf";
/// The hidden form field that carries the CSRF copy.
pub const CSRF_FIELD: &str = "csrf";

/// The value of cookie `name` in the request's `Cookie` headers, if present and non-empty.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// 256 random bits from the OS, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a cookie value looks like one of our CSRF tokens (so a planted odd value is
/// replaced, not echoed into a page).
pub fn is_token_shaped(v: &str) -> bool {
    v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether the form's CSRF field matches the cookie. Both must be present and well formed;
/// the comparison takes the same time wherever the first difference is.
pub fn csrf_matches(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(c), Some(f)) if is_token_shaped(c) && c.len() == f.len() => {
            c.bytes().zip(f.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str, max_age_secs: i64) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}")
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// `Set-Cookie` for the CSRF token (HttpOnly: the server copies it into forms itself).
pub fn csrf_cookie(token: &str) -> String {
    format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict")
}

/// `Set-Cookie` remembering the language for a year (Lax: following a link in keeps it).
pub fn lang_cookie(code: &str) -> String {
    format!("{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap, HeaderValue};

    #[test]
    fn cookies_are_found_across_headers_and_pairs() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; cb_lang=zh"));
        h.append(header::COOKIE, HeaderValue::from_static("cb_session=cb_xyz;cb_csrf="));
        assert_eq!(cookie(&h, "cb_lang"), Some("zh"));
        assert_eq!(cookie(&h, "cb_session"), Some("cb_xyz"));
        assert_eq!(cookie(&h, "cb_csrf"), None, "an empty value counts as absent");
        assert_eq!(cookie(&h, "lang"), None, "names match exactly");
    }

    #[test]
    fn csrf_needs_both_halves_equal_and_well_formed() {
        let t = random_token();
        assert!(is_token_shaped(&t));
        assert!(csrf_matches(Some(&t), Some(&t)));
        assert!(!csrf_matches(Some(&t), None));
        assert!(!csrf_matches(None, Some(&t)));
        let other = random_token();
        assert!(!csrf_matches(Some(&t), Some(&other)));
        assert!(!csrf_matches(Some("x"), Some("x")), "a planted short value is refused");
    }

    #[test]
    fn session_cookies_are_httponly_and_strict() {
        let c = session_cookie("cb_abc", 3600);
        assert!(c.starts_with("cb_session=cb_abc;"));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"));
        assert!(clear_session_cookie().contains("Max-Age=0"));
    }
}
