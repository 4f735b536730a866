//! An offer as a FHIR Task: "fulfil this ServiceRequest at this facility", owned by the
//! facility whose bed is held, open until the hold runs out.
//!
//! | Carebridge | Task |
//! | --- | --- |
//! | offer id | `id` |
//! | status holding / accepted / declined / expired / withdrawn | `status` `requested` / `accepted` / `rejected` / `cancelled` / `cancelled` |
//! | — | `intent` `order`, `code` `fulfill` |
//! | offer status (our own code) | `businessStatus`, in [`OFFER_STATUS_CODE_SYSTEM`] |
//! | decline reason and note; expiry; withdrawal | `statusReason`: a [`DECLINE_REASON_CODE_SYSTEM`] coding with the note as text; an [`OFFER_STATUS_CODE_SYSTEM`] `expired` or `withdrawn` coding |
//! | referral | `focus` `ServiceRequest/{id}` |
//! | facility | `owner` `Organization/{id}` |
//! | offered at | `authoredOn` |
//! | answered at | `lastModified` |
//! | the hold: offered at → expires at | `restriction.period` |
//! | referral urgency, when given | `priority` (as on the ServiceRequest) |
//! | unit, weekday pattern (recurring patients), directed placement | `input`s typed in [`OFFER_INPUT_CODE_SYSTEM`] (`unit`, `weekday-pattern` as CodeableConcepts, `directed` as a boolean) |

use super::common::{coding, concept, reference, render};
use super::service_request::request_priority;
use super::{
    DECLINE_REASON_CODE_SYSTEM, OFFER_INPUT_CODE_SYSTEM, OFFER_STATUS_CODE_SYSTEM, UNIT_CODE_SYSTEM,
    WEEKDAY_PATTERN_CODE_SYSTEM,
};
use carebridge_domain::referral::{Offer, OfferStatus, Urgency};
use fhirbolt::model::r4::resources::{Task, TaskInput, TaskInputValue, TaskRestriction};
use fhirbolt::model::r4::types::{CodeableConcept, Period};
use fhirbolt::model::r4::Resource;

const TASK_CODE_SYSTEM: &str = "http://hl7.org/fhir/CodeSystem/task-code";

/// The FHIR `task-status` of an offer.
pub fn task_status(s: OfferStatus) -> &'static str {
    match s {
        OfferStatus::Holding => "requested",
        OfferStatus::Accepted => "accepted",
        OfferStatus::Declined => "rejected",
        OfferStatus::Expired | OfferStatus::Withdrawn => "cancelled",
    }
}

/// An offer as a Task (JSON). `urgency` is the referral's, for `priority`.
pub fn task(offer: &Offer, urgency: Option<Urgency>) -> String {
    render(&Resource::Task(Box::new(build(offer, urgency))))
}

fn status_reason(o: &Offer) -> Option<CodeableConcept> {
    let note = o.decline_note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    match o.status {
        OfferStatus::Declined => Some(match o.decline_reason {
            Some(r) => {
                concept(coding(DECLINE_REASON_CODE_SYSTEM, r.as_str(), r.label_zh()), note.unwrap_or(r.label_zh()))
            }
            None => CodeableConcept { text: Some(note.unwrap_or("declined").into()), ..Default::default() },
        }),
        OfferStatus::Expired => Some(concept(coding(OFFER_STATUS_CODE_SYSTEM, "expired", "expired"), "expired")),
        OfferStatus::Withdrawn => {
            Some(concept(coding(OFFER_STATUS_CODE_SYSTEM, "withdrawn", "withdrawn"), note.unwrap_or("withdrawn")))
        }
        OfferStatus::Holding | OfferStatus::Accepted => None,
    }
}

fn input(code: &str, value: TaskInputValue) -> TaskInput {
    TaskInput {
        r#type: Box::new(CodeableConcept {
            coding: vec![coding(OFFER_INPUT_CODE_SYSTEM, code, code)],
            ..Default::default()
        }),
        value,
        ..Default::default()
    }
}

