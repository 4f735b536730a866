//! `/facilities/{id}/fever-queue`, `/fever-visits/{id}/status`, `/fever-waits`,
//! `/fever-alerts`, `/regions/{code}/fever-wait-threshold`: a fever clinic's desk keeps its
//! queue; anyone sees every clinic's wait and, from a point, the clinic to go to; coordinators
//! are alerted when a wait passes their region's threshold.

use super::booking::{created, facility_id, point_of};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use carebridge_domain::fever::FeverVisit;
use carebridge_domain::region::RegionCode;
use carebridge_service::fever::{
    ClinicWait, FeverArrival, FeverBoard, FeverVisitMove, FeverWaitSearch, FeverWaits, Threshold, ThresholdBody,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(fever_arrive, fever_board))
        .routes(routes!(move_fever_visit))
        .routes(routes!(fever_waits))
        .routes(routes!(fever_alerts))
        .routes(routes!(get_fever_threshold, put_fever_threshold))
}

/// Check a patient into the facility's fever-clinic queue (its desk). A check-in for the fever
/// clinic (`POST /facilities/{id}/check-ins`) does this too. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/facilities/{id}/fever-queue", tag = "fever", security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = FeverArrival,
    responses((status = 201, body = FeverVisit, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn fever_arrive(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(arrival): ApiJson<FeverArrival>,
) -> ApiResult<Response> {
    let visit = s.cb.fever_arrive(&caller.principal, facility_id(&id)?, arrival, &meta).await?;
    let location = format!("/api/v1/facilities/{}/fever-queue", visit.facility_id);
    Ok(created(visit, location))
}

/// The clinic's queue board: its wait estimate, who waits and who is being seen. Its desk, or
/// a coordinator over it.
#[utoipa::path(get, path = "/facilities/{id}/fever-queue", tag = "fever", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FeverBoard), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn fever_board(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<FeverBoard>> {
    Ok(Json(s.cb.fever_board(&caller.principal, facility_id(&id)?).await?))
}

/// Move a visit on: `called` (from waiting), `seen` (from called), `left` (from either). Any
/// other move is a 409. The clinic's desk.
#[utoipa::path(post, path = "/fever-visits/{id}/status", tag = "fever", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FeverVisitMove,
    responses((status = 200, body = FeverVisit), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn move_fever_visit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FeverVisitMove>,
) -> ApiResult<Json<FeverVisit>> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.move_fever_visit(&caller.principal, id, body.status, &meta).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitParams {
    /// Region subtree (GB/T 2260 code); a region or a point is required.
    pub region: Option<RegionCode>,
    /// Search around this point (with `lat`), within `radius_km`; the answer recommends the
    /// clinic that minimises travel plus wait.
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Default 30 km, at most 200.
    #[param(exclusive_minimum = 0, maximum = 200)]
    pub radius_km: Option<f64>,
}

/// Every fever clinic's estimated wait (patients waiting and being seen, the clinic's rate),
/// and from a point the travel time and the recommended clinic. Public.
#[utoipa::path(get, path = "/fever-waits", tag = "fever", params(WaitParams),
    responses((status = 200, body = FeverWaits), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn fever_waits(State(s): State<AppState>, ApiQuery(q): ApiQuery<WaitParams>) -> ApiResult<Json<FeverWaits>> {
    let near = point_of(q.lon, q.lat)?;
    let search = FeverWaitSearch { region: q.region.map(|c| c.to_string()), near, radius_km: q.radius_km };
    Ok(Json(s.cb.fever_waits(&search).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// A region within the governed subtree; the whole subtree by default.
    pub region: Option<RegionCode>,
}

/// Fever clinics whose wait is past their region's threshold, or stalled (patients waiting,
/// nobody called for an hour); longest first. Coordinators, within the subtree they govern.
#[utoipa::path(get, path = "/fever-alerts", tag = "fever", security(("bearer" = [])), params(AlertParams),
    responses((status = 200, body = Vec<ClinicWait>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn fever_alerts(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlertParams>,
) -> ApiResult<Json<Vec<ClinicWait>>> {
    let region = q.region.map(|c| c.to_string());
    Ok(Json(s.cb.fever_alerts(&caller.principal, region.as_deref()).await?))
}

/// The fever-clinic wait past which a region's coordinators are alerted (its own, the nearest
/// region's above, or the default of 120 minutes). Public.
#[utoipa::path(get, path = "/regions/{code}/fever-wait-threshold", tag = "fever",
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = Threshold), (status = 404, body = Problem)))]
async fn get_fever_threshold(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Threshold>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.fever_threshold(region).await?))
}

/// Set a region's own alert threshold (`minutes` 10–1440, or `null` to follow the region
/// above). Coordinators of the region.
#[utoipa::path(put, path = "/regions/{code}/fever-wait-threshold", tag = "fever", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    request_body = ThresholdBody,
    responses((status = 200, body = Threshold), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_fever_threshold(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ThresholdBody>,
) -> ApiResult<Json<Threshold>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_fever_threshold(&caller.principal, region, body, &meta).await?))
}
