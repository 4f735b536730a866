//! A hospital desk's day under the online-registration rule, in a real browser: Union's desk
//! checks a walk-in in before the rule, Wuhan orders the rule, the desk registers a patient on
//! the spot into the next free slot and admits a feverish one as exempt; the fever clinic's
//! board takes arrivals and calls them, and its big-screen mode refreshes itself; a patient on a
//! phone, in Chinese, finds the recommended fever clinic on the public page.

use crate::sign_in;
use carebridge_domain::booking::{ScheduleDraft, TemplateDraft};
use carebridge_domain::region::RegionCode;
use carebridge_domain::registration::{Exemption, RegistrationOrderDraft};
use carebridge_domain::service_kind::ServiceKind;
use carebridge_e2e::app::{spawn_app, Backend, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, BrowserOptions, Key, PHONE};

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_checks_patients_in_under_the_rule_and_keeps_the_fever_queue() {
    let app = spawn_app(Backend::Sqlite).await.expect("the SQLite backend needs no configuration");
    let demo = app.load_demo().await;
    let meta = Default::default();
    let desk = app.cb.issue_token("desk-union", DEMO_PASSWORD, &meta).await.unwrap().principal;
    let clinic = ScheduleDraft {
        facility_id: demo.union,
        service: ServiceKind::InternalMedicine,
        clinician: Some("Dr Browser".into()),
        valid_from: None,
        valid_until: None,
        templates: vec![TemplateDraft {
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            start: "00:00".into(),
            end: "24:00".into(),
            slot_minutes: 30,
            capacity: 1,
        }],
    };
    app.cb.publish_schedule(&desk, clinic, &meta).await.unwrap();

    let b = Browser::launch(&app.address).await;
    sign_in(&b, "desk-union", DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/desk/check-in"]"#).await;
    assert!(!b.text("h1 .place").await.is_empty());
    assert!(b.text("#rule").await.contains("No online-registration rule"), "{}", b.text("#rule").await);
    b.type_into("#patient_pseudonym", "walker-1").await;
    b.click_and_wait("form.check-in-form button[type=submit]").await;
    assert_eq!(b.attr(".check-in-result", "data-outcome").await.as_deref(), Some("walk_in"));

    let wuhan = app.cb.issue_token("wuhan", DEMO_PASSWORD, &meta).await.unwrap().principal;
    let rule = RegistrationOrderDraft {
        region_code: RegionCode::parse("420100").unwrap(),
        required: true,
        exemptions: vec![Exemption::Emergency, Exemption::Fever],
        effective_at: app.cb.now(),
        reason: "surge".into(),
        order_number: "武防指〔2022〕88号".into(),
    };
    app.cb.order_registration_rule(&wuhan, rule, &meta).await.unwrap();

    // Registered on the spot into the next free slot.
    b.goto("/desk/check-in").await;
    assert!(b.text("#rule").await.contains("武防指〔2022〕88号"));
    b.type_into("#patient_pseudonym", "walker-2").await;
    b.click("#register").await;
    b.click_and_wait("form.check-in-form button[type=submit]").await;
    assert_eq!(b.attr(".check-in-result", "data-outcome").await.as_deref(), Some("registered"));
    assert!(b.text(".check-in-result").await.contains("Slot"), "{}", b.text(".check-in-result").await);
    b.assert_no_raw_keys("/desk/check-in (registered)").await;

    // A fever: exempt, for the fever clinic, which puts them in its queue.
    b.choose("#service", "fever_clinic").await;
    b.type_into("#patient_pseudonym", "hot-1").await;
    b.choose("#exemption", "fever").await;
    b.click_and_wait("form.check-in-form button[type=submit]").await;
    assert_eq!(b.attr(".check-in-result", "data-outcome").await.as_deref(), Some("exempt"));
    assert_eq!(b.count("table.check-ins tbody tr").await, 3);

    // The fever board: the checked-in patient waits; another arrives; call the first.
    b.click_and_wait(r#"header.site nav a[href="/desk/fever"]"#).await;
    assert_eq!(b.text("#waiting-count").await, "1");
    b.type_into("form.arrive #patient_pseudonym", "hot-2").await;
    b.press_and_wait(&Key::Enter).await;
    assert_eq!(b.text("#waiting-count").await, "2");
    assert_eq!(b.texts("ol.waiting li strong").await, ["hot-1", "hot-2"]);
    b.click_and_wait("ol.waiting li:first-child form button[type=submit]").await;
    assert_eq!(b.texts("ol.in-service li strong").await, ["hot-1"]);
    assert!(b.text("#wait-minutes").await.ends_with("min"), "{}", b.text("#wait-minutes").await);
    b.assert_fits("/desk/fever (desktop, en)").await;

    // The waiting room's screen: refreshes itself, no forms, no full names.
    b.click_and_wait(r#"a[href="/desk/fever?screen=1"]"#).await;
    assert_eq!(b.attr(r#"meta[http-equiv="refresh"]"#, "content").await.as_deref(), Some("30"));
    assert_eq!(b.count(".big-screen form").await, 0);
    assert!(b.texts("ol.waiting li strong").await.iter().all(|n| n.starts_with('…')));
    b.quit().await;

    // A patient on a phone, in Chinese, finds where to go.
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    b.goto("/fever?lon=114.27&lat=30.59").await;
    assert_eq!(b.text("h1").await, "发热门诊等候时间");
    assert!(b.text("#recommended").await.contains("推荐前往"), "{}", b.text("#recommended").await);
    b.assert_fits_phone("/fever (phone, zh)").await;
}
