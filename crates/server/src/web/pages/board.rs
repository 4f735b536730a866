//! `GET /board`: the coordinator's capacity board for a region (their own by default, or
//! `?region=CODE` inside it): summary tiles from the rollup, a map of the facilities, the
//! facility table with staleness and overload, the 14-day occupancy chart, and links down to
//! sub-regions. `?color=icu|general|designation` picks what the map's colours show.
//!
//! Who sees what is the service's decision: the rollup answers coordinators and auditors, the
//! capacity list answers every role but patients (desks and clinicians see their facility).
//! The page only chooses what to draw from what it was given; for a desk or clinician the
//! tiles are summed from their own facility's numbers.

use super::directory::designation_class;
use super::{field, pairs};
use crate::state::AppState;
use crate::web::chart::{self, ChartText};
use crate::web::format::{count, local_time};
use crate::web::i18n::{Lang, Text};
use crate::web::map::{self, Boundary, ColorBy, Marker};
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_desk::{self, DeskText};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::capacity::{FacilityCapacity, Rollup, Totals, Unit, UnitCounts};
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::Facility;
use carebridge_domain::ids::FacilityId;
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::{Principal, Role, Scope};
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::{Carebridge, ServiceError};
use std::collections::HashMap;

/// Facilities fetched for the map and table at most (a province of a large country).
const MAX_FACILITIES: usize = 5_000;
/// Rows fetched per service call (the service's largest page).
const FETCH_PAGE: u32 = 500;
/// Rows the facility table shows at most; the most constrained come first.
const TABLE_ROWS: usize = 300;
/// Days of history in the chart.
const CHART_DAYS: i64 = 14;

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static DeskText,
    heading: String,
    up: Option<Link>,
    role_note: Option<&'static str>,
    tiles: Vec<Tile>,
    stale_text: String,
    stale_any: bool,
    map_svg: Option<String>,
    map_note: Option<String>,
    color_links: Vec<ColorLink>,
    legend: Vec<LegendItem>,
    chart_svg: String,
    unit_icu: &'static str,
    unit_general: &'static str,
    rows: Vec<FacRow>,
    table_note: Option<String>,
    subregions: Vec<SubRow>,
}

struct Link {
    href: String,
    label: String,
}

struct Tile {
    label: &'static str,
    physical: String,
    staffed: String,
    occupied: String,
    available: String,
    over: bool,
    facilities: i64,
    stale: i64,
}

struct ColorLink {
    href: String,
    label: &'static str,
    current: bool,
}

struct LegendItem {
    /// A small inline SVG swatch (built here from constants; no user text).
    swatch: String,
    label: String,
}

/// One unit's numbers in a table cell group.
struct Cells {
    staffed: String,
    occupied: String,
    available: String,
    over: bool,
}

impl Cells {
    fn of(t: Totals) -> Self {
        Cells {
            staffed: count(t.staffed),
            occupied: count(t.occupied),
            available: count(t.available),
            over: t.available < 0,
        }
    }
    fn of_counts(c: &UnitCounts) -> Self {
        Cells {
            staffed: count(c.staffed()),
            occupied: count(c.occupied()),
            available: count(c.available()),
            over: c.overloaded(),
        }
    }
}

struct FacRow {
    name: String,
    href: String,
    designation: &'static str,
    designation_class: &'static str,
    icu: Option<Cells>,
    general: Option<Cells>,
    as_of: String,
    age: String,
    stale: bool,
}

struct SubRow {
    name: String,
    href: Option<String>,
    icu: Option<Cells>,
    general: Option<Cells>,
    facilities: i64,
    stale: i64,
}

/// The board's link to itself for another region or colouring.
fn board_href(region: Option<RegionCode>, color: ColorBy) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(r) = region {
        q.append_pair("region", &r.to_string());
    }
    if color != ColorBy::Icu {
        q.append_pair("color", color.as_str());
    }
    let q = q.finish();
    if q.is_empty() {
        "/board".into()
    } else {
        format!("/board?{q}")
    }
}

/// Whether `p`'s scope covers region `code` (for links: the service decides access anyway).
fn may_view(cb: &Carebridge, p: &Principal, code: RegionCode) -> bool {
    match p.scope {
        Scope::Nation => true,
        Scope::Region(c) => cb.regions.contains(c, code),
        Scope::Facility(_) | Scope::Own => false,
    }
}

