//! A facility as a FHIR Organization: who it is (names, tier, address, phone) and the two
//! surge facts other systems route on, its designation and whether it takes new patients.
//!
//! Designations have no home in base R4, so they travel as Carebridge extensions; the tier is
//! coded both as the generic `prov` organisation type (so any client understands "healthcare
//! provider") and as the Carebridge level code.

use super::common::{address, coding, facility_identifier, phone, render};
use super::{DESIGNATION_EXTENSION_URL, FACILITY_LEVEL_CODE_SYSTEM, TAKES_NEW_PATIENTS_EXTENSION_URL};
use carebridge_domain::facility::{Facility, FacilityLevel};
use carebridge_domain::region::Regions;
use fhirbolt::model::r4::resources::Organization;
use fhirbolt::model::r4::types::{CodeableConcept, Extension, ExtensionValue};
use fhirbolt::model::r4::Resource;

const ORGANIZATION_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/organization-type";

/// The facility as an Organization (JSON).
///
/// `id` is the facility id; `name` the Chinese name and `alias` the English one; `type`
/// carries the tier; the address resolves province, city and county names through
/// `regions`; extensions [`DESIGNATION_EXTENSION_URL`] (valueCode) and
/// [`TAKES_NEW_PATIENTS_EXTENSION_URL`] (valueBoolean) carry the surge state.
pub fn organization(f: &Facility, regions: &Regions) -> String {
    render(&Resource::Organization(Box::new(build(f, regions))))
}

fn build(f: &Facility, regions: &Regions) -> Organization {
    Organization {
        id: Some(f.id.to_string().into()),
        extension: vec![
            Extension {
                url: DESIGNATION_EXTENSION_URL.into(),
                value: Some(ExtensionValue::Code(f.designation.as_str().into())),
                ..Default::default()
            },
            Extension {
                url: TAKES_NEW_PATIENTS_EXTENSION_URL.into(),
                value: Some(ExtensionValue::Boolean(f.draft.takes_new_patients.into())),
                ..Default::default()
            },
        ],
        identifier: vec![facility_identifier(f)],
        active: Some(true.into()),
        r#type: vec![level_type(f.draft.level)],
        name: Some(f.draft.name_zh.clone().into()),
        alias: alias(&f.draft.name_en),
        telecom: phone(f),
        address: vec![address(f, regions)],
        ..Default::default()
    }
}

fn level_type(level: FacilityLevel) -> CodeableConcept {
    CodeableConcept {
        coding: vec![
            coding(ORGANIZATION_TYPE_SYSTEM, "prov", "Healthcare Provider"),
            coding(FACILITY_LEVEL_CODE_SYSTEM, level.as_str(), level.label_zh()),
        ],
        text: Some(level.label_zh().into()),
        ..Default::default()
    }
}

/// The English name as an alias, omitted when blank (FHIR forbids empty strings).
pub(crate) fn alias(name_en: &str) -> Vec<fhirbolt::model::r4::types::String> {
    let name = name_en.trim();
    if name.is_empty() {
        Vec::new()
    } else {
        vec![name.into()]
    }
}
