//! A referral as a FHIR ServiceRequest: the order "place this patient for this care", with
//! who asked, for whom (a pseudonymous, contained Patient), how urgently, and who holds or
//! took it.
//!
//! | Carebridge | ServiceRequest |
//! | --- | --- |
//! | referral id | `id` |
//! | status pending, offered, accepted, escalated / admitted / cancelled | `status` `active` / `completed` / `revoked` |
//! | — | `intent` `order` |
//! | urgency emergency / urgent / soon / routine | `priority` `stat` / `urgent` / `asap` / `routine` |
//! | need | `code`, in [`SERVICE_CODE_SYSTEM`] |
//! | patient pseudonym | contained `Patient` (`#patient`) whose only element is an identifier in [`PATIENT_PSEUDONYM_SYSTEM`]; `subject` references it |
//! | filed at | `authoredOn` |
//! | dialysis schedule | `occurrenceTiming`: `frequency` sessions per `period` 1 `wk` |
//! | facility holding a bed (current offer), or where the patient was accepted or admitted | `performer` `Organization/{id}` |
//! | referring facility (when a clinician filed it) | `requester` `Organization/{id}` |
//! | infection status, age band | extensions [`INFECTION_STATUS_EXTENSION_URL`], [`AGE_BAND_EXTENSION_URL`] (`valueCode`), and a `note` saying the same in words |
//! | clinical note | a second `note` |
//!
//! Nothing identifying travels: no name, no exact age, no position.

use super::common::{coding, concept, reference, render};
use super::{AGE_BAND_EXTENSION_URL, INFECTION_STATUS_EXTENSION_URL, PATIENT_PSEUDONYM_SYSTEM, SERVICE_CODE_SYSTEM};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::{Offer, OfferStatus, Referral, ReferralStatus, Urgency};
use fhirbolt::model::r4::resources::{Patient, ServiceRequest, ServiceRequestOccurrence};
use fhirbolt::model::r4::types::{Annotation, Extension, ExtensionValue, Identifier, Timing, TimingRepeat};
use fhirbolt::model::r4::Resource;

/// The id of the contained pseudonymous Patient (`subject` is `#patient`).
const PATIENT_ID: &str = "patient";

/// The FHIR `request-status` of a referral.
pub fn service_request_status(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Pending | ReferralStatus::Offered | ReferralStatus::Accepted | ReferralStatus::Escalated => {
            "active"
        }
        ReferralStatus::Admitted => "completed",
        ReferralStatus::Cancelled => "revoked",
    }
}

/// The referral statuses a FHIR `request-status` code stands for: empty for codes of the
/// value set no referral ever has (`draft`, `on-hold`, `entered-in-error`, `unknown`), `None`
/// for a code that is not in the value set at all.
pub fn referral_statuses_of(code: &str) -> Option<Vec<ReferralStatus>> {
    match code {
        "draft" | "on-hold" | "entered-in-error" | "unknown" => Some(Vec::new()),
        "active" | "completed" | "revoked" => {
            Some(ReferralStatus::ALL.iter().copied().filter(|s| service_request_status(*s) == code).collect())
        }
        _ => None,
    }
}

/// The FHIR `request-priority` of an urgency.
pub fn request_priority(u: Urgency) -> &'static str {
    match u {
        Urgency::Emergency => "stat",
        Urgency::Urgent => "urgent",
        Urgency::Soon => "asap",
        Urgency::Routine => "routine",
    }
}

/// A referral as a ServiceRequest (JSON).
///
/// `offers` are the referral's offers (any order; only a `holding` one is used, as the
/// performer); `referring_facility` is the facility of the clinician who filed it, if one did.
pub fn service_request(referral: &Referral, offers: &[Offer], referring_facility: Option<FacilityId>) -> String {
    render(&Resource::ServiceRequest(Box::new(build(referral, offers, referring_facility))))
}

/// Who performs the request: the facility holding a bed now, else where the patient was
/// accepted or admitted.
fn performer(referral: &Referral, offers: &[Offer]) -> Option<FacilityId> {
    let holding = offers.iter().find(|o| o.status == OfferStatus::Holding && o.referral_id == referral.id);
    match holding {
        Some(o) => Some(o.facility_id),
        None => match referral.status {
            ReferralStatus::Accepted | ReferralStatus::Admitted => referral.placed_at,
            _ => None,
        },
    }
}

