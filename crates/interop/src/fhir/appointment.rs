//! A booking as a FHIR Appointment: which slot a pseudonymous patient holds, where and when.
//!
//! | Carebridge | Appointment |
//! | --- | --- |
//! | booking id | `id` |
//! | confirmed / cancelled / checked in / no-show | `status` `booked` / `cancelled` / `checked-in` / `noshow` |
//! | service | `serviceType`, in [`SERVICE_CODE_SYSTEM`](super::SERVICE_CODE_SYSTEM) |
//! | slot | `slot` `Slot/{id}`; `start`, `end` its times (`+08:00`) |
//! | booked at | `created` |
//! | why it was cancelled | `cancelationReason.text` |
//! | patient pseudonym | contained `Patient` (`#patient`) whose only element is an identifier in [`PATIENT_PSEUDONYM_SYSTEM`]; the first participant |
//! | facility | the second participant, `Location/{id}` |
//!
//! Nothing identifying travels: the patient is the pseudonym they booked under, never their
//! account id, name or contact.

use super::common::{local_instant, reference, render};
use super::schedule::service_type;
use super::PATIENT_PSEUDONYM_SYSTEM;
use carebridge_domain::booking::{Booking, BookingStatus};
use carebridge_domain::clock::Timestamp;
use fhirbolt::model::r4::resources::{Appointment, AppointmentParticipant, Patient};
use fhirbolt::model::r4::types::{CodeableConcept, Identifier};
use fhirbolt::model::r4::Resource;

/// The id of the contained pseudonymous Patient.
const PATIENT_ID: &str = "patient";

/// The FHIR `appointmentstatus` of a booking.
pub fn appointment_status(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Confirmed => "booked",
        BookingStatus::Cancelled => "cancelled",
        BookingStatus::CheckedIn => "checked-in",
        BookingStatus::NoShow => "noshow",
    }
}

/// The booking statuses an `appointmentstatus` code stands for: empty for codes of the value
/// set no booking has (`proposed`, `pending`, `arrived`, `fulfilled`, `entered-in-error`,
/// `waitlist`), `None` for a code outside it.
pub fn booking_statuses_of(code: &str) -> Option<Vec<BookingStatus>> {
    match code {
        "proposed" | "pending" | "arrived" | "fulfilled" | "entered-in-error" | "waitlist" => Some(Vec::new()),
        _ => BookingStatus::ALL.iter().copied().find(|s| appointment_status(*s) == code).map(|s| vec![s]),
    }
}

/// The booking as an Appointment (JSON); `ends_at` is its slot's end, `facility_name` the
/// facility's Chinese name.
pub fn appointment(b: &Booking, ends_at: Timestamp, facility_name: Option<&str>) -> String {
    render(&Resource::Appointment(Box::new(build(b, ends_at, facility_name))))
}

fn build(b: &Booking, ends_at: Timestamp, facility_name: Option<&str>) -> Appointment {
    let participant = |actor, status: &str| AppointmentParticipant {
        actor: Some(Box::new(actor)),
        required: Some("required".into()),
        status: status.into(),
        ..Default::default()
    };
    let patient_status = match b.status {
        BookingStatus::Cancelled => "declined",
        _ => "accepted",
    };
    Appointment {
        id: Some(b.id.to_string().into()),
        contained: vec![Resource::Patient(Box::new(Patient {
            id: Some(PATIENT_ID.into()),
            identifier: vec![Identifier {
                system: Some(PATIENT_PSEUDONYM_SYSTEM.into()),
                value: Some(b.patient_pseudonym.clone().into()),
                ..Default::default()
            }],
            ..Default::default()
        }))],
        status: appointment_status(b.status).into(),
        cancelation_reason: b
            .cancel_reason
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| Box::new(CodeableConcept { text: Some(r.trim().into()), ..Default::default() })),
        service_type: vec![service_type(b.service)],
        start: Some(local_instant(b.starts_at).into()),
        end: Some(local_instant(ends_at).into()),
        slot: vec![reference(format!("Slot/{}", b.slot_id), None)],
        created: Some(b.created_at.to_rfc3339().into()),
        participant: vec![
            participant(reference(format!("#{PATIENT_ID}"), Some(&b.patient_pseudonym)), patient_status),
            participant(reference(format!("Location/{}", b.facility_id), facility_name), "accepted"),
        ],
        ..Default::default()
    }
}
