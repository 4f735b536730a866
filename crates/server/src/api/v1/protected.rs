//! Protected groups: a region marks the care that must go on in a surge, and its coordinators
//! read a board of how each group is doing against the non-virus critical-care beds.

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use carebridge_domain::region::RegionCode;
use carebridge_service::protected::{ProtectedBoard, ProtectedGroup, ProtectedGroups};
use carebridge_service::ServiceError;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(board)).routes(routes!(mark))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// The region (GB/T 2260 code).
    pub region: String,
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
    let region = RegionCode::parse(&q.region).map_err(|e| ServiceError::invalid("/region", e))?;
    Ok(Json(s.cb.protected_board(&caller.principal, region).await?))
}

/// Mark the groups a region protects (inherited by the regions below it). Coordinators of the
/// region.
#[utoipa::path(put, path = "/regions/{code}/protected-groups", tag = "regions", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = ProtectedGroups,
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
