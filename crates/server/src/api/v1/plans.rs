//! `/placement/plans`: a coordinator previews the exact batch placement of every waiting
//! referral of a region, then applies it (every offer in one transaction, or none); and, before
//! redesignating a facility or commandeering a unit, the patients it displaces and where they go.

use crate::auth::Caller;
use crate::extract::{ApiJson, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::ids::PlanId;
use carebridge_service::displacement::{DisplacementApply, DisplacementRequest, DisplacementView};
use carebridge_service::plans::{PlanRequest, PlanView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(get_one))
        .routes(routes!(apply))
        .routes(routes!(preview_displacement))
        .routes(routes!(get_displacement))
        .routes(routes!(apply_displacement))
}

fn plan_id(raw: &str) -> Result<PlanId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

/// Preview a plan: every pending or escalated referral whose patient lives in the region,
/// placed by an exact minimum-cost flow (travel, crowding, load and designation fit, with
/// dialysis patients on weekday patterns), with the total cost and, for each patient left
/// out, why. Nothing is offered until the plan is applied. Coordinators of the region.
#[utoipa::path(post, path = "/placement/plans", tag = "placement", security(("bearer" = [])),
    request_body = PlanRequest,
    responses((status = 201, body = PlanView, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn preview(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(request): ApiJson<PlanRequest>,
) -> ApiResult<Response> {
    let view = s.cb.preview_plan(&caller.principal, request, &meta).await?;
    let location = format!("/api/v1/placement/plans/{}", view.id);
    let mut res = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// A plan as previewed (or applied).
#[utoipa::path(get, path = "/placement/plans/{id}", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PlanView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<PlanView>> {
    Ok(Json(s.cb.plan(&caller.principal, plan_id(&id)?).await?))
}

/// Apply a previewed plan: every offer in one transaction. If a referral is no longer waiting
/// or a bed has gone since the preview (or the preview is over 15 minutes old), nothing is
/// applied: 409, preview again.
#[utoipa::path(post, path = "/placement/plans/{id}/apply", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PlanView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn apply(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(s.cb.apply_plan(&caller.principal, plan_id(&id)?, &meta).await?))
}

/// Preview a designation order or the commandeering of a unit: every patient it displaces
/// (offered, accepted, admitted; recurring patients with their weekdays and next session) and
/// the re-placement plan for them, keeping dialysis patients on their weekdays where possible
/// and never past the clinical gap. Nothing changes until applied. Coordinators of the facility.
#[utoipa::path(post, path = "/placement/displacements", tag = "placement", security(("bearer" = [])),
    request_body = DisplacementRequest,
    responses((status = 201, body = DisplacementView, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn preview_displacement(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(request): ApiJson<DisplacementRequest>,
) -> ApiResult<Response> {
    let view = s.cb.preview_displacement(&caller.principal, request, &meta).await?;
    let location = format!("/api/v1/placement/displacements/{}", view.id);
    let mut res = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// A displacement as previewed (or applied).
#[utoipa::path(get, path = "/placement/displacements/{id}", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DisplacementView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get_displacement(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DisplacementView>> {
    Ok(Json(s.cb.displacement(&caller.principal, plan_id(&id)?).await?))
}

/// Apply the change with its re-placement in one transaction: the order, every displaced
/// patient back to waiting with a `displaced` event on their timeline, the plan's offers, and
/// the unplaced escalated to the region's coordinators. `acknowledge_unplaced` must list
/// exactly the patients the plan leaves unplaced (422 otherwise); 409 if anything changed.
#[utoipa::path(post, path = "/placement/displacements/{id}/apply", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DisplacementApply,
    responses((status = 200, body = DisplacementView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn apply_displacement(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(ack): ApiJson<DisplacementApply>,
) -> ApiResult<Json<DisplacementView>> {
    Ok(Json(s.cb.apply_displacement(&caller.principal, plan_id(&id)?, ack, &meta).await?))
}
