//! `/patients`: a patient signs up themself (not signed in), since online registration is the
//! point of the booking rule. Rate-limited by address: 429 with `Retry-After` past the limit.

use crate::auth::Caller;
use crate::extract::{ApiJson, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use carebridge_domain::user::User;
use carebridge_service::sign_up::PatientSignUp;
use std::net::SocketAddr;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_up))
}

/// Sign up as a patient: a pseudonymous account (a username, never a real name) with a
/// phone-like contact, then sign in with `POST /api/v1/auth/token` and book. Not while signed
/// in (403: staff book walk-ins under a pseudonym instead). At most 5 attempts an hour from one
/// address and 120 a minute from all (429 with `Retry-After`). A taken username is a 409.
#[utoipa::path(post, path = "/patients", tag = "booking", request_body = PatientSignUp,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = User), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
async fn sign_up(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Option<Extension<Caller>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<PatientSignUp>,
) -> ApiResult<Response> {
    if let Some(Extension(c)) = caller {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            format!("you are signed in as {}: sign out to sign up a patient", c.principal.username),
        ));
    }
    let user = s.cb.sign_up_patient(&from.ip().to_string(), body, &meta).await?;
    Ok((StatusCode::CREATED, Json(&user)).into_response())
}
