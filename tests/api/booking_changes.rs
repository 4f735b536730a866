//! Booking, part two (issue 13), on both backends: a closure, a designation order and a
//! commandeered unit cancel the bookings they stop in their own transaction, tell each patient
//! why and offer the nearest equivalent free slots; a reschedule takes the new place before it
//! gives the old one back; a waitlist offers a freed place to the first in line, holds it for
//! the claim time and passes it on unclaimed; a region limits future bookings per patient.

use carebridge_domain::booking::{BookingStatus, LocalDay, NoticeKind, ScheduleDraft, TemplateDraft, WaitlistStatus};
use carebridge_domain::designation::DesignationOrderDraft;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Scope};
use carebridge_e2e::app::{DemoIds, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_service::booking::{BookingDraft, SlotSearch, SlotView};
use carebridge_service::booking_changes::ClosureDraft;
use carebridge_service::limits::{BookingLimitInput, BookingLimitsBody};
use carebridge_service::waitlist::{WaitlistDraft, CLAIM_MINUTES};
use carebridge_service::{RequestMeta, ServiceError};
use carebridge_store::booking::booked_mismatches;
use serde_json::json;

fn meta() -> RequestMeta {
    RequestMeta { request_id: Some("booking-changes-test".into()) }
}

async fn principal(app: &TestApp, user: &str, password: &str) -> Principal {
    app.cb.issue_token(user, password, &meta()).await.expect("sign in").principal
}

/// Every day 08:00–12:00, consultations of 30 minutes for `capacity`.
fn clinic(facility: FacilityId, service: ServiceKind, capacity: i64) -> ScheduleDraft {
    ScheduleDraft {
        facility_id: facility,
        service,
        clinician: Some("Dr Chen".into()),
        valid_from: None,
        valid_until: None,
        templates: vec![TemplateDraft {
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            start: "08:00".into(),
            end: "12:00".into(),
            slot_minutes: 30,
            capacity,
        }],
    }
}

fn facility_of(p: &Principal) -> FacilityId {
    match p.scope {
        Scope::Facility(f) => f,
        other => panic!("a desk, not {other:?}"),
    }
}

/// Free slots of `service` at `facility` from `day` days ahead on.
async fn slots(app: &TestApp, facility: FacilityId, service: ServiceKind, day: i64) -> Vec<SlotView> {
    let from = LocalDay(app.cb.today().0 + day).to_string();
    let q = SlotSearch {
        service: Some(service),
        facility: Some(facility),
        from: Some(from),
        limit: Some(50),
        ..Default::default()
    };
    app.cb.search_slots(&q).await.expect("a search").items
}

async fn book(
    app: &TestApp,
    p: &Principal,
    slot: carebridge_domain::ids::SlotId,
    walk_in: Option<&str>,
) -> Result<carebridge_domain::booking::Booking, ServiceError> {
    let draft = BookingDraft { slot_id: slot, patient_pseudonym: walk_in.map(str::to_string) };
    app.cb.book(p, draft, &meta()).await
}

async fn assert_invariant(app: &TestApp) {
    let mismatches = booked_mismatches(&app.cb.store).await.expect("the check");
    assert!(mismatches.is_empty(), "slots whose count is not their bookings: {mismatches:?}");
}

/// Union and Tongji (a few km apart) both run internal medicine, one place a slot.
async fn two_clinics(app: &TestApp, demo: &DemoIds) -> (Principal, Principal, FacilityId) {
    let union = principal(app, "desk-union", DEMO_PASSWORD).await;
    let tongji = principal(app, "desk-tongji", DEMO_PASSWORD).await;
    let tongji_id = facility_of(&tongji);
    app.cb.publish_schedule(&union, clinic(demo.union, ServiceKind::InternalMedicine, 1), &meta()).await.unwrap();
    app.cb.publish_schedule(&tongji, clinic(tongji_id, ServiceKind::InternalMedicine, 1), &meta()).await.unwrap();
    (union, tongji, tongji_id)
}

both_backends!(a_closure_cancels_its_bookings_tells_each_patient_and_offers_the_nearest_slots, |app| async move {
    let demo = app.load_demo().await;
    let (desk, _, tongji) = two_clinics(&app, &demo).await;
    let patient = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    let tomorrow = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    let tomorrow_day = LocalDay(app.cb.today().0 + 1);
    let mine = app
        .cb
        .book(&patient, BookingDraft { slot_id: tomorrow[0].slot.id, patient_pseudonym: None }, &meta())
        .await
        .unwrap();
    let walk_in = BookingDraft { slot_id: tomorrow[1].slot.id, patient_pseudonym: Some("walk-in-7".into()) };
    let theirs = app.cb.book(&desk, walk_in, &meta()).await.unwrap();

    // Bad closures name every field at once and change nothing.
    let audit = app.audit_count().await;
    let bad = ClosureDraft {
        service: None,
        from: LocalDay(app.cb.today().0 - 1).to_string(),
        until: "2020-01-01".into(),
        reason: " ".into(),
    };
    let e = app.cb.close_service(&desk, demo.union, bad, &meta()).await.unwrap_err();
    match e {
        ServiceError::Invalid(v) => {
            let pointers: Vec<_> = v.0.iter().map(|f| f.pointer.as_str()).collect();
            assert_eq!(pointers, ["/reason", "/from", "/until"], "{v:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.audit_count().await, audit);

    // Internal medicine at Union is closed tomorrow.
    let draft = ClosureDraft {
        service: Some(ServiceKind::InternalMedicine),
        from: tomorrow_day.to_string(),
        until: tomorrow_day.to_string(),
        reason: "staff isolating".into(),
    };
    let done = app.cb.close_service(&desk, demo.union, draft, &meta()).await.expect("closed");
    assert_eq!(done.effect.slots_cancelled, 8, "tomorrow's eight slots");
    assert_eq!(done.effect.bookings_cancelled.len(), 2);
    for c in &done.effect.bookings_cancelled {
        assert!(!c.alternatives.is_empty() && c.alternatives.len() <= 3, "{c:?}");
        for a in &c.alternatives {
            // Never the closed day at Union; the same day at Tongji first (delay + distance).
            assert!(a.facility_id != demo.union || LocalDay::of(a.starts_at) != tomorrow_day, "{a:?}");
            assert!(a.starts_at >= c.starts_at, "{a:?} before the booking");
        }
        assert_eq!(c.alternatives[0].facility_id, tongji, "{:?}", c.alternatives);
    }
    assert!(done.effect.bookings_cancelled.iter().any(|c| c.walk_in && c.patient_pseudonym == "walk-in-7"));

    // Cancelled, with the reason; tomorrow's Union slots are gone from the search.
    let b = app.cb.booking(&patient, mine.id).await.unwrap();
    assert_eq!(b.status, BookingStatus::Cancelled);
    assert!(b.cancel_reason.as_deref().is_some_and(|r| r.contains("staff isolating")), "{b:?}");
    let left = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    assert!(left.iter().all(|s| LocalDay::of(s.slot.starts_at) != tomorrow_day));

    // The patient is told, with the alternatives; the desk sees the walk-in's notice to phone.
    let notices = app.cb.booking_notices(&patient, None).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].kind, notices[0].cause.as_str()), (NoticeKind::Cancelled, "closure"));
    assert_eq!(notices[0].booking_id, Some(mine.id));
    assert!(!notices[0].alternatives.is_empty());
    let desk_notices = app.cb.booking_notices(&desk, None).await.unwrap();
    assert!(desk_notices.iter().any(|n| n.booking_id == Some(theirs.id) && n.patient_id.is_none()));
    let closures = app.cb.closures(&desk, demo.union).await.unwrap();
    assert_eq!(closures.len(), 1);

    // An alternative can be booked at once.
    let alt = notices[0].alternatives[0].slot_id;
    app.cb.book(&patient, BookingDraft { slot_id: alt, patient_pseudonym: None }, &meta()).await.expect("rebooked");
    assert_invariant(&app).await;

    // The same over HTTP: 201 with the cancellations; another hospital's desk finds nothing.
    let day = LocalDay(app.cb.today().0 + 2).to_string();
    let body = json!({"from": day, "until": day, "reason": "power works"});
    let r = app.post_json(&format!("/api/v1/facilities/{}/closures", demo.union), Some("desk-union"), &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["closure"]["service"], serde_json::Value::Null);
    assert_eq!(r.json["slots_cancelled"], 8);
    let r = app.post_json(&format!("/api/v1/facilities/{}/closures", demo.union), Some("desk-tongji"), &body).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let notices = app.get("/api/v1/notices", Some("patient-demo")).await;
    assert_eq!(notices.status, 200, "{}", notices.text);
});

both_backends!(a_virus_designation_cancels_other_services_in_the_orders_transaction, |app| async move {
    let demo = app.load_demo().await;
    let (desk, _, _) = two_clinics(&app, &demo).await;
    let patient = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    let soon = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    let later = slots(&app, demo.union, ServiceKind::InternalMedicine, 5).await;
    let early = book(&app, &patient, soon[0].slot.id, None).await.unwrap();
    let late = book(&app, &patient, later[0].slot.id, None).await.unwrap();

    // Union becomes the virus's from three days on: the booking before stands, the one after
    // is cancelled with the order, and its patient told.
    let nhc = principal(&app, "nhc", DEMO_PASSWORD).await;
    let effective_at = LocalDay(app.cb.today().0 + 3).start();
    let order = DesignationOrderDraft {
        facility_id: demo.union,
        designation: carebridge_domain::designation::Designation::VirusDesignated,
        effective_at,
        reason: "the wave: Union takes virus patients".into(),
        order_number: "WH-2022-88".into(),
    };
    app.cb.order_designation(&nhc, order, &meta()).await.expect("ordered");
    assert_eq!(app.cb.booking(&patient, early.id).await.unwrap().status, BookingStatus::Confirmed);
    let cancelled = app.cb.booking(&patient, late.id).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let notices = app.cb.booking_notices(&patient, None).await.unwrap();
    assert_eq!(notices[0].cause, "designation");
    assert!(notices[0].alternatives.iter().all(|a| a.facility_id != demo.union), "{:?}", notices[0].alternatives);
    assert!(slots(&app, demo.union, ServiceKind::InternalMedicine, 3).await.is_empty(), "no slots after the order");
    assert_invariant(&app).await;

    // Once in force, Union publishes no other service.
    app.advance_minutes(60 * 24 * 4);
    let e = app.cb.publish_schedule(&desk, clinic(demo.union, ServiceKind::InternalMedicine, 2), &meta()).await;
    match e {
        Err(ServiceError::Invalid(v)) => assert_eq!(v.0[0].pointer, "/service"),
        other => panic!("{other:?}"),
    }
});

both_backends!(a_reschedule_takes_the_new_place_before_it_gives_the_old_back, |app| async move {
    let demo = app.load_demo().await;
    let (desk, tongji_desk, tongji) = two_clinics(&app, &demo).await;
    let patient = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    let union_slots = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    let tongji_slots = slots(&app, tongji, ServiceKind::InternalMedicine, 1).await;
    let a = book(&app, &patient, union_slots[0].slot.id, None).await.unwrap();
    app.cb
        .book(&patient, BookingDraft { slot_id: union_slots[1].slot.id, patient_pseudonym: None }, &meta())
        .await
        .unwrap();

    // A full new slot changes nothing.
    let walk_in = BookingDraft { slot_id: tongji_slots[0].slot.id, patient_pseudonym: Some("w".into()) };
    app.cb.book(&tongji_desk, walk_in, &meta()).await.unwrap();
    let audit = app.audit_count().await;
    let full = app.cb.reschedule_booking(&patient, a.id, tongji_slots[0].slot.id, &meta()).await;
    assert!(matches!(&full, Err(ServiceError::Conflict(m)) if m == "the slot is full"), "{full:?}");
    assert_eq!(app.cb.booking(&patient, a.id).await.unwrap().status, BookingStatus::Confirmed);
    assert_eq!(app.audit_count().await, audit);

    // At the limit (two held), moving one is still allowed: the count does not change.
    let moved = app.cb.reschedule_booking(&patient, a.id, tongji_slots[1].slot.id, &meta()).await.expect("moved");
    assert_eq!(moved.rescheduled_from, Some(a.id));
    assert_eq!(moved.facility_id, tongji);
    let old = app.cb.booking(&patient, a.id).await.unwrap();
    assert_eq!(old.status, BookingStatus::Cancelled);
    let union_now = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    assert!(union_now.iter().any(|s| s.slot.id == union_slots[0].slot.id), "the old place is free again");

    // Another service's slot, or the same slot, is a bad reference.
    let same = app.cb.reschedule_booking(&patient, moved.id, tongji_slots[1].slot.id, &meta()).await;
    assert!(matches!(same, Err(ServiceError::Invalid(_))), "{same:?}");
    // A desk moves only within its own facility.
    let e = app.cb.reschedule_booking(&desk, moved.id, union_slots[2].slot.id, &meta()).await;
    assert!(matches!(e, Err(ServiceError::NotFound)), "{e:?}");
    assert_invariant(&app).await;

    // Over HTTP: 201 with the new booking.
    let r = app
        .post_json(
            &format!("/api/v1/bookings/{}/reschedule", moved.id),
            Some("patient-demo"),
            &json!({"slot_id": union_slots[3].slot.id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["rescheduled_from"], moved.id.to_string());
});

both_backends!(a_freed_place_goes_to_the_first_in_line_and_passes_on_unclaimed, |app| async move {
    let demo = app.load_demo().await;
    let (desk, _, _) = two_clinics(&app, &demo).await;
    let first = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    let body = carebridge_e2e::fixtures::new_user("patient-two", "patient", None);
    let made = app.post_json("/api/v1/users", Some("nhc"), &body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let second = principal(&app, "patient-two", "a-long-enough-password").await;
    let slot = slots(&app, demo.union, ServiceKind::InternalMedicine, 2).await[0].slot.clone();
    let walk_in = book(&app, &desk, slot.id, Some("w")).await.unwrap();

    let queue = WaitlistDraft { facility_id: demo.union, service: ServiceKind::InternalMedicine };
    let a = app.cb.join_waitlist(&first, queue.clone(), &meta()).await.expect("joined");
    let b = app.cb.join_waitlist(&second, queue.clone(), &meta()).await.expect("joined");
    assert_eq!((a.ahead, b.ahead), (Some(0), Some(1)));
    let twice = app.cb.join_waitlist(&first, queue.clone(), &meta()).await;
    assert!(matches!(twice, Err(ServiceError::Conflict(_))), "{twice:?}");
    let desk_joins = app.cb.join_waitlist(&desk, queue.clone(), &meta()).await;
    assert!(matches!(desk_joins, Err(ServiceError::Forbidden(_))));

    // The walk-in cancels: the place is held for the first in line, nobody else gets it.
    app.cb.cancel_booking(&desk, walk_in.id, "not coming", &meta()).await.unwrap();
    let offered = app.cb.waitlist_entry(&first, a.entry.id).await.unwrap();
    assert_eq!(offered.entry.status, WaitlistStatus::Offered);
    assert_eq!(offered.entry.offered_slot_id, Some(slot.id));
    let notice = &app.cb.booking_notices(&first, None).await.unwrap()[0];
    assert_eq!((notice.kind, notice.waitlist_id), (NoticeKind::WaitlistOffer, Some(a.entry.id)));
    let grab = book(&app, &desk, slot.id, Some("x")).await;
    assert!(matches!(grab, Err(ServiceError::Conflict(_))), "the held place is not for anyone else");
    assert_invariant(&app).await;

    // Unclaimed past the claim time, it lapses and passes to the second.
    app.advance_minutes(CLAIM_MINUTES + 1);
    let late = app.cb.claim_waitlist_offer(&first, a.entry.id, &meta()).await;
    assert!(matches!(&late, Err(ServiceError::Conflict(m)) if m.contains("ran out")), "{late:?}");
    let swept = app.cb.sweep_waitlist_offers().await.expect("swept");
    assert_eq!((swept.lapsed, swept.passed_on), (1, 1));
    assert_eq!(app.cb.waitlist_entry(&first, a.entry.id).await.unwrap().entry.status, WaitlistStatus::Lapsed);
    let hers = app.cb.waitlist_entry(&second, b.entry.id).await.unwrap();
    assert_eq!(hers.entry.status, WaitlistStatus::Offered);
    assert_invariant(&app).await;

    // The second claims in time: the held place is her booking.
    let booking = app.cb.claim_waitlist_offer(&second, b.entry.id, &meta()).await.expect("claimed");
    assert_eq!(booking.slot_id, slot.id);
    assert_eq!(app.cb.waitlist_entry(&second, b.entry.id).await.unwrap().entry.status, WaitlistStatus::Booked);
    let again = app.cb.claim_waitlist_offer(&second, b.entry.id, &meta()).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))));
    // Nobody sees another's place.
    assert!(matches!(app.cb.waitlist_entry(&first, b.entry.id).await, Err(ServiceError::NotFound)));
    assert_invariant(&app).await;

    // Leaving while offered passes the place on (here: nobody waits, so it is free again).
    let c = app.cb.join_waitlist(&first, queue.clone(), &meta()).await.unwrap();
    app.cb.cancel_booking(&second, booking.id, "better", &meta()).await.unwrap();
    assert_eq!(app.cb.waitlist_entry(&first, c.entry.id).await.unwrap().entry.status, WaitlistStatus::Offered);
    let r = app.post_json(&format!("/api/v1/waitlist/{}/leave", c.entry.id), Some("patient-demo"), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "left");
    let free = slots(&app, demo.union, ServiceKind::InternalMedicine, 2).await;
    assert!(free.iter().any(|s| s.slot.id == slot.id), "free again");
    assert_invariant(&app).await;
});

