//! Booking (issue 13), on both backends, through the service's use cases (the HTTP routes come
//! with the next step): a desk publishes a schedule and its slots exist for the horizon; a bad
//! schedule names every field; slots are found by service, region and distance; forty desks'
//! walk-ins race for a slot of three places and exactly three get one; a patient's future
//! bookings are limited; a cancelled booking frees its place; a past slot, a full slot and
//! another facility's slot are refused, changing nothing.

use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
use carebridge_domain::facility::GeoPoint;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_e2e::app::{DemoIds, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_service::booking::{BookingDraft, SlotSearch};
use carebridge_service::{RequestMeta, ServiceError};

fn meta() -> RequestMeta {
    RequestMeta { request_id: Some("booking-test".into()) }
}

async fn principal(app: &TestApp, user: &str) -> Principal {
    app.cb.issue_token(user, DEMO_PASSWORD, &meta()).await.expect("sign in").principal
}

/// Every day 08:00–12:00 (and 14:00–16:00 on weekdays): consultations of 15 minutes for one.
fn union_clinic(demo: &DemoIds, capacity: i64) -> ScheduleDraft {
    ScheduleDraft {
        facility_id: demo.union,
        service: ServiceKind::InternalMedicine,
        clinician: Some("Dr Wang".into()),
        valid_from: None,
        valid_until: None,
        templates: vec![
            TemplateDraft {
                weekdays: vec![1, 2, 3, 4, 5, 6, 7],
                start: "08:00".into(),
                end: "12:00".into(),
                slot_minutes: 15,
                capacity,
            },
            TemplateDraft {
                weekdays: vec![1, 2, 3, 4, 5],
                start: "14:00".into(),
                end: "16:00".into(),
                slot_minutes: 30,
                capacity,
            },
        ],
    }
}

fn pointers(e: &ServiceError) -> Vec<String> {
    match e {
        ServiceError::Invalid(v) => v.0.iter().map(|f| f.pointer.clone()).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The first free slot of Union's internal medicine.
async fn first_slot(app: &TestApp, demo: &DemoIds) -> carebridge_service::booking::SlotView {
    let q =
        SlotSearch { service: Some(ServiceKind::InternalMedicine), facility: Some(demo.union), ..Default::default() };
    let page = app.cb.search_slots(&q).await.expect("a search");
    page.items.into_iter().next().expect("a free slot")
}

both_backends!(a_desk_publishes_a_schedule_and_its_slots_are_found, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    let published = app.cb.publish_schedule(&desk, union_clinic(&demo, 1), &meta()).await.expect("published");
    // 14 days × 16 morning slots + 10 weekdays × 4 afternoon slots, less those already begun
    // today (at most one day's).
    assert!((13 * 16 + 9 * 4..=14 * 16 + 10 * 4).contains(&published.slots_made), "{}", published.slots_made);

    // Found publicly by service and city, and by distance from a point in Jiang'an.
    let city = SlotSearch {
        service: Some(ServiceKind::InternalMedicine),
        region: Some("420100".into()),
        limit: Some(10),
        ..Default::default()
    };
    let page = app.cb.search_slots(&city).await.expect("a search");
    assert_eq!(page.items.len(), 10);
    assert!(page.next_cursor.is_some(), "more pages");
    assert!(page.items.windows(2).all(|w| w[0].slot.starts_at <= w[1].slot.starts_at), "in start order");
    let next = app.cb.search_slots(&SlotSearch { cursor: page.next_cursor.clone(), ..city.clone() }).await.unwrap();
    assert!(next.items[0].slot.starts_at >= page.items[9].slot.starts_at);
    assert!(!next.items.iter().any(|s| page.items.iter().any(|p| p.slot.id == s.slot.id)), "no slot twice");
    let near = SlotSearch {
        service: Some(ServiceKind::InternalMedicine),
        near: Some(GeoPoint { lon: 114.27, lat: 30.60 }),
        radius_km: Some(5.0),
        ..Default::default()
    };
    let page = app.cb.search_slots(&near).await.expect("a search");
    assert!(!page.items.is_empty() && page.items.iter().all(|s| s.distance_km.is_some_and(|d| d <= 5.0)));
    let beijing = SlotSearch { region: Some("110000".into()), ..city.clone() };
    assert!(app.cb.search_slots(&beijing).await.unwrap().items.is_empty(), "none in Beijing");

    // A bad search names its fields.
    let bad = SlotSearch {
        region: Some("999999".into()),
        from: Some("tomorrow".into()),
        radius_km: Some(0.0),
        cursor: Some("zz".into()),
        ..Default::default()
    };
    let e = app.cb.search_slots(&bad).await.unwrap_err();
    assert_eq!(pointers(&e), ["/region", "/from", "/radius_km", "/cursor"]);

    // The same clinician cannot be in two overlapping schedules of the service.
    let e = app.cb.publish_schedule(&desk, union_clinic(&demo, 1), &meta()).await.unwrap_err();
    assert_eq!(pointers(&e), ["/templates/0", "/templates/1"]);
    // Nor can a desk publish for another hospital, or a service its hospital does not offer.
    let mut other = union_clinic(&demo, 1);
    other.facility_id = demo.jinyintan;
    assert_eq!(pointers(&app.cb.publish_schedule(&desk, other, &meta()).await.unwrap_err()), ["/facility_id"]);
    let mut bad = union_clinic(&demo, 0);
    bad.clinician = Some("Dr Li".into());
    bad.templates[1].end = "13:00".into();
    let e = app.cb.publish_schedule(&desk, bad, &meta()).await.unwrap_err();
    assert_eq!(pointers(&e), ["/templates/0/capacity", "/templates/1/end", "/templates/1/capacity"]);
});

both_backends!(forty_walk_ins_race_for_three_places_and_exactly_three_get_one, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    app.cb.publish_schedule(&desk, union_clinic(&demo, 3), &meta()).await.expect("published");
    let slot = first_slot(&app, &demo).await;
    assert_eq!((slot.slot.capacity, slot.free), (3, 3));

    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (cb, desk) = (app.cb.clone(), desk.clone());
            let draft = BookingDraft { slot_id: slot.slot.id, patient_pseudonym: Some(format!("walk-in-{i}")) };
            tokio::spawn(async move { cb.book(&desk, draft, &meta()).await })
        })
        .collect();
    let (mut confirmed, mut full) = (0, 0);
    for t in tasks {
        match t.await.expect("a task") {
            Ok(_) => confirmed += 1,
            Err(ServiceError::Conflict(m)) if m == "the slot is full" => full += 1,
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((confirmed, full), (3, 37));
    let mismatches = carebridge_store::booking::booked_mismatches(&app.cb.store).await.expect("the check");
    assert!(mismatches.is_empty(), "booked counts agree with the bookings: {mismatches:?}");
    let after = carebridge_store::booking::slot(&app.cb.store, slot.slot.id).await.expect("the slot");
    assert_eq!(after.slot.booked, 3);
    // A full slot is no longer offered.
    let q = SlotSearch { facility: Some(demo.union), limit: Some(200), ..Default::default() };
    assert!(!app.cb.search_slots(&q).await.unwrap().items.iter().any(|s| s.slot.id == slot.slot.id));
});

both_backends!(a_patients_bookings_are_limited_cancelled_and_refused_with_reasons, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    app.cb.publish_schedule(&desk, union_clinic(&demo, 1), &meta()).await.expect("published");
    let patient = principal(&app, "patient-demo").await;
    let q = SlotSearch { facility: Some(demo.union), limit: Some(5), ..Default::default() };
    let slots = app.cb.search_slots(&q).await.unwrap().items;

    // Two future bookings of a service at most; the third is refused and changes nothing.
    let first =
        app.cb.book(&patient, BookingDraft { slot_id: slots[0].slot.id, patient_pseudonym: None }, &meta()).await;
    let first = first.expect("booked");
    assert_eq!(first.patient_id, Some(patient.user_id));
    assert_eq!(first.patient_pseudonym, "patient-demo");
    app.cb.book(&patient, BookingDraft { slot_id: slots[1].slot.id, patient_pseudonym: None }, &meta()).await.unwrap();
    let audit = app.audit_count().await;
    let third =
        app.cb.book(&patient, BookingDraft { slot_id: slots[2].slot.id, patient_pseudonym: None }, &meta()).await;
    assert!(matches!(&third, Err(ServiceError::Conflict(m)) if m.contains("2 future bookings")), "{third:?}");
    assert_eq!(app.audit_count().await, audit, "a refusal writes nothing");

    // The same slot again: full (one place).
    let again = app
        .cb
        .book(&desk, BookingDraft { slot_id: slots[0].slot.id, patient_pseudonym: Some("w".into()) }, &meta())
        .await;
    assert!(matches!(&again, Err(ServiceError::Conflict(m)) if m == "the slot is full"), "{again:?}");

    // Cancelling frees the place, and the third booking now goes through.
    let cancelled = app.cb.cancel_booking(&patient, first.id, "feeling better", &meta()).await.expect("cancelled");
    assert_eq!(cancelled.status.as_str(), "cancelled");
    let twice = app.cb.cancel_booking(&patient, first.id, "again", &meta()).await;
    assert!(matches!(twice, Err(ServiceError::Conflict(_))), "{twice:?}");
    app.cb.book(&patient, BookingDraft { slot_id: slots[2].slot.id, patient_pseudonym: None }, &meta()).await.unwrap();
    app.cb
        .book(&desk, BookingDraft { slot_id: slots[0].slot.id, patient_pseudonym: Some("w".into()) }, &meta())
        .await
        .unwrap();

    // Who sees what: the patient their own, another facility's desk nothing, the walk-in
    // needs a name.
    assert_eq!(app.cb.my_bookings(&patient, None).await.unwrap().len(), 3);
    let tongji = principal(&app, "desk-tongji").await;
    assert!(matches!(app.cb.booking(&tongji, first.id).await, Err(ServiceError::NotFound)));
    let other = app
        .cb
        .book(&tongji, BookingDraft { slot_id: slots[3].slot.id, patient_pseudonym: Some("x".into()) }, &meta())
        .await;
    assert_eq!(pointers(&other.unwrap_err()), ["/slot_id"]);
    let nameless =
        app.cb.book(&desk, BookingDraft { slot_id: slots[3].slot.id, patient_pseudonym: None }, &meta()).await;
    assert_eq!(pointers(&nameless.unwrap_err()), ["/patient_pseudonym"]);
    let clinician = principal(&app, "dr-union").await;
    assert!(matches!(
        app.cb.book(&clinician, BookingDraft { slot_id: slots[3].slot.id, patient_pseudonym: None }, &meta()).await,
        Err(ServiceError::Forbidden(_))
    ));

    // A slot that has begun cannot be booked.
    app.advance_minutes(60 * 24 * 15);
    let past = app
        .cb
        .book(&desk, BookingDraft { slot_id: slots[4].slot.id, patient_pseudonym: Some("y".into()) }, &meta())
        .await;
    assert!(matches!(&past, Err(ServiceError::Conflict(m)) if m.contains("already started")), "{past:?}");
    let mismatches = carebridge_store::booking::booked_mismatches(&app.cb.store).await.expect("the check");
    assert!(mismatches.is_empty(), "{mismatches:?}");
});

