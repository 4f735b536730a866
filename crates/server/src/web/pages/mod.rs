//! The page handlers, one file per page. Each is thin: read the query or form, call the
//! service, shape view rows for its template.

pub mod board;
pub mod capacity;
pub mod checkin;
pub mod consult;
pub mod designations;
pub mod desk;
pub mod directory;
pub mod facility;
pub mod fever;
pub mod limits;
pub mod login;
pub mod placement;
pub mod plans;
pub mod public_board;
pub mod ranking;
pub mod referrals;
pub mod users;

use super::i18n::Lang;
use super::page::PageCtx;
use super::session::CSRF_FIELD;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// `GET /`: the directory is the public front door (a `?lang=` choice is carried over).
pub async fn home(RawQuery(query): RawQuery) -> Response {
    let pairs = pairs(query.unwrap_or_default().as_bytes());
    match field(&pairs, "lang").and_then(Lang::parse) {
        Some(lang) => Redirect::to(&format!("/directory?lang={}", lang.code())).into_response(),
        None => Redirect::to("/directory").into_response(),
    }
}

/// One `<option>` of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The last value of `key` in decoded query or form pairs, trimmed; empty counts as absent.
pub fn field<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// A posted form's fields, if its CSRF token matches the cookie's; else the 403 page to answer.
pub fn checked_form(ctx: &PageCtx, body: &[u8]) -> Result<Vec<(String, String)>, Response> {
    let fields = pairs(body);
    if !ctx.csrf_ok(field(&fields, CSRF_FIELD)) {
        let t = ctx.t();
        return Err(ctx.error(StatusCode::FORBIDDEN, t.err_title_forbidden, t.err_csrf));
    }
    Ok(fields)
}

/// Decode `application/x-www-form-urlencoded` text (a query string or a form body).
pub fn pairs(text: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(text).into_owned().collect()
}