both_backends!(a_region_sets_how_many_future_bookings_a_patient_may_hold, |app| async move {
    let demo = app.load_demo().await;
    two_clinics(&app, &demo).await;
    let patient = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    let hubei = principal(&app, "hubei", DEMO_PASSWORD).await;
    let region = carebridge_domain::region::RegionCode::parse("420000").unwrap();
    let before = app.cb.booking_limits(&patient, region).await.unwrap();
    assert_eq!((before.default_max_future, before.limits.len()), (2, 0));

    // Bad limits name their fields.
    let bad = BookingLimitsBody {
        limits: vec![
            BookingLimitInput { service: None, max_future: 0 },
            BookingLimitInput { service: None, max_future: 3 },
        ],
    };
    match app.cb.set_booking_limits(&hubei, region, bad, &meta()).await {
        Err(ServiceError::Invalid(v)) => {
            let pointers: Vec<_> = v.0.iter().map(|f| f.pointer.as_str()).collect();
            assert_eq!(pointers, ["/limits/0/max_future", "/limits/1/service"]);
        }
        other => panic!("{other:?}"),
    }

    // Hubei: one future internal-medicine booking, three of anything else; Wuhan inherits it.
    let body = BookingLimitsBody {
        limits: vec![
            BookingLimitInput { service: Some(ServiceKind::InternalMedicine), max_future: 1 },
            BookingLimitInput { service: None, max_future: 3 },
        ],
    };
    app.cb.set_booking_limits(&hubei, region, body, &meta()).await.expect("set");
    let wuhan = carebridge_domain::region::RegionCode::parse("420100").unwrap();
    let seen = app.cb.booking_limits(&patient, wuhan).await.unwrap();
    assert_eq!(seen.limits.len(), 2);
    assert!(seen.limits.iter().all(|l| l.set_by == Some(region)));
    let s = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await;
    app.cb.book(&patient, BookingDraft { slot_id: s[0].slot.id, patient_pseudonym: None }, &meta()).await.unwrap();
    let second = app.cb.book(&patient, BookingDraft { slot_id: s[1].slot.id, patient_pseudonym: None }, &meta()).await;
    assert!(matches!(&second, Err(ServiceError::Conflict(m)) if m.contains("(1)")), "{second:?}");

    // Beijing's coordinator does not govern Hubei.
    let r = app.request_as(reqwest::Method::PUT, "/api/v1/regions/420000/booking-limits", Some("beijing")).await;
    let r = app.send(r.json(&json!({"limits": []}))).await;
    assert_eq!(r.status, 404, "{}", r.text);
});

