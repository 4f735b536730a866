//! `MeasureReport`: a facility's current bed capacity in the SANER shape (one group per unit,
//! populations for physical, staffed and occupied beds, available beds as the score). The id
//! is the facility id: the report is always the *current* one.
//!
//! Not public: a bearer token is required (401 without), and the capacity scope rules of the
//! JSON API apply unchanged: a facility outside the caller's scope does not exist for them
//! (404 on read, no entry in a search), and patients may not read capacity at all (403).
//!
//! Search: `subject` (`Location/{id}` or a bare id); without it, every facility in scope that
//! has reported, paged by `_count` and `_page_token`.

use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, Params};
use crate::auth::Caller;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use carebridge_domain::capacity::FacilityCapacity;
use carebridge_domain::user::Principal;
use carebridge_interop::fhir::{measure_report, SANER_BED_CAPACITY_MEASURE};
use carebridge_service::{scope, ServiceError};

const TYPE: &str = "MeasureReport";
const PARAMS: &[&str] = &["subject"];

/// A signed-in caller (bearer token), rejected with an OperationOutcome rather than the API's
/// problem document.
#[derive(Debug, Clone)]
pub struct FhirCaller(pub Principal);

impl FromRequestParts<AppState> for FhirCaller {
    type Rejection = FhirProblem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(Caller::from_request_parts(parts, state).await?.principal))
    }
}

fn report(c: &FacilityCapacity) -> String {
    measure_report(c, SANER_BED_CAPACITY_MEASURE)
}

/// `GET /fhir/MeasureReport/{id}`.
pub async fn read(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> FhirResult {
    Params::read(query.as_deref(), &[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    scope::capacity_reader(&s.cb.regions, &principal)?;
    let facility = search::facility_id(TYPE, &id)?;
    let c = s.cb.facility_capacity(&principal, facility).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    // A facility that has never reported has no MeasureReport.
    if c.as_of.is_none() {
        return Err(FhirProblem::not_found(TYPE, &id));
    }
    Ok(Fhir(report(&c)))
}

/// `GET /fhir/MeasureReport?…`: a searchset of the current reports in the caller's scope.
pub async fn search(
    State(s): State<AppState>,
    FhirCaller(principal): FhirCaller,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> FhirResult {
    let params = Params::search(query.as_deref(), PARAMS)?;
    // Refuse roles that may not read capacity before anything can come back empty.
    scope::capacity_reader(&s.cb.regions, &principal)?;
    let count = params.count()?;
    let Some(subject) = params.get("subject") else {
        let page = s.cb.current_capacity(&principal, None, params.page_token(), Some(count)).await?;
        let entries: Vec<String> = page.items.iter().map(report).collect();
        return search::bundle(&headers, TYPE, &params, &entries, page.next_cursor.as_deref());
    };
    let entries = match search::reference("subject", subject, "Location")? {
        None => Vec::new(),
        Some(id) => match s.cb.facility_capacity(&principal, id).await {
            Ok(c) if c.as_of.is_some() => vec![report(&c)],
            Ok(_) => Vec::new(),
            Err(ServiceError::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        },
    };
    search::bundle(&headers, TYPE, &params, &entries, None)
}
