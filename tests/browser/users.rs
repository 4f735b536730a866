//! User management for coordinators: the Wuhan coordinator finds a Wuhan hospital by name on
//! `/users`, opens a capacity-desk account for it (a mistake first: every error at once), sees
//! it listed; then the new desk signs in on a 390 px phone in Chinese and sees its hospital's
//! desk pages.

use crate::{sign_in, sign_in_as_wuhan};
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_opens_a_desk_account_and_the_desk_signs_in() {
    let app = crate::demo_app().await;
    let b = Browser::launch(&app.address).await;
    sign_in_as_wuhan(&b).await;
    b.click_and_wait(r#"header.site nav a[href="/users"]"#).await;
    assert_eq!(b.text("h1").await, "Accounts");
    b.assert_fits("/users (desktop, en)").await;
    let users = b.texts("table.users tbody th").await;
    assert!(users.iter().any(|u| u == "desk-union"), "{users:?}");

    // Find the hospital by name, pick it from the list.
    b.type_into("#q", "Tongji").await;
    b.click_and_wait("form.facility-search button[type=submit]").await;
    let options = b.texts("#facility_id option").await;
    let tongji =
        options.iter().find(|o| o.contains("Tongji Hospital")).unwrap_or_else(|| panic!("{options:?}")).clone();
    let e = b.find("#facility_id").await;
    b.step("choose the hospital", e.select_by_label(&tongji)).await;

    // A too-short password and a bad username: both named at once.
    b.type_into("#username", "N").await;
    b.type_into("#new_password", "short").await;
    b.click_and_wait("form.user-form button[type=submit]").await;
    assert_eq!(b.count(".alert li").await, 2, "{:?}", b.texts(".alert li").await);
    assert!(b.text(r#".field-error[data-field="password"]"#).await.contains("12"));
    assert!(b.text(r#".field-error[data-field="username"]"#).await.len() > 3);
    assert_eq!(b.prop("#facility_id", "value").await.map(|v| v.is_empty()), Some(false), "the choice stays");

    b.retype("#username", "desk-tongji-night").await;
    b.type_into("#new_password", "night-desk-password").await;
    b.click_and_wait("form.user-form button[type=submit]").await;
    assert!(b.text(".notice").await.contains("desk-tongji-night"), "{}", b.text(".notice").await);
    assert!(b.texts("table.users tbody th").await.iter().any(|u| u == "desk-tongji-night"));
    b.quit().await;

    // The new desk, on a phone, in Chinese.
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    sign_in(&b, "desk-tongji-night", "night-desk-password").await;
    b.click_and_wait(r#"header.site nav a[href="/desk/capacity"]"#).await;
    assert_eq!(b.text("h1").await, "上报床位");
    assert!(b.text(".lead").await.contains("同济医院"), "{}", b.text(".lead").await);
    b.assert_fits("/desk/capacity (phone, zh, new desk)").await;
    b.goto("/desk/offers").await;
    b.assert_fits("/desk/offers (phone, zh, new desk)").await;

    // The coordinator's page fits the phone too.
    b.goto("/login").await;
    b.quit().await;
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    sign_in_as_wuhan(&b).await;
    b.goto("/users").await;
    assert_eq!(b.text("h1").await, "账号管理");
    b.assert_fits("/users (phone, zh)").await;
}
