//! Finding facilities for the three directory resources (Organization, Location,
//! HealthcareService), which are all views of one facility: through the public directory
//! use case, or by id when the search names facilities.

use super::response::FhirProblem;
use super::search::RegionFilter;
use super::searchset::{FhirRequest, Source};
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::page::{decode_cursor, encode_cursor, Page};
use carebridge_domain::region::Regions;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::facilities::FacilityFilter;

/// What a directory search asks for; every part optional, combined with AND.
#[derive(Debug, Clone)]
pub struct FacilityQuery {
    /// Only these facilities (`_id`, a reference parameter); `None` = no such restriction.
    pub ids: Option<Vec<FacilityId>>,
    /// Case-insensitive substring of the Chinese or English name.
    pub name: Option<String>,
    pub region: RegionFilter,
    pub service: Option<ServiceKind>,
}

impl FacilityQuery {
    /// No restriction at all.
    pub fn all() -> Self {
        Self { ids: None, name: None, region: RegionFilter::Anywhere, service: None }
    }
}

/// One page of facilities in id order, `next_cursor` resuming after the last.
///
/// A page can hold fewer than `limit` facilities yet have a next one: the directory's text
/// filter also matches addresses, and those facilities are dropped here because FHIR's
/// `name` means the name only.
pub async fn find(
    cb: &Carebridge,
    q: &FacilityQuery,
    cursor: Option<&str>,
    limit: u32,
) -> Result<Page<Facility>, FhirProblem> {
    if q.region == RegionFilter::Nowhere {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    if let Some(ids) = &q.ids {
        return by_ids(cb, q, ids, cursor, limit).await;
    }
    let region = match q.region {
        RegionFilter::Within(code) => Some(code.to_string()),
        _ => None,
    };
    let query = DirectoryQuery {
        region,
        filter: FacilityFilter { text: q.name.clone(), service: q.service, ..FacilityFilter::default() },
        cursor: cursor.map(str::to_owned),
        limit: Some(limit),
    };
    let mut page = cb.directory(&query).await?;
    page.items.retain(|f| matches(cb, q, f));
    Ok(page)
}

/// The listed facilities that exist and match, in id order, paged like the directory.
async fn by_ids(
    cb: &Carebridge,
    q: &FacilityQuery,
    ids: &[FacilityId],
    cursor: Option<&str>,
    limit: u32,
) -> Result<Page<Facility>, FhirProblem> {
    let after: Option<FacilityId> = cursor
        .map(|c| decode_cursor(c).ok().and_then(|key| key.parse().ok()).ok_or_else(super::params::bad_page_token))
        .transpose()?;
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut items = Vec::new();
    for id in ids.into_iter().filter(|id| after.is_none_or(|a| *id > a)) {
        match cb.facility(id).await {
            Ok(f) if matches(cb, q, &f) => items.push(f),
            Ok(_) | Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        if items.len() > limit as usize {
            break;
        }
    }
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|f| encode_cursor(&f.id.to_string()))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Whether a facility meets the query's conditions other than `ids`.
fn matches(cb: &Carebridge, q: &FacilityQuery, f: &Facility) -> bool {
    let name_ok = q.name.as_deref().is_none_or(|name| {
        let needle = name.trim().to_lowercase();
        f.draft.name_zh.to_lowercase().contains(&needle) || f.draft.name_en.to_lowercase().contains(&needle)
    });
    let region_ok = match q.region {
        RegionFilter::Anywhere => true,
        RegionFilter::Within(code) => cb.regions.contains(code, f.draft.region_code),
        RegionFilter::Nowhere => false,
    };
    let service_ok = q.service.is_none_or(|s| f.draft.services.contains(&s));
    name_ok && region_ok && service_ok
}

/// Facilities as one resource type (Organization or Location), for the search path.
pub struct Facilities<'a> {
    pub cb: &'a Carebridge,
    pub query: FacilityQuery,
    pub render: fn(&Facility, &Regions) -> String,
}

impl Source for Facilities<'_> {
    type Item = Facility;

    async fn page(&self, token: Option<&str>, limit: u32) -> Result<Page<Facility>, FhirProblem> {
        find(self.cb, &self.query, token, limit).await
    }

    fn render(&self, f: &Facility) -> String {
        (self.render)(f, &self.cb.regions)
    }
}

/// The facility behind a read of `Organization/{id}` or `Location/{id}` (both use the facility
/// id): a read takes no search parameters, and an unknown or malformed id is a 404 outcome.
pub async fn read_facility(
    cb: &Carebridge,
    resource_type: &str,
    path: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
    req: &FhirRequest,
) -> Result<Facility, FhirProblem> {
    req.read(&[])?;
    let Ok(axum::extract::Path(id)) = path else { return Err(FhirProblem::not_found(resource_type, "?")) };
    cb.facility(super::search::facility_id(resource_type, &id)?)
        .await
        .map_err(|e| FhirProblem::of_read(e, resource_type, &id))
}
