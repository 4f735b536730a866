//! `/regions`: the GB/T 2260 table (public), and per-region settings (coordinators).

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carebridge_domain::region::{Region, RegionCode};
use carebridge_service::capacity::StaleSetting;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(get_one)).routes(routes!(get_settings, put_settings))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegionQuery {
    /// List the children of this region; omit for the provinces.
    pub parent: Option<RegionCode>,
}

/// Provinces, or the children of `parent`.
#[utoipa::path(get, path = "/regions", tag = "regions", params(RegionQuery),
    responses((status = 200, body = Vec<Region>), (status = 422, body = Problem)))]
async fn list(State(s): State<AppState>, ApiQuery(q): ApiQuery<RegionQuery>) -> ApiResult<Json<Vec<Region>>> {
    Ok(Json(s.cb.list_regions(q.parent.map(|c| c.to_string()).as_deref())?))
}

/// One region by code.
#[utoipa::path(get, path = "/regions/{code}", tag = "regions", params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = Region), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Region>> {
    Ok(Json(s.cb.region(&code)?))
}

/// The stale threshold in force for a region (its own or inherited).
#[utoipa::path(get, path = "/regions/{code}/settings", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = StaleSetting), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_settings(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<StaleSetting>> {
    let region = s.cb.region(&code)?;
    carebridge_service::scope::capacity_reader(&s.cb.regions, &caller.principal)?;
    Ok(Json(s.cb.stale_setting(region.code).await?))
}

/// Set a region's stale threshold (coordinators of the region).
#[utoipa::path(put, path = "/regions/{code}/settings", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")), request_body = StaleSetting,
    responses((status = 200, body = StaleSetting), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_settings(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<StaleSetting>,
) -> ApiResult<Json<StaleSetting>> {
    // The path names the resource: a code that is not a region is a 404, like the GET's.
    let region = s.cb.region(&code)?;
    Ok(Json(s.cb.set_stale_setting(&caller.principal, &region.code.to_string(), body, &meta).await?))
}
