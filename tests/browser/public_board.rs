//! The public board for a visitor who is not signed in: words and a way to sign in instead of
//! a redirect, aggregates only, a legend for the map, and the map's markers reachable with Tab,
//! each leading to its facility's page; on a 390 px phone in Chinese and a desktop in English.

use crate::demo_app;
use carebridge_e2e::browser::{Browser, BrowserOptions, Key, PHONE};

/// Tab until a map marker has focus; returns its description.
async fn tab_to_marker(b: &Browser) -> String {
    for _ in 0..40 {
        b.press(&Key::Tab).await;
        let f = b.focused().await;
        if f.starts_with("a.marker-link") {
            return f;
        }
    }
    panic!("40 Tabs did not reach a map marker (last: {})", b.focused().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_board_in_words_with_keyboard_markers() {
    let app = demo_app().await;
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;

    b.goto("/board?region=420100").await;
    assert_eq!(b.path().await, "/board", "no redirect to sign-in");
    assert!(b.text("h1").await.contains("床位概况"), "{}", b.text("h1").await);
    b.assert_fits("/board (public, phone, zh)").await;
    assert!(b.text("#public-sign-in").await.contains("登录"));
    assert!(b.count(".legend li").await >= 5, "the map has its legend");
    assert!(b.text(r#"section[aria-labelledby="what-h"]"#).await.contains("不公开任何患者信息"));
    assert!(b.count(r#"section[aria-labelledby="virus-h"] li a[href^="/facilities/"]"#).await >= 1);

    // Keyboard: Tab reaches a marker, its focus shows, Enter opens the facility page.
    let focused = tab_to_marker(&b).await;
    assert!(focused.contains("[href=/facilities/"), "{focused}");
    let ring = b
        .js(r#"return getComputedStyle(document.activeElement.querySelector("circle.hit")).strokeWidth;"#, vec![])
        .await;
    assert_eq!(ring.as_str(), Some("3px"), "the focused marker shows a ring");
    b.press_and_wait(&Key::Enter).await;
    assert!(b.path().await.starts_with("/facilities/"), "{}", b.path().await);

    // Desktop, English; the sign-in link leads to the form.
    b.set_viewport(1280, 900).await;
    b.goto("/board?lang=en").await;
    assert!(b.text("h1").await.starts_with("Capacity overview (public)"));
    let regions = b.texts(r#"section[aria-labelledby="regions-h"] tbody tr"#).await;
    assert!(!regions.is_empty(), "a row per province with facilities");
    assert!(!b.text("main").await.contains("Occupied"), "no occupancy numbers in public");
    b.assert_fits("/board (public, desktop, en)").await;
    b.click_and_wait("#public-sign-in").await;
    assert_eq!(b.path().await, "/login");
}
