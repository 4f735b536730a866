//! `Caller` requires a valid bearer token; `MaybeCaller` accepts anonymous callers (for the
//! public directory). Pages use the same tokens, carried in an HttpOnly session cookie.

use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use carebridge_domain::user::Principal;

/// The cookie that carries a page session's token.
pub const SESSION_COOKIE: &str = "cb_session";

/// The bearer token of a request, if any.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let token = bearer_token(parts)
            .ok_or_else(|| {
                Problem::unauthenticated("Send `Authorization: Bearer <token>`; get one from POST /api/v1/auth/token.")
            })?
            .to_string();
        let principal = state.cb.authenticate(&token).await.map_err(Problem::from)?;
        let caller = Caller { principal, token };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// A caller who may be anonymous; a bad token is still an error (never silently anonymous).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            Ok(MaybeCaller(Some(Caller::from_request_parts(parts, state).await?)))
        } else {
            Ok(MaybeCaller(None))
        }
    }
}
