//! `GET /board` for a visitor who is not signed in: the public capacity overview, with a link
//! to sign in for the full board.
//!
//! # What the public board publishes, and why
//!
//! A surge makes people ask where to go and whether hospitals near them are full; the answer
//! should not need an account. But a board that shows one hospital's occupancy to anyone
//! tells a crowd where to queue and tells a journalist which hospital is failing, before the
//! coordinators have acted, and a report about few facilities gives away each facility's
//! numbers. So the public board shows (see also `docs/ARCHITECTURE.md`, "What the public board
//! publishes"):
//!
//! - per sub-region of the region viewed: how many facilities there are, how many report
//!   (and how many of those are stale), and how many are virus-designated or run a fever
//!   clinic: facts the public directory already gives one by one;
//! - free staffed ICU and general-ward beds per sub-region and for the region, as a band
//!   ("10–49 free"), never an exact count, and only where at least [`MIN_REPORTING`] facilities
//!   report the unit: below that the band is withheld, since one or two hospitals' sum is their
//!   own number;
//! - the lists of virus-designated hospitals and fever clinics, linked to their public pages;
//! - a map of facilities coloured by designation (public), each marker a link to the page.
//!
//! It never shows patients (no referrals, no stranded counts), any facility's own physical,
//! staffed or occupied numbers, overload, or the occupancy history. The numbers come from the
//! rollup without a principal (`Carebridge::rollup_of`), which is why this page, and only this
//! page, bands and withholds them.

use super::board::swatch;
use super::{field, pairs};
use crate::state::AppState;
use crate::web::i18n::{Lang, Text};
use crate::web::map::{self, Boundary, Marker};
use crate::web::page::{Chrome, PageCtx};
use crate::web::text_desk::{self, DeskText};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::capacity::{Rollup, Unit};
use carebridge_domain::designation::Designation;
use carebridge_domain::facility::Facility;
use carebridge_domain::region::RegionCode;
use carebridge_domain::service_kind::ServiceKind;
use carebridge_service::facilities::DirectoryQuery;
use carebridge_service::{Carebridge, ServiceError};

/// Fewest facilities reporting a unit for its free beds to be published (as a band).
pub const MIN_REPORTING: i64 = 3;
/// Facilities read for the map and counts at most.
const MAX_FACILITIES: usize = 5_000;
/// Names listed per public list at most; the directory has the rest.
const LIST: usize = 30;

#[derive(Template)]
#[template(path = "public_board.html")]
struct PublicBoard {
    chrome: Chrome,
    t: &'static Text,
    d: &'static DeskText,
    heading: String,
    up: Option<(String, String)>,
    tiles: Vec<PublicTile>,
    rows: Vec<PublicRow>,
    map_svg: Option<String>,
    legend: Vec<(String, &'static str)>,
    virus: Vec<Named>,
    virus_more: Option<String>,
    fever: Vec<Named>,
    fever_more: Option<String>,
    sign_in_href: String,
    unit_icu: &'static str,
    unit_general: &'static str,
}

struct PublicTile {
    label: &'static str,
    band: String,
    reporting: i64,
    stale: i64,
}

struct PublicRow {
    name: String,
    href: Option<String>,
    facilities: usize,
    reporting: i64,
    stale: i64,
    virus: usize,
    fever: usize,
    icu: String,
    general: String,
}

struct Named {
    name: String,
    href: String,
}

/// The published band of free beds for a sum over `reporting` facilities.
pub fn band(lang: Lang, available: i64, reporting: i64) -> String {
    if reporting < MIN_REPORTING {
        text_desk::text(lang).pub_withheld.to_string()
    } else {
        text_desk::free_band(lang, available)
    }
}

fn href(region: Option<RegionCode>) -> String {
    match region {
        Some(r) => format!("/board?region={r}"),
        None => "/board".to_string(),
    }
}

/// Every facility of the region from the public directory, up to [`MAX_FACILITIES`].
async fn facilities(cb: &Carebridge, region: Option<RegionCode>) -> Result<Vec<Facility>, ServiceError> {
    let mut out = Vec::new();
    let mut q = DirectoryQuery { region: region.map(|c| c.to_string()), limit: Some(500), ..Default::default() };
    loop {
        let page = cb.directory(&q).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) if out.len() < MAX_FACILITIES => q.cursor = Some(c),
            _ => return Ok(out),
        }
    }
}

/// Free beds, reporting and stale facilities of `unit` in the rollup rows of `code` (all rows
/// when `None`).
fn sums(r: &Rollup, unit: Unit, code: Option<RegionCode>) -> (i64, i64, i64) {
    r.rows
        .iter()
        .filter(|row| row.unit == unit && code.is_none_or(|c| row.region_code == c))
        .fold((0, 0, 0), |a, row| (a.0 + row.totals.available, a.1 + row.facilities, a.2 + row.stale_facilities))
}

