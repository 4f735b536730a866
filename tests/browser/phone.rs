//! A phone-sized screen (375×812): the directory and the board fit the width (no sideways
//! page scroll; wide tables and the chart scroll inside their own boxes) and every navigation
//! link is on screen, uncovered and working.

use crate::{demo_app, sign_in_as_wuhan};
use carebridge_e2e::browser::Browser;
use serde_json::Value;

const WIDTH: u32 = 375;
const HEIGHT: u32 = 812;

/// Every link and button of the header's navigation is visible, inside the screen's width and
/// not covered by anything else. Returns their texts.
async fn assert_nav_reachable(b: &Browser, page: &str) -> Vec<String> {
    let v = b
        .js(
            r#"return [...document.querySelectorAll("header.site nav a, header.site nav button")].map(e => {
                 e.scrollIntoView({ block: "center", inline: "nearest" });
                 const r = e.getBoundingClientRect();
                 const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                 return { text: e.innerText.trim(), left: r.left, right: r.right, width: r.width, height: r.height,
                          covered: !(hit && (hit === e || e.contains(hit))) };
               });"#,
            vec![],
        )
        .await;
    let links = v.as_array().cloned().unwrap_or_default();
    assert!(links.len() >= 3, "{page}: the header has its navigation links: {v}");
    let num = |l: &Value, k: &str| l[k].as_f64().unwrap_or(f64::NAN);
    for l in &links {
        let text = l["text"].as_str().unwrap_or("");
        assert!(!text.is_empty(), "{page}: a navigation link without text: {l}");
        assert!(num(l, "width") > 0.0 && num(l, "height") > 0.0, "{page}: `{text}` is not displayed: {l}");
        assert!(
            num(l, "left") >= -0.5 && num(l, "right") <= f64::from(WIDTH) + 0.5,
            "{page}: `{text}` is off screen: {l}"
        );
        assert_eq!(l["covered"], Value::Bool(false), "{page}: `{text}` is covered by another element: {l}");
    }
    b.js("window.scrollTo(0, 0);", vec![]).await;
    links.iter().map(|l| l["text"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_and_board_fit_a_phone_screen() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;
    b.set_viewport(WIDTH, HEIGHT).await;

    b.goto("/directory?q=%E5%8D%8F%E5%92%8C").await;
    b.assert_fits_width("/directory", WIDTH).await;
    let nav = assert_nav_reachable(&b, "/directory").await;
    assert!(nav.iter().any(|t| t == "Capacity board") && nav.iter().any(|t| t == "Sign in"), "{nav:?}");
    // The results table may be wider than the phone, but scrolls inside its own box.
    assert!(b.count("table.directory").await == 1, "the search has results");

    // The navigation works by tapping (clicking) on the phone too.
    b.click_and_wait(r#"header.site nav a[href="/board"]"#).await;
    assert_eq!(b.path().await, "/board", "the public board answers, with a way to sign in");
    b.assert_fits_width("/board (public)", WIDTH).await;
    b.click_and_wait("#public-sign-in").await;
    b.assert_fits_width("/login", WIDTH).await;

    sign_in_as_wuhan(&b).await;
    b.assert_fits_width("/board", WIDTH).await;
    let nav = assert_nav_reachable(&b, "/board").await;
    assert!(nav.iter().any(|t| t == "Directory") && nav.iter().any(|t| t == "Sign out"), "{nav:?}");
    let map_right = b.js(r#"return document.querySelector("svg.map").getBoundingClientRect().right;"#, vec![]).await;
    assert!(
        map_right.as_f64().unwrap_or(f64::MAX) <= f64::from(WIDTH),
        "the map shrinks to the screen: right = {map_right}"
    );
    // The table and the chart may be wider than a phone: they scroll inside their own boxes,
    // and the boxes fit the screen.
    for css in [r#"section[aria-labelledby="table-h"] .table-wrap"#, "figure.chart-wrap"] {
        let right =
            b.js(&format!(r#"return document.querySelector('{css}').getBoundingClientRect().right;"#), vec![]).await;
        assert!(right.as_f64().unwrap_or(f64::MAX) <= f64::from(WIDTH), "`{css}` fits the screen: right = {right}");
    }

    b.click_and_wait(r#"header.site nav a[href="/directory"]"#).await;
    assert_eq!(b.path().await, "/directory");
    b.assert_fits_width("/directory (signed in)", WIDTH).await;
}
