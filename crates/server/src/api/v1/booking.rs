//! `/schedules`, `/slots`, `/bookings`: a facility desk publishes a schedule (its slots exist at
//! once for the rolling horizon); anyone finds free slots; a patient books for themself and a
//! desk for a walk-in; either cancels or reschedules. A desk closes a service for some days
//! (its bookings are cancelled, each patient told why with the nearest equivalent free
//! slots); a region limits future bookings per patient. A slot never holds more bookings than
//! its capacity.

use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::booking::{Booking, BookingNotice, ScheduleDraft};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::{BookingId, FacilityId, SlotId};
use carebridge_domain::page::Page;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::FieldError;
use carebridge_service::booking::{BookingDraft, PublishedSchedule, SlotSearch, SlotView};
use carebridge_service::booking_changes::{ClosureDraft, ClosureResult, ClosureView};
use carebridge_service::limits::{BookingLimits, BookingLimitsBody};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish))
        .routes(routes!(search))
        .routes(routes!(book, mine))
        .routes(routes!(get_one))
        .routes(routes!(cancel))
        .routes(routes!(reschedule))
        .routes(routes!(notices))
        .routes(routes!(close, closures))
        .routes(routes!(get_booking_limits, put_booking_limits))
}

/// 201 with the body and its `Location`.
pub(super) fn created<T: serde::Serialize>(body: T, location: String) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// A point from `lon` and `lat` query parameters, which come together or not at all.
pub(super) fn point_of(lon: Option<f64>, lat: Option<f64>) -> Result<Option<GeoPoint>, Problem> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => Ok(Some(GeoPoint { lon, lat })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Problem::invalid(vec![FieldError::new("/lat", "give `lat` with `lon`")])),
        (None, Some(_)) => Err(Problem::invalid(vec![FieldError::new("/lon", "give `lon` with `lat`")])),
    }
}

fn booking_id(raw: &str) -> Result<BookingId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

