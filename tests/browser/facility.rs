//! The facility page, reached from the directory: the public facts for anyone (no capacity
//! numbers), the capacity by unit and designation orders for the coordinator of its region,
//! fitting a 390 px phone in Chinese and a desktop in English.

use crate::{demo_app, sign_in_as_wuhan};
use carebridge_e2e::browser::{Browser, BrowserOptions, PHONE};

#[tokio::test(flavor = "multi_thread")]
async fn the_facility_page_from_the_directory_public_and_signed_in() {
    let app = demo_app().await;
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;

    // Anonymous, on a phone, in Chinese: the directory links the page.
    b.goto("/directory?q=Wuhan%20Union%20Hospital%20(Union").await;
    b.click_and_wait("table.directory tbody th a.name").await;
    assert!(b.path().await.starts_with("/facilities/"), "{}", b.path().await);
    assert!(b.text("h1").await.contains("协和医院"), "{}", b.text("h1").await);
    b.assert_fits("facility page (phone, zh, public)").await;
    assert!(b.text("dl.facility-facts").await.contains("电话"));
    assert_eq!(b.count(".unit-cards li").await, 0, "no capacity numbers in public");
    assert!(b.text(r#"section[aria-labelledby="capacity-h"]"#).await.contains("请登录"));
    let page = b.path().await;

    // The Wuhan coordinator, on a desktop, in English: capacity, report time, orders.
    b.set_viewport(1280, 900).await;
    sign_in_as_wuhan(&b).await;
    b.goto(&format!("{page}?lang=en")).await;
    assert!(b.text("h1").await.contains("Wuhan Union Hospital"));
    assert!(b.count(".unit-cards li").await >= 1, "capacity by unit");
    assert!(b.text(".report-time").await.contains("oldest unit"), "{}", b.text(".report-time").await);
    assert!(b.text(r#"section[aria-labelledby="orders-h"]"#).await.contains("Designation orders"));
    assert!(b.count(r#"a.button[href$="/capacity"]"#).await == 1, "the coordinator may report for it");
    b.assert_fits("facility page (desktop, en)").await;
}
