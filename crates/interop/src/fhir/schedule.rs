//! A published schedule as a FHIR Schedule: one service of one facility (and optionally one
//! clinician or room, by a pseudonymous label), over the days it runs. The shape SMART
//! Scheduling Links asks of a Schedule file line, and what `GET /fhir/Schedule` answers.
//!
//! | Carebridge | Schedule |
//! | --- | --- |
//! | schedule id | `id` |
//! | active / retired | `active` true / false |
//! | service | `serviceType`, in [`SERVICE_CODE_SYSTEM`] |
//! | facility | `actor`: `Location/{facility}`, then `HealthcareService/{facility}-{service}` |
//! | first and last day (local) | `planningHorizon` `start` / `end` as dates; no `end` when open-ended |
//! | clinician or room label | `comment` |

use super::common::{coding, concept, reference, render};
use super::healthcare_service::healthcare_service_id;
use super::SERVICE_CODE_SYSTEM;
use carebridge_domain::booking::LocalDay;
use carebridge_domain::ids::{FacilityId, ScheduleId};
use carebridge_domain::service_kind::ServiceKind;
use fhirbolt::model::r4::resources::Schedule;
use fhirbolt::model::r4::types::Period;
use fhirbolt::model::r4::Resource;

/// What a Schedule says of a stored schedule.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleFacts<'a> {
    pub id: ScheduleId,
    pub facility: FacilityId,
    /// The facility's Chinese name, as the `Location` actor's display.
    pub facility_name: &'a str,
    pub service: ServiceKind,
    pub clinician: Option<&'a str>,
    pub valid_from: LocalDay,
    pub valid_until: Option<LocalDay>,
    pub active: bool,
}

/// The service of a schedule, slot or appointment as a `serviceType` concept.
pub(crate) fn service_type(service: ServiceKind) -> fhirbolt::model::r4::types::CodeableConcept {
    concept(coding(SERVICE_CODE_SYSTEM, service.as_str(), &service.label_en()), service.label_zh())
}

/// The schedule as a Schedule (JSON).
pub fn schedule(s: &ScheduleFacts<'_>) -> String {
    render(&Resource::Schedule(Box::new(build(s))))
}

fn build(s: &ScheduleFacts<'_>) -> Schedule {
    Schedule {
        id: Some(s.id.to_string().into()),
        active: Some(s.active.into()),
        service_type: vec![service_type(s.service)],
        actor: vec![
            reference(format!("Location/{}", s.facility), Some(s.facility_name)),
            reference(format!("HealthcareService/{}", healthcare_service_id(s.facility, s.service)), None),
        ],
        planning_horizon: Some(Box::new(Period {
            start: Some(s.valid_from.to_string().into()),
            end: s.valid_until.map(|d| d.to_string().into()),
            ..Default::default()
        })),
        comment: s.clinician.map(Into::into),
        ..Default::default()
    }
}