/// Publish a schedule: weekly templates (weekdays, local start and end, slot length, patients
/// per slot) for one service, and optionally one clinician or room, of a facility. Its slots
/// are made for the next 14 days in the same transaction. Templates may not overlap each
/// other, nor another active schedule of the same service and clinician. The facility's desk,
/// or a coordinator over it. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/schedules", tag = "booking", security(("bearer" = [])), request_body = ScheduleDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = PublishedSchedule, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn publish(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<ScheduleDraft>,
) -> ApiResult<Response> {
    let published = s.cb.publish_schedule(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/slots?facility_id={}&service={}", published.facility_id, published.service);
    Ok(created(published, location))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotParams {
    pub service: Option<ServiceKind>,
    /// Region subtree (GB/T 2260 code): a province, a city or a district.
    pub region: Option<RegionCode>,
    pub facility_id: Option<FacilityId>,
    /// Search around this point (with `lat`): slots within `radius_km`.
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Default 20 km, at most 500.
    #[param(exclusive_minimum = 0, maximum = 500)]
    pub radius_km: Option<f64>,
    /// First local day (`YYYY-MM-DD`), today by default.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local day, inclusive; 14 days from today by default; at most 90 days after `from`.
    #[param(format = Date)]
    pub until: Option<String>,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Free slots, in start order: by service, region subtree, facility, distance from a point and
/// local days. Public: a patient finds a slot before signing in.
#[utoipa::path(get, path = "/slots", tag = "booking", params(SlotParams),
    responses((status = 200, body = Page<SlotView>), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn search(State(s): State<AppState>, ApiQuery(q): ApiQuery<SlotParams>) -> ApiResult<Json<Page<SlotView>>> {
    let near = point_of(q.lon, q.lat)?;
    let search = SlotSearch {
        service: q.service,
        region: q.region.map(|c| c.to_string()),
        facility: q.facility_id,
        near,
        radius_km: q.radius_km,
        from: q.from,
        until: q.until,
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(Json(s.cb.search_slots(&search).await?))
}

/// Book a slot: a patient for themself; a facility desk for a walk-in at its facility
/// (`patient_pseudonym` required). Refused with 409 and the reason when the slot is full,
/// cancelled or begun, its facility is closed to new patients or designated for the virus (for
/// a service other than the virus's own), or the patient holds the most future bookings of the
/// service allowed (2). Honours `Idempotency-Key`: a retry returns the same booking.
#[utoipa::path(post, path = "/bookings", tag = "booking", security(("bearer" = [])), request_body = BookingDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Booking, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn book(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<BookingDraft>,
) -> ApiResult<Response> {
    let booking = s.cb.book(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/bookings/{}", booking.id);
    Ok(created(booking, location))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MineParams {
    /// How many, newest slot first, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The caller's bookings, newest slot first: a patient's own, a desk's facility's.
#[utoipa::path(get, path = "/bookings", tag = "booking", security(("bearer" = [])), params(MineParams),
    responses((status = 200, body = Page<Booking>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn mine(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MineParams>,
) -> ApiResult<Json<Page<Booking>>> {
    let items = s.cb.my_bookings(&caller.principal, q.limit).await?;
    Ok(Json(Page { items, next_cursor: None }))
}

/// One booking: the patient's own, a desk's facility's, a coordinator's in scope.
#[utoipa::path(get, path = "/bookings/{id}", tag = "booking", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Booking), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<Booking>> {
    Ok(Json(s.cb.booking(&caller.principal, booking_id(&id)?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBooking {
    /// Why: required.
    #[schema(schema_with = carebridge_domain::text::schemas::reason)]
    pub reason: String,
}

/// Cancel a confirmed booking (the patient, or the facility's desk); its place is free again.
#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CancelBooking,
    responses((status = 200, body = Booking), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBooking>,
) -> ApiResult<Json<Booking>> {
    Ok(Json(s.cb.cancel_booking(&caller.principal, booking_id(&id)?, &body.reason, &meta).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBooking {
    /// The new slot: the same service, anywhere it is offered.
    pub slot_id: SlotId,
}

/// Move a confirmed booking to another slot of the same service, in one transaction: the new
/// place is taken before the old one is released (a full or unbookable new slot changes
/// nothing). The answer is the new booking (`rescheduled_from` names the old, now cancelled).
/// The patient, or the facility's desk within its facility. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/bookings/{id}/reschedule", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = RescheduleBooking,
    responses((status = 201, body = Booking, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn reschedule(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RescheduleBooking>,
) -> ApiResult<Response> {
    let moved = s.cb.reschedule_booking(&caller.principal, booking_id(&id)?, body.slot_id, &meta).await?;
    let location = format!("/api/v1/bookings/{}", moved.id);
    Ok(created(moved, location))
}

/// What the caller was told, newest first: a patient's notices (a booking a closure, a
/// designation order or a commandeered unit cancelled, with the nearest equivalent free slots;
/// a waitlist offer to claim); a desk's facility's (it telephones walk-ins without an account).
#[utoipa::path(get, path = "/notices", tag = "booking", security(("bearer" = [])), params(MineParams),
    responses((status = 200, body = Page<BookingNotice>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn notices(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MineParams>,
) -> ApiResult<Json<Page<BookingNotice>>> {
    let items = s.cb.booking_notices(&caller.principal, q.limit).await?;
    Ok(Json(Page { items, next_cursor: None }))
}

pub(super) fn facility_id(raw: &str) -> Result<FacilityId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

/// Close a facility's service (or every service) on some local days: its open slots on those
/// days are cancelled, every booking of them is cancelled in the same transaction, and each
/// patient is told why and offered the nearest equivalent free slots (the answer lists them).
/// The facility's desk, or a coordinator over it. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/facilities/{id}/closures", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = ClosureDraft,
    responses((status = 201, body = ClosureResult), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn close(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(draft): ApiJson<ClosureDraft>,
) -> ApiResult<Response> {
    let done = s.cb.close_service(&caller.principal, facility_id(&id)?, draft, &meta).await?;
    let location = format!("/api/v1/facilities/{}/closures", done.closure.facility_id);
    Ok(created(done, location))
}

/// A facility's closures that have not ended, earliest first. Anyone signed in who may read
/// the facility's capacity.
#[utoipa::path(get, path = "/facilities/{id}/closures", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ClosureView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn closures(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ClosureView>>> {
    Ok(Json(s.cb.closures(&caller.principal, facility_id(&id)?).await?))
}

/// The limits on future bookings per patient in force in a region: per service or for every
/// service, each with the region that set it (this one or one above); where none is set, the
/// default (2 future bookings of each service). Anyone signed in.
#[utoipa::path(get, path = "/regions/{code}/booking-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    responses((status = 200, body = BookingLimits), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_booking_limits(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<BookingLimits>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.booking_limits(&caller.principal, region).await?))
}

/// Set a region's own limits on future bookings per patient (replacing what it set before; an
/// empty list drops them). A service's own limit wins over the region's every-service limit
/// (`service` null); the regions below follow unless they set their own. Coordinators of the
/// region.
#[utoipa::path(put, path = "/regions/{code}/booking-limits", tag = "regions", security(("bearer" = [])),
    params(("code" = RegionCode, Path, description = "GB/T 2260 code; an unknown one is a 404")),
    request_body = BookingLimitsBody,
    responses((status = 200, body = BookingLimits), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_booking_limits(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<BookingLimitsBody>,
) -> ApiResult<Json<BookingLimits>> {
    let region = RegionCode::parse(&code).map_err(|_| Problem::not_found())?;
    Ok(Json(s.cb.set_booking_limits(&caller.principal, region, body, &meta).await?))
}
