//! The map really renders: a screenshot of the board's map SVG, decoded, is not blank — it has
//! the boundary fill, many colours, and pixels of the traffic-light marker colours. The PNG is
//! kept under the target directory for a person to look at.

use crate::{demo_app, sign_in, sign_in_as_wuhan};
use carebridge_e2e::app::DEMO_PASSWORD;
use carebridge_e2e::browser::Browser;
use std::collections::HashMap;
use std::path::PathBuf;

/// Marker fills from `crates/server/src/web/map.rs`.
const RED: [u8; 3] = [0xc6, 0x28, 0x28];
const AMBER: [u8; 3] = [0xf9, 0xa8, 0x25];
const GREEN: [u8; 3] = [0x2e, 0x7d, 0x32];
/// The ring around virus-designated facilities.
const VIRUS_RING: [u8; 3] = [0x6a, 0x1b, 0x9a];
/// The fill of region areas.
const AREA: [u8; 3] = [0xee, 0xf1, 0xf4];

/// An RGB image.
struct Image {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 3]>,
}

/// Decode a PNG into 8-bit RGB (alpha is dropped: screenshots are opaque).
fn decode(png_bytes: &[u8]) -> Image {
    let mut decoder = png::Decoder::new(png_bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("the screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("decode the screenshot");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        other => panic!("unexpected colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| if channels >= 3 { [p[0], p[1], p[2]] } else { [p[0], p[0], p[0]] })
        .collect();
    Image { width: info.width, height: info.height, pixels }
}

impl Image {
    /// Pixels within `tolerance` of `colour` on every channel.
    fn near(&self, colour: [u8; 3], tolerance: u8) -> usize {
        self.pixels.iter().filter(|p| p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= tolerance)).count()
    }
}

/// Screenshot the board's map at `path`, save it as `file` under the target directory, and
/// check what any rendered map shows: a useful size, many colours, no single colour
/// dominating, and the region areas' fill.
async fn map_screenshot(b: &Browser, path: &str, file: &str) -> (Image, String) {
    b.goto(path).await;
    let shot = b.screenshot_of("svg.map").await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).expect("create the screenshot dir");
    let saved = dir.join(file);
    std::fs::write(&saved, &shot).expect("save the screenshot");
    let saved = saved.display().to_string();
    eprintln!("map screenshot of {path} saved to {saved}");

    let img = decode(&shot);
    let (w, h) = (img.width, img.height);
    assert!(w >= 400 && h >= 150, "the map is drawn at a useful size, got {w}×{h} ({saved})");
    let total = img.pixels.len();
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    for p in &img.pixels {
        *counts.entry(*p).or_insert(0) += 1;
    }
    assert!(counts.len() >= 30, "a rendered map has many colours, found {} ({saved})", counts.len());
    let most_common = counts.values().copied().max().unwrap_or(0);
    assert!(most_common * 100 < total * 95, "no single colour covers 95% of the map ({saved})");
    let area = img.near(AREA, 3);
    assert!(area * 100 >= total * 5, "the region areas are filled: {area} of {total} pixels ({saved})");
    (img, saved)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_map_screenshot_shows_areas_and_traffic_light_markers() {
    let app = demo_app().await;
    let b = Browser::launch(&app.address).await;

    // Wuhan in February 2020: ICU beds are full nearly everywhere, and most hospitals are
    // virus-designated (the thick purple ring).
    sign_in_as_wuhan(&b).await;
    let (wuhan, saved) = map_screenshot(&b, "/board?color=icu", "board-map-wuhan-icu.png").await;
    let (red, ring) = (wuhan.near(RED, 16), wuhan.near(VIRUS_RING, 16));
    eprintln!("Wuhan ICU map: red {red}, purple rings {ring} pixels");
    assert!(red >= 500, "Wuhan's full ICUs show as red markers: {red} red pixels ({saved})");
    assert!(ring >= 500, "virus-designated hospitals have purple rings: {ring} pixels ({saved})");

    // The nation: every traffic-light colour appears.
    sign_in(&b, "nhc", DEMO_PASSWORD).await;
    assert_eq!(b.path().await, "/board");
    let (nation, saved) = map_screenshot(&b, "/board?color=icu", "board-map-nation-icu.png").await;
    let (red, amber, green) = (nation.near(RED, 16), nation.near(AMBER, 16), nation.near(GREEN, 16));
    eprintln!("national ICU map: red {red}, amber {amber}, green {green} pixels");
    // A marker is about 6 viewBox units in radius: a hundred or more pixels at this size.
    for (name, n) in [("red", red), ("amber", amber), ("green", green)] {
        assert!(n >= 40, "the national map shows {name} markers: {n} pixels near the {name} fill ({saved})");
    }
}
