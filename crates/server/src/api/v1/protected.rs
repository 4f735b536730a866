//! A region's placement policy: the groups whose care must go on in a surge (and the board of
//! how each is doing against the non-virus critical-care beds), its placement limits per
//! urgency (maximum wait, hold, one-off travel in minutes), and its travel rule (the per-session
//! limit of recurring care, and where a patient may be placed across a provincial border).

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carebridge_domain::region::RegionCode;
use carebridge_service::limits::{LimitsBody, TravelLimits, TravelLimitsBody, UrgencyLimits};
use carebridge_service::protected::{ProtectedBoard, ProtectedGroup, ProtectedGroups};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(mark))
        .routes(routes!(get_limits, put_limits))
        .routes(routes!(get_travel, put_travel, delete_travel))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// The region (GB/T 2260 code).
    pub region: RegionCode,
}

/// The protected groups of a region: per group the open referrals, those without a place,
/// past their maximum wait and escalated, and whether the region's non-virus critical-care
/// hospitals can absorb them (their staffed, occupied, held and free beds). Coordinators of the
/// region.
#[utoipa::path(get, path = "/placement/protected-groups", tag = "placement", security(("bearer" = [])),
    params(BoardQuery),
    responses((status = 200, body = ProtectedBoard), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn board(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<ProtectedBoard>> {
    let region = q.region;
    Ok(Json(s.cb.protected_board(&caller.principal, region).await?))
}

/// Mark the groups a region protects (inherited by the regions below it). Coordinators of the
/// region.
#[utoipa::path(put, path = "/regions/{code}/protected-groups", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")), request_body = ProtectedGroups,
    responses((status = 200, body = Vec<ProtectedGroup>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn mark(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<ProtectedGroups>,
) -> ApiResult<Json<Vec<ProtectedGroup>>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_protected_groups(&caller.principal, region, body, &meta).await?))
}

/// The placement limits in force in a region, per urgency (maximum wait before escalation, how
/// long an offer holds its bed, longest one-way trip of one-off care in minutes of the travel
/// estimate), with the region that set each (this one, one above it, or none for the default).
/// Anyone signed in.
#[utoipa::path(get, path = "/regions/{code}/placement-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = Vec<UrgencyLimits>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_limits(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<UrgencyLimits>>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.placement_limits(&caller.principal, region).await?))
}

/// Set a region's own placement limits; urgencies left out follow the region above. New
/// referrals wait, are held and travel by them. Coordinators of the region.
#[utoipa::path(put, path = "/regions/{code}/placement-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")), request_body = LimitsBody,
    responses((status = 200, body = Vec<UrgencyLimits>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_limits(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<LimitsBody>,
) -> ApiResult<Json<Vec<UrgencyLimits>>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_placement_limits(&caller.principal, region, body, &meta).await?))
}

/// The travel rule in force in a region: the longest one-way trip of one session of recurring
/// care (dialysis), and whether recurring and one-off care may be placed in another province,
/// with the region that set it (this one, one above it, or none for the defaults: 60 minutes,
/// recurring care in the province, one-off care across borders). Anyone signed in.
#[utoipa::path(get, path = "/regions/{code}/travel-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = TravelLimits), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_travel(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<TravelLimits>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.travel_limits(&caller.principal, region).await?))
}

/// Set a region's own travel rule, as a whole; the regions below it follow it unless they set
/// their own. Referrals are ranked by it from now on (a patient beyond the limit is unplaced
/// `too_far` and escalated, never placed farther). Coordinators of the region.
#[utoipa::path(put, path = "/regions/{code}/travel-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")), request_body = TravelLimitsBody,
    responses((status = 200, body = TravelLimits), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_travel(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<TravelLimitsBody>,
) -> ApiResult<Json<TravelLimits>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_travel_limits(&caller.principal, region, Some(body), &meta).await?))
}

/// Drop a region's own travel rule: it follows the region above (or the defaults) again; the
/// answer is the rule in force after. Coordinators of the region.
#[utoipa::path(delete, path = "/regions/{code}/travel-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = TravelLimits), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn delete_travel(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<TravelLimits>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_travel_limits(&caller.principal, region, None, &meta).await?))
}
