//! The browser suite: the real server (SQLite, demo loaded) driven through headless Chromium,
//! as a person uses the pages: typing, pressing Tab and Enter, following links, looking at the
//! map. It needs `chromium` and `chromium-driver` installed and fails, saying so, without them.
//!
//! One file per journey: the public directory, signing in and out, the capacity board, the
//! map's pixels, a phone-sized screen, keyboard-only use, a referral from filing to acceptance,
//! a coordinator directing a stranded patient, and a coordinator ordering designations (the
//! dialysis displacement story). Each test starts its own app and browser (at
//! most two browsers run at once; see `carebridge_e2e::browser`).

mod board;
mod check_in;
mod designations;
mod desk_capacity;
mod directory;
mod facility;
mod keyboard;
mod map_pixels;
mod phone;
mod placement;
mod plans;
mod public_board;
mod ranking;
mod referrals;
mod sign_in;
mod stranded_map;
mod users;
mod walkthrough;
mod widths;

use carebridge_e2e::app::{spawn_app, Backend, TestApp, DEMO_PASSWORD};
use carebridge_e2e::browser::{Browser, Key};

/// The city coordinator of Wuhan in the demo.
pub const WUHAN: &str = "wuhan";

/// A fresh app on SQLite with the demo loaded.
pub async fn demo_app() -> TestApp {
    let app = spawn_app(Backend::Sqlite).await.expect("the SQLite backend needs no configuration");
    app.load_demo().await;
    app
}

/// Sign in through the form as a person would: open /login, type the username, Tab to the
/// password, type it, Tab to the button and press Enter. Leaves the browser on the page the
/// form leads to.
pub async fn sign_in(b: &Browser, username: &str, password: &str) {
    b.goto("/login").await;
    b.type_into("#username", username).await;
    b.press(&Key::Tab).await;
    assert_eq!(b.focused().await, "input#password[type=password]", "Tab from the username goes to the password");
    b.press(password).await;
    b.press(&Key::Tab).await;
    let button = b.focused().await;
    assert!(
        button.starts_with("button") && button.contains("[type=submit]"),
        "Tab from the password goes to the sign-in button, not {button}"
    );
    b.press_and_wait(&Key::Enter).await;
}

/// Sign out with the header's button; the sign-in page follows.
pub async fn sign_out(b: &Browser) {
    b.click_and_wait(r#"header.site form[action="/logout"] button[type="submit"]"#).await;
    assert_eq!(b.path().await, "/login");
}

/// Sign in as the Wuhan coordinator with the demo password and check the board opened.
pub async fn sign_in_as_wuhan(b: &Browser) {
    sign_in(b, WUHAN, DEMO_PASSWORD).await;
    assert_eq!(b.path().await, "/board", "signing in leads to the board");
}
