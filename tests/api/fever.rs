//! Fever clinics (issue 13, point 4), on both backends: a desk keeps its queue (check in, call,
//! seen, left), the wait estimate reads it, the public waits recommend the clinic that
//! minimises travel plus wait, and coordinators are alerted past their region's threshold.

use carebridge_domain::fever::FeverVisitStatus;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{CheckInDraft, Exemption, RegistrationOrderDraft};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_domain::user::{Principal, Scope};
use carebridge_e2e::app::{assert_invalid, TestApp, DEMO_PASSWORD};
use carebridge_e2e::both_backends;
use carebridge_service::fever::{FeverArrival, FeverWaitSearch, ThresholdBody};
use carebridge_service::{RequestMeta, ServiceError};
use serde_json::json;

fn meta() -> RequestMeta {
    RequestMeta { request_id: Some("fever-test".into()) }
}

async fn principal(app: &TestApp, user: &str) -> Principal {
    app.cb.issue_token(user, DEMO_PASSWORD, &meta()).await.expect("sign in").principal
}

async fn arrive(
    app: &TestApp,
    desk: &Principal,
    facility: FacilityId,
    name: &str,
) -> carebridge_domain::fever::FeverVisit {
    let arrival = FeverArrival { patient_pseudonym: name.into() };
    app.cb.fever_arrive(desk, facility, arrival, &meta()).await.expect("joins the queue")
}

both_backends!(a_fever_queue_gives_an_honest_wait_and_the_city_sees_where_it_is_shortest, |app| async move {
    let demo = app.load_demo().await;
    let desk = principal(&app, "desk-union").await;
    let tongji_desk = principal(&app, "desk-tongji").await;
    let wuhan = principal(&app, "wuhan").await;
    let beijing = principal(&app, "beijing").await;
    let tongji = match tongji_desk.scope {
        Scope::Facility(f) => f,
        other => panic!("{other:?}"),
    };

    // Five arrive at Union's fever clinic as it opens: nobody seen yet, so the prior rate (6 an
    // hour) prices the sixth's wait at an hour.
    let mut visits = Vec::new();
    for n in 0..5 {
        visits.push(arrive(&app, &desk, demo.union, &format!("fever-{n}")).await);
    }
    let board = app.cb.fever_board(&desk, demo.union).await.unwrap();
    assert_eq!((board.wait.waiting, board.wait.in_service), (5, 0));
    assert_eq!(board.wait.estimate.minutes, 60, "{:?}", board.wait.estimate);
    assert_eq!(board.waiting.iter().map(|v| v.id).collect::<Vec<_>>(), visits.iter().map(|v| v.id).collect::<Vec<_>>());

    // Two clinicians call two; 12 minutes later both are seen and call the next two. Two
    // consultations of 12 minutes and three priors of 10 make 10.8 minutes each; two being seen
    // and one waiting: (1 + 1) × 10.8 / 2 = 10.8 → 11 minutes.
    for v in &visits[..2] {
        app.cb.move_fever_visit(&desk, v.id, FeverVisitStatus::Called, &meta()).await.unwrap();
    }
    app.advance_minutes(12);
    for v in &visits[..2] {
        app.cb.move_fever_visit(&desk, v.id, FeverVisitStatus::Seen, &meta()).await.unwrap();
    }
    for v in &visits[2..4] {
        app.cb.move_fever_visit(&desk, v.id, FeverVisitStatus::Called, &meta()).await.unwrap();
    }
    let board = app.cb.fever_board(&desk, demo.union).await.unwrap();
    assert_eq!((board.wait.waiting, board.wait.in_service), (1, 2));
    assert_eq!(board.wait.estimate.minutes, 11, "{:?}", board.wait.estimate);
    assert_eq!(board.wait.estimate.patients_per_hour, 11.1);

    // Moves go forward only, and only at the patient's own clinic.
    let e = app.cb.move_fever_visit(&desk, visits[0].id, FeverVisitStatus::Called, &meta()).await.unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    let e = app.cb.move_fever_visit(&tongji_desk, visits[4].id, FeverVisitStatus::Called, &meta()).await.unwrap_err();
    assert!(matches!(e, ServiceError::NotFound), "{e:?}");
    let left = app.cb.move_fever_visit(&desk, visits[4].id, FeverVisitStatus::Left, &meta()).await.unwrap();
    assert_eq!(left.status, FeverVisitStatus::Left);

    // A check-in for the fever clinic joins the queue in the same transaction, exempt under
    // a registration rule.
    let rule = RegistrationOrderDraft {
        region_code: RegionCode::parse("420100").unwrap(),
        required: true,
        exemptions: vec![Exemption::Emergency, Exemption::Fever],
        effective_at: app.cb.now(),
        reason: "surge".into(),
        order_number: "WH-F1".into(),
    };
    app.cb.order_registration_rule(&wuhan, rule, &meta()).await.unwrap();
    for n in 0..8 {
        let draft = CheckInDraft {
            service: ServiceKind::FeverClinic,
            booking_id: None,
            patient_pseudonym: Some(format!("hot-{n}")),
            exemption: Some(Exemption::Fever),
            register: false,
        };
        let answer = app.cb.check_in(&desk, demo.union, draft, &meta()).await.unwrap();
        assert!(answer.fever_visit_id.is_some(), "{}", answer.detail);
    }
    let board = app.cb.fever_board(&wuhan, demo.union).await.unwrap();
    assert_eq!(board.wait.waiting, 8);
    let union_wait = board.wait.estimate.minutes;
    assert!(union_wait >= 45, "{:?}", board.wait.estimate);

    // From Union's door, the recommendation is a clinic with a shorter travel plus wait.
    let union_location = board.wait.location;
    let waits = app
        .cb
        .fever_waits(&FeverWaitSearch { region: None, near: Some(union_location), radius_km: Some(10.0) })
        .await
        .unwrap();
    let recommended = waits.recommended.expect("a recommendation");
    assert_ne!(recommended, demo.union);
    let totals: Vec<i64> = waits.clinics.iter().map(|c| c.total_minutes.expect("with a point")).collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "sorted by travel + wait: {totals:?}");
    let union_row = waits.clinics.iter().find(|c| c.facility_id == demo.union).expect("Union is listed");
    assert_eq!((union_row.waiting, union_row.travel_minutes), (8, Some(0)));
    assert!(waits.clinics[0].total_minutes < union_row.total_minutes);
    assert!(waits.clinics.iter().any(|c| c.facility_id == tongji));

    // Wuhan alerts past 30 minutes: Union is listed, quiet Tongji is not; Beijing sees neither.
    let set = app
        .cb
        .set_fever_threshold(&wuhan, RegionCode::parse("420100").unwrap(), ThresholdBody { minutes: Some(30) }, &meta())
        .await;
    assert_eq!(set.unwrap().minutes, 30);
    let inherited = app.cb.fever_threshold(RegionCode::parse("420103").unwrap()).await.unwrap();
    assert_eq!((inherited.minutes, inherited.set_by.map(|c| c.to_string())), (30, Some("420100".into())));
    let alerts = app.cb.fever_alerts(&wuhan, None).await.unwrap();
    assert!(alerts.iter().any(|a| a.facility_id == demo.union && a.over_threshold), "{alerts:?}");
    assert!(alerts.iter().all(|a| a.facility_id != tongji));
    let none = app.cb.fever_alerts(&beijing, None).await.unwrap();
    assert!(none.iter().all(|a| a.facility_id != demo.union));
    let bad = app
        .cb
        .set_fever_threshold(&wuhan, RegionCode::parse("420100").unwrap(), ThresholdBody { minutes: Some(5) }, &meta())
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid(_))), "{bad:?}");
});

