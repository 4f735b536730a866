//! Region boundaries, and whether a point lies in (or near) the region it names.
//!
//! The shipped boundary files (`data/maps/`, see `data/maps/SOURCE.md`) hold the 34
//! province-level units and, for seven provinces, their prefecture-level cities (districts for
//! the two municipalities). They are embedded here, in the domain, so the service can check a
//! referral's location and the pages can draw the same outlines (`server/src/web/map.rs` reads
//! [`FILES`]). Parsed once, lazily, into one index keyed by region code.
//!
//! The check ([`check_location`]) uses the deepest boundary shipped for the named region: its
//! own polygon if a file has it, else its nearest ancestor's (county → city → province). A
//! point inside (even–odd over every ring, so holes and multipolygons come out right) passes; a
//! point outside passes when it lies within [`LOCATION_TOLERANCE_KM`] of the boundary, because
//! the files are simplified to about 1 km and a patient picked up at a border, or located by a
//! phone's coarse fix, is still that region's patient. A region with no boundary anywhere up its
//! chain (none today: every province is shipped) is not checked.
//!
//! Everything here is pure: geometry on lon/lat with a local equirectangular projection around
//! the point (longitude scaled by the cosine of its latitude), accurate to well under 1 % at the
//! few-kilometre distances the tolerance is about.

use crate::facility::GeoPoint;
use crate::region::{RegionCode, Regions};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The embedded boundary files: `None` for the provinces of China, else the province whose
/// cities (or, for a municipality, districts) the file holds.
pub const FILES: [(Option<u32>, &str); 8] = [
    (None, include_str!("../data/maps/cn-provinces.geojson")),
    (Some(110000), include_str!("../data/maps/110000-beijing.geojson")),
    (Some(310000), include_str!("../data/maps/310000-shanghai.geojson")),
    (Some(320000), include_str!("../data/maps/320000-jiangsu.geojson")),
    (Some(370000), include_str!("../data/maps/370000-shandong.geojson")),
    (Some(420000), include_str!("../data/maps/420000-hubei.geojson")),
    (Some(430000), include_str!("../data/maps/430000-hunan.geojson")),
    (Some(440000), include_str!("../data/maps/440000-guangdong.geojson")),
];

/// How far outside its region's boundary a location may lie and still be accepted, in km: the
/// files are simplified to about 1 km, and a patient at a border or with a coarse phone fix
/// (a few km in a city) still belongs to the region named. A wrong region or a wrong
/// coordinate (New York for Wuchang) is tens to thousands of km off.
pub const LOCATION_TOLERANCE_KM: f64 = 5.0;

/// Kilometres per degree of latitude (mean Earth radius 6,371 km).
const KM_PER_DEGREE: f64 = 6371.0 * std::f64::consts::PI / 180.0;

/// One region's outline: outer rings and holes alike, as lon/lat points.
#[derive(Debug, Clone)]
pub struct Boundary {
    pub code: RegionCode,
    pub rings: Vec<Vec<[f64; 2]>>,
    /// min lon, min lat, max lon, max lat.
    bbox: [f64; 4],
}

impl Boundary {
    pub fn new(code: RegionCode, rings: Vec<Vec<[f64; 2]>>) -> Self {
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for p in rings.iter().flatten() {
            bbox = [bbox[0].min(p[0]), bbox[1].min(p[1]), bbox[2].max(p[0]), bbox[3].max(p[1])];
        }
        Self { code, rings, bbox }
    }

    /// Whether the point lies inside: even–odd over every ring (a hole's ring flips it back out;
    /// the parts of a multipolygon are rings too).
    pub fn contains(&self, p: GeoPoint) -> bool {
        if p.lon < self.bbox[0] || p.lon > self.bbox[2] || p.lat < self.bbox[1] || p.lat > self.bbox[3] {
            return false;
        }
        let mut inside = false;
        for ring in &self.rings {
            for (a, b) in edges(ring) {
                if (a[1] > p.lat) != (b[1] > p.lat) {
                    let x = a[0] + (p.lat - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                    if p.lon < x {
                        inside = !inside;
                    }
                }
            }
        }
        inside
    }

    /// Distance from the point to the nearest edge, in km (0 on the line).
    pub fn distance_to_edge_km(&self, p: GeoPoint) -> f64 {
        let scale = p.lat.to_radians().cos().max(1e-6);
        // Project around the point: x east, y north, in km.
        let project = |q: [f64; 2]| [(q[0] - p.lon) * scale * KM_PER_DEGREE, (q[1] - p.lat) * KM_PER_DEGREE];
        let mut best = f64::INFINITY;
        for ring in &self.rings {
            for (a, b) in edges(ring) {
                best = best.min(distance_to_segment(project(a), project(b)));
            }
        }
        best
    }

    /// 0 inside, else the distance to the boundary in km.
    pub fn distance_outside_km(&self, p: GeoPoint) -> f64 {
        if self.contains(p) {
            0.0
        } else {
            self.distance_to_edge_km(p)
        }
    }
}

/// A ring's edges, closing it if the file did not repeat the first point.
fn edges(ring: &[[f64; 2]]) -> impl Iterator<Item = ([f64; 2], [f64; 2])> + '_ {
    let n = ring.len();
    (0..n).map(move |i| (ring[i], ring[(i + 1) % n])).filter(|(a, b)| a != b)
}

