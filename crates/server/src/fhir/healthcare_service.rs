//! `HealthcareService`: one resource per (facility, service it offers), so a client can ask
//! "who offers dialysis" (public directory data). Ids are derived by
//! `healthcare_service_id`: the facility id and the service code.
//!
//! Search: `organization` (`Organization/{id}` or a bare id) and `service-type` (a service
//! code such as `dialysis`, optionally `system|code` in the Carebridge service code system).
//!
//! `_count` counts services, not facilities, so one facility's services may straddle two
//! pages; the page token is then the directory cursor *before* that facility plus how many
//! of its services were already sent.

use super::directory::{self, FacilityQuery};
use super::response::{Fhir, FhirProblem, FhirResult};
use super::search::{self, Params};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use carebridge_domain::page::encode_cursor;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_interop::fhir::{healthcare_service, parse_healthcare_service_id, SERVICE_CODE_SYSTEM};

const TYPE: &str = "HealthcareService";
const PARAMS: &[&str] = &["organization", "service-type"];

/// `GET /fhir/HealthcareService/{id}`: 404 unless the facility exists and offers the service.
pub async fn read(
    State(s): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> FhirResult {
    Params::read(query.as_deref(), &[])?;
    let Ok(Path(id)) = path else { return Err(FhirProblem::not_found(TYPE, "?")) };
    let (facility, service) = parse_healthcare_service_id(&id).ok_or_else(|| FhirProblem::not_found(TYPE, &id))?;
    let f = s.cb.facility(facility).await.map_err(|e| FhirProblem::of_read(e, TYPE, &id))?;
    if !f.draft.services.contains(&service) {
        return Err(FhirProblem::not_found(TYPE, &id));
    }
    Ok(Fhir(healthcare_service(&f, service)))
}

/// What `service-type` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServiceMatch {
    Any,
    Kind(ServiceKind),
    /// A code system we do not use, or `|code` (no system): nothing can match.
    Nothing,
}

/// `service-type` as a token: `code`, `system|code`, `|code` or `system|`.
fn service_type(value: Option<&str>) -> Result<ServiceMatch, FhirProblem> {
    let Some(value) = value else { return Ok(ServiceMatch::Any) };
    let (system, code) = match value.split_once('|') {
        Some((system, code)) => (Some(system), code),
        None => (None, value),
    };
    match system {
        Some(s) if s != SERVICE_CODE_SYSTEM => return Ok(ServiceMatch::Nothing),
        Some(_) if code.is_empty() => return Ok(ServiceMatch::Any),
        _ => {}
    }
    ServiceKind::parse(code).map(ServiceMatch::Kind).map_err(|e| FhirProblem::bad_value("service-type", e))
}

/// Where a page starts: after the facility the cursor names (from the start without one),
/// skipping that many of the first facility's services.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Token {
    cursor: Option<String>,
    skip: usize,
}

impl Token {
    fn parse(s: &str) -> Result<Self, FhirProblem> {
        let (cursor, skip) = s.rsplit_once('.').ok_or_else(search::bad_page_token)?;
        let skip = skip.parse().ok().filter(|n| *n < ServiceKind::ALL.len()).ok_or_else(search::bad_page_token)?;
        Ok(Self { cursor: (!cursor.is_empty()).then(|| cursor.to_owned()), skip })
    }

    fn render(&self) -> String {
        format!("{}.{}", self.cursor.as_deref().unwrap_or(""), self.skip)
    }
}

/// `GET /fhir/HealthcareService?…`: a searchset, paged by `_count` and `_page_token`.
pub async fn search(State(s): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> FhirResult {
    let params = Params::search(query.as_deref(), PARAMS)?;
    let service = match service_type(params.single("service-type")?)? {
        ServiceMatch::Nothing => return search::empty_bundle(&headers, TYPE, &params),
        ServiceMatch::Any => None,
        ServiceMatch::Kind(k) => Some(k),
    };
    let organization = params.get("organization").map(|v| search::reference("organization", v, "Organization"));
    let q = FacilityQuery {
        ids: organization.transpose()?.map(|id| id.into_iter().collect()),
        service,
        ..FacilityQuery::all()
    };
    let count = params.count()? as usize;
    let start = params.page_token().map(Token::parse).transpose()?.unwrap_or_default();
    // `count` facilities offer at least `count` services between them, if they offer any.
    let page = directory::find(&s.cb, &q, start.cursor.as_deref(), count as u32).await?;

    let mut entries = Vec::new();
    let mut next = None;
    let mut before = start.cursor;
    let mut skip = start.skip;
    'facilities: for f in &page.items {
        let offered = f.draft.services.iter().filter(|k| service.is_none_or(|w| **k == w));
        for (index, kind) in offered.enumerate().skip(skip) {
            if entries.len() == count {
                next = Some(Token { cursor: before, skip: index });
                break 'facilities;
            }
            entries.push(healthcare_service(f, *kind));
        }
        skip = 0;
        before = Some(encode_cursor(&f.id.to_string()));
    }
    let next = next.or_else(|| page.next_cursor.map(|c| Token { cursor: Some(c), skip: 0 }));
    search::bundle(&headers, TYPE, &params, &entries, next.map(|t| t.render()).as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn tokens_round_trip() {
        for t in [Token::default(), Token { cursor: Some("3031".into()), skip: 3 }] {
            assert_eq!(Token::parse(&t.render()).unwrap(), t);
        }
        assert!(Token::parse("3031").is_err());
        assert!(Token::parse("3031.99").is_err());
    }
}
