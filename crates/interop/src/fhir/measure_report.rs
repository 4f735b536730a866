//! A facility's current capacity as a FHIR MeasureReport in the shape of the HL7 SANER IG
//! (Situational Awareness for Novel Epidemic Response) bed-capacity reports, so public-health
//! systems that already read SANER can read Carebridge.
//!
//! One group per unit (general ward, ICU, …), each with three populations and a score:
//!
//! | population code (`http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues`) | Carebridge count |
//! | --- | --- |
//! | `numTotBeds` "All Hospital Beds" | physical |
//! | `numbeds` "Hospital Inpatient Beds" | staffed |
//! | `numBedsOcc` "Hospital Inpatient Bed Occupancy" | occupied |
//! | `measureScore` | available = staffed − occupied (negative when overloaded) |
//!
//! `numTotBeds` is as listed in the IG's MeasuredValues code system; `numbeds` and
//! `numBedsOcc` follow the CDC/NHSN field names the IG's CDC capacity measure reuses (the
//! code system is declared case-insensitive, so `numBeds` is the same concept). Carebridge
//! has no separate licensed-bed count, so physical beds stand in for "all beds".

use super::common::{coding, concept, integer, reference, render};
use super::UNIT_CODE_SYSTEM;
use carebridge_domain::capacity::{FacilityCapacity, UnitReport};
use fhirbolt::model::r4::resources::{MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation};
use fhirbolt::model::r4::types::{CodeableConcept, Period, Quantity};
use fhirbolt::model::r4::Resource;

/// The SANER IG's CDC patient-impact and hospital-capacity measure, a sensible default for
/// `measure_url`.
pub const SANER_BED_CAPACITY_MEASURE: &str = "http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity";

const MEASURED_VALUES_SYSTEM: &str = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues";

/// A facility's current capacity as a summary MeasureReport (JSON).
///
/// `id` is the facility id (the report is the facility's *current* capacity), `measure` is
/// `measure_url`, `subject` is `Location/{id}`, `reporter` `Organization/{id}`, `date` and
/// the zero-length `period` are the report's as-of time. Units appear in the order given.
pub fn measure_report(c: &FacilityCapacity, measure_url: &str) -> String {
    render(&Resource::MeasureReport(Box::new(build(c, measure_url))))
}

fn build(c: &FacilityCapacity, measure_url: &str) -> MeasureReport {
    // The facade serves reports only for facilities that have reported (`as_of` is set).
    let as_of = c.as_of.map(|t| t.to_rfc3339());
    MeasureReport {
        id: Some(c.facility_id.to_string().into()),
        status: "complete".into(),
        r#type: "summary".into(),
        measure: measure_url.into(),
        subject: Some(Box::new(reference(format!("Location/{}", c.facility_id), Some(&c.facility_name_zh)))),
        date: as_of.clone().map(Into::into),
        reporter: Some(Box::new(reference(format!("Organization/{}", c.facility_id), Some(&c.facility_name_zh)))),
        period: Box::new(Period {
            start: as_of.clone().map(Into::into),
            end: as_of.map(Into::into),
            ..Default::default()
        }),
        group: c.units.iter().map(group).collect(),
        ..Default::default()
    }
}

fn group(u: &UnitReport) -> MeasureReportGroup {
    let counts = u.counts;
    MeasureReportGroup {
        code: Some(Box::new(concept(coding(UNIT_CODE_SYSTEM, u.unit.as_str(), u.unit.label_en()), u.unit.label_zh()))),
        population: vec![
            population("numTotBeds", "All Hospital Beds", counts.physical()),
            population("numbeds", "Hospital Inpatient Beds", counts.staffed()),
            population("numBedsOcc", "Hospital Inpatient Bed Occupancy", counts.occupied()),
        ],
        measure_score: Some(Box::new(Quantity {
            value: Some(counts.available().to_string().into()),
            unit: Some("beds".into()),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn population(code: &str, display: &str, count: i64) -> MeasureReportGroupPopulation {
    MeasureReportGroupPopulation {
        code: Some(Box::new(CodeableConcept {
            coding: vec![coding(MEASURED_VALUES_SYSTEM, code, display)],
            ..Default::default()
        })),
        count: Some(integer(count)),
        ..Default::default()
    }
}