fn unit_counts(c: &FacilityCapacity, unit: Unit) -> Option<&UnitCounts> {
    c.units.iter().find(|u| u.unit == unit).map(|u| &u.counts)
}

/// Every current-capacity row the principal may see in `region`, up to [`MAX_FACILITIES`];
/// the flag says the list was cut.
async fn all_capacity(
    cb: &Carebridge,
    p: &Principal,
    region: Option<&str>,
) -> Result<(Vec<FacilityCapacity>, bool), ServiceError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = cb.current_capacity(p, region, cursor.as_deref(), Some(FETCH_PAGE)).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) if out.len() < MAX_FACILITIES => cursor = Some(c),
            Some(_) => return Ok((out, true)),
            None => return Ok((out, false)),
        }
    }
}

/// Where the facilities are: the public directory of the region (it carries lon/lat, which
/// capacity rows do not), or a desk's own facility.
async fn all_locations(
    cb: &Carebridge,
    p: &Principal,
    region: Option<RegionCode>,
) -> Result<(Vec<Facility>, bool), ServiceError> {
    if let Scope::Facility(id) = p.scope {
        return Ok((vec![cb.facility(id).await?], false));
    }
    let mut out = Vec::new();
    let mut query =
        DirectoryQuery { region: region.map(|c| c.to_string()), limit: Some(FETCH_PAGE), ..Default::default() };
    loop {
        let page = cb.directory(&query).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) if out.len() < MAX_FACILITIES => query.cursor = Some(c),
            Some(_) => return Ok((out, true)),
            None => return Ok((out, false)),
        }
    }
}

pub async fn get(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return super::public_board::get(&s, &ctx, raw).await };
    let p = &session.principal;
    let t = ctx.t();
    let lang = ctx.lang;
    let cb = &s.cb;
    if p.role == Role::Patient {
        return ctx.error(StatusCode::FORBIDDEN, t.err_title_forbidden, t.err_forbidden_capacity);
    }

    let query = pairs(raw.unwrap_or_default().as_bytes());
    let color = match field(&query, "color") {
        None => ColorBy::Icu,
        Some(v) => match ColorBy::parse(v) {
            Some(c) => c,
            None => {
                return ctx.error(
                    StatusCode::BAD_REQUEST,
                    t.err_title_bad_request,
                    &format!("{}: “{v}” {}", t.color_by, t.err_not_a_choice),
                )
            }
        },
    };
    let asked = match field(&query, "region") {
        None => None,
        Some(v) => match RegionCode::parse(v) {
            Err(_) => {
                return ctx.error(
                    StatusCode::BAD_REQUEST,
                    t.err_title_bad_request,
                    &format!("{}: “{v}” {}", t.col_region, t.err_region_shape),
                )
            }
            Ok(code) if cb.regions.get(code).is_none() => {
                return ctx.error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t.err_title_bad_request,
                    &format!("{}: “{v}” {}", t.col_region, t.err_region_unknown),
                )
            }
            Ok(code) => Some(code),
        },
    };
    let may_rollup = p.role.is_coordinator() || p.role == Role::Auditor;
    let own_facility = matches!(p.scope, Scope::Facility(_));
    // The region the page is about: the one asked for, else the principal's own.
    let region = asked.or(match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    });
    let region_arg = asked.map(|c| c.to_string());

    let (capacity, rollup, series, locations) = tokio::join!(
        all_capacity(cb, p, region_arg.as_deref()),
        async {
            if may_rollup {
                Some(cb.rollup(p, region_arg.as_deref(), false).await)
            } else {
                None
            }
        },
        cb.capacity_series(p, region_arg.as_deref(), CHART_DAYS),
        all_locations(cb, p, region),
    );
    let (capacity, capacity_cut) = match capacity {
        Ok(c) => c,
        Err(e) => return ctx.service_error(e),
    };
    let rollup = match rollup.transpose() {
        Ok(r) => r,
        Err(e) => return ctx.service_error(e),
    };
    let series = match series {
        Ok(s) => s,
        Err(e) => return ctx.service_error(e),
    };
    let (locations, locations_cut) = match locations {
        Ok(l) => l,
        Err(e) => return ctx.service_error(e),
    };

    // What the heading, map and links are about.
    let own = if own_facility { locations.first() } else { None };
    let heading = match (own, region.and_then(|c| cb.regions.get(c))) {
        (Some(f), _) => name_of(lang, &f.draft.name_zh, &f.draft.name_en).to_string(),
        (None, Some(r)) => r.name.clone(),
        (None, None) => t.nation.to_string(),
    };
    let map_region = match own {
        Some(f) => cb.regions.path(f.draft.region_code).map(|p| p.city),
        None => region,
    };
    let up = match region.filter(|_| !own_facility).and_then(|c| cb.regions.get(c)) {
        Some(r) => match r.parent {
            Some(parent) if may_view(cb, p, parent) => {
                cb.regions.get(parent).map(|pr| Link { href: board_href(Some(parent), color), label: pr.name.clone() })
            }
            None if p.scope == Scope::Nation => {
                Some(Link { href: board_href(None, color), label: t.nation.to_string() })
            }
            _ => None,
        },
        None => None,
    };

    let by_id: HashMap<FacilityId, &FacilityCapacity> = capacity.iter().map(|c| (c.facility_id, c)).collect();
    let stale_count = capacity.iter().filter(|c| c.stale).count();
    let page = BoardPage {
        chrome: ctx.chrome(format!("{} · {heading}", t.board_title), "board"),
        t,
        d: text_desk::text(lang),
        up,
        role_note: own_facility.then_some(t.own_facility_note),
        tiles: tiles(lang, rollup.as_ref(), &capacity),
        stale_text: lang.stale_of(stale_count, capacity.len()),
        stale_any: stale_count > 0,
        map_svg: map_svg(cb, p, lang, map_region, region, color, &locations, &by_id, &heading),
        map_note: locations_cut.then(|| lang.map_truncated(locations.len())),
        color_links: [
            (ColorBy::Icu, t.color_icu),
            (ColorBy::General, t.color_general),
            (ColorBy::Designation, t.color_designation),
        ]
        .into_iter()
        .map(|(c, label)| ColorLink { href: board_href(asked, c), label, current: c == color })
        .collect(),
        legend: legend(lang, color),
        chart_svg: chart_svg(lang, cb, &series),
        unit_icu: lang.unit(Unit::Icu),
        unit_general: lang.unit(Unit::GeneralWard),
        table_note: (capacity.len() > TABLE_ROWS || capacity_cut)
            .then(|| lang.truncated(TABLE_ROWS.min(capacity.len()), capacity.len())),
        rows: table(lang, &capacity),
        subregions: rollup.as_ref().map(|r| subregions(cb, p, r, region, color)).unwrap_or_default(),
        heading,
    };
    ctx.html(StatusCode::OK, &page)
}

