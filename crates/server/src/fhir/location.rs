//! `Location`: each facility as the place patients are taken to, with its WGS-84 position
//! (public directory data). Location and Organization share the facility id.
//!
//! Search: `name`, `address-state`, `address-city` as for Organization, and `organization`
//! (`Organization/{id}` or a bare id: that facility's site).

use super::directory::{self, read_facility, FacilityQuery};
use super::response::{Fhir, FhirResult};
use super::search::{self, Params};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use carebridge_interop::fhir::location;

const TYPE: &str = "Location";
const PARAMS: &[&str] = &["name", "address-city", "address-state", "organization"];

/// `GET /fhir/Location/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> FhirResult {
    let f = read_facility(&s.cb, TYPE, path, query.as_deref()).await?;
    Ok(Fhir(location(&f, &s.cb.regions)))
}

/// `GET /fhir/Location?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> FhirResult {
    let params = Params::search(query.as_deref(), PARAMS)?;
    let organization = params.get("organization").map(|v| search::reference("organization", v, "Organization"));
    let q = FacilityQuery {
        ids: organization.transpose()?.map(|id| id.into_iter().collect()),
        name: params.get("name").map(str::to_owned),
        region: search::region_filter(&s.cb.regions, &params)?,
        ..FacilityQuery::all()
    };
    let page = directory::find(&s.cb, &q, params.page_token(), params.count()?).await?;
    let entries: Vec<String> = page.items.iter().map(|f| location(f, &s.cb.regions)).collect();
    search::bundle(&headers, TYPE, &params, &entries, page.next_cursor.as_deref())
}
