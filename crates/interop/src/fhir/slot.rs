//! A slot as a FHIR Slot, in the shape SMART Scheduling Links publishes (a Slot file line) and
//! `GET /fhir/Slot` answers: its schedule, `free` or `busy`, start and end in China Standard
//! Time (`+08:00`, the offset the specification asks for), and on a free slot the extensions a
//! slot finder sends the patient on with.
//!
//! | Carebridge | Slot |
//! | --- | --- |
//! | slot id | `id` |
//! | schedule | `schedule` `Schedule/{id}` |
//! | open with a place left / open and full / cancelled | `status` `free` / `busy` / `busy-unavailable` |
//! | service | `serviceType`, in [`SERVICE_CODE_SYSTEM`](super::SERVICE_CODE_SYSTEM) |
//! | start, end | `start`, `end` (`+08:00`) |
//! | where to book it (free only) | extension [`BOOKING_DEEP_LINK_EXTENSION_URL`] (`valueUrl`) |
//! | the facility's phone (free only) | extension [`BOOKING_PHONE_EXTENSION_URL`] (`valueString`) |
//! | places left, when a slot takes more than one patient (free only) | extension [`SLOT_CAPACITY_EXTENSION_URL`] (`valueInteger`) |
//!
//! "Free" is the slot's own state: a facility closed to new patients still shows its open
//! slots free here, as `GET /api/v1/slots` does, and refuses the booking with its reason.

use super::common::{integer, local_instant, reference, render};
use super::schedule::service_type;
use carebridge_domain::booking::{Slot, SlotStatus};
use fhirbolt::model::r4::resources::Slot as FhirSlot;
use fhirbolt::model::r4::types::{Extension, ExtensionValue};
use fhirbolt::model::r4::Resource;

/// SMART Scheduling Links: the web link into the booking portal for this slot.
pub const BOOKING_DEEP_LINK_EXTENSION_URL: &str =
    "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link";
/// SMART Scheduling Links: a phone number to call to book this slot.
pub const BOOKING_PHONE_EXTENSION_URL: &str =
    "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone";
/// SMART Scheduling Links: how many patients the slot still takes.
pub const SLOT_CAPACITY_EXTENSION_URL: &str =
    "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity";

/// The FHIR `slotstatus` of a slot.
pub fn slot_status(s: &Slot) -> &'static str {
    match s.status {
        SlotStatus::Cancelled => "busy-unavailable",
        SlotStatus::Open if s.free() > 0 => "free",
        SlotStatus::Open => "busy",
    }
}

/// The slot as a Slot (JSON). `deep_link` is the page that books it; `phone`, the facility's
/// (blank: none).
pub fn slot(s: &Slot, deep_link: &str, phone: &str) -> String {
    render(&Resource::Slot(Box::new(build(s, deep_link, phone))))
}

fn build(s: &Slot, deep_link: &str, phone: &str) -> FhirSlot {
    let status = slot_status(s);
    let mut extension = Vec::new();
    if status == "free" {
        let ext = |url: &str, value| Extension { url: url.into(), value: Some(value), ..Default::default() };
        extension.push(ext(BOOKING_DEEP_LINK_EXTENSION_URL, ExtensionValue::Url(deep_link.into())));
        if !phone.trim().is_empty() {
            extension.push(ext(BOOKING_PHONE_EXTENSION_URL, ExtensionValue::String(phone.trim().into())));
        }
        if s.capacity > 1 {
            extension.push(ext(SLOT_CAPACITY_EXTENSION_URL, ExtensionValue::Integer(integer(s.free()))));
        }
    }
    FhirSlot {
        id: Some(s.id.to_string().into()),
        extension,
        service_type: vec![service_type(s.service)],
        schedule: Box::new(reference(format!("Schedule/{}", s.schedule_id), None)),
        status: status.into(),
        start: local_instant(s.starts_at).into(),
        end: local_instant(s.ends_at).into(),
        ..Default::default()
    }
}
