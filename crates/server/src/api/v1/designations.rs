//! `/designation-orders`: coordinators order designations; history is readable in scope.

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::designation::{DesignationOrder, DesignationOrderDraft};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    pub facility_id: Option<FacilityId>,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Order a facility's designation (coordinators whose region contains it). Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/designation-orders", tag = "designations", security(("bearer" = [])),
    request_body = DesignationOrderDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = DesignationOrder), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<DesignationOrderDraft>,
) -> ApiResult<Response> {
    let order = s.cb.order_designation(&caller.principal, draft, &meta).await?;
    let mut res = (StatusCode::CREATED, Json(&order)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/designation-orders/{}", order.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Orders on facilities in the caller's scope, newest first.
#[utoipa::path(get, path = "/designation-orders", tag = "designations", security(("bearer" = [])), params(OrderQuery),
    responses((status = 200, body = Page<DesignationOrder>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<OrderQuery>,
) -> ApiResult<Json<Page<DesignationOrder>>> {
    Ok(Json(s.cb.designation_orders(&caller.principal, q.facility_id, q.cursor.as_deref(), q.limit).await?))
}

/// One order.
#[utoipa::path(get, path = "/designation-orders/{id}", tag = "designations", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DesignationOrder), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DesignationOrder>> {
    let id = id.parse().map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.designation_order(&caller.principal, id).await?))
}
