//! `/registration-orders`, `/regions/{code}/registration-rule`, `/facilities/{id}/check-ins`,
//! `/registration-effect`: a region orders that visits need an online registration (with the
//! exemptions it names); anyone reads the rule in force; a desk checks each arriving patient in
//! against it; coordinators see its effect per facility and day.

use super::booking::{created, facility_id};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{
    CheckIn, CheckInAnswer, CheckInDraft, RegistrationEffect, RegistrationOrder, RegistrationOrderDraft,
};
use carebridge_service::registration::RegistrationRule;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(order_registration))
        .routes(routes!(registration_order))
        .routes(routes!(registration_rule))
        .routes(routes!(check_in, check_ins))
        .routes(routes!(registration_effect))
}

/// Order the online-registration rule for a region (or lift it with `required: false`),
/// effective from a time: while it is in force, visits to the region's facilities need a
/// booked slot unless the patient is exempt (a rule that requires registration exempts
/// emergencies and fevers at least). The nearest region up the tree with an order in effect
/// decides. Coordinators governing the region. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/registration-orders", tag = "registration", security(("bearer" = [])),
    request_body = RegistrationOrderDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = RegistrationOrder, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn order_registration(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<RegistrationOrderDraft>,
) -> ApiResult<Response> {
    let order = s.cb.order_registration_rule(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/registration-orders/{}", order.id);
    Ok(created(order, location))
}

/// One registration order. Public.
#[utoipa::path(get, path = "/registration-orders/{id}", tag = "registration", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationOrder), (status = 404, body = Problem)))]
async fn registration_order(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<RegistrationOrder>> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.registration_order(id).await?))
}

/// The online-registration rule in force in a region now (its own order or the nearest
/// region's above), and every order of the region and those above it. Public: a patient must
/// know before setting out.
#[utoipa::path(get, path = "/regions/{code}/registration-rule", tag = "registration",
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = RegistrationRule), (status = 404, body = Problem)))]
async fn registration_rule(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<RegistrationRule>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.registration_rule(region).await?))
}

/// Check an arriving patient in: their booking here now (shown, or found under their
/// pseudonym) is checked in; otherwise an exemption the rule in force names admits them, or no
/// rule requires registration; otherwise they must register, and the answer offers the next
/// free slot (`register: true` books it for them at once). Every check-in is recorded. The
/// facility's desk. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/facilities/{id}/check-ins", tag = "registration", security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CheckInDraft,
    responses((status = 201, body = CheckInAnswer, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn check_in(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(draft): ApiJson<CheckInDraft>,
) -> ApiResult<Response> {
    let answer = s.cb.check_in(&caller.principal, facility_id(&id)?, draft, &meta).await?;
    let location = format!("/api/v1/facilities/{}/check-ins", answer.check_in.facility_id);
    Ok(created(answer, location))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckInParams {
    /// Local day (`YYYY-MM-DD`), today by default.
    #[param(format = Date)]
    pub day: Option<String>,
    /// At most this many, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A facility's check-ins of one day, latest first: its desk, or a coordinator over it.
#[utoipa::path(get, path = "/facilities/{id}/check-ins", tag = "registration", security(("bearer" = [])),
    params(("id" = String, Path), CheckInParams),
    responses((status = 200, body = Vec<CheckIn>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn check_ins(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CheckInParams>,
) -> ApiResult<Json<Vec<CheckIn>>> {
    Ok(Json(s.cb.check_ins(&caller.principal, facility_id(&id)?, q.day.as_deref(), q.limit).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EffectParams {
    /// A region within the governed subtree; the whole subtree by default.
    pub region: Option<RegionCode>,
    /// First local day (`YYYY-MM-DD`); six days before `until` by default.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local day, inclusive; today by default; at most 62 days from `from`.
    #[param(format = Date)]
    pub until: Option<String>,
}

/// The registration rule's effect per facility and local day: arrivals with a booking, exempt
/// arrivals, walk-ins where no rule was in force, patients registered on the spot, patients
/// told to register, and no-shows (bookings whose slot ended without a check-in).
/// Coordinators, within the subtree they govern.
#[utoipa::path(get, path = "/registration-effect", tag = "registration", security(("bearer" = [])),
    params(EffectParams),
    responses((status = 200, body = Vec<RegistrationEffect>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn registration_effect(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EffectParams>,
) -> ApiResult<Json<Vec<RegistrationEffect>>> {
    let region = q.region.map(|c| c.to_string());
    Ok(Json(
        s.cb.registration_effect(&caller.principal, region.as_deref(), q.from.as_deref(), q.until.as_deref()).await?,
    ))
}