both_backends!(booking_over_http_is_idempotent_and_refusals_are_problems, |app| async move {
    let demo = app.load_demo().await;
    let schedule = serde_json::to_value(union_clinic(&demo, 1)).expect("a body");
    let published = app.post_json("/api/v1/schedules", Some("desk-union"), &schedule).await;
    assert_eq!(published.status, 201, "{}", published.text);
    assert!(published.header("location").is_some_and(|l| l.starts_with("/api/v1/slots?facility_id=")));

    // Public search around a point in Jiang'an.
    let found = app.get("/api/v1/slots?service=internal_medicine&lon=114.27&lat=30.60&radius_km=5&limit=3", None).await;
    assert_eq!(found.status, 200, "{}", found.text);
    let slot = found.items()[0]["id"].as_str().expect("a slot").to_string();
    assert!(found.items()[0]["distance_km"].as_f64().is_some_and(|d| d <= 5.0), "{}", found.text);
    let half = app.get("/api/v1/slots?lon=114.27", None).await;
    carebridge_e2e::app::assert_invalid(&half, "/lat");

    // A retried booking with the same key is the same booking.
    let token = app.token("patient-demo").await;
    let book = |key: &'static str| {
        app.request(reqwest::Method::POST, "/api/v1/bookings")
            .bearer_auth(token.clone())
            .header("idempotency-key", key)
            .json(&serde_json::json!({"slot_id": slot}))
    };
    let first = app.send(book("k-1")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = app.send(book("k-1")).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json["id"], first.json["id"], "the same booking");
    // Another key for the same slot: full, as a problem naming why; nothing changes.
    let full = app.send(book("k-2")).await;
    carebridge_e2e::app::assert_problem(&full, 409);
    assert_eq!(full.json["detail"], "the slot is full");
    let mine = app.get("/api/v1/bookings", Some("patient-demo")).await;
    assert_eq!(mine.items().len(), 1, "{}", mine.text);

    // The desk reads and cancels it; the slot is free again.
    let id = first.json["id"].as_str().unwrap();
    let seen = app.get(&format!("/api/v1/bookings/{id}"), Some("desk-union")).await;
    assert_eq!(seen.json["patient_pseudonym"], "patient-demo", "{}", seen.text);
    let blank = app
        .post_json(&format!("/api/v1/bookings/{id}/cancel"), Some("desk-union"), &serde_json::json!({"reason": " "}))
        .await;
    carebridge_e2e::app::assert_invalid(&blank, "/reason");
    let cancelled = app
        .post_json(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some("desk-union"),
            &serde_json::json!({"reason": "clinic closed"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.json["status"], "cancelled");
    let free = app.get(&format!("/api/v1/slots?facility_id={}&limit=500", demo.union), None).await;
    assert!(free.items().iter().any(|s| s["id"] == slot.as_str()), "free again");
});

/// The free slots of Union on the local day `ahead` days from today.
async fn slots_on(app: &TestApp, demo: &DemoIds, ahead: i64) -> usize {
    let day = carebridge_domain::booking::LocalDay(app.cb.today().0 + ahead).to_string();
    let q = SlotSearch {
        facility: Some(demo.union),
        from: Some(day.clone()),
        until: Some(day),
        limit: Some(500),
        ..Default::default()
    };
    app.cb.search_slots(&q).await.expect("a search").items.len()
}

both_backends!(the_horizon_moves_with_the_days, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    app.cb.publish_schedule(&desk, union_clinic(&demo, 1), &meta()).await.expect("published");
    // Fourteen days: today + 13 is the last with slots.
    assert!(slots_on(&app, &demo, 13).await >= 16);
    assert_eq!(slots_on(&app, &demo, 14).await, 0, "nothing beyond the horizon");
    // Three days on, the days that came into the horizon get their slots (made by this call,
    // or by the server's own sweep if its tick came first).
    app.advance_minutes(3 * 24 * 60);
    app.cb.extend_slot_horizon().await.expect("extended");
    let start = std::time::Instant::now();
    while slots_on(&app, &demo, 13).await < 16 {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the new last day has its slots");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(slots_on(&app, &demo, 14).await, 0);
    assert_eq!(app.cb.extend_slot_horizon().await.expect("again"), 0, "once a day");
});