/// Distance from the origin to the segment a–b (planar).
fn distance_to_segment(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 { (-(a[0] * d[0] + a[1] * d[1]) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let c = [a[0] + t * d[0], a[1] + t * d[1]];
    (c[0] * c[0] + c[1] * c[1]).sqrt()
}

/// A location too far outside the region it names.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideRegion {
    /// The region whose boundary was checked (the named one, or its nearest shipped ancestor).
    pub checked: RegionCode,
    /// Distance outside that boundary, in km.
    pub km: f64,
}

/// The boundary index of the shipped files.
#[derive(Debug, Default)]
pub struct BoundaryIndex {
    by_code: HashMap<RegionCode, Boundary>,
}

impl BoundaryIndex {
    /// Build an index from GeoJSON texts (`FeatureCollection`s of `Polygon`/`MultiPolygon`
    /// features with a `code` property); features of one code are merged.
    pub fn from_geojson<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut rings_by_code: HashMap<RegionCode, Vec<Vec<[f64; 2]>>> = HashMap::new();
        for text in texts {
            for (code, rings) in parse_geojson(text)? {
                rings_by_code.entry(code).or_default().extend(rings);
            }
        }
        let by_code = rings_by_code.into_iter().map(|(code, rings)| (code, Boundary::new(code, rings))).collect();
        Ok(Self { by_code })
    }

    /// The shipped files, parsed on first use.
    pub fn shipped() -> &'static BoundaryIndex {
        static INDEX: OnceLock<BoundaryIndex> = OnceLock::new();
        INDEX.get_or_init(|| {
            // The files are committed and parsed by this crate's tests: a failure here is a
            // broken build, and an empty index only turns the check off.
            BoundaryIndex::from_geojson(FILES.iter().map(|(_, text)| *text)).unwrap_or_default()
        })
    }

    pub fn get(&self, code: RegionCode) -> Option<&Boundary> {
        self.by_code.get(&code)
    }

    /// The deepest boundary for `code`: its own, else its nearest ancestor's.
    pub fn deepest_for(&self, regions: &Regions, code: RegionCode) -> Option<&Boundary> {
        let mut cursor = Some(code);
        while let Some(c) = cursor {
            if let Some(b) = self.get(c) {
                return Some(b);
            }
            cursor = regions.get(c).and_then(|r| r.parent);
        }
        None
    }

    /// Whether `point` lies in the region `code` names or within [`LOCATION_TOLERANCE_KM`] of
    /// its deepest shipped boundary.
    pub fn check_location(&self, regions: &Regions, code: RegionCode, point: GeoPoint) -> Result<(), OutsideRegion> {
        let Some(boundary) = self.deepest_for(regions, code) else { return Ok(()) };
        let km = boundary.distance_outside_km(point);
        if km <= LOCATION_TOLERANCE_KM {
            Ok(())
        } else {
            Err(OutsideRegion { checked: boundary.code, km })
        }
    }
}

/// A region's rings, outer rings and holes alike, as lon/lat points.
pub type Rings = Vec<Vec<[f64; 2]>>;

/// One feature of a boundary file: its `code` and `name` properties (as written) and its rings
/// (outer rings and holes alike, rings of fewer than three points dropped).
#[derive(Debug, Clone)]
pub struct GeoFeature {
    pub code: String,
    pub name: String,
    pub rings: Rings,
}

/// Parse a GeoJSON `FeatureCollection` of `Polygon`/`MultiPolygon` features with `code` and
/// `name` properties: the one reader of the shipped files, for the location check here and the
/// board's map (`server::web::map`).
pub fn parse_features(text: &str) -> Result<Vec<GeoFeature>, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let features = doc.get("features").and_then(|f| f.as_array()).ok_or("no `features` array")?;
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let prop = |k: &str| f.pointer(&format!("/properties/{k}")).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let geometry = f.get("geometry").ok_or("a feature without geometry")?;
        let coords = geometry.get("coordinates").ok_or("a geometry without coordinates")?;
        let polygons: Vec<&serde_json::Value> = match geometry.get("type").and_then(|t| t.as_str()) {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords.as_array().map(|a| a.iter().collect()).unwrap_or_default(),
            other => return Err(format!("unsupported geometry {other:?}")),
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon.as_array().into_iter().flatten() {
                let points: Vec<[f64; 2]> = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                    .collect();
                if points.len() >= 3 {
                    rings.push(points);
                }
            }
        }
        out.push(GeoFeature { code: prop("code"), name: prop("name"), rings });
    }
    Ok(out)
}

