//! Online consultations (issue 13, point 5), on both backends: a patient asks a facility that
//! offers online care; its clinician takes the next from the queue and answers in writing with
//! suggested medicines, or turns the consultation into a referral or a booking in one step;
//! nobody but the patient, the facility and the coordinators over it reads it.

use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
use carebridge_domain::consultation::{ConsultationAnswer, ConsultationDraft, ConsultationStatus, SuggestedMedicine};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::referral::{AgeBand, InfectionStatus, ReferralStatus, Urgency};
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_e2e::app::{assert_invalid, assert_problem, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_service::booking::SlotSearch;
use carebridge_service::consultations::{ConsultationBooking, ConsultationReferral, OnlineCareBody};
use carebridge_service::sign_up::PatientSignUp;
use carebridge_service::{RequestMeta, ServiceError};
use serde_json::json;

fn meta() -> RequestMeta {
    RequestMeta { request_id: Some("consultation-test".into()) }
}

async fn principal(app: &TestApp, user: &str) -> Principal {
    let m = meta();
    app.cb.issue_token(user, DEMO_PASSWORD, &m).await.expect("sign in").principal
}

/// A second patient, signed up as anyone would.
async fn another_patient(app: &TestApp, name: &str) -> Principal {
    let m = meta();
    let s = PatientSignUp {
        username: name.into(),
        password: "a long enough password".into(),
        contact: "+86 138 0000 0000".into(),
    };
    // Sign-ups are rate-limited per address: each name signs up from its own.
    let address = format!("10.0.{}.{}", name.len(), name.bytes().map(u32::from).sum::<u32>() % 250);
    app.cb.sign_up_patient(&address, s, &m).await.expect("signs up");
    app.cb.issue_token(name, "a long enough password", &m).await.expect("sign in").principal
}

fn draft(facility: FacilityId, complaint: &str) -> ConsultationDraft {
    ConsultationDraft {
        facility_id: facility,
        complaint: complaint.into(),
        age_band: AgeBand::Senior,
        region_code: RegionCode::parse("420102").unwrap(),
        location: Some(GeoPoint { lon: 114.28, lat: 30.59 }),
    }
}

async fn open_union(app: &TestApp, union: FacilityId) {
    let m = meta();
    let wuhan = principal(app, "wuhan").await;
    app.cb.set_online_care(&wuhan, union, OnlineCareBody { open: true }, &m).await.expect("opens");
}

both_backends!(a_clinician_takes_the_next_consultation_and_answers_it_in_writing, |app| async move {
    let m = meta();
    let demo = app.load_demo().await;
    let patient = principal(&app, "patient-demo").await;
    let other = another_patient(&app, "cough-at-home").await;
    let doctor = principal(&app, "dr-union").await;
    let union_desk = principal(&app, "desk-union").await;
    let tongji_desk = principal(&app, "desk-tongji").await;
    let hubei = principal(&app, "hubei").await;
    let beijing = principal(&app, "beijing").await;

    // Nobody asks a facility that offers no online care.
    let e = app.cb.request_consultation(&patient, draft(demo.union, "cough"), &m).await.unwrap_err();
    assert!(matches!(&e, ServiceError::Conflict(m) if m.contains("offers no online care")), "{e:?}");
    open_union(&app, demo.union).await;
    assert_eq!(app.cb.online_care(None).await.unwrap().iter().map(|o| o.facility_id).collect::<Vec<_>>(), [demo.union]);

    let first = app.cb.request_consultation(&patient, draft(demo.union, "Cough for a week, short of breath"), &m);
    let first = first.await.unwrap();
    app.advance_minutes(1);
    let second = app.cb.request_consultation(&other, draft(demo.union, "Fever 38.5 since yesterday"), &m);
    let second = second.await.unwrap();
    assert_eq!((first.position, second.position), (Some(1), Some(2)));
    assert_eq!(first.consultation.patient_pseudonym, "patient-demo");
    let care = app.cb.online_care(None).await.unwrap();
    assert_eq!((care[0].waiting, care[0].with_clinician), (2, 0));

    // The facility's desk and clinician see the queue, oldest first; another desk finds no such
    // facility; a patient is refused.
    let queue = app.cb.consultation_queue(&union_desk, demo.union, None, None).await.unwrap();
    let ids: Vec<_> = queue.iter().map(|v| v.consultation.id).collect();
    assert_eq!(ids, [first.consultation.id, second.consultation.id]);
    let e = app.cb.consultation_queue(&tongji_desk, demo.union, None, None).await.unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    let e = app.cb.consultation_queue(&patient, demo.union, None, None).await.unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");

    // The clinician takes them in order; a third take finds the queue empty; a desk cannot take.
    let e = app.cb.take_next_consultation(&union_desk, demo.union, &m).await.unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
    let taken = app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap().expect("one waits");
    assert_eq!(taken.consultation.id, first.consultation.id);
    assert_eq!(taken.consultation.status, ConsultationStatus::Taken);
    assert_eq!(taken.consultation.taken_by, Some(doctor.user_id));
    let next = app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap().expect("another");
    assert_eq!(next.consultation.id, second.consultation.id);
    assert!(app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap().is_none());

    // A patient cannot pull a taken consultation from under the clinician.
    let e = app.cb.withdraw_consultation(&patient, first.consultation.id, &m).await.unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");

    // A bad answer names its fields and changes nothing.
    let audited = app.audit_count().await;
    let bad = ConsultationAnswer {
        answer: "".into(),
        medicines: vec![SuggestedMedicine { name: "".into(), instructions: String::new(), item_code: None }],
    };
    let e = app.cb.answer_consultation(&doctor, first.consultation.id, bad, &m).await.unwrap_err();
    match e {
        ServiceError::Invalid(v) => {
            assert_eq!(v.0.iter().map(|f| f.pointer.as_str()).collect::<Vec<_>>(), ["/answer", "/medicines/0/name"])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        app.cb.consultation(&patient, first.consultation.id).await.unwrap().consultation.status,
        ConsultationStatus::Taken
    );

    let answer = ConsultationAnswer {
        answer: "Likely a viral infection. Rest and drink; come to the fever clinic if breathing gets worse.".into(),
        medicines: vec![SuggestedMedicine {
            name: "paracetamol 500 mg".into(),
            instructions: "one tablet every 6 hours when feverish, at most 4 a day".into(),
            item_code: None,
        }],
    };
    assert_eq!(app.audit_count().await, audited, "a refused answer writes nothing");
    let answered = app.cb.answer_consultation(&doctor, first.consultation.id, answer, &m).await.unwrap();
    assert_eq!(app.audit_count().await, audited + 1, "the answer is audited");
    assert_eq!(answered.consultation.status, ConsultationStatus::Answered);
    assert!(answered.consultation.closed_at.is_some());

    // The patient reads the answer; the other patient, another desk, and a coordinator elsewhere
    // find nothing; the coordinator over Union reads it.
    let read = app.cb.consultation(&patient, first.consultation.id).await.unwrap();
    assert!(read.consultation.answer.as_deref().unwrap().starts_with("Likely a viral"));
    assert_eq!(read.consultation.medicines[0].name, "paracetamol 500 mg");
    let mine = app.cb.my_consultations(&patient, None).await.unwrap();
    assert_eq!(mine.iter().map(|v| v.consultation.id).collect::<Vec<_>>(), [first.consultation.id]);
    for outsider in [&other, &tongji_desk, &beijing] {
        let e = app.cb.consultation(outsider, first.consultation.id).await.unwrap_err();
        assert!(matches!(e, ServiceError::NotFound), "{}: {e:?}", outsider.username);
    }
    app.cb.consultation(&hubei, first.consultation.id).await.expect("the province's coordinator reads it");

    // Answered is final; a handed-back consultation is next again, and its patient may withdraw it.
    let e = app.cb.release_consultation(&doctor, first.consultation.id, &m).await.unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    let back = app.cb.release_consultation(&doctor, second.consultation.id, &m).await.unwrap();
    assert_eq!((back.consultation.status, back.position), (ConsultationStatus::Waiting, Some(1)));
    let gone = app.cb.withdraw_consultation(&other, second.consultation.id, &m).await.unwrap();
    assert_eq!(gone.consultation.status, ConsultationStatus::Withdrawn);
    assert!(app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap().is_none());

    // At most three open at once, per patient.
    for n in 0..3 {
        app.cb.request_consultation(&other, draft(demo.union, &format!("question {n}")), &m).await.unwrap();
    }
    let e = app.cb.request_consultation(&other, draft(demo.union, "a fourth"), &m).await.unwrap_err();
    assert!(matches!(&e, ServiceError::Conflict(m) if m.contains("the most at once")), "{e:?}");
});

both_backends!(a_consultation_becomes_a_referral_or_a_booking_in_one_step, |app| async move {
    let m = meta();
    let demo = app.load_demo().await;
    open_union(&app, demo.union).await;
    let patient = principal(&app, "patient-demo").await;
    let other = another_patient(&app, "short-of-breath").await;
    let doctor = principal(&app, "dr-union").await;
    let desk = principal(&app, "desk-union").await;

    // Beyond online care: a referral, filed in the same step, carrying the complaint.
    let c = app.cb.request_consultation(&patient, draft(demo.union, "SpO2 at home 90%, breathless"), &m);
    let c = c.await.unwrap().consultation;
    app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap();
    let referral = ConsultationReferral {
        need: ServiceKind::Respiratory,
        urgency: Urgency::Urgent,
        infection: InfectionStatus::Suspected,
        needs_ambulance: false,
        schedule: None,
        location: None,
        note: "Hypoxic at home; needs oxygen.".into(),
    };
    let outcome = app.cb.refer_consultation(&doctor, c.id, referral.clone(), &m).await.unwrap();
    let filed = outcome.referral.expect("a referral");
    assert_eq!(outcome.consultation.consultation.status, ConsultationStatus::Referred);
    assert_eq!(outcome.consultation.consultation.referral_id, Some(filed.referral.id));
    assert_eq!(filed.referral.draft.patient.pseudonym, "patient-demo");
    assert_eq!(filed.referral.draft.patient.age_band, AgeBand::Senior);
    assert!(filed.referral.draft.note.starts_with("Hypoxic at home; needs oxygen.\n"), "{}", filed.referral.draft.note);
    assert!(filed.referral.draft.note.ends_with("SpO2 at home 90%, breathless"));
    assert_ne!(filed.referral.status, ReferralStatus::Cancelled);
    let e = app.cb.refer_consultation(&doctor, c.id, referral, &m).await.unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "a closed consultation is not referred twice: {e:?}");

    // Needs a visit: a slot at Union booked for the patient in the same step.
    let schedule = ScheduleDraft {
        facility_id: demo.union,
        service: ServiceKind::Respiratory,
        clinician: None,
        valid_from: None,
        valid_until: None,
        templates: vec![TemplateDraft {
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            start: "08:00".into(),
            end: "12:00".into(),
            slot_minutes: 30,
            capacity: 1,
        }],
    };
    app.cb.publish_schedule(&desk, schedule, &m).await.unwrap();
    let search =
        SlotSearch { service: Some(ServiceKind::Respiratory), facility: Some(demo.union), ..Default::default() };
    let slots = app.cb.search_slots(&search).await.unwrap().items;
    let c2 = app.cb.request_consultation(&patient, draft(demo.union, "Cough three weeks, no fever"), &m);
    let c2 = c2.await.unwrap().consultation;
    let c3 = app.cb.request_consultation(&other, draft(demo.union, "Wheezing at night"), &m);
    let c3 = c3.await.unwrap().consultation;
    app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap();
    app.cb.take_next_consultation(&doctor, demo.union, &m).await.unwrap();
    let booked = app.cb.book_consultation(&doctor, c2.id, ConsultationBooking { slot_id: slots[0].slot.id }, &m);
    let booked = booked.await.unwrap();
    let booking = booked.booking.expect("a booking");
    assert_eq!(booking.patient_id, Some(patient.user_id));
    assert_eq!(booking.booked_by, doctor.user_id);
    assert_eq!(booked.consultation.consultation.booking_id, Some(booking.id));
    assert_eq!(booked.consultation.consultation.status, ConsultationStatus::Booked);
    let mine = app.cb.my_bookings(&patient, None).await.unwrap();
    assert!(mine.iter().any(|b| b.id == booking.id), "the patient sees the booking as their own");

    // The slot held one place: booking it again for the other patient is a 409 that changes
    // nothing; the consultation stays with the clinician.
    let e = app.cb.book_consultation(&doctor, c3.id, ConsultationBooking { slot_id: slots[0].slot.id }, &m);
    let e = e.await.unwrap_err();
    assert!(matches!(&e, ServiceError::Conflict(m) if m.contains("full")), "{e:?}");
    let still = app.cb.consultation(&doctor, c3.id).await.unwrap().consultation;
    assert_eq!((still.status, still.booking_id), (ConsultationStatus::Taken, None));
    let after = app.cb.search_slots(&search).await.unwrap().items;
    assert!(after.iter().all(|s| s.slot.id != slots[0].slot.id), "the full slot is not offered");
    let next = app.cb.book_consultation(&doctor, c3.id, ConsultationBooking { slot_id: slots[1].slot.id }, &m);
    assert_eq!(next.await.unwrap().booking.unwrap().patient_id, Some(other.user_id));
});

both_backends!(consultations_over_http_name_the_field_and_the_empty_queue, |app| async move {
    let demo = app.load_demo().await;
    open_union(&app, demo.union).await;
    let union = demo.union.to_string();

    let care = app.get("/api/v1/online-care", None).await;
    assert_eq!(care.status, 200, "{}", care.text);
    assert_eq!(care.json[0]["facility_id"], union);

    let bad = json!({ "facility_id": union, "complaint": " ", "age_band": "adult", "region_code": "420102" });
    assert_invalid(&app.post_json("/api/v1/consultations", Some("patient-demo"), &bad).await, "/complaint");
    let bad = json!({ "facility_id": union, "complaint": "cough", "age_band": "adult", "region_code": "429999" });
    assert_invalid(&app.post_json("/api/v1/consultations", Some("patient-demo"), &bad).await, "/region_code");
    let ok = json!({ "facility_id": union, "complaint": "cough", "age_band": "adult", "region_code": "420102" });
    assert_problem(&app.post_json("/api/v1/consultations", Some("desk-union"), &ok).await, 403);
    let made = app.post_json("/api/v1/consultations", Some("patient-demo"), &ok).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.json["id"].as_str().unwrap().to_string();
    assert_eq!(made.header("location"), Some(format!("/api/v1/consultations/{id}").as_str()));
    assert_eq!(made.json["position"], 1);

    let next = format!("/api/v1/facilities/{union}/consultations/next");
    let took = app.post_json(&next, Some("dr-union"), &json!({})).await;
    assert_eq!((took.status, took.json["id"].as_str()), (200, Some(id.as_str())), "{}", took.text);
    let empty = app.post_json(&next, Some("dr-union"), &json!({})).await;
    assert_eq!(empty.status, 204, "{}", empty.text);

    let answer = format!("/api/v1/consultations/{id}/answer");
    let bad = json!({ "answer": "rest", "medicines": [{ "name": "ibuprofen", "item_code": "has spaces" }] });
    assert_invalid(&app.post_json(&answer, Some("dr-union"), &bad).await, "/medicines/0/item_code");
    let booking = format!("/api/v1/consultations/{id}/booking");
    let nil = "00000000-0000-7000-8000-000000000000";
    assert_invalid(&app.post_json(&booking, Some("dr-union"), &json!({ "slot_id": nil })).await, "/slot_id");
    let done = app.post_json(&answer, Some("dr-union"), &json!({ "answer": "Rest and fluids." })).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let read = app.get(&format!("/api/v1/consultations/{id}"), Some("patient-demo")).await;
    assert_eq!(
        (read.json["status"].as_str(), read.json["answer"].as_str()),
        (Some("answered"), Some("Rest and fluids."))
    );
    assert_problem(&app.get(&format!("/api/v1/consultations/{id}"), Some("desk-tongji")).await, 404);
});

both_backends!(clinicians_taking_at_once_never_get_the_same_consultation, |app| async move {
    let m = meta();
    let demo = app.load_demo().await;
    open_union(&app, demo.union).await;
    let doctor = principal(&app, "dr-union").await;
    let mut asked = Vec::new();
    for n in 0..6 {
        let patient = another_patient(&app, &format!("queued-{n}")).await;
        let c = app.cb.request_consultation(&patient, draft(demo.union, &format!("complaint {n}")), &m).await;
        asked.push(c.unwrap().consultation.id);
    }
    // Ten takes at once for six waiting: six get one each, four find the queue empty.
    let takes = (0..10).map(|_| {
        let (cb, doctor, m) = (app.cb.clone(), doctor.clone(), m.clone());
        tokio::spawn(async move { cb.take_next_consultation(&doctor, demo.union, &m).await })
    });
    let mut taken = Vec::new();
    for t in takes {
        if let Some(v) = t.await.unwrap().expect("a take succeeds or finds none") {
            taken.push(v.consultation.id);
        }
    }
    taken.sort();
    asked.sort();
    assert_eq!(taken, asked, "each waiting consultation taken exactly once");
});
