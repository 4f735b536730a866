//! A facility as a FHIR Location: the building patients are taken to, with its coordinates,
//! so map and routing clients can place it without knowing Carebridge.
//!
//! Location and Organization share the facility id: one facility is one site in Carebridge,
//! and the shared id lets a client go from either to the other without a lookup.

use super::common::{address, coding, decimal, facility_identifier, phone, reference, render};
use super::organization::alias;
use carebridge_domain::facility::Facility;
use carebridge_domain::region::Regions;
use fhirbolt::model::r4::resources::{Location, LocationPosition};
use fhirbolt::model::r4::types::CodeableConcept;
use fhirbolt::model::r4::Resource;

const PHYSICAL_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/location-physical-type";

/// The facility as a Location (JSON).
///
/// `id` is the facility id; status `active`, mode `instance`, physical type `bu` (building);
/// `position` holds the WGS-84 longitude and latitude; `managingOrganization` points at
/// `Organization/{id}`.
pub fn location(f: &Facility, regions: &Regions) -> String {
    render(&Resource::Location(Box::new(build(f, regions))))
}

fn build(f: &Facility, regions: &Regions) -> Location {
    let point = f.draft.location;
    let position = match (decimal(point.lon), decimal(point.lat)) {
        (Some(longitude), Some(latitude)) => Some(LocationPosition { longitude, latitude, ..Default::default() }),
        _ => None,
    };
    Location {
        id: Some(f.id.to_string().into()),
        identifier: vec![facility_identifier(f)],
        status: Some("active".into()),
        name: Some(f.draft.name_zh.clone().into()),
        alias: alias(&f.draft.name_en),
        mode: Some("instance".into()),
        telecom: phone(f),
        address: Some(Box::new(address(f, regions))),
        physical_type: Some(Box::new(CodeableConcept {
            coding: vec![coding(PHYSICAL_TYPE_SYSTEM, "bu", "Building")],
            ..Default::default()
        })),
        position,
        managing_organization: Some(Box::new(reference(format!("Organization/{}", f.id), Some(&f.draft.name_zh)))),
        ..Default::default()
    }
}
