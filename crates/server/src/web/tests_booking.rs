//! The desk's check-in page, the fever-queue board (and its big-screen mode) and the public
//! fever-clinic waits, driven through the real router over the demo scenario in both languages.

use super::test_support::{get, post, send, sign_in_with_csrf as sign_in};
use crate::state::AppState;
use axum::http::StatusCode;
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{Exemption, RegistrationOrderDraft};
use carebridge_service::Carebridge;
use carebridge_store::Store;

async fn app() -> (axum::Router, AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("booking.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    cb.load_scenario(&carebridge_scenario::demo(1, cb.now(), &cb.regions)).await.unwrap();
    let state = AppState::new(cb);
    (crate::startup::router(state.clone()), state, dir)
}

#[tokio::test]
async fn a_desk_checks_patients_in_against_the_rule_in_force() {
    let (app, state, _dir) = app().await;
    let (desk, csrf) = sign_in(&app, "desk-union").await;
    let zh = send(&app, get("/desk/check-in?lang=zh", &desk)).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.body);
    assert!(zh.body.contains("患者报到") && zh.body.contains("本地区目前没有网上预约要求"), "{}", zh.body);
    assert!(zh.body.contains(r#"href="/desk/check-in" aria-current="page""#));

    let form =
        |name: &str, extra: &str| format!("csrf={csrf}&service=internal_medicine&patient_pseudonym={name}{extra}");
    let walk = send(&app, post("/desk/check-in?lang=en", &desk, &form("walker-1", ""))).await;
    assert_eq!(walk.status, StatusCode::OK, "{}", walk.body);
    assert!(walk.body.contains(r#"data-outcome="walk_in""#), "{}", walk.body);

    // Wuhan orders the rule: a patient without a booking must register; registering books the
    // next free slot (there is none until a schedule is published, so the page says why).
    let wuhan = state.cb.issue_token("wuhan", carebridge_scenario::DEMO_PASSWORD, &Default::default()).await.unwrap();
    let rule = RegistrationOrderDraft {
        region_code: RegionCode::parse("420100").unwrap(),
        required: true,
        exemptions: vec![Exemption::Emergency, Exemption::Fever],
        effective_at: state.cb.now(),
        reason: "surge".into(),
        order_number: "WH-P1".into(),
    };
    state.cb.order_registration_rule(&wuhan.principal, rule, &Default::default()).await.unwrap();
    let page = send(&app, get("/desk/check-in?lang=en", &desk)).await;
    assert!(
        page.body.contains("Visits here need an online registration") && page.body.contains("WH-P1"),
        "{}",
        page.body
    );
    let told = send(&app, post("/desk/check-in?lang=en", &desk, &form("walker-2", "&register=on"))).await;
    assert!(told.body.contains(r#"data-outcome="must_register""#), "{}", told.body);
    assert!(told.body.contains("no slot of internal medicine is free"), "{}", told.body);
    let exempt = send(&app, post("/desk/check-in?lang=en", &desk, &form("hot-2", "&exemption=fever"))).await;
    assert!(exempt.body.contains(r#"data-outcome="exempt""#), "{}", exempt.body);
    // Today's list shows all three, latest first.
    assert_eq!(exempt.body.matches("<tr><td>").count(), 3, "{}", exempt.body);

    // A bad booking number is named on the page; a form without its CSRF token is refused.
    let bad = send(&app, post("/desk/check-in?lang=en", &desk, &form("x", "&booking_id=nope"))).await;
    assert!(bad.body.contains("is not a booking number"), "{}", bad.body);
    let forged = send(&app, post("/desk/check-in", &desk, "service=internal_medicine&patient_pseudonym=x")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Only desks check patients in.
    let (patient, _) = sign_in(&app, "patient-demo").await;
    assert_eq!(send(&app, get("/desk/check-in", &patient)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/desk/check-in", "")).await.location(), "/login");
}

#[tokio::test]
async fn the_fever_board_keeps_the_queue_and_the_public_sees_the_waits() {
    let (app, _state, _dir) = app().await;
    let (desk, csrf) = sign_in(&app, "desk-union").await;
    for name in ["fever-a", "fever-b", "fever-c"] {
        let added =
            send(&app, post("/desk/fever/arrive", &desk, &format!("csrf={csrf}&patient_pseudonym={name}"))).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let board = send(&app, get("/desk/fever?lang=en", &desk)).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    assert!(board.body.contains(r#"<dd id="waiting-count">3</dd>"#), "{}", board.body);
    assert!(
        board.body.contains(r#"<dd id="wait-minutes" class="big">40 min</dd>"#),
        "(3 + 1) / 6 an hour: {}",
        board.body
    );
    // Call the first.
    let at = board.body.find(r#"action="/desk/fever/"#).unwrap() + r#"action="/desk/fever/"#.len();
    let id = board.body[at..].split('/').next().unwrap().to_string();
    let called =
        send(&app, post(&format!("/desk/fever/{id}/move"), &desk, &format!("csrf={csrf}&status=called"))).await;
    assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", called.body);
    let again = send(&app, post(&format!("/desk/fever/{id}/move"), &desk, &format!("csrf={csrf}&status=called"))).await;
    assert!(again.location().starts_with("/desk/fever?error="), "a second call is refused with a reason");
    let board = send(&app, get("/desk/fever?lang=zh", &desk)).await;
    assert!(board.body.contains("就诊中") && board.body.contains(r#"<dd id="waiting-count">2</dd>"#), "{}", board.body);

    // The big screen refreshes itself, shows no forms and no full names.
    let screen = send(&app, get("/desk/fever?screen=1&lang=en", &desk)).await;
    assert!(screen.body.contains(r#"<meta http-equiv="refresh" content="30">"#), "{}", screen.body);
    assert!(!screen.body.contains("/desk/fever/arrive") && !screen.body.contains("fever-b<"), "{}", screen.body);
    assert!(screen.body.contains("…r-b"), "{}", screen.body);

    // The public page: anyone, by city or from a point, with a recommendation from a point.
    let city = send(&app, get("/fever?region=420100&lang=en", "")).await;
    assert_eq!(city.status, StatusCode::OK, "{}", city.body);
    assert!(city.body.contains("Fever clinic waits") && city.body.contains("Wuhan Union Hospital"), "{}", city.body);
    let near = send(&app, get("/fever?lon=114.27&lat=30.59&lang=zh", "")).await;
    assert!(near.body.contains(r#"id="recommended""#) && near.body.contains("推荐前往"), "{}", near.body);
}