fn build(referral: &Referral, offers: &[Offer], referring_facility: Option<FacilityId>) -> ServiceRequest {
    let d = &referral.draft;
    let patient = &d.patient;
    let need = d.need;
    let mut notes = vec![Annotation {
        text: format!(
            "Patient: age band {} ({}), infection status {} ({}).",
            patient.age_band.as_str(),
            patient.age_band.years(),
            patient.infection.as_str(),
            patient.infection.label_zh()
        )
        .into(),
        ..Default::default()
    }];
    if !d.note.trim().is_empty() {
        notes.push(Annotation { text: d.note.trim().into(), ..Default::default() });
    }
    ServiceRequest {
        id: Some(referral.id.to_string().into()),
        contained: vec![Resource::Patient(Box::new(Patient {
            id: Some(PATIENT_ID.into()),
            identifier: vec![Identifier {
                system: Some(PATIENT_PSEUDONYM_SYSTEM.into()),
                value: Some(patient.pseudonym.clone().into()),
                ..Default::default()
            }],
            ..Default::default()
        }))],
        extension: vec![
            Extension {
                url: INFECTION_STATUS_EXTENSION_URL.into(),
                value: Some(ExtensionValue::Code(patient.infection.as_str().into())),
                ..Default::default()
            },
            Extension {
                url: AGE_BAND_EXTENSION_URL.into(),
                value: Some(ExtensionValue::Code(patient.age_band.as_str().into())),
                ..Default::default()
            },
        ],
        status: service_request_status(referral.status).into(),
        intent: "order".into(),
        priority: Some(request_priority(d.urgency).into()),
        code: Some(Box::new(concept(coding(SERVICE_CODE_SYSTEM, need.as_str(), &need.label_en()), need.label_zh()))),
        subject: Box::new(reference(format!("#{PATIENT_ID}"), None)),
        occurrence: d.schedule.map(|s| {
            ServiceRequestOccurrence::Timing(Box::new(Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(u32::from(s.sessions_per_week).into()),
                    period: Some("1".into()),
                    period_unit: Some("wk".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }))
        }),
        authored_on: Some(referral.filed_at.to_rfc3339().into()),
        requester: referring_facility.map(|f| Box::new(reference(format!("Organization/{f}"), None))),
        performer: performer(referral, offers)
            .map(|f| reference(format!("Organization/{f}"), None))
            .into_iter()
            .collect(),
        note: notes,
        ..Default::default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use carebridge_domain::capacity::Unit;
    use carebridge_domain::clock::Timestamp;
    use carebridge_domain::facility::GeoPoint;
    use carebridge_domain::referral::{
        AgeBand, InfectionStatus, PatientInfo, RecurringSchedule, ReferralDraft, WeekdayPattern,
    };
    use carebridge_domain::region::RegionCode;
    use carebridge_domain::service_kind::ServiceKind;

    pub(crate) const FILED: &str = "2026-12-03T01:00:00Z";

    pub(crate) fn referral(need: ServiceKind, urgency: Urgency, status: ReferralStatus) -> Referral {
        let filed = Timestamp::parse_rfc3339(FILED).unwrap();
        Referral {
            id: "0190a6f4-7c1e-7b3a-9d2e-0000000000aa".parse().unwrap(),
            draft: ReferralDraft {
                patient: PatientInfo {
                    pseudonym: "p-042".into(),
                    age_band: AgeBand::Senior,
                    location: GeoPoint { lon: 114.27, lat: 30.6 },
                    region_code: RegionCode::parse("420103").unwrap(),
                    infection: InfectionStatus::Negative,
                },
                need,
                urgency,
                needs_ambulance: false,
                schedule: (need == ServiceKind::Dialysis).then_some(RecurringSchedule { sessions_per_week: 3 }),
                note: "Cord compression at T10.".into(),
            },
            status,
            filed_by: "0190a6f4-7c1e-7b3a-9d2e-0000000000bb".parse().unwrap(),
            filed_at: filed,
            wait_deadline: filed.plus_hours(24),
            failed_offers: 0,
            placed_at: None,
            escalated_at: None,
            updated_at: filed,
        }
    }

    pub(crate) fn offer(referral: &Referral, status: OfferStatus) -> Offer {
        let mut o = Offer::holding(
            referral.id,
            "0190a6f4-7c1e-7b3a-9d2e-0000000000cc".parse().unwrap(),
            Unit::DialysisStations,
            referral.draft.urgency,
            referral.filed_at,
            false,
            4.2,
        );
        o.status = status;
        o.pattern = Some(WeekdayPattern::MonWedFri);
        o
    }

    fn parse(json: &str) -> ServiceRequest {
        match fhirbolt::json::from_str(json, None).unwrap_or_else(|e| panic!("invalid FHIR R4: {e}\n{json}")) {
            Resource::ServiceRequest(sr) => *sr,
            _ => panic!("not a ServiceRequest: {json}"),
        }
    }

    fn text(v: &Option<fhirbolt::model::r4::types::Code>) -> Option<String> {
        v.as_ref().and_then(|c| c.value.clone())
    }

    #[test]
    fn every_status_and_urgency_maps_and_parses_back_as_r4() {
        for &status in ReferralStatus::ALL {
            for &urgency in Urgency::ALL {
                let r = referral(ServiceKind::Neurosurgery, urgency, status);
                let sr = parse(&service_request(&r, &[], None));
                assert_eq!(sr.status.value.as_deref(), Some(service_request_status(status)));
                assert_eq!(sr.intent.value.as_deref(), Some("order"));
                assert_eq!(text(&sr.priority).as_deref(), Some(request_priority(urgency)));
            }
        }
        let want = [
            (ReferralStatus::Pending, "active"),
            (ReferralStatus::Offered, "active"),
            (ReferralStatus::Accepted, "active"),
            (ReferralStatus::Escalated, "active"),
            (ReferralStatus::Admitted, "completed"),
            (ReferralStatus::Cancelled, "revoked"),
        ];
        assert_eq!(want.len(), ReferralStatus::ALL.len());
        for (s, code) in want {
            assert_eq!(service_request_status(s), code, "{s}");
            assert!(referral_statuses_of(code).unwrap().contains(&s));
        }
        let priorities = [
            (Urgency::Emergency, "stat"),
            (Urgency::Urgent, "urgent"),
            (Urgency::Soon, "asap"),
            (Urgency::Routine, "routine"),
        ];
        assert_eq!(priorities.len(), Urgency::ALL.len());
        for (u, code) in priorities {
            assert_eq!(request_priority(u), code, "{u}");
        }
        assert_eq!(referral_statuses_of("on-hold"), Some(Vec::new()));
        assert_eq!(referral_statuses_of("pending"), None);
    }

    #[test]
    fn the_patient_is_contained_and_pseudonymous_and_the_performer_holds_the_bed() {
        let mut r = referral(ServiceKind::Dialysis, Urgency::Urgent, ReferralStatus::Offered);
        let holding = offer(&r, OfferStatus::Holding);
        let declined = Offer {
            status: OfferStatus::Declined,
            facility_id: "0190a6f4-7c1e-7b3a-9d2e-0000000000ee".parse().unwrap(),
            ..holding.clone()
        };
        let referrer: FacilityId = "0190a6f4-7c1e-7b3a-9d2e-0000000000dd".parse().unwrap();
        let json = service_request(&r, &[declined, holding.clone()], Some(referrer));
        let sr = parse(&json);
        let Resource::Patient(p) = &sr.contained[0] else { panic!("a contained Patient") };
        assert!(p.name.is_empty());
        assert_eq!(p.identifier[0].value.as_ref().unwrap().value.as_deref(), Some("p-042"));
        assert_eq!(sr.subject.reference.as_ref().unwrap().value.as_deref(), Some("#patient"));
        let reference =
            |r: &fhirbolt::model::r4::types::Reference| r.reference.as_ref().unwrap().value.clone().unwrap();
        assert_eq!(
            sr.performer.iter().map(reference).collect::<Vec<_>>(),
            [format!("Organization/{}", holding.facility_id)]
        );
        assert_eq!(reference(sr.requester.as_ref().unwrap()), format!("Organization/{referrer}"));
        assert_eq!(sr.authored_on.as_ref().unwrap().value.as_deref(), Some(FILED));
        let code = &sr.code.as_ref().unwrap().coding[0];
        assert_eq!(code.system.as_ref().unwrap().value.as_deref(), Some(SERVICE_CODE_SYSTEM));
        assert_eq!(code.code.as_ref().unwrap().value.as_deref(), Some("dialysis"));
        let Some(ServiceRequestOccurrence::Timing(t)) = &sr.occurrence else { panic!("a timing") };
        let repeat = t.repeat.as_ref().unwrap();
        assert_eq!(repeat.frequency.as_ref().unwrap().value, Some(3));
        assert_eq!(repeat.period_unit.as_ref().unwrap().value.as_deref(), Some("wk"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["extension"][0]["valueCode"], "negative");
        assert_eq!(value["extension"][1]["valueCode"], "senior");
        assert!(value["note"][0]["text"].as_str().unwrap().contains("65–79"));
        assert_eq!(value["occurrenceTiming"]["repeat"]["period"], 1);
        assert!(!json.contains("114.27"), "no position travels");

        // Accepted: the performer is where the patient was placed; pending: nobody.
        r.status = ReferralStatus::Accepted;
        r.placed_at = Some(holding.facility_id);
        let accepted = Offer { status: OfferStatus::Accepted, ..holding };
        assert_eq!(parse(&service_request(&r, std::slice::from_ref(&accepted), None)).performer.len(), 1);
        r.status = ReferralStatus::Pending;
        r.placed_at = None;
        let sr = parse(&service_request(&r, &[accepted], None));
        assert!(sr.performer.is_empty() && sr.requester.is_none());
        let plain = referral(ServiceKind::Icu, Urgency::Emergency, ReferralStatus::Pending);
        assert!(parse(&service_request(&plain, &[], None)).occurrence.is_none());
    }
}