fn name_of<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// ICU and general-ward tiles: from the rollup when the principal may roll up, else summed
/// from the facilities they see.
fn tiles(lang: Lang, rollup: Option<&Rollup>, capacity: &[FacilityCapacity]) -> Vec<Tile> {
    [Unit::Icu, Unit::GeneralWard]
        .into_iter()
        .map(|unit| {
            let (mut physical, mut staffed, mut occupied, mut facilities, mut stale) = (0, 0, 0, 0, 0);
            match rollup {
                Some(r) => {
                    for row in r.rows.iter().filter(|row| row.unit == unit) {
                        physical += row.totals.physical;
                        staffed += row.totals.staffed;
                        occupied += row.totals.occupied;
                        facilities += row.facilities;
                        stale += row.stale_facilities;
                    }
                }
                None => {
                    for c in capacity {
                        if let Some(u) = unit_counts(c, unit) {
                            physical += u.physical();
                            staffed += u.staffed();
                            occupied += u.occupied();
                            facilities += 1;
                            stale += i64::from(c.stale);
                        }
                    }
                }
            }
            let totals = Totals::from_sums(physical, staffed, occupied);
            Tile {
                label: lang.unit(unit),
                physical: count(totals.physical),
                staffed: count(totals.staffed),
                occupied: count(totals.occupied),
                available: count(totals.available),
                over: totals.available < 0,
                facilities,
                stale,
            }
        })
        .collect()
}

