//! A region's placement policy: the groups whose care must go on in a surge (and the board of
//! how each is doing against the non-virus critical-care beds), and its placement limits per
//! urgency (maximum wait, hold, travel).

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carebridge_domain::region::RegionCode;
use carebridge_service::limits::{LimitsBody, UrgencyLimits};
use carebridge_service::protected::{ProtectedBoard, ProtectedGroup, ProtectedGroups};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(board)).routes(routes!(mark)).routes(routes!(get_limits, put_limits))
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
/// long an offer holds its bed, longest trip), with the region that set each (this one, one
/// above it, or none for the default). Anyone signed in.
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
