//! `/referrals` and `/placement/...`: file a referral once and follow it; desks answer offers;
//! coordinators direct placements and ask the engine why a patient is still waiting.

use crate::api::v1::facilities::etag;
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Meta};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use carebridge_domain::clock::Timestamp;
use carebridge_domain::ids::{OfferId, ReferralId};
use carebridge_domain::page::Page;
use carebridge_domain::referral::{Offer, OfferStatus, Referral, ReferralDraft, ReferralStatus};
use carebridge_service::referrals::{DirectedPlacement, OfferAnswer, Placement, ReferralDetail};
use carebridge_service::ServiceError;
use carebridge_store::referrals::ReferralFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(cancel))
        .routes(routes!(admit))
        .routes(routes!(direct))
        .routes(routes!(ranking))
        .routes(routes!(inbox))
        .routes(routes!(answer))
}

fn referral_id(raw: &str) -> Result<ReferralId, Problem> {
    raw.parse().map_err(|_| Problem::not_found())
}

fn with_etag(status: StatusCode, detail: ReferralDetail) -> Response {
    let mut res = (status, Json(&detail)).into_response();
    res.headers_mut().insert(header::ETAG, etag(detail.version));
    res
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferralQuery {
    /// Only referrals in these statuses, comma-separated (`status=pending,offered`); empty
    /// means any.
    #[param(value_type = Option<Vec<ReferralStatus>>, style = Form, explode = false)]
    pub status: Option<String>,
    /// Only referrals whose maximum wait has passed.
    #[serde(default)]
    pub overdue: bool,
    /// Only referrals escalated to coordinators (the board of stranded patients).
    #[serde(default)]
    pub escalated: bool,
    /// Where the previous page stopped: its `next_cursor`.
    #[param(pattern = "^([2-6][0-9a-f]|7[0-9a-e]){1,256}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// File a referral: a clinician for a patient of their facility's province, a coordinator for
/// a patient in their region, a patient for themself. The engine makes the first offer at once;
/// the answer shows it, or why there is none. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/referrals", tag = "referrals", security(("bearer" = [])),
    request_body = ReferralDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = ReferralDetail, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    ApiJson(draft): ApiJson<ReferralDraft>,
) -> ApiResult<Response> {
    let detail = s.cb.file_referral(&caller.principal, draft, &meta).await?;
    let location = format!("/api/v1/referrals/{}", detail.referral.id);
    let mut res = with_etag(StatusCode::CREATED, detail);
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Referrals the caller may read, newest first: a coordinator's region, a clinician's facility,
/// a desk's offers, a patient's own.
#[utoipa::path(get, path = "/referrals", tag = "referrals", security(("bearer" = [])), params(ReferralQuery),
    responses((status = 200, body = Page<Referral>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReferralQuery>,
) -> ApiResult<Json<Page<Referral>>> {
    let statuses = match q.status.as_deref() {
        None | Some("") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(ReferralStatus::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| ServiceError::invalid("/status", e))?,
    };
    let filter = ReferralFilter { statuses, overdue_at: q.overdue.then(|| s.cb.now()), escalated: q.escalated };
    Ok(Json(s.cb.referrals(&caller.principal, &filter, q.cursor.as_deref(), q.limit).await?))
}

/// One referral with its offers and timeline, and its ETag.
#[utoipa::path(get, path = "/referrals/{id}", tag = "referrals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ReferralDetail, headers(("ETag" = String))), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_one(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    Ok(with_etag(StatusCode::OK, s.cb.referral(&caller.principal, referral_id(&id)?).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Why: required.
    #[schema(schema_with = carebridge_domain::text::schemas::reason)]
    pub reason: String,
}

/// Cancel an open referral; a held bed is released.
#[utoipa::path(post, path = "/referrals/{id}/cancel", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CancelBody,
    responses((status = 200, body = ReferralDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn cancel(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBody>,
) -> ApiResult<Response> {
    let detail = s.cb.cancel_referral(&caller.principal, referral_id(&id)?, &body.reason, &meta).await?;
    Ok(with_etag(StatusCode::OK, detail))
}

/// The desk of the accepting facility marks the patient admitted.
#[utoipa::path(post, path = "/referrals/{id}/admit", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReferralDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn admit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let detail = s.cb.admit_referral(&caller.principal, referral_id(&id)?, &meta).await?;
    Ok(with_etag(StatusCode::OK, detail))
}

/// A coordinator directs the patient to a facility of their region: an offer the facility must
/// accept, recorded as directed.
#[utoipa::path(post, path = "/referrals/{id}/direct", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DirectedPlacement,
    responses((status = 200, body = ReferralDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn direct(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DirectedPlacement>,
) -> ApiResult<Response> {
    let detail = s.cb.direct_placement(&caller.principal, referral_id(&id)?, body, &meta).await?;
    Ok(with_etag(StatusCode::OK, detail))
}

/// The engine's ranking for a referral now, without making an offer: the feasible facilities
/// best first and, for the rest, how many each constraint excluded. Coordinators.
#[utoipa::path(get, path = "/placement/referrals/{id}/ranking", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Placement), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn ranking(State(s): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<Placement>> {
    Ok(Json(s.cb.explain_referral(&caller.principal, referral_id(&id)?).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only offers in this status (e.g. `holding`).
    #[param(value_type = Option<OfferStatus>)]
    pub status: Option<String>,
}

/// A desk's inbox: the offers made to its facility, newest first, each with its hold's expiry.
#[utoipa::path(get, path = "/placement/offers", tag = "placement", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, body = OfferList), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn inbox(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<OfferList>> {
    let status =
        q.status.as_deref().map(OfferStatus::parse).transpose().map_err(|e| ServiceError::invalid("/status", e))?;
    let items = s.cb.offer_inbox(&caller.principal, status).await?;
    Ok(Json(OfferList { now: s.cb.now(), items }))
}

/// The offers of a desk's inbox, with the server's time to count holds down from.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct OfferList {
    pub now: Timestamp,
    pub items: Vec<Offer>,
}

/// The desk accepts or declines an offer (`{"answer":"accept"}` or
/// `{"answer":"decline","reason":"no_bed","note":"…"}`). A decline releases the bed and the
/// next offer goes out at once; an expired or already answered offer is 409.
#[utoipa::path(post, path = "/placement/offers/{id}/answer", tag = "placement", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OfferAnswer,
    responses((status = 200, body = ReferralDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfferAnswer>,
) -> ApiResult<Response> {
    let id: OfferId = id.parse().map_err(|_| Problem::not_found())?;
    let detail = s.cb.answer_offer(&caller.principal, id, body, &meta).await?;
    Ok(with_etag(StatusCode::OK, detail))
}
