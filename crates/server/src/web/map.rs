//! The board's map, drawn on the server as inline SVG: region boundaries from the embedded
//! GeoJSON (see `crates/domain/data/maps/SOURCE.md`) and one marker per facility, coloured by what the
//! coordinator is looking at. No tiles, no script: the page works offline, on a phone, and with
//! JavaScript off, and the SVG scales with its `viewBox`.
//!
//! Everything here is a pure function of its inputs (the GeoJSON is parsed once, lazily), so
//! it is unit-tested without a server. Projection is equirectangular with longitude scaled by
//! the cosine of the mid-latitude: at the size of a province or of China this looks right and
//! needs no projection library.

use super::svg::{escape, num};
use carebridge_domain::designation::Designation;
use carebridge_domain::region::{RegionCode, Regions};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// One boundary: a region's code, name and rings (outer rings and holes alike; drawn with
/// the even-odd rule, holes come out right), as the domain reads the shipped files.
pub type Feature = carebridge_domain::boundaries::GeoFeature;

/// The embedded boundary files (kept in the domain, where the service's location check reads
/// them too).
const FILES: [(Option<u32>, &str); 8] = carebridge_domain::boundaries::FILES;

static PARSED: [OnceLock<Vec<Feature>>; 8] = [const { OnceLock::new() }; 8];

fn layer(index: usize) -> &'static [Feature] {
    PARSED[index].get_or_init(|| match parse_geojson(FILES[index].1) {
        Ok(features) => features,
        Err(e) => {
            // The files are committed and tested; this is a build gone wrong, not user input.
            tracing::error!(error = %e, file = index, "an embedded boundary file does not parse");
            Vec::new()
        }
    })
}

/// The 34 province-level units.
pub fn provinces() -> &'static [Feature] {
    layer(0)
}

/// The cities (or districts) of a province with its own file.
pub fn province_detail(province: RegionCode) -> Option<&'static [Feature]> {
    FILES.iter().position(|(p, _)| *p == Some(province.as_u32())).map(layer)
}

/// Parse a boundary file (see `carebridge_domain::boundaries::parse_features`).
pub fn parse_geojson(text: &str) -> Result<Vec<Feature>, String> {
    carebridge_domain::boundaries::parse_features(text)
}

/// The boundaries that show `region` (`None` = China): the nation's provinces; a province's
/// cities when it has its own file, else its outline; a city or district by itself when its
/// province's file has it (a district of a city is shown as that city); else the province's
/// outline.
pub fn boundaries_for(region: Option<RegionCode>, regions: &Regions) -> Vec<&'static Feature> {
    let Some(code) = region else { return provinces().iter().collect() };
    let province = code.province();
    let outline = || -> Vec<&'static Feature> {
        let wanted = province.to_string();
        provinces().iter().filter(|f| f.code == wanted).collect()
    };
    let Some(detail) = province_detail(province) else { return outline() };
    if code == province {
        return detail.iter().collect();
    }
    let own = code.to_string();
    let city = regions.path(code).map(|p| p.city.to_string());
    let found: Vec<&'static Feature> = detail.iter().filter(|f| f.code == own).collect();
    if !found.is_empty() {
        return found;
    }
    let found: Vec<&'static Feature> = detail.iter().filter(|f| Some(&f.code) == city.as_ref()).collect();
    if found.is_empty() {
        outline()
    } else {
        found
    }
}

/// A lon/lat box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub max_lon: f64,
    pub min_lat: f64,
    pub max_lat: f64,
}

impl BBox {
    pub fn empty() -> Self {
        Self { min_lon: f64::INFINITY, max_lon: f64::NEG_INFINITY, min_lat: f64::INFINITY, max_lat: f64::NEG_INFINITY }
    }
    pub fn add(&mut self, lon: f64, lat: f64) {
        if lon.is_finite() && lat.is_finite() {
            self.min_lon = self.min_lon.min(lon);
            self.max_lon = self.max_lon.max(lon);
            self.min_lat = self.min_lat.min(lat);
            self.max_lat = self.max_lat.max(lat);
        }
    }
    pub fn is_empty(&self) -> bool {
        self.min_lon > self.max_lon
    }
}

