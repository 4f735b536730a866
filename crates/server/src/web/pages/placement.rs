//! `GET /placement/board`: the coordinators' board of stranded patients. It lists the open
//! referrals in the coordinator's regions that have escalated or passed their maximum wait,
//! longest waiting first, each with its reasons (the declines so far and the engine's
//! exclusions now) and a link to its directed-placement page (`pages/ranking.rs`, where each
//! facility shows what it breaks and an override is explicit); the region's protected groups,
//! their words decided by `CriticalCare::absorb` from the numbers beside them; and a map of the
//! region with the patients' home regions marked (at the region's centre, never the patient's
//! own location).

use super::field;
use super::referrals::{facilities_of, status_class, waiting, why_live, Names, Why};
use crate::state::AppState;
use crate::web::format::local_time;
use crate::web::i18n::{Lang, Text};
use crate::web::map::{self, Boundary, Marker};
use crate::web::page::{Chrome, PageCtx};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use carebridge_domain::referral::{OfferStatus, Referral, ReferralStatus};
use carebridge_domain::region::RegionCode;
use carebridge_domain::user::{Principal, Scope};
use carebridge_service::{Carebridge, ServiceError};
use carebridge_store::referrals::ReferralFilter;
use std::collections::BTreeMap;

/// Referrals of each kind (escalated, overdue) read at most.
const FETCH: u32 = 200;
/// Stranded referrals the board shows at most, longest waiting first.
const ROWS: usize = 100;
/// Rows the engine is asked to explain live (each is a placement run); the rest show the
/// reasons recorded on their timeline.
const LIVE_EXPLANATIONS: usize = 25;

