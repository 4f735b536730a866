//! Keyboard-only use of the sign-in page: Tab from the top visits the skip link, the header's
//! links and then the form's fields in reading order; the skip link jumps past the header; and
//! signing in works with keys alone.

use crate::{demo_app, WUHAN};
use carebridge_e2e::app::DEMO_PASSWORD;
use carebridge_e2e::browser::{Browser, Key};

#[tokio::test(flavor = "multi_thread")]
async fn tab_order_skip_link_and_keyboard_only_sign_in() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;
    b.goto("/login").await;
    assert_eq!(b.focused().await, "body", "nothing has focus when the page opens");

    // Tab from the top: the skip link, the header's links, then the form.
    let mut order = Vec::new();
    for _ in 0..12 {
        b.press(&Key::Tab).await;
        let f = b.focused().await;
        order.push(f.clone());
        if f.starts_with("input#username") {
            break;
        }
    }
    assert!(order[0].starts_with("a.skip[href=#main]"), "the first Tab stop is the skip link: {order:#?}");
    let expected = [
        "a.skip[href=#main]",
        "a.brand[href=/directory]",
        "a[href=/directory]",
        "a[href=/board]",
        "a[href=/login?lang=zh]",
        "a[href=/login]",
        "input#username",
    ];
    let got: Vec<&str> = order.iter().map(|s| s.split(' ').next().unwrap_or("")).collect();
    assert_eq!(got, expected, "Tab order from the top of /login: {order:#?}");
    b.press(&Key::Tab).await;
    assert_eq!(b.focused().await, "input#password[type=password]");
    b.press(&Key::Tab).await;
    assert!(b.focused().await.starts_with("button[type=submit]"), "then the sign-in button: {}", b.focused().await);

    // The skip link jumps past the header: Enter on it, then Tab reaches the username.
    b.goto("/login").await;
    b.press(&Key::Tab).await;
    let top = b.js(r#"return document.activeElement.getBoundingClientRect().top;"#, vec![]).await;
    assert!(top.as_f64().unwrap_or(-1.0) >= 0.0, "the focused skip link is on screen: top = {top}");
    b.press(&Key::Enter).await;
    b.wait_until(
        "the skip link to move focus to the main content",
        r#"return document.activeElement && document.activeElement.id === "main";"#,
    )
    .await;
    b.press(&Key::Tab).await;
    assert_eq!(b.focused().await, "input#username", "after skipping, Tab goes straight to the form");

    // Sign in with keys only: type, Tab, type, Enter.
    b.press(WUHAN).await;
    b.press(&Key::Tab).await;
    b.press(DEMO_PASSWORD).await;
    b.press_and_wait(&Key::Enter).await;
    assert_eq!(b.path().await, "/board", "Enter in the password field signs in");
    assert!(b.text("header.site .user").await.contains(WUHAN));

    // On the board, the first Tab stop is still the skip link.
    b.press(&Key::Tab).await;
    assert!(b.focused().await.starts_with("a.skip"), "{}", b.focused().await);
}