/// Equirectangular projection fitted to a box and a width.
#[derive(Debug, Clone, Copy)]
pub struct Projection {
    /// cos(mid-latitude): how much a degree of longitude shrinks against one of latitude.
    k: f64,
    min_lon: f64,
    max_lat: f64,
    scale: f64,
    ox: f64,
    oy: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Fit `bbox` into `width` pixels (with `pad` on each side); the height follows the box's
    /// shape, kept between `0.4×` and `1.1×` the width so a thin region still gets a usable map.
    pub fn fit(bbox: BBox, width: f64, pad: f64) -> Self {
        // A single point (one facility, no boundary) still needs an area around it.
        let mut b = bbox;
        let min_span = 0.05;
        if b.max_lon - b.min_lon < min_span {
            let c = (b.max_lon + b.min_lon) / 2.0;
            b.min_lon = c - min_span / 2.0;
            b.max_lon = c + min_span / 2.0;
        }
        if b.max_lat - b.min_lat < min_span {
            let c = (b.max_lat + b.min_lat) / 2.0;
            b.min_lat = c - min_span / 2.0;
            b.max_lat = c + min_span / 2.0;
        }
        let k = ((b.min_lat + b.max_lat) / 2.0).to_radians().cos().max(0.1);
        let w = (b.max_lon - b.min_lon) * k;
        let h = b.max_lat - b.min_lat;
        let height = (width * h / w).clamp(width * 0.4, width * 1.1).round();
        let scale = ((width - 2.0 * pad) / w).min((height - 2.0 * pad) / h);
        let ox = (width - w * scale) / 2.0;
        let oy = (height - h * scale) / 2.0;
        Self { k, min_lon: b.min_lon, max_lat: b.max_lat, scale, ox, oy, width, height }
    }

    /// Pixel position of a lon/lat (y grows downwards).
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (self.ox + (lon - self.min_lon) * self.k * self.scale, self.oy + (self.max_lat - lat) * self.scale)
    }
}

/// What the markers' colour shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorBy {
    Icu,
    General,
    Designation,
}

impl ColorBy {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "icu" => Some(Self::Icu),
            "general" => Some(Self::General),
            "designation" => Some(Self::Designation),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Icu => "icu",
            Self::General => "general",
            Self::Designation => "designation",
        }
    }
    /// Where amber and green start for this mode (traffic-light modes only).
    pub fn bands(self) -> (i64, i64) {
        match self {
            Self::General => (1, 20),
            _ => (1, 5),
        }
    }
}

/// Marker fills: a traffic light (with grey for "nothing known") and one colour per
/// designation. Text elsewhere carries the same facts, so colour is never the only cue.
pub const GREY: &str = "#9e9e9e";
pub const RED: &str = "#c62828";
pub const AMBER: &str = "#f9a825";
pub const GREEN: &str = "#2e7d32";
pub const VIRUS_RING: &str = "#6a1b9a";

pub fn designation_colour(d: Designation) -> &'static str {
    match d {
        Designation::General => "#78909c",
        Designation::VirusDesignated => "#6a1b9a",
        Designation::NonVirusCritical => "#1565c0",
        Designation::NonVirusEmergency => "#ef6c00",
        Designation::ClosedToNew => "#212121",
    }
}

/// The traffic-light colour of a number of available beds (`None`: no report or no such
/// unit), with its drawing rank (critical markers are drawn last, on top).
pub fn traffic(available: Option<i64>, mode: ColorBy) -> (&'static str, u8) {
    let (amber, green) = mode.bands();
    match available {
        None => (GREY, 0),
        Some(a) if a < amber => (RED, 3),
        Some(a) if a < green => (AMBER, 2),
        Some(_) => (GREEN, 1),
    }
}

/// One facility on the map.
#[derive(Debug, Clone)]
pub struct Marker {
    pub lon: f64,
    pub lat: f64,
    pub fill: &'static str,
    /// A thick coloured ring (virus-designated facilities in the traffic-light modes).
    pub ring: Option<&'static str>,
    pub stale: bool,
    /// Drawing order: higher on top.
    pub rank: u8,
    /// The tooltip: name and numbers. It is also the marker link's accessible name.
    pub title: String,
    /// Where the marker leads (a facility's page, a list entry): the marker becomes a link
    /// reached by Tab, with a focus ring.
    pub href: Option<String>,
}

/// A boundary to draw, with an optional link (drill down to that region).
#[derive(Debug, Clone)]
pub struct Boundary {
    pub feature: &'static Feature,
    pub href: Option<String>,
}

/// Pixel width of the map's `viewBox`.
pub const WIDTH: f64 = 800.0;
/// Points closer than this (in `viewBox` pixels) to the last one kept are dropped.
const SIMPLIFY_PX: f64 = 0.5;
/// A point in `viewBox` pixels.
pub type Point = (f64, f64);
/// Marker radius, and the distance under which two markers count as one spot.
const MARKER_R: f64 = 6.0;
const SAME_SPOT_PX: f64 = 6.0;