pub async fn get(s: &AppState, ctx: &PageCtx, raw: Option<String>) -> Response {
    let (lang, t, d, cb) = (ctx.lang, ctx.t(), text_desk::text(ctx.lang), &s.cb);
    let query = pairs(raw.unwrap_or_default().as_bytes());
    let region = match field(&query, "region") {
        None => None,
        Some(v) => match RegionCode::parse(v) {
            Ok(code) if cb.regions.get(code).is_some() => Some(code),
            Ok(_) => {
                return ctx.error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t.err_title_bad_request,
                    &format!("{}: “{v}” {}", t.col_region, t.err_region_unknown),
                )
            }
            Err(_) => {
                return ctx.error(
                    StatusCode::BAD_REQUEST,
                    t.err_title_bad_request,
                    &format!("{}: “{v}” {}", t.col_region, t.err_region_shape),
                )
            }
        },
    };
    let (rollup, all) = tokio::join!(cb.rollup_of(region, false), facilities(cb, region));
    let rollup = match rollup {
        Ok(r) => r,
        Err(e) => return ctx.service_error(e),
    };
    let all = match all {
        Ok(f) => f,
        Err(e) => return ctx.service_error(e),
    };
    let heading =
        region.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());
    let up = region.and_then(|c| cb.regions.get(c)).map(|r| {
        let label =
            r.parent.and_then(|p| cb.regions.get(p)).map(|p| p.name.clone()).unwrap_or_else(|| t.nation.to_string());
        (href(r.parent), label)
    });
    let fever_clinic = |f: &Facility| f.draft.services.contains(&ServiceKind::FeverClinic);
    let virus_designated = |f: &Facility| f.designation == Designation::VirusDesignated;

    let tiles = [Unit::Icu, Unit::GeneralWard]
        .into_iter()
        .map(|unit| {
            let (available, reporting, stale) = sums(&rollup, unit, None);
            PublicTile { label: lang.unit(unit), band: band(lang, available, reporting), reporting, stale }
        })
        .collect();

    let mut codes: Vec<RegionCode> = rollup.rows.iter().map(|r| r.region_code).collect();
    codes.sort();
    codes.dedup();
    let rows = codes
        .into_iter()
        .map(|code| {
            let inside: Vec<&Facility> =
                all.iter().filter(|f| cb.regions.contains(code, f.draft.region_code)).collect();
            let (icu, icu_n, icu_stale) = sums(&rollup, Unit::Icu, Some(code));
            let (general, general_n, general_stale) = sums(&rollup, Unit::GeneralWard, Some(code));
            PublicRow {
                name: rollup
                    .rows
                    .iter()
                    .find(|r| r.region_code == code)
                    .map(|r| r.region_name.clone())
                    .unwrap_or_default(),
                href: (Some(code) != region).then(|| href(Some(code))),
                facilities: inside.len(),
                reporting: icu_n.max(general_n),
                stale: icu_stale.max(general_stale),
                virus: inside.iter().filter(|f| virus_designated(f)).count(),
                fever: inside.iter().filter(|f| fever_clinic(f)).count(),
                icu: band(lang, icu, icu_n),
                general: band(lang, general, general_n),
            }
        })
        .collect();

    let named = |f: &Facility| Named {
        name: lang.pick(f.draft.name_zh.clone(), f.draft.name_en.clone()),
        href: format!("/facilities/{}", f.id),
    };
    let list = |keep: &dyn Fn(&Facility) -> bool, more: String| -> (Vec<Named>, Option<String>) {
        let chosen: Vec<&Facility> = all.iter().filter(|f| keep(f)).collect();
        let more = (chosen.len() > LIST).then_some(more);
        (chosen.into_iter().take(LIST).map(named).collect(), more)
    };
    let region_q = region.map(|r| format!("&region={r}")).unwrap_or_default();
    let (virus, virus_more) = list(&virus_designated, format!("/directory?designation=virus_designated{region_q}"));
    let (fever, fever_more) = list(&fever_clinic, format!("/directory?service=fever_clinic{region_q}"));

    let page = PublicBoard {
        chrome: ctx.chrome(format!("{} · {heading}", d.pub_title), "board"),
        t,
        d,
        up,
        tiles,
        rows,
        map_svg: map_svg(cb, lang, region, &all, &heading),
        legend: Designation::ALL
            .iter()
            .map(|x| (swatch(map::designation_colour(*x), None, false), lang.designation(*x)))
            .collect(),
        virus,
        virus_more,
        fever,
        fever_more,
        sign_in_href: "/login".to_string(),
        unit_icu: lang.unit(Unit::Icu),
        unit_general: lang.unit(Unit::GeneralWard),
        heading,
    };
    ctx.html(StatusCode::OK, &page)
}

/// Facilities coloured by designation, each a link to its public page; areas strictly inside
/// the region link to the public board zoomed to them.
fn map_svg(cb: &Carebridge, lang: Lang, region: Option<RegionCode>, all: &[Facility], place: &str) -> Option<String> {
    let boundaries: Vec<Boundary> = map::boundaries_for(region, &cb.regions)
        .into_iter()
        .map(|feature| {
            let code = RegionCode::parse(&feature.code).ok().filter(|c| cb.regions.get(*c).is_some());
            let href =
                code.filter(|c| region.is_none_or(|r| r != *c && cb.regions.contains(r, *c))).map(|c| href(Some(c)));
            Boundary { feature, href }
        })
        .collect();
    let markers: Vec<Marker> = all
        .iter()
        .map(|f| Marker {
            lon: f.draft.location.lon,
            lat: f.draft.location.lat,
            fill: map::designation_colour(f.designation),
            ring: None,
            stale: false,
            rank: u8::from(f.designation == Designation::VirusDesignated),
            title: format!(
                "{} · {}",
                lang.pick(f.draft.name_zh.clone(), f.draft.name_en.clone()),
                lang.designation(f.designation)
            ),
            href: Some(format!("/facilities/{}", f.id)),
        })
        .collect();
    map::render(&boundaries, &markers, &lang.map_label(place, lang.t().color_designation))
}
