//! `/facilities`: the public directory, registration and upkeep (with ETags).

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::{Facility, FacilityDraft, FacilityLevel};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::Page;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_service::facilities::DirectoryQuery;
use carebridge_store::facilities::FacilityFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get_one, update))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FacilityQuery {
    /// Region subtree (GB/T 2260 code): a province, a city or a district.
    pub region: Option<RegionCode>,
    pub service: Option<ServiceKind>,
    pub designation: Option<Designation>,
    pub level: Option<FacilityLevel>,
    /// Case-insensitive text in the Chinese or English name or the address.
    pub q: Option<String>,
    pub takes_new_patients: Option<bool>,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn with_etag(status: StatusCode, f: Facility) -> Response {
    let mut res = (status, Json(&f)).into_response();
    res.headers_mut().insert(header::ETAG, etag(f.version));
    if status == StatusCode::CREATED {
        if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/facilities/{}", f.id)) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    res
}

fn parse_id(s: &str) -> Result<FacilityId, Problem> {
    s.parse().map_err(|_| Problem::not_found())
}

/// The public facility directory: filter by region subtree, service, designation, level and
/// text; cursor pagination.
#[utoipa::path(get, path = "/facilities", tag = "facilities", params(FacilityQuery),
    responses((status = 200, body = Page<Facility>), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn list(State(s): State<AppState>, ApiQuery(q): ApiQuery<FacilityQuery>) -> ApiResult<Json<Page<Facility>>> {
    let query = DirectoryQuery {
        region: q.region.map(|c| c.to_string()),
        filter: FacilityFilter {
            service: q.service,
            designation: q.designation,
            level: q.level,
            text: q.q,
            takes_new_patients: q.takes_new_patients,
        },
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(s.cb.directory(&query).await?))
}

/// Register a facility (coordinators of its region). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/facilities", tag = "facilities", security(("bearer" = [])), request_body = FacilityDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Facility, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<FacilityDraft>,
) -> ApiResult<Response> {
    let f = s.cb.create_facility(&caller.principal, draft, &meta).await?;
    Ok(with_etag(StatusCode::CREATED, f))
}

/// One facility from the directory, with its ETag.
#[utoipa::path(get, path = "/facilities/{id}", tag = "facilities", params(("id" = String, Path)),
    responses((status = 200, body = Facility, headers(("ETag" = String))), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let f = s.cb.facility(parse_id(&id)?).await?;
    Ok(with_etag(StatusCode::OK, f))
}

/// Replace a facility's fields. Requires `If-Match` with the current ETag; a stale one is 412.
#[utoipa::path(put, path = "/facilities/{id}", tag = "facilities", security(("bearer" = [])), request_body = FacilityDraft,
    params(("id" = String, Path), ("If-Match" = String, Header, description = "The ETag last read")),
    responses((status = 200, body = Facility, headers(("ETag" = String))), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 428, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<FacilityDraft>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let expected = if_match_version(&headers)?;
    let f = s.cb.update_facility(&caller.principal, id, draft, Some(expected), &meta).await?;
    Ok(with_etag(StatusCode::OK, f))
}

/// The version an `If-Match` header names (`"3"` or `W/"3"`); required on updates.
pub(crate) fn if_match_version(headers: &HeaderMap) -> Result<i64, Problem> {
    let raw = headers.get(header::IF_MATCH).ok_or_else(|| {
        Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "Precondition required",
            "Send `If-Match` with the ETag you last read, so concurrent edits are not lost.",
        )
    })?;
    // Exactly the ETags we issue, `"3"` (or weak, `W/"3"`): anything else is malformed (400),
    // as the document's pattern for the header says; a well-formed stale one is a 412.
    let malformed = || {
        Problem::field(
            StatusCode::BAD_REQUEST,
            "invalid-if-match",
            "Invalid If-Match",
            "/headers/if-match",
            "must be an ETag this server issued, such as \"3\"",
        )
    };
    let text = raw.to_str().map_err(|_| malformed())?;
    let text = text.strip_prefix("W/").unwrap_or(text);
    let digits = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(malformed)?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    digits.parse::<i64>().map_err(|_| malformed())
}
