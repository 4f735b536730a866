//! `Organization`: each facility as the organisation that runs it (public directory data).
//!
//! Search: `name` (substring of the Chinese or English name, any case), `address-state` and
//! `address-city` (a GB/T 2260 code or a province/city name: that region's subtree), `_id`.

use super::directory::{self, read_facility, FacilityQuery};
use super::response::{Fhir, FhirResult};
use super::search::{self, Params};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use carebridge_interop::fhir::organization;

const TYPE: &str = "Organization";
const PARAMS: &[&str] = &["name", "address-city", "address-state", "_id"];

/// `GET /fhir/Organization/{id}`.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> FhirResult {
    let f = read_facility(&s.cb, TYPE, path, query.as_deref()).await?;
    Ok(Fhir(organization(&f, &s.cb.regions)))
}

/// `GET /fhir/Organization?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> FhirResult {
    let params = Params::search(query.as_deref(), PARAMS)?;
    let q = FacilityQuery {
        ids: params.get("_id").map(search::ids).transpose()?,
        name: params.get("name").map(str::to_owned),
        region: search::region_filter(&s.cb.regions, &params)?,
        ..FacilityQuery::all()
    };
    let page = directory::find(&s.cb, &q, params.page_token(), params.count()?).await?;
    let entries: Vec<String> = page.items.iter().map(|f| organization(f, &s.cb.regions)).collect();
    search::bundle(&headers, TYPE, &params, &entries, page.next_cursor.as_deref())
}