/// Where each marker is drawn: markers that would overlap (their centres closer than
/// [`SAME_SPOT_PX`]) are spread on a small circle around their common centre, touching but
/// not covering each other, so every one stays visible, hoverable and clickable. Returns, per
/// marker, the drawn position and the true one (the spot a spread marker's leader line joins).
pub fn spread(points: &[Point]) -> Vec<(Point, Point)> {
    // Greedy clusters: each point joins the first cluster whose seed is near enough.
    let mut seeds: Vec<(f64, f64)> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match seeds.iter().position(|s| (s.0 - p.0).hypot(s.1 - p.1) < SAME_SPOT_PX) {
            Some(c) => members[c].push(i),
            None => {
                seeds.push(*p);
                members.push(vec![i]);
            }
        }
    }
    let mut out = vec![((0.0, 0.0), (0.0, 0.0)); points.len()];
    for group in &members {
        let n = group.len();
        let (cx, cy) =
            group.iter().fold((0.0, 0.0), |a, i| (a.0 + points[*i].0 / n as f64, a.1 + points[*i].1 / n as f64));
        if n == 1 {
            out[group[0]] = (points[group[0]], points[group[0]]);
            continue;
        }
        // Neighbours on the circle sit one diameter apart (plus a hair).
        let radius = ((2.0 * MARKER_R + 1.0) * n as f64 / std::f64::consts::TAU).max(2.0 * MARKER_R);
        for (k, i) in group.iter().enumerate() {
            let a = std::f64::consts::TAU * k as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
            out[*i] = ((cx + radius * a.cos(), cy + radius * a.sin()), (cx, cy));
        }
    }
    out
}

