//! Small builders shared by the resource mappings: codings, references, the facility address
//! and identifier, and the one place that turns a typed resource into JSON.
//!
//! Keeping these in one file means every resource spells a facility's address, identifier
//! and references the same way, which is what lets a client join Organization, Location and
//! MeasureReport on them.

use super::{outcome, FACILITY_IDENTIFIER_SYSTEM};
use carebridge_domain::facility::Facility;
use carebridge_domain::region::Regions;
use fhirbolt::model::r4::types::{Address, CodeableConcept, Coding, ContactPoint, Decimal, Identifier, Reference};
use fhirbolt::model::r4::Resource;

/// Serialise a resource to compact JSON.
///
/// fhirbolt fails only on a missing required element or a decimal that is not a JSON number;
/// the mappings fill every required element and write decimals through [`decimal`], so this
/// cannot fail for what we build. Should it ever, the caller still gets a valid FHIR
/// document, an OperationOutcome naming the problem, rather than a panic.
pub(crate) fn render(resource: &Resource) -> String {
    match fhirbolt::json::to_string(resource, None) {
        Ok(json) => json,
        Err(e) => outcome::internal_error(&format!("could not serialise resource: {e}")),
    }
}

/// A coding with system, code and display.
pub(crate) fn coding(system: &str, code: &str, display: &str) -> Coding {
    Coding { system: Some(system.into()), code: Some(code.into()), display: Some(display.into()), ..Default::default() }
}

/// A concept holding one coding and a human text.
pub(crate) fn concept(coding: Coding, text: &str) -> CodeableConcept {
    CodeableConcept { coding: vec![coding], text: Some(text.into()), ..Default::default() }
}

/// A literal relative reference such as `Organization/{id}`, with an optional display.
pub(crate) fn reference(target: String, display: Option<&str>) -> Reference {
    Reference { reference: Some(target.into()), display: display.map(Into::into), ..Default::default() }
}

/// The facility's business identifier, shared by Organization and Location.
pub(crate) fn facility_identifier(f: &Facility) -> Identifier {
    Identifier {
        r#use: Some("official".into()),
        system: Some(FACILITY_IDENTIFIER_SYSTEM.into()),
        value: Some(f.id.to_string().into()),
        ..Default::default()
    }
}

/// The facility's phone as a work telephone contact point, when it has one.
pub(crate) fn phone(f: &Facility) -> Vec<ContactPoint> {
    let number = f.draft.phone.trim();
    if number.is_empty() {
        return Vec::new();
    }
    vec![ContactPoint {
        system: Some("phone".into()),
        value: Some(number.into()),
        r#use: Some("work".into()),
        ..Default::default()
    }]
}

/// The facility's postal address: the free text as entered (in `text` only: it is a whole
/// address, not a street line), and the province, city and county names resolved from its
/// GB/T 2260 region code.
///
/// `state` is the province, `city` the prefecture-level city (for a municipality such as
/// Beijing, the municipality itself, as the region table models it), `district` the
/// county-level division when the facility's code is one. Names are omitted when the code is
/// not in the table rather than guessed.
pub(crate) fn address(f: &Facility, regions: &Regions) -> Address {
    let text = f.draft.address.trim();
    let name = |code| regions.get(code).map(|r| r.name.clone().into());
    let (state, city, district) = match regions.path(f.draft.region_code) {
        Some(path) => {
            let district =
                (path.region != path.city && path.region != path.province).then(|| name(path.region)).flatten();
            (name(path.province), name(path.city), district)
        }
        None => (None, None, None),
    };
    Address {
        r#use: Some("work".into()),
        r#type: Some("physical".into()),
        text: (!text.is_empty()).then(|| text.into()),
        city,
        district,
        state,
        country: Some("CN".into()),
        ..Default::default()
    }
}

/// A FHIR decimal from a float, or `None` for NaN and infinities, which FHIR cannot carry.
///
/// Rust prints finite floats without exponent and with the shortest digits that read back
/// to the same value, which is valid FHIR decimal syntax and round-trips exactly.
pub(crate) fn decimal(v: f64) -> Option<Decimal> {
    v.is_finite().then(|| v.to_string().into())
}

/// A FHIR integer from a count. Domain counts are bounded far below `i32::MAX`
/// (`capacity::MAX_COUNT`); anything larger saturates rather than wraps.
pub(crate) fn integer(v: i64) -> fhirbolt::model::r4::types::Integer {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX }).into()
}

/// An instant in China Standard Time (`2022-12-05T08:00:00+08:00`): valid FHIR `instant`, with
/// the local offset SMART Scheduling Links asks slot times to carry (whole seconds).
pub(crate) fn local_instant(t: carebridge_domain::clock::Timestamp) -> String {
    let seconds = t.millis().rem_euclid(60_000) / 1000;
    format!("{}:{seconds:02}+08:00", carebridge_domain::booking::format_local(t).replacen(' ', "T", 1))
}
