//! `HealthcareService`: one resource per (facility, service it offers), so a client can ask
//! "who offers dialysis" (public directory data). Ids are derived by
//! `healthcare_service_id`: the facility id and the service code.
//!
//! Search: `name` (case-insensitive substring of the service's name, which is the facility's
//! Chinese name and the service's Chinese label: contains, as `name` is for Organization),
//! `organization` (`Organization/{id}` or a bare id) and `service-type` (a service code such
//! as `dialysis`, optionally `system|code` in the Carebridge service code system).
//!
//! `_count` counts services, not facilities, so one facility's services may straddle two
//! pages: the page token is a [`ChildToken`], the directory cursor *before* that facility
//! plus how many of its services were already sent.

use super::directory::{self, FacilityQuery};
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, service_type, ServiceMatch};
use super::searchset::{ChildToken, FhirRequest, Flatten, Source};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use carebridge_domain::facility::Facility;
use carebridge_domain::page::{encode_cursor, Page, MAX_PAGE_SIZE};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_interop::fhir::{healthcare_service, healthcare_service_name, parse_healthcare_service_id};
use carebridge_service::Carebridge;

const TYPE: &str = "HealthcareService";

/// Facilities fetched per directory page: at least this many, so a narrow `name` does not
/// walk the directory a few facilities at a time.
const MIN_FACILITIES_PER_FETCH: u32 = 50;

/// `GET /fhir/HealthcareService/{id}`: 404 unless the facility exists and offers the service.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: FhirRequest,
) -> FhirResult {
    req.read(&[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let (facility, service) = parse_healthcare_service_id(&id).ok_or_else(|| FhirProblem::not_found(TYPE, &id))?;
    let f = s.cb.facility(facility).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    if !f.draft.services.contains(&service) {
        return Err(FhirProblem::not_found(TYPE, &id));
    }
    Ok(Fhir(healthcare_service(&f, service)))
}

/// The services of the facilities a query finds, filtered by kind and name.
struct Services<'a> {
    cb: &'a Carebridge,
    query: FacilityQuery,
    /// Lowercased: a substring of the service's name.
    name: Option<String>,
}

impl Services<'_> {
    fn of(&self, f: &Facility) -> Vec<(Facility, ServiceKind)> {
        f.draft
            .services
            .iter()
            .filter(|k| self.query.service.is_none_or(|want| **k == want))
            .filter(|k| {
                self.name
                    .as_deref()
                    .is_none_or(|needle| healthcare_service_name(f, **k).to_lowercase().contains(needle))
            })
            .map(|k| (f.clone(), *k))
            .collect()
    }
}

impl Source for Services<'_> {
    type Item = (Facility, ServiceKind);

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<Self::Item>, FhirProblem> {
        let start = token.map(|t| ChildToken::parse(t, ServiceKind::ALL.len())).transpose()?.unwrap_or_default();
        let mut flat = Flatten::new(start, limit);
        let fetch = limit.clamp(MIN_FACILITIES_PER_FETCH, MAX_PAGE_SIZE);
        while let Some(cursor) = flat.wants().map(|c| c.map(str::to_owned)) {
            let facilities = directory::find(self.cb, &self.query, cursor.as_deref(), fetch).await?;
            flat.feed(facilities, |f| encode_cursor(&f.id.to_string()), |f| self.of(f));
        }
        Ok(flat.finish())
    }

    fn render(&self, (f, kind): &Self::Item) -> String {
        healthcare_service(f, *kind)
    }
}

/// `GET /fhir/HealthcareService?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, req: FhirRequest) -> FhirResult {
    let search = req.search(TYPE)?;
    let params = search.params();
    let service = service_type(params.single("service-type")?)?;
    let organization = params.get("organization").map(|v| search::reference("organization", v, "Organization"));
    let ids = organization.transpose()?.map(|id| id.into_iter().collect());
    let name = params.get("name").map(str::to_lowercase);
    let service = match service {
        ServiceMatch::Nothing => return search.nothing(),
        ServiceMatch::Any => None,
        ServiceMatch::Kind(k) => Some(k),
    };
    let query = FacilityQuery { ids, service, ..FacilityQuery::all() };
    search.run(&Services { cb: &s.cb, query, name }).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use carebridge_interop::fhir::SERVICE_CODE_SYSTEM;

    #[test]
    fn service_type_tokens() {
        assert_eq!(service_type(None).unwrap(), ServiceMatch::Any);
        assert_eq!(service_type(Some("dialysis")).unwrap(), ServiceMatch::Kind(ServiceKind::Dialysis));
        let with_system = format!("{SERVICE_CODE_SYSTEM}|icu");
        assert_eq!(service_type(Some(&with_system)).unwrap(), ServiceMatch::Kind(ServiceKind::Icu));
        assert_eq!(service_type(Some(&format!("{SERVICE_CODE_SYSTEM}|"))).unwrap(), ServiceMatch::Any);
        assert_eq!(service_type(Some("http://snomed.info/sct|123")).unwrap(), ServiceMatch::Nothing);
        assert_eq!(service_type(Some("|icu")).unwrap(), ServiceMatch::Nothing);
        assert!(service_type(Some("teleportation")).is_err());
    }
}
