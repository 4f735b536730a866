//! `Task`: an offer, a bed held at one facility for one referral until the hold runs out. The
//! id is the offer id; `focus` is the referral's ServiceRequest.
//!
//! An offer is readable by whoever may read its referral (see `service_request`), with the
//! same answers: 401 without a token, 404 out of scope, 403 for roles that read no referrals.
//!
//! Search: `focus` (`ServiceRequest/{id}` or a bare referral id) is required, and gives the
//! offers of that referral, oldest first, in one page; a referral out of scope gives an empty
//! searchset. A search without `focus` is a 400: there is no "every offer" listing.

use super::measure_report::FhirCaller;
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, Params};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use carebridge_domain::ids::{OfferId, ReferralId};
use carebridge_interop::fhir::task;
use carebridge_service::ServiceError;

const TYPE: &str = "Task";
const PARAMS: &[&str] = &["focus"];

/// `GET /fhir/Task/{id}`.
pub async fn read(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> FhirResult {
    Params::read(query.as_deref(), &[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let offer: OfferId = id.parse().map_err(|_| FhirProblem::not_found(TYPE, &id))?;
    let (offer, referral) = s.cb.fhir_offer(&principal, offer).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    Ok(Fhir(task(&offer, Some(referral.draft.urgency))))
}

/// `GET /fhir/Task?focus=ServiceRequest/{id}`: the offers of one referral.
pub async fn search(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> FhirResult {
    let params = Params::search(query.as_deref(), PARAMS)?;
    params.count()?;
    let Some(focus) = params.get("focus") else {
        return Err(FhirProblem::bad_value("focus", "is required: the offers of one ServiceRequest (a referral)"));
    };
    if params.page_token().is_some() {
        // The offers of a referral come in one page; we never issue a token here.
        return Err(search::bad_page_token());
    }
    let entries = match search::reference::<ReferralId>("focus", focus, "ServiceRequest")? {
        None => Vec::new(),
        Some(id) => match s.cb.fhir_referral(&principal, id).await {
            Ok(r) => r.offers.iter().map(|o| task(o, Some(r.referral.draft.urgency))).collect(),
            Err(ServiceError::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        },
    };
    search::bundle(&headers, TYPE, &params, &entries, None)
}
