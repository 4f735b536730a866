//! `Location`: each facility as the place patients are taken to, with its WGS-84 position
//! (public directory data). Location and Organization share the facility id.
//!
//! Search: `name`, `address-state`, `address-city` as for Organization, and `organization`
//! (`Organization/{id}` or a bare id: that facility's site).

use super::directory::{read_facility, Facilities, FacilityQuery};
use super::response::{Fhir, FhirResult};
use super::search;
use super::searchset::FhirRequest;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_interop::fhir::location;

const TYPE: &str = "Location";

/// `GET /fhir/Location/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    let f = read_facility(&s.cb, TYPE, path, &req).await?;
    Ok(Fhir(location(&f, &s.cb.regions)))
}

/// `GET /fhir/Location?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let organization = params.get("organization").map(|v| search::reference("organization", v, "Organization"));
    let query = FacilityQuery {
        ids: organization.transpose()?.map(|id| id.into_iter().collect()),
        name: params.get("name").map(str::to_owned),
        region: search::region_filter(&s.cb.regions, params)?,
        ..FacilityQuery::all()
    };
    search.run(&Facilities { cb: &s.cb, query, render: location }).await
}
