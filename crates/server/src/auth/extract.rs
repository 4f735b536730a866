//! `Caller` hands a handler the principal the bearer layer (`bearer.rs`) found for the
//! request's token; with no token it is a 401. Pages use the same tokens, carried in an
//! HttpOnly session cookie.

use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use carebridge_domain::user::Principal;

/// The cookie that carries a page session's token.
pub const SESSION_COOKIE: &str = "cb_session";

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    /// The bearer layer runs on every route: a request that carried credentials has either
    /// been refused or has its caller here, so no caller means no credentials were sent.
    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            Problem::unauthenticated("Send `Authorization: Bearer <token>`; get one from POST /api/v1/auth/token.")
        })
    }
}