both_backends!(fever_waits_over_http_are_public_and_name_bad_input, |app| async move {
    let demo = app.load_demo().await;
    assert_invalid(&app.get("/api/v1/fever-waits", None).await, "/region");
    assert_invalid(&app.get("/api/v1/fever-waits?lon=114.3", None).await, "/lat");
    let waits = app.get("/api/v1/fever-waits?region=420100", None).await;
    assert_eq!(waits.status, 200, "{}", waits.text);
    assert!(waits.json["clinics"].as_array().is_some_and(|c| !c.is_empty()), "{}", waits.text);
    assert!(waits.json["recommended"].is_null());
    let path = format!("/api/v1/facilities/{}/fever-queue", demo.union);
    assert_invalid(
        &app.post_json(&path, Some("desk-union"), &json!({"patient_pseudonym": " "})).await,
        "/patient_pseudonym",
    );
    let joined = app.post_json(&path, Some("desk-union"), &json!({"patient_pseudonym": "hot-http"})).await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    let id = joined.json["id"].as_str().unwrap();
    let moved = app
        .post_json(&format!("/api/v1/fever-visits/{id}/status"), Some("desk-union"), &json!({"status": "seen"}))
        .await;
    assert_eq!(moved.status, 409, "waiting cannot become seen: {}", moved.text);
    let board = app.get(&path, Some("desk-union")).await;
    assert_eq!(board.status, 200, "{}", board.text);
    assert_eq!(board.json["waiting"].as_array().map(Vec::len), Some(1));
});