both_backends!(a_commandeered_unit_cancels_its_sessions_and_the_preview_counts_them_first, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union", DEMO_PASSWORD).await;
    let patient = principal(&app, "patient-demo", DEMO_PASSWORD).await;
    app.cb.publish_schedule(&desk, clinic(demo.union, ServiceKind::Dialysis, 6), &meta()).await.unwrap();
    app.cb.publish_schedule(&desk, clinic(demo.union, ServiceKind::InternalMedicine, 1), &meta()).await.unwrap();
    let session = slots(&app, demo.union, ServiceKind::Dialysis, 2).await[0].slot.id;
    let consult = slots(&app, demo.union, ServiceKind::InternalMedicine, 2).await[0].slot.id;
    let dialysis = book(&app, &patient, session, None).await.unwrap();
    let other = book(&app, &patient, consult, None).await.unwrap();

    let request = json!({
        "facility_id": demo.union,
        "change": {"kind": "commandeer_unit", "unit": "dialysis_stations"},
        "effective_at": app.now_plus_hours(6),
        "reason": "透析室改建为隔离病区 / Dialysis rooms converted to isolation wards",
    });
    let preview = app.post_json("/api/v1/placement/displacements", Some("nhc"), &request).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    assert_eq!(preview.json["bookings_cancelled"], 1, "the cost in bookings is seen before the order");
    assert_eq!(app.cb.booking(&patient, dialysis.id).await.unwrap().status, BookingStatus::Confirmed);

    let unplaced: Vec<_> =
        preview.json["unplaced"].as_array().unwrap().iter().map(|u| u["referral_id"].clone()).collect();
    let apply = format!("/api/v1/placement/displacements/{}/apply", preview.json["id"].as_str().unwrap());
    let applied = app.post_json(&apply, Some("nhc"), &json!({"acknowledge_unplaced": unplaced})).await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(app.cb.booking(&patient, dialysis.id).await.unwrap().status, BookingStatus::Cancelled);
    assert_eq!(app.cb.booking(&patient, other.id).await.unwrap().status, BookingStatus::Confirmed, "other units run");
    let notices = app.cb.booking_notices(&patient, None).await.unwrap();
    assert_eq!(notices[0].cause, "commandeered_unit");
    assert!(slots(&app, demo.union, ServiceKind::Dialysis, 1).await.is_empty(), "no dialysis slots remain");
    assert_invariant(&app).await;
});

