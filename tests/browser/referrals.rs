//! The referral journey of the issue, through the pages only: Union's clinician files a referral
//! with the form; the facility the engine offers it to sees it in its desk inbox with the hold
//! ticking down, and declines with a reason; the referral goes straight out to another facility
//! (the timeline on the referral's page says so, step by step); that facility's desk accepts;
//! and the clinician's page shows the patient accepted, in English and in Chinese.
//!
//! Desks for the offered facilities are created through the API as `nhc` (the demo has one
//! desk, Union's, and the engine's first choice need not be Union).

use crate::{demo_app, sign_in, sign_out};
use carebridge_e2e::app::{TestApp, DEMO_PASSWORD};
use carebridge_e2e::browser::Browser;
use carebridge_e2e::fixtures::new_user;

/// The password of the desks this test creates.
const DESK_PASSWORD: &str = "a-long-enough-password";

/// The facility holding the referral's current offer, read through the API as the clinician.
async fn offered_facility(app: &TestApp, referral: &str) -> String {
    let r = app.get(&format!("/api/v1/referrals/{referral}"), Some("dr-union")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["current_offer"]["facility_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the referral holds an offer: {}", r.text))
        .to_string()
}

/// A desk account for `facility`, created by the national coordinator; its username.
async fn desk_for(app: &TestApp, facility: &str) -> String {
    let username = format!("desk-{}", &facility[facility.len() - 12..]);
    let created =
        app.post_json("/api/v1/users", Some("nhc"), &new_user(&username, "facility_desk", Some(facility))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    username
}

/// The timeline's step kinds, oldest first.
async fn timeline_kinds(b: &Browser) -> Vec<String> {
    let v =
        b.js(r#"return [...document.querySelectorAll("ol.timeline > li")].map(li => li.dataset.kind);"#, vec![]).await;
    serde_json::from_value(v).expect("a list of kinds")
}

/// The desk opens its inbox and finds the patient's card; returns the card's CSS selector.
async fn open_inbox_card(b: &Browser, pseudonym: &str) -> String {
    b.goto("/desk/offers").await;
    assert_eq!(b.text("h1").await.split(' ').next(), Some("Offers"), "{}", b.text("h1").await);
    let cards = b.texts(".offer-card h2").await;
    let index = cards
        .iter()
        .position(|c| c.contains(pseudonym))
        .unwrap_or_else(|| panic!("the inbox shows {pseudonym}: {cards:?}"));
    format!(".offer-card:nth-of-type({})", index + 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_referral_filed_in_the_form_is_declined_offered_again_and_accepted() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;

    // The clinician files the spinal-tumour patient through the form.
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    b.click_and_wait(r#"header.site nav a[href="/referrals"]"#).await;
    assert_eq!(b.text("h1").await, "Referrals");
    b.click_and_wait(r#"a.button[href="/referrals/new"]"#).await;
    assert_eq!(b.path().await, "/referrals/new");
    assert!(b.prop("#region_code", "value").await.is_some_and(|v| v.starts_with("4201")), "prefilled with Union's");
    b.type_into("#pseudonym", "p-browser").await;
    b.choose("#age_band", "young_adult").await;
    let region = b.find("#region_code").await;
    b.step("clear the region", region.clear()).await;
    b.type_into("#region_code", "420103").await;
    b.choose("#infection", "negative").await;
    b.choose("#need", "neurosurgery").await;
    b.choose("#urgency", "urgent").await;
    b.type_into("#note", "Cord compression at T10; surgery advised.").await;
    b.click_and_wait(r#"form.referral-form button[type="submit"]"#).await;
    let path = b.path().await;
    let referral = path.strip_prefix("/referrals/").unwrap_or_else(|| panic!("to the referral's page, not {path}"));
    let referral = referral.to_string();
    assert_eq!(b.text(".notice").await, "The referral is filed.");
    assert_eq!(b.text("#referral-status").await, "Offered");
    assert_eq!(timeline_kinds(&b).await, ["filed", "offered"]);
    let first = offered_facility(&app, &referral).await;

    // The offered facility's desk sees it with the hold ticking down, and declines.
    let desk = desk_for(&app, &first).await;
    sign_out(&b).await;
    sign_in(&b, &desk, DESK_PASSWORD).await;
    assert_eq!(b.count(r#"header.site nav a[href="/desk/offers"]"#).await, 1, "the desk's navigation has its inbox");
    let card = open_inbox_card(&b, "p-browser").await;
    let card_text = b.text(&card).await;
    assert!(card_text.contains("Neurosurgery") && card_text.contains("Urgent"), "{card_text}");
    assert!(card_text.contains("Tested negative") && card_text.contains("aged 18–39"), "{card_text}");
    assert!(b.attr(&format!("{card} .countdown time"), "datetime").await.is_some(), "the expiry is machine-readable");
    let left = format!("{card} .countdown .left");
    let before = b.text(&left).await;
    assert!(before.starts_with("1:59:") || before == "2:00:00", "a two-hour hold: {before}");
    b.wait_until(
        "the countdown to tick",
        &format!(
            r#"const e = document.querySelector("{}"); return e !== null && e.textContent !== "{before}";"#,
            left.replace('"', "\\\"")
        ),
    )
    .await;
    let after = b.text(&left).await;
    assert!(after < before, "the time left goes down: {before} → {after}");

    b.choose(&format!("{card} form.decline select[name=reason]"), "no_specialist").await;
    b.type_into(&format!("{card} form.decline input[name=note]"), "Our spine surgeon is in isolation.").await;
    b.click_and_wait(&format!("{card} form.decline button[type=submit]")).await;
    assert_eq!(b.location().await, "/desk/offers?notice=declined");
    assert_eq!(b.text(".notice").await, "Declined. The patient is being offered elsewhere.");
    assert!(!b.text("main").await.contains("p-browser"), "the declined offer has left the inbox");

    // The referral page's timeline: declined, and offered again at once to someone else.
    b.goto(&format!("/referrals/{referral}")).await;
    assert_eq!(timeline_kinds(&b).await, ["filed", "offered", "declined", "offered"]);
    let steps = b.texts("ol.timeline > li .what").await;
    assert!(steps[2].starts_with("Declined by ") && steps[2].ends_with(": No specialist available"), "{steps:?}");
    assert!(b.text("ol.timeline > li.ev-declined").await.contains("Our spine surgeon is in isolation."));
    assert_eq!(b.count("ol.timeline time[datetime]").await, 4, "every step is timestamped");
    assert_eq!(b.text("#referral-status").await, "Offered");
    let second = offered_facility(&app, &referral).await;
    assert_ne!(second, first, "never back to the hospital that declined");
    assert_ne!(steps[1], steps[3], "the second offer names another facility: {steps:?}");

    // The second desk accepts.
    let desk2 = desk_for(&app, &second).await;
    sign_out(&b).await;
    sign_in(&b, &desk2, DESK_PASSWORD).await;
    let card = open_inbox_card(&b, "p-browser").await;
    b.click_and_wait(&format!("{card} form.accept button[type=submit]")).await;
    assert_eq!(b.location().await, "/desk/offers?notice=accepted");
    assert_eq!(b.text(".notice").await, "Accepted. The referring clinician sees it now.");

    // The clinician sees the patient accepted, in both languages.
    sign_out(&b).await;
    sign_in(&b, "dr-union", DEMO_PASSWORD).await;
    b.goto(&format!("/referrals/{referral}")).await;
    assert_eq!(b.text("#referral-status").await, "Accepted");
    assert!(b.text("#status-sentence").await.ends_with("has accepted the patient. Next: admission."));
    assert_eq!(timeline_kinds(&b).await, ["filed", "offered", "declined", "offered", "accepted"]);
    let offers = b.texts("table.offers tbody td:nth-child(4)").await;
    assert_eq!(offers.len(), 2, "{offers:?}");
    assert!(offers[0].starts_with("Declined: No specialist available"), "{offers:?}");
    assert_eq!(offers[1], "Accepted");
    b.click_and_wait(r#"header.site nav a[lang="zh-CN"]"#).await;
    assert_eq!(b.text("#referral-status").await, "医院已接收");
    assert_eq!(b.text("#timeline-h").await, "时间线");
    assert_eq!(b.attr("html", "lang").await.as_deref(), Some("zh-CN"));
    b.goto("/referrals").await;
    assert!(b.text("table.referrals tbody").await.contains("医院已接收"), "the tracker shows it too, in Chinese");
}
