//! The capacity board in a browser, signed in as the Wuhan city coordinator: summary, map with
//! every facility, the staleness the demo builds in, the occupancy chart, and the map's colour
//! switch changing the legend.

use crate::{demo_app, sign_in_as_wuhan};
use carebridge_e2e::browser::Browser;

/// Facility markers: the first circle of each marker group (stale ones add a hatched circle).
const MARKERS: &str = r#"svg.map g.facilities > g > circle:not([fill^="url"])"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_board_needs_sign_in_then_shows_map_table_and_chart() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;

    // Not signed in: the public overview, with a way to sign in (see public_board.rs).
    b.goto("/board").await;
    assert_eq!(b.path().await, "/board", "the board answers a visitor with the public overview");
    b.click_and_wait("#public-sign-in").await;
    assert_eq!(b.text("h1").await, "Sign in");

    sign_in_as_wuhan(&b).await;
    assert!(b.text("header.site .user").await.contains("wuhan"), "the header names who is signed in");
    assert!(b.text("h1").await.starts_with("Capacity board"), "{}", b.text("h1").await);
    assert_eq!(b.attr(r#"header.site nav a[href="/board"]"#, "aria-current").await.as_deref(), Some("page"));

    // Summary tiles: ICU, general ward, and the stale count, which warns.
    assert!(b.count(".tiles .tile").await >= 3, "two unit tiles and the stale tile");
    assert_eq!(b.count(".tiles .tile.warn").await, 1, "the stale tile warns: the demo has silent facilities");

    // The map: an SVG image with a marker per Wuhan facility.
    assert_eq!(b.attr("svg.map", "role").await.as_deref(), Some("group"), "a map of linked markers");
    let label = b.attr("svg.map", "aria-label").await.unwrap_or_default();
    assert!(!label.is_empty(), "the map has a text alternative");
    let markers = b.count(MARKERS).await;
    assert!(markers > 40, "the Wuhan map shows more than 40 facilities, found {markers}");
    assert!(
        b.count(r#"svg.map g.facilities circle[fill="url(#cb-hatch)"]"#).await >= 1,
        "stale facilities are hatched on the map"
    );
    assert!(b.count("svg.map g.facilities > g > title").await >= markers, "every marker has a tooltip");

    // The table marks stale facilities in words, not only by colour.
    let stale_rows = b.count(r#"section[aria-labelledby="table-h"] tbody tr.is-stale"#).await;
    assert!(stale_rows >= 1, "at least one facility is marked stale");
    let badges = b.texts(r#"section[aria-labelledby="table-h"] tbody tr.is-stale .badge.stale"#).await;
    assert_eq!(badges.len(), stale_rows, "each stale row says so");
    assert!(badges.iter().all(|t| t.contains("Stale")), "{badges:?}");
    assert!(b.count(r#"section[aria-labelledby="table-h"] tbody .badge.fresh"#).await >= 1, "current rows say so too");

    // The chart: at least one occupancy line.
    assert!(b.count("svg.chart polyline").await >= 1, "the occupancy chart draws a line");
    assert_eq!(b.attr("svg.chart", "role").await.as_deref(), Some("img"));

    // Colour by designation: the link switches the map and the legend.
    let icu_legend = b.texts(".legend li").await;
    assert!(icu_legend.iter().any(|l| l.contains("virus-designated")), "ICU legend: {icu_legend:?}");
    let fills_before = marker_fills(&b).await;
    let toggle = r#"nav.toggle a[href*="color=designation"]"#;
    assert_eq!(b.text(toggle).await, "designation");
    b.click_and_wait(toggle).await;
    assert!(b.location().await.contains("color=designation"), "{}", b.location().await);
    assert_eq!(b.attr(toggle, "aria-current").await.as_deref(), Some("true"), "the chosen colouring is marked");
    let designation_legend = b.texts(".legend li").await;
    assert_ne!(designation_legend, icu_legend, "the legend follows the colouring");
    for label in ["Virus-designated", "Non-virus critical care", "General"] {
        assert!(
            designation_legend.iter().any(|l| l == label),
            "designation legend lacks {label}: {designation_legend:?}"
        );
    }
    assert_eq!(b.count(MARKERS).await, markers, "the same facilities, coloured differently");
    let fills_after = marker_fills(&b).await;
    assert_ne!(fills_before, fills_after, "the markers' colours change");
    assert!(fills_after.iter().any(|f| f == "#6a1b9a"), "virus-designated facilities are purple: {fills_after:?}");
}

/// The distinct fills of the map's markers, sorted.
async fn marker_fills(b: &Browser) -> Vec<String> {
    let v = b
        .js(
            &format!(r#"return [...new Set([...document.querySelectorAll('{MARKERS}')].map(c => c.getAttribute("fill")))].sort();"#),
            vec![],
        )
        .await;
    serde_json::from_value(v).expect("a list of fills")
}
