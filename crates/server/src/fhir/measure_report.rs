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

use super::params::bad_page_token;
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search;
use super::searchset::{FhirRequest, Source};
use crate::auth::Caller;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use carebridge_domain::capacity::FacilityCapacity;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::Page;
use carebridge_domain::user::Principal;
use carebridge_interop::fhir::{measure_report, SANER_BED_CAPACITY_MEASURE};
use carebridge_service::{scope, Carebridge, ServiceError};

const TYPE: &str = "MeasureReport";

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
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
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

/// The current reports `principal` may read: all of them, or one facility's.
struct Reports<'a> {
    cb: &'a Carebridge,
    principal: &'a Principal,
    /// `subject`: `None` for every facility, `Some(None)` for a reference that cannot match.
    subject: Option<Option<FacilityId>>,
}

impl Source for Reports<'_> {
    type Item = FacilityCapacity;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<FacilityCapacity>, FhirProblem> {
        let Some(subject) = self.subject else {
            return Ok(self.cb.current_capacity(self.principal, None, token, Some(limit)).await?);
        };
        if token.is_some() {
            // One facility's report is one page; we never issue a token here.
            return Err(bad_page_token());
        }
        let items = match subject {
            None => Vec::new(),
            Some(id) => match self.cb.facility_capacity(self.principal, id).await {
                Ok(c) if c.as_of.is_some() => vec![c],
                Ok(_) | Err(ServiceError::NotFound) => Vec::new(),
                Err(e) => return Err(e.into()),
            },
        };
        Ok(Page { items, next_cursor: None })
    }

    fn render(&self, c: &FacilityCapacity) -> String {
        report(c)
    }
}

/// `GET /fhir/MeasureReport?…`: a searchset of the current reports in the caller's scope.
pub async fn search(State(s): State<AppState>, FhirCaller(principal): FhirCaller, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    // Refuse roles that may not read capacity before anything can come back empty.
    scope::capacity_reader(&s.cb.regions, &principal)?;
    let subject = search.params().get("subject").map(|v| search::reference("subject", v, "Location")).transpose()?;
    search.run(&Reports { cb: &s.cb, principal: &principal, subject }).await
}