/// Features as (code, rings); features without a valid code are skipped.
fn parse_geojson(text: &str) -> Result<Vec<(RegionCode, Rings)>, String> {
    Ok(parse_features(text)?
        .into_iter()
        .filter_map(|f| RegionCode::parse(&f.code).ok().map(|code| (code, f.rings)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(lon: f64, lat: f64) -> GeoPoint {
        GeoPoint { lon, lat }
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    /// A 1°×1° square at (0..1, 0..1) with a hole (0.4..0.6)², and a second part at (2..3, 0..1).
    fn shape() -> Boundary {
        let square = |x0: f64, y0: f64, x1: f64, y1: f64| vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
        Boundary::new(
            code("420100"),
            vec![square(0.0, 0.0, 1.0, 1.0), square(0.4, 0.4, 0.6, 0.6), square(2.0, 0.0, 3.0, 1.0)],
        )
    }

    #[test]
    fn inside_outside_holes_and_parts() {
        let b = shape();
        assert!(b.contains(pt(0.2, 0.2)));
        assert!(!b.contains(pt(0.5, 0.5)), "the hole is outside");
        assert!(b.contains(pt(2.5, 0.5)), "the second part is inside");
        assert!(!b.contains(pt(1.5, 0.5)), "between the parts is outside");
        assert!(!b.contains(pt(-0.5, 0.5)));
        assert_eq!(b.distance_outside_km(pt(0.2, 0.2)), 0.0);
    }

    #[test]
    fn distance_to_the_edge_is_in_km() {
        let b = shape();
        // 0.1° east of the first square's east edge at the equator: 11.1 km.
        let d = b.distance_to_edge_km(pt(1.1, 0.5));
        assert!((d - 11.12).abs() < 0.05, "{d}");
        // In the hole, 0.1° from its edges.
        let d = b.distance_outside_km(pt(0.5, 0.5));
        assert!((d - 11.12).abs() < 0.05, "{d}");
        // Near a corner, the corner is the nearest point.
        let d = b.distance_to_edge_km(pt(-0.03, -0.04));
        assert!((d - 5.56).abs() < 0.05, "{d}");
    }

    #[test]
    fn the_shipped_files_parse_and_the_deepest_boundary_is_used() {
        let regions = Regions::china();
        let index = BoundaryIndex::shipped();
        assert!(index.get(code("420000")).is_some(), "Hubei");
        assert!(index.get(code("420100")).is_some(), "Wuhan");
        // Wuchang district has no polygon of its own: Wuhan's is used.
        assert_eq!(index.deepest_for(&regions, code("420106")).map(|b| b.code), Some(code("420100")));
        // A Sichuan county: only the province is shipped.
        assert_eq!(index.deepest_for(&regions, code("510104")).map(|b| b.code), Some(code("510000")));
        for p in regions.provinces() {
            assert!(index.get(*p).is_some(), "{p} has a boundary");
        }
    }

    #[test]
    fn a_location_must_lie_in_its_region_or_close_to_it() {
        let regions = Regions::china();
        let index = BoundaryIndex::shipped();
        // Wuchang, central Wuhan.
        assert_eq!(index.check_location(&regions, code("420106"), pt(114.31, 30.55)), Ok(()));
        // New York with a Wuchang code: thousands of km out.
        let err = index.check_location(&regions, code("420106"), pt(-74.0, 40.7)).unwrap_err();
        assert_eq!(err.checked, code("420100"));
        assert!(err.km > 10_000.0, "{}", err.km);
        // Changsha (Hunan) named as Wuhan: refused, a few hundred km out.
        let err = index.check_location(&regions, code("420100"), pt(112.94, 28.23)).unwrap_err();
        assert!((150.0..400.0).contains(&err.km), "{}", err.km);
        // Beijing's Dongcheng district named by its own polygon.
        assert_eq!(index.check_location(&regions, code("110101"), pt(116.41, 39.92)), Ok(()));
    }

    #[test]
    fn the_tolerance_accepts_a_point_just_outside() {
        let regions = Regions::china();
        let b = shape();
        let index = BoundaryIndex { by_code: [(b.code, b)].into_iter().collect() };
        assert!(index.check_location(&regions, code("420100"), pt(1.04, 0.5)).is_ok(), "4.4 km out");
        let err = index.check_location(&regions, code("420100"), pt(1.06, 0.5)).unwrap_err();
        assert!((err.km - 6.67).abs() < 0.05, "{}", err.km);
    }
}