/// The facility table, most constrained ICU first (then general ward), cut at [`TABLE_ROWS`].
fn table(lang: Lang, capacity: &[FacilityCapacity]) -> Vec<FacRow> {
    let mut order: Vec<&FacilityCapacity> = capacity.iter().collect();
    order.sort_by_key(|c| {
        (
            unit_counts(c, Unit::Icu).map(UnitCounts::available).unwrap_or(i64::MAX),
            unit_counts(c, Unit::GeneralWard).map(UnitCounts::available).unwrap_or(i64::MAX),
        )
    });
    order
        .into_iter()
        .take(TABLE_ROWS)
        .map(|c| FacRow {
            name: name_of(lang, &c.facility_name_zh, &c.facility_name_en).to_string(),
            href: format!("/facilities/{}", c.facility_id),
            designation: lang.designation(c.designation),
            designation_class: designation_class(c.designation),
            icu: unit_counts(c, Unit::Icu).map(Cells::of_counts),
            general: unit_counts(c, Unit::GeneralWard).map(Cells::of_counts),
            // The newest report, and apart the oldest unit's age (which staleness follows): a
            // partial report moves the first and may leave the second.
            as_of: c.newest_as_of.map(local_time).unwrap_or_default(),
            age: c.age_seconds.map(|a| lang.age(a)).unwrap_or_default(),
            stale: c.stale,
        })
        .collect()
}

/// Sub-regions of the rollup with links down, when the principal's scope covers them.
fn subregions(cb: &Carebridge, p: &Principal, r: &Rollup, current: Option<RegionCode>, color: ColorBy) -> Vec<SubRow> {
    let mut order: Vec<RegionCode> = Vec::new();
    let mut by_code: HashMap<RegionCode, SubRow> = HashMap::new();
    for row in &r.rows {
        let entry = by_code.entry(row.region_code).or_insert_with(|| {
            order.push(row.region_code);
            SubRow {
                name: row.region_name.clone(),
                href: (Some(row.region_code) != current && may_view(cb, p, row.region_code))
                    .then(|| board_href(Some(row.region_code), color)),
                icu: None,
                general: None,
                facilities: 0,
                stale: 0,
            }
        });
        match row.unit {
            Unit::Icu => entry.icu = Some(Cells::of(row.totals)),
            Unit::GeneralWard => entry.general = Some(Cells::of(row.totals)),
            _ => {}
        }
        entry.facilities = entry.facilities.max(row.facilities);
        entry.stale = entry.stale.max(row.stale_facilities);
    }
    order.sort();
    order.into_iter().filter_map(|c| by_code.remove(&c)).collect()
}

/// The map: boundaries of `map_region` and one marker per located facility.
#[allow(clippy::too_many_arguments)]
fn map_svg(
    cb: &Carebridge,
    p: &Principal,
    lang: Lang,
    map_region: Option<RegionCode>,
    region: Option<RegionCode>,
    color: ColorBy,
    locations: &[Facility],
    by_id: &HashMap<FacilityId, &FacilityCapacity>,
    place: &str,
) -> Option<String> {
    let t = lang.t();
    let boundaries: Vec<Boundary> = map::boundaries_for(map_region, &cb.regions)
        .into_iter()
        .map(|feature| {
            let code = RegionCode::parse(&feature.code).ok().filter(|c| cb.regions.get(*c).is_some());
            // Only regions strictly inside the current one are drilled into (a fallback outline
            // of the province around a city is not a link).
            let href = code
                .filter(|c| region.is_none_or(|r| r != *c && cb.regions.contains(r, *c)) && may_view(cb, p, *c))
                .map(|c| board_href(Some(c), color));
            Boundary { feature, href }
        })
        .collect();
    let markers: Vec<Marker> = locations.iter().map(|f| marker(lang, color, f, by_id.get(&f.id).copied())).collect();
    let mode = match color {
        ColorBy::Icu => t.color_icu,
        ColorBy::General => t.color_general,
        ColorBy::Designation => t.color_designation,
    };
    map::render(&boundaries, &markers, &lang.map_label(place, mode))
}

