//! `/online-care`, `/facilities/{id}/online-care`, `/consultations…`,
//! `/facilities/{id}/consultations…`: a patient asks a facility offering online care; its
//! clinicians take the next request, answer in writing with suggested medicines, or turn it
//! into a referral or a booking in one step.

use super::booking::{created, facility_id};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::consultation::{ConsultationAnswer, ConsultationDraft, ConsultationStatus};
use carebridge_domain::ids::ConsultationId;
use carebridge_domain::region::RegionCode;
use carebridge_service::consultations::{
    ConsultationBooking, ConsultationOutcome, ConsultationReferral, ConsultationView, OnlineCare, OnlineCareBody,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(online_care))
        .routes(routes!(set_online_care))
        .routes(routes!(request_consultation, my_consultations))
        .routes(routes!(get_consultation))
        .routes(routes!(withdraw_consultation))
        .routes(routes!(consultation_queue))
        .routes(routes!(take_next_consultation))
        .routes(routes!(answer_consultation))
        .routes(routes!(release_consultation))
        .routes(routes!(refer_consultation))
        .routes(routes!(book_consultation))
}

fn consultation_id(raw: &str) -> Result<ConsultationId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OnlineCareParams {
    /// Region subtree (GB/T 2260 code); everywhere by default.
    pub region: Option<RegionCode>,
}

/// Facilities with online care open and their queues now (waiting, with a clinician, closed in
/// the last hour). Public: a patient picks one before asking.
#[utoipa::path(get, path = "/online-care", tag = "consultations", params(OnlineCareParams),
    responses((status = 200, body = Vec<OnlineCare>), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn online_care(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<OnlineCareParams>,
) -> ApiResult<Json<Vec<OnlineCare>>> {
    Ok(Json(s.cb.online_care(q.region).await?))
}

/// Open or close a facility's online care. Its desk, or a coordinator over it. Closing keeps
/// the queue: those who asked are still answered.
#[utoipa::path(put, path = "/facilities/{id}/online-care", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OnlineCareBody,
    responses((status = 200, body = OnlineCareBody), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_online_care(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OnlineCareBody>,
) -> ApiResult<Json<OnlineCareBody>> {
    Ok(Json(s.cb.set_online_care(&caller.principal, facility_id(&id)?, body, &meta).await?))
}

/// Ask a facility offering online care about a complaint (patients; at most 3 open at once).
/// Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/consultations", tag = "consultations", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = ConsultationDraft,
    responses((status = 201, body = ConsultationView, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn request_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<ConsultationDraft>,
) -> ApiResult<Response> {
    let view = s.cb.request_consultation(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/consultations/{}", view.consultation.id);
    Ok(created(view, location))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MineParams {
    /// How many, newest first, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The patient's own consultations, newest first, with answers.
#[utoipa::path(get, path = "/consultations", tag = "consultations", security(("bearer" = [])), params(MineParams),
    responses((status = 200, body = Vec<ConsultationView>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn my_consultations(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MineParams>,
) -> ApiResult<Json<Vec<ConsultationView>>> {
    Ok(Json(s.cb.my_consultations(&caller.principal, q.limit).await?))
}

/// One consultation: the patient's own, the facility's clinicians' and desk's, a coordinator's
/// in scope.
#[utoipa::path(get, path = "/consultations/{id}", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get_consultation(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.cb.consultation(&caller.principal, consultation_id(&id)?).await?))
}

/// Withdraw a consultation nobody has taken yet (the patient).
#[utoipa::path(post, path = "/consultations/{id}/withdraw", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.cb.withdraw_consultation(&caller.principal, consultation_id(&id)?, &meta).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// Default `waiting` (the queue, oldest first); other states newest first.
    pub status: Option<ConsultationStatus>,
    /// How many, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A facility's consultations in one state: its clinicians and its desk.
#[utoipa::path(get, path = "/facilities/{id}/consultations", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path), QueueParams),
    responses((status = 200, body = Vec<ConsultationView>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn consultation_queue(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<QueueParams>,
) -> ApiResult<Json<Vec<ConsultationView>>> {
    Ok(Json(s.cb.consultation_queue(&caller.principal, facility_id(&id)?, q.status, q.limit).await?))
}

/// Take the oldest waiting consultation (a clinician of the facility): 200 with it, 204 when
/// nobody waits. Two clinicians taking at once never get the same one.
#[utoipa::path(post, path = "/facilities/{id}/consultations/next", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 204, description = "Nobody waits"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn take_next_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(match s.cb.take_next_consultation(&caller.principal, facility_id(&id)?, &meta).await? {
        Some(view) => Json(view).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Answer in writing, with any suggested medicines (the clinician who took it).
#[utoipa::path(post, path = "/consultations/{id}/answer", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ConsultationAnswer,
    responses((status = 200, body = ConsultationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsultationAnswer>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.cb.answer_consultation(&caller.principal, consultation_id(&id)?, body, &meta).await?))
}

/// Hand a taken consultation back to the front of the queue (the clinician who took it).
#[utoipa::path(post, path = "/consultations/{id}/release", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn release_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ConsultationView>> {
    Ok(Json(s.cb.release_consultation(&caller.principal, consultation_id(&id)?, &meta).await?))
}

/// Turn the consultation into a referral, in one transaction (the clinician who took it): the
/// patient's pseudonym, age band, region and location come over, and the complaint follows the
/// clinician's note. Placement then offers a bed as for any referral.
#[utoipa::path(post, path = "/consultations/{id}/referral", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ConsultationReferral,
    responses((status = 201, body = ConsultationOutcome, headers(("Location" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refer_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsultationReferral>,
) -> ApiResult<Response> {
    let outcome = s.cb.refer_consultation(&caller.principal, consultation_id(&id)?, body, &meta).await?;
    let referral = outcome.consultation.consultation.referral_id.map(|r| r.to_string()).unwrap_or_default();
    Ok(created(outcome, format!("/api/v1/referrals/{referral}")))
}

/// Book a slot for the patient, in one transaction (the clinician who took it): every rule of a
/// patient's own booking applies.
#[utoipa::path(post, path = "/consultations/{id}/booking", tag = "consultations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ConsultationBooking,
    responses((status = 201, body = ConsultationOutcome, headers(("Location" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn book_consultation(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsultationBooking>,
) -> ApiResult<Response> {
    let outcome = s.cb.book_consultation(&caller.principal, consultation_id(&id)?, body, &meta).await?;
    let booking = outcome.booking.as_ref().map(|b| b.id.to_string()).unwrap_or_default();
    Ok(created(outcome, format!("/api/v1/bookings/{booking}")))
}
