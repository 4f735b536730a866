//! One service a facility offers (ICU, dialysis, fever clinic, …) as a FHIR
//! HealthcareService, so directory clients can search "who offers dialysis" by `service-type`.
//!
//! Carebridge stores services as a list on the facility, not as records with ids, so the
//! resource id is derived: the facility id and the service code, joined by `-`, with the
//! code's underscores turned into hyphens because FHIR ids allow only `[A-Za-z0-9\-\.]`.
//! [`healthcare_service_id`] and [`parse_healthcare_service_id`] are the two directions.

use super::common::{coding, concept, reference, render};
use super::SERVICE_CODE_SYSTEM;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::service_kind::ServiceKind;
use fhirbolt::model::r4::resources::HealthcareService;
use fhirbolt::model::r4::Resource;

/// Length of a hyphenated UUID, the facility-id prefix of every HealthcareService id.
const UUID_LEN: usize = 36;

/// The HealthcareService id for a facility's service, e.g.
/// `0190…-fever-clinic` for `fever_clinic` (at most 53 characters, within FHIR's 64).
pub fn healthcare_service_id(facility: FacilityId, service: ServiceKind) -> String {
    format!("{facility}-{}", service.as_str().replace('_', "-"))
}

/// The facility and service a HealthcareService id names, or `None` if it is not one
/// [`healthcare_service_id`] makes (so the server can answer 404 without a lookup).
pub fn parse_healthcare_service_id(id: &str) -> Option<(FacilityId, ServiceKind)> {
    let (facility, rest) = (id.get(..UUID_LEN)?, id.get(UUID_LEN..)?);
    let code = rest.strip_prefix('-')?.replace('-', "_");
    let facility = facility.parse().ok()?;
    let service = ServiceKind::parse(&code).ok()?;
    (healthcare_service_id(facility, service) == id).then_some((facility, service))
}

/// The `name` of a facility's service: the facility's Chinese name and the service's Chinese
/// label (`武汉协和医院 重症监护`). The server's `name` search matches this very string, so it
/// finds what the resource says.
pub fn healthcare_service_name(f: &Facility, service: ServiceKind) -> String {
    format!("{} {}", f.draft.name_zh, service.label_zh())
}

/// One service of a facility as a HealthcareService (JSON).
///
/// `providedBy` is `Organization/{id}`, `location` is `Location/{id}`; `type` is coded in
/// [`SERVICE_CODE_SYSTEM`] with the service code and its English label. The function does
/// not check that the facility lists the service: the caller decides what to publish.
pub fn healthcare_service(f: &Facility, service: ServiceKind) -> String {
    render(&Resource::HealthcareService(Box::new(build(f, service))))
}

fn build(f: &Facility, service: ServiceKind) -> HealthcareService {
    let label_en = service.label_en();
    HealthcareService {
        id: Some(healthcare_service_id(f.id, service).into()),
        active: Some(true.into()),
        provided_by: Some(Box::new(reference(format!("Organization/{}", f.id), Some(&f.draft.name_zh)))),
        r#type: vec![concept(coding(SERVICE_CODE_SYSTEM, service.as_str(), &label_en), service.label_zh())],
        location: vec![reference(format!("Location/{}", f.id), None)],
        name: Some(healthcare_service_name(f, service).into()),
        appointment_required: Some(false.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_fhir_ids_and_parse_back() {
        let facility: FacilityId = "0190a6f4-7c1e-7b3a-9d2e-000000000001".parse().unwrap();
        for &service in ServiceKind::ALL {
            let id = healthcare_service_id(facility, service);
            assert!(id.len() <= 64, "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
            assert_eq!(parse_healthcare_service_id(&id), Some((facility, service)));
        }
        for bad in [
            "",
            "x",
            "0190a6f4-7c1e-7b3a-9d2e-000000000001",
            "0190a6f4-7c1e-7b3a-9d2e-000000000001-",
            "0190a6f4-7c1e-7b3a-9d2e-000000000001-fever_clinic",
            "0190a6f4-7c1e-7b3a-9d2e-000000000001-nope",
            "武汉武汉武汉武汉武汉武汉武汉武汉武汉武汉武汉武汉-icu",
        ] {
            assert_eq!(parse_healthcare_service_id(bad), None, "{bad}");
        }
    }
}
