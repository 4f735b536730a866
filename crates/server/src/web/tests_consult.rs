//! The online-consultation pages through the real router over the demo scenario: a patient
//! asks in Chinese, a clinician takes the next and answers with a medicine, the patient reads
//! it in English; a wrong region names the field, and other roles are refused.

use super::test_support::{get, post, send, sign_in_with_csrf as sign_in};
use axum::http::StatusCode;
use carebridge_service::consultations::OnlineCareBody;
use carebridge_service::Carebridge;
use carebridge_store::Store;

#[tokio::test]
async fn a_patient_asks_and_reads_the_clinicians_written_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("consult.sqlite").display()), 4).await.unwrap();
    carebridge_store::migrate::run(&store).await.unwrap();
    let cb = Carebridge::new(store);
    let scenario = carebridge_scenario::demo(1, cb.now(), &cb.regions);
    cb.load_scenario(&scenario).await.unwrap();
    let union = scenario.facility_id(carebridge_scenario::WUHAN_UNION_KEY).unwrap();
    let wuhan = cb.issue_token("wuhan", carebridge_scenario::DEMO_PASSWORD, &Default::default()).await.unwrap();
    cb.set_online_care(&wuhan.principal, union, OnlineCareBody { open: true }, &Default::default()).await.unwrap();
    let state = crate::state::AppState::new(cb);
    let app = crate::startup::router(state);

    let (patient, csrf) = sign_in(&app, "patient-demo").await;
    let zh = send(&app, get("/consult?lang=zh", &patient)).await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.body);
    assert!(zh.body.contains("在线问诊") && zh.body.contains("拨打120"), "{}", zh.body);
    assert!(zh.body.contains(&format!(r#"<option value="{union}""#)), "Union is offered: {}", zh.body);
    assert!(zh.body.contains(r#"href="/consult" aria-current="page""#));

    let form = |region: &str| {
        format!("csrf={csrf}&facility_id={union}&complaint=%E5%92%B3%E5%97%BD%E4%B8%80%E5%91%A8&age_band=senior&region_code={region}")
    };
    let wrong = send(&app, post("/consult?lang=en", &patient, &form("42010"))).await;
    assert_eq!(wrong.status, StatusCode::OK, "{}", wrong.body);
    assert!(
        wrong.body.contains(r#"role="alert""#) && wrong.body.contains("Where you are (region code)"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("咳嗽一周"), "what was typed is kept: {}", wrong.body);
    let asked = send(&app, post("/consult", &patient, &form("420102"))).await;
    assert_eq!((asked.status, asked.location()), (StatusCode::SEE_OTHER, "/consult"), "{}", asked.body);
    let mine = send(&app, get("/consult?lang=en", &patient)).await;
    assert!(
        mine.body.contains(r#"data-status="waiting""#) && mine.body.contains("Place in the queue: <strong>1</strong>"),
        "{}",
        mine.body
    );

    // Other roles do not open either page.
    let (desk, _) = sign_in(&app, "desk-union").await;
    assert_eq!(send(&app, get("/consult", &desk)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/clinic/consultations", &desk)).await.status, StatusCode::FORBIDDEN);

    let (doctor, dcsrf) = sign_in(&app, "dr-union").await;
    let queue = send(&app, get("/clinic/consultations?lang=en", &doctor)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Waiting (1)") && queue.body.contains("咳嗽一周"), "{}", queue.body);
    let took = send(&app, post("/clinic/consultations/next", &doctor, &format!("csrf={dcsrf}"))).await;
    assert_eq!(took.status, StatusCode::SEE_OTHER, "{}", took.body);
    let queue = send(&app, get("/clinic/consultations?lang=en", &doctor)).await;
    let id = queue
        .body
        .split(r#"action="/clinic/consultations/"#)
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("an answer form")
        .to_string();
    let empty = send(&app, post("/clinic/consultations/next?lang=en", &doctor, &format!("csrf={dcsrf}"))).await;
    assert!(empty.body.contains("Nobody is waiting."), "{}", empty.body);

    let blank = send(
        &app,
        post(&format!("/clinic/consultations/{id}/answer?lang=en"), &doctor, &format!("csrf={dcsrf}&answer=")),
    )
    .await;
    assert!(blank.body.contains(r#"role="alert""#) && blank.body.contains("answer"), "{}", blank.body);
    let answer = format!("csrf={dcsrf}&answer=Rest+and+drink.&medicines=paracetamol+500+mg+%E2%80%94+every+6+hours");
    let sent = send(&app, post(&format!("/clinic/consultations/{id}/answer"), &doctor, &answer)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    let read = send(&app, get("/consult?lang=en", &patient)).await;
    assert!(read.body.contains(r#"data-status="answered""#) && read.body.contains("Rest and drink."), "{}", read.body);
    assert!(read.body.contains("<li>paracetamol 500 mg — every 6 hours</li>"), "{}", read.body);
}
