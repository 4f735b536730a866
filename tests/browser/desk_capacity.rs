//! A facility desk reports capacity from its phone: signs in, opens the form on a 390 px
//! screen in Chinese, changes a number, sends it, reads the notice, and sees the facility page
//! and the board show the new number; then on a desktop in English a mistyped number is shown
//! beside its field and in the banner.

use crate::{demo_app, sign_in};
use carebridge_e2e::app::DEMO_PASSWORD;
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_reports_capacity_from_a_phone_and_sees_it_on_the_board() {
    let app = demo_app().await;
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    sign_in(&b, "desk-union", DEMO_PASSWORD).await;

    // The desk's navigation leads to the form.
    b.click_and_wait(r#"header.site nav a[href="/desk/capacity"]"#).await;
    assert_eq!(b.text("h1").await, "上报床位");
    b.assert_fits("/desk/capacity (phone, zh)").await;
    assert!(b.text(".report-time").await.contains("最近上报"), "{}", b.text(".report-time").await);
    assert_eq!(b.attr("#icu_occupied", "inputmode").await.as_deref(), Some("numeric"), "a number pad on a phone");
    let height =
        b.js(r##"return document.querySelector("#icu_occupied").getBoundingClientRect().height;"##, vec![]).await;
    assert!(height.as_f64().unwrap_or(0.0) >= 44.0, "a big touch target: {height}");
    let staffed: i64 = b.prop("#icu_staffed", "value").await.unwrap_or_default().parse().expect("prefilled staffed");
    let new_occupied = (staffed - 1).max(0);

    b.retype("#icu_occupied", &new_occupied.to_string()).await;
    b.click_and_wait(r#"form.capacity-form button[type="submit"]"#).await;
    assert!(b.text(".notice").await.contains("已保存上报"), "{}", b.text(".notice").await);
    assert_eq!(b.prop("#icu_occupied", "value").await.as_deref(), Some(new_occupied.to_string().as_str()));

    // The facility page shows it, with the newest report time.
    b.click_and_wait(r#".lead a[href^="/facilities/"]"#).await;
    b.assert_fits("facility page (phone, zh)").await;
    let cards = b.texts(".unit-cards li").await;
    let icu = cards.iter().find(|c| c.starts_with("ICU床位")).unwrap_or_else(|| panic!("no ICU card: {cards:?}"));
    assert!(icu.contains(&format!("占用\n{new_occupied}")) || icu.contains(&format!("占用 {new_occupied}")), "{icu}");
    assert!(b.text(".report-time").await.contains("最近上报"));

    // So does the board (the desk sees its own facility).
    b.goto("/board").await;
    b.assert_fits("/board (phone, zh, desk)").await;
    let row = b.text(r#"section[aria-labelledby="table-h"] tbody tr"#).await;
    assert!(row.contains(&new_occupied.to_string()), "{row}");

    // On a desktop in English: a mistyped number is named beside its field and in the banner.
    b.set_viewport(1280, 900).await;
    b.goto("/desk/capacity?lang=en").await;
    assert_eq!(b.text("h1").await, "Report capacity");
    b.retype("#icu_occupied", "many").await;
    b.retype("#general_ward_staffed", "999999").await;
    b.click_and_wait(r#"form.capacity-form button[type="submit"]"#).await;
    assert_eq!(b.text(r#".field-error[data-field="icu_occupied"]"#).await, "must be a whole number, 0 or more");
    assert!(b.text(r#".field-error[data-field="general_ward_staffed"]"#).await.contains("must not exceed physical"));
    let banner = b.texts(".alert li").await;
    assert_eq!(banner.len(), 2, "both errors in the banner: {banner:?}");
    assert_eq!(b.attr("#icu_occupied", "aria-invalid").await.as_deref(), Some("true"));
}
