//! `/waitlist`: a patient who found no slot queues for a service at a facility; a freed place
//! is offered to the first in line and held for 30 minutes; claimed, it is their booking;
//! unclaimed, it passes to the next.

use super::booking::created;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use carebridge_domain::booking::Booking;
use carebridge_domain::ids::WaitlistId;
use carebridge_domain::page::Page;
use carebridge_service::waitlist::{WaitlistDraft, WaitlistView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join_waitlist, my_waitlist))
        .routes(routes!(waitlist_entry))
        .routes(routes!(claim_offer))
        .routes(routes!(leave_waitlist))
}

fn entry_id(raw: &str) -> Result<WaitlistId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

/// Join the waitlist for a service at a facility (a patient, for themself; once per service
/// and facility). A place that frees is offered to the first in line and held for 30 minutes
/// (a notice says so). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/waitlist", tag = "booking", security(("bearer" = [])), request_body = WaitlistDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = WaitlistView, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn join_waitlist(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<WaitlistDraft>,
) -> ApiResult<Response> {
    let view = s.cb.join_waitlist(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/waitlist/{}", view.entry.id);
    Ok(created(view, location))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MineParams {
    /// How many, newest first, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The patient's waitlist places, newest first, with how many wait ahead.
#[utoipa::path(get, path = "/waitlist", tag = "booking", security(("bearer" = [])), params(MineParams),
    responses((status = 200, body = Page<WaitlistView>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn my_waitlist(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MineParams>,
) -> ApiResult<Json<Page<WaitlistView>>> {
    let items = s.cb.my_waitlist(&caller.principal, q.limit).await?;
    Ok(Json(Page { items, next_cursor: None }))
}

/// One waitlist place: its patient's.
#[utoipa::path(get, path = "/waitlist/{id}", tag = "booking", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = WaitlistView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn waitlist_entry(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<WaitlistView>> {
    Ok(Json(s.cb.waitlist_entry(&caller.principal, entry_id(&id)?).await?))
}

/// Claim the place an offer holds: it becomes the patient's booking. Refused with 409 when
/// nothing is offered, the offer ran out, or the patient holds the most future bookings their
/// region allows. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/waitlist/{id}/claim", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Booking, headers(("Location" = String))), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn claim_offer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let booking = s.cb.claim_waitlist_offer(&caller.principal, entry_id(&id)?, &meta).await?;
    let location = format!("/api/v1/bookings/{}", booking.id);
    Ok(created(booking, location))
}

/// Leave the waitlist; a place held for the patient passes to the next in line.
#[utoipa::path(post, path = "/waitlist/{id}/leave", tag = "booking", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = WaitlistView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn leave_waitlist(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<WaitlistView>> {
    Ok(Json(s.cb.leave_waitlist(&caller.principal, entry_id(&id)?, &meta).await?))
}
