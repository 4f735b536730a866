//! Signing in and out through the forms: a wrong password is refused in words and keeps the
//! person on the form; signing out with the header's button ends the session for good (the old
//! cookie no longer opens the board, even when replayed).

use crate::{demo_app, sign_in, sign_in_as_wuhan, WUHAN};
use carebridge_e2e::browser::Browser;

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_shows_an_error_and_stays_on_the_form() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;

    sign_in(&b, WUHAN, "not-the-password").await;
    assert_eq!(b.path().await, "/login", "a refused sign-in stays on the form");
    assert_eq!(b.attr(".alert", "role").await.as_deref(), Some("alert"), "the error is announced");
    assert_eq!(b.text(".alert").await, "Unknown username or wrong password.");
    assert_eq!(b.attr("#username", "value").await.as_deref(), Some(WUHAN), "the username is kept");
    assert_eq!(b.attr("#password", "value").await, None, "the password is not echoed back into the page");
    assert_eq!(b.prop("#password", "value").await.as_deref(), Some(""), "the password field is empty again");
    assert!(b.count("header.site .user").await == 0, "nobody is signed in");

    // The board still shows only the public overview, with a way to sign in.
    b.goto("/board").await;
    assert_eq!(b.count("#public-sign-in").await, 1, "the public board, not the full one");

    // And the right password, typed into the re-shown form, works.
    sign_in_as_wuhan(&b).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_with_the_button_ends_the_session() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;
    sign_in_as_wuhan(&b).await;

    let cookies = b.step("read the cookies", b.client().get_all_cookies()).await;
    let session = cookies.iter().find(|c| c.name() == "cb_session").expect("signing in sets cb_session");
    assert_eq!(session.http_only(), Some(true), "the session cookie is HttpOnly");
    let token = session.value().to_string();

    let button = r#"header.site form[action="/logout"] button[type="submit"]"#;
    assert_eq!(b.text(button).await, "Sign out");
    b.click_and_wait(button).await;
    assert_eq!(b.path().await, "/login", "signing out leads to the sign-in form");
    assert_eq!(b.count("header.site .user").await, 0, "the header no longer names anyone");
    assert_eq!(b.count(r#"header.site nav a[href="/login"]"#).await, 1, "the header offers to sign in");
    let cookies = b.step("read the cookies", b.client().get_all_cookies()).await;
    assert!(cookies.iter().all(|c| c.name() != "cb_session"), "the session cookie is gone: {cookies:?}");

    // The board is the public overview again, asking to sign in for the full one.
    b.goto("/board").await;
    assert_eq!(b.count("#public-sign-in").await, 1, "after signing out the full board needs a sign-in again");

    // The token was revoked on the server: replaying the old cookie does not open the board.
    let replay =
        app.send(app.request(reqwest::Method::GET, "/board").header("cookie", format!("cb_session={token}"))).await;
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert!(
        replay.text.contains(r#"id="public-sign-in""#) && !replay.text.contains(r#"class="user""#),
        "a replayed session cookie gets only the public overview: {}",
        replay.text
    );
}