#[derive(Template)]
#[template(path = "placement_board.html")]
struct BoardPage {
    chrome: Chrome,
    t: &'static Text,
    d: &'static crate::web::text_desk::DeskText,
    tr: &'static crate::web::text_ranking::RankingText,
    notice: Option<&'static str>,
    heading: String,
    rows: Vec<Row>,
    map_svg: Option<String>,
    /// The map's legend: a swatch and what it marks, per colour.
    legend: Vec<(String, &'static str)>,
    /// Zoom links: out to the enclosing region, in to each sub-region with stranded patients.
    zoom: Vec<ZoomLink>,
    /// The protected groups of the coordinator's region (none for the nation).
    groups: Vec<GroupRow>,
}

/// One protected group on the board.
struct GroupRow {
    name: &'static str,
    open: usize,
    unplaced: usize,
    past_limit: usize,
    facilities: usize,
    beds: String,
    load: String,
    verdict: &'static str,
    verdict_class: &'static str,
}

/// A zoom link of the stranded map.
struct ZoomLink {
    href: String,
    label: String,
}

/// The region `?region=` zooms to, when the coordinator governs it; `None` for their whole scope.
fn zoom_of(cb: &Carebridge, p: &Principal, raw: Option<&str>) -> Option<RegionCode> {
    let query = super::pairs(raw.unwrap_or_default().as_bytes());
    let code = RegionCode::parse(field(&query, "region")?).ok().filter(|c| cb.regions.get(*c).is_some())?;
    match p.scope {
        Scope::Nation => Some(code),
        Scope::Region(s) => cb.regions.contains(s, code).then_some(code),
        Scope::Facility(_) | Scope::Own => None,
    }
}

fn zoom_href(region: Option<RegionCode>) -> String {
    match region {
        Some(r) => format!("/placement/board?region={r}#stranded-map-h"),
        None => "/placement/board#stranded-map-h".to_string(),
    }
}

/// The words and badge class of a protected group's verdict (decided from its numbers by
/// `CriticalCare::absorb`).
pub fn verdict(lang: Lang, a: carebridge_service::protected::Absorb) -> (&'static str, &'static str) {
    use carebridge_service::protected::Absorb;
    let (t, tr) = (lang.t(), crate::web::text_ranking::text(lang));
    match a {
        Absorb::NoCriticalCare => (t.no_critical_care, "s-escalated"),
        Absorb::Overwhelmed => (t.overwhelmed, "s-escalated"),
        Absorb::NearlyFull => (tr.nearly_full, "s-offered"),
        Absorb::CanAbsorb => (t.absorbs, "s-placed"),
    }
}

/// The protected groups of `region` as board rows.
async fn group_rows(cb: &Carebridge, lang: Lang, p: &Principal, region: Option<RegionCode>) -> Vec<GroupRow> {
    use carebridge_service::protected::ProtectedGroup;
    let t = lang.t();
    let Some(region) = region else { return Vec::new() };
    let Ok(board) = cb.protected_board(p, region).await else { return Vec::new() };
    board
        .groups
        .iter()
        .map(|g| {
            let cc = &g.critical_care;
            let (verdict, verdict_class) = verdict(lang, cc.absorb(g.unplaced));
            GroupRow {
                name: match g.group {
                    ProtectedGroup::Dialysis => t.group_dialysis,
                    ProtectedGroup::CancerSurgery => t.group_cancer_surgery,
                    ProtectedGroup::Maternity => t.group_maternity,
                    ProtectedGroup::EmergencySurgery => t.group_emergency_surgery,
                },
                open: g.open,
                unplaced: g.unplaced,
                past_limit: g.past_limit,
                facilities: cc.facilities,
                beds: format!("{} / {}", cc.free, cc.staffed),
                load: format!("{:.0} %", cc.load_permille as f64 / 10.0),
                verdict,
                verdict_class,
            }
        })
        .collect()
}

struct Row {
    id: String,
    href: String,
    direct_href: String,
    pseudonym: String,
    need: String,
    unit: &'static str,
    urgency: &'static str,
    status: &'static str,
    status_class: &'static str,
    region: String,
    waited: String,
    overdue: bool,
    escalated: Option<String>,
    current: Option<String>,
    declines: Vec<String>,
    why: Option<Why>,
}

/// The open referrals `p` should see on the board: escalated or overdue, each once.
async fn stranded(cb: &Carebridge, p: &Principal) -> Result<Vec<Referral>, ServiceError> {
    let now = cb.now();
    let open: Vec<ReferralStatus> = ReferralStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let escalated = ReferralFilter { statuses: open.clone(), escalated: true, ..Default::default() };
    let overdue = ReferralFilter { statuses: open, overdue_at: Some(now), ..Default::default() };
    let (a, b) =
        tokio::join!(cb.referrals(p, &escalated, None, Some(FETCH)), cb.referrals(p, &overdue, None, Some(FETCH)));
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Referral> =
        a?.items.into_iter().chain(b?.items).filter(|r| r.status.is_open() && seen.insert(r.id)).collect();
    out.sort_by_key(|r| r.filed_at);
    out.truncate(ROWS);
    Ok(out)
}

pub async fn board(State(s): State<AppState>, ctx: PageCtx, RawQuery(raw): RawQuery) -> Response {
    let Some(session) = ctx.session.clone() else { return ctx.redirect("/login", &[]) };
    let p = &session.principal;
    if !p.role.is_coordinator() {
        return ctx.forbidden();
    }
    let notice = super::referrals::notice_of(ctx.t(), raw.as_deref());
    let zoom = zoom_of(&s.cb, p, raw.as_deref());
    render(&s, &ctx, p, notice, zoom).await
}

async fn render(
    s: &AppState,
    ctx: &PageCtx,
    p: &Principal,
    notice: Option<&'static str>,
    zoom: Option<RegionCode>,
) -> Response {
    let (t, lang, cb) = (ctx.t(), ctx.lang, &s.cb);
    let mut referrals = match stranded(cb, p).await {
        Ok(r) => r,
        Err(e) => return ctx.referral_error(e),
    };
    // Zoomed into a sub-region: its patients only, on the map and in the list.
    if let Some(z) = zoom {
        referrals.retain(|r| cb.regions.contains(z, r.draft.patient.region_code));
    }
    let now = cb.now();
    let mut names = Names::default();
    let scope = match p.scope {
        Scope::Region(c) => Some(c),
        _ => None,
    };
    let mut rows = Vec::new();
    for (i, r) in referrals.iter().enumerate() {
        let d = match cb.referral(p, r.id).await {
            Ok(d) => d,
            Err(ServiceError::NotFound) => continue,
            Err(e) => return ctx.referral_error(e),
        };
        names.load(cb, lang, &facilities_of(&d)).await;
        let placement = if i < LIVE_EXPLANATIONS { cb.explain_referral(p, r.id).await.ok() } else { None };
        let why = match &placement {
            Some(pl) => Some(why_live(lang, r, pl)),
            None => super::referrals::why_recorded(lang, &d),
        };
        let (waited, overdue) = waiting(lang, r, now);
        rows.push(Row {
            id: r.id.to_string(),
            href: format!("/referrals/{}", r.id),
            direct_href: format!("/placement/referrals/{}", r.id),
            pseudonym: r.draft.patient.pseudonym.clone(),
            need: lang.service(r.draft.need),
            unit: lang.unit(r.draft.unit()),
            urgency: lang.urgency(r.draft.urgency),
            status: lang.referral_status(r.status),
            status_class: status_class(r.status),
            region: cb.regions.get(r.draft.patient.region_code).map(|g| g.name.clone()).unwrap_or_default(),
            waited,
            overdue,
            escalated: r.escalated_at.map(local_time),
            current: d
                .current_offer
                .as_ref()
                .map(|o| format!("{} · {} {}", names.get(o.facility_id), t.hold_expires, local_time(o.expires_at))),
            declines: d
                .offers
                .iter()
                .filter(|o| matches!(o.status, OfferStatus::Declined | OfferStatus::Expired))
                .map(|o| {
                    let why = match o.decline_reason {
                        Some(reason) => lang.decline_reason(reason).to_string(),
                        None => lang.offer_status(o.status).to_string(),
                    };
                    format!("{}: {why}", names.get(o.facility_id))
                })
                .collect(),
            why,
        });
    }

    let region = zoom.or(scope);
    let heading =
        region.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());
    let groups = group_rows(cb, lang, p, region).await;
    let page = BoardPage {
        chrome: ctx.chrome(format!("{} · {heading}", t.stranded_title), "stranded"),
        t,
        tr: crate::web::text_ranking::text(lang),
        notice,
        groups,
        map_svg: map_svg(cb, lang, region, &referrals, &heading),
        d: crate::web::text_desk::text(lang),
        legend: {
            let d = crate::web::text_desk::text(lang);
            vec![
                (super::board::swatch(map::RED, None, false), d.legend_stranded_overdue),
                (super::board::swatch(map::AMBER, None, false), d.legend_stranded_escalated),
            ]
        },
        zoom: zoom_links(cb, lang, scope, region, &referrals),
        heading,
        rows,
    };
    ctx.html(StatusCode::OK, &page)
}

