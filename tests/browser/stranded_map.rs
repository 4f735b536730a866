//! The stranded-patients map on `/placement/board`: markers coloured by its legend (red where
//! someone waited past the maximum), reached with Tab, each leading to the region's first
//! patient in the list below; zoom links into the region with patients and back out; on a
//! desktop in English and a 390 px phone in Chinese.

use crate::{demo_app, sign_in};
use carebridge_e2e::app::DEMO_PASSWORD;
use carebridge_e2e::browser::{Browser, BrowserOptions, Key, PHONE};
use serde_json::json;

/// Tab until a map marker has focus; returns its description.
async fn tab_to_marker(b: &Browser) -> String {
    for _ in 0..60 {
        b.press(&Key::Tab).await;
        let f = b.focused().await;
        if f.starts_with("a.marker-link") {
            return f;
        }
    }
    panic!("60 Tabs did not reach a map marker (last: {})", b.focused().await);
}

/// The first marker's title (a `<title>` is not rendered, so read its text content).
async fn marker_title(b: &Browser) -> String {
    let v = b.js(r#"return document.querySelector("svg.map g.facilities > g > title").textContent;"#, vec![]).await;
    v.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stranded_map_has_a_legend_keyboard_markers_a_list_and_zoom() {
    let app = demo_app().await;
    let lhasa = json!({
        "patient": {"pseudonym": "p-lhasa", "age_band": "senior", "location": {"lon": 91.13, "lat": 29.66},
            "region_code": "540102", "infection": "negative"},
        "need": "neurosurgery", "urgency": "emergency",
    });
    let filed = app.post_json("/api/v1/referrals", Some("nhc"), &lhasa).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.json["id"].as_str().expect("id").to_string();
    app.advance_minutes(61);
    app.cb.sweep_referrals().await.expect("sweep");

    // Desktop, English.
    let b = Browser::launch(&app.address).await;
    sign_in(&b, "nhc", DEMO_PASSWORD).await;
    b.goto("/placement/board?lang=en").await;
    let legend = b.texts(r#"section[aria-labelledby="stranded-map-h"] .legend li"#).await;
    assert_eq!(legend.len(), 2, "{legend:?}");
    assert!(legend[0].contains("past the maximum"), "{legend:?}");
    let fill = b.attr("svg.map g.facilities > g > circle", "fill").await;
    assert_eq!(fill.as_deref(), Some("#c62828"), "past its maximum wait: the legend's red");
    let title = marker_title(&b).await;
    assert!(title.contains("past the maximum wait"), "{title}");
    assert!(b.text(r#"section[aria-labelledby="stranded-map-h"]"#).await.contains("The same patients as a list"));

    // Keyboard: Tab reaches the marker, Enter lands on the patient's card.
    let focused = tab_to_marker(&b).await;
    assert!(focused.contains(&format!("[href=#stranded-{id}]")), "{focused}");
    b.press(&Key::Enter).await;
    b.wait_until("the card is the target", &format!(r##"return location.hash === "#stranded-{id}";"##)).await;

    // Zoom in to Tibet, where the patient is, and back out to the nation.
    let zoom = b.texts("nav.zoom li a").await;
    assert!(zoom.iter().any(|z| z.starts_with('+') && z.contains("(1)")), "{zoom:?}");
    b.click_and_wait(r#"nav.zoom a[href^="/placement/board?region=54"]"#).await;
    assert!(b.location().await.contains("region=54"), "{}", b.location().await);
    assert_eq!(b.count(&format!("#stranded-{id}")).await, 1, "the patient is listed when zoomed in");
    assert_eq!(b.count("svg.map g.facilities > g").await, 1);
    let out = b.text("nav.zoom li a").await;
    assert!(out.starts_with('−'), "a way back out: {out}");
    b.click_and_wait("nav.zoom li a").await;
    assert_eq!(b.path().await, "/placement/board");

    // Zoomed into a province with no stranded patient: nothing listed, nothing marked.
    b.goto("/placement/board?region=420000&lang=en").await;
    assert_eq!(b.count(&format!("#stranded-{id}")).await, 0);
    assert_eq!(b.count("svg.map g.facilities > g").await, 0);
    b.quit().await;

    // A 390 px phone, in Chinese.
    let b = Browser::launch_with(&app.address, BrowserOptions::chinese()).await;
    b.set_viewport(PHONE.0, PHONE.1).await;
    sign_in(&b, "nhc", DEMO_PASSWORD).await;
    b.goto("/placement/board").await;
    b.assert_fits("/placement/board (phone, zh, nation)").await;
    let legend = b.texts(r#"section[aria-labelledby="stranded-map-h"] .legend li"#).await;
    assert!(legend.iter().any(|l| l.contains("超过最长时限")), "{legend:?}");
    assert!(b.text("nav.zoom").await.contains("缩放"));
    assert!(marker_title(&b).await.contains("超过最长等待"), "{}", marker_title(&b).await);
}