fn marker(lang: Lang, color: ColorBy, f: &Facility, cap: Option<&FacilityCapacity>) -> Marker {
    let t = lang.t();
    let icu = cap.and_then(|c| unit_counts(c, Unit::Icu));
    let general = cap.and_then(|c| unit_counts(c, Unit::GeneralWard));
    let (fill, rank) = match color {
        ColorBy::Icu => map::traffic(icu.map(UnitCounts::available), color),
        ColorBy::General => map::traffic(general.map(UnitCounts::available), color),
        ColorBy::Designation => (map::designation_colour(f.designation), 1),
    };
    let ring =
        (color != ColorBy::Designation && f.designation == Designation::VirusDesignated).then_some(map::VIRUS_RING);
    let mut title =
        format!("{} · {}", name_of(lang, &f.draft.name_zh, &f.draft.name_en), lang.designation(f.designation));
    for (unit, counts) in [(Unit::Icu, icu), (Unit::GeneralWard, general)] {
        if let Some(u) = counts {
            title.push_str(&format!(
                "\n{}: {} {} ({} {} / {} {})",
                lang.unit(unit),
                count(u.available()),
                t.available,
                u.occupied(),
                t.occupied,
                u.staffed(),
                t.staffed
            ));
        }
    }
    match cap {
        Some(c) => {
            if let (Some(newest), Some(age)) = (c.newest_as_of, c.age_seconds) {
                title.push_str(&format!("\n{}", text_desk::report_time(lang, &local_time(newest), &lang.age(age))));
            }
            if c.stale {
                title.push_str(&format!(" · {}", t.stale));
            }
        }
        None => title.push_str(&format!("\n{}", t.no_report)),
    }
    Marker {
        lon: f.draft.location.lon,
        lat: f.draft.location.lat,
        fill,
        ring,
        stale: cap.is_some_and(|c| c.stale),
        rank,
        title,
        href: Some(format!("/facilities/{}", f.id)),
    }
}

/// A legend swatch: a circle like the map's markers.
pub fn swatch(fill: &str, ring: Option<&str>, stale: bool) -> String {
    let (stroke, width) = ring.map(|r| (r, 3)).unwrap_or(("#1f1f1f", 1));
    let dash = if stale { r#" stroke-dasharray="2.5 1.5""# } else { "" };
    let hatch = if stale {
        concat!(
            r#"<defs><pattern id="cb-hatch-legend" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"#,
            r##"<line x1="0" y1="0" x2="0" y2="4" stroke="#000" stroke-width="1.6" stroke-opacity="0.7"/></pattern></defs>"##,
            r#"<circle cx="9" cy="9" r="5" fill="url(#cb-hatch-legend)"/>"#
        )
    } else {
        ""
    };
    format!(
        r#"<svg class="swatch" viewBox="0 0 18 18" width="18" height="18" aria-hidden="true" focusable="false"><circle cx="9" cy="9" r="6" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>{hatch}</svg>"#
    )
}

fn legend(lang: Lang, color: ColorBy) -> Vec<LegendItem> {
    let t = lang.t();
    let item = |fill: &str, ring: Option<&str>, stale: bool, label: String| LegendItem {
        swatch: swatch(fill, ring, stale),
        label,
    };
    let mut out = Vec::new();
    match color {
        ColorBy::Icu | ColorBy::General => {
            let (amber, green) = color.bands();
            out.push(item(map::GREEN, None, false, lang.band_at_least(green)));
            out.push(item(map::AMBER, None, false, lang.band(amber, green - 1)));
            out.push(item(map::RED, None, false, t.legend_full.to_string()));
            out.push(item(map::GREY, None, false, t.legend_none.to_string()));
            out.push(item("#ffffff", Some(map::VIRUS_RING), false, t.legend_virus_ring.to_string()));
        }
        ColorBy::Designation => {
            for d in Designation::ALL {
                out.push(item(map::designation_colour(*d), None, false, lang.designation(*d).to_string()));
            }
        }
    }
    out.push(item("#ffffff", None, true, t.legend_stale.to_string()));
    out
}

fn chart_svg(lang: Lang, cb: &Carebridge, series: &[carebridge_service::capacity::SeriesPoint]) -> String {
    let t = lang.t();
    let lines = chart::lines(series);
    let latest: Vec<(&str, f64)> = lines.iter().filter_map(|l| l.latest().map(|v| (lang.unit(l.unit), v))).collect();
    let aria = if latest.is_empty() { t.no_data.to_string() } else { lang.chart_label(&latest) };
    let now = cb.now();
    let text = ChartText {
        icu: lang.unit(Unit::Icu),
        general: lang.unit(Unit::GeneralWard),
        no_data: t.no_data,
        aria_label: &aria,
    };
    chart::render(&lines, now.minus_hours(CHART_DAYS * 24), now, &text)
}