both_backends!(a_patient_signs_up_books_and_sign_ups_are_rate_limited, |app| async move {
    let demo = app.load_demo().await;
    two_clinics(&app, &demo).await;
    let body =
        |name: &str| json!({"username": name, "password": "a-long-enough-password", "contact": "+86 138-0013-8000"});

    // Bad input names every field and does not count against the limit.
    let bad = json!({"username": "A B", "password": "short", "contact": "call me"});
    let r = app.post_json("/api/v1/patients", None, &bad).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let pointers: Vec<&str> =
        r.json["errors"].as_array().unwrap().iter().filter_map(|e| e["pointer"].as_str()).collect();
    assert_eq!(pointers, ["/username", "/password", "/contact"]);

    let r = app.post_json("/api/v1/patients", None, &body("new-patient-1")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!((r.json["role"].as_str(), r.json["username"].as_str()), (Some("patient"), Some("new-patient-1")));
    // The new patient signs in and books.
    let patient = principal(&app, "new-patient-1", "a-long-enough-password").await;
    let slot = slots(&app, demo.union, ServiceKind::InternalMedicine, 1).await[0].slot.id;
    book(&app, &patient, slot, None).await.expect("the new patient books");

    let taken = app.post_json("/api/v1/patients", None, &body("new-patient-1")).await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    let signed_in = app.post_json("/api/v1/patients", Some("desk-union"), &body("new-patient-x")).await;
    assert_eq!(signed_in.status, 403, "{}", signed_in.text);
    for i in 2..=4 {
        let r = app.post_json("/api/v1/patients", None, &body(&format!("new-patient-{i}"))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // The sixth attempt from this address within the hour is refused, with when to retry.
    let limited = app.post_json("/api/v1/patients", None, &body("new-patient-6")).await;
    assert_eq!(limited.status, 429, "{}", limited.text);
    assert_eq!(limited.json["type"], "https://carebridge.example/problems/too-many-requests");
    let wait: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((3_500..=3_600).contains(&wait), "{wait}");
    app.advance_minutes(61);
    let r = app.post_json("/api/v1/patients", None, &body("new-patient-6")).await;
    assert_eq!(r.status, 201, "after the hour: {}", r.text);

    // Audited, with the contact masked.
    let audit = app.get("/api/v1/audit?action=patient.sign_up", Some("auditor")).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let entries = audit.items();
    assert_eq!(entries.len(), 5, "{}", audit.text);
    assert!(entries.iter().all(|e| e["change"]["contact"] == "+*********8000"), "{}", audit.text);
});