/// Render the map, or `None` when there is nothing to draw.
pub fn render(boundaries: &[Boundary], markers: &[Marker], aria_label: &str) -> Option<String> {
    let mut bbox = BBox::empty();
    for b in boundaries {
        for ring in &b.feature.rings {
            for p in ring {
                bbox.add(p[0], p[1]);
            }
        }
    }
    for m in markers {
        bbox.add(m.lon, m.lat);
    }
    if bbox.is_empty() {
        return None;
    }
    let proj = Projection::fit(bbox, WIDTH, 12.0);
    let mut out = String::with_capacity(64 * 1024);
    // With links inside, the map is a group of them (an image hides its content from
    // assistive technology); without, one image with its label.
    let role = if markers.iter().any(|m| m.href.is_some()) { "group" } else { "img" };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {} {}" role="{role}" aria-label="{}">"#,
        num(proj.width),
        num(proj.height),
        escape(aria_label)
    );
    out.push_str(concat!(
        r#"<defs><pattern id="cb-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"#,
        r##"<line x1="0" y1="0" x2="0" y2="4" stroke="#000" stroke-width="1.6" stroke-opacity="0.7"/></pattern></defs>"##
    ));
    out.push_str(r##"<g class="areas" fill="#eef1f4" stroke="#7b8794" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">"##);
    for b in boundaries {
        let d = path_data(&b.feature.rings, &proj);
        if d.is_empty() {
            continue;
        }
        let title = escape(&b.feature.name);
        match &b.href {
            // Mouse users drill down by clicking; keyboard users have the same links in the
            // sub-region table, so the map adds no tab stops.
            Some(href) => {
                let _ = write!(
                    out,
                    r#"<a href="{}" tabindex="-1"><path d="{d}"><title>{title}</title></path></a>"#,
                    escape(href)
                );
            }
            None => {
                let _ = write!(out, r#"<path d="{d}"><title>{title}</title></path>"#);
            }
        }
    }
    out.push_str("</g><g class=\"facilities\">");
    let mut order: Vec<&Marker> = markers.iter().collect();
    order.sort_by_key(|m| m.rank);
    let placed = spread(&order.iter().map(|m| proj.project(m.lon, m.lat)).collect::<Vec<_>>());
    // Leader lines first, under every marker: from a spread marker to its true spot.
    let leaders: Vec<&(Point, Point)> = placed.iter().filter(|(at, spot)| at != spot).collect();
    if !leaders.is_empty() {
        out.push_str(r##"<g class="leaders" stroke="#52606d" stroke-width="1" aria-hidden="true">"##);
        for ((x, y), (sx, sy)) in leaders {
            let _ = write!(out, r#"<line x1="{}" y1="{}" x2="{}" y2="{}"/>"#, num(*sx), num(*sy), num(*x), num(*y));
        }
        out.push_str("</g>");
    }
    for (m, ((x, y), _)) in order.into_iter().zip(placed) {
        let (stroke, width) = match m.ring {
            Some(c) => (c, 3.0),
            None => ("#1f1f1f", 1.0),
        };
        let dash = if m.stale { r#" stroke-dasharray="2.5 1.5""# } else { "" };
        let title = escape(&m.title);
        let _ = write!(
            out,
            r#"<g><title>{title}</title><circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{stroke}" stroke-width="{}"{dash}/>"#,
            num(x),
            num(y),
            num(MARKER_R),
            m.fill,
            num(width),
        );
        if m.stale {
            let _ = write!(out, r#"<circle cx="{}" cy="{}" r="5" fill="url(#cb-hatch)"/>"#, num(x), num(y));
        }
        if let Some(href) = &m.href {
            // The link is a transparent ring over the marker: Tab reaches it, the focus ring
            // (style.css) draws on it, and its title names the facility and its figures.
            let _ = write!(
                out,
                r#"<a class="marker-link" href="{}" tabindex="0"><title>{title}</title><circle class="hit" cx="{}" cy="{}" r="{}" fill="transparent"/></a>"#,
                escape(href),
                num(x),
                num(y),
                num(MARKER_R + 3.0),
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</g></svg>");
    Some(out)
}

/// SVG path data for rings, projected and thinned; rings that shrink below a triangle vanish.
fn path_data(rings: &[Vec<[f64; 2]>], proj: &Projection) -> String {
    let mut d = String::new();
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for ring in rings {
        kept.clear();
        for p in ring {
            let q = proj.project(p[0], p[1]);
            match kept.last() {
                Some(last) if (q.0 - last.0).hypot(q.1 - last.1) < SIMPLIFY_PX => {}
                _ => kept.push(q),
            }
        }
        if kept.len() < 3 {
            continue;
        }
        for (i, (x, y)) in kept.iter().enumerate() {
            d.push(if i == 0 { 'M' } else { 'L' });
            let _ = write!(d, "{},{}", num(*x), num(*y));
        }
        d.push('Z');
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn every_embedded_file_parses_with_codes_and_rings() {
        for (i, (province, _)) in FILES.iter().enumerate() {
            let features = parse_geojson(FILES[i].1).unwrap();
            assert!(!features.is_empty(), "file {i}");
            for f in &features {
                assert_eq!(f.code.len(), 6, "file {i}: {f:?}");
                assert!(!f.rings.is_empty(), "{} has no rings", f.code);
                if let Some(p) = province {
                    assert_eq!(f.code[..2], p.to_string()[..2], "{} is not in {p}", f.code);
                }
            }
        }
        assert_eq!(provinces().len(), 34);
    }

    #[test]
    fn boundaries_pick_the_most_detailed_file_that_has_the_region() {
        let regions = Regions::china();
        assert_eq!(boundaries_for(None, &regions).len(), 34);
        // Hubei has its own file: its 17 cities.
        assert_eq!(boundaries_for(Some(code("420000")), &regions).len(), 17);
        // Wuhan: just its own feature.
        let wuhan = boundaries_for(Some(code("420100")), &regions);
        assert_eq!(wuhan.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["420100"]);
        // A district of Wuhan is shown as Wuhan; a Beijing district as itself.
        assert_eq!(boundaries_for(Some(code("420106")), &regions)[0].code, "420100");
        assert_eq!(boundaries_for(Some(code("110105")), &regions)[0].code, "110105");
        // Sichuan has no file of its own: its outline from the provinces.
        let sichuan = boundaries_for(Some(code("510100")), &regions);
        assert_eq!(sichuan.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["510000"]);
    }

    #[test]
    fn projection_keeps_known_places_inside_and_in_order() {
        let mut bbox = BBox::empty();
        for f in boundaries_for(None, &Regions::china()) {
            for r in &f.rings {
                for p in r {
                    bbox.add(p[0], p[1]);
                }
            }
        }
        let proj = Projection::fit(bbox, 800.0, 12.0);
        let (wx, wy) = proj.project(114.30, 30.58); // Wuhan
        let (bx, by) = proj.project(116.40, 39.90); // Beijing
        for (x, y) in [(wx, wy), (bx, by)] {
            assert!((0.0..=proj.width).contains(&x) && (0.0..=proj.height).contains(&y), "({x}, {y})");
        }
        assert!(by < wy, "north is up");
        assert!(bx > wx, "east is right");
        // The box's corners land on the padded edges.
        let (x0, _) = proj.project(bbox.min_lon, bbox.max_lat);
        let (_, y1) = proj.project(bbox.max_lon, bbox.min_lat);
        assert!(x0 >= 11.9 && y1 <= proj.height - 11.9);
    }

    #[test]
    fn a_single_point_still_gets_a_map() {
        let marker = Marker {
            lon: 114.3,
            lat: 30.6,
            fill: RED,
            ring: Some(VIRUS_RING),
            stale: true,
            rank: 3,
            title: "协和 <Union> & co".into(),
            href: None,
        };
        let svg = render(&[], &[marker], "a \"map\"").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-label="a &quot;map&quot;""#));
        assert!(svg.contains("协和 &lt;Union&gt; &amp; co"), "titles are escaped");
        assert!(svg.contains("url(#cb-hatch)"), "stale markers are hatched");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(render(&[], &[], "empty").is_none());
    }

    #[test]
    fn hubei_map_is_thinned_but_whole() {
        let regions = Regions::china();
        let boundaries: Vec<Boundary> = boundaries_for(Some(code("420000")), &regions)
            .into_iter()
            .map(|feature| Boundary { feature, href: Some(format!("/board?region={}&color=icu", feature.code)) })
            .collect();
        let svg = render(&boundaries, &[], "Hubei").unwrap();
        assert_eq!(svg.matches("<path").count(), 17);
        assert!(svg.contains("&amp;color=icu"), "hrefs are escaped");
        let raw_points: usize = boundaries.iter().flat_map(|b| &b.feature.rings).map(Vec::len).sum();
        let drawn = svg.matches('L').count() + svg.matches('M').count();
        assert!(drawn < raw_points, "{drawn} of {raw_points} points kept");
        if std::env::var_os("CB_WRITE_SVG").is_some() {
            std::fs::write(std::env::temp_dir().join("map-hubei.svg"), &svg).unwrap();
        }
    }

    #[test]
    fn markers_at_one_spot_are_spread_apart_and_linked() {
        let at = |lon: f64, href: Option<&str>| Marker {
            lon,
            lat: 30.6,
            fill: GREEN,
            ring: None,
            stale: false,
            rank: 1,
            title: format!("at {lon}"),
            href: href.map(str::to_string),
        };
        // Three at the same spot, one far away.
        let markers = [at(114.3, Some("/facilities/a?x=1&y=2")), at(114.3, None), at(114.3, None), at(116.0, None)];
        let svg = render(&[], &markers, "m").unwrap();
        assert!(svg.contains(r#"role="group""#), "a map with links is a group, not an image");
        assert!(svg.contains(
            r#"<a class="marker-link" href="/facilities/a?x=1&amp;y=2" tabindex="0"><title>at 114.3</title>"#
        ));
        let leaders = &svg[svg.find(r#"<g class="leaders""#).unwrap()..];
        let leaders = &leaders[..leaders.find("</g>").unwrap()];
        assert_eq!(leaders.matches("<line ").count(), 3, "three leader lines for the spread markers");
        let placed = spread(&[(100.0, 100.0), (101.0, 100.0), (100.0, 101.0), (300.0, 300.0)]);
        for i in 0..3 {
            for j in i + 1..3 {
                let (a, b) = (placed[i].0, placed[j].0);
                assert!((a.0 - b.0).hypot(a.1 - b.1) >= 2.0 * MARKER_R, "{i} and {j} overlap: {a:?} {b:?}");
            }
        }
        assert_eq!(placed[3].0, (300.0, 300.0), "a lone marker stays where it is");
        assert!(!render(&[], &[at(114.3, None)], "m").unwrap().contains(r#"role="group""#));
    }

    #[test]
    fn traffic_lights_follow_the_bands() {
        assert_eq!(traffic(None, ColorBy::Icu).0, GREY);
        assert_eq!(traffic(Some(-3), ColorBy::Icu).0, RED);
        assert_eq!(traffic(Some(0), ColorBy::Icu).0, RED);
        assert_eq!(traffic(Some(1), ColorBy::Icu).0, AMBER);
        assert_eq!(traffic(Some(4), ColorBy::Icu).0, AMBER);
        assert_eq!(traffic(Some(5), ColorBy::Icu).0, GREEN);
        assert_eq!(traffic(Some(19), ColorBy::General).0, AMBER);
        assert_eq!(traffic(Some(20), ColorBy::General).0, GREEN);
        assert_eq!(ColorBy::parse("designation"), Some(ColorBy::Designation));
        assert_eq!(ColorBy::parse("bogus"), None);
    }
}
