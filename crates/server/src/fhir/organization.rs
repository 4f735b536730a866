//! `Organization`: each facility as the organisation that runs it (public directory data).
//!
//! Search: `name` (substring of the Chinese or English name, any case), `address-state` and
//! `address-city` (a GB/T 2260 code or a province/city name: that region's subtree), `_id`.

use super::directory::{read_facility, Facilities, FacilityQuery};
use super::response::{Fhir, FhirResult};
use super::search;
use super::searchset::FhirRequest;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_interop::fhir::organization;

const TYPE: &str = "Organization";

/// `GET /fhir/Organization/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    let f = read_facility(&s.cb, TYPE, path, &req).await?;
    Ok(Fhir(organization(&f, &s.cb.regions)))
}

/// `GET /fhir/Organization?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let query = FacilityQuery {
        ids: params.get("_id").map(search::ids).transpose()?,
        name: params.get("name").map(str::to_owned),
        region: search::region_filter(&s.cb.regions, params)?,
        ..FacilityQuery::all()
    };
    search.run(&Facilities { cb: &s.cb, query, render: organization }).await
}
