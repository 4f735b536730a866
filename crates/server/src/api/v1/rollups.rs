//! `/rollups`: physical, staffed, occupied and available per sub-region and unit (optionally by
//! designation), with staleness, as JSON or CSV.

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::capacity::Rollup;
use carebridge_domain::region::RegionCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rollup))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    Unit,
    Designation,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    /// The region to roll up (default: the one you govern; the nation for national roles).
    pub region: Option<RegionCode>,
    /// `unit` (default) or `designation` (unit × designation).
    #[param(inline)]
    pub by: Option<Breakdown>,
    /// `json` (default) or `csv`; `Accept: text/csv` works too.
    #[param(inline)]
    pub format: Option<Format>,
}

/// Roll up current capacity over a region subtree: national by province, a province by city, a
/// city by district.
#[utoipa::path(get, path = "/rollups", tag = "capacity", security(("bearer" = [])), params(RollupQuery),
    responses((status = 200, description = "The rollup as JSON, or its rows as CSV (`format=csv` or `Accept: text/csv`).",
            content((Rollup = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn rollup(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RollupQuery>,
) -> ApiResult<Response> {
    let by_designation = q.by == Some(Breakdown::Designation);
    let r = s.cb.rollup(&caller.principal, q.region.map(|c| c.to_string()).as_deref(), by_designation).await?;
    let wants_csv = q.format == Some(Format::Csv)
        || (q.format.is_none()
            && headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv")));
    if wants_csv {
        let body = to_csv(&r).map_err(|e| {
            tracing::error!(error = %e, "writing rollup CSV");
            Problem::internal(None)
        })?;
        let mut res = (StatusCode::OK, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        return Ok(res);
    }
    Ok(Json(r).into_response())
}

fn to_csv(r: &Rollup) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "region_code",
        "region_name",
        "unit",
        "designation",
        "physical",
        "staffed",
        "occupied",
        "available",
        "facilities",
        "stale_facilities",
    ])?;
    for row in &r.rows {
        w.write_record([
            row.region_code.to_string(),
            row.region_name.clone(),
            row.unit.to_string(),
            row.designation.map(|d| d.to_string()).unwrap_or_default(),
            row.totals.physical.to_string(),
            row.totals.staffed.to_string(),
            row.totals.occupied.to_string(),
            row.totals.available.to_string(),
            row.facilities.to_string(),
            row.stale_facilities.to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
