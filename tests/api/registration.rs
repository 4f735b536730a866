//! The online-registration rule (issue 13, point 3), on both backends: a coordinator orders it
//! for a region with its exemptions (emergencies and fevers at least), a district below may
//! lift it, and a desk's check-in tells for each arriving patient whether they hold a slot now,
//! are exempt, or must register (and registers them on the spot into the next free slot); the
//! coordinator's effect view counts each kind of arrival and the no-shows per facility and day.

use carebridge_domain::booking::{BookingStatus, ScheduleDraft, TemplateDraft};
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{CheckInDraft, CheckInOutcome, Exemption, RegistrationOrderDraft};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::Principal;
use carebridge_e2e::app::{assert_invalid, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_service::booking::{BookingDraft, SlotSearch};
use carebridge_service::{RequestMeta, ServiceError};
use carebridge_store::booking::booked_mismatches;
use serde_json::json;

fn meta() -> RequestMeta {
    RequestMeta { request_id: Some("registration-test".into()) }
}

async fn principal(app: &TestApp, user: &str) -> Principal {
    app.cb.issue_token(user, DEMO_PASSWORD, &meta()).await.expect("sign in").principal
}

/// Round the clock, 30-minute consultations, one patient each: a slot always starts within
/// the next half hour.
fn round_the_clock(facility: FacilityId) -> ScheduleDraft {
    ScheduleDraft {
        facility_id: facility,
        service: ServiceKind::InternalMedicine,
        clinician: Some("Dr Registration".into()),
        valid_from: None,
        valid_until: None,
        templates: vec![TemplateDraft {
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            start: "00:00".into(),
            end: "24:00".into(),
            slot_minutes: 30,
            capacity: 1,
        }],
    }
}

fn rule(region: &str, required: bool, exemptions: Vec<Exemption>, app: &TestApp) -> RegistrationOrderDraft {
    RegistrationOrderDraft {
        region_code: RegionCode::parse(region).unwrap(),
        required,
        exemptions,
        effective_at: app.cb.now(),
        reason: "surge: every visit but emergencies and fevers is booked online".into(),
        order_number: "武防指〔2022〕88号".into(),
    }
}

fn arrival(name: &str, exemption: Option<Exemption>, register: bool) -> CheckInDraft {
    CheckInDraft {
        service: ServiceKind::InternalMedicine,
        booking_id: None,
        patient_pseudonym: Some(name.into()),
        exemption,
        register,
    }
}

both_backends!(a_check_in_follows_the_rule_in_force_and_the_effect_view_counts_every_arrival, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    let wuhan = principal(&app, "wuhan").await;
    let beijing = principal(&app, "beijing").await;
    let patient = principal(&app, "patient-demo").await;
    app.cb.publish_schedule(&desk, round_the_clock(demo.union), &meta()).await.expect("published");
    let free = |app: &TestApp| {
        let q = SlotSearch {
            service: Some(ServiceKind::InternalMedicine),
            facility: Some(demo.union),
            limit: Some(5),
            ..Default::default()
        };
        let cb = app.cb.clone();
        async move { cb.search_slots(&q).await.expect("a search").items }
    };

    // Orders are checked by field and by scope, and change nothing when refused.
    let audit = app.audit_count().await;
    match app.cb.order_registration_rule(&wuhan, rule("420100", true, vec![Exemption::Emergency], &app), &meta()).await
    {
        Err(ServiceError::Invalid(v)) => assert_eq!(v.0[0].pointer, "/exemptions", "{v:?}"),
        other => panic!("{other:?}"),
    }
    let everyone = vec![Exemption::Emergency, Exemption::Fever];
    match app.cb.order_registration_rule(&beijing, rule("420100", true, everyone.clone(), &app), &meta()).await {
        Err(ServiceError::Invalid(v)) => assert_eq!(v.0[0].pointer, "/region_code", "{v:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.audit_count().await, audit);

    // No rule yet: an arrival without a booking is a walk-in.
    let walk = app.cb.check_in(&desk, demo.union, arrival("early-bird", None, false), &meta()).await.unwrap();
    assert_eq!(walk.check_in.outcome, CheckInOutcome::WalkIn, "{}", walk.detail);
    assert!(walk.rule.is_none());

    // Wuhan orders the rule: emergencies and fevers exempt.
    let order = app.cb.order_registration_rule(&wuhan, rule("420100", true, everyone, &app), &meta()).await.unwrap();
    app.advance_minutes(1);
    let in_force = app.cb.registration_rule(RegionCode::parse("420103").unwrap()).await.unwrap();
    assert!(in_force.required);
    assert_eq!(in_force.in_force.as_ref().map(|o| o.id), Some(order.id), "the district follows its city");

    // A patient with a booking of the slot starting within the half hour is checked in.
    let next = free(&app).await;
    let booked = app
        .cb
        .book(&patient, BookingDraft { slot_id: next[0].slot.id, patient_pseudonym: None }, &meta())
        .await
        .unwrap();
    let came = app.cb.check_in(&desk, demo.union, arrival("patient-demo", None, false), &meta()).await.unwrap();
    assert_eq!(came.check_in.outcome, CheckInOutcome::Booked, "{}", came.detail);
    assert_eq!(came.check_in.booking_id, Some(booked.id));
    assert_eq!(came.check_in.rule_id, Some(order.id));
    assert_eq!(app.cb.booking(&patient, booked.id).await.unwrap().status, BookingStatus::CheckedIn);
    // Showing the same booking again is refused: it is checked in already.
    let again = CheckInDraft { booking_id: Some(booked.id), patient_pseudonym: None, ..arrival("x", None, false) };
    assert!(matches!(app.cb.check_in(&desk, demo.union, again, &meta()).await, Err(ServiceError::Conflict(_))));

    // Exempt: a fever. Not exempt: childbirth, which this rule does not name.
    let fever = app.cb.check_in(&desk, demo.union, arrival("hot-1", Some(Exemption::Fever), false), &meta()).await;
    assert_eq!(fever.unwrap().check_in.outcome, CheckInOutcome::Exempt);
    let told = app
        .cb
        .check_in(&desk, demo.union, arrival("mother-1", Some(Exemption::Childbirth), false), &meta())
        .await
        .unwrap();
    assert_eq!(told.check_in.outcome, CheckInOutcome::MustRegister, "{}", told.detail);
    assert!(told.detail.contains("does not exempt childbirth"), "{}", told.detail);
    let offered = told.slot.expect("the next free slot is offered");
    assert!(offered.starts_at > app.cb.now() && offered.booked < offered.capacity);

    // Registered on the spot: the next free slot is booked for them, checked in.
    let reg = app.cb.check_in(&desk, demo.union, arrival("walk-in-9", None, true), &meta()).await.unwrap();
    assert_eq!(reg.check_in.outcome, CheckInOutcome::Registered, "{}", reg.detail);
    let made = app.cb.booking(&desk, reg.check_in.booking_id.expect("a booking")).await.unwrap();
    assert_eq!(made.status, BookingStatus::CheckedIn);
    assert_eq!(made.patient_pseudonym, "walk-in-9");
    assert_eq!(Some(made.slot_id), reg.slot.map(|s| s.id));
    assert!(booked_mismatches(&app.cb.store).await.unwrap().is_empty());

    // A booking nobody came to: its slot ends, it counts as a no-show.
    let later = free(&app).await;
    let skipped = later.iter().find(|s| s.slot.id != made.slot_id).expect("another free slot");
    app.cb
        .book(&desk, BookingDraft { slot_id: skipped.slot.id, patient_pseudonym: Some("absent-1".into()) }, &meta())
        .await
        .unwrap();

    // The district lifts the rule for itself: walk-ins again there.
    app.cb.order_registration_rule(&wuhan, rule("420103", false, vec![], &app), &meta()).await.unwrap();
    app.advance_minutes(1);
    let lifted = app.cb.check_in(&desk, demo.union, arrival("late-1", None, false), &meta()).await.unwrap();
    assert_eq!(lifted.check_in.outcome, CheckInOutcome::WalkIn, "{}", lifted.detail);
    let rule_now = app.cb.registration_rule(RegionCode::parse("420103").unwrap()).await.unwrap();
    assert!(!rule_now.required && rule_now.orders.len() == 2, "{rule_now:?}");

    let minutes_to_end = (skipped.slot.ends_at.millis() - app.cb.now().millis()) / 60_000 + 1;
    app.advance_minutes(minutes_to_end);
    let from = carebridge_domain::booking::LocalDay::of(walk.check_in.at).to_string();
    let until = app.cb.today().to_string();
    let effect = app.cb.registration_effect(&wuhan, None, Some(&from), Some(&until)).await.unwrap();
    let union: Vec<_> = effect.iter().filter(|e| e.facility_id == demo.union).collect();
    let total =
        |f: fn(&carebridge_domain::registration::RegistrationEffect) -> i64| union.iter().map(|e| f(e)).sum::<i64>();
    assert_eq!(total(|e| e.booked), 1, "{union:?}");
    assert_eq!(total(|e| e.exempt), 1, "{union:?}");
    assert_eq!(total(|e| e.walk_in), 2, "{union:?}");
    assert_eq!(total(|e| e.registered), 1, "{union:?}");
    assert_eq!(total(|e| e.must_register), 1, "{union:?}");
    assert_eq!(total(|e| e.no_shows), 1, "{union:?}");
    // Beijing governs none of it.
    assert!(app.cb.registration_effect(&beijing, Some("420100"), None, None).await.is_err());
    let own = app.cb.registration_effect(&beijing, None, Some(&from), Some(&until)).await.unwrap();
    assert!(own.iter().all(|e| e.facility_id != demo.union));
});

both_backends!(check_ins_over_http_name_bad_fields_and_the_rule_is_public, |app| async move {
    let demo = app.load_demo().await;
    let path = format!("/api/v1/facilities/{}/check-ins", demo.union);
    let resp = app.post_json(&path, Some("desk-union"), &json!({"service": "internal_medicine"})).await;
    assert_invalid(&resp, "/patient_pseudonym");
    let resp = app
        .post_json(
            &path,
            Some("desk-union"),
            &json!({"service": "internal_medicine", "patient_pseudonym": "a", "exemption": "vip"}),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    let body = json!({"region_code": "420100", "required": true, "exemptions": ["fever"],
                      "effective_at": app.now_plus_hours(0), "reason": "r", "order_number": "n"});
    let resp = app.post_json("/api/v1/registration-orders", Some("wuhan"), &body).await;
    assert_invalid(&resp, "/exemptions");
    let body = json!({"region_code": "420100", "required": true, "exemptions": ["fever", "emergency", "elderly"],
                      "effective_at": app.now_plus_hours(0), "reason": "surge", "order_number": "WH-1"});
    let resp = app.post_json("/api/v1/registration-orders", Some("wuhan"), &body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let location = resp.header("location").expect("a Location").to_string();
    assert_eq!(app.get(&location, None).await.status, 200);
    let rule = app.get("/api/v1/regions/420103/registration-rule", None).await;
    assert_eq!(rule.status, 200, "{}", rule.text);
    assert_eq!(rule.json["required"], true);
    assert_eq!(rule.json["in_force"]["exemptions"], json!(["emergency", "fever", "elderly"]));
    let checked = app
        .post_json(
            &path,
            Some("desk-union"),
            &json!({"service": "internal_medicine", "patient_pseudonym": "old-1", "exemption": "elderly"}),
        )
        .await;
    assert_eq!(checked.status, 201, "{}", checked.text);
    assert_eq!(checked.json["outcome"], "exempt");
    let list = app.get(&path, Some("wuhan")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json.as_array().map(Vec::len), Some(1));
    assert_invalid(&app.get(&format!("{path}?day=yesterday"), Some("desk-union")).await, "/day");
});
