//! `/auth/token`: exchange a username and password for a bearer token; revoke it; who am I.

use crate::auth::Caller;
use crate::extract::{ApiJson, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use carebridge_domain::user::{Role, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(issue, revoke)).routes(routes!(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Longer than 64 bytes never matches an account (401).
    #[schema(max_length = 64)]
    pub username: String,
    /// Longer than 1024 characters never matches (401).
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
}

/// Sign in: a bearer token for a username and password.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn issue(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let t = s.cb.issue_token(&req.username, &req.password, &meta).await?;
    Ok(Json(TokenResponse { access_token: t.access_token, token_type: "Bearer".into(), expires_in: t.expires_in }))
}

/// Revoke the token used for this request.
#[utoipa::path(delete, path = "/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn revoke(State(s): State<AppState>, Meta(meta): Meta, caller: Caller) -> ApiResult<StatusCode> {
    s.cb.revoke_token(&caller.principal, &caller.token, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(caller: Caller) -> Json<Me> {
    let p = caller.principal;
    Json(Me { user_id: p.user_id.to_string(), username: p.username, role: p.role, scope: p.scope })
}
