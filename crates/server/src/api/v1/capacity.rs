//! `/capacity`: desks report; readers in scope see the current state, history and series.

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use carebridge_domain::capacity::{CapacityReport, CapacityReportDraft, FacilityCapacity};
use carebridge_domain::page::Page;
use carebridge_domain::region::RegionCode;
use carebridge_service::capacity::SeriesPoint;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(current))
        .routes(routes!(series))
        .routes(routes!(facility_current))
        .routes(routes!(facility_history))
}

/// Report capacity for one facility (its desk, or a coordinator over it). Every report is kept;
/// one older than the standing report is history only (`became_current: false`). Honours
/// `Idempotency-Key`. The 201 is sent after the report is durable.
#[utoipa::path(post, path = "/capacity/reports", tag = "capacity", security(("bearer" = [])), request_body = CapacityReportDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CapacityReport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<CapacityReportDraft>,
) -> ApiResult<(StatusCode, Json<CapacityReport>)> {
    Ok((StatusCode::CREATED, Json(s.cb.report_capacity(&caller.principal, draft, &meta).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CurrentQuery {
    /// Narrow to a region subtree inside your scope.
    pub region: Option<RegionCode>,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Current capacity of every facility in scope, with each one's age and staleness.
#[utoipa::path(get, path = "/capacity", tag = "capacity", security(("bearer" = [])), params(CurrentQuery),
    responses((status = 200, body = Page<FacilityCapacity>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn current(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CurrentQuery>,
) -> ApiResult<Json<Page<FacilityCapacity>>> {
    Ok(Json(
        s.cb.current_capacity(
            &caller.principal,
            q.region.map(|c| c.to_string()).as_deref(),
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesQuery {
    pub region: Option<RegionCode>,
    /// How many days back (1–90, default 14).
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
}

/// Occupancy over time in 6-hour buckets, per unit, for a region in scope.
#[utoipa::path(get, path = "/capacity/series", tag = "capacity", security(("bearer" = [])), params(SeriesQuery),
    responses((status = 200, body = Vec<SeriesPoint>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn series(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> ApiResult<Json<Vec<SeriesPoint>>> {
    Ok(Json(
        s.cb.capacity_series(&caller.principal, q.region.map(|c| c.to_string()).as_deref(), q.days.unwrap_or(14))
            .await?,
    ))
}

/// One facility's current capacity.
#[utoipa::path(get, path = "/facilities/{id}/capacity", tag = "capacity", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FacilityCapacity), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn facility_current(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FacilityCapacity>> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.facility_capacity(&caller.principal, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^(3[0-9]){1,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One facility's report history, newest first.
#[utoipa::path(get, path = "/facilities/{id}/capacity/reports", tag = "capacity", security(("bearer" = [])),
    params(("id" = String, Path), HistoryQuery),
    responses((status = 200, body = Page<CapacityReport>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn facility_history(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Page<CapacityReport>>> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.capacity_history(&caller.principal, id, q.cursor.as_deref(), q.limit).await?))
}