/// The region's map with one marker per home region of the stranded patients (at its centre),
/// sized by nothing but titled with the count.
fn map_svg(
    cb: &Carebridge,
    lang: Lang,
    region: Option<RegionCode>,
    referrals: &[Referral],
    place: &str,
) -> Option<String> {
    // Per home region: how many, how many past their maximum wait, and the first one's card.
    let now = cb.now();
    let mut by_region: BTreeMap<RegionCode, (usize, usize, String)> = BTreeMap::new();
    for r in referrals {
        let e = by_region.entry(r.draft.patient.region_code).or_insert_with(|| (0, 0, format!("#stranded-{}", r.id)));
        e.0 += 1;
        if waiting(lang, r, now).1 {
            e.1 += 1;
        }
    }
    let boundaries: Vec<Boundary> =
        map::boundaries_for(region, &cb.regions).into_iter().map(|feature| Boundary { feature, href: None }).collect();
    let markers: Vec<Marker> = by_region
        .iter()
        .filter_map(|(code, (n, overdue, card))| {
            // A county without a published centre is marked at its city's.
            let region = cb.regions.get(*code)?;
            let centre =
                region.centre.or_else(|| region.parent.and_then(|p| cb.regions.get(p)).and_then(|p| p.centre))?;
            Some(Marker {
                lon: centre[0],
                lat: centre[1],
                // Red where someone has waited past the maximum, amber where all are escalated
                // within it (the legend says so).
                fill: if *overdue > 0 { map::RED } else { map::AMBER },
                ring: None,
                stale: false,
                rank: if *overdue > 0 { 2 } else { 1 },
                title: crate::web::text_desk::stranded_marker(lang, &lang.stranded_in(&region.name, *n), *overdue),
                // The first of the same patients in the list below the map.
                href: Some(card.clone()),
            })
        })
        .collect();
    map::render(&boundaries, &markers, &lang.stranded_map_label(place, by_region.len(), referrals.len()))
}

/// The stranded map's zoom links: out to the enclosing region (while zoomed in), and in to each
/// sub-region of the one shown that has stranded patients.
fn zoom_links(
    cb: &Carebridge,
    lang: Lang,
    scope: Option<RegionCode>,
    shown: Option<RegionCode>,
    referrals: &[Referral],
) -> Vec<ZoomLink> {
    let d = crate::web::text_desk::text(lang);
    let t = lang.t();
    let mut out = Vec::new();
    if shown != scope {
        // Zoomed in: out one level, never beyond the coordinator's own region.
        let parent = shown.and_then(|c| cb.regions.get(c)).and_then(|r| r.parent);
        let up = match (scope, parent) {
            (Some(s), Some(parent)) if cb.regions.contains(s, parent) => Some(parent),
            (None, parent) => parent,
            (Some(s), _) => Some(s),
        };
        let name = up.and_then(|c| cb.regions.get(c)).map(|r| r.name.clone()).unwrap_or_else(|| t.nation.to_string());
        out.push(ZoomLink { href: zoom_href(up), label: format!("− {} {name}", d.map_zoom_out) });
    }
    let children: Vec<RegionCode> = match shown {
        Some(c) => cb.regions.children(c).to_vec(),
        None => cb.regions.provinces().to_vec(),
    };
    for child in children {
        let n = referrals.iter().filter(|r| cb.regions.contains(child, r.draft.patient.region_code)).count();
        if n == 0 {
            continue;
        }
        let Some(r) = cb.regions.get(child) else { continue };
        out.push(ZoomLink { href: zoom_href(Some(child)), label: format!("+ {} ({n})", r.name) });
    }
    out
}