fn build(o: &Offer, urgency: Option<Urgency>) -> Task {
    let mut inputs = vec![input(
        "unit",
        TaskInputValue::CodeableConcept(Box::new(concept(
            coding(UNIT_CODE_SYSTEM, o.unit.as_str(), o.unit.label_en()),
            o.unit.label_zh(),
        ))),
    )];
    if let Some(p) = o.pattern {
        inputs.push(input(
            "weekday-pattern",
            TaskInputValue::CodeableConcept(Box::new(concept(
                coding(WEEKDAY_PATTERN_CODE_SYSTEM, p.as_str(), p.label_en()),
                p.label_zh(),
            ))),
        ));
    }
    inputs.push(input("directed", TaskInputValue::Boolean(o.directed.into())));
    Task {
        id: Some(o.id.to_string().into()),
        status: task_status(o.status).into(),
        status_reason: status_reason(o).map(Box::new),
        business_status: Some(Box::new(concept(
            coding(OFFER_STATUS_CODE_SYSTEM, o.status.as_str(), o.status.label_zh()),
            o.status.label_zh(),
        ))),
        intent: "order".into(),
        priority: urgency.map(|u| request_priority(u).into()),
        code: Some(Box::new(concept(coding(TASK_CODE_SYSTEM, "fulfill", "Fulfill the focal request"), "bed offer"))),
        focus: Some(Box::new(reference(format!("ServiceRequest/{}", o.referral_id), None))),
        authored_on: Some(o.offered_at.to_rfc3339().into()),
        last_modified: o.answered_at.map(|t| t.to_rfc3339().into()),
        owner: Some(Box::new(reference(format!("Organization/{}", o.facility_id), None))),
        restriction: Some(TaskRestriction {
            period: Some(Box::new(Period {
                start: Some(o.offered_at.to_rfc3339().into()),
                end: Some(o.expires_at.to_rfc3339().into()),
                ..Default::default()
            })),
            ..Default::default()
        }),
        input: inputs,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::service_request::tests::{offer, referral};
    use carebridge_domain::clock::Timestamp;
    use carebridge_domain::referral::{DeclineReason, ReferralStatus};
    use carebridge_domain::service_kind::ServiceKind;

    fn parse(json: &str) -> Task {
        match fhirbolt::json::from_str(json, None).unwrap_or_else(|e| panic!("invalid FHIR R4: {e}\n{json}")) {
            Resource::Task(t) => *t,
            _ => panic!("not a Task: {json}"),
        }
    }

    fn code_of(c: &CodeableConcept) -> String {
        c.coding[0].code.as_ref().unwrap().value.clone().unwrap()
    }

    #[test]
    fn every_offer_status_maps_and_parses_back_as_r4() {
        let r = referral(ServiceKind::Dialysis, Urgency::Urgent, ReferralStatus::Offered);
        let want = [
            (OfferStatus::Holding, "requested", None),
            (OfferStatus::Accepted, "accepted", None),
            (OfferStatus::Declined, "rejected", Some("no_staff")),
            (OfferStatus::Expired, "cancelled", Some("expired")),
            (OfferStatus::Withdrawn, "cancelled", Some("withdrawn")),
        ];
        assert_eq!(want.len(), OfferStatus::ALL.len());
        for (status, code, reason) in want {
            let mut o = offer(&r, status);
            if status == OfferStatus::Declined {
                o.decline_reason = Some(DeclineReason::NoStaff);
                o.decline_note = Some("two nurses off sick".into());
                o.answered_at = Some(o.offered_at.plus_hours(1));
            }
            let t = parse(&task(&o, Some(r.draft.urgency)));
            assert_eq!(t.status.value.as_deref(), Some(code), "{status}");
            assert_eq!(task_status(status), code);
            assert_eq!(t.intent.value.as_deref(), Some("order"));
            assert_eq!(t.priority.as_ref().unwrap().value.as_deref(), Some("urgent"));
            assert_eq!(t.status_reason.as_deref().map(code_of).as_deref(), reason, "{status}");
            assert_eq!(code_of(t.business_status.as_ref().unwrap()), status.as_str());
        }
    }

    #[test]
    fn the_hold_owner_focus_and_decline_reason_travel() {
        let r = referral(ServiceKind::Dialysis, Urgency::Routine, ReferralStatus::Pending);
        let mut o = offer(&r, OfferStatus::Declined);
        o.decline_reason = Some(DeclineReason::InfectionControl);
        o.decline_note = Some("ward closed for cleaning".into());
        o.answered_at = Some(Timestamp::parse_rfc3339("2026-12-03T01:30:00Z").unwrap());
        let json = task(&o, None);
        let t = parse(&json);
        let reference = |r: &Option<Box<fhirbolt::model::r4::types::Reference>>| {
            r.as_ref().unwrap().reference.as_ref().unwrap().value.clone().unwrap()
        };
        assert_eq!(reference(&t.focus), format!("ServiceRequest/{}", r.id));
        assert_eq!(reference(&t.owner), format!("Organization/{}", o.facility_id));
        assert!(t.priority.is_none());
        let period = t.restriction.as_ref().unwrap().period.as_ref().unwrap();
        assert_eq!(period.end.as_ref().unwrap().value.as_deref(), Some(o.expires_at.to_rfc3339().as_str()));
        assert_eq!(t.authored_on.as_ref().unwrap().value.as_deref(), Some("2026-12-03T01:00:00Z"));
        assert_eq!(t.last_modified.as_ref().unwrap().value.as_deref(), Some("2026-12-03T01:30:00Z"));
        let reason = t.status_reason.as_ref().unwrap();
        assert_eq!(code_of(reason), "infection_control");
        assert_eq!(reason.text.as_ref().unwrap().value.as_deref(), Some("ward closed for cleaning"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let inputs = value["input"].as_array().unwrap();
        let pattern = inputs.iter().find(|i| i["type"]["coding"][0]["code"] == "weekday-pattern").unwrap();
        assert_eq!(pattern["valueCodeableConcept"]["coding"][0]["code"], "mon_wed_fri");
        let directed = inputs.iter().find(|i| i["type"]["coding"][0]["code"] == "directed").unwrap();
        assert_eq!(directed["valueBoolean"], false);
    }
}
